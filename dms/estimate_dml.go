package dms

import (
	"fmt"
	"strings"

	"dmsticket/dms/sqlscript"
)

// dataChange is how the estimate measures a data change (INSERT, REPLACE,
// UPDATE, DELETE): through its select form, a SELECT that returns one row
// for each row the change writes, or by the rows it lists, or not at all,
// saying why. It is read from the tokens sqlscript gives, so strings, quoted
// identifiers and comments are read as the engine reads them (a WHERE in a
// string or a SET in a comment is not a clause), and the select form is
// rebuilt from those tokens, comments left out.
//
// The select forms:
//
//	UPDATE t [a] SET … [WHERE w] [ORDER BY … LIMIT n]  SELECT 1 FROM t [a] [WHERE w] [ORDER BY … LIMIT n]
//	DELETE FROM t [a] [WHERE w] [ORDER BY … LIMIT n]   the same
//	INSERT|REPLACE … SELECT q (or VALUES … as a query)  q
//
// and over a join, where a row joined to several rows is still written once
// (MySQL's multi-table UPDATE and DELETE with inner joins; PostgreSQL's
// UPDATE … FROM and DELETE … USING), the rows of the one table changed that
// some row of the others matches:
//
//	SELECT 1 FROM t [a] WHERE EXISTS (SELECT 1 FROM the others WHERE the join's conditions AND w)
//
// A WITH clause before the statement stays before its select form.
type dataChange struct {
	// selectForm is the SELECT above; "" when listed or refuse is set.
	selectForm string
	// listed is how many rows an INSERT … VALUES (…), (…) lists (one for
	// INSERT … SET and DEFAULT VALUES), counted without asking DMS; -1 for
	// none.
	listed int64
	// joined: the select form is the EXISTS over a join. PostgreSQL's plan of
	// the statement itself is then not read: the node feeding ModifyTable is
	// the join, a row for each pair, more than the rows changed when a row
	// joins several.
	joined bool
	// bound, when set, says why the rows given are not the rows written
	// (REPLACE's deletes, ON DUPLICATE KEY UPDATE's double count, IGNORE,
	// ON CONFLICT DO NOTHING): it makes the figure of the rows given into
	// the reason there is no figure.
	bound func(rows int64) string
	// refuse says why the rows cannot be measured; nothing is sent.
	refuse string
}

// dmlTokens are a statement's tokens without comments, with what the reader
// needs about their parentheses.
type dmlTokens struct {
	toks  []sqlscript.Token
	depth []int  // parentheses open before the token
	match []int  // for '(' the index of its ')', else -1
	gap   []bool // something (blanks, a comment) stood before the token
	d     sqlscript.Dialect
}

func newDMLTokens(stmt string, d sqlscript.Dialect) *dmlTokens {
	l := &dmlTokens{d: d}
	for _, t := range sqlscript.Tokens(stmt, d) {
		if t.Kind != sqlscript.Comment {
			l.toks = append(l.toks, t)
		}
	}
	n := len(l.toks)
	l.depth, l.match, l.gap = make([]int, n), make([]int, n), make([]bool, n)
	var stack []int
	for i, t := range l.toks {
		l.match[i] = -1
		l.gap[i] = i > 0 && t.Start > l.toks[i-1].End
		switch {
		case isPunct(t, '('):
			l.depth[i] = len(stack)
			stack = append(stack, i)
		case isPunct(t, ')') && len(stack) > 0:
			l.match[stack[len(stack)-1]] = i
			stack = stack[:len(stack)-1]
			l.depth[i] = len(stack)
		default:
			l.depth[i] = len(stack)
		}
	}
	return l
}

// word reports whether token i is one of the words (lower case).
func (l *dmlTokens) word(i int, words ...string) bool {
	if i < 0 || i >= len(l.toks) || l.toks[i].Kind != sqlscript.Word {
		return false
	}
	for _, w := range words {
		if l.toks[i].Norm == w {
			return true
		}
	}
	return false
}

func (l *dmlTokens) punct(i int, c byte) bool {
	return i >= 0 && i < len(l.toks) && isPunct(l.toks[i], c)
}

func (l *dmlTokens) name(i int) bool {
	return i >= 0 && i < len(l.toks) && (l.toks[i].Kind == sqlscript.Word || l.toks[i].Kind == sqlscript.QuotedIdent)
}

// find is the first token in [from, hi) at the statement's top level that
// is one of the words, or -1.
func (l *dmlTokens) find(from, hi int, words ...string) int {
	for i := max(from, 0); i < hi; i++ {
		if l.depth[i] == 0 && l.word(i, words...) {
			return i
		}
	}
	return -1
}

// findPunct is the first top-level c in [from, hi), or -1.
func (l *dmlTokens) findPunct(from, hi int, c byte) int {
	for i := max(from, 0); i < hi; i++ {
		if l.depth[i] == 0 && l.punct(i, c) {
			return i
		}
	}
	return -1
}

// text rebuilds tokens [lo, hi) as written, with one blank wherever blanks
// or a comment stood between two of them.
func (l *dmlTokens) text(lo, hi int) string {
	var b strings.Builder
	for i := lo; i < hi; i++ {
		if i > lo && l.gap[i] {
			b.WriteByte(' ')
		}
		b.WriteString(l.toks[i].Text)
	}
	return b.String()
}

// startsQuery reports whether a query starts at token i.
func (l *dmlTokens) startsQuery(i int) bool {
	return l.word(i, "select", "with", "values", "table") || (l.punct(i, '(') && l.startsQuery(i+1))
}

// firstOf is the smallest of the indexes that are not -1, else hi.
func firstOf(hi int, idx ...int) int {
	out := hi
	for _, i := range idx {
		if i >= 0 && i < out {
			out = i
		}
	}
	return out
}

// dataChangeOf reads a data change (a statement sqlscript classifies as
// Insert, Update or Delete).
func dataChangeOf(stmt string, d sqlscript.Dialect) dataChange {
	l := newDMLTokens(stmt, d)
	refuse := func(format string, args ...any) dataChange {
		return dataChange{listed: -1, refuse: fmt.Sprintf(format, args...)}
	}
	n := len(l.toks)
	main, prefix := 0, ""
	if l.word(0, "with") {
		// WITH [RECURSIVE] name [(columns)] AS [[NOT] MATERIALIZED] (body), …
		// then the statement; a body that writes makes two data changes.
		main = -1
		for i := 1; i < n; i++ {
			if l.depth[i] != 0 {
				continue
			}
			if l.punct(i, '(') && l.word(i-1, "as", "materialized") && l.word(i+1, "insert", "update", "delete", "merge", "replace") {
				return refuse("its WITH clause changes data too (%s in a WITH): the rows the statement writes are not one statement's to measure; enter the figure", strings.ToUpper(l.toks[i+1].Text))
			}
			if l.word(i, "insert", "replace", "update", "delete", "select", "values", "table", "merge") {
				main = i
				break
			}
		}
		if main < 0 {
			return refuse("dmsticket cannot find the statement after its WITH clause; enter the figure")
		}
		prefix = l.text(0, main) + " "
	}
	var c dataChange
	switch {
	case l.word(main, "update"):
		c = l.update(main+1, prefix)
	case l.word(main, "delete"):
		c = l.delete(main+1, prefix)
	case l.word(main, "insert", "replace"):
		c = l.insert(main, prefix)
	default:
		return refuse("it is a %s whose WITH clause changes data: the rows it writes are not one statement's to measure; enter the figure", strings.ToUpper(l.toks[main].Text))
	}
	return c
}

// update reads UPDATE from token i (after the keyword).
func (l *dmlTokens) update(i int, prefix string) dataChange {
	n := len(l.toks)
	c := dataChange{listed: -1}
	var ignore bool
	for l.word(i, "low_priority", "ignore") && l.d == sqlscript.MySQL {
		ignore = ignore || l.word(i, "ignore")
		i++
	}
	set := l.find(i, n, "set")
	if set <= i {
		return dataChange{listed: -1, refuse: "dmsticket cannot find the table and SET clause of this UPDATE; enter the figure"}
	}
	end := firstOf(n, l.find(set+1, n, "returning"))
	from := -1
	if l.d != sqlscript.MySQL {
		from = l.find(set+1, end, "from")
	}
	where := l.find(set+1, end, "where")
	tail := end // MySQL's ORDER BY … LIMIT n, kept in the select form
	if l.d == sqlscript.MySQL {
		tail = firstOf(end, l.find(max(where, set)+1, end, "order", "limit"))
	}
	if where >= 0 && l.word(where+1, "current") && l.word(where+2, "of") {
		return dataChange{listed: -1, refuse: "UPDATE … WHERE CURRENT OF changes the row a cursor is on, which no count before it can tell; enter the figure"}
	}
	if ignore {
		c.bound = func(rows int64) string {
			return fmt.Sprintf("UPDATE IGNORE matches %s but skips those whose change would break a unique key, and how many do, only running it says; enter the figure (at most %s)", rowCount(rows), thousands(rows))
		}
	}
	cond := ""
	if where >= 0 {
		cond = l.text(where+1, tail)
	}
	switch {
	case from >= 0:
		if l.d != sqlscript.PostgreSQL {
			return dataChange{listed: -1, refuse: "UPDATE … FROM is read for PostgreSQL only (in SQL Server its FROM names the table changed again); count the rows with a SELECT of your own, or enter the figure"}
		}
		list := l.text(from+1, firstOf(tail, where))
		c.selectForm = prefix + "SELECT 1 FROM " + l.text(i, set) + " WHERE EXISTS (SELECT 1 FROM " + list + whereClause(cond) + ")"
		c.joined = true
	case l.d == sqlscript.MySQL && l.isJoin(i, set):
		targets, why := l.setTargets(set+1, firstOf(tail, where))
		if why != "" {
			return dataChange{listed: -1, refuse: why}
		}
		form, why := l.joinedForm("UPDATE", i, set, targets, cond)
		if why != "" {
			return dataChange{listed: -1, refuse: why}
		}
		c.selectForm, c.joined = prefix+form, true
	default:
		c.selectForm = prefix + "SELECT 1 FROM " + l.text(i, set) + whereClause(cond)
		if tail < end {
			c.selectForm += " " + l.text(tail, end)
		}
	}
	return c
}

func whereClause(cond string) string {
	if cond == "" {
		return ""
	}
	return " WHERE " + cond
}

// isJoin reports whether tokens [lo, hi) name several tables: a top-level
// comma or JOIN, or a parenthesised list.
func (l *dmlTokens) isJoin(lo, hi int) bool {
	return l.punct(lo, '(') || l.findPunct(lo, hi, ',') >= 0 || l.find(lo, hi, "join", "straight_join") >= 0
}

// setTargets reads the tables a multi-table UPDATE's SET list changes: the
// qualifier of each column assigned (o in o.amount = 0).
func (l *dmlTokens) setTargets(lo, hi int) ([]string, string) {
	var targets []string
	start := lo
	for i := lo; i <= hi; i++ {
		if i < hi && !(l.depth[i] == 0 && l.punct(i, ',')) {
			continue
		}
		// one assignment: [[db.]t.]column = expr
		j := start
		var parts []string
		for l.name(j) {
			parts = append(parts, l.toks[j].Norm)
			if !l.punct(j+1, '.') {
				break
			}
			j += 2
		}
		if len(parts) == 0 {
			return nil, "dmsticket cannot read the SET clause of this UPDATE; enter the figure"
		}
		if len(parts) == 1 {
			return nil, fmt.Sprintf("this UPDATE over several tables sets column %s without naming its table, so which table's rows it changes is not in the statement; write it as table.%s, or enter the figure", parts[0], parts[0])
		}
		targets = append(targets, parts[len(parts)-2])
		start = i + 1
	}
	return targets, ""
}

// factor is one table of a join: tokens [lo, hi), the name it goes by.
type factor struct {
	lo, hi  int
	label   string
	derived bool
}

// aliasStop are the words after a table that are not its alias.
var aliasStop = map[string]bool{
	"on": true, "using": true, "join": true, "inner": true, "cross": true, "left": true, "right": true,
	"natural": true, "full": true, "outer": true, "straight_join": true, "set": true, "where": true,
	"use": true, "ignore": true, "force": true, "partition": true, "order": true, "limit": true,
}

// joinedForm is the select form of a MySQL multi-table UPDATE or DELETE:
// the table references [lo, hi) joined by commas and inner joins, one of
// them the table changed (targets hold its name as the statement writes
// it, once per mention), cond the WHERE clause's condition or "".
func (l *dmlTokens) joinedForm(verb string, lo, hi int, targets []string, cond string) (string, string) {
	distinct := []string{}
	for _, t := range targets {
		seen := false
		for _, d := range distinct {
			seen = seen || strings.EqualFold(d, t)
		}
		if !seen {
			distinct = append(distinct, t)
		}
	}
	if len(distinct) != 1 {
		return "", fmt.Sprintf("this %s changes rows of %d tables (%s): dmsticket measures the rows of one; count each table's with a SELECT of your own, or enter the figure", verb, len(distinct), strings.Join(distinct, ", "))
	}
	var factors []factor
	var conds []string
	i := lo
	for i < hi {
		f := factor{lo: i}
		switch {
		case l.punct(i, '(') && l.startsQuery(i+1):
			f.derived = true
			i = l.match[i] + 1
			if i <= 0 {
				return "", "dmsticket cannot read the tables of this " + verb + "; enter the figure"
			}
		case l.punct(i, '('):
			return "", "dmsticket does not read a parenthesised join in a " + verb + "; write its tables without the parentheses, or enter the figure"
		case l.name(i):
			f.label = l.toks[i].Norm
			i++
			for l.punct(i, '.') && l.name(i+1) {
				f.label = l.toks[i+1].Norm
				i += 2
			}
			if l.word(i, "partition") && l.punct(i+1, '(') && l.match[i+1] > 0 {
				i = l.match[i+1] + 1
			}
		default:
			return "", "dmsticket cannot read the tables of this " + verb + "; enter the figure"
		}
		if l.word(i, "as") && l.name(i+1) {
			f.label = l.toks[i+1].Norm
			i += 2
		} else if l.name(i) && !(l.toks[i].Kind == sqlscript.Word && aliasStop[l.toks[i].Norm]) {
			f.label = l.toks[i].Norm
			i++
		}
		for l.word(i, "use", "ignore", "force") && l.word(i+1, "index", "key") { // index hints
			j := i + 2
			if l.word(j, "for") {
				j += 2
				if l.word(j, "by") {
					j++
				}
			}
			if !l.punct(j, '(') || l.match[j] < 0 {
				break
			}
			i = l.match[j] + 1
		}
		f.hi = i
		factors = append(factors, f)
		if i >= hi {
			break
		}
		if l.word(i, "on") {
			j := i + 1
			for j < hi && !(l.depth[j] == 0 && (l.punct(j, ',') || l.word(j, "join", "inner", "cross", "straight_join", "left", "right", "natural", "full"))) {
				j++
			}
			conds = append(conds, "("+l.text(i+1, j)+")")
			i = j
		}
		switch {
		case i >= hi:
		case l.word(i, "using"):
			return "", "dmsticket does not read JOIN … USING in a " + verb + "; write the join with ON, or enter the figure"
		case l.punct(i, ','), l.word(i, "join", "straight_join"):
			i++
		case l.word(i, "inner", "cross") && l.word(i+1, "join"):
			i += 2
		case l.word(i, "left", "right", "natural", "full", "outer"):
			return "", "this " + verb + " has an outer or natural join, whose rows the count dmsticket writes (an inner join through EXISTS) would miss; count them with a SELECT of your own, or enter the figure"
		default:
			return "", "dmsticket cannot read the tables of this " + verb + "; enter the figure"
		}
	}
	target := -1
	for k, f := range factors {
		if !f.derived && strings.EqualFold(f.label, distinct[0]) {
			if target >= 0 {
				return "", fmt.Sprintf("this %s names table %s twice; enter the figure", verb, distinct[0])
			}
			target = k
		}
	}
	if target < 0 {
		return "", fmt.Sprintf("this %s changes table %s, which dmsticket does not find among its tables; enter the figure", verb, distinct[0])
	}
	var others []string
	for k, f := range factors {
		if k != target {
			others = append(others, l.text(f.lo, f.hi))
		}
	}
	if cond != "" {
		conds = append(conds, "("+cond+")")
	}
	t := factors[target]
	form := "SELECT 1 FROM " + l.text(t.lo, t.hi) + " WHERE EXISTS (SELECT 1 FROM " + strings.Join(others, ", ")
	if len(conds) > 0 {
		form += " WHERE " + strings.Join(conds, " AND ")
	}
	return form + ")", ""
}

// delete reads DELETE from token i (after the keyword).
func (l *dmlTokens) delete(i int, prefix string) dataChange {
	n := len(l.toks)
	c := dataChange{listed: -1}
	refuse := func(why string) dataChange { return dataChange{listed: -1, refuse: why} }
	var ignore bool
	for l.word(i, "low_priority", "quick", "ignore") && l.d == sqlscript.MySQL {
		ignore = ignore || l.word(i, "ignore")
		i++
	}
	if ignore {
		c.bound = func(rows int64) string {
			return fmt.Sprintf("DELETE IGNORE matches %s but skips those it cannot delete (a foreign key), and how many, only running it says; enter the figure (at most %s)", rowCount(rows), thousands(rows))
		}
	}
	end := firstOf(n, l.find(i, n, "returning"))
	if !l.word(i, "from") {
		// MySQL: DELETE t1[.*][, …] FROM table_references [WHERE w]
		from := l.find(i, end, "from")
		if from < 0 || l.d != sqlscript.MySQL {
			return refuse("dmsticket cannot find the table this DELETE deletes from; enter the figure")
		}
		targets, why := l.deleteTargets(i, from)
		if why != "" {
			return refuse(why)
		}
		where := l.find(from+1, end, "where")
		cond := ""
		if where >= 0 {
			cond = l.text(where+1, end)
		}
		form, why := l.joinedForm("DELETE", from+1, firstOf(end, where), targets, cond)
		if why != "" {
			return refuse(why)
		}
		c.selectForm, c.joined = prefix+form, true
		return c
	}
	i++ // FROM
	using := l.find(i, end, "using")
	where := l.find(i, end, "where")
	if where >= 0 && l.word(where+1, "current") && l.word(where+2, "of") {
		return refuse("DELETE … WHERE CURRENT OF deletes the row a cursor is on, which no count before it can tell; enter the figure")
	}
	tail := end
	if l.d == sqlscript.MySQL {
		tail = firstOf(end, l.find(max(where, i), end, "order", "limit"))
	}
	cond := ""
	if where >= 0 {
		cond = l.text(where+1, tail)
	}
	switch {
	case using >= 0 && l.d == sqlscript.MySQL:
		// DELETE FROM t1[, …] USING table_references [WHERE w]
		targets, why := l.deleteTargets(i, using)
		if why != "" {
			return refuse(why)
		}
		form, why := l.joinedForm("DELETE", using+1, firstOf(end, where), targets, cond)
		if why != "" {
			return refuse(why)
		}
		c.selectForm, c.joined = prefix+form, true
	case using >= 0 && l.d == sqlscript.PostgreSQL:
		list := l.text(using+1, firstOf(end, where))
		c.selectForm = prefix + "SELECT 1 FROM " + l.text(i, using) + " WHERE EXISTS (SELECT 1 FROM " + list + whereClause(cond) + ")"
		c.joined = true
	case using >= 0:
		return refuse("DELETE … USING is read for MySQL and PostgreSQL only; count the rows with a SELECT of your own, or enter the figure")
	default:
		table := firstOf(tail, where)
		if table <= i || l.isJoin(i, table) {
			return refuse("dmsticket cannot find the one table this DELETE deletes from; enter the figure")
		}
		c.selectForm = prefix + "SELECT 1 FROM " + l.text(i, table) + whereClause(cond)
		if tail < end {
			c.selectForm += " " + l.text(tail, end)
		}
	}
	return c
}

// deleteTargets reads a multi-table DELETE's list of tables to delete from
// (t1, t2.*, db.t3).
func (l *dmlTokens) deleteTargets(lo, hi int) ([]string, string) {
	var out []string
	i := lo
	for i < hi {
		if !l.name(i) {
			return nil, "dmsticket cannot read which tables this DELETE deletes from; enter the figure"
		}
		label := l.toks[i].Norm
		i++
		for l.punct(i, '.') && l.name(i+1) {
			label = l.toks[i+1].Norm
			i += 2
		}
		if l.punct(i, '.') && l.punct(i+1, '*') {
			i += 2
		}
		out = append(out, label)
		if i < hi && !l.punct(i, ',') {
			return nil, "dmsticket cannot read which tables this DELETE deletes from; enter the figure"
		}
		i++
	}
	return out, ""
}

// insert reads INSERT or REPLACE from token at (the keyword).
func (l *dmlTokens) insert(at int, prefix string) dataChange {
	n := len(l.toks)
	verb := strings.ToUpper(l.toks[at].Text)
	c := dataChange{listed: -1}
	refuse := func(why string) dataChange { return dataChange{listed: -1, refuse: why} }
	i := at + 1
	ignore := false
	for l.word(i, "low_priority", "delayed", "high_priority", "ignore") && l.d == sqlscript.MySQL {
		ignore = ignore || l.word(i, "ignore")
		i++
	}
	if l.word(i, "into") {
		i++
	}
	if !l.name(i) {
		return refuse("dmsticket cannot find the table this " + verb + " writes to; enter the figure")
	}
	i++
	for l.punct(i, '.') && l.name(i+1) {
		i += 2
	}
	if l.word(i, "partition") && l.punct(i+1, '(') && l.match[i+1] > 0 {
		i = l.match[i+1] + 1
	}
	if l.d == sqlscript.PostgreSQL && l.word(i, "as") && l.name(i+1) {
		i += 2
	}
	if l.punct(i, '(') && !l.startsQuery(i+1) && l.match[i] > 0 { // the column list
		i = l.match[i] + 1
	}
	if l.word(i, "overriding") && l.word(i+2, "value") {
		i += 3
	}
	// What follows the rows: MySQL's row alias and ON DUPLICATE KEY UPDATE,
	// PostgreSQL's ON CONFLICT, RETURNING.
	upsert := -1
	for j := i; j < n; j++ {
		if l.depth[j] == 0 && l.word(j, "on") && l.word(j+1, "duplicate", "conflict") {
			upsert = j
			break
		}
	}
	end := firstOf(n, upsert, l.find(i, n, "returning"))
	switch {
	case l.word(i, "default") && l.word(i+1, "values"):
		c.listed = 1
	case l.word(i, "set") && l.d == sqlscript.MySQL:
		c.listed = 1
	case l.word(i, "values", "value"):
		if rows, ok := l.listedRows(i+1, end); ok {
			c.listed = rows
			break
		}
		fallthrough
	case l.startsQuery(i):
		if i >= end {
			return refuse("dmsticket cannot find the rows this " + verb + " writes; enter the figure")
		}
		c.selectForm = prefix + l.text(i, end)
	default:
		return refuse("dmsticket cannot find the rows this " + verb + " writes; enter the figure")
	}
	given := func(rows int64) string {
		if c.listed >= 0 {
			return "the " + rowCount(rows) + " it lists"
		}
		return "the " + rowCount(rows) + " its SELECT gives"
	}
	switch {
	case verb == "REPLACE":
		c.bound = func(rows int64) string {
			return fmt.Sprintf("REPLACE writes %s and first deletes every row holding a key (primary or unique) of one of them; how many it deletes, only running it says; enter the figure (%s or more)", given(rows), thousands(rows))
		}
	case upsert >= 0 && l.word(upsert+1, "duplicate"):
		c.bound = func(rows int64) string {
			return fmt.Sprintf("INSERT … ON DUPLICATE KEY UPDATE inserts each of %s or updates the row holding its key, and the database counts an updated row twice; which happens, only running it says; enter the figure (%s to %s)", given(rows), thousands(rows), thousands(satAdd(rows, rows)))
		}
	case upsert >= 0:
		// ON CONFLICT [target] DO NOTHING | DO UPDATE SET … [WHERE …]: each
		// row given inserts a row or updates the one it conflicts with,
		// unless DO NOTHING or the update's WHERE skips it.
		do := l.find(upsert+2, n, "do")
		skips := do < 0 || l.word(do+1, "nothing") || l.find(do+1, firstOf(n, l.find(do+1, n, "returning")), "where") >= 0
		if skips {
			c.bound = func(rows int64) string {
				return fmt.Sprintf("INSERT … ON CONFLICT writes %s except those its DO NOTHING or its update's WHERE skips; how many it skips, only running it says; enter the figure (at most %s)", given(rows), thousands(rows))
			}
		}
	case ignore:
		c.bound = func(rows int64) string {
			return fmt.Sprintf("INSERT IGNORE writes %s except those whose key is taken; how many are, only running it says; enter the figure (at most %s)", given(rows), thousands(rows))
		}
	}
	return c
}

// rowCount is "1 row", "2 rows", "1,000 rows".
func rowCount(n int64) string {
	if n == 1 {
		return "1 row"
	}
	return thousands(n) + " rows"
}

// listedRows counts the rows of VALUES (…), (…) (MySQL also ROW(…)) in
// tokens [i, hi); ok is false when the list is not only rows (VALUES … ORDER
// BY or LIMIT, a query of its own), or a MySQL row alias (AS new) is not
// all that follows it.
func (l *dmlTokens) listedRows(i, hi int) (int64, bool) {
	var rows int64
	for {
		if l.word(i, "row") {
			i++
		}
		if !l.punct(i, '(') || l.match[i] < 0 {
			return 0, false
		}
		rows++
		i = l.match[i] + 1
		if !l.punct(i, ',') {
			break
		}
		i++
	}
	if i < hi && l.d == sqlscript.MySQL && l.word(i, "as") && l.name(i+1) {
		i += 2
		if l.punct(i, '(') && l.match[i] > 0 {
			i = l.match[i] + 1
		}
	}
	return rows, i >= hi
}
