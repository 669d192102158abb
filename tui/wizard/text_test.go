package wizard_test

import (
	"strings"
	"testing"

	"dmsticket/dms"
	"dmsticket/tui/wizard"
)

// TestTheReviewTextShowsTheTicketsTextWhole: the accessible review and
// create's printed the SQL's JSON with a C1 CSI and the text after it
// removed ("/*R 1=1" for "/*\u009b*/ OR 1=1") and the comment the same
// way; what is sent must be what is read.
func TestTheReviewTextShowsTheTicketsTextWhole(t *testing.T) {
	tk := dms.Ticket{
		Type:     "DATA_EXPORT",
		Tenant:   dms.Tenant{ID: acme, Name: "Acme Retail"},
		Database: dms.Database{ID: ordersD, SchemaName: "orders_dev", SearchName: "orders_dev@10.40.1.11:3306", Env: dms.EnvDev, DbType: "mysql"},
		SQL:      "SELECT * FROM orders WHERE id = 7 /*\u009b*/ OR 1=1;",
		Comment:  "Q3 \x1b[31mexport\u009b1m for finance",
		Text:     map[string]string{"classify": "quarterly report"},
		Rows:     dms.RowFigure{Source: dms.RowsExplain, Total: 10, SQLHash: dms.SQLHash("SELECT * FROM orders WHERE id = 7 /*\u009b*/ OR 1=1;"), DatabaseID: ordersD},
	}
	text := wizard.ReviewText(tk, wizard.Request(tk, nil), dms.Target{})
	for _, want := range []string{
		`"exeSQL": "SELECT * FROM orders WHERE id = 7 /*\u009b*/ OR 1=1;"`,
		"Comment: Q3 \u241b[31mexport\ufffd1m for finance",
		wizard.InexactCommandNote,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the review text does not say %q:\n%s", want, text)
		}
	}
	if strings.ContainsAny(text, "\x1b\u009b") {
		t.Errorf("the review text carries a control character:\n%q", text)
	}
}

// Two databases of one schema name are told apart in the per-database
// figures (they read "orders 1 · orders 1": found by an adversarial run).
func TestPerDatabaseFiguresTellDatabasesOfOneNameApart(t *testing.T) {
	dbs := []dms.Database{
		{ID: 1100001, SchemaName: "orders", Host: "10.20.1.11", Port: 3306, Env: dms.EnvProduct},
		{ID: 1100016, SchemaName: "orders", Host: "10.30.1.11", Port: 3306, Env: dms.EnvPre},
		{ID: 1100023, SchemaName: "orders_dev", Host: "10.40.1.11", Port: 3306, Env: dms.EnvDev},
	}
	f := dms.RowFigure{PerDatabase: []dms.DatabaseRows{{ID: 1100001, Total: 1}, {ID: 1100016, Total: 2}, {ID: 1100023, Total: 3}}}
	got := wizard.PerDatabaseText(f, dbs)
	want := "orders@10.20.1.11:3306 (production) 1 · orders@10.30.1.11:3306 (pre-release) 2 · orders_dev 3"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// One row is "1 row" wherever a count of rows is said ("1 rows" in the
// accessible estimates and status: found by an adversarial run).
func TestOneRowIsARow(t *testing.T) {
	for n, want := range map[int64]string{0: "0 rows", 1: "1 row", 2: "2 rows", 12480311: "12,480,311 rows"} {
		if got := wizard.Rows(n); got != want {
			t.Errorf("Rows(%d) = %q, want %q", n, got, want)
		}
	}
	st := dms.Status{ID: 1, State: dms.StateReady, Precheck: []dms.PrecheckLine{{Number: 1, SQL: "DELETE FROM t WHERE id = 1", AffectRows: 1}}}
	if text := strings.Join(wizard.StatusText(st, dms.RowFigure{}), "\n"); strings.Contains(text, "1 rows") {
		t.Errorf("the status says 1 rows:\n%s", text)
	}
}
