//go:build unix

package create

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A FIFO nobody writes to, given as --sql-file or --from, blocks the open;
// an interrupt still ends the run at once with exit 130 and nothing sent
// (found by an adversarial run: it waited for ever, ignoring ctrl+c and
// SIGTERM).
func TestAnInterruptEndsARunWaitingOnAFIFO(t *testing.T) {
	w := newWorld(t)
	fifo := filepath.Join(t.TempDir(), "q.sql")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	for _, args := range [][]string{
		{"--type", "DATA_EXPORT", "--db", "orders_dev", "--comment", "c", "--classify", "x", "--affect-rows", "5", "--sql-file", fifo},
		{"--from", fifo, "--dry-run"},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		done := make(chan outcome, 1)
		go func() { done <- w.runCtx(ctx, args...) }()
		select {
		case o := <-done:
			o.want(t, ExitInterrupted)
			if !strings.Contains(o.stderr, "interrupted; nothing was sent") {
				t.Errorf("%v: stderr:\n%s", args, o.stderr)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%v: the run still waits on the FIFO 10 s after the interrupt", args)
		}
		cancel()
	}
	if w.createCalls() != 0 {
		t.Error("CreateOrder was sent")
	}
}
