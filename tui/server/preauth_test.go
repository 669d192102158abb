package server

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/log"
	gossh "golang.org/x/crypto/ssh"
)

// silentConn opens a TCP connection from the loopback address from (Linux
// routes all of 127.0.0.0/8 to lo) that never says anything.
func silentConn(t *testing.T, addr, from string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if errors.Is(err, syscall.EADDRNOTAVAIL) {
		t.Skipf("this system has no loopback address %s (Linux routes all of 127/8 to lo): %v", from, err)
	}
	if err != nil {
		t.Fatalf("dial from %s: %v", from, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// greeting reads the server's version line, or says the connection was
// closed without one.
func greeting(t *testing.T, c net.Conn) (string, bool) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(screenTimeout))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("no greeting and not closed after %s", screenTimeout)
		}
		return "", false
	}
	return strings.TrimSpace(line), true
}

// closedWithin reports whether the server closes c within d (the test reads
// and discards whatever it sends).
func closedWithin(c net.Conn, d time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(d))
	buf := make([]byte, 4096)
	for {
		if _, err := c.Read(buf); err != nil {
			return !errors.Is(err, os.ErrDeadlineExceeded)
		}
	}
}

// watchedConn is a client's connection that notes when the server closed it.
type watchedConn struct {
	net.Conn
	once sync.Once
	gone chan struct{}
}

func (c *watchedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil {
		c.once.Do(func() { close(c.gone) })
	}
	return n, err
}

func TestSilentConnectionsOverThePerAddressLimitAreClosedAtOnceAndARealUserStillSignsIn(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	cfg := e.config()
	cfg.LoginTimeout = time.Minute // the limit closes them, not the time-out
	cfg.MaxUnauthenticated, cfg.MaxUnauthenticatedPerAddress = 100, 5
	e.start(cfg)
	const flooder = "127.0.0.2"
	var held []net.Conn
	for range 5 {
		c := silentConn(t, e.addr, flooder)
		if line, ok := greeting(t, c); !ok || !strings.HasPrefix(line, "SSH-2.0-dmsticket") {
			t.Fatalf("connection %d within the limit: greeting %q, closed=%v", len(held)+1, line, !ok)
		}
		held = append(held, c)
	}
	for i := range 20 {
		c := silentConn(t, e.addr, flooder)
		if line, ok := greeting(t, c); ok {
			t.Fatalf("connection %d from %s, over the limit of 5, was greeted (%q), not closed", 6+i, flooder, line)
		}
	}
	// alice, from another address, signs in while the flood holds its slots.
	tm := e.openTerm("alice", "xterm-256color", 100, 30)
	tm.waitFor("What kind of ticket?")
	if !strings.Contains(e.logs.String(), "too many connections signing in") {
		t.Errorf("the refusals are not logged:\n%s", e.logs.String())
	}
	// A slot given back is free again.
	held[0].Close()
	deadline := time.Now().Add(screenTimeout)
	for {
		c := silentConn(t, e.addr, flooder)
		if _, ok := greeting(t, c); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a closed connection's slot was not given back")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSilentConnectionsOverTheTotalLimitAreClosedAtOnce(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	cfg := e.config()
	cfg.LoginTimeout = time.Minute
	cfg.MaxUnauthenticated, cfg.MaxUnauthenticatedPerAddress = 6, 0
	e.start(cfg)
	var held []net.Conn
	for i := range 6 {
		c := silentConn(t, e.addr, "127.0.0.3")
		if _, ok := greeting(t, c); !ok {
			t.Fatalf("connection %d within the limit was closed", i+1)
		}
		held = append(held, c)
	}
	// A seventh from the address holding them all is closed at once; one
	// from another address takes the slot of the oldest of them
	// (TestSilentConnectionsFromAFewAddressesDoNotLockOthersOut).
	if line, ok := greeting(t, silentConn(t, e.addr, "127.0.0.3")); ok {
		t.Errorf("a seventh connection from 127.0.0.3 was greeted (%q), not closed", line)
	}
	other := silentConn(t, e.addr, "127.0.0.4")
	if _, ok := greeting(t, other); !ok {
		t.Error("a connection from another address did not take a slot of the address holding them all")
	}
	if !closedWithin(held[0], screenTimeout) {
		t.Error("the oldest connection of the address holding them all was not closed")
	}
	// A signed-in connection holds no slot: with the silent ones gone, a
	// session and six silent connections fit.
	for _, c := range append(held, other) {
		c.Close()
	}
	var c *gossh.Client
	for deadline := time.Now().Add(screenTimeout); ; time.Sleep(20 * time.Millisecond) {
		var err error
		if c, err = e.dial("alice"); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the slots of closed connections were not given back: %v", err)
		}
	}
	tm := openTermOn(t, c, "xterm-256color", 100, 30)
	tm.waitFor("What kind of ticket?")
	deadline := time.Now().Add(screenTimeout)
	for n := 0; n < 6; {
		if _, ok := greeting(t, silentConn(t, e.addr, "127.0.0.5")); ok {
			n++
			continue
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of 6 silent connections fit beside a signed-in session", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestAConnectionThatDoesNotSignInIsClosedAfterTheLoginTimeout(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	cfg := e.config()
	cfg.LoginTimeout = 500 * time.Millisecond
	cfg.MaxSessionTime = 0 // no other time limit could close it
	cfg.MaxUnauthenticated, cfg.MaxUnauthenticatedPerAddress = 100, 10
	e.start(cfg)

	// Silent from the start.
	silent := silentConn(t, e.addr, "127.0.0.1")
	if _, ok := greeting(t, silent); !ok {
		t.Fatal("closed before the login timeout")
	}
	// Through the key exchange, then stuck before offering a key.
	raw, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	stuck := &watchedConn{Conn: raw, gone: make(chan struct{})}
	t.Cleanup(func() { stuck.Close() })
	signedIn := make(chan error, 1)
	go func() {
		_, _, _, err := gossh.NewClientConn(stuck, e.addr, &gossh.ClientConfig{
			User:            "alice",
			HostKeyCallback: gossh.InsecureIgnoreHostKey(),
			Auth: []gossh.AuthMethod{gossh.PublicKeysCallback(func() ([]gossh.Signer, error) {
				<-stuck.gone
				return nil, errors.New("gave up")
			})},
		})
		signedIn <- err
	}()
	// Signed in: the login timeout is over for it.
	tm := e.openTerm("alice", "xterm-256color", 100, 30)
	tm.waitFor("What kind of ticket?")

	if !closedWithin(silent, screenTimeout) {
		t.Errorf("a silent connection was still open %s after a login timeout of %s", screenTimeout, cfg.LoginTimeout)
	}
	select {
	case <-stuck.gone:
		if err := <-signedIn; err == nil {
			t.Error("the stuck client signed in")
		}
	case <-time.After(screenTimeout):
		t.Errorf("a connection stuck before authenticating was still open %s after a login timeout of %s", screenTimeout, cfg.LoginTimeout)
	}
	// The signed-in session outlives the login timeout several times over.
	time.Sleep(3 * cfg.LoginTimeout)
	tm.send(keyEnter)
	if _, ok := tm.waitAny(screenTimeout, "Which tenant?", "Which database?"); !ok {
		t.Fatalf("the signed-in session stopped answering after the login timeout; it showed:\n%s", tm.tail())
	}
}

// TestSilentConnectionsFromAFewAddressesDoNotLockOthersOut: the total limit
// filled by two addresses (each at its own limit) still lets a user from a
// third address sign in: a newcomer from an address holding fewer slots
// than the one holding most takes the oldest silent connection's of that
// one, which is closed. Before, everybody was refused until the flood's
// login timeout, and the flood reopened its connections (found by an
// adversarial run: 128 silent connections from 8 addresses).
func TestSilentConnectionsFromAFewAddressesDoNotLockOthersOut(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	cfg := e.config()
	cfg.LoginTimeout = time.Minute
	cfg.MaxUnauthenticated, cfg.MaxUnauthenticatedPerAddress = 4, 2
	e.start(cfg)
	var flood []net.Conn
	for _, from := range []string{"127.0.0.10", "127.0.0.10", "127.0.0.11", "127.0.0.11"} {
		c := silentConn(t, e.addr, from)
		if _, ok := greeting(t, c); !ok {
			t.Fatalf("a connection from %s within the limits was closed", from)
		}
		flood = append(flood, c)
	}
	if _, ok := greeting(t, silentConn(t, e.addr, "127.0.0.11")); ok {
		t.Error("a third connection from 127.0.0.11, over its limit, was greeted")
	}
	tm := e.openTerm("alice", "xterm-256color", 100, 30)
	tm.waitFor("What kind of ticket?")
	closed := 0
	for _, c := range flood {
		if closedWithin(c, 200*time.Millisecond) {
			closed++
		}
	}
	if closed != 1 {
		t.Errorf("%d of the flood's connections were closed for alice's, want 1", closed)
	}
}

// Two newcomers at once never take the slot of one connection twice (the
// limit would be passed by one each time): a slot taken is the newcomer's
// at once, before the connection it was taken from is closed (found by a
// review of the change).
func TestTwoNewcomersDoNotTakeOneSlotTwice(t *testing.T) {
	g := newLoginGuard(0, 2, 0, log.New(io.Discard))
	conn := func(addr string) *guardedConn { return &guardedConn{guard: g, addr: addr} }
	a1, a2 := conn("10.0.0.1"), conn("10.0.0.1")
	for _, c := range []*guardedConn{a1, a2} {
		if why, _ := g.take(c); why != "" {
			t.Fatal(why)
		}
	}
	_, first := g.take(conn("10.0.0.2"))
	_, second := g.take(conn("10.0.0.3")) // before the first's victim is closed
	if first == nil || first == second {
		t.Fatalf("the newcomers took %p and %p", first, second)
	}
	if g.total > 2 {
		t.Errorf("%d connections counted, over the limit of 2", g.total)
	}
	g.release(first) // closed later: not forgotten twice
	if g.total != 2 {
		t.Errorf("%d connections counted after the victim's close, want 2", g.total)
	}
}
