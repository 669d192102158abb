package editor

import (
	"strings"
	"testing"
	"unsafe"

	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms/sqlscript"
)

// These tests hold the editor to its behaviour at the sizes users reach:
// a 4 MiB script (dmsticket's limit, about 87,000 lines of SQL).

func TestUndoAcrossA4MiBPasteGivesBackTheTextAndItsLines(t *testing.T) {
	big := scriptOfSize(4 << 20)
	lines := strings.Count(big, "\n") + 1
	m := newEditor(t, "SELECT 1;\n-- tail")
	m.SetCursor(0, 9)
	m = send(m, paste(big))
	want := "SELECT 1;" + big + "\n-- tail"
	assertValue(t, m, want)
	if got := m.LineCount(); got != lines+1 {
		t.Fatalf("LineCount() = %d after pasting %d lines into 2, want %d", got, lines, lines+1)
	}
	assertCursor(t, m, lines-1, len([]rune(big[strings.LastIndexByte(big, '\n')+1:])))
	m = send(m, k(tea.KeyCtrlZ))
	assertValue(t, m, "SELECT 1;\n-- tail")
	assertCursor(t, m, 0, 9)
	if got := m.LineCount(); got != 2 {
		t.Fatalf("LineCount() = %d after the undo, want 2", got)
	}
	m = send(m, k(tea.KeyCtrlY))
	assertValue(t, m, want)
	// Typing after the paste edits the pasted lines, which were never
	// decoded into runes until now.
	m.SetCursor(lines/2, 0)
	m = send(m, runes("x"), k(tea.KeyEnter), k(tea.KeyBackspace), k(tea.KeyBackspace))
	assertValue(t, m, want)
	if got := m.LineCount(); got != lines+1 {
		t.Fatalf("LineCount() = %d after typing and deleting, want %d", got, lines+1)
	}
}

func TestOpeningA4MiBFileDecodesOnlyTheLinesDrawn(t *testing.T) {
	big := scriptOfSize(4 << 20)
	m := New(colourStyles())
	m.SetDialect(sqlscript.MySQL)
	m.SetSize(120, 40)
	m.Focus()
	m.SetValue("SELECT 1;")
	m.ReplaceAll(big)
	_ = m.View()
	decoded := 0
	for _, ln := range m.doc.lines {
		if ln.rOK {
			decoded++
		}
	}
	if decoded > 2*m.Height() {
		t.Fatalf("%d of %d lines decoded into runes for a %d-line window", decoded, m.LineCount(), m.Height())
	}
	if m.Value() != big {
		t.Fatal("Value() is not the file opened")
	}
	if got, want := m.LineCount(), strings.Count(big, "\n")+1; got != want {
		t.Fatalf("LineCount() = %d, want %d", got, want)
	}
	m = send(m, k(tea.KeyCtrlZ))
	assertValue(t, m, "SELECT 1;")
	m = send(m, k(tea.KeyCtrlY))
	if m.Value() != big {
		t.Fatal("redo did not bring the file back")
	}
	checkStates(t, m)
}

func TestLineCountFollowsEveryKindOfEdit(t *testing.T) {
	m := newEditor(t, generateScript(300))
	check := func(what string) {
		t.Helper()
		if got, want := m.LineCount(), strings.Count(m.Value(), "\n")+1; got != want {
			t.Fatalf("after %s: LineCount() = %d, Value has %d lines", what, got, want)
		}
	}
	m.SetCursor(150, 3)
	m = send(m, k(tea.KeyEnter))
	check("enter")
	m = send(m, k(tea.KeyBackspace))
	check("a backspace joining lines")
	m = send(m, paste("a\nb\nc"))
	check("a paste of three lines")
	m = send(m, k(tea.KeyCtrlK), k(tea.KeyEnd), k(tea.KeyCtrlK))
	check("ctrl+k joining lines")
	m = send(m, k(tea.KeyDelete), k(tea.KeyCtrlW))
	check("delete and ctrl+w")
	for range 5 {
		m = send(m, k(tea.KeyCtrlZ))
		check("an undo")
	}
	for range 5 {
		m = send(m, k(tea.KeyCtrlY))
		check("a redo")
	}
	m.ReplaceAll("one\ntwo")
	check("ReplaceAll")
	m.SetValue("")
	check("SetValue")
}

func TestValueOfAFileIsTheFileItselfUntilEdited(t *testing.T) {
	// A clean file (valid UTF-8, no tabs or carriage returns) becomes the
	// buffer without being encoded again: Value is the very string.
	text := generateScript(2000)
	m := newEditor(t, "")
	m.ReplaceAll(text)
	if v := m.Value(); !sameString(v, text) {
		t.Fatal("Value() is a copy of the file")
	}
	m = send(m, runes("x"), k(tea.KeyBackspace))
	assertValue(t, m, text)
}

// sameString reports whether a and b are the same bytes in memory.
func sameString(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}
