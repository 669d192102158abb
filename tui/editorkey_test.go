package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms"
)

// execs reports whether running cmd (and the batches it returns) asks the
// program to run a process (tea.ExecProcess). Commands that do not answer
// within a moment (timers) are not waited for.
func execs(cmd tea.Cmd) bool {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg, _ := within(c, 100*time.Millisecond)
		if b, ok := msg.(tea.BatchMsg); ok {
			queue = append(queue, b...)
		} else if typeName(msg) == "tea.execMsg" {
			return true
		}
	}
	return false
}

// Over SSH (Options.Local false) no key starts a process on the server: a
// multi-line details field's ctrl+e (huh's external editor) ran $EDITOR on
// the server, in the session's terminal, as the server's user. Locally it
// opens the user's editor, as it says.
func TestNoKeyOfTheDetailsFormStartsAnEditorOnTheServer(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir()) // huh writes the text for the editor there
	sim := newSimulator(t)
	schema := dms.Ticket{Type: "NDDL", Tenant: dms.Tenant{ID: 3000001}, Database: devDB, Comment: "login is slow",
		Text: map[string]string{"title": "add index on users.email"}}
	for _, local := range []bool{false, true} {
		o := testOptions(sim.client)
		o.Local = local
		d := &direct{t: t, m: New(o)}
		d.m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
		*d.m.s.ticket = schema
		d.m.enter(StepDetails)
		st := d.m.steps[StepDetails].(*detailsStep)
		for i := 0; i < 8 && st.form.GetFocusedField().GetKey() != "description"; i++ {
			d.m.Update(tea.KeyMsg{Type: tea.KeyTab})
		}
		if k := st.form.GetFocusedField().GetKey(); k != "description" {
			t.Fatalf("the description is not reached (focused: %s)", k)
		}
		_, cmd := d.m.Update(tea.KeyMsg{Type: tea.KeyCtrlE})
		if got := execs(cmd); got != local {
			t.Errorf("Local %t: ctrl+e in the description starts a process: %t", local, got)
		}
	}
}

// Over SSH ctrl+v reaches no text input: bubbles' inputs answer it by
// reading the clipboard of the machine the program runs on, which over SSH
// ran xclip (or xsel, wl-paste) on the server, once a key, and typed the
// server's clipboard into the ticket. Locally it pastes as it says.
func TestCtrlVReadsNoClipboardOnTheServer(t *testing.T) {
	sim := newSimulator(t)
	for _, local := range []bool{false, true} {
		o := testOptions(sim.client)
		o.Local = local
		for _, at := range []Step{StepType, StepDetails} {
			d := &direct{t: t, m: New(o)}
			d.m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
			*d.m.s.ticket = readyExport(devDB)
			d.m.enter(at)
			_, cmd := d.m.Update(tea.KeyMsg{Type: tea.KeyCtrlV})
			if got := cmd != nil; got != local {
				t.Errorf("Local %t, %s: ctrl+v returns a command (a clipboard read): %t", local, at, got)
			}
		}
	}
}

// A one-line input holds at most maxInputLen characters: a megabyte pasted
// into the type filter was kept whole and redrawn on every key.
func TestAOneLineInputHoldsABoundedText(t *testing.T) {
	sim := newSimulator(t)
	d := &direct{t: t, m: New(testOptions(sim.client))}
	d.m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.m.enter(StepType)
	d.m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(strings.Repeat("x", 3*maxInputLen)), Paste: true})
	if got := len(d.m.steps[StepType].(*typeStep).filter.Value()); got != maxInputLen {
		t.Fatalf("the filter holds %d characters, want %d", got, maxInputLen)
	}
}

// Locally, ctrl+e in a multi-line details field opens it in the user's
// editor as the SQL step's does ($VISUAL, else $EDITOR through the shell),
// on the terminal itself (huh's own editor was given the program's input)
// and the field takes what the editor left, its last line break dropped. A
// file that is not text, or too long for the field, or an editor that
// fails, leaves the field as it was and says why.
func TestCtrlEOpensADetailsFieldInTheUsersEditor(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	sim := newSimulator(t)
	t.Setenv("VISUAL", "")
	t.Setenv("EDITOR", `sed -i 's/built online/built online, in the night/'`)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.toSchemaDescription()
	u.typ("unique, built online")
	u.key(tea.KeyCtrlE)
	u.waitText("unique, built online, in the night")

	t.Setenv("EDITOR", `printf '\377\376' >`)
	u.key(tea.KeyCtrlE)
	u.waitText("the file is not UTF-8 text; it is unchanged")
	t.Setenv("EDITOR", "false")
	u.key(tea.KeyCtrlE)
	u.waitText("exited with an error")
	t.Setenv("EDITOR", `yes x | head -c 100000 >`)
	u.key(tea.KeyCtrlE)
	u.waitText("longer than the 4,000 characters the field takes")
	// Tabs count as the four spaces the field makes of them: 1,000 tabs
	// and a word pass its 4,000 characters (the field cut the word off).
	t.Setenv("EDITOR", `awk 'BEGIN{for(i=0;i<1000;i++)printf "\t";printf "END-OF-TEXT"}' >`)
	u.key(tea.KeyCtrlE)
	u.waitText("the text is longer than the 4,000 characters the field takes; it is")
	// What the field shows is what is sent: line breaks and tabs as the
	// field holds them.
	t.Setenv("EDITOR", `printf 'one\r\ntwo\tthree\n' >`)
	u.key(tea.KeyCtrlE)
	u.waitText("two    three")
	u.enter()
	u.waitField("related")
	u.field("2000002")
	u.waitField("attachment")
	u.enter()
	u.waitStep(StepReview)
	u.waitText(`"description": "one\ntwo    three"`)
}
