package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"dmsticket/dms/dmssim"
	"dmsticket/dms/dmssim/dmssimtest"
	"dmsticket/tui/wizard"
)

// simFor starts a simulator in the test process for the binary to talk to.
func simFor(t *testing.T) (*dmssim.Running, []string) {
	t.Helper()
	w := dmssimtest.New(t)
	env := []string{"ALIBABA_CLOUD_ACCESS_KEY_ID=" + w.Credential.AccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET=" + w.Credential.AccessKeySecret}
	return w.Sim, env
}

// toReview walks a fresh wizard to the review of an export on orders_dev.
func toReview(t *testing.T, term *terminal, comment string) {
	t.Helper()
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
	term.send("SELECT id FROM orders")
	term.mark()
	term.send("\x13")
	term.waitFor("Comment")
	term.send(comment + "\r" + "finance\r\r\r\r")
	term.waitFor("exactly as it will be sent")
}

// TestAKillAtAnyMomentOfASubmitFilesOneTicket submits with a simulator that
// answers CreateOrder only after two seconds, and kills the process with
// SIGKILL at each moment of the submit: right after enter (before or while
// the submission is written down), while the request is on its way (the
// ticket exists, its answer does not), and after the answer. The next start,
// driven to the end however it resumes, leaves exactly one ticket, and
// pressing enter again files nothing more.
func TestAKillAtAnyMomentOfASubmitFilesOneTicket(t *testing.T) {
	moments := []struct {
		name  string
		after time.Duration
		wait  string // killed once this is drawn, after `after`
	}{
		{"right after enter", 0, ""},
		{"while CreateOrder is on its way", 700 * time.Millisecond, "Sending CreateOrder"},
		{"after the answer", 0, "Ticket created"},
	}
	for _, mo := range moments {
		t.Run(mo.name, func(t *testing.T) {
			sim, creds := simFor(t)
			sim.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.SlowAnswer, Delay: 2 * time.Second})
			state := t.TempDir()
			env := append([]string{"XDG_STATE_HOME=" + state, "HOME=" + t.TempDir()}, creds...)
			args := []string{"--endpoint", sim.Endpoint}
			comment := "kill " + mo.name
			term := start(t, env, args...)
			toReview(t, term, comment)
			time.Sleep(700 * time.Millisecond) // the draft has caught up with the review
			term.mark()
			term.send("\r")
			if mo.wait != "" {
				term.waitFor(mo.wait)
			}
			time.Sleep(mo.after)
			if err := term.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_, _ = term.cmd.Process.Wait()
			time.Sleep(2500 * time.Millisecond) // whatever was sent has been handled

			again := start(t, env, args...)
			finish(t, again)
			for range 3 {
				again.send("\r")
			}
			time.Sleep(500 * time.Millisecond)
			if n := len(sim.Server.Orders()); n != 1 {
				t.Fatalf("%d tickets after a kill %s and a restart, want 1; screen:\n%s", n, mo.name, again.screen())
			}
		})
	}
}

// finish drives a restarted wizard until a ticket exists, whichever way it
// resumes: the lookup finds the ticket; or it finds none, waits for a
// request that may still be on its way, and r sends it;
// or the draft is offered (nothing was in flight) and the review submits
// it; or a fresh start (the ticket was created and the draft removed).
func finish(t *testing.T, term *terminal) {
	t.Helper()
	// A request the killed run may have left on its way is waited for
	// (wizard.SendSettles) before r can send it again: looked up again
	// until then.
	deadline := time.Now().Add(20*time.Second + wizard.SendSettles)
	for time.Now().Before(deadline) {
		s := term.screen()
		switch {
		case strings.Contains(s, "Ticket created"):
			return
		case strings.Contains(s, "may still be on its way") && strings.Contains(s, "l look"):
			time.Sleep(2 * time.Second)
			term.mark()
			term.send("l")
		case strings.Contains(s, "What kind of ticket?") && !strings.Contains(s, "Resume"):
			return // nothing to resume: the ticket was created before the kill
		case strings.Contains(s, "r submits again"):
			term.mark()
			term.send("r")
		case strings.Contains(s, "Resume the unfinished ticket?"):
			term.mark()
			term.send("\r")
		case strings.Contains(s, "exactly as it will be sent") && !strings.Contains(s, "Sending"):
			term.mark()
			term.send("\r")
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the restarted wizard never got to a ticket; screen:\n%s", term.screen())
}
