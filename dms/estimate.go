package dms

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	dmssdk "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"

	"dmsticket/dms/sqlscript"
)

// estimateBatch is how many statements one ExecuteScript call carries, and
// MaxEstimateStatements how many one estimate measures at most (ten calls).
const (
	estimateBatch         = 20
	MaxEstimateStatements = 200
)

// Estimate implements Service. For each statement of the script it runs, through
// ExecuteScript on the chosen database, either EXPLAIN (the planner's row
// estimate: MySQL family, the rows column times filtered, read for what the
// statement returns (see statementRows: MariaDB is asked EXPLAIN EXTENDED, a
// LIMIT caps the figure, GROUP BY and DISTINCT leave it to COUNT);
// PostgreSQL, the top plan node's "Plan Rows" of EXPLAIN (FORMAT JSON)) or an
// exact SELECT COUNT(*) FROM (statement) t, time-boxed by the count timeout.
//
// A data change (PRODUCT.md section 6) is measured by the rows it writes
// (see measureOf and dataChange): UPDATE and DELETE through the SELECT of
// the rows they change, INSERT … SELECT through its SELECT, INSERT … VALUES
// by the rows it lists, without a call; on PostgreSQL EXPLAIN is asked about
// the statement itself and the node feeding ModifyTable is read. Where the
// rows written cannot be had (REPLACE's deletes, ON DUPLICATE KEY UPDATE,
// IGNORE, a change to several tables, an outer join), the statement's Err
// says why. docs/engines.md shows both methods on a real MariaDB and
// PostgreSQL.
//
// A statement DMS could not measure carries its message in StatementRows.Err;
// then Complete is false and an error is returned along with the partial
// result. A refusal of the whole call (no Security Collaboration mode, no
// query permission) is an *Error with DMS's message.
func (c *Client) Estimate(ctx context.Context, r EstimateRequest) (RowEstimate, error) {
	timeout := c.cfg.ReadTimeout
	if r.Method == RowsCount {
		timeout = c.cfg.CountTimeout
	}
	execute := func(scripts []string) ([]dmssdk.Result, string, error) {
		req := dmssdk.CreateExecuteScriptRequest()
		req.Tid = tid(r.Tid)
		req.DbId = requests.NewInteger64(r.Database.ID)
		req.Logic = requests.NewBoolean(r.Database.Logic)
		req.Script = strings.Join(scripts, ";\n")
		req.SetReadTimeout(timeout)
		resp, err := readCall(ctx, c, "ExecuteScript", req, func(sc *dmssdk.Client) (*dmssdk.ExecuteScriptResponse, error) { return sc.ExecuteScript(req) })
		if err != nil {
			return nil, "", err
		}
		return resp.Results, resp.RequestId, nil
	}
	return estimate(r, execute)
}

// executeFunc runs scripts in one ExecuteScript call and returns DMS's
// results, one per script, and the call's request ID.
type executeFunc func(scripts []string) ([]dmssdk.Result, string, error)

// estimate is Estimate with the ExecuteScript call given: what is sent and
// how each answer is read, without the network.
func estimate(r EstimateRequest, run executeFunc) (RowEstimate, error) {
	out := RowEstimate{Method: r.Method, SQLHash: SQLHash(r.SQL), Database: r.Database}
	dialect := r.Database.Dialect()
	stmts := sqlscript.Statements(r.SQL, dialect)
	if len(stmts) == 0 {
		return out, &Error{Op: "ExecuteScript", Kind: KindInvalid, Message: "there is no statement to measure"}
	}
	if len(stmts) > MaxEstimateStatements {
		return out, &Error{Op: "ExecuteScript", Kind: KindInvalid,
			Message: fmt.Sprintf("%d statements are more than dmsticket measures at once (%d); enter the figure yourself or ignore the check with a reason", len(stmts), MaxEstimateStatements)}
	}
	if r.Method == RowsExplain && dialect == sqlscript.Generic {
		return out, &Error{Op: "ExecuteScript", Kind: KindInvalid,
			Message: fmt.Sprintf("EXPLAIN estimates are read for MySQL-family and PostgreSQL databases, not %s; count the rows or enter the figure", r.Database.DbType)}
	}
	// MariaDB's EXPLAIN has no filtered column unless EXTENDED; MySQL 8
	// refuses EXTENDED and always shows it.
	extended := r.Method == RowsExplain && dialect == sqlscript.MySQL && strings.EqualFold(strings.TrimSpace(r.Database.DbType), "mariadb")
	execute := func(scripts []string) ([]dmssdk.Result, error) {
		results, requestID, err := run(scripts)
		if err != nil {
			return nil, err
		}
		out.RequestID = requestID
		if len(results) != len(scripts) {
			return nil, &Error{Op: "ExecuteScript", Kind: KindRefused, RequestID: requestID,
				Message: fmt.Sprintf("DMS answered %d results for %d statements", len(results), len(scripts))}
		}
		return results, nil
	}
	for start := 0; start < len(stmts); start += estimateBatch {
		end := min(start+estimateBatch, len(stmts))
		ms := make([]measurement, 0, end-start)
		var sent []measurement // those that ask DMS, in order
		for _, s := range stmts[start:end] {
			m := measureOf(r.Method, dialect, s)
			ms = append(ms, m)
			if m.known == nil {
				sent = append(sent, m)
			}
		}
		answers := map[int]dmssdk.Result{}
		if len(sent) > 0 {
			shapes := make([]shape, len(sent))
			for i, m := range sent {
				shapes[i] = m.shape
			}
			scripts := func(extended bool) []string {
				out := make([]string, len(sent))
				for i, m := range sent {
					out[i] = measureSQL(r.Method, dialect, extended, m.sql)
				}
				return out
			}
			results, err := execute(scripts(extended))
			if err != nil {
				return out, err
			}
			if r.Method == RowsExplain && dialect == sqlscript.MySQL && !extended && lacksFiltered(results) {
				// A MariaDB server registered under another DB type: ask again
				// for the filtered column, keeping the first answer of a
				// statement the second one fails.
				extended = true
				again, err := execute(scripts(true))
				if err != nil {
					return out, err
				}
				for i, res := range again {
					if res.Success {
						results[i] = res
					}
				}
			}
			if r.Method == RowsCount && dialect == sqlscript.MySQL {
				if err := recountDuplicateColumns(results, shapes, execute); err != nil {
					return out, err
				}
			}
			for i, m := range sent {
				answers[m.number] = results[i]
			}
		}
		for _, m := range ms {
			var sr StatementRows
			if m.known != nil {
				sr = *m.known
			} else {
				sr = statementRows(r.Method, dialect, m.number, answers[m.number], m.shape)
			}
			out.Statements = append(out.Statements, m.bounded(sr))
		}
	}
	out.At = time.Now()
	out.Complete = true
	var failed []string
	byDMS := false
	for _, s := range out.Statements {
		if s.Err != "" {
			out.Complete = false
			failed = append(failed, fmt.Sprintf("statement %d: %s", s.Number, s.Err))
			byDMS = byDMS || s.ByDMS
			continue
		}
		out.Total = satAdd(out.Total, s.Rows)
	}
	if !out.Complete {
		if !byDMS {
			// DMS answered every statement; what it said gives no figure
			// for some (an examined count, an upsert): the statement
			// lines say why. Not DMS's refusal.
			return out, &Error{Op: "ExecuteScript", Kind: KindInvalid, RequestID: out.RequestID, Message: strings.Join(failed, "; "), Unmeasured: true}
		}
		return out, &Error{Op: "ExecuteScript", Kind: KindRefused, RequestID: out.RequestID, Message: strings.Join(failed, "; ")}
	}
	return out, nil
}

// measurement is how one statement of a script is measured: what is sent
// to DMS, or the figure (or the reason for none) known without asking.
type measurement struct {
	number int // the statement's number in the script
	// sql is what is measured: the statement itself, or for a data change
	// the SELECT of the rows it writes (see dataChange); measureSQL wraps
	// it. Empty when known is set.
	sql   string
	shape shape // sql's shape
	// known is the answer without a call: the rows an INSERT … VALUES
	// lists, or why a data change cannot be measured.
	known *StatementRows
	// bound, when set, turns the figure into the reason there is none: the
	// rows measured are not the rows the statement writes (REPLACE, INSERT
	// IGNORE, ON DUPLICATE KEY UPDATE, ON CONFLICT DO NOTHING).
	bound func(rows int64) string
}

// measureOf says how statement st is measured by method m. A SELECT (or
// anything that is not a data change) is sent as it is. A data change is
// measured through the SELECT of the rows it writes, except that
// PostgreSQL's EXPLAIN is asked about the statement itself (the rows of the
// plan node that feeds ModifyTable are read) unless it changes rows over a
// join. The MySQL family is never asked EXPLAIN UPDATE or DELETE: MariaDB
// plans a single-table UPDATE or DELETE with filtered 100 (its WHERE clause
// left out of the figure, 20,000 rows shown for 4,000 changed: see
// docs/engines.md), and EXPLAIN SELECT works on every version.
func measureOf(m RowSource, d sqlscript.Dialect, st sqlscript.Statement) measurement {
	out := measurement{number: st.Number, sql: st.SQL}
	switch st.Kind {
	case sqlscript.Insert, sqlscript.Update, sqlscript.Delete:
	default:
		out.shape = shapeOf(st.SQL, d)
		return out
	}
	c := dataChangeOf(st.SQL, d)
	out.bound = c.bound
	switch {
	case c.refuse != "":
		out.sql, out.known = "", &StatementRows{Number: st.Number, Err: c.refuse}
	case c.listed >= 0:
		out.sql, out.known = "", &StatementRows{Number: st.Number, Rows: c.listed}
	case m == RowsExplain && d == sqlscript.PostgreSQL && !c.joined:
		// the statement itself: postgresPlanRows reads ModifyTable's input
	default:
		out.sql = c.selectForm
	}
	if out.sql != "" {
		out.shape = shapeOf(out.sql, d)
	}
	return out
}

// bounded applies the measurement's bound to a statement's figure.
func (m measurement) bounded(sr StatementRows) StatementRows {
	if m.bound == nil || sr.Err != "" {
		return sr
	}
	return StatementRows{Number: sr.Number, Err: m.bound(sr.Rows)}
}

// measureSQL wraps one statement for the method. The statement goes on its own
// lines so that a trailing line comment cannot swallow the wrapper.
func measureSQL(m RowSource, d sqlscript.Dialect, extended bool, stmt string) string {
	if m == RowsCount {
		return "SELECT COUNT(*) FROM (\n" + stmt + "\n) t"
	}
	if d == sqlscript.PostgreSQL {
		return "EXPLAIN (FORMAT JSON) " + stmt
	}
	if extended {
		return "EXPLAIN EXTENDED " + stmt
	}
	return "EXPLAIN " + stmt
}

// lacksFiltered reports an EXPLAIN answer of the MySQL family without the
// filtered column (MariaDB's plain EXPLAIN): rows alone would leave the
// WHERE clause out of the estimate.
func lacksFiltered(results []dmssdk.Result) bool {
	for _, res := range results {
		if !res.Success || len(res.ColumnNames) == 0 {
			continue
		}
		has := map[string]bool{}
		for _, c := range res.ColumnNames {
			has[strings.ToLower(c)] = true
		}
		if has["rows"] && !has["filtered"] {
			return true
		}
	}
	return false
}

// recountDuplicateColumns counts again, with the select list replaced by 1,
// each statement whose COUNT(*) FROM (statement) t the MySQL family refused
// for duplicate column names (a derived table cannot hold SELECT * over a
// join of tables that share a column name).
func recountDuplicateColumns(results []dmssdk.Result, shapes []shape, execute func([]string) ([]dmssdk.Result, error)) error {
	var idx []int
	var scripts []string
	for i, res := range results {
		if !res.Success && shapes[i].countable != "" && strings.Contains(strings.ToLower(res.Message), "duplicate column name") {
			idx = append(idx, i)
			scripts = append(scripts, measureSQL(RowsCount, sqlscript.MySQL, false, shapes[i].countable))
		}
	}
	if len(idx) == 0 {
		return nil
	}
	again, err := execute(scripts)
	if err != nil {
		return err
	}
	for j, i := range idx {
		if again[j].Success {
			results[i] = again[j]
		}
	}
	return nil
}

// statementRows reads one statement's figure out of its ExecuteScript
// result. For the MySQL family the plan's figure is what the engine
// examines; the statement's shape says whether that is what it returns:
// GROUP BY, DISTINCT and HAVING return fewer (the statement is left
// unmeasured, the examined rows kept, so that COUNT is asked for), an
// aggregate without GROUP BY returns one row, and a LIMIT caps it.
// PostgreSQL's top plan node already means what the statement returns.
func statementRows(m RowSource, d sqlscript.Dialect, number int, res dmssdk.Result, sh shape) StatementRows {
	sr := StatementRows{Number: number}
	if !res.Success {
		sr.Err, sr.ByDMS = strings.TrimSpace(res.Message), true
		if sr.Err == "" {
			sr.Err = "DMS could not run it"
		}
		return sr
	}
	if m == RowsCount || d == sqlscript.PostgreSQL {
		n, err := readRows(m, d, res)
		if err != nil {
			sr.Err = err.Error()
		}
		sr.Rows = n
		return sr
	}
	p, err := mysqlPlanRows(res)
	switch {
	case err != nil:
		sr.Err = err.Error()
	case sh.grouped != "":
		sr.Examined = p.rows
		sr.Err = examinedMessage(p.rows, "its "+sh.grouped+" returns", sh)
	case p.derived && sh.inner:
		sr.Examined = p.rows
		sr.Err = examinedMessage(p.rows, "a derived table's GROUP BY, DISTINCT, aggregate or LIMIT leaves", sh)
	case sh.aggregate:
		sr.Rows, sr.Capped = sh.capped(1)
	default:
		sr.Rows, sr.Capped = sh.capped(p.rows)
	}
	return sr
}

// examinedMessage says why a MySQL-family EXPLAIN gives no estimate.
func examinedMessage(examined int64, what string, sh shape) string {
	bound := ""
	if sh.limited {
		bound = fmt.Sprintf(", at most %s with its LIMIT", thousands(sh.limit))
	}
	return fmt.Sprintf("EXPLAIN shows the %s rows the database examines, not the rows %s (fewer%s; how many, only COUNT says): count them exactly, or enter the figure",
		thousands(examined), what, bound)
}

// thousands writes n with comma separators: 1,234,567.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// readRows reads the figure of a COUNT answer or of PostgreSQL's plan.
func readRows(m RowSource, d sqlscript.Dialect, res dmssdk.Result) (int64, error) {
	if len(res.Rows) == 0 {
		return 0, fmt.Errorf("DMS returned no rows for it")
	}
	if m == RowsCount {
		col := ""
		if len(res.ColumnNames) > 0 {
			col = res.ColumnNames[0]
		}
		v, ok := res.Rows[0][col]
		if !ok {
			for _, x := range res.Rows[0] { // a single column under another name
				v, ok = x, true
				break
			}
		}
		f, err := number(v)
		if !ok || err != nil {
			return 0, fmt.Errorf("the COUNT answer is not a number")
		}
		return clampRows(f), nil
	}
	return postgresPlanRows(res)
}

// mysqlPlan is the figure read from a MySQL-family EXPLAIN.
type mysqlPlan struct {
	rows int64
	// derived: an outer select reads a derived table or a materialised
	// subquery, whose rows are the ones its own select examines.
	derived bool
}

// mysqlPlanRows reads MySQL's EXPLAIN: for each select of the outer query
// (SIMPLE, PRIMARY, UNION), the product over its tables of rows × filtered%
// (a nested-loop join's output estimate), summed over the selects.
func mysqlPlanRows(res dmssdk.Result) (mysqlPlan, error) {
	type sel struct {
		product float64
		seen    bool
	}
	var order []string
	sels := map[string]*sel{}
	var plan mysqlPlan
	if len(res.Rows) == 0 {
		return plan, fmt.Errorf("DMS returned no rows for it")
	}
	for _, row := range res.Rows {
		st := strings.ToUpper(strings.TrimSpace(fmt.Sprint(lookupCI(row, "select_type"))))
		if st != "" && st != "<NIL>" && st != "SIMPLE" && st != "PRIMARY" && st != "UNION" {
			continue // subqueries and derived tables feed the outer select
		}
		if t := fmt.Sprint(lookupCI(row, "table")); strings.HasPrefix(t, "<derived") || strings.HasPrefix(t, "<subquery") {
			plan.derived = true
		}
		id := fmt.Sprint(lookupCI(row, "id"))
		rv := lookupCI(row, "rows")
		if rv == nil {
			continue // "Impossible WHERE", "no matching row": contributes nothing
		}
		rows, err := number(rv)
		if err != nil {
			return plan, fmt.Errorf("EXPLAIN rows %v is not a number", rv)
		}
		filtered := 100.0
		if fv := lookupCI(row, "filtered"); fv != nil {
			if f, err := number(fv); err == nil && f > 0 {
				filtered = f
			}
		}
		s, ok := sels[id]
		if !ok {
			s = &sel{product: 1}
			sels[id] = s
			order = append(order, id)
		}
		s.product *= rows * filtered / 100
		s.seen = true
	}
	var total float64
	for _, id := range order {
		total += sels[id].product
	}
	plan.rows = clampRows(total)
	return plan, nil
}

// postgresPlanRows reads "Plan Rows" of the top node of EXPLAIN (FORMAT
// JSON): the rows a query returns. The top node of a data change is
// ModifyTable, whose own Plan Rows is 0 without RETURNING; the rows it
// writes are those of the node that feeds it (its "Outer" child; InitPlans
// and CTEs beside it are not).
func postgresPlanRows(res dmssdk.Result) (int64, error) {
	first := func(row map[string]any) any {
		if len(res.ColumnNames) > 0 {
			if v, ok := row[res.ColumnNames[0]]; ok {
				return v
			}
		}
		for _, v := range row {
			return v
		}
		return nil
	}
	raw := first(res.Rows[0])
	var doc any = raw
	if s, ok := raw.(string); ok {
		if err := json.Unmarshal([]byte(s), &doc); err != nil {
			// A text plan, one line per row: "Seq Scan on t  (cost=0.00..35.50
			// rows=2550 width=4)".
			lines := make([]string, 0, len(res.Rows))
			for _, row := range res.Rows {
				lines = append(lines, strings.Split(fmt.Sprint(first(row)), "\n")...)
			}
			return textPlanRows(lines)
		}
	}
	arr, ok := doc.([]any)
	if !ok || len(arr) == 0 {
		return 0, fmt.Errorf("the EXPLAIN plan has no nodes")
	}
	top, _ := arr[0].(map[string]any)
	plan, _ := top["Plan"].(map[string]any)
	if plan["Node Type"] == "ModifyTable" {
		if op, _ := plan["Operation"].(string); strings.EqualFold(op, "merge") {
			return 0, fmt.Errorf("the rows a MERGE writes are not in its plan: count them with a SELECT of your own, or enter the figure")
		}
		var feed map[string]any
		kids, _ := plan["Plans"].([]any)
		for _, k := range kids {
			if n, ok := k.(map[string]any); ok && n["Parent Relationship"] == "Outer" {
				feed = n
				break
			}
		}
		if feed == nil {
			return 0, fmt.Errorf("the plan's ModifyTable node has no input node to read the rows from")
		}
		plan = feed
	}
	v, ok := plan["Plan Rows"]
	if !ok {
		return 0, fmt.Errorf("the EXPLAIN plan has no \"Plan Rows\"")
	}
	f, err := number(v)
	if err != nil {
		return 0, fmt.Errorf("\"Plan Rows\" is not a number")
	}
	return clampRows(f), nil
}

// modifyLine starts the top line of a data change's text plan ("Update on
// orders  (cost=… rows=0 width=0)").
var modifyLine = []string{"Insert on ", "Update on ", "Delete on ", "Merge on "}

// textPlanRows reads the rows of a text plan's top node, or for a data
// change those of the node that feeds it: the first line at the first
// level of nesting that is a node ("  ->  "), not an InitPlan's or a CTE's,
// which are indented further under their label.
func textPlanRows(lines []string) (int64, error) {
	line := strings.TrimSpace(lines[0])
	for _, p := range modifyLine {
		if !strings.HasPrefix(line, p) {
			continue
		}
		if p == "Merge on " {
			return 0, fmt.Errorf("the rows a MERGE writes are not in its plan: count them with a SELECT of your own, or enter the figure")
		}
		line = ""
		for _, l := range lines[1:] {
			if strings.HasPrefix(l, "  ->  ") {
				line = l
				break
			}
		}
		break
	}
	if n, ok := rowsOf(line); ok {
		return n, nil
	}
	return 0, fmt.Errorf("the EXPLAIN plan is not JSON")
}

func rowsOf(s string) (int64, bool) {
	i := strings.Index(s, "rows=")
	if i < 0 {
		return 0, false
	}
	j := i + len("rows=")
	k := j
	for k < len(s) && s[k] >= '0' && s[k] <= '9' {
		k++
	}
	n, err := strconv.ParseInt(s[j:k], 10, 64)
	return n, err == nil
}

func lookupCI(row map[string]any, key string) any {
	if v, ok := row[key]; ok {
		return v
	}
	for k, v := range row {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// number reads a JSON number or a numeric string (DMS returns both).
func number(v any) (float64, error) {
	switch n := v.(type) {
	case float64:
		return n, nil
	case int64:
		return float64(n), nil
	case int:
		return float64(n), nil
	case json.Number:
		return n.Float64()
	case string:
		return strconv.ParseFloat(strings.TrimSpace(n), 64)
	}
	return 0, fmt.Errorf("not a number: %v", v)
}

func clampRows(f float64) int64 {
	switch {
	case math.IsNaN(f) || f <= 0:
		return 0
	case f >= math.MaxInt64/2:
		return math.MaxInt64 / 2
	}
	return int64(math.Round(f))
}

func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
