package server

import (
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// closedIn reports whether the server closes c within d.
func closedIn(c *gossh.Client, d time.Duration) bool {
	done := make(chan struct{})
	go func() { _ = c.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// A signed-in connection must start the wizard within the login timeout, and
// one whose wizard has ended must start another within it, or it is closed:
// signing in is not a way to hold connections and channels for hours.
func TestASignedInConnectionWithoutASessionIsClosedAfterTheLoginTimeout(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	cfg := e.config()
	cfg.LoginTimeout = 500 * time.Millisecond
	cfg.MaxSessionTime = 0 // no other time limit could close them
	cfg.MaxUnauthenticated, cfg.MaxUnauthenticatedPerAddress = 100, 10
	e.start(cfg)
	dial := func() *gossh.Client { return e.signedIn("alice") }
	// Signed in, no channel.
	bare := dial()
	// A session channel with a pty, and no shell.
	noShell := dial()
	sess, err := noShell.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	// A wizard that ended, its connection kept open.
	ended := dial()
	tm := openTermOn(t, ended, "xterm-256color", 100, 30)
	tm.waitFor("What kind of ticket?")
	tm.send(keyCtrlC)
	tm.wait()
	// A wizard that runs.
	running := e.openTerm("alice", "xterm-256color", 100, 30)
	running.waitFor("What kind of ticket?")

	for what, c := range map[string]*gossh.Client{"no channel": bare, "a pty and no shell": noShell, "a wizard that ended": ended} {
		if !closedIn(c, screenTimeout) {
			t.Errorf("a signed-in connection with %s was still open %s after a login timeout of %s", what, screenTimeout, cfg.LoginTimeout)
		}
	}
	if !strings.Contains(e.logs.String(), "no session started within the login timeout") {
		t.Errorf("the closes are not logged:\n%s", e.logs.String())
	}
	// The running wizard outlives the login timeout several times over.
	time.Sleep(3 * cfg.LoginTimeout)
	running.send(keyEnter)
	if _, ok := running.waitAny(screenTimeout, "Which tenant?", "Which database?"); !ok {
		t.Fatalf("the running session stopped answering after the login timeout; it showed:\n%s", running.tail())
	}
}

// A signed-in connection holds its sign-in slot until its wizard starts: one
// address cannot hold more than --max-unauthenticated-per-address
// connections without a session.
func TestSignedInConnectionsHoldTheirSignInSlotUntilTheirSessionStarts(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	cfg := e.config()
	cfg.LoginTimeout = time.Minute // the limit refuses them, not the time-out
	cfg.MaxUnauthenticated, cfg.MaxUnauthenticatedPerAddress = 100, 2
	e.start(cfg)
	var held []*gossh.Client
	for i := range 2 {
		c, err := e.dial("alice")
		if err != nil {
			t.Fatalf("signed-in connection %d of 2: %v", i+1, err)
		}
		t.Cleanup(func() { c.Close() })
		held = append(held, c)
	}
	for i := range 3 {
		if c, err := e.dial("alice"); err == nil {
			c.Close()
			t.Fatalf("connection %d was let in beside 2 signed-in connections without a session, with at most 2 per address", 3+i)
		}
	}
	// A wizard started gives the slot back.
	tm := openTermOn(t, held[0], "xterm-256color", 100, 30)
	tm.waitFor("What kind of ticket?")
	deadline := time.Now().Add(screenTimeout)
	for {
		c, err := e.dial("alice")
		if err == nil {
			// A round trip first: the server has taken the connection on
			// its books (charmbracelet/ssh's trackConn) before the test
			// ends and shuts it down; a connection still between its
			// sign-in and that, during Shutdown, is a race in the library.
			_, _, _ = c.SendRequest("keepalive@dmsticket", true, nil)
			t.Cleanup(func() { c.Close() })
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a connection that started its wizard still holds its sign-in slot: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
