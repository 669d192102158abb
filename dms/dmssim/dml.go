package dmssim

import (
	"strconv"
	"strings"

	"dmsticket/dms/sqlscript"
)

// This file reads data changes (INSERT, REPLACE, UPDATE, DELETE) for
// EXPLAIN, COUNT and a data change's precheck: the table a statement
// changes and the rows it touches. Those rows are a query planner.go
// already reads: SELECT * FROM <its tables> WHERE <its condition> for
// UPDATE and DELETE (the query dmsticket's COUNT rewrite counts), the
// select of INSERT … SELECT; an INSERT … VALUES lists its rows.
//
// The plans are the engines' shapes over the seeded statistics (which
// behave as if every predicate had an index, so the rows a statement
// examines are the rows it touches):
//   - MySQL family: one row per table, select_type UPDATE, DELETE, INSERT or
//     REPLACE for the table changed; rows the rows examined, not capped by
//     LIMIT, and filtered 100.00, as MySQL shows single-table changes; an
//     INSERT's own row shows no rows (NULL), its select's rows follow.
//   - PostgreSQL: a ModifyTable node whose Plan Rows is 0 (without
//     RETURNING), the rows being on the node under it: the scan of the rows
//     touched, the select's plan, or a Values Scan of the rows listed.
//
// COUNT cannot wrap a data change (it is not a query, on either engine);
// the rewrite SELECT COUNT(*) FROM t WHERE w is counted as a query.

// change is what the planner needs to know about a data change.
type change struct {
	// verb is INSERT, REPLACE, UPDATE or DELETE.
	verb string
	// target is the table changed (the first one, for a multi-table
	// change).
	target tableRef
	// source is the query over the rows the statement touches; nil for an
	// INSERT that lists its rows.
	source *query
	// listed is the rows an INSERT … VALUES lists (1 for INSERT … SET and
	// DEFAULT VALUES).
	listed int64
	// limit caps the rows an UPDATE or DELETE changes (MySQL's LIMIT n).
	limit   int64
	limited bool
	// returning says the statement returns rows (PostgreSQL's RETURNING).
	returning bool
}

// tables are the tables the change names: its target, then its source's.
func (c change) tables() []tableRef {
	out := []tableRef{c.target}
	if c.source != nil {
		out = append(out, c.source.tables...)
	}
	return out
}

// figures are the change's row numbers on database d (whose tables exist):
// rawEst the rows examined (EXPLAIN's), exact the rows changed (what COUNT
// of the rows it touches says, capped by its LIMIT).
func (c change) figures(d *database) figures {
	if c.source == nil {
		return figures{base: c.listed, estimate: c.listed, rawEst: c.listed, exact: c.listed}
	}
	f := compute(d, *c.source)
	if c.limited {
		f.exact = min(f.exact, c.limit)
		f.estimate = min(f.rawEst, c.limit)
	}
	return f
}

// dmlReader walks a data change's tokens.
type dmlReader struct {
	sql   string
	d     sqlscript.Dialect
	toks  []token
	match []int
}

// text is the statement's text from token a up to token b (excluded).
func (r *dmlReader) text(a, b int) string {
	if b <= a {
		return ""
	}
	last := r.toks[b-1]
	return r.sql[r.toks[a].pos : last.pos+len(last.text)]
}

// next is the index of the first token from i on, outside parentheses,
// that is one of the words; len(toks) when there is none.
func (r *dmlReader) next(i int, words ...string) int {
	for ; i < len(r.toks); i++ {
		t := r.toks[i]
		if t.punct('(') {
			i = r.match[i]
			continue
		}
		for _, w := range words {
			if t.is(w) {
				return i
			}
		}
	}
	return len(r.toks)
}

// skip passes the words (modifiers such as LOW_PRIORITY, IGNORE) at i.
func (r *dmlReader) skip(i int, words ...string) int {
	for i < len(r.toks) {
		found := false
		for _, w := range words {
			if r.toks[i].is(w) {
				found = true
			}
		}
		if !found {
			return i
		}
		i++
	}
	return i
}

// readChange reads a data change written in dialect d; it returns a
// problem in words when it cannot.
func readChange(sql string, d sqlscript.Dialect) (change, string) {
	toks := tokenize(sql, d)
	match, ok := matchParens(toks)
	if !ok {
		return change{}, "unbalanced parentheses"
	}
	r := &dmlReader{sql: sql, d: d, toks: toks, match: match}
	i, prefix := 0, ""
	if len(toks) > 0 && toks[0].is("with") { // WITH … INSERT/UPDATE/DELETE
		i = r.next(1, "insert", "replace", "update", "delete")
		prefix = r.text(0, i) + " "
	}
	if i >= len(toks) {
		return change{}, "no INSERT, REPLACE, UPDATE or DELETE"
	}
	var c change
	var src, perr string
	switch c.verb = strings.ToUpper(toks[i].norm); c.verb {
	case "INSERT", "REPLACE":
		src, perr = r.insert(&c, i+1)
	case "UPDATE":
		src, perr = r.update(&c, i+1)
	case "DELETE":
		src, perr = r.delete(&c, i+1)
	default:
		return change{}, "not a data change"
	}
	if perr != "" {
		return change{}, perr
	}
	if src != "" {
		q, perr := readQuery(prefix+src, d)
		if perr != "" {
			return change{}, perr
		}
		c.source = &q
		if c.target.name == "" { // UPDATE and DELETE change their first table
			own, _ := readQuery(src, d) // not a table of the WITH list's
			if len(own.tables) == 0 {
				return change{}, "no table to change"
			}
			c.target = own.tables[0]
		}
	}
	return c, ""
}

// tail reads the clauses after an UPDATE's SET or a DELETE's tables from
// token i: WHERE (its condition returned), ORDER BY, LIMIT and RETURNING.
func (r *dmlReader) tail(c *change, i int) (cond string) {
	ends := []string{"order", "limit", "returning"}
	if i < len(r.toks) && r.toks[i].is("where") {
		end := r.next(i+1, ends...)
		cond, i = r.text(i+1, end), end
	}
	if i = r.next(i, "limit", "returning"); i < len(r.toks) && r.toks[i].is("limit") {
		if i+1 < len(r.toks) && r.toks[i+1].kind == sqlscript.Number {
			if n, err := strconv.ParseInt(r.toks[i+1].text, 10, 64); err == nil && n >= 0 {
				c.limit, c.limited = n, true
			}
		}
	}
	c.returning = r.next(i, "returning") < len(r.toks)
	return cond
}

// rowsQuery is SELECT * FROM from [WHERE cond]: the rows a change touches.
func rowsQuery(from, cond string) string {
	q := "SELECT * FROM " + from
	if cond != "" {
		q += " WHERE " + cond
	}
	return q
}

// update reads UPDATE [modifiers] tables SET … [FROM list] [WHERE …]
// [ORDER BY …] [LIMIT n] [RETURNING …] from token i.
func (r *dmlReader) update(c *change, i int) (string, string) {
	i = r.skip(i, "low_priority", "ignore")
	set := r.next(i, "set")
	if set >= len(r.toks) || set == i {
		return "", "UPDATE without a table and SET"
	}
	from := r.text(i, set)
	k := r.next(set+1, "from", "where", "order", "limit", "returning")
	if k < len(r.toks) && r.toks[k].is("from") { // PostgreSQL: UPDATE t SET … FROM others
		end := r.next(k+1, "where", "order", "limit", "returning")
		from += ", " + r.text(k+1, end)
		k = end
	}
	return rowsQuery(from, r.tail(c, k)), ""
}

// delete reads DELETE [modifiers] FROM tables [USING list] [WHERE …] …, or
// MySQL's DELETE targets FROM tables [WHERE …], from token i.
func (r *dmlReader) delete(c *change, i int) (string, string) {
	i = r.skip(i, "low_priority", "quick", "ignore")
	ends := []string{"where", "order", "limit", "returning"}
	var from string
	var targets []string
	switch {
	case i < len(r.toks) && r.toks[i].is("from"):
		end := r.next(i+1, append([]string{"using"}, ends...)...)
		from = r.text(i+1, end)
		if end < len(r.toks) && r.toks[end].is("using") {
			uend := r.next(end+1, ends...)
			using := r.text(end+1, uend)
			if r.d == sqlscript.MySQL { // DELETE FROM targets USING tables
				targets, from = names(r.toks[i+1:end]), using
			} else { // PostgreSQL: DELETE FROM t USING others
				from += ", " + using
			}
			end = uend
		}
		i = end
	default: // MySQL: DELETE targets FROM tables
		f := r.next(i, "from")
		if f >= len(r.toks) {
			return "", "DELETE without FROM"
		}
		targets = names(r.toks[i:f])
		end := r.next(f+1, ends...)
		from, i = r.text(f+1, end), end
	}
	if strings.TrimSpace(from) == "" {
		return "", "DELETE without a table"
	}
	src := rowsQuery(from, r.tail(c, i))
	if len(targets) > 0 {
		// The target names a table of the FROM list, or its alias.
		q, perr := readQuery(src, r.d)
		if perr != "" {
			return "", perr
		}
		for _, t := range q.tables {
			if strings.EqualFold(t.label(), targets[0]) || strings.EqualFold(t.name, targets[0]) {
				c.target = t
				break
			}
		}
		if c.target.name == "" {
			return "", "DELETE of " + targets[0] + ", which its FROM list does not name"
		}
	}
	return src, ""
}

// names are the table names of a comma-separated target list (t1, s.t2,
// t3.*): the last name of each, unquoted.
func names(toks []token) []string {
	var out []string
	last := ""
	for _, t := range toks {
		switch {
		case t.punct(','):
			out, last = append(out, last), ""
		case t.isName():
			last = t.name
		}
	}
	if last != "" {
		out = append(out, last)
	}
	return out
}

// insert reads INSERT|REPLACE [modifiers] [INTO] table [AS alias]
// [PARTITION (…)] [(columns)] VALUES …|SELECT …|SET …|DEFAULT VALUES
// [ON DUPLICATE KEY …|ON CONFLICT …] [RETURNING …] from token i.
func (r *dmlReader) insert(c *change, i int) (string, string) {
	i = r.skip(i, "low_priority", "delayed", "high_priority", "ignore", "into")
	if i >= len(r.toks) || !r.toks[i].isName() {
		return "", c.verb + " without a table"
	}
	c.target = tableRef{name: r.toks[i].name}
	i++
	if i+1 < len(r.toks) && r.toks[i].punct('.') && r.toks[i+1].isName() {
		c.target.schema, c.target.name = c.target.name, r.toks[i+1].name
		i += 2
	}
	if i+1 < len(r.toks) && r.toks[i].is("as") && r.toks[i+1].isName() { // PostgreSQL's alias
		c.target.alias = r.toks[i+1].name
		i += 2
	}
	if i+1 < len(r.toks) && r.toks[i].is("partition") && r.toks[i+1].punct('(') {
		i = r.match[i+1] + 1
	}
	if i < len(r.toks) && r.toks[i].punct('(') && !r.startsQuery(i) { // the column list
		i = r.match[i] + 1
	}
	c.returning = r.next(i, "returning") < len(r.toks)
	switch {
	case i >= len(r.toks):
		return "", c.verb + " without VALUES or SELECT"
	case r.toks[i].is("values") || r.toks[i].is("value"):
		for k := i + 1; k < len(r.toks); {
			if r.toks[k].is("row") {
				k++
			}
			if k >= len(r.toks) || !r.toks[k].punct('(') {
				break
			}
			c.listed++
			k = r.match[k] + 1
			if k >= len(r.toks) || !r.toks[k].punct(',') {
				break
			}
			k++
		}
		if c.listed == 0 {
			return "", "VALUES without a row"
		}
		return "", ""
	case r.toks[i].is("set"), r.toks[i].is("default"):
		c.listed = 1
		return "", ""
	}
	// INSERT … SELECT: the select, up to ON DUPLICATE KEY, ON CONFLICT or
	// RETURNING.
	end := i
	for end < len(r.toks) {
		end = r.next(end, "on", "returning")
		if end >= len(r.toks) || r.toks[end].is("returning") ||
			end+1 < len(r.toks) && (r.toks[end+1].is("duplicate") || r.toks[end+1].is("conflict")) {
			break
		}
		end++
	}
	if !r.startsQuery(i) {
		return "", c.verb + " without VALUES or SELECT"
	}
	return r.text(i, end), ""
}

// startsQuery reports whether a query starts at token i, behind any
// opening parentheses.
func (r *dmlReader) startsQuery(i int) bool {
	return startsQuery(r.toks[min(i, len(r.toks)):])
}

// operation is PostgreSQL's ModifyTable Operation for the change.
func (c change) operation() string {
	switch c.verb {
	case "UPDATE":
		return "Update"
	case "DELETE":
		return "Delete"
	}
	return "Insert"
}

// mysqlChangeExplain is MySQL's traditional EXPLAIN of a data change.
func mysqlChangeExplain(d *database, c change, f figures) ([]string, []map[string]any) {
	cols := []string{"id", "select_type", "table", "partitions", "type", "possible_keys", "key", "key_len", "ref", "rows", "filtered", "Extra"}
	if c.source == nil || c.verb == "INSERT" || c.verb == "REPLACE" {
		// The table an INSERT writes shows no rows.
		rows := []map[string]any{{
			"id": "1", "select_type": c.verb, "table": c.target.label(), "partitions": nil, "type": "ALL",
			"possible_keys": nil, "key": nil, "key_len": nil, "ref": nil, "rows": nil, "filtered": nil, "Extra": nil,
		}}
		if c.source != nil {
			_, sel := mysqlExplain(d, *c.source, f)
			rows = append(rows, sel...)
		}
		return cols, rows
	}
	_, rows := mysqlExplain(d, *c.source, f)
	first := rows[0]
	first["select_type"] = c.verb
	first["rows"] = strconv.FormatInt(f.rawEst, 10) // rows examined: LIMIT does not cap them
	return cols, rows
}

// pgChangePlan is PostgreSQL's plan of a data change: a ModifyTable node
// over the plan of the rows it touches.
func pgChangePlan(d *database, c change, f figures) pgNode {
	var child pgNode
	switch {
	case c.source != nil:
		child = pgPlanTree(d, *c.source, f)
	case c.listed == 1:
		child = pgNode{NodeType: "Result", TotalCost: 0.01, PlanRows: 1, PlanWidth: 32}
	default:
		child = pgNode{NodeType: "Values Scan", Alias: "*VALUES*", TotalCost: cost(0.0125 * float64(c.listed)),
			PlanRows: c.listed, PlanWidth: 32}
	}
	child.ParentRelationship = "Outer"
	name := c.target.name
	if tb, ok := d.table(name); ok {
		name = tb.name
	}
	top := pgNode{NodeType: "ModifyTable", Operation: c.operation(), RelationName: name, Alias: c.target.label(),
		TotalCost: child.TotalCost, Plans: []pgNode{child}}
	if c.returning {
		top.PlanRows, top.PlanWidth = child.PlanRows, child.PlanWidth
	}
	return top
}

// explainChange answers EXPLAIN of a data change in format (mysql, pgjson
// or pgtext).
func explainChange(d *database, inner, format string, res resultJSON) resultJSON {
	dl := d.dialect()
	c, perr := readChange(inner, dl)
	if perr != "" {
		res.Message = syntaxError(dl, perr)
		return res
	}
	if msg := tableError(d, query{tables: c.tables()}); msg != "" {
		res.Message = msg
		return res
	}
	f := c.figures(d)
	return explained(res, format,
		func() ([]string, []map[string]any) { return mysqlChangeExplain(d, c, f) },
		func() pgNode { return pgChangePlan(d, c, f) })
}

// plainCount reads SELECT COUNT(*|1) FROM tables [WHERE …] [LIMIT …]: the
// query whose rows it counts (SELECT * FROM tables [WHERE …]), or ok false
// when the statement is not a plain count (it groups, or is a UNION).
func plainCount(sql string, toks []token) (inner string, ok bool) {
	if len(toks) < 7 || !toks[0].is("select") || !toks[1].is("count") || !toks[2].punct('(') ||
		!(toks[3].punct('*') || toks[3].text == "1") || !toks[4].punct(')') || !toks[5].is("from") {
		return "", false
	}
	m, ok := matchParens(toks)
	if !ok {
		return "", false
	}
	end := len(sql)
	for i := 6; i < len(toks); i++ {
		if toks[i].punct('(') {
			i = m[i]
			continue
		}
		for _, w := range []string{"group", "having", "union", "except", "intersect", "window"} {
			if toks[i].is(w) {
				return "", false
			}
		}
		if toks[i].is("limit") || toks[i].is("offset") || toks[i].is("fetch") {
			// They limit COUNT's one row, not the rows counted.
			end = toks[i].pos
			break
		}
	}
	return "SELECT * " + strings.TrimSpace(sql[toks[5].pos:end]), true
}
