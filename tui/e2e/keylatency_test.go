//go:build perf

package e2e

// The real binary at the 4 MiB limit, key to screen: run with
//
//	go test -tags perf -run TestKeyToScreenAt4MiB -v -count 1 ./tui/e2e/
//
// (DMSTICKET_BIN=/path/to/dmsticket measures that binary instead of
// building this tree). It opens a 4 MiB script in --demo with ctrl+o in a
// 120×40 pty and types at a typist's pace at the top of the script, where a
// quote changes the state of every line below, then in the middle; each
// key's latency is the time from writing it to the pty to reading the frame
// whose status line shows the cursor's new column. Timed, so behind a build
// tag: nothing here asserts a time, it reports.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"
)

// latencyTerm is the program in a pty, with a signal for each read.
type latencyTerm struct {
	t     *testing.T
	cmd   *exec.Cmd
	f     *os.File
	mu    sync.Mutex
	out   bytes.Buffer // since the last mark
	chunk chan struct{}
	done  chan struct{}
}

func startLatency(t *testing.T, bin string, env []string, cols, rows uint16) *latencyTerm {
	cmd := exec.Command(bin, "--demo")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "TERM=xterm-256color", "COLORTERM=truecolor", "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true"}, env...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: rows, Cols: cols})
	if err != nil {
		t.Fatal(err)
	}
	term := &latencyTerm{t: t, cmd: cmd, f: f, chunk: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(term.done)
		buf := make([]byte, 64<<10)
		for {
			n, err := f.Read(buf)
			if n > 0 {
				c := buf[:n]
				if bytes.Contains(c, []byte("\x1b]11;?")) {
					_, _ = f.Write([]byte("\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\"))
				}
				if bytes.Contains(c, []byte("\x1b[6n")) {
					_, _ = f.Write([]byte("\x1b[1;1R"))
				}
				term.mu.Lock()
				term.out.Write(c)
				term.mu.Unlock()
				select {
				case term.chunk <- struct{}{}:
				default:
				}
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
		f.Close()
		<-term.done
	})
	return term
}

func (term *latencyTerm) mark() {
	term.mu.Lock()
	term.out.Reset()
	term.mu.Unlock()
}

// waitFor waits until what was drawn since the last mark shows text, and
// returns when the read that completed it arrived.
func (term *latencyTerm) waitFor(text string, within time.Duration) time.Time {
	term.t.Helper()
	deadline := time.After(within)
	for {
		term.mu.Lock()
		seen := strings.Contains(ansi.Strip(term.out.String()), text)
		term.mu.Unlock()
		if seen {
			return time.Now()
		}
		select {
		case <-term.chunk:
		case <-deadline:
			term.mu.Lock()
			drawn := ansi.Strip(term.out.String())
			term.mu.Unlock()
			term.t.Fatalf("never drew %q; drew:\n%s", text, drawn)
		}
	}
}

func (term *latencyTerm) send(s string) time.Time {
	at := time.Now()
	if _, err := term.f.Write([]byte(s)); err != nil {
		term.t.Fatal(err)
	}
	return at
}

// scriptOf writes a realistic export script of at most size bytes: SELECTs
// over several lines, comments, a string over two lines, a long IN list
// every 130 lines.
func scriptOf(t *testing.T, size int) (string, int) {
	var b strings.Builder
	lines := 0
	add := func(s string) {
		if b.Len()+len(s)+1 > size {
			return
		}
		if lines > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(s)
		lines++
	}
	for i := 0; b.Len() < size-2000; i++ {
		add(fmt.Sprintf("-- paid orders of region %d, for the monthly reconciliation", i%97))
		add("SELECT o.id, o.total, c.name, c.email")
		add("  FROM orders o")
		add("  JOIN customers c ON c.id = o.customer_id")
		add(fmt.Sprintf(" WHERE o.total > %d AND o.note <> 'x<y'", i%97))
		add("   AND o.created_at >= '2026-07-01';")
		add(fmt.Sprintf("/* Customers flagged by the fraud check (ticket #%d);", i))
		add("   their notes are compared line by line. */")
		add("SELECT c.id, c.name FROM customers c")
		add(" WHERE c.note LIKE 'flagged:")
		add(fmt.Sprintf("review %d%%'", i%97))
		add("   AND c.deleted_at IS NULL;")
		if i%10 == 9 {
			var in strings.Builder
			for j := range 110 {
				if j > 0 {
					in.WriteString(", ")
				}
				fmt.Fprintf(&in, "%d", 100000+(i*113+j*7)%900000)
			}
			add("SELECT id, status, total FROM orders WHERE id IN (" + in.String() + ");")
		}
	}
	path := filepath.Join(t.TempDir(), "big.sql")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, lines
}

// percentile of sorted durations.
func percentile(d []time.Duration, p float64) time.Duration {
	return d[min(len(d)-1, int(p*float64(len(d))))]
}

func TestKeyToScreenAt4MiB(t *testing.T) {
	bin := os.Getenv("DMSTICKET_BIN")
	if bin == "" {
		bin = binary(t)
	}
	// The same typing in a 12 KB script first: the floor (Bubble Tea draws
	// at most 60 frames a second, so a frame waits up to 16.7 ms for its
	// turn, 8 ms in the median).
	t.Run("12KB", func(t *testing.T) { keyToScreen(t, bin, 12<<10) })
	t.Run("4MiB", func(t *testing.T) { keyToScreen(t, bin, 4<<20) })
}

func keyToScreen(t *testing.T, bin string, size int) {
	path, lines := scriptOf(t, size)
	fi, _ := os.Stat(path)
	term := startLatency(t, bin, []string{"XDG_STATE_HOME=" + t.TempDir(), "HOME=" + t.TempDir()}, 120, 40)
	term.waitFor("What kind of ticket?", 15*time.Second)
	term.send("\r")
	term.waitFor("Which tenant?", 15*time.Second)
	term.send("\r")
	term.waitFor("Which database?", 15*time.Second)
	term.mark()
	term.send("orders_dev")
	term.waitFor("1 found in DMS", 15*time.Second)
	term.send("\r")
	term.waitFor("read-only statements only", 15*time.Second)

	term.send("\x0f") // ctrl+o
	term.waitFor("Open:", 5*time.Second)
	term.send(path)
	time.Sleep(200 * time.Millisecond)
	term.mark()
	sent := term.send("\r")
	loaded := term.waitFor("ctrl+z brings back what was there", 60*time.Second)
	t.Logf("%s (%d bytes, %d lines): enter to the frame saying it is loaded: %v", filepath.Base(path), fi.Size(), lines, loaded.Sub(sent).Round(100*time.Microsecond))
	time.Sleep(time.Second) // the checks and the draft of the opened file

	typeAt := func(where string, snippet string, col0 int) []time.Duration {
		var lat []time.Duration
		col := col0
		for i, c := range snippet {
			col++
			term.mark()
			at := term.send(string(c))
			got := term.waitFor(fmt.Sprintf("col %d ·", col), 10*time.Second)
			lat = append(lat, got.Sub(at))
			// A typist's pace: 80 to 200 ms between keys, so the checks
			// (after 120 ms) and the draft (every 500 ms) run between them.
			time.Sleep(time.Duration(80+(i*37)%120) * time.Millisecond)
		}
		s := slices.Clone(lat)
		slices.Sort(s)
		t.Logf("%s: %d keys, key to screen p50 %v · p90 %v · max %v", where, len(s),
			percentile(s, 0.5).Round(10*time.Microsecond), percentile(s, 0.9).Round(10*time.Microsecond), s[len(s)-1].Round(10*time.Microsecond))
		return lat
	}
	snippet := "7 AND o.status = 'paid' OR o.note = 'x' "
	top := typeAt("line 1 (a quote changes every line below)", snippet+snippet, 1)
	// The middle: pgdown to about half way, then to the line's start.
	for range lines / 2 / 36 {
		term.send("\x1b[6~")
		time.Sleep(time.Millisecond)
	}
	time.Sleep(3 * time.Second)
	term.mark()
	term.send("\x01") // ctrl+a
	term.waitFor("col 1 ·", 10*time.Second)
	time.Sleep(500 * time.Millisecond)
	mid := typeAt("the middle", snippet+snippet, 1)
	all := slices.Concat(top, mid)
	slices.Sort(all)
	t.Logf("all %d keys: p50 %v · p90 %v · p99 %v · max %v", len(all), percentile(all, 0.5).Round(10*time.Microsecond),
		percentile(all, 0.9).Round(10*time.Microsecond), percentile(all, 0.99).Round(10*time.Microsecond), all[len(all)-1].Round(10*time.Microsecond))
}
