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

// readAll reads r as Bubble Tea does, 256 bytes at a time.
func readAll(r io.Reader) ([]byte, error) {
	var out bytes.Buffer
	buf := make([]byte, 256)
	for {
		n, err := r.Read(buf)
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
	// Pastes of up to the limit (what follows the start marker, the end
	// marker included), ended, between keys and other sequences (an ESC[20
	// that is no marker), the markers split anywhere by the reads.
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
		a := newActivityReader(&pieces{s: []byte(in.String() + over + "rest"), rng: rng, max: 1 + int(seed%300)}, limit)
		a.onLongPaste = func() { calls++ }
		got, err := readAll(a)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(in.String()+over, string(got)) || len(got) < in.Len() {
			t.Fatalf("seed %d: read %d bytes, not the %d before the long paste unchanged", seed, len(got), in.Len())
		}
		if len(got) > in.Len()+len(over) {
			t.Fatalf("seed %d: read on past the long paste", seed)
		}
		if calls != 1 {
			t.Fatalf("seed %d: onLongPaste called %d times, want 1", seed, calls)
		}
		if n, err := a.Read(make([]byte, 256)); n != 0 || err != io.EOF {
			t.Fatalf("seed %d: after the long paste, Read = %d, %v; want 0, EOF", seed, n, err)
		}
	}
	// No limit: everything passes.
	a := newActivityReader(strings.NewReader(over+over), 0)
	if got, _ := readAll(a); string(got) != over+over {
		t.Error("with no limit, a long paste did not pass")
	}
	// A read error passes too.
	a = newActivityReader(iotest.ErrReader(io.ErrUnexpectedEOF), limit)
	if _, err := a.Read(make([]byte, 8)); err != io.ErrUnexpectedEOF {
		t.Errorf("Read = %v, want the reader's error", err)
	}
}

func TestTheActivityReaderBreaksLongRunsOfTextOnRuneBoundaries(t *testing.T) {
	in := strings.Repeat("ab€c", 3*maxTextRun) + " " + strings.Repeat("x", 2*maxTextRun+100) + "\x1b[A" +
		pasteStart + strings.Repeat("€", maxTextRun) + pasteEnd + "end"
	// Full reads, the last with io.EOF.
	a := newActivityReader(iotest.DataErrReader(strings.NewReader(in)), defaultMaxPaste)
	var got strings.Builder
	buf := make([]byte, 256)
	for {
		n, err := a.Read(buf)
		got.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatal("Read handed on nothing and no error")
		}
		if rest := in[got.Len():]; n < len(buf) && rest != "" {
			// A short read (the source's are full): a read made short,
			// ending inside a run of text before a rune, never in a paste;
			// or the runes it held back, two at least.
			chunk := string(buf[:n])
			cut := utf8.RuneStart(rest[0]) && rest[0] > ' ' && rest[0] != 0x7f
			heldBack := utf8.ValidString(chunk) && utf8.RuneCountInString(chunk) >= 2 && !strings.ContainsAny(chunk, " \x1b")
			if !cut && !heldBack {
				t.Fatalf("a short read of %q at %d, before %q", chunk, got.Len()-n, rest[:min(4, len(rest))])
			}
			if p := strings.LastIndex(in[:got.Len()], pasteStart); p >= 0 && !strings.Contains(in[p:got.Len()], pasteEnd) {
				t.Fatalf("a short read at %d, inside a paste", got.Len())
			}
		}
	}
	if got.String() != in {
		t.Fatalf("handed on %d bytes, not the %d read (first difference at %d)", got.Len(), len(in), firstDiff(got.String(), in))
	}
}

// The per-read work is linear in the read: typing, and a paste's pieces;
// "unbounded" is the reader without the bound, for comparison.
func BenchmarkActivityReaderRead(b *testing.B) {
	keys := "select * from orders where id = 42;\r\x1b[A\x1b[B"
	paste := strings.Repeat("INSERT INTO t VALUES (1, 'x');\n", 9)[:256]
	for _, c := range []struct {
		name, piece string
		limit       int
	}{
		{"keys", keys, defaultMaxPaste},
		{"keys-unbounded", keys, 0},
		{"paste", paste, 1 << 62},
		{"paste-unbounded", paste, 0},
	} {
		b.Run(c.name, func(b *testing.B) {
			piece := []byte(c.piece)
			a := newActivityReader(&repeatReader{piece: piece}, c.limit)
			if strings.HasPrefix(c.name, "paste") {
				a.scan.scan([]byte(pasteStart), false) // in a paste that never ends
			}
			buf := make([]byte, 256)
			b.SetBytes(int64(len(piece)))
			for b.Loop() {
				if _, err := a.Read(buf); err != nil {
					b.Fatal(err)
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
	p := tea.NewProgram(keysModel{text: &strings.Builder{}},
		tea.WithInput(newActivityReader(strings.NewReader(want+keyCtrlC), defaultMaxPaste)),
		tea.WithOutput(io.Discard), tea.WithoutRenderer(), tea.WithoutSignalHandler())
	start := time.Now()
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
		t.Logf("%d bytes of text read in %s", len(want), time.Since(start).Round(time.Millisecond))
		if got := m.(keysModel).text.String(); got != want {
			t.Errorf("the program got %d bytes of text, not the %d sent (first difference at %d)", len(got), len(want), firstDiff(got, want))
		}
	case <-time.After(screenTimeout):
		p.Kill()
		t.Fatalf("%d bytes of text without a break, then ctrl+c: not read after %s", len(want), screenTimeout)
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
	{
		var src io.Reader = strings.NewReader(send + keyCtrlC)
		if size > 0 {
			src = &pieces{s: []byte(send + keyCtrlC), rng: rand.New(rand.NewPCG(uint64(size), 7)), max: size, escWhole: true}
		}
		p := tea.NewProgram(keysModel{text: &strings.Builder{}},
			tea.WithInput(newActivityReader(src, defaultMaxPaste)),
			tea.WithOutput(io.Discard), tea.WithoutRenderer(), tea.WithoutSignalHandler())
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
			if got := m.(keysModel).text.String(); got != want {
				t.Errorf("the program got %d bytes, not the %d sent (first difference at %d)", len(got), len(want), firstDiff(got, want))
			}
		case <-time.After(screenTimeout):
			p.Kill()
			t.Fatalf("not read after %s", screenTimeout)
		}
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
	p := tea.NewProgram(keys, tea.WithInput(newActivityReader(pr, defaultMaxPaste)),
		tea.WithOutput(io.Discard), tea.WithoutRenderer(), tea.WithoutSignalHandler())
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
	// A full read of Bubble Tea's (256 bytes) that ends with ESC: held, and
	// handed on with what follows.
	expect(strings.Repeat("a", 255)+"\x1b", strings.Repeat("a", 255))
	expect("[A", "up")
	expect(keyCtrlC, "ctrl+c")
	pw.Close()
	<-done
}
