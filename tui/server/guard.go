package server

import (
	"fmt"
	"net"
	"slices"
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
	// accept to its first session (handshake, public-key sign-in, the
	// session's pty and shell), as OpenSSH's LoginGraceTime; and how long
	// it may stay open without a session once its sessions have ended.
	DefaultLoginTimeout = 30 * time.Second
	// DefaultMaxUnauthenticated bounds the connections still in their
	// handshake or sign-in, or signed in without a session yet, in total.
	DefaultMaxUnauthenticated = 128
	// DefaultMaxUnauthenticatedPerAddress bounds them per remote address, so
	// that one address cannot take all the slots.
	DefaultMaxUnauthenticatedPerAddress = 16
)

// maxAuthTries is how many failed sign-in attempts a connection gets.
const maxAuthTries = 6

// guardKey is the context key of a connection's *guardedConn.
type guardKey struct{}

// loginGuard bounds the connections that have no session yet (signing in,
// or signed in and no wizard admitted: limitSessions, sessionStarted): each
// must start one within the login timeout or is closed, and a connection
// over the total or per-address limit is closed at once, before the SSH
// handshake. A connection no longer counts once a session has started on
// it; when its last session ends, it is closed after the login timeout
// unless another starts. Signing in alone holds nothing for long: the
// session limits and the rate limit apply to sessions. Zero limits mean
// none.
type loginGuard struct {
	timeout              time.Duration
	maxTotal, maxPerAddr int
	log                  *log.Logger

	mu      sync.Mutex
	total   int
	perAddr map[string]int
	// pending are each address's counted connections, oldest first.
	pending map[string][]*guardedConn

	// Refusals are logged at most once per refusalLogEvery, with a count.
	refused    atomic.Int64
	lastLogged atomic.Int64 // unix nanoseconds
}

// refusalLogEvery spaces the warnings about refused connections: a flood
// must not flood the log too.
const refusalLogEvery = 10 * time.Second

func newLoginGuard(timeout time.Duration, maxTotal, maxPerAddr int, logger *log.Logger) *loginGuard {
	return &loginGuard{timeout: timeout, maxTotal: maxTotal, maxPerAddr: maxPerAddr, log: logger, perAddr: map[string]int{}, pending: map[string][]*guardedConn{}}
}

// take counts one more connection, c, or says why it may not have one.
// Over the total limit, a connection from an address holding fewer slots
// than the address holding most takes a slot of that one: its oldest
// connection not signed in (else its oldest) is to be closed (evict), so a
// few addresses filling the limit do not lock everybody else out.
func (g *loginGuard) take(c *guardedConn) (why string, evict *guardedConn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	addr := c.addr
	if g.maxPerAddr > 0 && g.perAddr[addr] >= g.maxPerAddr {
		return fmt.Sprintf("%d connections from %s are already signing in", g.perAddr[addr], addr), nil
	}
	if g.maxTotal > 0 && g.total >= g.maxTotal {
		if evict = g.mostHeld(addr); evict == nil {
			return fmt.Sprintf("%d connections are already signing in", g.total), nil
		}
		// Its slot is the newcomer's from now: another newcomer cannot take
		// it too before it is closed.
		g.forget(evict)
	}
	g.total++
	g.perAddr[addr]++
	g.pending[addr] = append(g.pending[addr], c)
	return "", evict
}

// mostHeld is the connection a newcomer from addr takes the slot of: of the
// address holding the most slots, when that is more than addr holds (a
// flood from as many addresses as slots still lets a newcomer in), the
// oldest not signed in, else the oldest; nil when there is none.
func (g *loginGuard) mostHeld(addr string) *guardedConn {
	most := ""
	for a, cs := range g.pending {
		if len(cs) > len(g.pending[most]) {
			most = a
		}
	}
	cs := g.pending[most]
	if most == "" || len(cs) <= g.perAddr[addr] {
		return nil
	}
	for _, c := range cs {
		if !c.hasSignedIn() {
			return c
		}
	}
	return cs[0]
}

func (g *loginGuard) release(c *guardedConn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.forget(c)
}

// forget stops counting c, if it is counted (g.mu held): a connection a
// newcomer took the slot of was forgotten when it was taken, and is not
// again when it closes.
func (g *loginGuard) forget(c *guardedConn) {
	addr := c.addr
	cs := g.pending[addr]
	i := slices.Index(cs, c)
	if i < 0 {
		return
	}
	cs = slices.Delete(cs, i, i+1)
	if len(cs) == 0 {
		delete(g.pending, addr)
	} else {
		g.pending[addr] = cs
	}
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
	gc := &guardedConn{Conn: c, guard: g, addr: addr}
	why, evict := g.take(gc)
	if why != "" {
		g.noteRefusal(addr, why)
		return nil
	}
	if evict != nil && evict.closeIfPending() {
		g.noteRefusal(evict.addr, fmt.Sprintf("its oldest connection signing in was closed for one from %s: the connections signing in were at the limit, %s holding the most", addr, evict.addr))
	}
	gc.mu.Lock()
	if g.timeout > 0 {
		gc.timer = time.AfterFunc(g.timeout, gc.expire)
	}
	gc.mu.Unlock()
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
// maxAuthTries failed attempts, and a successful sign-in is noted (for the
// log: the connection stays on the guard's books until a session starts).
func (g *loginGuard) serverConfig(ctx ssh.Context) *gossh.ServerConfig {
	return &gossh.ServerConfig{
		MaxAuthTries: maxAuthTries,
		AuthLogCallback: func(_ gossh.ConnMetadata, _ string, err error) {
			if err != nil {
				return
			}
			if gc, ok := ctx.Value(guardKey{}).(*guardedConn); ok {
				fp := "-"
				if key, ok := ctx.Value(ssh.ContextKeyPublicKey).(ssh.PublicKey); ok {
					fp = gossh.FingerprintSHA256(key)
				}
				gc.signedIn(fp)
			}
		},
	}
}

// The states of a guarded connection.
const (
	connPending int32 = iota // accepted, no session started yet: the guard counts it
	connStarted              // a session has started: the guard no longer counts it
	connClosed               // closed, by the client or the login timeout
)

// guardedConn is a connection the login guard counts until a session starts
// on it, and closes when it has had no session for the login timeout.
type guardedConn struct {
	net.Conn
	guard *loginGuard
	addr  string
	// channels is the number of session channels open on the connection.
	channels atomic.Int32
	// signed says a key signed in (hasSignedIn).
	signed atomic.Bool

	mu          sync.Mutex
	state       int32
	fingerprint string      // of the key that signed in; empty: none yet
	sessions    int         // sessions running (admitted by limitSessions)
	timer       *time.Timer // the login timeout; nil when there is none
}

// hasSignedIn reports whether a key signed in on the connection. It takes
// no lock (the guard asks it holding its own, which c's holder may wait for).
func (c *guardedConn) hasSignedIn() bool { return c.signed.Load() }

// signedIn notes the key the connection signed in with.
func (c *guardedConn) signedIn(fingerprint string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fingerprint = fingerprint
	c.signed.Store(true)
}

// sessionStarted notes a session running on the connection: the first frees
// its slot, and while one runs the login timeout is off. ended notes its end
// (once); when no session is left the login timeout starts again.
func (c *guardedConn) sessionStarted() (ended func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sessions++
	if c.state == connPending {
		c.state = connStarted
		c.guard.release(c)
	}
	if c.timer != nil {
		c.timer.Stop()
	}
	var once sync.Once
	return func() { once.Do(c.sessionEnded) }
}

func (c *guardedConn) sessionEnded() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sessions--
	if c.sessions == 0 && c.state == connStarted && c.timer != nil {
		c.timer.Reset(c.guard.timeout)
	}
}

// expire closes a connection that has had no session for the login
// timeout: none started since it was accepted, or none since its last one
// ended.
func (c *guardedConn) expire() {
	c.mu.Lock()
	was, fp, idle := c.state, c.fingerprint, c.sessions == 0
	if was == connPending || was == connStarted && idle {
		c.state = connClosed
	}
	c.mu.Unlock()
	remote, timeout := c.RemoteAddr().String(), c.guard.timeout
	switch {
	case was == connPending && fp == "":
		c.guard.release(c)
		c.guard.log.Debug("closed: no sign-in within the login timeout", "remote", remote, "login_timeout", timeout)
	case was == connPending:
		c.guard.release(c)
		c.guard.log.Info("closed: signed in, but no session started within the login timeout", "remote", remote, "fingerprint", fp, "login_timeout", timeout)
	case was == connStarted && idle:
		c.guard.log.Info("closed: its sessions ended and no session started within the login timeout", "remote", remote, "fingerprint", fp, "login_timeout", timeout)
	default:
		return
	}
	_ = c.Conn.Close()
}

// closeIfPending closes the connection if no session has started on it
// (one may have started since the guard chose it: it is left alone).
func (c *guardedConn) closeIfPending() bool {
	c.mu.Lock()
	pending := c.state == connPending
	if pending {
		c.state = connClosed
		if c.timer != nil {
			c.timer.Stop()
		}
	}
	c.mu.Unlock()
	if pending {
		_ = c.Conn.Close()
	}
	return pending
}

// Close implements net.Conn.
func (c *guardedConn) Close() error {
	c.mu.Lock()
	was := c.state
	c.state = connClosed
	if c.timer != nil {
		c.timer.Stop()
	}
	c.mu.Unlock()
	if was == connPending {
		c.guard.release(c)
	}
	return c.Conn.Close()
}

// sessionStarted notes on the session's connection that a session runs
// there (guardedConn.sessionStarted); ended notes its end.
func sessionStarted(ctx ssh.Context) (ended func()) {
	if gc, ok := ctx.Value(guardKey{}).(*guardedConn); ok {
		return gc.sessionStarted()
	}
	return func() {}
}

// refusalLog spaces log lines about refusals that a client can cause at
// will (a key not in the users file: hundreds a second from one address
// wrote 125 KB of log a second, found by an adversarial run): the first
// refusalLines of each refusalLogEvery are logged one by one, the rest
// counted, and the count said with the next line logged.
type refusalLog struct {
	mu       sync.Mutex
	window   time.Time
	logged   int
	unlogged int
	// flush says a count no next refusal came to say, at the end of its
	// window (nil: it waits for the next refusal).
	flush func(unlogged int)
}

// refusalLines is how many refusals a window logs one by one.
const refusalLines = 16

// allow says whether a refusal at now is logged, and how many went
// unlogged before it (said once, with the first line of a new window).
func (r *refusalLog) allow(now time.Time) (log bool, unlogged int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now.Sub(r.window) >= refusalLogEvery {
		unlogged = r.unlogged
		r.window, r.logged, r.unlogged = now, 0, 0
	}
	if r.logged >= refusalLines {
		if r.unlogged++; r.unlogged == 1 && r.flush != nil {
			time.AfterFunc(time.Until(r.window.Add(refusalLogEvery)), r.flushCount)
		}
		return false, 0
	}
	r.logged++
	return true, unlogged
}

// flushCount says the refusals not logged one by one, if no later refusal
// has said them yet.
func (r *refusalLog) flushCount() {
	r.mu.Lock()
	n := r.unlogged
	r.unlogged = 0
	r.mu.Unlock()
	if n > 0 {
		r.flush(n)
	}
}
