package server

import (
	"context"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
)

// Over SSH the result screen follows the ticket its session created
// (PRODUCT section 13): these tests read what the simulator received while
// sessions sit on their result screens, leave them, and end.

// statusReads are the DMS actions a status read makes (dms.Watcher.Read).
var statusReads = map[string]bool{
	"GetOrderBaseInfo": true, "GetDataExportOrderDetail": true, "PreviewWorkflow": true,
	"GetDataExportPreCheckDetail": true, "GetApprovalDetail": true,
}

// readsOf counts the status reads of ticket id the simulator received (the
// base info call each read starts with).
func readsOf(sim *dmssim.Running, id int64) int {
	n := 0
	for _, c := range sim.Server.RequestsFor("GetOrderBaseInfo") {
		if c.Params.Get("OrderId") == strconv.FormatInt(id, 10) {
			n++
		}
	}
	return n
}

// fileTicket walks the wizard to a created ticket and returns its ID.
func (e *testEnv) fileTicket(tm *term, comment string) int64 {
	e.t.Helper()
	tm.walkToReview("orders_dev", exportSQL, comment)
	tm.send(keyEnter)
	tm.waitFor("Ticket created")
	for _, o := range e.sim.Server.Orders() {
		if o.Comment == comment {
			return o.OrderID
		}
	}
	e.t.Fatalf("no ticket with comment %q in the simulator", comment)
	return 0
}

// waitReads waits until the simulator has seen at least n status reads of
// ticket id.
func waitReads(t *testing.T, sim *dmssim.Running, id int64, n int) {
	t.Helper()
	deadline := time.Now().Add(screenTimeout)
	for readsOf(sim, id) < n {
		if time.Now().After(deadline) {
			t.Fatalf("ticket %d was read %d times in %s, want at least %d", id, readsOf(sim, id), screenTimeout, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// programGoroutines are the goroutines still running the wizard's code or
// Bubble Tea's, one stack each.
func programGoroutines() []string {
	var b strings.Builder
	_ = pprof.Lookup("goroutine").WriteTo(&b, 2)
	var out []string
	for _, g := range strings.Split(b.String(), "\n\n") {
		if strings.Contains(g, "dmsticket/tui.") || strings.Contains(g, "github.com/charmbracelet/bubbletea.") {
			out = append(out, g)
		}
	}
	return out
}

// waitNoProgram waits until no goroutine runs the wizard's or Bubble Tea's
// code any more.
func waitNoProgram(t *testing.T, what string) {
	t.Helper()
	deadline := time.Now().Add(screenTimeout)
	for {
		left := programGoroutines()
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines of the wizard %s %s later, the first:\n%s", len(left), what, screenTimeout, left[0])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLeavingTheResultScreenStopsReadingTheTicket(t *testing.T) {
	for _, c := range []struct{ key, screen string }{
		{"e", "Review · the request exactly as it will be sent"},
		{"n", "What kind of ticket?"},
	} {
		t.Run(c.key, func(t *testing.T) {
			e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
			e.prepare = func(srv *Server) { srv.pollEvery = 20 * time.Millisecond }
			e.start(e.config())
			tm := e.openTerm("alice", "xterm-256color", 100, 40)
			id := e.fileTicket(tm, "Paid orders, "+c.key)
			waitReads(t, e.sim, id, 3) // it is being followed

			tm.send(c.key)
			tm.waitFor(c.screen)
			time.Sleep(100 * time.Millisecond) // a read that was on its way lands
			n := readsOf(e.sim, id)
			time.Sleep(400 * time.Millisecond) // twenty poll intervals
			if m := readsOf(e.sim, id); m != n {
				t.Errorf("ticket %d was still read after %q left its result screen: %d reads, then %d", id, c.key, n, m)
			}
			// The session goes on; the following's wait is gone with it.
			for _, g := range programGoroutines() {
				if strings.Contains(g, "dmsticket/tui.(*resultStep)") {
					t.Errorf("a goroutine of the following is left after %q:\n%s", c.key, g)
				}
			}
		})
	}
}

func TestASessionThatEndsLeavesNoReadAndNoGoroutine(t *testing.T) {
	for _, c := range []struct {
		name    string
		limited bool // the next read waits on the shared limit; else on the poll's pace (an hour)
		drop    bool // the connection drops; else ctrl+c
	}{
		{"ctrl+c while a read waits on the limit", true, false},
		{"connection dropped while a read waits on the limit", true, true},
		{"ctrl+c between two reads", false, false},
		{"connection dropped between two reads", false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
			// One read goes out at once; the next waits, on the shared limit
			// until the session ends (or the test gives up), or an hour.
			waiting, ended := make(chan struct{}, 8), make(chan error, 8)
			var reads atomic.Int32
			limit := func(ctx context.Context) error {
				if reads.Add(1) == 1 {
					return nil
				}
				waiting <- struct{}{}
				select {
				case <-ctx.Done():
					ended <- ctx.Err()
					return ctx.Err()
				case <-time.After(time.Minute):
					ended <- nil
					return nil
				}
			}
			e.prepare = func(srv *Server) {
				srv.pollLimit, srv.pollEvery = limit, 10*time.Millisecond
				if !c.limited {
					srv.pollEvery = time.Hour
				}
			}
			srv := e.start(e.config())
			tm := e.openTerm("alice", "xterm-256color", 100, 40)
			id := e.fileTicket(tm, "Paid orders for finance")
			waitReads(t, e.sim, id, 1)
			if c.limited {
				select {
				case <-waiting:
				case <-time.After(screenTimeout):
					t.Fatal("no second read waited on the limit")
				}
			}

			if c.drop {
				tm.client.Close()
			} else {
				tm.send(keyCtrlC)
				tm.wait()
			}
			if c.limited {
				select {
				case err := <-ended:
					if err == nil {
						t.Fatal("the read waiting on the limit went on after the session ended")
					}
				case <-time.After(screenTimeout):
					t.Fatal("the read waiting on the limit did not end with the session")
				}
			}
			if !waitIdle(srv, screenTimeout) {
				t.Fatalf("%d sessions still open", srv.liveCount())
			}
			n := len(e.sim.Server.Requests())
			waitNoProgram(t, "after the session ended")
			time.Sleep(100 * time.Millisecond) // ten poll intervals
			if m := len(e.sim.Server.Requests()); m != n || readsOf(e.sim, id) != 1 {
				t.Errorf("the simulator received %d requests after the session ended (%d status reads of the ticket in all, want 1)", m-n, readsOf(e.sim, id))
			}
		})
	}
}

func TestASessionReadsOnlyTheTicketItCreated(t *testing.T) {
	// Two people on two profiles, each acting as their own DMS user: every
	// status read the simulator received as one user is of that user's
	// ticket.
	credA := dmssim.Credential{AccessKeyID: "profile-a-id", AccessKeySecret: "profile-a-secret", UserID: 2000002}
	credB := dmssim.Credential{AccessKeyID: "profile-b-id", AccessKeySecret: "profile-b-secret", UserID: 2000003}
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002, profile: "a"}, userSpec{name: "bob", dmsID: 2000003, profile: "b"})
	e.sim = startSim(t, credA, credB)
	clients := map[string]*dms.Client{"a": simClient(t, e.sim, credA), "b": simClient(t, e.sim, credB)}
	e.connect = func(profile string) (dms.Service, error) { return clients[profile], nil }
	e.prepare = func(srv *Server) { srv.pollEvery = 20 * time.Millisecond }
	e.start(e.config())

	alice := e.openTerm("alice", "xterm-256color", 100, 40)
	bob := e.openTerm("bob", "xterm-256color", 100, 40)
	ids := map[int64]int64{} // DMS user → the ticket their session created
	ids[credA.UserID] = e.fileTicket(alice, "alice's export")
	ids[credB.UserID] = e.fileTicket(bob, "bob's export")
	for _, id := range ids {
		waitReads(t, e.sim, id, 5) // both sessions follow their tickets at once
	}

	seen := map[int64]map[string]int{} // user → order ID read → calls
	for _, c := range e.sim.Server.Requests() {
		if !statusReads[c.Action] || c.Status == 0 {
			continue // in flight: recorded before it is authenticated
		}
		if seen[c.UserID] == nil {
			seen[c.UserID] = map[string]int{}
		}
		seen[c.UserID][c.Params.Get("OrderId")]++
	}
	for user, id := range ids {
		own := strconv.FormatInt(id, 10)
		if seen[user][own] == 0 {
			t.Errorf("DMS user %d: no status read of their ticket %d", user, id)
		}
		for read, n := range seen[user] {
			if read != own {
				t.Errorf("DMS user %d: %d status calls for ticket %q, which is not theirs (%d)", user, n, read, id)
			}
		}
	}
	if len(seen) != 2 {
		t.Errorf("status reads came as %d DMS users, want the 2 of the sessions: %v", len(seen), seen)
	}
}
