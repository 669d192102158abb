// Package e2e runs the built dmsticket binary in a pseudo-terminal, as a
// person would: the tests here start it, type into it, kill it, and read what
// it drew.
package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds dmsticket once per test run.
func binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dmsticket-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "dmsticket")
		cmd := exec.Command("go", "build", "-o", binPath, "dmsticket")
		cmd.Dir = "../.."
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = &buildError{out: string(out), err: err}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.out }

// terminal is the program running in a pty, with everything it drew.
type terminal struct {
	t    testing.TB
	cmd  *exec.Cmd
	pty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

// start runs the binary in an 80×24 pty. Like a real terminal, it answers the
// program's background-colour query.
func start(t testing.TB, env []string, args ...string) *terminal {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "TERM=xterm-256color", "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true"}, env...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, cmd: cmd, pty: f, done: make(chan struct{})}
	go term.read()
	t.Cleanup(term.stop)
	return term
}

func (term *terminal) read() {
	defer close(term.done)
	buf := make([]byte, 32<<10)
	for {
		n, err := term.pty.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if bytes.Contains(chunk, []byte("\x1b]11;?")) {
				_, _ = term.pty.Write([]byte("\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\"))
			}
			if bytes.Contains(chunk, []byte("\x1b[6n")) {
				_, _ = term.pty.Write([]byte("\x1b[1;1R"))
			}
			term.mu.Lock()
			term.out.Write(chunk)
			term.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

func (term *terminal) stop() {
	if term.cmd.Process != nil {
		_ = term.cmd.Process.Kill()
		_, _ = term.cmd.Process.Wait()
	}
	term.pty.Close()
	<-term.done
}

// screen is everything drawn so far as plain text.
func (term *terminal) screen() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return ansi.Strip(term.out.String())
}

// mark forgets what was drawn so far, so waitFor looks only at what comes next.
func (term *terminal) mark() {
	term.mu.Lock()
	term.out.Reset()
	term.mu.Unlock()
}

func (term *terminal) waitFor(text string) {
	term.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(term.screen(), text) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	term.t.Fatalf("never drew %q; drew:\n%s", text, term.screen())
}

func (term *terminal) send(s string) {
	term.t.Helper()
	if _, err := term.pty.Write([]byte(s)); err != nil {
		term.t.Fatal(err)
	}
}

// TestKilledProcessLosesNoDraft types SQL, kills the process with SIGKILL,
// starts it again and finds the draft offered with the text intact.
func TestKilledProcessLosesNoDraft(t *testing.T) {
	state := t.TempDir()
	env := []string{"XDG_STATE_HOME=" + state, "HOME=" + t.TempDir()}
	term := start(t, env, "--demo")
	term.waitFor("What kind of ticket?")
	term.send("\r")
	term.waitFor("Which tenant?")
	term.send("\r")
	term.waitFor("Which database?")
	term.mark()
	term.send("orders_dev")
	term.waitFor("1 shown · 1 found in DMS")
	term.send("\r")
	term.waitFor("read-only statements only")
	const sql = "SELECT id, total FROM orders WHERE total > 77"
	term.send(sql)
	draftPath := filepath.Join(state, "dmsticket", "draft-demo.json")
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(draftPath)
		if bytes.Contains(b, []byte("total \\u003e 77")) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the draft never held the SQL: %s", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := term.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, _ = term.cmd.Process.Wait()

	again := start(t, env, "--demo")
	again.waitFor("Resume the unfinished ticket?")
	again.waitFor("Export data, on orders_dev@10.40.1.11:3306, 1 line of SQL")
	again.mark()
	again.send("\r")
	again.waitFor(sql)
	again.waitFor("line 1, col 1")
}

// BenchmarkStartupToFirstFrame is the whole process: exec of the built
// binary with --demo in an 80×24 pty (which answers the background-colour
// query as terminals do) until the first frame of the type list is drawn.
func BenchmarkStartupToFirstFrame(b *testing.B) {
	bin := binary(b)
	env := []string{"PATH=" + os.Getenv("PATH"), "TERM=xterm-256color", "XDG_STATE_HOME=" + b.TempDir(), "HOME=" + b.TempDir()}
	for b.Loop() {
		cmd := exec.Command(bin, "--demo")
		cmd.Env = env
		f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
		if err != nil {
			b.Fatal(err)
		}
		var seen bytes.Buffer
		buf := make([]byte, 32<<10)
		for !bytes.Contains(seen.Bytes(), []byte("What kind of ticket?")) {
			n, err := f.Read(buf)
			if n > 0 {
				chunk := buf[:n]
				if bytes.Contains(chunk, []byte("\x1b]11;?")) {
					_, _ = f.Write([]byte("\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\"))
				}
				if bytes.Contains(chunk, []byte("\x1b[6n")) {
					_, _ = f.Write([]byte("\x1b[1;1R"))
				}
				seen.Write(chunk)
			}
			if err != nil {
				b.Fatalf("the program ended before its first frame: %v\n%s", err, seen.String())
			}
		}
		b.StopTimer()
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
		f.Close()
		b.StartTimer()
	}
}

// TestNoCredentialsShowsOneScreenWithTheFix runs the real binary against
// DMS with no credentials anywhere: one screen says where it looked, how to
// fix it, and that --demo needs none. Nothing is contacted.
func TestNoCredentialsShowsOneScreenWithTheFix(t *testing.T) {
	env := []string{"HOME=" + t.TempDir(), "XDG_STATE_HOME=" + t.TempDir()}
	term := start(t, env, "--endpoint", "http://127.0.0.1:9")
	for _, want := range []string{"No Alibaba Cloud credentials found", "ALIBABA_CLOUD_ACCESS_KEY_ID", "aliyun configure", "dmsticket --demo"} {
		term.waitFor(want)
	}
	term.send("q")
	if err := waitExit(term, 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestNoColorDrawsWithoutColour: NO_COLOR gives a monochrome wizard (bold and
// reverse video stay; no colour sequence is written).
func TestNoColorDrawsWithoutColour(t *testing.T) {
	term := start(t, []string{"HOME=" + t.TempDir(), "XDG_STATE_HOME=" + t.TempDir(), "NO_COLOR=1", "COLORTERM=truecolor"}, "--demo")
	term.waitFor("What kind of ticket?")
	term.send("\r")
	term.waitFor("Which tenant?")
	term.send("\r")
	term.waitFor("PRODUCTION")
	term.mu.Lock()
	raw := term.out.String()
	term.mu.Unlock()
	for _, colour := range []string{"[38;2;", "[48;2;", "[38;5;", "[48;5;", ";38;", ";48;"} {
		if strings.Contains(raw, colour) {
			t.Fatalf("colour sequence %q in NO_COLOR output", colour)
		}
	}
}

func waitExit(term *terminal, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- term.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		return errors.New("the program did not exit")
	}
}
