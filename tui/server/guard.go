package server

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/log"
	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// Defaults of the sign-in limits (serve's --login-timeout,
// --max-unauthenticated and --max-unauthenticated-per-address).
const (
	// DefaultLoginTimeout is how long a connection may take from the TCP
	// accept to a completed public-key sign-in (handshake included), as
	// OpenSSH's LoginGraceTime.
	DefaultLoginTimeout = 30 * time.Second
	// DefaultMaxUnauthenticated bounds the connections still in their
	// handshake or sign-in, in total.
	DefaultMaxUnauthenticated = 128
	// DefaultMaxUnauthenticatedPerAddress bounds them per remote address, so
	// that one address cannot take all the slots.
	DefaultMaxUnauthenticatedPerAddress = 16
)

// maxAuthTries is how many failed sign-in attempts a connection gets.
const maxAuthTries = 6

// guardKey is the context key of a connection's *guardedConn.
type guardKey struct{}

// loginGuard bounds the connections that have not signed in yet: each must
// sign in within the login timeout or is closed, and a connection over the
// total or per-address limit is closed at once, before the SSH handshake.
// A signed-in connection no longer counts. Zero limits mean none.
type loginGuard struct {
	timeout              time.Duration
	maxTotal, maxPerAddr int
	log                  *log.Logger

	mu      sync.Mutex
	total   int
	perAddr map[string]int

	// Refusals are logged at most once per refusalLogEvery, with a count.
	refused    atomic.Int64
	lastLogged atomic.Int64 // unix nanoseconds
}

// refusalLogEvery spaces the warnings about refused connections: a flood
// must not flood the log too.
const refusalLogEvery = 10 * time.Second

func newLoginGuard(timeout time.Duration, maxTotal, maxPerAddr int, logger *log.Logger) *loginGuard {
	return &loginGuard{timeout: timeout, maxTotal: maxTotal, maxPerAddr: maxPerAddr, log: logger, perAddr: map[string]int{}}
}

// take counts one more connection from addr, or says why it may not have
// one.
func (g *loginGuard) take(addr string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.maxPerAddr > 0 && g.perAddr[addr] >= g.maxPerAddr {
		return fmt.Sprintf("%d connections from %s are already signing in", g.perAddr[addr], addr)
	}
	if g.maxTotal > 0 && g.total >= g.maxTotal {
		return fmt.Sprintf("%d connections are already signing in", g.total)
	}
	g.total++
	g.perAddr[addr]++
	return ""
}

func (g *loginGuard) release(addr string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.total--
	if g.perAddr[addr]--; g.perAddr[addr] <= 0 {
		delete(g.perAddr, addr)
	}
}

// accept is the server's ConnCallback: it admits a new connection to the
// handshake (returning it wrapped, and noted in ctx) or refuses it (nil: the
// server closes it at once).
func (g *loginGuard) accept(ctx ssh.Context, c net.Conn) net.Conn {
	addr := hostOf(c.RemoteAddr())
	if why := g.take(addr); why != "" {
		g.noteRefusal(addr, why)
		return nil
	}
	gc := &guardedConn{Conn: c, guard: g, addr: addr}
	if g.timeout > 0 {
		gc.timer = time.AfterFunc(g.timeout, gc.expire)
	}
	ctx.SetValue(guardKey{}, gc)
	return gc
}

func (g *loginGuard) noteRefusal(addr, why string) {
	n := g.refused.Add(1)
	now := time.Now().UnixNano()
	last := g.lastLogged.Load()
	if now-last < int64(refusalLogEvery) || !g.lastLogged.CompareAndSwap(last, now) {
		return
	}
	g.refused.Add(-n)
	g.log.Warn("refused: too many connections signing in; closed before the handshake",
		"remote", addr, "reason", why, "refused", n, "max", g.maxTotal, "max_per_address", g.maxPerAddr)
}

// serverConfig is the per-connection SSH configuration: at most
// maxAuthTries failed attempts, and a successful sign-in takes the
// connection off the guard's books.
func (g *loginGuard) serverConfig(ctx ssh.Context) *gossh.ServerConfig {
	return &gossh.ServerConfig{
		MaxAuthTries: maxAuthTries,
		AuthLogCallback: func(_ gossh.ConnMetadata, _ string, err error) {
			if err != nil {
				return
			}
			if gc, ok := ctx.Value(guardKey{}).(*guardedConn); ok {
				gc.signedIn()
			}
		},
	}
}

// The states of a guarded connection.
const (
	connPending  int32 = iota // accepted, not signed in
	connSignedIn              // signed in: the guard no longer counts it
	connExpired               // the login timeout closed it
	connClosed                // closed before signing in
)

// guardedConn is a connection the login guard counts until it signs in.
type guardedConn struct {
	net.Conn
	guard *loginGuard
	addr  string
	timer *time.Timer
	state atomic.Int32
	// channels is the number of session channels open on the connection.
	channels atomic.Int32
}

// signedIn stops the login timer and frees the slot.
func (c *guardedConn) signedIn() {
	if c.state.CompareAndSwap(connPending, connSignedIn) {
		if c.timer != nil {
			c.timer.Stop()
		}
		c.guard.release(c.addr)
	}
}

// expire closes a connection that has not signed in in time.
func (c *guardedConn) expire() {
	if c.state.CompareAndSwap(connPending, connExpired) {
		c.guard.release(c.addr)
		c.guard.log.Debug("closed: no sign-in within the login timeout", "remote", c.RemoteAddr().String(), "login_timeout", c.guard.timeout)
		_ = c.Conn.Close()
	}
}

// Close implements net.Conn.
func (c *guardedConn) Close() error {
	if c.state.CompareAndSwap(connPending, connClosed) {
		if c.timer != nil {
			c.timer.Stop()
		}
		c.guard.release(c.addr)
	}
	return c.Conn.Close()
}
