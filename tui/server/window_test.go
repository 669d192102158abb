package server

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"
)

// cappedOutput is a session's output, counted, kept up to limit bytes and
// given up on past them: a test of hostile sizes must not take the test
// machine down when the server misbehaves.
type cappedOutput struct {
	mu    sync.Mutex
	total int
	kept  []byte
	limit int
	over  chan struct{} // closed once total exceeds limit
}

func newCappedOutput(limit int) *cappedOutput {
	return &cappedOutput{limit: limit, over: make(chan struct{})}
}

func (c *cappedOutput) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	was := c.total
	c.total += len(p)
	if was <= c.limit && c.total > c.limit {
		close(c.over)
	}
	if room := c.limit - len(c.kept); room > 0 {
		c.kept = append(c.kept, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (c *cappedOutput) bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

func (c *cappedOutput) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return ansi.Strip(string(c.kept))
}

// sized is a session whose output is capped.
type sized struct {
	sess *gossh.Session
	in   io.WriteCloser
	out  *cappedOutput
}

// openSized starts the wizard in a pty of w×h (uint32s, as on the wire) with
// the output capped at limit bytes.
func openSized(t *testing.T, c *gossh.Client, w, h uint32, limit int) *sized {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	s := &sized{sess: sess, out: newCappedOutput(limit)}
	sess.Stdout, sess.Stderr = s.out, s.out
	if s.in, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	// gossh's RequestPty takes ints; the payload is written here so that
	// any uint32 can be asked for.
	payload := gossh.Marshal(struct {
		Term                string
		Columns, Rows, W, H uint32
		Modes               string
	}{"xterm-256color", w, h, 0, 0, "\x00"})
	if ok, err := sess.SendRequest("pty-req", true, payload); err != nil || !ok {
		t.Fatalf("pty-req %d×%d: ok=%v err=%v", w, h, ok, err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	return s
}

// settle waits until the output shows want and then stops growing, and
// returns its size. It fails the test as soon as the output passes its cap.
func (s *sized) settle(t *testing.T, what, want string) int {
	t.Helper()
	deadline := time.Now().Add(screenTimeout)
	for !strings.Contains(s.out.text(), want) {
		select {
		case <-s.out.over:
			t.Fatalf("%s: more than %d bytes of output before %q was drawn: the size was not clamped", what, s.out.limit, want)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: waited %s for %q; the screen showed:\n%s", what, screenTimeout, want, s.out.text())
		}
	}
	n := s.out.bytes()
	for {
		select {
		case <-s.out.over:
			t.Fatalf("%s: more than %d bytes of output: the size was not clamped", what, s.out.limit)
		case <-time.After(300 * time.Millisecond):
		}
		m := s.out.bytes()
		if m == n || time.Now().After(deadline) {
			return m
		}
		n = m
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

func TestAHugeWindowCostsNoMoreThanTheLargestAllowedOneAndEverybodyElseGoesOn(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002}, userSpec{name: "bob", dmsID: 2000003})
	e.start(e.config())
	bob := e.openTerm("bob", "xterm-256color", 100, 30)
	bob.waitFor("What kind of ticket?")
	bob.waitFor("Export data")

	// Each window on a connection of its own: one connection has at most
	// maxChannelsPerConn sessions open, and a closed one is freed a moment
	// later.
	dial := func() *gossh.Client { return e.signedIn("alice") }
	// The largest window the server hands out, drawn: what every bigger
	// one may cost at most (its frame is about width×height bytes).
	ref := openSized(t, dial(), MaxWindowWidth, MaxWindowHeight, 8<<20)
	refBytes := ref.settle(t, "a 1000×500 window", "Export data")
	ref.sess.Close()
	// A window's first screen may cost what the largest one's does (and a
	// little more: the header's numbers); the cap leaves room for a redraw.
	frame := refBytes + refBytes/4 + 64<<10
	limit := 4*refBytes + 64<<10
	t.Logf("a %d×%d window: %d bytes until the first screen settled", MaxWindowWidth, MaxWindowHeight, refBytes)

	// A window a little too big first: today's server draws it in full
	// (some 5 MB), so the test stops here without asking for worse.
	probe := openSized(t, dial(), 1200, 4000, limit)
	probeBytes := probe.settle(t, "a 1200×4000 window", "Export data")
	probe.sess.Close()
	t.Logf("a 1200×4000 window: %d bytes", probeBytes)
	if probeBytes > frame {
		t.Fatalf("a 1200×4000 window cost %d bytes to draw, more than the %d of a %d×%d one allow: the size was not clamped",
			probeBytes, frame, MaxWindowWidth, MaxWindowHeight)
	}

	before := heapInUse()
	huge := openSized(t, dial(), 3000, 2_000_000_000, limit)
	hugeBytes := huge.settle(t, "a 3000×2,000,000,000 window", "Export data")
	// And a window change to the same, and to zero rows (ignored).
	if _, err := huge.sess.SendRequest("window-change", false, gossh.Marshal(struct{ C, R, W, H uint32 }{2_000_000_000, 2_000_000_000, 0, 0})); err != nil {
		t.Fatal(err)
	}
	if _, err := huge.sess.SendRequest("window-change", false, gossh.Marshal(struct{ C, R, W, H uint32 }{0, 0, 0, 0})); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(huge.in, "\x1b[B"); err != nil { // down: the screen is redrawn
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	afterBytes := huge.out.bytes()
	if hugeBytes > frame {
		t.Errorf("a 3000×2,000,000,000 window cost %d bytes to draw, more than %d", hugeBytes, frame)
	}
	if redraw := afterBytes - hugeBytes; redraw > 2*frame {
		t.Errorf("a 2,000,000,000² window change and a key cost %d bytes, more than two screens (%d)", redraw, 2*frame)
	}
	after := heapInUse()
	t.Logf("a 3000×2e9 window: %d bytes to the first screen, %d after a 2e9×2e9 window change; heap in use %d MB before, %d MB after",
		hugeBytes, afterBytes, before>>20, after>>20)
	if grown := int64(after) - int64(before); grown > 64<<20 {
		t.Errorf("the heap grew by %d MB for one huge window", grown>>20)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "window size clamped") || !strings.Contains(logs, fmt.Sprintf("given=%d×%d", MaxWindowWidth, MaxWindowHeight)) {
		t.Errorf("the clamp is not logged:\n%s", logs)
	}

	// Bob's session goes on, and new sessions are served.
	bob.send(keyEnter)
	if _, ok := bob.waitAny(screenTimeout, "Which tenant?", "Which database?"); !ok {
		t.Fatalf("bob's session stopped answering; it showed:\n%s", bob.tail())
	}
	carol := e.openTerm("alice", "xterm-256color", 80, 24)
	carol.waitFor("What kind of ticket?")
}

// The connection dropping closes the window changes' channel and ends the
// session's context at about the same moment, in either order: the program
// must quit on the context however the channel closed before it.
func TestTheProgramQuitsWhenTheWindowChangesEndBeforeTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := tea.NewProgram(quitOnlyModel{}, tea.WithInput(nil), tea.WithOutput(io.Discard),
		tea.WithoutRenderer(), tea.WithoutSignalHandler())
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	winch := make(chan ssh.Window)
	fed := make(chan struct{})
	go func() { feedWindowChanges(ctx, p, winch); close(fed) }()
	close(winch)
	time.Sleep(20 * time.Millisecond) // the feeder sees the channel closed first
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		p.Kill()
		t.Fatal("the program went on after the session's context ended")
	}
	<-fed
}

type quitOnlyModel struct{}

func (quitOnlyModel) Init() tea.Cmd                         { return nil }
func (m quitOnlyModel) Update(tea.Msg) (tea.Model, tea.Cmd) { return m, nil }
func (quitOnlyModel) View() string                          { return "" }
