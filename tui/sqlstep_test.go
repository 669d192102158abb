package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms"
	"dmsticket/tui/draft"
)

// sqlAt is a direct model at the SQL step of an export on orders_dev.
func sqlAt(t *testing.T, svc *stub) *direct {
	t.Helper()
	tk := readyExport(devDB)
	tk.SQL, tk.Rows = "", dms.RowFigure{}
	d := newDirect(t, svc, tk, StepSQL)
	return d
}

func (d *direct) typeSQL(s string) {
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true})
	d.m.sqlStep().recheck() // the debounced check, now
	d.m.sqlStep().checked = d.m.sqlStep().ed.Version()
}

// TestAnEstimateErrorDoesNotOutliveTheSQLItWasAbout: "fix the SQL first"
// for a DELETE goes away once the SQL is a SELECT; the panel never says
// both that every statement is allowed and that it must be fixed.
func TestAnEstimateErrorDoesNotOutliveTheSQLItWasAbout(t *testing.T) {
	d := sqlAt(t, &stub{rows: 5})
	d.typeSQL("DELETE FROM orders")
	d.send(tea.KeyMsg{Type: tea.KeyCtrlR})
	if !strings.Contains(d.view(), "Not measured: fix the SQL first") {
		t.Fatalf("no refusal shown:\n%s", d.view())
	}
	d.send(tea.KeyMsg{Type: tea.KeyCtrlU}) // delete to the line's start
	d.typeSQL("SELECT id FROM orders")
	v := d.view()
	if strings.Contains(v, "fix the SQL first") {
		t.Fatalf("the refusal outlived the SQL it was about:\n%s", v)
	}
	if !strings.Contains(v, "every statement is allowed") {
		t.Fatalf("the good SQL is not said to be allowed:\n%s", v)
	}
}

// TestALongEstimateErrorTakesAFewLinesNotThePanel: DMS's message naming
// hundreds of statements is cut to a few lines.
func TestALongEstimateErrorTakesAFewLinesNotThePanel(t *testing.T) {
	long := strings.Repeat("statement 12: Table 'orders_dev.nope' doesn't exist; ", 200)
	d := sqlAt(t, &stub{estimateErr: &dms.Error{Op: "ExecuteScript", Kind: dms.KindRefused, Message: long}})
	d.typeSQL("SELECT id FROM nope")
	d.send(tea.KeyMsg{Type: tea.KeyCtrlR})
	v := d.view()
	if n := strings.Count(v, "doesn't exist"); n == 0 || n > 8 {
		t.Fatalf("the error takes %d mentions; want a few lines:\n%s", n, v)
	}
	if !strings.Contains(v, "…") {
		t.Fatalf("a cut error must say it was cut:\n%s", v)
	}
}

// TestAResumedDraftCountsItsStatements: resumed straight into the review,
// the statement count is the SQL's, not 0.
func TestAResumedDraftCountsItsStatements(t *testing.T) {
	svc := &stub{rows: 42}
	tk := readyExport(devDB)
	tk.SQL = "SELECT 1 FROM orders;\nSELECT 2 FROM orders;"
	tk.Rows.SQLHash = dms.SQLHash(tk.SQL)
	opts := testOptions(svc)
	opts.Drafts = draft.NewStore(filepath.Join(t.TempDir(), "draft.json"))
	opts.Draft = &draft.Draft{Step: "Review", Ticket: tk}
	m := New(opts)
	d := &direct{t: t, m: m}
	d.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.do(m.Init())
	d.key("enter")
	if m.step != StepReview || !strings.Contains(d.view(), "2 statements") {
		t.Fatalf("step %v:\n%s", m.step, d.view())
	}
}

// TestDetailsSaysWhyTheRowsCouldNotBeMeasured: the automatic estimate at
// ctrl+s fails; Details shows DMS's reason and what to do.
func TestDetailsSaysWhyTheRowsCouldNotBeMeasured(t *testing.T) {
	d := sqlAt(t, &stub{estimateErr: &dms.Error{Op: "ExecuteScript", Kind: dms.KindRefused, Code: "UnsupportedSQL",
		Message: "statement 1: The instance is not in secure hosting mode"}})
	d.typeSQL("SELECT id FROM orders")
	d.send(tea.KeyMsg{Type: tea.KeyCtrlS})
	v := d.view()
	if d.m.step != StepDetails || !strings.Contains(v, "The instance is not in secure hosting mode") || !strings.Contains(v, "esc goes back to the SQL") {
		t.Fatalf("step %v; details does not say why or what to do:\n%s", d.m.step, v)
	}
}

// TestOpeningAFileOverTypedSQLAsksAndCanBeUndone: ctrl+o over typed SQL
// asks first; once replaced, ctrl+z brings the typed SQL back; a failed
// open leaves no path behind for the next ctrl+o.
func TestOpeningAFileOverTypedSQLAsksAndCanBeUndone(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "q.sql")
	if err := os.WriteFile(file, []byte("SELECT 42 FROM orders\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := sqlAt(t, &stub{rows: 1})
	d.typeSQL("SELECT typed FROM orders")
	q := d.m.sqlStep()
	d.send(tea.KeyMsg{Type: tea.KeyCtrlO})
	d.typeSQL(filepath.Join(dir, "missing.sql"))
	d.key("enter")
	if !strings.Contains(d.view(), "missing.sql") {
		t.Fatalf("no error for a missing file:\n%s", d.view())
	}
	d.send(tea.KeyMsg{Type: tea.KeyCtrlO})
	if v := q.path.Value(); v != "" {
		t.Fatalf("the failed path %q was kept for the next ctrl+o", v)
	}
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(file), Paste: true})
	d.key("enter")
	if q.ed.Value() != "SELECT typed FROM orders" || !strings.Contains(d.view(), "Replace the 1 line") {
		t.Fatalf("the file replaced the typed SQL without asking: %q\n%s", q.ed.Value(), d.view())
	}
	d.key("enter")
	if !strings.HasPrefix(q.ed.Value(), "SELECT 42 FROM orders") {
		t.Fatalf("the file was not loaded: %q", q.ed.Value())
	}
	d.send(tea.KeyMsg{Type: tea.KeyCtrlZ})
	if q.ed.Value() != "SELECT typed FROM orders" {
		t.Fatalf("ctrl+z did not bring the typed SQL back: %q", q.ed.Value())
	}
}

func TestAGroupedStatementIsNotGivenRowsExaminedAsItsFigure(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.toSQL("orders_dev")
	u.typ("SELECT status, COUNT(*) FROM orders GROUP BY status")
	u.key(tea.KeyCtrlR)
	s := u.waitText("ctrl+t counts the rows exactly")
	if !strings.Contains(s.view, "Not measured") || strings.Contains(s.view, "DMS could not measure") {
		t.Fatalf("rows examined shown as a failure of DMS, or not at all:\n%s", s.view)
	}
	if s.ticket.Rows.Known() {
		t.Fatalf("a figure was taken from rows examined: %+v", s.ticket.Rows)
	}
	u.key(tea.KeyCtrlT)
	s = u.waitText("exact (COUNT)")
	if !s.ticket.Rows.Known() || s.ticket.Rows.Source != dms.RowsCount {
		t.Fatalf("COUNT did not give the figure: %+v", s.ticket.Rows)
	}
}
