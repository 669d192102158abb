package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms"
	"dmsticket/tui/draft"
)

func withDrafts(t *testing.T, opts Options) (Options, *draft.Store) {
	t.Helper()
	store := draft.NewStore(filepath.Join(t.TempDir(), "draft.json"))
	opts.Drafts = store
	opts.Draft, opts.DraftNotice = LoadDraft(store)
	return opts, store
}

func readDraft(t *testing.T, store *draft.Store) *draft.Draft {
	t.Helper()
	d, err := store.Load()
	if err != nil {
		return nil
	}
	return d
}

func waitDraft(t *testing.T, store *draft.Store, cond func(*draft.Draft) bool) *draft.Draft {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if d := readDraft(t, store); d != nil && cond(d) {
			return d
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the draft never showed the change; it is %+v", readDraft(t, store))
	return nil
}

func TestTypingIsSavedToTheDraftWithinASecond(t *testing.T) {
	sim := newSimulator(t)
	opts, store := withDrafts(t, testOptions(sim.client))
	u := startUI(t, opts, 100, 30)
	u.toSQL("orders_dev")
	u.typ("SELECT id FROM orders")
	d := waitDraft(t, store, func(d *draft.Draft) bool { return d.Ticket.SQL == "SELECT id FROM orders" })
	if d.Step != "SQL" || d.Ticket.Database.ID != 1100023 || d.Search != "orders_dev" {
		t.Fatalf("%+v", d)
	}
	fi, _ := os.Stat(store.Path())
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
}

func TestResumeIsOfferedWithYesPreselectedAndReturnsToTheStep(t *testing.T) {
	sim := newSimulator(t)
	opts, store := withDrafts(t, testOptions(sim.client))
	_ = store.Save(draft.Draft{Step: "SQL", Search: "orders_dev", Ticket: dms.Ticket{
		Type: "DATA_EXPORT", Tenant: dms.Tenant{ID: 3000001, Name: "Acme Retail"},
		Database: dms.Database{ID: 1100023, SchemaName: "orders_dev", Host: "10.40.1.11", Port: 3306, DbType: "mysql", Env: dms.EnvDev},
		SQL:      "SELECT 1 FROM orders;\nSELECT 2 FROM refunds",
	}})
	opts.Draft, opts.DraftNotice = LoadDraft(store)
	u := startUI(t, opts, 80, 24)
	u.waitText("Resume the unfinished ticket?")
	u.waitText("Export data, on orders_dev")
	u.enter()
	s := u.waitStep(StepSQL)
	if !strings.Contains(s.view, "SELECT 2 FROM refunds") || !strings.Contains(s.view, "orders_dev@10.40.1.11:3306") {
		t.Fatalf("resumed screen:\n%s", s.view)
	}
}

func TestDecliningTheDraftKeepsItAsideAndStartsOver(t *testing.T) {
	sim := newSimulator(t)
	opts, store := withDrafts(t, testOptions(sim.client))
	_ = store.Save(draft.Draft{Step: "Details", Ticket: dms.Ticket{Type: "NDDL", Comment: "old"}})
	opts.Draft, _ = LoadDraft(store)
	u := startUI(t, opts, 80, 24)
	u.waitText("Resume the unfinished ticket?")
	u.runes("n")
	u.waitText("What kind of ticket?")
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(store.Path() + ".discarded"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the declined draft was not kept aside")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestACreatedTicketRemovesTheDraftAndCtrlCKeepsIt(t *testing.T) {
	sim := newSimulator(t)
	opts, store := withDrafts(t, testOptions(sim.client))
	u := startUI(t, opts, 100, 30)
	u.toSchemaReview()
	waitDraft(t, store, func(d *draft.Draft) bool { return d.Step == "Review" })
	u.enter()
	u.waitText("Ticket created")
	deadline := time.Now().Add(5 * time.Second)
	for readDraft(t, store) != nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if readDraft(t, store) != nil {
		t.Fatal("the draft outlived its ticket")
	}
	// A new ticket, then ctrl+c: the draft is written on the way out.
	u.runes("n")
	u.waitText("What kind of ticket?")
	u.enter()
	u.tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	u.tm.WaitFinished(t)
	if d := readDraft(t, store); d == nil || d.Ticket.Type != "DATA_EXPORT" {
		t.Fatalf("ctrl+c did not keep the draft: %+v", d)
	}
}

func TestAnUnreadableDraftIsSetAsideWithAMessage(t *testing.T) {
	sim := newSimulator(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "draft.json")
	_ = os.WriteFile(p, []byte(`{"version":1,"ticket":{"sql":`), 0o600)
	opts := testOptions(sim.client)
	opts.Drafts = draft.NewStore(p)
	opts.Draft, opts.DraftNotice = LoadDraft(opts.Drafts)
	u := startUI(t, opts, 100, 30)
	s := u.waitText("could not be used")
	if !strings.Contains(s.view, "What kind of ticket?") {
		t.Fatalf("the wizard did not start:\n%s", s.view)
	}
}

// TestAResumedDraftTakesTheDatabasesEnvironmentFromDMS: a draft file that
// says the production database is "dev" resumes as production (from DMS),
// and submitting asks for the schema name.
func TestAResumedDraftTakesTheDatabasesEnvironmentFromDMS(t *testing.T) {
	svc := &stub{rows: 42}
	tk := readyExport(prodDB)
	tk.Database.Env = dms.EnvDev // the file lies
	tk.Rows.DatabaseID = prodDB.ID
	d := resumedAtReview(t, svc, tk, 100, 30) // resume
	m := d.m
	if env := m.s.ticket.Database.Env; env != dms.EnvProduct {
		t.Fatalf("resumed with environment %q, want DMS's %q", env, dms.EnvProduct)
	}
	if !strings.Contains(d.view(), "PRODUCTION") {
		t.Fatalf("the header does not say PRODUCTION:\n%s", d.view())
	}
	d.key("enter")
	if c, _ := svc.counts(); c != 0 || !strings.Contains(d.view(), "type its schema name") {
		t.Fatalf("submitted without the schema name (%d calls):\n%s", c, d.view())
	}
}

// TestAResumedDraftWhoseDatabaseIsGoneGoesBackToTheDatabaseStep: DMS no
// longer knows the draft's database: the wizard says so and asks for one.
func TestAResumedDraftWhoseDatabaseIsGoneGoesBackToTheDatabaseStep(t *testing.T) {
	svc := &stub{rows: 42}
	tk := readyExport(dms.Database{ID: 999, SchemaName: "gone", DbType: "mysql", Env: dms.EnvDev})
	d := resumedAtReview(t, svc, tk, 100, 30)
	m := d.m
	if m.step != StepDatabase || !m.s.ticket.Database.IsZero() || !strings.Contains(d.view(), "could not be confirmed in DMS") {
		t.Fatalf("step %v, database %+v:\n%s", m.step, m.s.ticket.Database, d.view())
	}
}

// TestTheSQLIsCheckedAfterAResumeToALaterStep: a draft resumed at the
// review; the user goes back to the SQL and types. The statements are
// checked again when typing pauses, as before the resume (the resume used
// to leave the check's timer marked as on its way, with no timer: the
// checks never ran again and the status line said checking… for good).
func TestTheSQLIsCheckedAfterAResumeToALaterStep(t *testing.T) {
	sim := newSimulator(t)
	opts, store := withDrafts(t, testOptions(sim.client))
	tk := readyExport(devDB)
	tk.SQL = "SELECT 1 FROM orders"
	tk.Rows = dms.RowFigure{Source: dms.RowsExplain, Total: 10, Statements: []int64{10}, SQLHash: dms.SQLHash(tk.SQL), At: testNow}
	_ = store.Save(draft.Draft{Step: "Review", Search: "orders_dev", Ticket: tk})
	opts.Draft, opts.DraftNotice = LoadDraft(store)
	u := startUI(t, opts, 100, 30)
	u.waitText("Resume the unfinished ticket?")
	u.enter()
	u.waitStep(StepReview)
	u.runes("3")
	u.waitStep(StepSQL)
	u.key(tea.KeyEnd)
	u.typ(";\nDELETE FROM orders")
	u.waitFor("the DELETE refused by number", func(s snapshot) bool {
		return strings.Contains(s.view, "statement 2") && strings.Contains(s.view, "DELETE")
	})
}

// Resumed at the review, a draft whose database DMS then confirms as
// production gains the header's production line: the body gives it the
// room, so the screen stays the window's height and its first line, the
// header, stays on it (it was a line taller and the header scrolled away;
// found by an adversarial walk).
func TestAResumedProductionDraftKeepsTheScreenInTheWindow(t *testing.T) {
	svc := &stub{rows: 42}
	tk := readyExport(prodDB)
	tk.Database.Env = dms.EnvDev             // as the draft said before DMS's answer
	d := resumedAtReview(t, svc, tk, 80, 24) // resume; DMS answers production
	v := d.view()
	lines := strings.Split(v, "\n")
	if len(lines) > 24 || !strings.HasPrefix(lines[0], "dmsticket ·") || !strings.Contains(v, "⚠ Production database") {
		t.Fatalf("the resumed production review at 80×24 (%d lines):\n%s", len(lines), v)
	}
}

// A figure in a draft saved before figures named their database is
// measured again before a submit: which database it was measured on is not
// known (found in review: resumed and switched to production, it was sent).
func TestAResumedFigureOfAnUnknownDatabaseIsMeasuredAgain(t *testing.T) {
	svc := &stub{rows: 42}
	tk := readyExport(devDB)                  // its figure has no DatabaseID
	d := resumedAtReview(t, svc, tk, 100, 30) // resume
	m := d.m
	d.key("enter") // submit: measured again first
	if creates, estimates := svc.counts(); creates != 0 || estimates != 1 {
		t.Fatalf("%d creates, %d estimates: the figure of an unknown database was not measured again", creates, estimates)
	}
	if r := m.Ticket().Rows; r.DatabaseID != devDB.ID {
		t.Fatalf("the figure measured again: %+v", r)
	}
	d.key("enter")
	if creates, _ := svc.counts(); creates != 1 {
		t.Fatalf("enter after measuring again: %d creates", creates)
	}
}

// resumedAtReview starts the wizard at a window of w×h with a draft of tk
// left at the review, and answers the resume question yes.
func resumedAtReview(t *testing.T, svc dms.Service, tk dms.Ticket, w, h int) *direct {
	t.Helper()
	opts := testOptions(svc)
	opts.Drafts = draft.NewStore(filepath.Join(t.TempDir(), "draft.json"))
	opts.Draft = &draft.Draft{Step: "Review", Ticket: tk}
	d := &direct{t: t, m: New(opts)}
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	d.do(d.m.Init())
	d.key("enter")
	return d
}
