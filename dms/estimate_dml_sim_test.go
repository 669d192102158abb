package dms_test

import (
	"testing"

	"dmsticket/dms"
)

// TestDataChangeFiguresAreThoseOfTheSelectOfTheirRows runs data changes
// through the simulator: each one's EXPLAIN and COUNT are the figures of the
// SELECT of the rows it writes (MySQL family; PostgreSQL's COUNT, and its
// EXPLAIN over a join), and an INSERT … VALUES gives the rows it lists.
// PostgreSQL's EXPLAIN of the statement itself is tested against fixed
// answers (estimate_answers_test.go), the simulator's DML plans being its
// own engineer's.
func TestDataChangeFiguresAreThoseOfTheSelectOfTheirRows(t *testing.T) {
	h := newHarness(t)
	mysql, _ := h.client.Database(ctx(t), 0, 1100023, false)
	pg, _ := h.client.Database(ctx(t), 0, 1100028, false)
	figure := func(d dms.Database, sql string, m dms.RowSource) int64 {
		t.Helper()
		est, err := h.client.Estimate(ctx(t), dms.EstimateRequest{Database: d, SQL: sql, Method: m})
		if err != nil || !est.Complete || len(est.Statements) != 1 {
			t.Fatalf("%s %q: %+v %v", m, sql, est, err)
		}
		return est.Total
	}
	for _, c := range []struct {
		db      dms.Database
		change  string
		form    string
		methods []dms.RowSource
	}{
		{mysql, "UPDATE orders SET total = 0 WHERE status = 'paid'", "SELECT 1 FROM orders WHERE status = 'paid'", []dms.RowSource{dms.RowsExplain, dms.RowsCount}},
		{mysql, "DELETE FROM refunds WHERE amount > 100 ORDER BY id LIMIT 50", "SELECT 1 FROM refunds WHERE amount > 100 ORDER BY id LIMIT 50", []dms.RowSource{dms.RowsExplain, dms.RowsCount}},
		{mysql, "INSERT INTO coupons SELECT * FROM orders WHERE status = 'void'", "SELECT * FROM orders WHERE status = 'void'", []dms.RowSource{dms.RowsExplain, dms.RowsCount}},
		{mysql, "UPDATE orders o JOIN refunds r ON r.order_id = o.id SET o.status = 'refunded' WHERE r.amount > 10",
			"SELECT 1 FROM orders o WHERE EXISTS (SELECT 1 FROM refunds r WHERE (r.order_id = o.id) AND (r.amount > 10))", []dms.RowSource{dms.RowsExplain, dms.RowsCount}},
		{pg, "UPDATE sessions SET ended = now() WHERE duration > 3600", "SELECT 1 FROM sessions WHERE duration > 3600", []dms.RowSource{dms.RowsCount}},
		{pg, "DELETE FROM page_views v USING sessions s WHERE s.id = v.session_id AND s.duration < 5",
			"SELECT 1 FROM page_views v WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.id = v.session_id AND s.duration < 5)", []dms.RowSource{dms.RowsExplain, dms.RowsCount}},
	} {
		for _, m := range c.methods {
			if got, want := figure(c.db, c.change, m), figure(c.db, c.form, m); got != want {
				t.Errorf("%s %q: %d, want %d as for %q", m, c.change, got, want, c.form)
			}
		}
	}
	for _, m := range []dms.RowSource{dms.RowsExplain, dms.RowsCount} {
		if got := figure(mysql, "INSERT INTO coupons (code) VALUES ('a'), ('b),('), ('c')", m); got != 3 {
			t.Errorf("%s of INSERT … VALUES: %d, want the 3 rows listed", m, got)
		}
	}
}
