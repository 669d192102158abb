package dmssim

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"dmsticket/dms"
	"dmsticket/dms/sqlscript"
)

// resultJSON is the SDK's Result struct: one per statement.
type resultJSON struct {
	Success     bool             `json:"Success"`
	Message     string           `json:"Message"`
	RowCount    int64            `json:"RowCount"`
	ColumnNames []string         `json:"ColumnNames"`
	Rows        []map[string]any `json:"Rows"`
	Script      string           `json:"Script"`
}

// onlyExplainAndCount is the answer to any other statement.
const onlyExplainAndCount = "The DMS simulator answers only EXPLAIN <select or data change> (MySQL family), EXPLAIN (FORMAT JSON) <select or data change> (PostgreSQL family), SELECT COUNT(*) FROM (<select>) t and SELECT COUNT(*) FROM <tables> WHERE <condition>; it does not run other statements."

// opExecuteScript answers ExecuteScript with one result per statement: EXPLAIN
// and COUNT answers computed from the seeded row counts, or by the real
// engine of the database's family (Options.Engines). The whole call is
// refused when the database is not in Security Collaboration mode or the
// user lacks query permission.
func opExecuteScript(x *exchange) (any, *apiError) {
	t := x.tenant()
	dbID := x.needInt64("DbId")
	logic := x.needBool("Logic")
	script := x.need("Script")
	d := x.database(t, dbID, logic)
	if x.bad != nil {
		return nil, x.bad
	}
	if !d.secureHosted() {
		return nil, fail("UnsupportedOperation", "The instance is not in secure hosting mode")
	}
	if !d.canQuery(x.user.id) {
		return nil, fail("NoPermission", "You have no query permission on database %s (ID %d); apply for it (a PERM_APPLY ticket) or ask its owner.", d.searchName, d.id)
	}
	stmts := sqlscript.Statements(script, d.dialect())
	if len(stmts) == 0 {
		return nil, fail("InvalidParam", "Script holds no SQL statement.")
	}
	results, onEngine := x.s.engines.answer(x.r.Context(), d, stmts)
	if !onEngine {
		for _, st := range stmts {
			results = append(results, run(d, st.SQL))
		}
	}
	return listOf("Results", results), nil
}

// run answers one statement.
func run(d *database, sql string) resultJSON {
	dl := d.dialect()
	toks := tokenize(sql, dl)
	res := resultJSON{Script: sql, ColumnNames: []string{}, Rows: []map[string]any{}}
	failWith := func(msg string) resultJSON {
		res.Message = msg
		return res
	}
	if len(toks) == 0 {
		return failWith(onlyExplainAndCount)
	}
	var (
		inner  string
		format string // mysql, pgjson, pgtext or count
		column string
	)
	switch {
	case toks[0].is("explain"):
		var msg string
		inner, format, msg = explainTarget(sql, toks, dl)
		if msg != "" {
			return failWith(msg)
		}
	case isCountWrapper(toks):
		// SELECT COUNT(*) FROM (<select>) t, below.
		format = "count"
		m, _ := matchParens(toks)
		inner = sql[toks[7].pos:toks[m[6]].pos]
		column = countColumn(dl, toks)
	default:
		if counted, ok := plainCount(sql, toks); ok { // SELECT COUNT(*) FROM t WHERE w
			format, inner = "count", counted
			column = countColumn(dl, toks)
			break
		}
		return failWith(onlyExplainAndCount)
	}
	switch k := sqlscript.Classify(inner, dl); {
	case k == sqlscript.Select:
	case format != "count" && (k == sqlscript.Insert || k == sqlscript.Update || k == sqlscript.Delete):
		return explainChange(d, inner, format, res)
	case format == "count" && (k == sqlscript.Insert || k == sqlscript.Update || k == sqlscript.Delete):
		return failWith(syntaxError(dl, "a data change is not a query: COUNT cannot wrap it") +
			". Count the rows it touches with SELECT COUNT(*) FROM <its table> WHERE <its condition>.")
	default:
		return failWith(fmt.Sprintf("The DMS simulator measures SELECT statements and data changes only; this one is %s. %s", dms.KindPhrase(k), onlyExplainAndCount))
	}
	q, perr := readQuery(inner, dl)
	if perr != "" {
		return failWith(syntaxError(dl, perr))
	}
	if msg := tableError(d, q); msg != "" {
		return failWith(msg)
	}
	f := compute(d, q)
	if format == "count" {
		res.Success = true
		res.ColumnNames = []string{column}
		res.Rows = []map[string]any{{column: strconv.FormatInt(f.exact, 10)}}
		res.RowCount = 1
		return res
	}
	return explained(res, format,
		func() ([]string, []map[string]any) { return mysqlExplain(d, q, f) },
		func() pgNode { return pgPlanTree(d, q, f) })
}

// explained is res answering an EXPLAIN in format: mysql's table (mysql),
// or the plan tree pg builds as PostgreSQL's one JSON document (pgjson) or
// its lines of text (pgtext).
func explained(res resultJSON, format string, mysql func() ([]string, []map[string]any), pg func() pgNode) resultJSON {
	res.Success = true
	switch format {
	case "mysql":
		res.ColumnNames, res.Rows = mysql()
	case "pgjson":
		plan, _ := json.MarshalIndent([]map[string]any{{"Plan": pg()}}, "", "  ")
		res.ColumnNames = []string{"QUERY PLAN"}
		res.Rows = []map[string]any{{"QUERY PLAN": string(plan)}}
	case "pgtext":
		res.ColumnNames = []string{"QUERY PLAN"}
		for _, line := range pg().text(0) {
			res.Rows = append(res.Rows, map[string]any{"QUERY PLAN": line})
		}
	}
	res.RowCount = int64(len(res.Rows))
	return res
}

// countColumn is the name the engine gives COUNT(*)'s column.
func countColumn(dl sqlscript.Dialect, toks []token) string {
	switch dl {
	case sqlscript.PostgreSQL:
		return "count"
	case sqlscript.MySQL:
		return toks[1].text + "(" + toks[3].text + ")"
	}
	return "COUNT(" + toks[3].text + ")"
}

func syntaxError(dl sqlscript.Dialect, detail string) string {
	switch dl {
	case sqlscript.MySQL:
		return "You have an error in your SQL syntax (" + detail + "); check the manual that corresponds to your MySQL server version for the right syntax to use"
	case sqlscript.PostgreSQL:
		return "ERROR: syntax error (" + detail + ")"
	}
	return "ORA-00907: missing right parenthesis (" + detail + ")"
}

// explainTarget reads an EXPLAIN statement's options and returns the text of
// the statement it explains and the answer format, or a message refusing it.
func explainTarget(sql string, toks []token, dl sqlscript.Dialect) (inner, format, msg string) {
	i := 1
	switch dl {
	case sqlscript.MySQL:
		format = "mysql"
	options:
		for i < len(toks) {
			switch t := toks[i]; {
			case t.is("format") && i+2 < len(toks) && toks[i+1].punct('='):
				if !toks[i+2].is("traditional") {
					return "", "", "The DMS simulator answers EXPLAIN in the traditional (tabular) format only, not FORMAT=" + toks[i+2].text + "."
				}
				i += 3
				continue
			case t.is("analyze"):
				return "", "", "The DMS simulator does not run statements, so it cannot answer EXPLAIN ANALYZE."
			case t.is("extended") || t.is("partitions"):
				i++
				continue
			}
			break options
		}
	case sqlscript.PostgreSQL:
		format = "pgtext"
		if i < len(toks) && toks[i].punct('(') {
			m, ok := matchParens(toks)
			if !ok {
				return "", "", syntaxError(dl, "unbalanced parentheses")
			}
			end := m[i]
			for j := i + 1; j < end; j++ {
				switch {
				case toks[j].is("format") && j+1 < end:
					switch toks[j+1].norm {
					case "json":
						format = "pgjson"
					case "text":
						format = "pgtext"
					default:
						return "", "", "The DMS simulator answers EXPLAIN in FORMAT JSON or TEXT only, not " + toks[j+1].text + "."
					}
				case toks[j].is("analyze") && !(j+1 < end && (toks[j+1].is("false") || toks[j+1].is("off"))):
					return "", "", "The DMS simulator does not run statements, so it cannot answer EXPLAIN ANALYZE."
				}
			}
			i = end + 1
		}
		for i < len(toks) && (toks[i].is("verbose") || toks[i].is("analyze")) {
			if toks[i].is("analyze") {
				return "", "", "The DMS simulator does not run statements, so it cannot answer EXPLAIN ANALYZE."
			}
			i++
		}
	default:
		return "", "", "The DMS simulator answers EXPLAIN for MySQL-family and PostgreSQL-family databases only; count the rows with SELECT COUNT(*) FROM (<select>) t instead."
	}
	if i >= len(toks) {
		return "", "", syntaxError(dl, "EXPLAIN of nothing")
	}
	return sql[toks[i].pos:], format, ""
}

// isCountWrapper reports whether the statement is
// SELECT COUNT(*|1) FROM ( … ) [AS] alias.
func isCountWrapper(toks []token) bool {
	if len(toks) < 9 || !toks[0].is("select") || !toks[1].is("count") || !toks[2].punct('(') ||
		!(toks[3].punct('*') || toks[3].text == "1") || !toks[4].punct(')') || !toks[5].is("from") || !toks[6].punct('(') {
		return false
	}
	m, ok := matchParens(toks)
	if !ok {
		return false
	}
	rest := toks[m[6]+1:]
	if len(rest) > 0 && rest[0].is("as") {
		rest = rest[1:]
	}
	return len(rest) == 0 || len(rest) == 1 && rest[0].isName()
}

// mysqlExplain is MySQL's traditional EXPLAIN: one row per table, the first
// (driving) table carrying the estimate, the joined ones looked up by primary
// key.
func mysqlExplain(d *database, q query, f figures) ([]string, []map[string]any) {
	cols := []string{"id", "select_type", "table", "partitions", "type", "possible_keys", "key", "key_len", "ref", "rows", "filtered", "Extra"}
	if len(q.tables) == 0 {
		return cols, []map[string]any{{
			"id": "1", "select_type": "SIMPLE", "table": nil, "partitions": nil, "type": nil, "possible_keys": nil,
			"key": nil, "key_len": nil, "ref": nil, "rows": nil, "filtered": nil, "Extra": "No tables used",
		}}
	}
	var rows []map[string]any
	first := q.tables[0]
	for i, t := range q.tables {
		row := map[string]any{
			"id": "1", "select_type": "SIMPLE", "table": t.label(), "partitions": nil,
			"filtered": "100.00", "Extra": nil,
		}
		if i == 0 {
			row["type"], row["possible_keys"], row["key"], row["key_len"], row["ref"] = "ALL", nil, nil, nil, nil
			row["rows"] = strconv.FormatInt(f.estimate, 10)
			if len(q.preds) > 0 {
				row["Extra"] = "Using where"
			}
		} else {
			row["type"], row["possible_keys"], row["key"], row["key_len"] = "eq_ref", "PRIMARY", "PRIMARY", "8"
			row["ref"] = d.schema + "." + first.label() + "." + strings.TrimSuffix(strings.ToLower(t.name), "s") + "_id"
			row["rows"] = "1"
		}
		rows = append(rows, row)
	}
	return cols, rows
}

// pgNode is one node of a PostgreSQL plan, with the keys of EXPLAIN (FORMAT
// JSON).
type pgNode struct {
	NodeType           string   `json:"Node Type"`
	Operation          string   `json:"Operation,omitempty"` // a ModifyTable's: Insert, Update, Delete
	ParentRelationship string   `json:"Parent Relationship,omitempty"`
	ParallelAware      bool     `json:"Parallel Aware"`
	JoinType           string   `json:"Join Type,omitempty"`
	RelationName       string   `json:"Relation Name,omitempty"`
	Alias              string   `json:"Alias,omitempty"`
	IndexName          string   `json:"Index Name,omitempty"`
	StartupCost        float64  `json:"Startup Cost"`
	TotalCost          float64  `json:"Total Cost"`
	PlanRows           int64    `json:"Plan Rows"`
	PlanWidth          int      `json:"Plan Width"`
	Filter             string   `json:"Filter,omitempty"`
	Plans              []pgNode `json:"Plans,omitempty"`
}

func cost(v float64) float64 { return math.Round(v*100) / 100 }

// pgPlanTree is the plan PostgreSQL would show: a sequential scan of the
// first table, index scans of the joined ones in nested loops, a Limit on
// top when the query has one.
func pgPlanTree(d *database, q query, f figures) pgNode {
	if len(q.tables) == 0 {
		return pgNode{NodeType: "Result", TotalCost: 0.01, PlanRows: 1, PlanWidth: 4}
	}
	first := q.tables[0]
	tb, _ := d.table(first.name)
	top := pgNode{
		NodeType: "Seq Scan", RelationName: tb.name, Alias: first.label(),
		TotalCost: cost(float64(tb.rows)*0.01 + float64(f.rawEst)*0.0025), PlanRows: f.rawEst, PlanWidth: 64,
	}
	if len(q.preds) > 0 {
		texts := make([]string, len(q.preds))
		for i, p := range q.preds {
			texts[i] = p.text
		}
		top.Filter = "(" + strings.Join(texts, ") AND (") + ")"
	}
	for _, t := range q.tables[1:] {
		jt, _ := d.table(t.name)
		top.ParentRelationship = "Outer"
		top = pgNode{
			NodeType: "Nested Loop", JoinType: "Inner", StartupCost: 0.43,
			TotalCost: cost(top.TotalCost + float64(f.rawEst)*0.5), PlanRows: f.rawEst, PlanWidth: top.PlanWidth + 48,
			Plans: []pgNode{top, {
				NodeType: "Index Scan", ParentRelationship: "Inner", IndexName: jt.name + "_pkey",
				RelationName: jt.name, Alias: t.label(), StartupCost: 0.43, TotalCost: 0.5, PlanRows: 1, PlanWidth: 48,
			}},
		}
	}
	if q.limited {
		top.ParentRelationship = "Outer"
		top = pgNode{
			NodeType: "Limit", TotalCost: cost(top.TotalCost * float64(f.estimate+1) / float64(f.rawEst+1)),
			PlanRows: f.estimate, PlanWidth: top.PlanWidth, Plans: []pgNode{top},
		}
	}
	return top
}

// text renders the node as EXPLAIN's text format, one line per row.
func (n pgNode) text(depth int) []string {
	indent := strings.Repeat("      ", max(0, depth-1))
	prefix := ""
	if depth > 0 {
		prefix = indent + "  ->  "
	}
	head := n.NodeType
	switch {
	case n.NodeType == "ModifyTable": // "Update on orders"
		head = n.Operation + " on " + n.RelationName
	case n.NodeType == "Values Scan":
		head += ` on "*VALUES*"`
	case n.IndexName != "":
		head += " using " + n.IndexName + " on " + n.RelationName
	case n.RelationName != "":
		head += " on " + n.RelationName
	}
	if n.Alias != "" && n.Alias != n.RelationName && n.NodeType != "Values Scan" {
		head += " " + n.Alias
	}
	lines := []string{fmt.Sprintf("%s%s  (cost=%.2f..%.2f rows=%d width=%d)", prefix, head, n.StartupCost, n.TotalCost, n.PlanRows, n.PlanWidth)}
	if n.Filter != "" {
		lines = append(lines, strings.Repeat(" ", len(prefix)+2)+"Filter: "+n.Filter)
	}
	for _, c := range n.Plans {
		lines = append(lines, c.text(depth+1)...)
	}
	return lines
}
