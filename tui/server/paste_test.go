package server

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms"
)

// A paste that never ends (ESC[200~ and no ESC[201~) costs Bubble Tea's input
// reader quadratic time; past the limit the session ends with one line, and a
// paste within it goes through.
func TestAPasteLongerThanTheLimitEndsTheSession(t *testing.T) {
	const limit = 64 << 10
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	e.prepare = func(s *Server) { s.maxPaste = limit }
	e.start(e.config())
	tm := e.openTerm("alice", "xterm-256color", 100, 30)
	tm.waitFor("What kind of ticket?")
	tm.waitFor("Export data")

	// A paste of almost the limit, ended, reaches the wizard (the list of
	// ticket types filters by it).
	tm.send(pasteStart + strings.Repeat("y", limit-1024) + pasteEnd)
	tm.waitFor("No ticket type matches")

	// Twice the limit, never ended.
	start := time.Now()
	go func() {
		if _, err := io.WriteString(tm.in, pasteStart); err != nil {
			return
		}
		chunk := strings.Repeat("x", 4096)
		for range 2 * limit / len(chunk) {
			if _, err := io.WriteString(tm.in, chunk); err != nil {
				return // the session ended
			}
		}
	}()
	want := fmt.Sprintf("dmsticket: a paste longer than %s was refused; the session ends", dms.HumanBytes(limit))
	if _, ok := tm.waitAny(screenTimeout, want); !ok {
		t.Fatalf("an unterminated paste of %d bytes did not end the session within %s; it showed:\n%s", 2*limit, screenTimeout, tm.tail())
	}
	tm.wait()
	t.Logf("an unterminated paste of %d bytes ended the session in %s", 2*limit, time.Since(start).Round(time.Millisecond))
	if logs := e.logs.String(); !strings.Contains(logs, "a paste longer than the limit") {
		t.Errorf("the refusal is not logged:\n%s", logs)
	}
}

// pieces reads s in pieces of random sizes from 1 to max bytes.
type pieces struct {
	s        []byte
	rng      *rand.Rand
	max      int
	escWhole bool // never end a piece with ESC or ESC [
}

func (p *pieces) Read(b []byte) (int, error) {
	if len(p.s) == 0 {
		return 0, io.EOF
	}
	n := min(len(p.s), len(b), 1+p.rng.IntN(p.max))
	if p.escWhole {
		// A client sends ESC and ESC [ with what follows them (a lone one
		// is the esc or alt+[ key).
		for n < min(len(p.s), len(b)) && (p.s[n-1] == 0x1b || n > 1 && string(p.s[n-2:n]) == "\x1b[") {
			n++
		}
	}
	copy(b, p.s[:n])
	p.s = p.s[n:]
	return n, nil
}

// The markers of a bracketed paste.
const (
	pasteStart = "\x1b[200~"
	pasteEnd   = "\x1b[201~"
)

// readAll reads a as Bubble Tea does, 256 bytes at a time, and returns what
// it was given: the bytes handed on and the pastes it sent, each written
// back as the bytes it came from (markers and text), in the order they
// reached the program.
func readAll(a *activityReader) ([]byte, error) {
	var out bytes.Buffer
	a.Send = func(msg tea.Msg) {
		out.WriteString(pasteStart + string(msg.(tea.KeyMsg).Runes) + pasteEnd)
	}
	buf := make([]byte, 256)
	for {
		n, err := a.Read(buf)
		if n == len(buf) {
			return out.Bytes(), fmt.Errorf("a full read of %d bytes: Bubble Tea would wait for more", n)
		}
		out.Write(buf[:n])
		if err == io.EOF {
			return out.Bytes(), nil
		}
		if err != nil {
			return out.Bytes(), err
		}
	}
}

func TestTheActivityReaderPassesPastesWithinTheLimitAndEndsAtTheFirstPastOver(t *testing.T) {
	const limit = 1000
	// Pastes of up to the limit, ended, between keys and other sequences
	// (an ESC[20 that is no marker), the markers split anywhere by the
	// reads; what the program gets is what was sent, in order.
	var in strings.Builder
	for i := range 50 {
		in.WriteString("ab\x1b[A\x1b[20x\x1b\x1b[" + pasteEnd)
		in.WriteString(pasteStart + strings.Repeat("p", i*(limit-16)/49) + "\x1b[20" + pasteStart + pasteEnd)
	}
	// The paste the limit refuses: it never ends.
	over := pasteStart + strings.Repeat("q", limit+1)
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 1))
		calls := 0
		a := newActivityReader(&pieces{s: []byte(in.String() + over + "rest"), rng: rng, max: 1 + int(seed%300), escWhole: true}, limit)
		a.OnLongPaste = func() { calls++ }
		got, err := readAll(a)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != in.String() {
			t.Fatalf("seed %d: the program got %d bytes, not the %d before the long paste unchanged (first difference at %d)", seed, len(got), in.Len(), firstDiff(string(got), in.String()))
		}
		if calls != 1 {
			t.Fatalf("seed %d: OnLongPaste called %d times, want 1", seed, calls)
		}
		if n, err := a.Read(make([]byte, 256)); n != 0 || err != io.EOF {
			t.Fatalf("seed %d: after the long paste, Read = %d, %v; want 0, EOF", seed, n, err)
		}
	}
	// A paste that ends, but past the limit, is refused too.
	a := newActivityReader(strings.NewReader(over+pasteEnd+"rest"), limit)
	calls := 0
	a.OnLongPaste = func() { calls++ }
	if got, _ := readAll(a); len(got) != 0 || calls != 1 {
		t.Errorf("an ended paste past the limit: the program got %d bytes, OnLongPaste called %d times", len(got), calls)
	}
	// No limit: everything passes.
	a = newActivityReader(strings.NewReader(over+pasteEnd+over+pasteEnd), 0)
	if got, _ := readAll(a); string(got) != over+pasteEnd+over+pasteEnd {
		t.Error("with no limit, a long paste did not pass")
	}
	// A read error passes too.
	a = newActivityReader(iotest.ErrReader(io.ErrUnexpectedEOF), limit)
	if _, err := a.Read(make([]byte, 256)); err != io.ErrUnexpectedEOF {
		t.Errorf("Read = %v, want the reader's error", err)
	}
}

// Whatever the source's reads, every read handed on is short (Bubble Tea
// then hands over what it holds: long text costs it nothing more), and ends
// between two characters and outside an unfinished escape sequence;
// pastes longer than a read come as one message; the program gets what was
// sent.
func TestTheActivityReaderEndsEveryReadBetweenCharacters(t *testing.T) {
	in := strings.Repeat("ab€c", 3<<10) + " " + strings.Repeat("x", 3000) + "\x1b[A\x1b[1;5C" +
		pasteStart + strings.Repeat("€名", 2000) + pasteEnd + "end\x1bOA"
	for seed := range uint64(50) {
		var src io.Reader = iotest.DataErrReader(strings.NewReader(in)) // full reads, the last with io.EOF
		if seed > 0 {
			src = &pieces{s: []byte(in), rng: rand.New(rand.NewPCG(seed, 2)), max: int(seed * 7), escWhole: true}
		}
		a := newActivityReader(src, defaultMaxPaste)
		var got strings.Builder
		a.Send = func(msg tea.Msg) { got.WriteString(pasteStart + string(msg.(tea.KeyMsg).Runes) + pasteEnd) }
		buf := make([]byte, 256)
		for {
			n, err := a.Read(buf)
			if n == len(buf) {
				t.Fatalf("seed %d: a full read", seed)
			}
			if chunk := buf[:n]; n > 0 && !utf8.FullRune(chunk[max(0, n-1):]) && !utf8.Valid(chunk[max(0, n-3):]) {
				t.Fatalf("seed %d: a read ends inside a character: %q", seed, chunk[max(0, n-4):])
			}
			got.Write(buf[:n])
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		// A run of text with a blank that comes in one read is marked a
		// paste (tui.Input): the text is the same, in the same place.
		unmarked := strings.NewReplacer(pasteStart, "", pasteEnd, "")
		if g, w := unmarked.Replace(got.String()), unmarked.Replace(in); g != w {
			t.Fatalf("seed %d: the program got %d bytes, not the %d sent (first difference at %d)", seed, len(g), len(w), firstDiff(g, w))
		}
	}
}

// The per-read work is linear in the read: typing, and a paste's pieces.
func BenchmarkActivityReaderRead(b *testing.B) {
	keys := "select * from orders where id = 42;\r\x1b[A\x1b[B"
	paste := strings.Repeat("INSERT INTO t VALUES (1, 'x');\n", 9)[:256]
	for _, c := range []struct {
		name, piece string
	}{
		{"keys", keys},
		{"paste", paste},
	} {
		b.Run(c.name, func(b *testing.B) {
			piece := []byte(c.piece)
			src := &repeatReader{piece: piece}
			a := newActivityReader(src, 0)
			a.Send = func(tea.Msg) {}
			buf := make([]byte, 256)
			if c.name == "paste" {
				src.piece = []byte(pasteStart)
				a.Read(buf) // in a paste that never ends
				src.piece = piece
			}
			b.SetBytes(int64(len(piece)))
			n := 0
			for b.Loop() {
				if _, err := a.Read(buf); err != nil {
					b.Fatal(err)
				}
				if n++; c.name == "paste" && n%4096 == 0 {
					// A new paste, so that the one gathered stays small.
					src.piece = []byte(pasteEnd + pasteStart)
					a.Read(buf)
					src.piece = piece
				}
			}
		})
	}
}

// repeatReader reads piece again and again.
type repeatReader struct{ piece []byte }

func (r *repeatReader) Read(b []byte) (int, error) { return copy(b, r.piece), nil }

// keysModel collects the text of the keys it gets, until ctrl+c.
type keysModel struct{ text *strings.Builder }

func (m keysModel) Init() tea.Cmd { return nil }

func (m keysModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch k.Type {
		case tea.KeyRunes, tea.KeySpace:
			m.text.WriteString(string(k.Runes))
		case tea.KeyCtrlC:
			return m, tea.Quit
		}
	}
	return m, nil
}

func (keysModel) View() string { return "" }

// A run of text without a break (no space, no control character) costs
// Bubble Tea's input reader quadratic time as long as the reads come full,
// as they do for a client that sends faster than the server reads: 2 MiB
// some 3 minutes of CPU. The reader hands it on in pieces, and the program
// gets the same text (multi-byte text: the next test).
func TestALongRunOfTextReachesTheProgramWholeAndFast(t *testing.T) {
	var in strings.Builder
	for in.Len() < 1<<20 {
		in.WriteString("SELECTx,y")
	}
	in.WriteString(" tail")
	want := in.String()
	start := time.Now()
	got := textThrough(t, strings.NewReader(want+keyCtrlC))
	t.Logf("%d bytes of text read in %s", len(want), time.Since(start).Round(time.Millisecond))
	if got != want {
		t.Errorf("the program got %d bytes of text, not the %d sent (first difference at %d)", len(got), len(want), firstDiff(got, want))
	}
}

// textThrough runs a program reading src through the session's reader
// until ctrl+c, and returns the text of the keys it got.
func textThrough(t *testing.T, src io.Reader) string {
	t.Helper()
	a := newActivityReader(src, defaultMaxPaste)
	p := tea.NewProgram(keysModel{text: &strings.Builder{}},
		tea.WithInput(a), tea.WithOutput(io.Discard), tea.WithoutRenderer(), tea.WithoutSignalHandler())
	a.Send = p.Send
	done := make(chan tea.Model, 1)
	go func() {
		m, err := p.Run()
		if err != nil {
			t.Error(err)
		}
		done <- m
	}()
	select {
	case m := <-done:
		return m.(keysModel).text.String()
	case <-time.After(screenTimeout):
		p.Kill()
		t.Fatalf("the input was not read, up to its ctrl+c, in %s", screenTimeout)
		return ""
	}
}

func firstDiff(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// Bubble Tea v1 reads 256 bytes at a time and drops a rune such a read
// cuts (its bytes become unknown input): text in Chinese, say, sent faster
// than it is read lost a character at every cut. The reader ends what it
// hands on with a whole rune, and so no read of Bubble Tea's cuts one: the
// program gets the text as sent, through reads of every size.
func TestMultiByteTextReachesTheProgramWholeWhateverTheReads(t *testing.T) {
	var in strings.Builder
	for in.Len() < 64<<10 {
		in.WriteString("SELECT 名前, café FROM 顧客 WHERE 市 = '東京'; ")
	}
	text := in.String()
	in.Reset()
	for in.Len() < 64<<10 {
		in.WriteString("名前café顧客東京") // a run without a break
	}
	run := in.String()
	cases := []struct {
		name, send, want string
	}{
		{"text", text, text},
		{"a run of text", run, run},
		{"a bracketed paste", pasteStart + text + pasteEnd, text},
	}
	// Typed text, then a paste whose markers a read of 256 bytes cuts.
	for cut := 1; cut < len(pasteStart); cut++ {
		before := strings.Repeat("x", 256-cut)
		pasted := "名前 " + strings.Repeat("y", 250)
		cases = append(cases, struct{ name, send, want string }{fmt.Sprintf("a paste cut %d bytes in", cut),
			before + pasteStart + pasted + pasteEnd + "z", before + pasted + "z"})
	}
	for _, c := range cases {
		for _, size := range []int{0, 2, 3, 5, 97, 255, 300, 1000} {
			t.Run(fmt.Sprintf("%s/reads=%d", c.name, size), func(t *testing.T) {
				multiByteThrough(t, c.send, c.want, size)
			})
		}
	}
}

// multiByteThrough sends send and ctrl+c to a program through the reader,
// from a source whose reads have random sizes up to size (0: as many bytes
// as asked), and checks the text the program gets.
func multiByteThrough(t *testing.T, send, want string, size int) {
	var src io.Reader = strings.NewReader(send + keyCtrlC)
	if size > 0 {
		src = &pieces{s: []byte(send + keyCtrlC), rng: rand.New(rand.NewPCG(uint64(size), 7)), max: size, escWhole: true}
	}
	if got := textThrough(t, src); got != want {
		t.Errorf("the program got %d bytes, not the %d sent (first difference at %d)", len(got), len(want), firstDiff(got, want))
	}
}

// keyLog sends the name of every key it gets on a channel.
type keyLog chan string

func (m keyLog) Init() tea.Cmd { return nil }

func (m keyLog) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		m <- k.String()
		if k.Type == tea.KeyCtrlC {
			return m, tea.Quit
		}
	}
	return m, nil
}

func (keyLog) View() string { return "" }

// Waiting for the rest of a paste's start marker must not hold a key back:
// esc and alt+[ alone reach the program at once, and so do keys after
// what was held.
func TestKeysThatBeginLikeAMarkerAreNotHeldBack(t *testing.T) {
	pr, pw := io.Pipe()
	keys := make(keyLog, 16)
	a := newActivityReader(pr, defaultMaxPaste)
	p := tea.NewProgram(keys, tea.WithInput(a),
		tea.WithOutput(io.Discard), tea.WithoutRenderer(), tea.WithoutSignalHandler())
	a.Send = p.Send
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := p.Run(); err != nil {
			t.Error(err)
		}
	}()
	expect := func(send string, want ...string) {
		t.Helper()
		if _, err := pw.Write([]byte(send)); err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			select {
			case got := <-keys:
				if got != w {
					t.Fatalf("sent %q: got the key %q, want %q", send, got, w)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("sent %q: the key %q did not reach the program", send, w)
			}
		}
	}
	expect("\x1b", "esc")
	expect("\x1b[", "alt+[")
	// A full read (the reader asks for 231 of Bubble Tea's 256 bytes: one
	// less, and room for the markers of two runs of text) that ends with
	// ESC: held, and handed on with what follows.
	expect(strings.Repeat("a", 230)+"\x1b", strings.Repeat("a", 230))
	expect("[A", "up")
	expect(keyCtrlC, "ctrl+c")
	pw.Close()
	<-done
}

// TestLinesPastedWithoutBracketsKeepTheirOwnIndentation: a script pasted
// in a terminal without bracketed paste (tmux paste-buffer) comes as text
// and enters in one write. Each enter breaks the line as the text did: the
// editor does not copy the line's indentation into the next, which would
// change a string literal spanning the lines (the ticket's SQL would not be
// what was pasted). An enter typed alone still keeps the indentation.
func TestLinesPastedWithoutBracketsKeepTheirOwnIndentation(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	e.start(e.config())
	tm := e.openTerm("alice", "xterm-256color", 100, 30)
	pasted := "SELECT id FROM orders WHERE note = 'a\r    b\rc'\r  AND id = 1"
	tm.walkToReview("orders_dev", pasted, "pasted with its own indentation")
	tm.send(keyEnter)
	tm.waitFor("Ticket created")
	orders := e.sim.Server.Orders()
	if len(orders) != 1 {
		t.Fatalf("%d tickets, want 1", len(orders))
	}
	want := strings.ReplaceAll(pasted, "\r", "\n")
	if got := orders[0].Param["exeSQL"]; got != want {
		t.Fatalf("the ticket's SQL is\n%q\nwant what was pasted\n%q", got, want)
	}
}
