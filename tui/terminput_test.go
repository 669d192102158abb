package tui

import (
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// inputLog keeps the text of the keys it gets and sends their names.
type inputLog struct {
	text   *strings.Builder
	keys   chan string
	pastes *int
	texts  *int // messages of text, pasted or not (when not nil)
}

func (m inputLog) Init() tea.Cmd { return nil }

func (m inputLog) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if b, ok := msg.(burstMsg); ok {
		m.keys <- fmt.Sprintf("burst of %d enters", b.enters)
	}
	if k, ok := msg.(tea.KeyMsg); ok {
		switch k.Type {
		case tea.KeyRunes, tea.KeySpace:
			if m.texts != nil {
				*m.texts++
			}
			if k.Paste {
				*m.pastes++
				m.keys <- fmt.Sprintf("paste of %d runes", len(k.Runes))
			}
			m.text.WriteString(string(k.Runes))
		case tea.KeyCtrlC:
			return m, tea.Quit
		default:
			m.keys <- k.String()
		}
	}
	return m, nil
}

func (inputLog) View() string { return "" }

// throughTerminalInput runs a program reading a pipe as the terminal, writes
// each of writes to it (one write each) and returns the text it got and the
// other keys, in order.
func throughTerminalInput(t *testing.T, writes ...string) (string, []string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	m := inputLog{text: &strings.Builder{}, keys: make(chan string, 64), pastes: new(int)}
	in := newTermInput(r)
	p := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(io.Discard),
		tea.WithoutRenderer(), tea.WithoutSignalHandler())
	in.in.Send = p.Send
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	go func() {
		for _, s := range writes {
			if _, err := w.Write([]byte(s)); err != nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		w.Write([]byte{3}) // ctrl+c
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		p.Kill()
		t.Fatal("the program did not read its input in 20 s")
	}
	w.Close()
	close(m.keys)
	var keys []string
	for k := range m.keys {
		keys = append(keys, k)
	}
	return m.text.String(), keys
}

// Text written to the terminal in one go (a paste without bracketed paste,
// tmux paste-buffer) reaches the program as written: no character is lost
// where a read of 256 bytes cuts it, whatever the text's offset.
func TestTextPastedWithoutBracketsReachesTheProgramWhole(t *testing.T) {
	var b strings.Builder
	for b.Len() < 8<<10 {
		b.WriteString("SELECT 名前, café FROM 顧客 WHERE 市 = '東京'; ")
	}
	for shift := range 4 {
		want := strings.Repeat("x", shift) + b.String()
		got, _ := throughTerminalInput(t, want)
		if got != want {
			t.Errorf("shifted by %d: got %d bytes, want %d (first difference at %d)", shift, len(got), len(want), firstDifference(got, want))
		}
	}
}

// A long line without a space, pasted so, is read in time linear in its
// length (Bubble Tea alone parses it again on every full read: 1 MiB took
// minutes), and arrives whole.
func TestALongLinePastedWithoutBracketsArrivesWholeAndFast(t *testing.T) {
	want := strings.Repeat("(1,'x'),", 1<<20/8)
	start := time.Now()
	got, _ := throughTerminalInput(t, want)
	t.Logf("%d bytes in %s", len(want), time.Since(start).Round(time.Millisecond))
	if got != want {
		t.Errorf("got %d bytes, want %d (first difference at %d)", len(got), len(want), firstDifference(got, want))
	}
}

// Keys and pastes cut anywhere by a read still arrive as keys and pastes:
// an arrow key or a paste's start marker split over two reads, and esc
// alone is not held back.
func TestKeysCutByAReadArriveWhole(t *testing.T) {
	for cut := 1; cut < len("\x1b[200~"); cut++ {
		pad := strings.Repeat("a", 255-cut)
		got, keys := throughTerminalInput(t, pad+"\x1b[200~pasted 名前\x1b[201~"+"\x1b[A")
		if got != pad+"pasted 名前" || fmt.Sprint(keys) != "[paste of 9 runes up]" {
			t.Errorf("a paste's marker cut %d bytes in: text %q, keys %v", cut, got[min(len(got), len(pad)):], keys)
		}
	}
	for cut := 1; cut < len("\x1b[1;5C"); cut++ {
		pad := strings.Repeat("b", 255-cut)
		got, keys := throughTerminalInput(t, pad+"\x1b[1;5C")
		if got != pad || fmt.Sprint(keys) != "[ctrl+right]" {
			t.Errorf("ctrl+right cut %d bytes in: text %q, keys %v", cut, got[min(len(got), len(pad)):], keys)
		}
	}
	if _, keys := throughTerminalInput(t, "\x1b", "x"); fmt.Sprint(keys) != "[esc]" {
		t.Errorf("esc, then x: keys %v", keys)
	}
}

func firstDifference(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// A bracketed paste of 4 MiB, the most SQL a ticket holds, reaches the
// program as one paste, whole, after the keys typed before it and before
// those after it, in time linear in its length: Bubble Tea alone parses
// what it holds of a paste again on every read (some 40 s of CPU for
// this one). Bytes that are not UTF-8 are left out, as Bubble Tea does.
func TestAPasteOfFourMiBArrivesAsOnePasteAtOnce(t *testing.T) {
	line := "UPDATE orders SET note = '東京 café' WHERE id = 7;\n"
	paste := strings.Repeat(line, 4<<20/len(line))
	start := time.Now()
	got, keys := throughTerminalInput(t, "ab", "\x1b[200~"+paste+"\xff\x1b[201~", "cd", "\x1b[B")
	t.Logf("%d bytes of paste in %s", len(paste), time.Since(start).Round(time.Millisecond))
	if got != "ab"+paste+"cd" {
		t.Errorf("got %d bytes, want %d (first difference at %d)", len(got), len(paste)+4, firstDifference(got, "ab"+paste+"cd"))
	}
	if want := fmt.Sprintf("[paste of %d runes down]", len([]rune(paste))); fmt.Sprint(keys) != want {
		t.Errorf("keys %v, want %s", keys, want)
	}
	// Pastes that fit in a read, and several in one, are Bubble Tea's own.
	got, keys = throughTerminalInput(t, "\x1b[200~one\x1b[201~\x1b[200~two\x1b[201~x\x1b[200~thr", "ee\x1b[201~")
	if got != "onetwoxthree" || fmt.Sprint(keys) != "[paste of 3 runes paste of 3 runes paste of 5 runes]" {
		t.Errorf("short pastes: %q %v", got, keys)
	}
}

// BenchmarkPasteToProgram is a bracketed paste of 4 MiB, the most SQL a
// ticket holds, from the terminal's bytes to the program's message (a pipe
// read through termInput into a program that quits on it).
func BenchmarkPasteToProgram(b *testing.B) {
	line := "UPDATE orders SET note = 'x' WHERE id = 7;\n"
	data := []byte(pasteStart + strings.Repeat(line, 4<<20/len(line)) + pasteEnd)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r, w, err := os.Pipe()
		if err != nil {
			b.Fatal(err)
		}
		in := newTermInput(r)
		p := tea.NewProgram(quitOnPaste{}, tea.WithInput(in), tea.WithOutput(io.Discard),
			tea.WithoutRenderer(), tea.WithoutSignalHandler())
		in.in.Send = p.Send
		go w.Write(data)
		if _, err := p.Run(); err != nil {
			b.Fatal(err)
		}
		w.Close()
		r.Close()
	}
}

// quitOnPaste quits on the first paste.
type quitOnPaste struct{}

func (quitOnPaste) Init() tea.Cmd { return nil }
func (quitOnPaste) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && k.Paste {
		return quitOnPaste{}, tea.Quit
	}
	return quitOnPaste{}, nil
}
func (quitOnPaste) View() string { return "" }

// An error that comes with the end of the input does not take bytes with
// it: Bubble Tea drops the bytes of a read that returns an error, so what
// was held is handed on first and the error comes with the next Read
// (found in review: a held ESC was lost at the end). A read too small to
// take over is refused, not a panic.
func TestInputHandsOnWhatItHeldBeforeAnError(t *testing.T) {
	src := io.MultiReader(strings.NewReader(strings.Repeat("a", 254)+"\x1b"), iotest.ErrReader(io.ErrUnexpectedEOF))
	in := NewInput(src)
	buf := make([]byte, 256)
	var got []byte
	for i := 0; ; i++ {
		n, err := in.Read(buf)
		if err != nil && n > 0 {
			t.Fatalf("read %d: %d bytes with the error %v: Bubble Tea would drop them", i, n, err)
		}
		got = append(got, buf[:n]...)
		if err != nil {
			if err != io.ErrUnexpectedEOF {
				t.Fatalf("the error: %v", err)
			}
			break
		}
		if i > 10 {
			t.Fatal("no error after 10 reads")
		}
	}
	if string(got) != strings.Repeat("a", 254)+"\x1b" {
		t.Errorf("handed on %q", got[max(0, len(got)-4):])
	}

	// A read of 256 asks 231 bytes of the source (room for the markers of
	// two text runs, asPastes): 230 and the ESC that begins a sequence.
	in = NewInput(strings.NewReader(strings.Repeat("b", 230) + "\x1b[1234567890"))
	if n, err := in.Read(buf); n != 230 || err != nil {
		t.Fatalf("a full read ending in an unfinished sequence: %d, %v", n, err)
	}
	if n, err := in.Read(make([]byte, 16)); n != 0 || err != io.ErrShortBuffer {
		t.Errorf("a 16-byte read while a sequence is held: %d, %v", n, err)
	}
}

// TestTextWithBlanksFromOneReadIsOneMessage: Bubble Tea makes each word of
// text that comes without brackets a message, and each space another; the
// program drew a frame after each (a 64 KiB line pasted so: 36 s of CPU,
// growing with the square of its length). A read's run of text is marked a
// paste, one message; keys stay keys: escape sequences, alt+key, a paste
// already marked, text cut by a control key, and keys typed ahead, which
// never come 16 at a time.
func TestTextWithBlanksFromOneReadIsOneMessage(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT id FROM orders WHERE a = 1", "\x1b[200~SELECT id FROM orders WHERE a = 1\x1b[201~"},
		{"a x", "a x"}, // keys typed ahead
		{"no_blank_in_this_long_run", "no_blank_in_this_long_run"}, // one message already
		{"\x1b[A\x1bb\x1b[1;5C", "\x1b[A\x1bb\x1b[1;5C"},
		{"\x1b[200~pasted with blanks already\x1b[201~", "\x1b[200~pasted with blanks already\x1b[201~"},
		{"\x1b]11;rgb:0000/0000/0000 with blanks\x07", "\x1b]11;rgb:0000/0000/0000 with blanks\x07"},
		{"first line with blanks\rsecond line with blanks\r", "\x1b[200~first line with blanks\x1b[201~\r\x1b[200~second line with blanks\x1b[201~\r"},
		{"\x1bx then text with blanks", "\x1bx\x1b[200~ then text with blanks\x1b[201~"},
		{"first run of text\rsecond run of text\rthird run of text", "\x1b[200~first run of text\x1b[201~\r\x1b[200~second run of text\x1b[201~\r\x1b[200~third run of text\x1b[201~"},
		{"名前 と 東京 の テキスト です", "\x1b[200~名前 と 東京 の テキスト です\x1b[201~"},
	}
	for _, tc := range tests {
		if got, _, _ := asPastes(nil, []byte(tc.in), false, maxTextRuns); string(got) != tc.want {
			t.Errorf("asPastes(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got, _, found := asPastes(nil, []byte("first run of text\rsecond run of text\rthird run of text"), false, 2); found != 3 || strings.Count(string(got), pasteStart) != 2 {
		t.Errorf("with a limit of 2: %q, %d found; want two of the three runs marked", got, found)
	}
	// A read that starts with the tail of a run marked at the end of the
	// read before marks it, however short; open says a marked run reaches
	// the end.
	for _, tc := range []struct {
		in   string
		cont bool
		want string
		open bool
	}{
		{"id = 7;\rnext", true, "\x1b[200~id = 7;\x1b[201~\rnext", false},
		{"id = 7;\rnext", false, "id = 7;\rnext", false},
		{"\rid = 7;", true, "\rid = 7;", false},
		{"a b\rUPDATE t SET a = 1 WHERE", true, "\x1b[200~a b\x1b[201~\r\x1b[200~UPDATE t SET a = 1 WHERE\x1b[201~", true},
		{"UPDATE t SET a = 1 WHERE\x1b[A", false, "\x1b[200~UPDATE t SET a = 1 WHERE\x1b[201~\x1b[A", false},
	} {
		got, open, _ := asPastes(nil, []byte(tc.in), tc.cont, maxTextRuns)
		if string(got) != tc.want || open != tc.open {
			t.Errorf("asPastes(%q, %v) = %q, %v; want %q, %v", tc.in, tc.cont, got, open, tc.want, tc.open)
		}
	}
	var b strings.Builder
	for b.Len() < 64<<10 {
		b.WriteString("SELECT id, 名前 FROM orders WHERE a = 1 AND b <> 'x y' ")
	}
	line := b.String()
	got, texts := textMessages(t, line)
	if got != line {
		t.Fatalf("got %d bytes, want %d (first difference at %d)", len(got), len(line), firstDifference(got, line))
	}
	if max := len(line)/200 + 10; texts > max {
		t.Errorf("%d messages for a %d-byte line: more than %d (one a read)", texts, len(line), max)
	}
}

// TestShortLinesPastedWithoutBracketsAreAMessageEach: many short lines of
// text with blanks come in each read (a paste without bracketed paste, of
// a script): each line is a message (two where a read cuts it), not one a
// word and one a blank
// (with two runs marked a read, 512 KiB of such lines took two minutes of
// CPU).
func TestShortLinesPastedWithoutBracketsAreAMessageEach(t *testing.T) {
	var b strings.Builder
	lines := 0
	for b.Len() < 64<<10 {
		fmt.Fprintf(&b, "UPDATE t SET a = %d WHERE id = 7;\r", lines)
		lines++
	}
	in := b.String()
	got, texts := textMessages(t, in)
	if want := strings.ReplaceAll(in, "\r", ""); got != want {
		t.Fatalf("got %d bytes of text, want %d (first difference at %d)", len(got), len(want), firstDifference(got, want))
	}
	if max := 2 * lines; texts > max {
		// A read cuts a line in two: a message each side of the cut.
		t.Errorf("%d messages of text for %d lines: more than two a line", texts, lines)
	}
}

// textMessages runs a program reading a pipe as the terminal, writes in to
// it in one write and ctrl+c, and returns the text it got and in how many
// messages of text.
func textMessages(t *testing.T, in string) (string, int) {
	t.Helper()
	m := inputLog{text: &strings.Builder{}, keys: make(chan string, 1<<16), pastes: new(int), texts: new(int)}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	tin := newTermInput(r)
	p := tea.NewProgram(m, tea.WithInput(tin), tea.WithOutput(io.Discard), tea.WithoutRenderer(), tea.WithoutSignalHandler())
	tin.in.Send = p.Send
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	go func() {
		w.Write([]byte(in))
		w.Write([]byte{3})
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	w.Close()
	return m.text.String(), *m.texts
}

// TestAltWithASequenceBeforeTextStaysAKey: rxvt and iTerm2 ("Esc+") send
// alt+left as ESC ESC [ D, the Linux console F1 as ESC [ [ A, and ESC O
// may come before a character of several bytes (alt+O): text after them in
// the same read is text, and none of their bytes becomes text or is lost
// (ESC ESC was taken for alt+esc, the wizard's back, and "[D…" typed into
// the step before; 東 after ESC O was cut in two and dropped).
func TestAltWithASequenceBeforeTextStaysAKey(t *testing.T) {
	for _, c := range []struct{ in, text, key string }{
		{"\x1b\x1b[Dx, y, z, w AS total ", "x, y, z, w AS total ", "alt+left"},
		{"\x1b\x1bODx, y, z, w AS total ", "x, y, z, w AS total ", "alt+left"},
		{"\x1b[[Athen text with blanks", "then text with blanks", "f1"},
		{"\x1bO東京 AS city, name FROM t", "O東京 AS city, name FROM t", ""}, // alt+O is text to inputLog
	} {
		text, keys := throughTerminalInput(t, c.in)
		if text != c.text || c.key != "" && (len(keys) == 0 || keys[0] != c.key) {
			t.Errorf("%q: text %q, keys %q; want the text %q after %s", c.in, text, keys, c.text, c.key)
		}
	}
}

// TestASpaceTypedAfterAPasteIsAKey: a paste without brackets ends in a
// run marked as text; a space typed after it is a key (it marks a row in
// the database step), however many follow, not the paste's tail.
func TestASpaceTypedAfterAPasteIsAKey(t *testing.T) {
	text, keys := throughTerminalInput(t, "order_shard     ", " ", " ", " ")
	if text != "order_shard        " {
		t.Fatalf("text %q", text)
	}
	for _, k := range keys {
		if k != "paste of 16 runes" {
			t.Errorf("keys %q: a space typed after the paste was taken as pasted text", keys)
			break
		}
	}
}

// The enters of a write that holds text too are announced before its keys
// (burstMsg), and only they: an enter alone, one after an arrow key, and
// the lines of a bracketed paste are not a burst.
func TestTheEntersOfABurstOfTextAreAnnouncedBeforeIt(t *testing.T) {
	for _, c := range []struct {
		name   string
		writes []string
		want   []string
	}{
		{"lines pasted without brackets", []string{"a\r  b\rc"}, []string{"burst of 2 enters", "enter", "enter"}},
		{"an enter alone", []string{"\r"}, []string{"enter"}},
		{"an arrow and an enter", []string{"\x1b[A\r"}, []string{"up", "enter"}},
		{"alt+enter after text", []string{"x\x1b\r"}, []string{"alt+enter"}},
		{"a bracketed paste", []string{pasteStart + "a\rb" + pasteEnd}, []string{"paste of 3 runes"}},
		{"typed, then an enter", []string{"x", "\r"}, []string{"enter"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, keys := throughTerminalInput(t, c.writes...)
			if strings.Join(keys, ", ") != strings.Join(c.want, ", ") {
				t.Errorf("got %q, want %q", keys, c.want)
			}
		})
	}
}
