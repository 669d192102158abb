package dms

import (
	"strings"
	"testing"

	dmssdk "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"

	"dmsticket/dms/sqlscript"
)

func TestShapeReadsTheOutermostQuery(t *testing.T) {
	for _, c := range []struct {
		sql       string
		grouped   string
		aggregate bool
		limit     int64 // -1: none
		offset    int64
		inner     bool
	}{
		{"SELECT * FROM orders", "", false, -1, 0, false},
		{"SELECT status, COUNT(*) FROM orders GROUP BY status", "GROUP BY", false, -1, 0, false},
		{"select distinct status from orders", "DISTINCT", false, -1, 0, false},
		{"SELECT DISTINCTROW status FROM orders", "DISTINCT", false, -1, 0, false},
		{"SELECT a FROM t HAVING a > 1", "HAVING", false, -1, 0, false},
		{"SELECT COUNT(*) FROM orders WHERE status = 'void'", "", true, -1, 0, false},
		{"SELECT COUNT(DISTINCT status) FROM orders", "", true, -1, 0, true},
		{"SELECT id, COUNT(*) OVER (PARTITION BY status) FROM orders", "", false, -1, 0, false},
		{"SELECT t.count(x) FROM t", "", false, -1, 0, false},
		{"SELECT * FROM orders LIMIT 10", "", false, 10, 0, false},
		{"SELECT * FROM orders LIMIT 100, 10", "", false, 10, 100, false},
		{"SELECT * FROM orders LIMIT 10 OFFSET 100", "", false, 10, 100, false},
		{"SELECT * FROM orders ORDER BY id LIMIT ?", "", false, -1, 0, false},
		{"SELECT * FROM orders FETCH FIRST 5 ROWS ONLY", "", false, 5, 0, false},
		{"SELECT * FROM orders OFFSET 3 ROWS FETCH NEXT 5 ROWS ONLY", "", false, 5, 3, false},
		{"SELECT * FROM orders FETCH FIRST 5 ROWS WITH TIES", "", false, -1, 0, false},
		{"SELECT a FROM t UNION SELECT b FROM u LIMIT 5", "", false, 5, 0, false},
		{"SELECT a FROM t UNION DISTINCT SELECT b FROM u", "", false, -1, 0, false},
		{"(SELECT a FROM t LIMIT 2) UNION ALL (SELECT b FROM u LIMIT 3)", "", false, -1, 0, false},
		{"(SELECT a FROM t LIMIT 2) UNION ALL (SELECT b FROM u) LIMIT 4", "", false, 4, 0, false},
		{"(SELECT a FROM t ORDER BY a LIMIT 2)", "", false, 2, 0, false},
		{"(SELECT a, COUNT(*) FROM t GROUP BY a) UNION ALL (SELECT b, 1 FROM u)", "GROUP BY", false, -1, 0, false},
		{"SELECT COUNT(*) FROM t UNION ALL SELECT COUNT(*) FROM u", "aggregate functions", false, -1, 0, false},
		{"SELECT * FROM (SELECT customer_id, COUNT(*) n FROM orders GROUP BY customer_id) d WHERE n > 5", "", false, -1, 0, true},
		{"WITH c AS (SELECT DISTINCT a FROM t) SELECT * FROM c", "", false, -1, 0, true},
		{"SELECT * FROM orders WHERE id IN (SELECT order_id FROM items LIMIT 5)", "", false, -1, 0, true},
		{"SELECT '(GROUP BY' AS x, `limit` FROM t -- GROUP BY\n", "", false, -1, 0, false},
	} {
		s := shapeOf(c.sql, sqlscript.MySQL)
		limit := int64(-1)
		if s.limited {
			limit = s.limit
		}
		if s.grouped != c.grouped || s.aggregate != c.aggregate || limit != c.limit || s.offset != c.offset || s.inner != c.inner {
			t.Errorf("%q: grouped %q aggregate %v limit %d offset %d inner %v; want %q %v %d %d %v",
				c.sql, s.grouped, s.aggregate, limit, s.offset, s.inner, c.grouped, c.aggregate, c.limit, c.offset, c.inner)
		}
	}
}

func TestShapeCountsAJoinWithoutItsColumns(t *testing.T) {
	for sql, want := range map[string]string{
		"SELECT * FROM o JOIN c ON c.id = o.customer_id WHERE c.region = 'r1'":   "SELECT 1 FROM o JOIN c ON c.id = o.customer_id WHERE c.region = 'r1'",
		"SELECT STRAIGHT_JOIN o.*, c.* FROM o JOIN c ON c.id = o.cid LIMIT 5":    "SELECT STRAIGHT_JOIN 1 FROM o JOIN c ON c.id = o.cid LIMIT 5",
		"WITH x AS (SELECT 1 AS a) SELECT x.*, y.* FROM x JOIN x y ON x.a = y.a": "WITH x AS (SELECT 1 AS a) SELECT 1 FROM x JOIN x y ON x.a = y.a",
		"SELECT DISTINCT * FROM o JOIN c ON c.id = o.cid":                        "",
		"SELECT COUNT(*), c.* FROM o JOIN c ON c.id = o.cid":                     "",
		"SELECT a FROM t UNION SELECT a FROM u":                                  "",
		"SELECT 1":                                                               "",
	} {
		if got := shapeOf(sql, sqlscript.MySQL).countable; got != want {
			t.Errorf("%q: countable %q, want %q", sql, got, want)
		}
	}
}

// mariaExplain is an EXPLAIN EXTENDED answer as DMS returns it: every value
// a string, NULL as nil.
func mariaExplain(rows ...[]any) dmssdk.Result {
	cols := []string{"id", "select_type", "table", "type", "possible_keys", "key", "key_len", "ref", "rows", "filtered", "Extra"}
	res := dmssdk.Result{Success: true, ColumnNames: cols}
	for _, r := range rows {
		m := map[string]interface{}{}
		for i, c := range cols {
			var v any
			if i < len(r) {
				v = r[i]
			}
			m[c] = v
		}
		res.Rows = append(res.Rows, m)
	}
	return res
}

func TestMySQLFiguresSayWhatThePlanShows(t *testing.T) {
	scan := mariaExplain([]any{"1", "SIMPLE", "orders", "ALL", nil, nil, nil, nil, "20000", "19.53", "Using where"})
	groupedScan := mariaExplain([]any{"1", "SIMPLE", "orders", "index", nil, "status", "18", nil, "20000", "100.00", "Using index"})
	derived := mariaExplain(
		[]any{"1", "PRIMARY", "<derived2>", "ALL", nil, nil, nil, nil, "20000", "100.00", "Using where"},
		[]any{"2", "DERIVED", "orders", "index", nil, "customer_id", "8", nil, "20000", "100.00", "Using index"})
	optimizedAway := mariaExplain([]any{"1", "SIMPLE", nil, nil, nil, nil, nil, nil, nil, nil, "Select tables optimized away"})
	for _, c := range []struct {
		sql      string
		res      dmssdk.Result
		rows     int64
		capped   bool
		examined int64
		err      string
	}{
		{"SELECT * FROM orders WHERE status = 'void'", scan, 3906, false, 0, ""},
		{"SELECT * FROM orders WHERE status = 'void' LIMIT 10", scan, 10, true, 0, ""},
		{"SELECT * FROM orders WHERE status = 'void' LIMIT 5000", scan, 3906, false, 0, ""},
		{"SELECT * FROM orders WHERE status = 'void' LIMIT 10 OFFSET 3900", scan, 6, false, 0, ""},
		{"SELECT status, COUNT(*) FROM orders GROUP BY status", groupedScan, 0, false, 20000, "EXPLAIN shows the 20,000 rows the database examines, not the rows its GROUP BY returns"},
		{"SELECT status, COUNT(*) FROM orders GROUP BY status LIMIT 2", groupedScan, 0, false, 20000, "at most 2 with its LIMIT"},
		{"SELECT DISTINCT status FROM orders", groupedScan, 0, false, 20000, "its DISTINCT returns"},
		{"SELECT COUNT(*) FROM orders", groupedScan, 1, false, 0, ""},
		{"SELECT MAX(id) FROM orders", optimizedAway, 1, false, 0, ""},
		{"SELECT * FROM (SELECT customer_id, COUNT(*) n FROM orders GROUP BY customer_id) d", derived, 0, false, 20000, "a derived table's GROUP BY"},
		{"SELECT * FROM (SELECT * FROM orders) d", derived, 20000, false, 0, ""},
	} {
		sr := statementRows(RowsExplain, sqlscript.MySQL, 1, c.res, shapeOf(c.sql, sqlscript.MySQL))
		if sr.Rows != c.rows || sr.Capped != c.capped || sr.Examined != c.examined || (c.err == "") != (sr.Err == "") || !strings.Contains(sr.Err, c.err) {
			t.Errorf("%q: %+v; want rows %d capped %v examined %d err containing %q", c.sql, sr, c.rows, c.capped, c.examined, c.err)
		}
	}
}

func TestMariaDBWithoutFilteredIsAskedForIt(t *testing.T) {
	plain := dmssdk.Result{Success: true, ColumnNames: []string{"id", "select_type", "table", "type", "rows", "Extra"},
		Rows: []map[string]interface{}{{"id": "1", "select_type": "SIMPLE", "table": "t", "type": "ALL", "rows": "10", "Extra": nil}}}
	if !lacksFiltered([]dmssdk.Result{plain}) {
		t.Fatal("an EXPLAIN without filtered should be asked again")
	}
	if lacksFiltered([]dmssdk.Result{mariaExplain([]any{"1", "SIMPLE", "t", "ALL", nil, nil, nil, nil, "10", "100.00", nil})}) {
		t.Fatal("an EXPLAIN with filtered is read as it is")
	}
	if lacksFiltered([]dmssdk.Result{{Success: false, Message: "no"}}) {
		t.Fatal("a failed statement has no columns to miss")
	}
	if got := measureSQL(RowsExplain, sqlscript.MySQL, true, "SELECT 1"); got != "EXPLAIN EXTENDED SELECT 1" {
		t.Fatalf("extended: %q", got)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -20000: "-20,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
