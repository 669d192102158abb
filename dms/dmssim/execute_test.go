package dmssim

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	dmse "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"

	"dmsticket/dms/sqlscript"
)

func execute(t *testing.T, c *dmse.Client, dbID int64, logic bool, script string) *dmse.ExecuteScriptResponse {
	t.Helper()
	req := dmse.CreateExecuteScriptRequest()
	req.DbId = requests.NewInteger64(dbID)
	req.Logic = requests.NewBoolean(logic)
	req.Script = script
	resp, err := c.ExecuteScript(req)
	if err != nil {
		t.Fatalf("ExecuteScript: %v", err)
	}
	return resp
}

// rowsOf reads an integer cell the way a client would: DMS sends strings.
func cell(t *testing.T, row map[string]interface{}, col string) int64 {
	t.Helper()
	s, ok := row[col].(string)
	if !ok {
		t.Fatalf("column %s = %#v, want a string", col, row[col])
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("column %s = %q: %v", col, s, err)
	}
	return n
}

func TestExplainMySQLReadsTheSeededRowCounts(t *testing.T) {
	_, c := demo(t)
	resp := execute(t, c, dbOrdersProd, false, "EXPLAIN SELECT * FROM orders")
	if !resp.Success || len(resp.Results) != 1 {
		t.Fatalf("ExecuteScript = %s", resp.GetHttpContentString())
	}
	res := resp.Results[0]
	want := []string{"id", "select_type", "table", "partitions", "type", "possible_keys", "key", "key_len", "ref", "rows", "filtered", "Extra"}
	if !res.Success || strings.Join(res.ColumnNames, ",") != strings.Join(want, ",") || res.RowCount != 1 || len(res.Rows) != 1 {
		t.Fatalf("result = %+v", res)
	}
	row := res.Rows[0]
	if got := cell(t, row, "rows"); got != 12480311 {
		t.Errorf("rows = %d, want the seeded 12480311", got)
	}
	if row["table"] != "orders" || row["type"] != "ALL" || row["filtered"] != "100.00" || row["select_type"] != "SIMPLE" || row["key"] != nil {
		t.Errorf("row = %#v", row)
	}
	if res.Script != "EXPLAIN SELECT * FROM orders" {
		t.Errorf("Script = %q", res.Script)
	}
}

func TestExplainJoinPutsTheEstimateOnTheFirstTable(t *testing.T) {
	_, c := demo(t)
	sql := "EXPLAIN SELECT o.id FROM orders o JOIN order_items i ON i.order_id = o.id LEFT JOIN refunds r ON r.order_id = o.id WHERE o.status = 'paid'"
	res := execute(t, c, dbOrdersProd, false, sql).Results[0]
	if !res.Success || len(res.Rows) != 3 {
		t.Fatalf("result = %+v", res)
	}
	est := cell(t, res.Rows[0], "rows")
	// The base is the largest table named (order_items), times one selectivity.
	lo, hi := int64(48211774/100), int64(48211774*6/10)+1
	if est < lo || est > hi {
		t.Errorf("estimate %d outside [%d, %d]", est, lo, hi)
	}
	if res.Rows[0]["table"] != "o" || res.Rows[0]["Extra"] != "Using where" {
		t.Errorf("first row = %#v", res.Rows[0])
	}
	for _, row := range res.Rows[1:] {
		if row["type"] != "eq_ref" || cell(t, row, "rows") != 1 || row["key"] != "PRIMARY" {
			t.Errorf("joined row = %#v", row)
		}
	}
	if res.Rows[1]["table"] != "i" || res.Rows[2]["table"] != "r" {
		t.Errorf("tables = %v, %v", res.Rows[1]["table"], res.Rows[2]["table"])
	}
}

func TestExplainPostgreSQLJSONPlan(t *testing.T) {
	_, c := demo(t)
	res := execute(t, c, dbAnalytics, false, "EXPLAIN (FORMAT JSON) SELECT * FROM page_views WHERE url LIKE '/checkout%'").Results[0]
	if !res.Success || len(res.ColumnNames) != 1 || res.ColumnNames[0] != "QUERY PLAN" || len(res.Rows) != 1 {
		t.Fatalf("result = %+v", res)
	}
	text, ok := res.Rows[0]["QUERY PLAN"].(string)
	if !ok {
		t.Fatalf("QUERY PLAN = %#v, want JSON text", res.Rows[0]["QUERY PLAN"])
	}
	var plan []struct {
		Plan struct {
			NodeType     string  `json:"Node Type"`
			RelationName string  `json:"Relation Name"`
			PlanRows     float64 `json:"Plan Rows"`
			Filter       string  `json:"Filter"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(text), &plan); err != nil || len(plan) != 1 {
		t.Fatalf("plan %q: %v", text, err)
	}
	p := plan[0].Plan
	if p.NodeType != "Seq Scan" || p.RelationName != "page_views" || p.PlanRows < 2412034455*0.01 || p.PlanRows > 2412034455*0.6 || p.Filter == "" {
		t.Errorf("plan = %+v", p)
	}
	limited := execute(t, c, dbAnalytics, false, "EXPLAIN (FORMAT JSON) SELECT * FROM page_views LIMIT 50").Results[0]
	if !strings.Contains(limited.Rows[0]["QUERY PLAN"].(string), `"Node Type": "Limit"`) ||
		!strings.Contains(limited.Rows[0]["QUERY PLAN"].(string), `"Plan Rows": 50,`) {
		t.Errorf("a LIMIT should top the plan with 50 rows: %s", limited.Rows[0]["QUERY PLAN"])
	}
}

func TestExplainPostgreSQLTextPlan(t *testing.T) {
	_, c := demo(t)
	res := execute(t, c, dbAnalytics, false, "EXPLAIN SELECT * FROM sessions s JOIN funnels f ON f.id = s.funnel_id").Results[0]
	if !res.Success || len(res.Rows) < 3 {
		t.Fatalf("result = %+v", res)
	}
	first := res.Rows[0]["QUERY PLAN"].(string)
	if !strings.HasPrefix(first, "Nested Loop") || !strings.Contains(first, "rows=389120002") {
		t.Errorf("first line = %q", first)
	}
}

func TestCountDiffersFromTheEstimateByFiveToThirtyFivePercent(t *testing.T) {
	_, c := demo(t)
	queries := []string{
		"SELECT * FROM orders",
		"SELECT * FROM orders WHERE status = 'paid'",
		"SELECT id FROM orders WHERE created_at >= '2024-01-01' AND total > 100 AND customer_id IN (SELECT id FROM customers)",
		"SELECT o.id FROM orders o, order_items i WHERE i.order_id = o.id AND i.qty BETWEEN 2 AND 5",
	}
	for _, q := range queries {
		// Statements go on their own lines, as the client sends them.
		resp := execute(t, c, dbOrdersProd, false, "EXPLAIN "+q+";\nSELECT COUNT(*) FROM (\n"+q+"\n) t")
		if len(resp.Results) != 2 {
			t.Fatalf("%s: %d results", q, len(resp.Results))
		}
		ex, ct := resp.Results[0], resp.Results[1]
		if strings.Contains(q, "customers") { // not a table of this database
			if ex.Success || ex.Message != "Table 'orders.customers' doesn't exist" {
				t.Errorf("%s: %+v", q, ex)
			}
			continue
		}
		if !ex.Success || !ct.Success {
			t.Fatalf("%s: %+v / %+v", q, ex, ct)
		}
		if ct.ColumnNames[0] != "COUNT(*)" {
			t.Errorf("COUNT column = %q", ct.ColumnNames[0])
		}
		est, exact := float64(cell(t, ex.Rows[0], "rows")), float64(cell(t, ct.Rows[0], "COUNT(*)"))
		off := math.Abs(exact-est) / est
		if off < 0.049 || off > 0.351 {
			t.Errorf("%s: estimate %.0f, count %.0f: off by %.1f%%", q, est, exact, off*100)
		}
	}
}

func TestFiguresAreDeterministicWhateverTheLayout(t *testing.T) {
	_, c := demo(t)
	a := execute(t, c, dbOrdersProd, false, "SELECT COUNT(*) FROM (SELECT * FROM orders WHERE status = 'paid' AND total > 10) t").Results[0]
	b := execute(t, c, dbOrdersProd, false, "select count(*) from (\n  select *\n  from `ORDERS`\n  where STATUS = 'paid'\n    and total > 10 -- big ones\n) as x").Results[0]
	if !a.Success || !b.Success {
		t.Fatalf("%+v / %+v", a, b)
	}
	if cell(t, a.Rows[0], "COUNT(*)") != cell(t, b.Rows[0], "count(*)") {
		t.Errorf("counts differ: %v vs %v", a.Rows[0], b.Rows[0])
	}
	other := execute(t, c, dbOrdersProd, false, "SELECT COUNT(*) FROM (SELECT * FROM orders WHERE status = 'refunded' AND total > 10) t").Results[0]
	if cell(t, other.Rows[0], "COUNT(*)") == cell(t, a.Rows[0], "COUNT(*)") {
		t.Errorf("different predicates gave the same count")
	}
}

func TestLimitCapsBothFigures(t *testing.T) {
	_, c := demo(t)
	resp := execute(t, c, dbOrdersProd, false, "EXPLAIN SELECT * FROM orders LIMIT 1000; SELECT COUNT(*) FROM (SELECT * FROM orders LIMIT 20, 500) t")
	if cell(t, resp.Results[0].Rows[0], "rows") != 1000 || cell(t, resp.Results[1].Rows[0], "COUNT(*)") != 500 {
		t.Errorf("results = %+v", resp.Results)
	}
}

func TestCountOnPostgreSQLAndOracle(t *testing.T) {
	_, c := demo(t)
	pg := execute(t, c, dbAnalytics, false, "SELECT COUNT(*) FROM (SELECT * FROM daily_revenue) t").Results[0]
	if !pg.Success || pg.ColumnNames[0] != "count" {
		t.Fatalf("PostgreSQL COUNT = %+v", pg)
	}
	if n := cell(t, pg.Rows[0], "count"); n < 3650*65/100 || n > 3650*135/100 {
		t.Errorf("count = %d", n)
	}
	// The Oracle databases of the seed are not secure-hosted except ERP pre.
	ora := execute(t, c, 1100022, false, "SELECT COUNT(*) FROM (SELECT * FROM GL_ACCOUNTS) t; EXPLAIN SELECT * FROM GL_ACCOUNTS; SELECT COUNT(*) FROM (SELECT * FROM nope) t").Results
	if !ora[0].Success || ora[0].ColumnNames[0] != "COUNT(*)" {
		t.Errorf("Oracle COUNT = %+v", ora[0])
	}
	if ora[1].Success || !strings.Contains(ora[1].Message, "MySQL-family and PostgreSQL-family") {
		t.Errorf("Oracle EXPLAIN = %+v", ora[1])
	}
	if ora[2].Success || !strings.HasPrefix(ora[2].Message, "ORA-00942") {
		t.Errorf("Oracle unknown table = %+v", ora[2])
	}
}

func TestLogicalDatabaseSumsItsShards(t *testing.T) {
	_, c := demo(t)
	res := execute(t, c, logicOrders, true, "EXPLAIN SELECT * FROM orders").Results[0]
	if want := int64(4*3120077 + 1031*(0+1+2+3)); !res.Success || cell(t, res.Rows[0], "rows") != want {
		t.Errorf("logical EXPLAIN = %+v, want rows %d", res, want)
	}
	// The logic flag must match the database.
	resp := execute(t, c, logicOrders, false, "EXPLAIN SELECT * FROM orders")
	businessFailure(t, nil, resp.Success, "DatabaseNotExist", resp.ErrorCode, resp.ErrorMessage)
}

func TestExecuteScriptStatementRefusals(t *testing.T) {
	_, c := demo(t)
	resp := execute(t, c, dbOrdersProd, false,
		"EXPLAIN SELECT * FROM nope;\nDELETE FROM orders;\nEXPLAIN CREATE TABLE t (id int);\nEXPLAIN FORMAT=JSON SELECT 1;\nSELECT * FROM orders;\nEXPLAIN SELECT * FROM `orders`.`coupons`;\nEXPLAIN SELECT * FROM other_db.coupons")
	if !resp.Success || len(resp.Results) != 7 {
		t.Fatalf("ExecuteScript = %s", resp.GetHttpContentString())
	}
	wants := []string{
		"Table 'orders.nope' doesn't exist",
		"answers only EXPLAIN",
		"a schema change",
		"traditional",
		"answers only EXPLAIN",
		"",
		"Table 'other_db.coupons' doesn't exist",
	}
	for i, want := range wants {
		res := resp.Results[i]
		if want == "" {
			if !res.Success || cell(t, res.Rows[0], "rows") != 912 {
				t.Errorf("statement %d = %+v", i+1, res)
			}
			continue
		}
		if res.Success || !strings.Contains(res.Message, want) {
			t.Errorf("statement %d: Success=%v Message=%q, want it to mention %q", i+1, res.Success, res.Message, want)
		}
	}
	pg := execute(t, c, dbAnalytics, false, "EXPLAIN (FORMAT JSON) SELECT * FROM nope").Results[0]
	if pg.Success || pg.Message != `ERROR: relation "nope" does not exist` {
		t.Errorf("PostgreSQL unknown table = %+v", pg)
	}
}

func TestExecuteScriptRefusesWithoutSecureHosting(t *testing.T) {
	_, c := demo(t)
	for _, id := range []int64{dbERPFinance, dbLegacyCMS} {
		resp := execute(t, c, id, false, "SELECT COUNT(*) FROM (SELECT 1) t")
		businessFailure(t, nil, resp.Success, "UnsupportedOperation", resp.ErrorCode, resp.ErrorMessage)
		if resp.ErrorMessage != "The instance is not in secure hosting mode" {
			t.Errorf("ErrorMessage = %q", resp.ErrorMessage)
		}
	}
}

func TestExecuteScriptRefusesWithoutQueryPermission(t *testing.T) {
	r, c := demo(t)
	resp := execute(t, c, dbPayrollProd, false, "EXPLAIN SELECT * FROM salaries")
	businessFailure(t, nil, resp.Success, "NoPermission", resp.ErrorCode, resp.ErrorMessage)
	if !strings.Contains(resp.ErrorMessage, "permission") {
		t.Errorf("ErrorMessage = %q", resp.ErrorMessage)
	}
	// Alice may query it.
	alice := Credential{AccessKeyID: "alice-key", AccessKeySecret: "alice-secret", UserID: userAlice}
	r2 := startSim(t, Options{Credentials: []Credential{alice}})
	ok := execute(t, sdkClient(t, r2, alice), dbPayrollProd, false, "EXPLAIN SELECT * FROM salaries")
	if !ok.Success || !ok.Results[0].Success {
		t.Errorf("Alice: %s", ok.GetHttpContentString())
	}
	_ = r
}

func TestExecuteScriptNeedsItsParameters(t *testing.T) {
	_, c := demo(t)
	req := dmse.CreateExecuteScriptRequest()
	req.DbId = requests.NewInteger(dbOrdersProd)
	req.Logic = requests.NewBoolean(false)
	_, err := c.ExecuteScript(req)
	if se := serverError(t, err, 400, "MissingParameter"); !strings.Contains(se.Message(), `"Script"`) {
		t.Errorf("message = %q", se.Message())
	}
	req.Script = "-- nothing"
	resp, err := c.ExecuteScript(req)
	businessFailure(t, err, resp.Success, "InvalidParam", resp.ErrorCode, resp.ErrorMessage)
}

func TestReadQuery(t *testing.T) {
	cases := []struct {
		sql    string
		d      sqlscript.Dialect
		tables string // schema.name alias, comma-separated
		preds  int
		limit  int64 // -1: none
	}{
		{"SELECT * FROM orders", sqlscript.MySQL, "orders", 0, -1},
		{"SELECT * FROM a, b AS bb, `c` cc WHERE a.x = 1 AND b.y BETWEEN 1 AND 2 AND (c.z = 1 OR c.z = 2)", sqlscript.MySQL, "a,b bb,c cc", 3, -1},
		{"WITH recent AS (SELECT * FROM orders WHERE created_at > now() - interval 1 day) SELECT * FROM recent r JOIN customers c ON c.id = r.customer_id LIMIT 10", sqlscript.MySQL, "orders,customers c", 1, 10},
		{"SELECT EXTRACT(YEAR FROM created_at) FROM shop.orders WHERE a IS DISTINCT FROM b", sqlscript.PostgreSQL, "shop.orders", 1, -1},
		{`SELECT * FROM "Orders" o WHERE o.id IN (SELECT order_id FROM refunds WHERE amount > 5) FETCH FIRST 7 ROWS ONLY`, sqlscript.PostgreSQL, "Orders o,refunds", 2, 7},
		{"SELECT * FROM (SELECT * FROM orders) sub LIMIT 3 OFFSET 9", sqlscript.PostgreSQL, "orders", 0, 3},
		{"SELECT 1 FROM DUAL", sqlscript.MySQL, "", 0, -1},
		{"SELECT * FROM generate_series(1, 10) g", sqlscript.PostgreSQL, "", 0, -1},
		{"SELECT a FROM t1 UNION ALL SELECT b FROM t2 WHERE b > 1 ORDER BY 1 LIMIT 5", sqlscript.MySQL, "t1,t2", 1, 5},
		{"SELECT * FROM t WHERE s = 'a AND b' AND x = 'it''s' # note\n AND y = 1", sqlscript.MySQL, "t", 3, -1},
		// MySQL runs what is in an executable comment.
		{"SELECT * FROM /*!50001 orders */ o WHERE a = 1 /*!50000 AND b = 2 */ LIMIT 4", sqlscript.MySQL, "orders o", 2, 4},
		// PostgreSQL reads neither comment nor string here: a dollar quote's
		// tag may hold any letter, and "--" ends an operator.
		{"SELECT $é$ FROM x $é$ FROM t WHERE a=--1\n b = 2", sqlscript.PostgreSQL, "t", 1, -1},
		// SQL Server's bracketed names; "#" begins a temporary table's name.
		{"SELECT * FROM [dbo].[Order Details] od JOIN #tmp ON od.[qty]]] > 1 WHERE od.[a] = 1", sqlscript.Generic, "dbo.Order Details od", 1, -1},
	}
	for _, tc := range cases {
		q, err := readQuery(tc.sql, tc.d)
		if err != "" {
			t.Errorf("%s: %s", tc.sql, err)
			continue
		}
		var got []string
		for _, r := range q.tables {
			s := r.name
			if r.schema != "" {
				s = r.schema + "." + s
			}
			if r.alias != "" {
				s += " " + r.alias
			}
			got = append(got, s)
		}
		limit := int64(-1)
		if q.limited {
			limit = q.limit
		}
		if strings.Join(got, ",") != tc.tables || len(q.preds) != tc.preds || limit != tc.limit {
			t.Errorf("%s:\n tables %q preds %d %q limit %d\n want %q, %d, %d", tc.sql, strings.Join(got, ","), len(q.preds), q.preds, limit, tc.tables, tc.preds, tc.limit)
		}
	}
	if _, err := readQuery("SELECT (1", sqlscript.MySQL); err == "" {
		t.Error("unbalanced parentheses were accepted")
	}
}

func TestSelectivityAndDeviationStayInRange(t *testing.T) {
	for i := range 10000 {
		p := "x = " + strconv.Itoa(i)
		if s := selectivity(p); s < 0.01 || s > 0.6 {
			t.Fatalf("selectivity(%q) = %v", p, s)
		}
		if d := math.Abs(deviation(p)); d < 0.05 || d > 0.35 {
			t.Fatalf("deviation(%q) = %v", p, d)
		}
	}
}

func TestAPrimaryKeyPredicateNamesItsRows(t *testing.T) {
	_, c := demo(t)
	for q, want := range map[string]int64{
		"SELECT * FROM orders WHERE id = 7":                        1,
		"SELECT * FROM orders o WHERE o.id IN (1, 2, 3, 3)":        3,
		"SELECT * FROM orders WHERE id = 7 AND status = 'paid'":    1,
		"SELECT 1 FROM orders WHERE id IN (10, 20) AND total > 10": 2,
	} {
		resp := execute(t, c, dbOrdersProd, false, "EXPLAIN "+q+";\nSELECT COUNT(*) FROM (\n"+q+"\n) t")
		if got := cell(t, resp.Results[0].Rows[0], "rows"); got != want {
			t.Errorf("EXPLAIN %s: %d rows, want %d", q, got, want)
		}
		if got := cell(t, resp.Results[1].Rows[0], "COUNT(*)"); got != want {
			t.Errorf("COUNT %s: %d, want %d", q, got, want)
		}
	}
}
