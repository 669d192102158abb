package dmssim

import (
	"strconv"
	"strings"

	"dmsticket/dms/sqlscript"
)

// This file reads just enough of a query to compute EXPLAIN and COUNT
// answers: the tables it names in FROM and JOIN clauses, the predicates of
// its WHERE clauses and its outermost LIMIT. It is a walk over the tokens
// sqlscript gives (so quoting and comments are read as the engine reads
// them) and their parenthesised groups, not a parser.

// token is a significant token of a statement: comments are left out.
type token struct {
	pos  int // byte offset in the statement
	kind sqlscript.TokenKind
	text string // as written
	name string // a word as written, a quoted identifier without its quotes
	norm string // words and quoted identifiers lower-cased and unquoted
}

func (t token) is(word string) bool { return t.kind == sqlscript.Word && t.norm == word }

func (t token) punct(c byte) bool { return t.kind == sqlscript.Punct && t.text[0] == c }

// isName reports whether the token can name a table, column or alias.
func (t token) isName() bool { return t.kind == sqlscript.Word || t.kind == sqlscript.QuotedIdent }

// tokenize returns the tokens of sql written in dialect d, without comments.
// What is inside a MySQL executable comment is SQL and stays.
func tokenize(sql string, d sqlscript.Dialect) []token {
	var out []token
	for _, t := range sqlscript.Tokens(sql, d) {
		if t.Kind == sqlscript.Comment {
			continue
		}
		tok := token{pos: t.Start, kind: t.Kind, text: t.Text, name: t.Text, norm: t.Norm}
		if t.Kind == sqlscript.QuotedIdent {
			tok.name, tok.norm = t.Norm, strings.ToLower(t.Norm)
		}
		out = append(out, tok)
	}
	return out
}

// tableRef is a table named in a FROM or JOIN clause.
type tableRef struct {
	schema string // the qualifier as written, unquoted, or ""
	name   string // as written, unquoted
	alias  string
}

// label is the name EXPLAIN shows for the table: its alias, else its name.
func (r tableRef) label() string {
	if r.alias != "" {
		return r.alias
	}
	return r.name
}

// query is what the planner needs to know about a SELECT.
type query struct {
	tables  []tableRef  // real tables in order of appearance (CTE names left out)
	preds   []predicate // WHERE predicates, from every query level
	limit   int64
	limited bool
	// norm is the whole query normalised: the key of its COUNT deviation.
	norm string
}

// clauseEnd are the keywords that end a WHERE clause at its level.
var clauseEnd = map[string]bool{
	"group": true, "order": true, "limit": true, "having": true, "window": true, "union": true,
	"except": true, "intersect": true, "fetch": true, "offset": true, "for": true, "qualify": true,
	"returning": true, "into": true, "lock": true,
}

// notAlias are the keywords that can follow a table name and are not its
// alias.
var notAlias = map[string]bool{
	"where": true, "join": true, "inner": true, "left": true, "right": true, "full": true, "outer": true,
	"cross": true, "natural": true, "on": true, "using": true, "straight_join": true, "lateral": true,
	"partition": true, "tablesample": true, "force": true, "ignore": true, "use": true, "with": true,
	"as": true, "set": true, "start": true, "connect": true, "model": true, "pivot": true, "unpivot": true,
}

// readQuery reads a SELECT (possibly WITH … SELECT, possibly parenthesised or
// a UNION) written in dialect d.
func readQuery(sql string, d sqlscript.Dialect) (query, string) {
	toks := tokenize(sql, d)
	match, ok := matchParens(toks)
	if !ok {
		return query{}, "unbalanced parentheses"
	}
	r := &reader{src: sql, toks: toks, match: match, ctes: map[string]bool{}}
	r.walk(0, len(toks), true, true)
	q := query{preds: r.preds, limit: r.limit, limited: r.limited, norm: normalise(toks)}
	for _, t := range r.tables {
		if t.schema == "" && r.ctes[strings.ToLower(t.name)] {
			continue
		}
		q.tables = append(q.tables, t)
	}
	return q, ""
}

type reader struct {
	src     string
	toks    []token
	match   []int // index of the matching parenthesis, or -1
	ctes    map[string]bool
	tables  []tableRef
	preds   []predicate
	limit   int64
	limited bool
}

// predicate is one AND-ed condition of a WHERE clause.
type predicate struct {
	norm string // normalised: the key of its selectivity
	text string // as written
}

func matchParens(toks []token) ([]int, bool) {
	match := make([]int, len(toks))
	var stack []int
	for i, t := range toks {
		match[i] = -1
		switch {
		case t.punct('('):
			stack = append(stack, i)
		case t.punct(')'):
			if len(stack) == 0 {
				return nil, false
			}
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			match[o], match[i] = i, o
		}
	}
	return match, len(stack) == 0
}

// startsQuery reports whether the group (lo, hi) holds a query.
func (r *reader) startsQuery(lo, hi int) bool {
	return startsQuery(r.toks[lo:hi])
}

// startsQuery reports whether toks start with a query (SELECT, WITH, TABLE
// or VALUES), behind any opening parentheses.
func startsQuery(toks []token) bool {
	for _, t := range toks {
		switch {
		case t.punct('('):
			continue
		case t.is("select"), t.is("with"), t.is("values"), t.is("table"):
			return true
		default:
			return false
		}
	}
	return false
}

// walk reads tokens [lo, hi) at one parenthesis level. At a query level it
// reads FROM, JOIN, WHERE and (outermost only) LIMIT; inside every group it
// looks for nested queries.
func (r *reader) walk(lo, hi int, isQuery, outermost bool) {
	i := lo
	if isQuery && i < hi && r.toks[i].is("with") {
		i = r.with(i+1, hi)
	}
	for i < hi {
		t := r.toks[i]
		switch {
		case t.punct('('):
			i = r.group(i)
		case !isQuery:
			i++
		case t.is("from") && !(i > lo && r.toks[i-1].is("distinct")):
			i = r.tableList(i+1, hi, true)
		case t.is("join") || t.is("straight_join"):
			i = r.tableList(i+1, hi, false)
		case t.is("where"):
			i = r.where(i+1, hi)
		case outermost && t.is("limit"):
			i = r.readLimit(i+1, hi)
		case outermost && t.is("fetch"):
			// FETCH FIRST|NEXT n ROWS ONLY
			if i+2 < hi && r.toks[i+2].kind == sqlscript.Number {
				r.setLimit(r.toks[i+2].text)
			}
			i++
		default:
			i++
		}
	}
}

// group reads the parenthesised group at i, as a query when one starts in
// it, and returns the index after it.
func (r *reader) group(i int) int {
	end := r.match[i]
	r.walk(i+1, end, r.startsQuery(i+1, end), false)
	return end + 1
}

// with reads a WITH list: name [(columns)] AS [NOT] [MATERIALIZED] (query), …
// It returns the index after the list.
func (r *reader) with(i, hi int) int {
	if i < hi && r.toks[i].is("recursive") {
		i++
	}
	for i < hi {
		if !r.toks[i].isName() {
			return i
		}
		r.ctes[r.toks[i].norm] = true
		i++
		if i < hi && r.toks[i].punct('(') { // column list
			i = r.match[i] + 1
		}
		for i < hi && !r.toks[i].punct('(') { // AS [NOT] MATERIALIZED
			i++
		}
		if i >= hi {
			return i
		}
		end := r.match[i]
		r.walk(i+1, end, true, false)
		i = end + 1
		if i < hi && r.toks[i].punct(',') {
			i++
			continue
		}
		return i
	}
	return i
}

// tableList reads the table references after FROM (a comma-separated list)
// or JOIN (one), returning the index after them.
func (r *reader) tableList(i, hi int, list bool) int {
	for i < hi {
		for i < hi && (r.toks[i].is("lateral") || r.toks[i].is("only")) {
			i++
		}
		if i >= hi {
			return i
		}
		if r.toks[i].punct('(') { // a derived table or a parenthesised join
			end := r.match[i]
			r.walk(i+1, end, true, false)
			i = r.alias(end+1, hi, false)
		} else if r.toks[i].isName() {
			ref := tableRef{name: r.toks[i].name}
			i++
			if i+1 < hi && r.toks[i].punct('.') && r.toks[i+1].isName() {
				ref.schema, ref.name = ref.name, r.toks[i+1].name
				i += 2
			}
			added := false
			if i < hi && r.toks[i].punct('(') { // a table function, not a table
				end := r.match[i]
				r.walk(i+1, end, false, false)
				i = end + 1
			} else if !strings.EqualFold(ref.name, "dual") || ref.schema != "" {
				r.tables = append(r.tables, ref)
				added = true
			}
			i = r.alias(i, hi, added)
		} else {
			return i
		}
		if !list || i >= hi || !r.toks[i].punct(',') {
			return i
		}
		i++
	}
	return i
}

// alias reads an optional [AS] alias after a table reference; set says it
// names the table just added.
func (r *reader) alias(i, hi int, set bool) int {
	if i < hi && r.toks[i].is("as") {
		i++
	}
	if i < hi && r.toks[i].isName() && !notAlias[r.toks[i].norm] && !clauseEnd[r.toks[i].norm] &&
		!r.toks[i].is("from") && !r.toks[i].is("select") {
		if set {
			r.tables[len(r.tables)-1].alias = r.toks[i].name
		}
		i++
	}
	return i
}

// where reads a WHERE clause: its predicates, split on AND at its level
// (BETWEEN's AND excepted), and any queries nested in it.
func (r *reader) where(i, hi int) int {
	start := i
	between := false
	flush := func(end int) {
		if end > start {
			last := r.toks[end-1]
			r.preds = append(r.preds, predicate{
				norm: normalise(r.toks[start:end]),
				text: r.src[r.toks[start].pos : last.pos+len(last.text)],
			})
		}
	}
	for i < hi {
		t := r.toks[i]
		switch {
		case t.punct('('):
			i = r.group(i)
			continue
		case t.kind == sqlscript.Word && clauseEnd[t.norm]:
			flush(i)
			return i
		case t.is("between"):
			between = true
		case t.is("and"):
			if between {
				between = false
			} else {
				flush(i)
				start = i + 1
			}
		}
		i++
	}
	flush(i)
	return i
}

// readLimit reads LIMIT n, LIMIT offset, n or LIMIT n OFFSET m.
func (r *reader) readLimit(i, hi int) int {
	if i >= hi || r.toks[i].kind != sqlscript.Number {
		return i
	}
	if i+2 < hi && r.toks[i+1].punct(',') && r.toks[i+2].kind == sqlscript.Number {
		r.setLimit(r.toks[i+2].text)
		return i + 3
	}
	r.setLimit(r.toks[i].text)
	return i + 1
}

func (r *reader) setLimit(s string) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		r.limit, r.limited = n, true
	}
}

// normalise joins tokens with single blanks, words and quoted identifiers
// lower-cased and unquoted, so that layout, case and quoting do not change a
// query's figures.
func normalise(toks []token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.norm)
	}
	return b.String()
}
