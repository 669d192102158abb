package editor

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// limitMsgOf runs the command an Update returned and says what it reports.
func limitMsgOf(t *testing.T, cmd tea.Cmd) (LimitMsg, bool) {
	t.Helper()
	if cmd == nil {
		return LimitMsg{}, false
	}
	msg, ok := cmd().(LimitMsg)
	return msg, ok
}

// The editor holds at most its limit: typing and pasting past it are
// refused whole (a paste is never cut, which would file part of a script),
// said with a LimitMsg, and what is there stays; deleting, and typing again
// once there is room, work.
func TestTheEditorHoldsAtMostItsLimit(t *testing.T) {
	m := newEditor(t, "")
	m.SetLimit(10)
	m = typeText(m, "SELECT 1;\n") // 10 bytes
	if got := m.Value(); got != "SELECT 1;\n" {
		t.Fatalf("typed up to the limit: %q", got)
	}
	var cmd tea.Cmd
	m, cmd = m.Update(runes("x"))
	if m.Value() != "SELECT 1;\n" {
		t.Errorf("a key past the limit was inserted: %q", m.Value())
	}
	if lm, ok := limitMsgOf(t, cmd); !ok || lm.Size != 10 || lm.Adding != 1 || lm.Limit != 10 {
		t.Errorf("a key past the limit was not reported: %+v %v", lm, ok)
	}
	m, cmd = m.Update(k(tea.KeyEnter))
	if m.Value() != "SELECT 1;\n" {
		t.Errorf("enter past the limit broke a line: %q", m.Value())
	}
	if _, ok := limitMsgOf(t, cmd); !ok {
		t.Error("enter past the limit was not reported")
	}

	m = newEditor(t, "SELECT")
	m.SetLimit(10)
	m.SetCursor(0, 6)
	m, cmd = m.Update(paste(" * FROM t;"))
	if m.Value() != "SELECT" {
		t.Errorf("a paste past the limit was cut in, not refused: %q", m.Value())
	}
	if lm, ok := limitMsgOf(t, cmd); !ok || lm.Size != 6 || lm.Adding != 10 {
		t.Errorf("the paste's refusal: %+v %v", lm, ok)
	}
	m, cmd = m.Update(paste(" 1;"))
	if m.Value() != "SELECT 1;" || cmd != nil {
		t.Errorf("a paste that fits: %q (cmd %v)", m.Value(), cmd != nil)
	}
	m = send(m, k(tea.KeyBackspace), k(tea.KeyBackspace))
	m = typeText(m, "23;")
	if m.Value() != "SELECT 23;" {
		t.Errorf("after deleting, typing into the room made: %q", m.Value())
	}
	// Multi-byte text counts in bytes, as DMS's limit does.
	m = newEditor(t, "")
	m.SetLimit(5)
	m, cmd = m.Update(paste("日本"))
	if m.Value() != "" {
		t.Errorf("6 bytes went into a 5-byte editor: %q", m.Value())
	}
	if _, ok := limitMsgOf(t, cmd); !ok {
		t.Error("the multi-byte paste was not reported")
	}
	// Undo and redo bring back only what was there.
	m = newEditor(t, "")
	m.SetLimit(8)
	m = send(m, paste("SELECT 1"))
	m = send(m, k(tea.KeyCtrlZ), k(tea.KeyCtrlY))
	if m.Value() != "SELECT 1" || m.Size() != 8 {
		t.Errorf("undo and redo: %q, size %d", m.Value(), m.Size())
	}
}

// The size follows every kind of edit, so the limit is checked against the
// text as it is.
func TestTheEditorsSizeFollowsItsText(t *testing.T) {
	m := newEditor(t, "SELECT *\n  FROM t\tWHERE é = 1;")
	check := func(what string) {
		t.Helper()
		if m.Size() != len(m.Value()) {
			t.Fatalf("after %s: size %d, text %d bytes", what, m.Size(), len(m.Value()))
		}
	}
	check("SetValue")
	m.SetCursor(1, 3)
	m = send(m, k(tea.KeyEnter), runes("日"), k(tea.KeyTab))
	check("typing")
	m = send(m, k(tea.KeyBackspace), k(tea.KeyCtrlW), k(tea.KeyCtrlK), k(tea.KeyDelete), k(tea.KeyCtrlU))
	check("deleting")
	m = send(m, paste("a\r\nb\tc\n"))
	check("a paste")
	m = send(m, k(tea.KeyCtrlZ), k(tea.KeyCtrlZ), k(tea.KeyCtrlZ))
	check("undo")
	m = send(m, k(tea.KeyCtrlY), k(tea.KeyCtrlY))
	check("redo")
	m.ReplaceAll(strings.Repeat("x;\n", 100))
	check("ReplaceAll")
}

// ReplaceAll (a file opened, the external editor's text) is not limited:
// the file was read with its own bound; the size follows (found in review:
// the refused edit left Value and the lines apart).
func TestReplaceAllIsNotLimited(t *testing.T) {
	m := newEditor(t, "old")
	m.SetLimit(10)
	m.ReplaceAll("a\tb\tc")
	m.ReplaceAll(strings.Repeat(" ", 12))
	if m.Value() != strings.Repeat(" ", 12) || m.Size() != 12 {
		t.Errorf("after ReplaceAll past the limit: %q, size %d", m.Value(), m.Size())
	}
	var cmd tea.Cmd
	if m, cmd = m.Update(runes("x")); cmd == nil || m.Size() != 12 {
		t.Errorf("a key past the limit after it: size %d, reported %v", m.Size(), cmd != nil)
	}
}
