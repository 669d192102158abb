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

// These tests hold the SQL step and the draft to what they did before the
// work of a keystroke and of a pause was taken off the program's goroutine
// (issue 17: a 4 MiB script): the checks, the rollback script's count, the
// staleness of a figure and the draft are what they were, computed where
// they cost nothing between two keys.

// dataChange is a data change on two databases with a rollback script, a
// figure measured on both for its SQL, and details that exercise the
// draft's encoding.
func dataChange() dms.Ticket {
	t := readyExport(devDB)
	t.Type = "DC_COMMON"
	t.More = []dms.Database{{ID: 1100031, SchemaName: "order_shard_01", DbType: "mysql", Env: dms.EnvDev}}
	t.SQL = "UPDATE orders SET status = 'paid' WHERE id = 7;"
	t.RollbackSQL = "UPDATE orders SET status = 'new' WHERE id = 7;"
	t.Text = map[string]string{"classify": "incident fix", "exec-mode": "COMMITOR", "note": "a <b> & 'c'"}
	t.RelatedUsers = []int64{2000002, 2000003}
	t.Rows = dms.RowFigure{Source: dms.RowsExplain, Total: 2, Statements: []int64{2}, At: testNow, SQLHash: dms.SQLHash(t.SQL),
		PerDatabase: []dms.DatabaseRows{{ID: devDB.ID, Total: 1}, {ID: 1100031, Total: 1}}}
	return t
}

// pause delivers the checks' timer as if typing had paused long enough.
func (d *direct) pause() {
	d.m.sqlStep().pause.last = time.Time{}
	d.send(checkTickMsg{})
}

func TestTheRollbackScriptIsCountedAndKeptWhenTypingPauses(t *testing.T) {
	tk := dataChange()
	tk.RollbackSQL = ""
	d := newDirect(t, &stub{rows: 1}, tk, StepSQL)
	d.pause()
	d.send(tea.KeyMsg{Type: tea.KeyCtrlB})
	q := d.m.sqlStep()
	if !q.rollback {
		t.Fatal("ctrl+b did not show the rollback script")
	}
	// The key alone, without the commands it returns (the checks' timer).
	d.m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("UPDATE orders SET status = 'new' WHERE id = 7;\nDELETE FROM audit WHERE id = 9;"), Paste: true})
	if v := d.view(); !strings.Contains(v, "checking…") {
		t.Fatalf("the count of a script being typed is not marked as being checked:\n%s", v)
	}
	d.pause()
	v := d.view()
	if !strings.Contains(v, "rollback: 2 statements") || strings.Contains(v, "checking…") {
		t.Fatalf("after the pause the status line does not count the rollback script's 2 statements:\n%s", v)
	}
	if got := d.m.Ticket().RollbackSQL; got != "UPDATE orders SET status = 'new' WHERE id = 7;\nDELETE FROM audit WHERE id = 9;" {
		t.Fatalf("the ticket's rollback script after the pause: %q", got)
	}
	d.send(tea.KeyMsg{Type: tea.KeyCtrlB})
	if v := d.view(); !strings.Contains(v, "rollback: 2 statements") {
		t.Fatalf("back in the change, the status line does not count the rollback script:\n%s", v)
	}
}

func TestLeavingTheSQLStepCountsARollbackScriptTypedJustNow(t *testing.T) {
	// No pause between the last key and ctrl+s: the count and the ticket
	// are brought up to date on the way out.
	tk := dataChange()
	tk.RollbackSQL = ""
	d := newDirect(t, &stub{rows: 1}, tk, StepSQL)
	d.pause()
	d.send(tea.KeyMsg{Type: tea.KeyCtrlB})
	d.m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("DELETE FROM a WHERE id = 1; DELETE FROM b WHERE id = 2; DELETE FROM c WHERE id = 3;"), Paste: true})
	q := d.m.sqlStep()
	q.sync()
	q.recheck()
	if q.rollbackStatements() != 3 || d.m.Ticket().RollbackSQL == "" {
		t.Fatalf("count %d, ticket's rollback %q", q.rollbackStatements(), d.m.Ticket().RollbackSQL)
	}
}

func TestProblemsMarkTheFirstLineOfTheirStatements(t *testing.T) {
	d := sqlAt(t, &stub{rows: 5})
	var sql strings.Builder
	for i := range 200 {
		if i == 3 || i == 150 {
			sql.WriteString("DELETE FROM orders\n WHERE id = 1;\n")
			continue
		}
		sql.WriteString("SELECT id\n  FROM orders;\n")
	}
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(sql.String()), Paste: true})
	d.pause()
	q := d.m.sqlStep()
	if len(q.problems) != 2 {
		t.Fatalf("%d problems, want the two DELETEs: %v", len(q.problems), q.problems)
	}
	for line := range 400 {
		want := line == 6 || line == 300
		if got := q.ed.Mark(line) != ""; got != want {
			t.Fatalf("line %d (0-based) marked %v, want %v", line, got, want)
		}
	}
}

func TestLeavingTheStepKeepsTheChecksOfTheTextOnScreen(t *testing.T) {
	d := sqlAt(t, &stub{rows: 5})
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("SELECT 1;\nSELECT 2;"), Paste: true})
	d.pause()
	q := d.m.sqlStep()
	before := q.stmts
	q.sync()
	q.recheck()
	if len(q.stmts) != 2 || &q.stmts[0] != &before[0] {
		t.Fatal("the checks of the text on screen were run again when leaving the step")
	}
	q.ed.SetValue("SELECT 3;")
	q.sync()
	q.recheck()
	if len(q.stmts) != 1 || q.stmts[0].SQL != "SELECT 3" {
		t.Fatalf("the checks were not run again for new text: %+v", q.stmts)
	}
}

func TestAFigureIsStaleForOtherSQLOrOtherDatabasesWithoutHashingAgain(t *testing.T) {
	base := dataChange()
	cases := map[string]func(*dms.Ticket){
		"the same SQL and databases": func(*dms.Ticket) {},
		"other SQL":                  func(t *dms.Ticket) { t.SQL += " " },
		"a database fewer":           func(t *dms.Ticket) { t.More = nil },
		"another database":           func(t *dms.Ticket) { t.More = []dms.Database{{ID: 1100042}} },
		"a figure by hand":           func(t *dms.Ticket) { t.SQL += " "; t.Rows.Source = dms.RowsManual },
		"no figure":                  func(t *dms.Ticket) { t.Rows = dms.RowFigure{} },
		"one database":               func(t *dms.Ticket) { t.More, t.Rows.PerDatabase = nil, nil },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			tk := base
			change(&tk)
			if got, want := rowsStale(tk, dms.SQLHash(tk.SQL)), tk.RowsStale(); got != want {
				t.Fatalf("rowsStale = %v, RowsStale = %v", got, want)
			}
		})
	}
}

// draftModel is a direct model at the SQL step of t keeping a draft in a
// temporary directory.
func draftModel(t *testing.T, tk dms.Ticket) (*direct, *draft.Store) {
	t.Helper()
	opts, store := withDrafts(t, testOptions(&stub{rows: 1}))
	d := &direct{t: t, m: New(opts)}
	d.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	*d.m.s.ticket = tk
	d.do(d.m.enter(StepSQL))
	return d, store
}

func TestTheDraftWrittenInTheBackgroundIsTheWholeDraft(t *testing.T) {
	tk := dataChange()
	sub := dms.NewSubmission(dms.OrderRequest{Tid: 3000001, PluginType: "DC_COMMON", Comment: "x",
		Param: map[string]any{"DbItemList": []map[string]any{{"DbId": int64(9007199254740993), "Logic": false}}, "ExecSQL": tk.SQL}}, testNow, 12)
	d, store := draftModel(t, tk)
	d.m.s.inflight = &sub
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(" -- typed")})
	want := d.m.draftSnapshot()
	want.SavedAt = testNow
	wantBytes, err := draft.Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	cmd := d.m.writeDraft()
	if cmd == nil {
		t.Fatal("a changed draft was not written")
	}
	if msg := cmd().(draftSavedMsg); msg.err != nil {
		t.Fatal(msg.err)
	}
	got, err := os.ReadFile(store.Path())
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(wantBytes) {
		t.Fatalf("the draft written:\n%s\nwant what draft.Encode gives:\n%s", got, wantBytes)
	}
	if d := readDraft(t, store); d == nil || !strings.Contains(d.Ticket.SQL, " -- typed") || d.Ticket.RollbackSQL != tk.RollbackSQL {
		t.Fatalf("the draft read back: %+v", d)
	}
}

func TestTheDraftIsWrittenAgainOnlyWhenSomethingChanged(t *testing.T) {
	d, _ := draftModel(t, dataChange())
	run := func(what string, want bool) {
		t.Helper()
		cmd := d.m.writeDraft()
		if (cmd != nil) != want {
			t.Fatalf("%s: a write %v, want %v", what, cmd != nil, want)
		}
		if cmd != nil {
			if msg := cmd().(draftSavedMsg); msg.err != nil {
				t.Fatal(msg.err)
			}
		}
	}
	run("the first write", true)
	run("nothing changed", false)
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")})
	run("the SQL typed in", true)
	run("nothing changed since", false)
	d.send(tea.KeyMsg{Type: tea.KeyCtrlB})
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("y")})
	run("the rollback script typed in", true)
	d.m.s.ticket.Comment = "another comment"
	run("the comment", true)
	run("nothing changed since", false)
}

func TestAnOlderDraftWriteFinishingLastIsDropped(t *testing.T) {
	store := draft.NewStore(filepath.Join(t.TempDir(), "draft.json"))
	var w draftWrites
	older, newer := w.next(), w.next()
	if err := w.save(store, newer, []byte(`{"step":"newer"}`)); err != nil {
		t.Fatal(err)
	}
	if err := w.save(store, older, []byte(`{"step":"older"}`)); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(store.Path()); string(b) != `{"step":"newer"}` {
		t.Fatalf("the draft on disk is %s, want the newer one", b)
	}
	inFlight, removal := w.next(), w.next()
	if err := w.remove(store, removal); err != nil {
		t.Fatal(err)
	}
	if err := w.save(store, inFlight, []byte(`{"step":"late"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(store.Path()); !os.IsNotExist(err) {
		t.Fatalf("a write taken before the draft was removed brought it back (%v)", err)
	}
}

func TestTextTypedJustBeforeEscIsKeptWhenTheStepIsEnteredAgain(t *testing.T) {
	// Keys only, none of their commands (the checks' timer never fires):
	// esc to the database step and enter back to the SQL step.
	for _, rollback := range []bool{false, true} {
		d := newDirect(t, &stub{rows: 1}, dataChange(), StepSQL)
		if rollback {
			d.m.Update(tea.KeyMsg{Type: tea.KeyCtrlB})
		}
		d.m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("-- typed "), Paste: true})
		d.m.Update(tea.KeyMsg{Type: tea.KeyEsc})
		if d.m.step == StepSQL {
			t.Fatal("esc did not leave the SQL step")
		}
		d.m.enter(StepSQL)
		tk := d.m.Ticket()
		got := tk.SQL
		if rollback {
			got = tk.RollbackSQL
		}
		if !strings.HasPrefix(got, "-- typed ") {
			t.Fatalf("rollback %v: the text typed before esc was lost: %q", rollback, got)
		}
	}
}

// The SQL step holds at most what a ticket does: a paste that would pass
// 4 MiB is refused whole and said, in the change and in the rollback
// script; the text before it is what it was. Before, the editor took any
// amount (over SSH, a session's memory without end) and only the check
// refused it afterwards.
func TestTheSQLStepRefusesAPastePastWhatATicketHolds(t *testing.T) {
	d := newDirect(t, &stub{rows: 1}, dataChange(), StepSQL)
	d.pause()
	before := d.m.sqlStep().ed.Value()
	big := strings.Repeat("UPDATE orders SET status = 'paid' WHERE id = 7;\n", dms.MaxSQLBytes/48+1)
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(big), Paste: true})
	q := d.m.sqlStep()
	if got := q.ed.Value(); got != before {
		t.Fatalf("a paste past the limit changed the SQL: %d bytes, was %d", len(got), len(before))
	}
	if v := d.view(); !strings.Contains(v, "Not pasted (4.0 MiB): a ticket holds at most 4.0 MiB of SQL.") {
		t.Fatalf("the refusal is not said:\n%s", v)
	}
	d.send(tea.KeyMsg{Type: tea.KeyCtrlB})
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(big), Paste: true})
	if got := d.m.sqlStep().rb.Value(); got != dataChange().RollbackSQL {
		t.Fatalf("a paste past the limit changed the rollback script: %d bytes", len(got))
	}
	if v := d.view(); !strings.Contains(v, "at most 4.0 MiB of rollback script.") {
		t.Fatalf("the rollback script's refusal is not said:\n%s", v)
	}
	// A key at the limit is said as such.
	d.send(tea.KeyMsg{Type: tea.KeyCtrlB})
	d.m.sqlStep().ed.SetValue(strings.Repeat("x", dms.MaxSQLBytes))
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(";")})
	if v := d.view(); !strings.Contains(v, "At 4.0 MiB, the most SQL a ticket holds") {
		t.Fatalf("a key at the limit is not said:\n%s", v)
	}
	d.send(tea.KeyMsg{Type: tea.KeyCtrlB})
	// What fits goes in.
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("-- ok"), Paste: true})
	if got := d.m.sqlStep().rb.Value(); !strings.Contains(got, "-- ok") {
		t.Fatalf("a paste that fits was not inserted: %q", got)
	}
}

// A tab pasted into the SQL is the SQL's: a literal 'a<TAB>b' reaches the
// ticket and the request as written (the wizard sent 'a   b' where create
// sent the tab; found by an adversarial walk), and is drawn as blank cells,
// never as a tab the terminal would act on.
func TestATabInPastedSQLIsKeptAndDrawnAsBlanks(t *testing.T) {
	tk := readyExport(devDB)
	tk.SQL = ""
	d := newDirect(t, &stub{rows: 1}, tk, StepSQL)
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("SELECT id FROM orders WHERE note = 'a\tb'"), Paste: true})
	d.pause()
	if got := d.m.Ticket().SQL; got != "SELECT id FROM orders WHERE note = 'a\tb'" {
		t.Fatalf("the ticket's SQL: %q", got)
	}
	v := d.view()
	if strings.ContainsRune(v, '\t') || !strings.Contains(v, "'a    b'") {
		t.Fatalf("the SQL step draws the tab as:\n%q", v)
	}
	d.m.enter(StepReview)
	if v := d.view(); !strings.Contains(v, `'a\tb'`) {
		t.Fatalf("the review's request does not hold the tab:\n%s", v)
	}
	d.key("c") // the aliyun command
	if v := d.view(); strings.ContainsRune(v, '\t') {
		t.Fatalf("the aliyun command draws a raw tab:\n%q", v)
	}
}
