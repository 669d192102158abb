package editor

import (
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

func assertValue(t *testing.T, m Model, want string) {
	t.Helper()
	if got := m.Value(); got != want {
		t.Fatalf("Value() = %q, want %q", got, want)
	}
}

func assertCursor(t *testing.T, m Model, line, col int) {
	t.Helper()
	if l, c := m.Cursor(); l != line || c != col {
		t.Fatalf("Cursor() = (%d, %d), want (%d, %d)", l, c, line, col)
	}
}

func TestTypingInsertsAtCursor(t *testing.T) {
	m := newEditor(t, "SELECT 1")
	m = send(m, k(tea.KeyEnd), runes(";"), k(tea.KeyHome), runes("  "), k(tea.KeySpace))
	assertValue(t, m, "   SELECT 1;")
	assertCursor(t, m, 0, 3)
}

func TestQuestionMarkIsTypedNotBound(t *testing.T) {
	m := newEditor(t, "")
	m = send(m, runes("?"))
	assertValue(t, m, "?")
}

func TestReservedKeysAreLeftToTheWizard(t *testing.T) {
	reserved := []tea.KeyMsg{k(tea.KeyCtrlE), k(tea.KeyCtrlO), k(tea.KeyCtrlR), k(tea.KeyCtrlS), k(tea.KeyCtrlC), k(tea.KeyEsc), runes("?")}
	km := DefaultKeyMap()
	all := [][]key.Binding{{km.CharacterLeft, km.CharacterRight, km.LineUp, km.LineDown, km.PageUp, km.PageDown, km.InsertNewline}}
	all = append(all, km.FullHelp()...)
	for _, group := range all {
		for _, b := range group {
			for _, msg := range reserved {
				if key.Matches(msg, b) {
					t.Errorf("%q is bound to %q", msg.String(), b.Help().Desc)
				}
			}
		}
	}
	m := newEditor(t, "SELECT 1")
	before := m.Version()
	m = send(m, k(tea.KeyCtrlE), k(tea.KeyCtrlO), k(tea.KeyCtrlR), k(tea.KeyCtrlS), k(tea.KeyCtrlC), k(tea.KeyEsc))
	assertValue(t, m, "SELECT 1")
	assertCursor(t, m, 0, 0)
	if m.Version() != before {
		t.Fatal("a reserved key changed the text")
	}
}

func TestEnterSplitsLineKeepingIndentation(t *testing.T) {
	m := newEditor(t, "    SELECT a, b")
	m = send(m, k(tea.KeyEnd), k(tea.KeyLeft), k(tea.KeyLeft), k(tea.KeyEnter))
	assertValue(t, m, "    SELECT a,\n     b")
	assertCursor(t, m, 1, 4)
}

// An enter of text pasted without brackets (marked Paste) breaks the line
// as it is: the text that follows brings its own indentation.
func TestAPastedEnterDoesNotCopyTheIndentation(t *testing.T) {
	m := newEditor(t, "    b")
	m = send(m, k(tea.KeyEnd), tea.KeyMsg{Type: tea.KeyEnter, Paste: true}, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("c'"), Paste: true})
	assertValue(t, m, "    b\nc'")
	assertCursor(t, m, 1, 2)
}

func TestEnterInsideIndentationKeepsOnlyWhatIsBeforeTheCursor(t *testing.T) {
	m := newEditor(t, "    x")
	m = send(m, k(tea.KeyRight), k(tea.KeyRight), k(tea.KeyEnter))
	assertValue(t, m, "  \n    x")
	assertCursor(t, m, 1, 2)
}

func TestBackspaceDeletesRuneBeforeCursor(t *testing.T) {
	m := newEditor(t, "SELECT")
	m = send(m, k(tea.KeyEnd), k(tea.KeyBackspace))
	assertValue(t, m, "SELEC")
	assertCursor(t, m, 0, 5)
}

func TestBackspaceAtLineStartJoinsLines(t *testing.T) {
	m := newEditor(t, "SELECT 1\nFROM t")
	m = send(m, k(tea.KeyDown), k(tea.KeyHome), k(tea.KeyBackspace))
	assertValue(t, m, "SELECT 1FROM t")
	assertCursor(t, m, 0, 8)
}

func TestBackspaceAtBufferStartDoesNothing(t *testing.T) {
	m := newEditor(t, "x")
	v := m.Version()
	m = send(m, k(tea.KeyBackspace))
	assertValue(t, m, "x")
	if m.Version() != v {
		t.Fatal("version changed without a change")
	}
}

func TestBackspaceInIndentationDeletesToPreviousTabStop(t *testing.T) {
	m := newEditor(t, "      x")
	m.SetCursor(0, 6)
	m = send(m, k(tea.KeyBackspace))
	assertValue(t, m, "    x")
	m = send(m, k(tea.KeyBackspace))
	assertValue(t, m, "x")
}

func TestDeleteAtLineEndJoinsNextLine(t *testing.T) {
	m := newEditor(t, "a\nb")
	m = send(m, k(tea.KeyEnd), k(tea.KeyDelete))
	assertValue(t, m, "ab")
	assertCursor(t, m, 0, 1)
	m = send(m, k(tea.KeyCtrlD))
	assertValue(t, m, "a")
}

func TestTabInsertsSpacesToNextStop(t *testing.T) {
	m := newEditor(t, "ab")
	m = send(m, k(tea.KeyEnd), k(tea.KeyTab))
	assertValue(t, m, "ab  ")
	m = send(m, k(tea.KeyTab))
	assertValue(t, m, "ab      ")
}

// A paste's line breaks become "\n"; its tabs stay tabs, as the SQL's data
// ('a<TAB>b' in a literal is not 'a   b'; found by an adversarial walk:
// the wizard sent spaces where the same file through create sent a tab).
func TestPasteNormalisesLineBreaksAndKeepsTabs(t *testing.T) {
	m := newEditor(t, "x")
	m = send(m, k(tea.KeyEnd), paste("\ta\r\nb\rc\n\td"))
	assertValue(t, m, "x\ta\nb\nc\n\td")
	assertCursor(t, m, 3, 2)
}

// A tab is drawn as tabWidth blank cells and is one step for the cursor;
// enter keeps a line's indentation, tabs included.
func TestATabIsDrawnAsBlankCellsAndMovedOverAsOne(t *testing.T) {
	m := newEditor(t, "")
	m.SetValue("\tSELECT 'a\tb';")
	if got := ansi.Strip(m.View()); !strings.Contains(got, "    SELECT 'a    b';") {
		t.Fatalf("the line with tabs is drawn as:\n%s", got)
	}
	m.SetCursor(0, 0)
	m = send(m, k(tea.KeyRight))
	assertCursor(t, m, 0, 1)
	if m.cellCol() != tabWidth {
		t.Errorf("after the tab the cursor is at cell %d, want %d", m.cellCol(), tabWidth)
	}
	m = send(m, k(tea.KeyEnd), k(tea.KeyEnter), runes("x"))
	assertValue(t, m, "\tSELECT 'a\tb';\n\tx")
}

func TestPasteNeverTriggersBindings(t *testing.T) {
	m := newEditor(t, "")
	m = send(m, paste("\x1a"), paste("?")) // ctrl+z's byte, pasted
	assertValue(t, m, "\x1a?")
}

func TestPasteOf5000LinesIsOneUndoStep(t *testing.T) {
	script := generateSQL(5000)
	m := newEditor(t, "-- head")
	m = send(m, k(tea.KeyEnd), k(tea.KeyEnter))
	v := m.Version()
	m = send(m, paste(script))
	if got := m.LineCount(); got != 5001 {
		t.Fatalf("LineCount() = %d, want 5001", got)
	}
	if m.Version() != v+1 {
		t.Fatalf("a paste bumped the version by %d, want 1 (one operation)", m.Version()-v)
	}
	assertValue(t, m, "-- head\n"+script)
	m = send(m, k(tea.KeyCtrlZ))
	assertValue(t, m, "-- head\n")
	assertCursor(t, m, 1, 0)
	m = send(m, k(tea.KeyCtrlY))
	assertValue(t, m, "-- head\n"+script)
}

func TestConsecutiveTypingIsOneUndoStep(t *testing.T) {
	m := newEditor(t, "")
	m = typeText(m, "SELECT 1")
	m = send(m, k(tea.KeyCtrlZ))
	assertValue(t, m, "")
	assertCursor(t, m, 0, 0)
}

func TestCursorMoveEndsTheUndoStep(t *testing.T) {
	m := newEditor(t, "")
	m = typeText(m, "ab")
	m = send(m, k(tea.KeyLeft), k(tea.KeyRight))
	m = typeText(m, "cd")
	m = send(m, k(tea.KeyCtrlZ))
	assertValue(t, m, "ab")
	m = send(m, k(tea.KeyCtrlZ))
	assertValue(t, m, "")
}

func TestEnterStartsANewUndoStep(t *testing.T) {
	m := newEditor(t, "")
	m = typeText(m, "a\nb")
	m = send(m, k(tea.KeyCtrlZ))
	assertValue(t, m, "a\n")
	m = send(m, k(tea.KeyCtrlZ))
	assertValue(t, m, "a")
}

func TestConsecutiveBackspacesAreOneUndoStep(t *testing.T) {
	m := newEditor(t, "SELECT")
	m = send(m, k(tea.KeyEnd), k(tea.KeyBackspace), k(tea.KeyBackspace), k(tea.KeyBackspace))
	assertValue(t, m, "SEL")
	m = send(m, k(tea.KeyCtrlZ))
	assertValue(t, m, "SELECT")
	assertCursor(t, m, 0, 6)
}

func TestRedoReappliesAndANewEditClearsIt(t *testing.T) {
	m := newEditor(t, "")
	m = typeText(m, "ab")
	m = send(m, k(tea.KeyCtrlZ), k(tea.KeyCtrlY))
	assertValue(t, m, "ab")
	assertCursor(t, m, 0, 2)
	m = send(m, k(tea.KeyCtrlZ), runes("x"), k(tea.KeyCtrlY))
	assertValue(t, m, "x")
}

func TestVersionChangesOnEveryChangeOfTheText(t *testing.T) {
	m := newEditor(t, "")
	v := m.Version()
	steps := []tea.KeyMsg{runes("a"), k(tea.KeyEnter), k(tea.KeyBackspace), k(tea.KeyCtrlZ), k(tea.KeyCtrlY), paste("x")}
	for _, s := range steps {
		m = send(m, s)
		if m.Version() == v {
			t.Fatalf("%q did not change the version", s.String())
		}
		v = m.Version()
	}
	m = send(m, k(tea.KeyLeft))
	if m.Version() != v {
		t.Fatal("a cursor move changed the version")
	}
	m.SetValue("y")
	if m.Version() == v {
		t.Fatal("SetValue did not change the version")
	}
}

func TestSetValueResetsCursorScrollAndHistory(t *testing.T) {
	m := newEditor(t, generateSQL(100))
	m = send(m, k(tea.KeyCtrlEnd), runes("x"))
	m.SetValue("a\r\nb\tc")
	assertValue(t, m, "a\nb\tc")
	assertCursor(t, m, 0, 0)
	if m.yOff != 0 || m.xOff != 0 {
		t.Fatalf("scroll (%d, %d) not reset", m.yOff, m.xOff)
	}
	m = send(m, k(tea.KeyCtrlZ))
	assertValue(t, m, "a\nb\tc")
}

func TestInvalidUTF8BecomesReplacementCharacter(t *testing.T) {
	m := newEditor(t, "a\xffb\xc3")
	assertValue(t, m, "a\uFFFDb\uFFFD")
}

func TestArrowsCrossLineEnds(t *testing.T) {
	m := newEditor(t, "ab\ncd")
	m = send(m, k(tea.KeyEnd), k(tea.KeyRight))
	assertCursor(t, m, 1, 0)
	m = send(m, k(tea.KeyLeft))
	assertCursor(t, m, 0, 2)
}

func TestVerticalMovesKeepTheGoalColumn(t *testing.T) {
	m := newEditor(t, "SELECT abc\nx\nSELECT abc")
	m = send(m, k(tea.KeyEnd), k(tea.KeyDown))
	assertCursor(t, m, 1, 1)
	m = send(m, k(tea.KeyDown))
	assertCursor(t, m, 2, 10)
}

func TestVerticalMovesCountCellsNotRunes(t *testing.T) {
	// "中文" is four cells wide: below its end is column 4 of "abcdef".
	m := newEditor(t, "中文\nabcdef")
	m = send(m, k(tea.KeyEnd), k(tea.KeyDown))
	assertCursor(t, m, 1, 4)
	m = send(m, k(tea.KeyLeft), k(tea.KeyUp)) // cell 3 is inside 文: land before it
	assertCursor(t, m, 0, 1)
}

func TestUpOnFirstLineGoesToLineStartAndDownOnLastToLineEnd(t *testing.T) {
	m := newEditor(t, "abc\ndef")
	m = send(m, k(tea.KeyRight), k(tea.KeyUp))
	assertCursor(t, m, 0, 0)
	m = send(m, k(tea.KeyDown), k(tea.KeyDown))
	assertCursor(t, m, 1, 3)
}

func TestHomeEndAndCtrlA(t *testing.T) {
	m := newEditor(t, "  SELECT 1")
	m = send(m, k(tea.KeyEnd))
	assertCursor(t, m, 0, 10)
	m = send(m, k(tea.KeyHome))
	assertCursor(t, m, 0, 0)
	m = send(m, k(tea.KeyEnd), k(tea.KeyCtrlA))
	assertCursor(t, m, 0, 0)
}

func TestCtrlHomeAndCtrlEndJumpToBufferEnds(t *testing.T) {
	m := newEditor(t, "a\nb\nlast line")
	m = send(m, k(tea.KeyCtrlEnd))
	assertCursor(t, m, 2, 9)
	m = send(m, k(tea.KeyCtrlHome))
	assertCursor(t, m, 0, 0)
}

func TestWordJumps(t *testing.T) {
	m := newEditor(t, "SELECT a.id, b_2 FROM t\nx")
	for _, right := range []tea.KeyMsg{alt(k(tea.KeyRight)), k(tea.KeyCtrlRight), alt(runes("f"))} {
		m.SetCursor(0, 0)
		var cols []int
		for range 6 {
			m = send(m, right)
			cols = append(cols, cursorOf(m).col)
		}
		if want := []int{6, 8, 9, 11, 12, 16}; !equalInts(cols, want) {
			t.Errorf("%s: columns %v, want %v", right.String(), cols, want)
		}
	}
	for _, left := range []tea.KeyMsg{alt(k(tea.KeyLeft)), k(tea.KeyCtrlLeft), alt(runes("b"))} {
		m.SetCursor(0, 16)
		var cols []int
		for range 5 {
			m = send(m, left)
			cols = append(cols, cursorOf(m).col)
		}
		if want := []int{13, 11, 9, 8, 7}; !equalInts(cols, want) {
			t.Errorf("%s: columns %v, want %v", left.String(), cols, want)
		}
	}
	m.SetCursor(1, 0)
	m = send(m, alt(k(tea.KeyLeft)))
	assertCursor(t, m, 0, 23)
	m = send(m, k(tea.KeyCtrlRight))
	assertCursor(t, m, 1, 0)
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDeleteWordBackward(t *testing.T) {
	for _, del := range []tea.KeyMsg{alt(k(tea.KeyBackspace)), k(tea.KeyCtrlW)} {
		m := newEditor(t, "SELECT name  \nx")
		m.SetCursor(0, 13)
		m = send(m, del)
		assertValue(t, m, "SELECT \nx")
		m = send(m, del)
		assertValue(t, m, "\nx")
		m = send(m, k(tea.KeyDown), k(tea.KeyHome), del)
		assertValue(t, m, "x")
	}
}

func TestDeleteWordForward(t *testing.T) {
	m := newEditor(t, "SELECT name FROM")
	m.SetCursor(0, 6)
	m = send(m, alt(runes("d")))
	assertValue(t, m, "SELECT FROM")
	m = send(m, alt(k(tea.KeyDelete)))
	assertValue(t, m, "SELECT")
}

func TestCtrlKDeletesToLineEndAndJoinsAtTheEnd(t *testing.T) {
	m := newEditor(t, "SELECT 1 -- x\nFROM t")
	m.SetCursor(0, 8)
	m = send(m, k(tea.KeyCtrlK))
	assertValue(t, m, "SELECT 1\nFROM t")
	m = send(m, k(tea.KeyCtrlK))
	assertValue(t, m, "SELECT 1FROM t")
}

func TestCtrlUDeletesToLineStart(t *testing.T) {
	m := newEditor(t, "SELECT 1")
	m.SetCursor(0, 7)
	m = send(m, k(tea.KeyCtrlU))
	assertValue(t, m, "1")
	assertCursor(t, m, 0, 0)
}

func TestPageDownAndUpMoveByAScreen(t *testing.T) {
	m := newEditor(t, generateSQL(100))
	m.SetSize(80, 10)
	m = send(m, k(tea.KeyPgDown))
	assertCursor(t, m, 10, 0)
	if m.yOff != 10 {
		t.Fatalf("yOff = %d after pgdown, want 10", m.yOff)
	}
	m = send(m, k(tea.KeyPgUp))
	assertCursor(t, m, 0, 0)
	if m.yOff != 0 {
		t.Fatalf("yOff = %d after pgup, want 0", m.yOff)
	}
	for range 20 {
		m = send(m, k(tea.KeyPgDown))
	}
	if l, _ := m.Cursor(); l != 99 || m.yOff != 90 {
		t.Fatalf("after many pgdowns cursor line %d yOff %d, want 99 and 90", l, m.yOff)
	}
}

func TestVerticalScrollKeepsCursorVisible(t *testing.T) {
	m := newEditor(t, generateSQL(50))
	m.SetSize(80, 5)
	for range 7 {
		m = send(m, k(tea.KeyDown))
	}
	if m.yOff != 3 {
		t.Fatalf("yOff = %d with the cursor on line 7 of a 5-line view, want 3", m.yOff)
	}
	for range 5 {
		m = send(m, k(tea.KeyUp))
	}
	if m.yOff != 2 {
		t.Fatalf("yOff = %d with the cursor on line 2, want 2", m.yOff)
	}
	m = send(m, k(tea.KeyCtrlEnd))
	if m.yOff != 45 {
		t.Fatalf("yOff = %d at the end of 50 lines, want 45", m.yOff)
	}
}

func TestHorizontalScrollKeepsCursorVisible(t *testing.T) {
	long := strings.Repeat("abcdefghij", 20)
	m := newEditor(t, long+"\nshort")
	m.SetSize(40, 5) // gutter: 3 digits, mark, space: 35 cells of text
	m = send(m, k(tea.KeyEnd))
	tw := 35
	if x := 200; x < m.xOff || x >= m.xOff+tw {
		t.Fatalf("cursor cell 200 not within [%d, %d)", m.xOff, m.xOff+tw)
	}
	line := viewLines(m.View())[0]
	if !strings.HasSuffix(strings.TrimRight(line, " "), "hij") {
		t.Fatalf("view of the scrolled line %q does not end with the line's end", line)
	}
	m = send(m, k(tea.KeyDown))
	if m.xOff != 0 {
		t.Fatalf("xOff = %d on a short line, want 0", m.xOff)
	}
}

func TestBlurredEditorIgnoresKeys(t *testing.T) {
	m := newEditor(t, "a")
	m.Blur()
	if m.Focused() {
		t.Fatal("Focused after Blur")
	}
	m = send(m, runes("x"), k(tea.KeyEnd))
	assertValue(t, m, "a")
	assertCursor(t, m, 0, 0)
}

func TestNewEditorStartsBlurredAndEmpty(t *testing.T) {
	m := New(plainStyles())
	if m.Focused() || m.Value() != "" || m.LineCount() != 1 || m.Version() != 0 {
		t.Fatalf("New: focused %v value %q lines %d version %d", m.Focused(), m.Value(), m.LineCount(), m.Version())
	}
}

func TestParentCopiesShareTheTextButKeepTheirCursor(t *testing.T) {
	m := newEditor(t, "abc")
	old := m
	m = send(m, k(tea.KeyEnd), runes("d"))
	assertCursor(t, m, 0, 4)
	assertCursor(t, old, 0, 0)
	assertValue(t, old, "abcd") // copies share the text: keep the returned Model
	_ = old.View()              // a stale copy still draws safely
}

func TestStaleCopyWithCursorPastTheTextDrawsSafely(t *testing.T) {
	m := newEditor(t, "a\nb\nc")
	stale := send(m, k(tea.KeyCtrlEnd))
	m = send(stale, k(tea.KeyBackspace), k(tea.KeyBackspace), k(tea.KeyBackspace))
	assertValue(t, m, "a\n")
	if got := strings.Count(stale.View(), "\n") + 1; got != 24 {
		t.Fatalf("stale view has %d lines", got)
	}
	stale = send(stale, runes("x"))
	assertValue(t, stale, "a\nx")
}

func TestSetCursorClampsAndScrolls(t *testing.T) {
	m := newEditor(t, generateSQL(100))
	m.SetSize(80, 10)
	m.SetCursor(1000, 1000)
	l, c := m.Cursor()
	if l != 99 || c != len(m.doc.lines[99].runes()) {
		t.Fatalf("Cursor() = (%d, %d)", l, c)
	}
	if m.yOff != 90 {
		t.Fatalf("yOff = %d, want 90", m.yOff)
	}
}

func TestCombiningMarksMoveWithTheirBase(t *testing.T) {
	m := newEditor(t, "e\u0301x")
	m = send(m, k(tea.KeyRight))
	assertCursor(t, m, 0, 2)
	m = send(m, k(tea.KeyLeft))
	assertCursor(t, m, 0, 0)
}

func TestKeyMapHelp(t *testing.T) {
	km := DefaultKeyMap()
	if len(km.ShortHelp()) == 0 || len(km.FullHelp()) == 0 {
		t.Fatal("empty help")
	}
	for _, group := range km.FullHelp() {
		for _, b := range group {
			if b.Help().Key == "" || b.Help().Desc == "" {
				t.Fatalf("binding %v has no help", b.Keys())
			}
		}
	}
}

func TestNonKeyMessagesAreIgnored(t *testing.T) {
	m := newEditor(t, "a")
	m2, cmd := m.Update(tea.WindowSizeMsg{Width: 10, Height: 2})
	if cmd != nil || m2.Width() != 80 || m2.Height() != 24 {
		t.Fatal("a WindowSizeMsg changed the editor; the parent sizes it with SetSize")
	}
}

func TestUndoHistoryIsBounded(t *testing.T) {
	m := newEditor(t, "")
	for i := range maxUndo + 50 {
		m = send(m, runes("x"), k(tea.KeyLeft), k(tea.KeyRight)) // the moves make each rune its own step
		if i%100 == 0 {
			m = send(m, k(tea.KeyCtrlZ), k(tea.KeyCtrlY))
		}
	}
	h := &m.doc.hist
	if len(h.undo) != maxUndo {
		t.Fatalf("%d undo steps kept, want %d", len(h.undo), maxUndo)
	}
	size := 0
	for _, c := range h.undo {
		size += c.size()
	}
	if size != h.size {
		t.Fatalf("history accounts %d bytes, holds %d", h.size, size)
	}
	for range maxUndo + 10 {
		m = send(m, k(tea.KeyCtrlZ))
	}
	if got := len(m.Value()); got != 50 {
		t.Fatalf("after undoing everything kept, %d runes remain, want the 50 dropped steps' runes", got)
	}
}

func TestTypedRunesAreEncodedAsGoEncodesThem(t *testing.T) {
	// Runes that are no code point (a surrogate, beyond U+10FFFF, negative)
	// become U+FFFD, as string([]rune) makes them.
	for _, r := range [][]rune{{'a', 0xD800, 'b'}, {0x110000}, {-1, 'é', '中', 0x1F600}, {}} {
		if got, want := utf8Of(r), string(r); got != want {
			t.Errorf("utf8Of(%U) = %q, want %q", r, got, want)
		}
	}
}
