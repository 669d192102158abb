package dms

import (
	"errors"
	"strings"
	"testing"

	dmssdk "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"
)

// fakeDMS answers ExecuteScript from fixed answers, one per script sent,
// and records the calls: the estimator's reading of engine answers tested
// without the simulator.
type fakeDMS struct {
	t       *testing.T
	answers map[string]dmssdk.Result // by the script sent
	calls   [][]string
}

func (f *fakeDMS) execute(scripts []string) ([]dmssdk.Result, string, error) {
	f.calls = append(f.calls, scripts)
	var out []dmssdk.Result
	for _, s := range scripts {
		res, ok := f.answers[s]
		if !ok {
			f.t.Errorf("unexpected script sent: %q", s)
			res = dmssdk.Result{Message: "not expected"}
		}
		out = append(out, res)
	}
	return out, "req-1", nil
}

func (f *fakeDMS) sent() []string {
	var out []string
	for _, c := range f.calls {
		out = append(out, c...)
	}
	return out
}

func noCall(t *testing.T) executeFunc {
	return func(scripts []string) ([]dmssdk.Result, string, error) {
		t.Errorf("no call expected; sent %q", scripts)
		return nil, "", errors.New("no call expected")
	}
}

func pgPlan(json string) dmssdk.Result {
	return dmssdk.Result{Success: true, ColumnNames: []string{"QUERY PLAN"}, Rows: []map[string]interface{}{{"QUERY PLAN": json}}}
}

func pgText(lines ...string) dmssdk.Result {
	res := dmssdk.Result{Success: true, ColumnNames: []string{"QUERY PLAN"}}
	for _, l := range lines {
		res.Rows = append(res.Rows, map[string]interface{}{"QUERY PLAN": l})
	}
	return res
}

func countAnswer(col, n string) dmssdk.Result {
	return dmssdk.Result{Success: true, ColumnNames: []string{col}, Rows: []map[string]interface{}{{col: n}}}
}

var (
	mariaDB    = Database{ID: 1, DbType: "mariadb"}
	mysqlDB    = Database{ID: 2, DbType: "mysql"}
	postgresDB = Database{ID: 3, DbType: "postgresql"}
)

// The ModifyTable plans PostgreSQL 15 gave for the corpus's data changes
// (docs/engines.md), cut to the keys read: an InitPlan (a subquery in SET)
// before the Outer child that feeds the change.
const pgUpdatePlan = `[{"Plan": {"Node Type": "ModifyTable", "Operation": "Update", "Plan Rows": 0, "Plans": [
  {"Node Type": "Aggregate", "Parent Relationship": "InitPlan", "Subplan Name": "InitPlan 1 (returns $0)", "Plan Rows": 1,
   "Plans": [{"Node Type": "Seq Scan", "Parent Relationship": "Outer", "Plan Rows": 20000}]},
  {"Node Type": "Bitmap Heap Scan", "Parent Relationship": "Outer", "Plan Rows": 4000,
   "Plans": [{"Node Type": "Bitmap Index Scan", "Parent Relationship": "Outer", "Plan Rows": 4000}]}]}}]`

func TestMySQLDataChangesAreExplainedAsTheSelectOfTheirRows(t *testing.T) {
	f := &fakeDMS{t: t, answers: map[string]dmssdk.Result{
		"EXPLAIN EXTENDED SELECT 1 FROM orders_noidx WHERE status = 'void'": mariaExplain(
			[]any{"1", "SIMPLE", "orders_noidx", "ALL", nil, nil, nil, nil, "20000", "19.53", "Using where"}),
		"EXPLAIN EXTENDED SELECT 1 FROM orders_noidx WHERE amount < 50 LIMIT 25": mariaExplain(
			[]any{"1", "SIMPLE", "orders_noidx", "ALL", nil, nil, nil, nil, "20000", "10.16", "Using where"}),
		"EXPLAIN EXTENDED SELECT MIN(id), customer_id FROM orders GROUP BY customer_id": mariaExplain(
			[]any{"1", "SIMPLE", "orders", "index", nil, "orders_customer", "8", nil, "20000", "100.00", nil}),
	}}
	sql := "UPDATE orders_noidx SET note = 'x' WHERE status = 'void';\n" +
		"INSERT INTO archive VALUES (1, 'a'), (2, 'b');\n" +
		"DELETE FROM orders_noidx WHERE amount < 50 LIMIT 25;\n" +
		"INSERT INTO archive (id, customer_id) SELECT MIN(id), customer_id FROM orders GROUP BY customer_id"
	est, err := estimate(EstimateRequest{Database: mariaDB, SQL: sql, Method: RowsExplain}, f.execute)
	if len(f.calls) != 1 || len(f.sent()) != 3 {
		t.Fatalf("want one call of three scripts (the VALUES counted without one), got %q", f.calls)
	}
	if len(est.Statements) != 4 {
		t.Fatalf("statements %+v (%v)", est.Statements, err)
	}
	want := []StatementRows{
		{Number: 1, Rows: 3906},
		{Number: 2, Rows: 2},
		{Number: 3, Rows: 25, Capped: true},
		{Number: 4, Examined: 20000},
	}
	for i, w := range want {
		g := est.Statements[i]
		if g.Number != w.Number || g.Rows != w.Rows || g.Capped != w.Capped || g.Examined != w.Examined || (w.Examined > 0) != (g.Err != "") {
			t.Errorf("statement %d: %+v, want %+v", i+1, g, w)
		}
	}
	if err == nil || est.Complete || !strings.Contains(est.Statements[3].Err, "its GROUP BY returns") {
		t.Fatalf("the INSERT … SELECT … GROUP BY should ask for COUNT: %+v %v", est.Statements[3], err)
	}
}

func TestMariaDBRegisteredAsMySQLIsAskedAgainForTheSelectsFiltered(t *testing.T) {
	plain := dmssdk.Result{Success: true, ColumnNames: []string{"id", "select_type", "table", "type", "rows", "Extra"},
		Rows: []map[string]interface{}{{"id": "1", "select_type": "SIMPLE", "table": "orders_noidx", "type": "ALL", "rows": "20000", "Extra": "Using where"}}}
	f := &fakeDMS{t: t, answers: map[string]dmssdk.Result{
		"EXPLAIN SELECT 1 FROM orders_noidx WHERE status = 'void'": plain,
		"EXPLAIN EXTENDED SELECT 1 FROM orders_noidx WHERE status = 'void'": mariaExplain(
			[]any{"1", "SIMPLE", "orders_noidx", "ALL", nil, nil, nil, nil, "20000", "19.53", "Using where"}),
	}}
	est, err := estimate(EstimateRequest{Database: mysqlDB, SQL: "DELETE FROM orders_noidx WHERE status = 'void'", Method: RowsExplain}, f.execute)
	if err != nil || est.Total != 3906 || len(f.calls) != 2 {
		t.Fatalf("want 3,906 after asking again with EXTENDED: %+v %v, calls %q", est, err, f.calls)
	}
}

func TestDataChangesAreCountedThroughTheSelectOfTheirRows(t *testing.T) {
	f := &fakeDMS{t: t, answers: map[string]dmssdk.Result{
		"SELECT COUNT(*) FROM (\nSELECT 1 FROM orders WHERE status = 'void'\n) t":                                                                         countAnswer("COUNT(*)", "4000"),
		"SELECT COUNT(*) FROM (\nSELECT 1 FROM orders WHERE status = 'void' ORDER BY id LIMIT 10\n) t":                                                    countAnswer("COUNT(*)", "10"),
		"SELECT COUNT(*) FROM (\nSELECT 1 FROM orders o WHERE EXISTS (SELECT 1 FROM customers c WHERE (c.id = o.customer_id) AND (c.region = 'r1'))\n) t": countAnswer("COUNT(*)", "2000"),
		// SELECT * over a join cannot be a derived table's columns: counted
		// again with the select list replaced.
		"SELECT COUNT(*) FROM (\nSELECT * FROM orders o JOIN customers c ON c.id = o.customer_id\n) t": {Message: "Error 1060 (42S21): Duplicate column name 'id'"},
		"SELECT COUNT(*) FROM (\nSELECT 1 FROM orders o JOIN customers c ON c.id = o.customer_id\n) t": countAnswer("COUNT(*)", "20000"),
	}}
	sql := "UPDATE orders SET amount = 0 WHERE status = 'void';\n" +
		"DELETE FROM orders WHERE status = 'void' ORDER BY id LIMIT 10;\n" +
		"UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.amount = 0 WHERE c.region = 'r1';\n" +
		"INSERT INTO archive SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id;\n" +
		"INSERT INTO archive VALUES (1), (2), (3)"
	est, err := estimate(EstimateRequest{Database: mariaDB, SQL: sql, Method: RowsCount}, f.execute)
	if err != nil || !est.Complete || est.Total != 4000+10+2000+20000+3 {
		t.Fatalf("counts %+v %v; sent %q", est, err, f.sent())
	}
}

func TestPostgresReadsTheNodeThatFeedsModifyTable(t *testing.T) {
	update := "UPDATE orders SET amount = (SELECT MAX(amount) FROM orders_noidx) WHERE status = 'void'"
	joined := "UPDATE customers c SET email = NULL FROM orders o WHERE o.customer_id = c.id AND o.status = 'void'"
	f := &fakeDMS{t: t, answers: map[string]dmssdk.Result{
		"EXPLAIN (FORMAT JSON) " + update: pgPlan(pgUpdatePlan),
		// Over a join the statement is not asked about (its join feeds
		// 4,000 pairs for 200 customers): the EXISTS select is.
		"EXPLAIN (FORMAT JSON) SELECT 1 FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.status = 'void')": pgPlan(
			`[{"Plan": {"Node Type": "Hash Join", "Join Type": "Semi", "Plan Rows": 1000}}]`),
		"EXPLAIN (FORMAT JSON) DELETE FROM orders WHERE id < 10 RETURNING id": pgPlan(
			`[{"Plan": {"Node Type": "ModifyTable", "Operation": "Delete", "Plan Rows": 9, "Plans": [{"Node Type": "Index Scan", "Parent Relationship": "Outer", "Plan Rows": 9}]}}]`),
		"EXPLAIN (FORMAT JSON) INSERT INTO archive SELECT * FROM orders WHERE amount = 7 ON CONFLICT (id) DO UPDATE SET amount = EXCLUDED.amount": pgPlan(
			`[{"Plan": {"Node Type": "ModifyTable", "Operation": "Insert", "Plan Rows": 0, "Conflict Resolution": "UPDATE", "Plans": [{"Node Type": "Seq Scan", "Parent Relationship": "Outer", "Plan Rows": 40}]}}]`),
		"EXPLAIN (FORMAT JSON) INSERT INTO archive SELECT * FROM orders WHERE amount = 7 ON CONFLICT DO NOTHING": pgPlan(
			`[{"Plan": {"Node Type": "ModifyTable", "Operation": "Insert", "Plan Rows": 0, "Plans": [{"Node Type": "Seq Scan", "Parent Relationship": "Outer", "Plan Rows": 40}]}}]`),
	}}
	sql := update + ";\n" + joined + ";\nDELETE FROM orders WHERE id < 10 RETURNING id;\n" +
		"INSERT INTO archive SELECT * FROM orders WHERE amount = 7 ON CONFLICT (id) DO UPDATE SET amount = EXCLUDED.amount;\n" +
		"INSERT INTO archive SELECT * FROM orders WHERE amount = 7 ON CONFLICT DO NOTHING;\n" +
		"INSERT INTO archive VALUES (1), (2)"
	est, _ := estimate(EstimateRequest{Database: postgresDB, SQL: sql, Method: RowsExplain}, f.execute)
	if len(est.Statements) != 6 || len(f.sent()) != 5 {
		t.Fatalf("%+v; sent %q", est, f.sent())
	}
	for i, want := range []int64{4000, 1000, 9, 40} {
		if s := est.Statements[i]; s.Err != "" || s.Rows != want {
			t.Errorf("statement %d: %+v, want %d", i+1, s, want)
		}
	}
	if s := est.Statements[4]; s.Err == "" || !strings.Contains(s.Err, "the 40 rows its SELECT gives") || !strings.Contains(s.Err, "at most 40") {
		t.Errorf("ON CONFLICT DO NOTHING should say it writes at most 40: %+v", s)
	}
	if s := est.Statements[5]; s.Err != "" || s.Rows != 2 {
		t.Errorf("VALUES: %+v", s)
	}
}

func TestPostgresPlansThatHoldNoRowsForTheChangeSaySo(t *testing.T) {
	for name, c := range map[string]struct {
		res  dmssdk.Result
		rows int64
		err  string
	}{
		"a text plan, its InitPlan first": {res: pgText(
			"Update on orders  (cost=458.30..669.30 rows=0 width=0)",
			"  InitPlan 1 (returns $0)",
			"    ->  Aggregate  (cost=411.00..411.01 rows=1 width=8)",
			"          ->  Seq Scan on orders_noidx  (cost=0.00..361.00 rows=20000 width=8)",
			"  ->  Bitmap Heap Scan on orders  (cost=47.29..258.29 rows=4000 width=14)",
			"        Recheck Cond: (status = 'void'::text)"), rows: 4000},
		"a text plan in one row":  {res: pgText("Delete on orders  (cost=0.00..1.00 rows=0 width=0)\n  ->  Seq Scan on orders  (cost=0.00..1.00 rows=12 width=6)"), rows: 12},
		"a text plan of a SELECT": {res: pgText("Seq Scan on orders  (cost=0.00..35.50 rows=2550 width=4)"), rows: 2550},
		"ModifyTable with no input": {res: pgPlan(`[{"Plan": {"Node Type": "ModifyTable", "Plan Rows": 0, "Plans": [{"Parent Relationship": "InitPlan", "Plan Rows": 1}]}}]`),
			err: "no input node"},
		"MERGE": {res: pgPlan(`[{"Plan": {"Node Type": "ModifyTable", "Operation": "Merge", "Plan Rows": 0, "Plans": [{"Parent Relationship": "Outer", "Plan Rows": 70}]}}]`),
			err: "MERGE"},
		"MERGE as text": {res: pgText("Merge on orders  (cost=0.00..1.00 rows=0 width=0)", "  ->  Hash Left Join  (cost=0.00..1.00 rows=70 width=6)"), err: "MERGE"},
	} {
		n, err := postgresPlanRows(c.res)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: %d %v, want an error saying %q", name, n, err, c.err)
			}
			continue
		}
		if err != nil || n != c.rows {
			t.Errorf("%s: %d %v, want %d", name, n, err, c.rows)
		}
	}
}

func TestDataChangesKnownWithoutACallAskNothing(t *testing.T) {
	for _, m := range []RowSource{RowsExplain, RowsCount} {
		sql := "INSERT INTO t VALUES (1), (2), ('),(');\nREPLACE INTO t VALUES (4);\nUPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.a = 1, c.b = 2"
		est, err := estimate(EstimateRequest{Database: mariaDB, SQL: sql, Method: m}, noCall(t))
		if len(est.Statements) != 3 || est.Statements[0].Rows != 3 || est.Statements[0].Err != "" {
			t.Fatalf("%v: %+v %v", m, est, err)
		}
		if !strings.Contains(est.Statements[1].Err, "REPLACE writes the 1 row it lists") || !strings.Contains(est.Statements[2].Err, "changes rows of 2 tables") {
			t.Errorf("%v: reasons %q, %q", m, est.Statements[1].Err, est.Statements[2].Err)
		}
		if e, ok := AsError(err); !ok || est.Complete || !strings.Contains(e.Message, "statement 2: REPLACE") || !strings.Contains(e.Message, "statement 3:") {
			t.Errorf("%v: error %v", m, err)
		}
	}
}

func TestExecuteAnsweringTooFewResultsIsRefused(t *testing.T) {
	short := func(scripts []string) ([]dmssdk.Result, string, error) { return nil, "req-9", nil }
	_, err := estimate(EstimateRequest{Database: mariaDB, SQL: "DELETE FROM t WHERE a = 1", Method: RowsCount}, short)
	if e, ok := AsError(err); !ok || e.Kind != KindRefused || e.RequestID != "req-9" || !strings.Contains(e.Message, "0 results for 1 statements") {
		t.Fatalf("%v", err)
	}
}
