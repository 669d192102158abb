package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
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
