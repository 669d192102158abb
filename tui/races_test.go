package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/tui/wizard"
)

// TestAFastEnterInTheSearchActsOnTheAnswerForWhatWasTyped: the list shows
// every database, a production one on top; the user types orders_dev and
// presses enter before DMS has answered that search. The enter waits for the
// answer and picks orders_dev; the list says meanwhile that it is out of
// date.
func TestAFastEnterInTheSearchActsOnTheAnswerForWhatWasTyped(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.chooseType("")
	s := u.searched()
	if top := s.view; !containsLine(top, "▌ orders ", "PRODUCTION") {
		t.Fatalf("the test needs a production database on top of the full list:\n%s", top)
	}
	sim.run.Server.InjectFault(dmssim.Fault{Action: "SearchDatabase", Kind: dmssim.Delay, Delay: 600 * time.Millisecond, Times: 10})
	u.runes("orders_dev")
	u.waitText("searching for “orders_dev”")
	u.enter()
	u.runes("SELECT 1") // typed ahead: for the SQL editor, not the search box
	s = u.waitStep(StepSQL)
	if db := s.ticket.Database; db.SchemaName != "orders_dev" || db.Env != dms.EnvDev {
		t.Fatalf("enter picked %s (%s), want orders_dev", db.Name(), db.Env)
	}
	u.waitFor("the typed-ahead SQL in the editor", func(s snapshot) bool { return s.ticket.SQL == "SELECT 1" || containsLine(s.view, "SELECT 1") })
}

// TestEnterOnAnOutOfDateListPicksAtOnceOnlyAnExactMatch: while the answer
// for the typed text is on its way, a row whose schema name is exactly what
// was typed may be picked at once; nothing else is.
func TestEnterOnAnOutOfDateListPicksAtOnceOnlyAnExactMatch(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.chooseType("")
	u.searched()
	sim.run.Server.InjectFault(dmssim.Fault{Action: "SearchDatabase", Kind: dmssim.Delay, Delay: 5 * time.Second, Times: 10})
	u.runes("orders_dev")
	u.waitText("searching for “orders_dev”")
	u.enter()
	s := u.waitStep(StepSQL)
	if db := s.ticket.Database; db.SchemaName != "orders_dev" {
		t.Fatalf("enter picked %s, want the exact match orders_dev", db.Name())
	}
	if n := len(sim.run.Server.RequestsFor("SearchDatabase")); n > 3 {
		t.Logf("%d searches", n)
	}
}

// TestEnterWaitsWhenTheTypedNameMatchesSeveralShownRows: "orders" is the
// schema of a production and of a pre-release database: neither is picked
// until DMS answers the search, and then its top row is.
func TestEnterWaitsWhenTheTypedNameMatchesSeveralShownRows(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.chooseType("")
	u.searched()
	sim.run.Server.InjectFault(dmssim.Fault{Action: "SearchDatabase", Kind: dmssim.Delay, Delay: 500 * time.Millisecond, Times: 10})
	u.runes("orders")
	u.key(tea.KeyDown)
	u.key(tea.KeyDown)
	u.enter()
	u.waitText("enter waits for the answer")
	s := u.waitStep(StepSQL)
	if db := s.ticket.Database; db.SchemaName != "orders" || db.Env != dms.EnvProduct {
		t.Fatalf("enter picked %s (%s), want the top row of the answer, orders in production", db.Name(), db.Env)
	}
}

// TestASpaceOnAnOutOfDateListMarksARowOfTheAnswer: in a data change's
// database step, space pressed while the search for newly typed text was on
// its way marked the row of the older list under the cursor (users_dev),
// and enter took it: the user typed orders_uat and got users_dev. The space
// waits for the answer, as enter does, and marks its row.
func TestASpaceOnAnOutOfDateListMarksARowOfTheAnswer(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.chooseType("change data")
	u.searched()
	u.runes("users_dev")
	u.waitFor("users_dev listed alone", func(s snapshot) bool {
		return containsLine(s.view, "▌ ", "users_dev") && !strings.Contains(s.view, "searching")
	})
	sim.run.Server.InjectFault(dmssim.Fault{Action: "SearchDatabase", Kind: dmssim.Delay, Delay: 500 * time.Millisecond, Times: 10})
	u.key(tea.KeyCtrlU)
	u.runes("orders_u")
	u.waitText("searching for “orders_u”")
	u.key(tea.KeySpace)
	u.enter()
	s := u.waitStep(StepSQL)
	if dbs := s.ticket.Databases(); len(dbs) != 1 || dbs[0].SchemaName != "orders_uat" {
		var names []string
		for _, d := range dbs {
			names = append(names, d.Name())
		}
		t.Fatalf("space and enter took %v, want orders_uat", names)
	}
}

// containsLine reports whether one line of view holds every part.
func containsLine(view string, parts ...string) bool {
	for _, l := range strings.Split(ansi.Strip(view), "\n") {
		ok := true
		for _, p := range parts {
			if !strings.Contains(l, p) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// TestALateSQLCheckNeverRewritesAnotherTicketsSQL: the SQL step's check
// runs when typing pauses. A ticket filed like another (My tickets' f) or a
// new one (n) replaces the SQL step with an empty editor while a check's
// timer or answer of the last one may still be on its way; the ticket now
// holds SQL the new editor has not been given (it is, on entering the SQL
// step). Neither the timer nor the answer may copy the editor's text, or
// the old one's, into the ticket: a review would then show and submit
// other SQL, or none.
func TestALateSQLCheckNeverRewritesAnotherTicketsSQL(t *testing.T) {
	m, q := sqlStepWith(exportWith("SELECT 1"), 0)
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("2")})
	q.pause.last = time.Time{}
	_, cmd := m.Update(checkTickMsg{})
	if cmd == nil {
		t.Fatal("the check did not run")
	}
	late := cmd() // the old step's answer, still on its way

	liked := exportWith("SELECT id, total FROM orders WHERE total > 100")
	liked.Rows = dms.RowFigure{}
	m.like(wizard.Liked{Ticket: liked})
	if got := m.s.ticket.SQL; got != liked.SQL {
		t.Fatalf("filing like a ticket left SQL %q", got)
	}
	m.Update(late)
	if got := m.s.ticket.SQL; got != liked.SQL {
		t.Errorf("the old step's late check answer rewrote the ticket's SQL to %q", got)
	}
	_, cmd = m.Update(checkTickMsg{}) // a timer still pending
	if cmd != nil {
		if msg := cmd(); msg != nil {
			m.Update(msg)
		}
	}
	if got := m.s.ticket.SQL; got != liked.SQL {
		t.Errorf("a check timer after the new ticket rewrote its SQL to %q", got)
	}
	// The review shows the liked SQL; the SQL step, when entered, has it.
	m.enter(StepSQL)
	if got := m.sqlStep().ed.Value(); got != liked.SQL {
		t.Errorf("the SQL step shows %q, want the ticket's SQL", got)
	}
}

// TestALateEstimateOfTheLastTicketIsNotTheNewOnes: the same SQL on another
// database (a ticket filed like one on production, from a dev one): the
// last ticket's estimate, still on its way when the new ticket starts its
// own, is not the new ticket's figure.
func TestALateEstimateOfTheLastTicketIsNotTheNewOnes(t *testing.T) {
	st := &stub{rows: 777}
	m := New(colourOptions(st))
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	const sql = "SELECT id FROM orders WHERE total > 100"
	first := readyExport(devDB)
	first.SQL, first.Rows = sql, dms.RowFigure{}
	*m.s.ticket = first
	m.enter(StepSQL)
	late := m.s.rows.start(dms.RowsExplain, m.s.sqlVersion(), false)() // the dev database's figure

	liked := readyExport(prodDB)
	liked.SQL, liked.Rows = sql, dms.RowFigure{}
	m.like(wizard.Liked{Ticket: liked}) // starts its own estimate, not run here
	m.Update(late)
	if r := m.s.ticket.Rows; r.Known() {
		t.Errorf("the new ticket on %s took the last ticket's figure for %s: %+v", prodDB.SchemaName, devDB.SchemaName, r)
	}
}

// TestTheDetailsFormGetsTheRoomTheRowsWarningGivesBack: the details say why
// the rows could not be measured above the form; once the ticket has a
// figure the warning goes, and the form is given its room at once (not at
// the next message of another step's).
func TestTheDetailsFormGetsTheRoomTheRowsWarningGivesBack(t *testing.T) {
	m := New(colourOptions(&stub{}))
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	tk := readyExport(devDB)
	tk.Rows = dms.RowFigure{}
	*m.s.ticket = tk
	m.s.rows.err, m.s.rows.errVersion = errors.New("Table 'orders_dev.customers' doesn't exist"), m.s.rows.version
	m.s.rows.errDBs = dbKey(tk.Databases())
	m.enter(StepDetails)
	d := m.steps[StepDetails].(*detailsStep)
	if len(d.rowsText()) == 0 {
		t.Fatal("the test needs the rows' warning above the form")
	}
	before := d.formH
	m.s.ticket.Rows = dms.RowFigure{Source: dms.RowsManual, Total: 5, Statements: []int64{5}, SQLHash: dms.SQLHash(tk.SQL)}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")})
	if len(d.rowsText()) != 0 {
		t.Fatal("the warning is still shown with a figure")
	}
	if d.formH <= before || d.formH != d.formHeight() {
		t.Errorf("the form has %d rows (%d before), want the %d the warning gave back", d.formH, before, d.formHeight())
	}
}
