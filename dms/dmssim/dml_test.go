package dmssim

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	dmse "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"

	"dmsticket/dms/sqlscript"
)

func TestReadChange(t *testing.T) {
	cases := []struct {
		sql     string
		d       sqlscript.Dialect
		verb    string
		target  string
		source  string // normalised; "" for none
		listed  int64
		limit   int64
		returns bool
	}{
		{"UPDATE orders SET status = 'void' WHERE id < 10", sqlscript.MySQL, "UPDATE", "orders",
			"select * from orders where id < 10", 0, -1, false},
		{"update LOW_PRIORITY IGNORE `orders` o SET o.status = (SELECT 'x' FROM coupons LIMIT 1) where o.id = 1 ORDER BY id LIMIT 5", sqlscript.MySQL,
			"UPDATE", "orders", "select * from orders o where o . id = 1", 0, 5, false},
		{"UPDATE orders o JOIN refunds r ON r.order_id = o.id SET o.status = 'refunded' WHERE r.amount > 0", sqlscript.MySQL,
			"UPDATE", "orders", "select * from orders o join refunds r on r . order_id = o . id where r . amount > 0", 0, -1, false},
		{"UPDATE page_views v SET kind = 'x' FROM sessions s WHERE s.id = v.session_id RETURNING v.id", sqlscript.PostgreSQL,
			"UPDATE", "page_views", "select * from page_views v , sessions s where s . id = v . session_id", 0, -1, true},
		{"UPDATE coupons SET used = 0", sqlscript.MySQL, "UPDATE", "coupons", "select * from coupons", 0, -1, false},
		{"DELETE FROM orders WHERE created_at < '2020-01-01' LIMIT 1000", sqlscript.MySQL, "DELETE", "orders",
			"select * from orders where created_at < '2020-01-01'", 0, 1000, false},
		{"DELETE QUICK FROM coupons", sqlscript.MySQL, "DELETE", "coupons", "select * from coupons", 0, -1, false},
		{"DELETE r FROM refunds r JOIN orders o ON o.id = r.order_id WHERE o.status = 'void'", sqlscript.MySQL, "DELETE", "refunds",
			"select * from refunds r join orders o on o . id = r . order_id where o . status = 'void'", 0, -1, false},
		{"DELETE FROM refunds USING refunds JOIN orders ON orders.id = refunds.order_id WHERE orders.id = 3", sqlscript.MySQL, "DELETE", "refunds",
			"select * from refunds join orders on orders . id = refunds . order_id where orders . id = 3", 0, -1, false},
		{"DELETE FROM page_views v USING sessions s WHERE s.id = v.session_id AND s.bot", sqlscript.PostgreSQL, "DELETE", "page_views",
			"select * from page_views v , sessions s where s . id = v . session_id and s . bot", 0, -1, false},
		{"INSERT INTO coupons (code, pct) VALUES ('a', 1), ('b', 2), ('c', 3)", sqlscript.MySQL, "INSERT", "coupons", "", 3, -1, false},
		{"INSERT INTO coupons VALUE (1)", sqlscript.MySQL, "INSERT", "coupons", "", 1, -1, false},
		{"INSERT INTO coupons VALUES ROW(1, 'a'), ROW(2, 'b') ON DUPLICATE KEY UPDATE pct = 0", sqlscript.MySQL, "INSERT", "coupons", "", 2, -1, false},
		{"INSERT INTO coupons SET code = 'x', pct = 5", sqlscript.MySQL, "INSERT", "coupons", "", 1, -1, false},
		{"INSERT INTO funnels DEFAULT VALUES RETURNING id", sqlscript.PostgreSQL, "INSERT", "funnels", "", 1, -1, true},
		{"REPLACE INTO coupons SELECT * FROM coupons WHERE pct = 7", sqlscript.MySQL, "REPLACE", "coupons",
			"select * from coupons where pct = 7", 0, -1, false},
		{"INSERT INTO orders.refunds (order_id) SELECT o.id FROM orders o JOIN coupons c ON c.id = o.coupon_id WHERE c.pct > 50 ON DUPLICATE KEY UPDATE amount = 0",
			sqlscript.MySQL, "INSERT", "refunds", "select o . id from orders o join coupons c on c . id = o . coupon_id where c . pct > 50", 0, -1, false},
		{"INSERT INTO funnels AS f (name) (SELECT name FROM sessions LIMIT 3) ON CONFLICT (name) DO NOTHING", sqlscript.PostgreSQL, "INSERT", "funnels",
			"( select name from sessions limit 3 )", 0, -1, false},
		{"WITH old AS (SELECT id FROM sessions WHERE id < 5) DELETE FROM page_views WHERE session_id IN (SELECT id FROM old)", sqlscript.PostgreSQL,
			"DELETE", "page_views", "with old as ( select id from sessions where id < 5 ) select * from page_views where session_id in ( select id from old )", 0, -1, false},
	}
	for _, tc := range cases {
		c, perr := readChange(tc.sql, tc.d)
		if perr != "" {
			t.Errorf("%s: %s", tc.sql, perr)
			continue
		}
		source := ""
		if c.source != nil {
			source = c.source.norm
		}
		limit := int64(-1)
		if c.limited {
			limit = c.limit
		}
		if c.verb != tc.verb || c.target.name != tc.target || source != tc.source || c.listed != tc.listed || limit != tc.limit || c.returning != tc.returns {
			t.Errorf("%s:\n got %s %s %q listed %d limit %d returning %v\nwant %s %s %q listed %d limit %d returning %v",
				tc.sql, c.verb, c.target.name, source, c.listed, limit, c.returning, tc.verb, tc.target, tc.source, tc.listed, tc.limit, tc.returns)
		}
	}
	for _, bad := range []string{"UPDATE SET a = 1", "DELETE t", "INSERT INTO", "INSERT INTO t VALUES", "UPDATE t SET a = (1", "DELETE x FROM orders"} {
		if _, perr := readChange(bad, sqlscript.MySQL); perr == "" {
			t.Errorf("%q read as a data change", bad)
		}
	}
}

// explainRow is the one result of an EXPLAIN that must succeed.
func explainResult(t *testing.T, c *dmse.Client, db int64, sql string) dmse.Result {
	t.Helper()
	resp := execute(t, c, db, false, sql)
	if !resp.Success || len(resp.Results) != 1 || !resp.Results[0].Success {
		t.Fatalf("ExecuteScript %q = %s", sql, resp.GetHttpContentString())
	}
	return resp.Results[0]
}

// TestExplainMySQLDataChanges: EXPLAIN UPDATE and DELETE show the rows they
// examine (the rows the same WHERE selects, not capped by LIMIT) with
// filtered 100.00; INSERT … VALUES shows no rows for its table; INSERT …
// SELECT and REPLACE … SELECT show their select's rows after it.
func TestExplainMySQLDataChanges(t *testing.T) {
	_, c := demo(t)
	const where = "created_at >= '2024-01-01' AND status = 'paid'"
	selectRows := cell(t, explainResult(t, c, dbOrdersProd, "EXPLAIN SELECT * FROM orders WHERE "+where).Rows[0], "rows")
	for _, tc := range []struct{ sql, selectType string }{
		{"UPDATE orders SET status = 'void' WHERE " + where, "UPDATE"},
		{"DELETE FROM orders WHERE " + where + " LIMIT 10", "DELETE"},
	} {
		res := explainResult(t, c, dbOrdersProd, "EXPLAIN "+tc.sql)
		row := res.Rows[0]
		if len(res.Rows) != 1 || row["select_type"] != tc.selectType || row["table"] != "orders" || row["filtered"] != "100.00" ||
			row["Extra"] != "Using where" || cell(t, row, "rows") != selectRows {
			t.Errorf("EXPLAIN %s = %#v, want rows %d", tc.sql, res.Rows, selectRows)
		}
	}
	whole := explainResult(t, c, dbOrdersProd, "EXPLAIN UPDATE coupons SET pct = 0").Rows[0]
	if cell(t, whole, "rows") != 912 || whole["Extra"] != nil {
		t.Errorf("EXPLAIN UPDATE without WHERE = %#v", whole)
	}
	join := explainResult(t, c, dbOrdersProd, "EXPLAIN UPDATE orders o JOIN refunds r ON r.order_id = o.id SET o.status = 'refunded' WHERE r.amount > 0")
	if len(join.Rows) != 2 || join.Rows[0]["select_type"] != "UPDATE" || join.Rows[1]["select_type"] != "SIMPLE" || join.Rows[1]["type"] != "eq_ref" {
		t.Errorf("EXPLAIN UPDATE … JOIN = %#v", join.Rows)
	}

	values := explainResult(t, c, dbOrdersProd, "EXPLAIN INSERT INTO coupons (code) VALUES ('a'), ('b'), ('c')")
	if len(values.Rows) != 1 || values.Rows[0]["select_type"] != "INSERT" || values.Rows[0]["rows"] != nil || values.Rows[0]["filtered"] != nil {
		t.Errorf("EXPLAIN INSERT … VALUES = %#v", values.Rows)
	}
	const sel = "SELECT * FROM orders WHERE status = 'void'"
	selRows := cell(t, explainResult(t, c, dbOrdersProd, "EXPLAIN "+sel).Rows[0], "rows")
	for verb, sql := range map[string]string{"INSERT": "INSERT INTO refunds " + sel, "REPLACE": "REPLACE INTO refunds " + sel} {
		res := explainResult(t, c, dbOrdersProd, "EXPLAIN "+sql)
		if len(res.Rows) != 2 || res.Rows[0]["select_type"] != verb || res.Rows[0]["table"] != "refunds" || res.Rows[0]["rows"] != nil ||
			res.Rows[1]["select_type"] != "SIMPLE" || res.Rows[1]["table"] != "orders" || cell(t, res.Rows[1], "rows") != selRows {
			t.Errorf("EXPLAIN %s = %#v, want the select's %d rows", sql, res.Rows, selRows)
		}
	}

	// Unknown tables are the engine's errors.
	resp := execute(t, c, dbOrdersProd, false, "EXPLAIN UPDATE nope SET a = 1;\nEXPLAIN INSERT INTO refunds SELECT * FROM nope2")
	for i, want := range []string{"Table 'orders.nope' doesn't exist", "Table 'orders.nope2' doesn't exist"} {
		if r := resp.Results[i]; r.Success || r.Message != want {
			t.Errorf("statement %d = %+v, want %q", i+1, r, want)
		}
	}
}

// pgPlan decodes EXPLAIN (FORMAT JSON)'s one cell into its top node.
func pgPlan(t *testing.T, res dmse.Result) map[string]any {
	t.Helper()
	var plan []map[string]map[string]any
	if err := json.Unmarshal([]byte(res.Rows[0]["QUERY PLAN"].(string)), &plan); err != nil {
		t.Fatal(err)
	}
	return plan[0]["Plan"]
}

// TestExplainPostgreSQLDataChanges: a ModifyTable node with Plan Rows 0
// (the rows of RETURNING when there is one), its child holding the rows:
// the scan of the rows touched, the select's plan, a Values Scan of the
// rows listed.
func TestExplainPostgreSQLDataChanges(t *testing.T) {
	_, c := demo(t)
	const where = "viewed_at >= '2024-01-01' AND path = '/cart'"
	top := pgPlan(t, explainResult(t, c, dbAnalyticDev, "EXPLAIN (FORMAT JSON) SELECT * FROM page_views WHERE "+where))
	want := top["Plan Rows"].(float64)
	cases := []struct {
		sql, op string
		rows    float64
		child   string
	}{
		{"UPDATE page_views SET path = '/basket' WHERE " + where, "Update", want, "Seq Scan"},
		{"DELETE FROM page_views WHERE " + where, "Delete", want, "Seq Scan"},
		{"INSERT INTO funnels SELECT * FROM page_views WHERE " + where, "Insert", want, "Seq Scan"},
		{"INSERT INTO funnels (name) VALUES ('a'), ('b'), ('c')", "Insert", 3, "Values Scan"},
		{"INSERT INTO funnels (name) VALUES ('a')", "Insert", 1, "Result"},
		{"DELETE FROM page_views v USING sessions s WHERE s.id = v.session_id", "Delete", -1, "Nested Loop"},
	}
	for _, tc := range cases {
		plan := pgPlan(t, explainResult(t, c, dbAnalyticDev, "EXPLAIN (FORMAT JSON) "+tc.sql))
		children, _ := plan["Plans"].([]any)
		if plan["Node Type"] != "ModifyTable" || plan["Operation"] != tc.op || plan["Plan Rows"] != 0.0 || len(children) != 1 {
			t.Errorf("%s: top = %v", tc.sql, plan)
			continue
		}
		child := children[0].(map[string]any)
		if child["Node Type"] != tc.child || child["Parent Relationship"] != "Outer" || tc.rows >= 0 && child["Plan Rows"] != tc.rows {
			t.Errorf("%s: child = %v, want %s with %v rows", tc.sql, child, tc.child, tc.rows)
		}
	}
	ret := pgPlan(t, explainResult(t, c, dbAnalyticDev, "EXPLAIN (FORMAT JSON) DELETE FROM page_views WHERE "+where+" RETURNING id"))
	if ret["Plan Rows"] != want {
		t.Errorf("with RETURNING, ModifyTable rows = %v, want %v", ret["Plan Rows"], want)
	}
	text := explainResult(t, c, dbAnalyticDev, "EXPLAIN UPDATE page_views SET path = '/x' WHERE "+where)
	if first := text.Rows[0]["QUERY PLAN"].(string); !strings.HasPrefix(first, "Update on page_views  (cost=") || !strings.Contains(first, "rows=0 width=0") {
		t.Errorf("text plan = %v", text.Rows)
	}
	if second := text.Rows[1]["QUERY PLAN"].(string); !strings.Contains(second, "->  Seq Scan on page_views") ||
		!strings.Contains(second, "rows="+strconv.FormatFloat(want, 'f', 0, 64)) {
		t.Errorf("text plan = %v", text.Rows)
	}
	values := explainResult(t, c, dbAnalyticDev, "EXPLAIN INSERT INTO funnels VALUES (1), (2)")
	if second := values.Rows[1]["QUERY PLAN"].(string); !strings.Contains(second, `Values Scan on "*VALUES*"`) || !strings.Contains(second, "rows=2") {
		t.Errorf("text plan = %v", values.Rows)
	}
}

// TestCountOfTheRowsADataChangeTouches: SELECT COUNT(*) FROM t WHERE w (the
// rewrite of UPDATE t … WHERE w and DELETE FROM t WHERE w) counts what the
// wrapper counts for SELECT * FROM t WHERE w, on both dialects, and is what
// a data change's precheck reports; a LIMIT after COUNT does not cap it;
// COUNT cannot wrap a data change.
func TestCountOfTheRowsADataChangeTouches(t *testing.T) {
	_, c := demo(t)
	for db, where := range map[int64]string{dbOrdersProd: "orders WHERE status = 'void' AND id > 100", dbAnalyticDev: "page_views WHERE path = '/cart'"} {
		plain := plainCountFigure(t, c, db, "SELECT COUNT(*) FROM "+where)
		wrapped := plainCountFigure(t, c, db, "SELECT COUNT(*) FROM (SELECT * FROM "+where+") t")
		limited := plainCountFigure(t, c, db, "select count(1) from "+where+" LIMIT 1")
		if plain != wrapped || plain <= 1 || plainCountFigure(t, c, db, "SELECT COUNT(*) FROM "+where+" LIMIT 1") != plain || limited <= 1 {
			t.Errorf("database %d: COUNT %d, wrapped %d, with LIMIT %d", db, plain, wrapped, limited)
		}
	}
	// The precheck's figure of the change is that count.
	stmts := []string{"UPDATE orders SET status = 'x' WHERE status = 'void' AND id > 100", "DELETE FROM orders WHERE status = 'void' AND id > 100"}
	for _, sql := range stmts {
		pc := runChangePrecheck([]*database{testWorld(t).dbs[dbOrdersProd]}, sql, userDemo)
		if got, want := pc.statements[0].rows, plainCountFigure(t, c, dbOrdersProd, "SELECT COUNT(*) FROM orders WHERE status = 'void' AND id > 100"); got != want {
			t.Errorf("precheck of %s = %d, want COUNT's %d", sql, got, want)
		}
	}
	resp := execute(t, c, dbOrdersProd, false, "SELECT COUNT(*) FROM (UPDATE orders SET status = 'x') t;\nSELECT COUNT(*) FROM orders GROUP BY status")
	if r := resp.Results[0]; r.Success || !strings.Contains(r.Message, "COUNT cannot wrap it") || !strings.Contains(r.Message, "SELECT COUNT(*) FROM <its table>") {
		t.Errorf("COUNT of a data change = %+v", r)
	}
	if r := resp.Results[1]; r.Success {
		t.Errorf("COUNT … GROUP BY = %+v", r)
	}
}

// testWorld is the bundled seed's world.
func testWorld(t *testing.T) *world {
	t.Helper()
	w := buildWorld(testSeed(t))
	w.generate(0)
	w.index()
	return w
}
