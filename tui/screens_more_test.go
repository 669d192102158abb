package tui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms/dmssim"
)

// The screens that came with following a ticket, data changes and My
// tickets, locked at 80×24 and 120×40 as TestScreens locks the others.
// Each drive starts from a fresh program against a fresh simulator; for the
// lifecycle screens, one whose precheck, approval and export are immediate.

// clockTimes are times the simulator stamps with the real clock (a
// ticket's creation in My tickets and its status): their digits are masked.
var clockTimes = regexp.MustCompile(`\b(\d{4}-)?\d\d-\d\d \d\d:\d\d\b`)

var digits = regexp.MustCompile(`\d`)

func maskClock(view string) string {
	return clockTimes.ReplaceAllStringFunc(view, func(t string) string { return digits.ReplaceAllString(t, "0") })
}

type moreScreen struct {
	name  string
	sim   func(t *testing.T) *simulator
	opts  func(t *testing.T, sim *simulator) Options
	drive func(u *ui, sim *simulator)
}

func plainSim(t *testing.T) *simulator { return newSimulator(t) }
func quickSim(t *testing.T) *simulator { return lifeSim(t, dmssim.Options{}) }

func plainOptions(_ *testing.T, sim *simulator) Options { return testOptions(sim.client) }

// followingOptions poll every few milliseconds (no download is made: the
// working directory, where the golden files are, stays).
func followingOptions(_ *testing.T, sim *simulator) Options {
	o := testOptions(sim.client)
	o.PollEvery = 5 * time.Millisecond
	return o
}

// toFollowedExport files an export and waits until it is prechecked and
// its approval chain is shown.
func (u *ui) toFollowedExport() {
	u.t.Helper()
	u.toExportReview("orders_dev", "SELECT id, total FROM orders WHERE id < 100")
	u.enter()
	u.waitText("a submit for approval")
	u.waitText("Approval")
}

func withHistory(t *testing.T, sim *simulator) Options {
	o, _ := historyOptions(t, sim)
	return o
}

// toMyTickets files an export and opens My tickets from the next ticket's
// type step.
func (u *ui) toMyTickets() {
	u.t.Helper()
	u.fileExport("orders_dev", "SELECT id, total FROM orders WHERE total > 100", "")
	u.runes("n")
	u.waitStep(StepType)
	u.key(tea.KeyTab)
	u.waitStep(StepTickets)
	u.waitText("Q3 export for finance")
}

// toCheckedSQL types sql into an export's SQL step and waits for its checks.
func (u *ui) toCheckedSQL(sql string) {
	u.t.Helper()
	u.toSQL("orders_dev")
	u.typ(sql)
	u.settled()
}

var moreScreens = []moreScreen{
	{"result_ready", quickSim, followingOptions, func(u *ui, _ *simulator) {
		u.toFollowedExport()
	}},
	{"result_approved", quickSim, followingOptions, func(u *ui, _ *simulator) {
		u.toFollowedExport()
		u.press("a")
		u.waitText("approved, not run yet")
		u.waitText("x run (CSV)")
	}},
	{"result_done", quickSim, followingOptions, func(u *ui, _ *simulator) {
		u.toFollowedExport()
		u.press("a")
		u.waitText("x run (CSV)")
		u.press("x")
		u.waitText("finished")
		u.waitText("d download")
	}},
	{"result_precheck_failed", quickSim, followingOptions, func(u *ui, _ *simulator) {
		u.toFailedPrecheck()
		u.waitText("e goes back to the review")
	}},
	{"tickets", plainSim, withHistory, func(u *ui, _ *simulator) {
		u.toMyTickets()
		u.waitFor("its state", func(s snapshot) bool { return !s.busy && clockTimes.MatchString(s.view) })
		u.waitText("precheck")
	}},
	{"datachange_database", plainSim, plainOptions, func(u *ui, _ *simulator) {
		u.chooseType("change data")
		u.typ("order_shard")
		u.searched()
		u.waitText("order_shard_03")
		u.key(tea.KeySpace)
		u.key(tea.KeyDown)
		u.key(tea.KeySpace)
		u.waitText("2 databases marked")
	}},
	{"datachange_rollback", plainSim, plainOptions, func(u *ui, _ *simulator) {
		u.toDataChangeSQL(2)
		u.typ("UPDATE orders SET status = 'paid' WHERE id = 7;")
		u.key(tea.KeyCtrlB)
		u.waitText("Rollback script")
		u.typ("UPDATE orders SET status = 'new' WHERE id = 7;")
		u.settled()
	}},
	{"datachange_details", plainSim, plainOptions, func(u *ui, _ *simulator) {
		u.toDataChangeSQL(2)
		u.typ("UPDATE orders SET status = 'paid' WHERE id = 7;")
		u.key(tea.KeyCtrlR)
		u.waitText("estimate (EXPLAIN)")
		u.key(tea.KeyCtrlS)
		u.toExecMode()
	}},
	{"datachange_review", plainSim, plainOptions, func(u *ui, _ *simulator) {
		u.toDataChangeReview(2)
	}},
	{"datachange_result_approved", quickSim, followingOptions, func(u *ui, _ *simulator) {
		u.toDataChangeReview(2)
		u.enter()
		for _, schema := range []string{"order_shard_00", "order_shard_01"} {
			u.waitText("type its schema name, " + schema)
			u.typ(schema)
			u.enter()
		}
		u.waitText("a submit for approval")
		u.press("a")
		u.waitText("x runs the change (2 databases)")
	}},
	{"tickets_status", plainSim, withHistory, func(u *ui, _ *simulator) {
		u.toMyTickets()
		u.enter()
		u.waitText("Ticket 40000001")
		u.waitFor("its state", func(s snapshot) bool { return !s.busy && !strings.Contains(s.view, "asking DMS") })
		u.waitText("prechecking")
	}},
	{"sql_open", plainSim, plainOptions, func(u *ui, _ *simulator) {
		u.toCheckedSQL("SELECT 1 FROM orders")
		u.key(tea.KeyCtrlO)
		u.waitText("Open:")
		u.typ("q3.sql")
	}},
	{"review_save", plainSim, plainOptions, func(u *ui, _ *simulator) {
		u.toExportReview("orders_dev", "SELECT id, total FROM orders WHERE total > 100")
		u.runes("s")
		u.waitText("Save to:")
	}},
	{"sql_help", plainSim, plainOptions, func(u *ui, _ *simulator) {
		u.toCheckedSQL("SELECT 1 FROM orders")
		u.key(tea.KeyF1)
		u.waitText("help")
	}},
}

// TestMoreScreens: run `go test ./tui -run TestMoreScreens -update` after a
// deliberate change, and read the diff.
func TestMoreScreens(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		for _, sc := range moreScreens {
			t.Run(sc.name+"_"+itoa(size.w)+"x"+itoa(size.h), func(t *testing.T) {
				t.Parallel() // a simulator and a program each: both cores
				sim := sc.sim(t)
				u := startUI(t, sc.opts(t, sim), size.w, size.h)
				sc.drive(u, sim)
				goldenView(t, maskClock(u.final().View()))
			})
		}
	}
}
