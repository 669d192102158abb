package dms

import (
	"strconv"

	"dmsticket/dms/sqlscript"
)

// shape is what the estimate needs to know about a SELECT beyond its plan:
// whether the rows its outermost query returns are fewer than the rows the
// MySQL family's EXPLAIN shows (GROUP BY, DISTINCT, HAVING, an aggregate),
// the LIMIT that caps them, and how to count it when the COUNT wrapper
// cannot hold its columns. It reads the tokens sqlscript gives, so quoting
// and comments are read as the engine reads them; the outermost query is the
// statement's top level and the parenthesised branches of a set operation
// ((SELECT …) UNION (SELECT …)).
type shape struct {
	// grouped names what makes the outermost query return fewer rows than it
	// examines: "GROUP BY", "DISTINCT", "HAVING" or "aggregate functions"
	// (in a set operation's branches); "" for none.
	grouped string
	// aggregate: an aggregate function (COUNT, SUM, …, not a window
	// function) in the outermost query without GROUP BY: one row.
	aggregate bool
	// limited: a LIMIT (or FETCH FIRST) with literal numbers caps the whole
	// statement at limit rows after offset rows.
	limited       bool
	limit, offset int64
	// inner: GROUP BY, DISTINCT, an aggregate or a LIMIT inside a derived
	// table, a CTE or a subquery.
	inner bool
	// countable is the statement with the outermost select list replaced by
	// 1, counted when COUNT(*) FROM (statement) fails on duplicate column
	// names (SELECT * over a join); "" when that would change the count.
	countable string
}

// aggregates are the aggregate functions of the MySQL family and
// PostgreSQL: called in the outermost query without GROUP BY, they make one
// row of all.
var aggregates = map[string]bool{
	"count": true, "sum": true, "avg": true, "min": true, "max": true, "group_concat": true,
	"std": true, "stddev": true, "stddev_pop": true, "stddev_samp": true, "variance": true,
	"var_pop": true, "var_samp": true, "bit_and": true, "bit_or": true, "bit_xor": true,
	"json_arrayagg": true, "json_objectagg": true, "string_agg": true, "array_agg": true,
	"bool_and": true, "bool_or": true, "every": true, "json_agg": true, "jsonb_agg": true,
	"json_object_agg": true, "jsonb_object_agg": true,
}

// selectModifiers may stand between SELECT and its select list.
var selectModifiers = map[string]bool{
	"all": true, "high_priority": true, "straight_join": true, "sql_small_result": true,
	"sql_big_result": true, "sql_buffer_result": true, "sql_no_cache": true, "sql_cache": true,
	"sql_calc_found_rows": true,
}

func isSetOperator(t sqlscript.Token) bool {
	return t.Kind == sqlscript.Word && (t.Norm == "union" || t.Norm == "except" || t.Norm == "intersect" || t.Norm == "minus")
}

func isWord(t sqlscript.Token, w string) bool { return t.Kind == sqlscript.Word && t.Norm == w }

func isPunct(t sqlscript.Token, c byte) bool {
	return t.Kind == sqlscript.Punct && len(t.Text) == 1 && t.Text[0] == c
}

// shapeOf reads a statement's shape.
func shapeOf(stmt string, d sqlscript.Dialect) shape {
	var toks []sqlscript.Token
	for _, t := range sqlscript.Tokens(stmt, d) {
		if t.Kind != sqlscript.Comment {
			toks = append(toks, t)
		}
	}
	// top[i] says token i belongs to the outermost query; match[i] is the
	// closing parenthesis of an opening one.
	top := make([]bool, len(toks))
	depth := make([]int, len(toks))
	match := make([]int, len(toks))
	type open struct {
		at     int
		branch bool
	}
	var stack []open
	outer := func() bool {
		for _, o := range stack {
			if !o.branch {
				return false
			}
		}
		return true
	}
	for i, t := range toks {
		match[i] = -1
		depth[i] = len(stack)
		switch {
		case isPunct(t, '('):
			top[i] = outer()
			// A branch: at the start or after a set operator (and its ALL or
			// DISTINCT), holding a query.
			prev := i - 1
			if prev >= 0 && (isWord(toks[prev], "all") || isWord(toks[prev], "distinct")) && prev > 0 && isSetOperator(toks[prev-1]) {
				prev--
			}
			startsQuery := i+1 < len(toks) && (isWord(toks[i+1], "select") || isWord(toks[i+1], "with") || isPunct(toks[i+1], '('))
			branch := top[i] && startsQuery && (prev < 0 || isSetOperator(toks[prev]) || (isPunct(toks[prev], '(') && top[prev]))
			stack = append(stack, open{at: i, branch: branch})
		case isPunct(t, ')'):
			if len(stack) > 0 {
				match[stack[len(stack)-1].at] = i
				stack = stack[:len(stack)-1]
			}
			top[i] = outer()
		default:
			top[i] = outer()
		}
	}
	var s shape
	branches := 1
	limitDepth := 0 // a LIMIT inside a branch's parentheses caps that branch only
	firstSelect, from := -1, -1
	for i, t := range toks {
		if t.Kind != sqlscript.Word {
			continue
		}
		if !top[i] {
			switch {
			case t.Norm == "group" && i+1 < len(toks) && isWord(toks[i+1], "by"),
				t.Norm == "distinct" || t.Norm == "distinctrow" || t.Norm == "limit" || t.Norm == "fetch",
				aggregates[t.Norm] && i+1 < len(toks) && isPunct(toks[i+1], '('):
				s.inner = true
			}
			continue
		}
		switch {
		case isSetOperator(t):
			branches++
			s.limited, s.limit, s.offset = false, 0, 0 // a LIMIT before it was a branch's
		case t.Norm == "select" && firstSelect < 0:
			firstSelect = i
		case t.Norm == "from" && firstSelect >= 0 && from < 0:
			from = i
		case t.Norm == "group" && i+1 < len(toks) && isWord(toks[i+1], "by"):
			s.grouped = "GROUP BY"
		case (t.Norm == "distinct" || t.Norm == "distinctrow") && !(i > 0 && isSetOperator(toks[i-1])):
			if s.grouped == "" {
				s.grouped = "DISTINCT"
			}
		case t.Norm == "having":
			if s.grouped == "" {
				s.grouped = "HAVING"
			}
		case aggregates[t.Norm] && i+1 < len(toks) && isPunct(toks[i+1], '(') && !(i > 0 && isPunct(toks[i-1], '.')):
			if end := match[i+1]; end < 0 || end+1 >= len(toks) || !isWord(toks[end+1], "over") {
				s.aggregate = true
			}
		case t.Norm == "limit":
			s.limited, s.limit, s.offset = readLimit(toks[i+1:])
			limitDepth = depth[i]
		case t.Norm == "fetch":
			// FETCH {FIRST|NEXT} n {ROW|ROWS} {ONLY|WITH TIES}: WITH TIES may
			// return more, so only ONLY caps.
			if i+4 < len(toks) && toks[i+2].Kind == sqlscript.Number && isWord(toks[i+4], "only") {
				if n, err := strconv.ParseInt(toks[i+2].Text, 10, 64); err == nil {
					s.limited, s.limit, limitDepth = true, n, depth[i]
				}
			}
		case t.Norm == "offset" && i+1 < len(toks) && toks[i+1].Kind == sqlscript.Number:
			if n, err := strconv.ParseInt(toks[i+1].Text, 10, 64); err == nil {
				s.offset = n // OFFSET m ROWS FETCH … in either order
			}
		}
	}
	if s.aggregate && branches > 1 && s.grouped == "" {
		s.grouped = "aggregate functions" // one row per aggregating branch: the plan does not say which
	}
	if s.grouped != "" {
		s.aggregate = false
	}
	if branches > 1 && limitDepth > 0 {
		s.limited, s.limit, s.offset = false, 0, 0
	}
	if branches == 1 && s.grouped == "" && !s.aggregate && firstSelect >= 0 && from > firstSelect+1 {
		list := firstSelect + 1
		for list < from && toks[list].Kind == sqlscript.Word && selectModifiers[toks[list].Norm] {
			list++
		}
		if list < from {
			s.countable = stmt[:toks[list].Start] + "1 " + stmt[toks[from].Start:]
		}
	}
	return s
}

// readLimit reads LIMIT n, LIMIT m, n and LIMIT n OFFSET m from the tokens
// after LIMIT; a placeholder or a variable caps nothing.
func readLimit(toks []sqlscript.Token) (ok bool, limit, offset int64) {
	num := func(i int) (int64, bool) {
		if i >= len(toks) || toks[i].Kind != sqlscript.Number {
			return 0, false
		}
		n, err := strconv.ParseInt(toks[i].Text, 10, 64)
		return n, err == nil
	}
	a, ok := num(0)
	if !ok {
		return false, 0, 0
	}
	switch {
	case len(toks) > 2 && isPunct(toks[1], ','):
		b, ok := num(2)
		return ok, b, a
	case len(toks) > 2 && isWord(toks[1], "offset"):
		b, ok := num(2)
		return ok, a, b
	}
	return true, a, 0
}

// capped applies a LIMIT to the rows the planner expects without it.
func (s shape) capped(rows int64) (int64, bool) {
	if !s.limited {
		return rows, false
	}
	left := max(rows-s.offset, 0)
	if left > s.limit {
		return s.limit, true
	}
	return left, false
}
