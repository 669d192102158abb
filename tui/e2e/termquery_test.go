package e2e

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// A subcommand, which draws no screen, does not ask the terminal its
// background colour: in a pty nobody answers for (docker run -t, script in
// CI) the question held every command 5 s before it started (found by an
// adversarial run). The wizard still asks (its colours need the answer).
func TestASubcommandDoesNotAskTheTerminalItsBackground(t *testing.T) {
	env := []string{"HOME=" + t.TempDir(), "XDG_STATE_HOME=" + t.TempDir()}
	for _, args := range [][]string{{"version"}, {"--demo", "list"}, {"create", "--help"}, {"--version"}, {"--help"}} {
		term := start(t, env, args...)
		select {
		case <-term.done:
		case <-time.After(20 * time.Second):
			t.Fatalf("%v did not end", args)
		}
		term.mu.Lock()
		out := term.out.Bytes()
		term.mu.Unlock()
		if bytes.Contains(out, []byte("\x1b]11;?")) {
			t.Errorf("%v asked the terminal its background:\n%q", args, out)
		}
	}
	wizard := start(t, env, "--demo")
	wizard.waitFor("What kind of ticket?")
	wizard.mu.Lock()
	asked := strings.Contains(wizard.out.String(), "\x1b]11;?")
	wizard.mu.Unlock()
	if !asked {
		t.Error("the wizard did not ask the terminal its background")
	}
}
