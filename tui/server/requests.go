package server

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/charmbracelet/log"
	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/time/rate"
)

// The largest window the server hands a program: wider or taller windows
// are drawn at this size (PRODUCT section 7: a 2,000,000,000-row window
// costs no more than a large real one). 1000×500 is more than a 4K screen
// full of a small font.
const (
	MaxWindowWidth  = 1000
	MaxWindowHeight = 500
)

// The size a pty request with zero columns or rows gets (RFC 4254: zero
// dimensions are to be ignored).
const (
	defaultWindowWidth  = 80
	defaultWindowHeight = 24
)

// Bounds on what one session channel may ask for (PRODUCT section 7).
const (
	// maxChannelsPerConn is how many session channels one connection may
	// have open at once: a wizard, and one more (a second wizard, or the
	// next while the last one closes). More only cost the server: each
	// channel is goroutines and buffers, held until the connection closes.
	maxChannelsPerConn = 2
	// maxEnvVars and maxEnvVarBytes bound the environment a session may
	// send: more variables, or a longer one, are refused.
	maxEnvVars     = 32
	maxEnvVarBytes = 4096
	// maxTermLen bounds the TERM of a pty request.
	maxTermLen = 256
	// resizeRate and resizeBurst bound the window changes a program gets:
	// faster ones are coalesced, the latest size always arrives.
	resizeRate  = 20 // a second
	resizeBurst = 40
)

// agentRequest is OpenSSH's agent-forwarding request.
const agentRequest = "auth-agent-req@openssh.com"

// clampWindow bounds a size taken from a client to 1…Max (zero or negative:
// the default size).
func clampWindow(w, h int) (int, int) {
	if w <= 0 {
		w = defaultWindowWidth
	}
	if h <= 0 {
		h = defaultWindowHeight
	}
	return min(w, MaxWindowWidth), min(h, MaxWindowHeight)
}

// sessionChannel is the server's handler of "session" channels: charmbracelet
// /ssh's, with at most maxChannelsPerConn open per connection, and every
// request filtered by a channelGuard first.
func (s *Server) sessionChannel(srv *ssh.Server, conn *gossh.ServerConn, nc gossh.NewChannel, ctx ssh.Context) {
	// Who, for the log: the person the key belongs to and the key.
	who := []any{"remote", conn.RemoteAddr().String()}
	if key, ok := ctx.Value(ssh.ContextKeyPublicKey).(ssh.PublicKey); ok {
		user := "-"
		if u, ok := s.users.Load().Lookup(key); ok {
			user = u.Name
		}
		who = append(who, "user", user, "fingerprint", gossh.FingerprintSHA256(key))
	}
	if gc, ok := ctx.Value(guardKey{}).(*guardedConn); ok {
		if n := gc.channels.Add(1); n > maxChannelsPerConn {
			gc.channels.Add(-1)
			s.log.Warn("refused: too many sessions on one connection", append(who, "max", maxChannelsPerConn)...)
			_ = nc.Reject(gossh.ResourceShortage, fmt.Sprintf("at most %d sessions on one connection", maxChannelsPerConn))
			return
		}
		defer gc.channels.Add(-1)
	}
	g := &channelGuard{log: s.log, who: who, resize: rate.NewLimiter(resizeRate, resizeBurst)}
	// Returns when the channel's requests end, that is when it closes.
	ssh.DefaultSessionHandler(srv, conn, guardedChannel{NewChannel: nc, guard: g}, ctx)
}

// guardedChannel is a new channel whose requests pass through a guard.
type guardedChannel struct {
	gossh.NewChannel
	guard *channelGuard
}

// Accept implements gossh.NewChannel.
func (c guardedChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := c.NewChannel.Accept()
	if err != nil {
		return ch, reqs, err
	}
	out := make(chan *gossh.Request)
	go c.guard.run(reqs, out)
	return ch, out, nil
}

// channelGuard filters one session channel's requests before the session
// handler sees them: window sizes are clamped, window changes coalesced
// beyond resizeRate, the environment bounded, agent forwarding refused.
type channelGuard struct {
	log    *log.Logger
	who    []any // log fields naming the connection
	resize *rate.Limiter

	envVars   int
	envWarned bool
	clamped   bool // a clamp has been logged
}

// with is the guard's log fields and kv.
func (g *channelGuard) with(kv ...any) []any {
	return append(append(make([]any, 0, len(g.who)+len(kv)), g.who...), kv...)
}

// run passes the requests of in on to out, the ones it lets through, until
// in closes; then it closes out.
func (g *channelGuard) run(in <-chan *gossh.Request, out chan<- *gossh.Request) {
	defer close(out)
	var (
		pending *gossh.Request // the latest window change, held back
		timer   *time.Timer
		due     <-chan time.Time
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		select {
		case req, ok := <-in:
			if !ok {
				return
			}
			if !g.admit(req) {
				continue
			}
			if req.Type == "window-change" {
				if pending != nil {
					// A newer size replaces the one held back.
					_ = pending.Reply(true, nil)
					pending = req
					continue
				}
				if d := g.resize.Reserve().Delay(); d > 0 {
					pending = req
					if timer == nil {
						timer = time.NewTimer(d)
					} else {
						timer.Reset(d)
					}
					due = timer.C
					continue
				}
			}
			out <- req
		case <-due:
			due = nil
			out <- pending
			pending = nil
		}
	}
}

// admit checks one request, rewriting a window size in place. A refused
// request is answered here.
func (g *channelGuard) admit(req *gossh.Request) bool {
	switch req.Type {
	case "pty-req":
		return g.clampPayload(req, true)
	case "window-change":
		return g.clampPayload(req, false)
	case "env":
		return g.admitEnv(req)
	case agentRequest:
		g.log.Debug("refused agent forwarding", g.who...)
		_ = req.Reply(false, nil)
		return false
	case "x11-req", "subsystem":
		_ = req.Reply(false, nil)
		return false
	}
	return true
}

func (g *channelGuard) admitEnv(req *gossh.Request) bool {
	var kv struct{ Key, Value string }
	ok := gossh.Unmarshal(req.Payload, &kv) == nil
	if ok && g.envVars < maxEnvVars && len(kv.Key)+len(kv.Value) <= maxEnvVarBytes {
		g.envVars++
		return true
	}
	if !g.envWarned {
		g.envWarned = true
		g.log.Warn("refused environment variables", g.with("max_vars", maxEnvVars, "max_bytes", maxEnvVarBytes)...)
	}
	_ = req.Reply(false, nil)
	return false
}

// clampPayload clamps the window size of a pty-req (TERM first) or
// window-change payload in place. A malformed request, a pty request with an
// overlong TERM, or a window change to zero columns or rows is refused.
func (g *channelGuard) clampPayload(req *gossh.Request, ptyReq bool) bool {
	p := req.Payload
	if ptyReq {
		if len(p) < 4 {
			_ = req.Reply(false, nil)
			return false
		}
		n := binary.BigEndian.Uint32(p)
		if n > maxTermLen || uint64(len(p)) < 4+uint64(n) {
			g.log.Warn("refused a pty request", g.with("term_bytes", n)...)
			_ = req.Reply(false, nil)
			return false
		}
		p = p[4+n:]
	}
	if len(p) < 16 {
		_ = req.Reply(false, nil)
		return false
	}
	cols, rows := binary.BigEndian.Uint32(p), binary.BigEndian.Uint32(p[4:])
	if !ptyReq && (cols == 0 || rows == 0) {
		_ = req.Reply(false, nil)
		return false
	}
	w, h := clampWindow(int(min(cols, 1<<30)), int(min(rows, 1<<30)))
	if (uint32(w) != cols || uint32(h) != rows) && !g.clamped && (cols > MaxWindowWidth || rows > MaxWindowHeight) {
		g.clamped = true
		g.log.Info("window size clamped", g.with("asked", fmt.Sprintf("%d×%d", cols, rows), "given", fmt.Sprintf("%d×%d", w, h))...)
	}
	binary.BigEndian.PutUint32(p, uint32(w))
	binary.BigEndian.PutUint32(p[4:], uint32(h))
	// The pixel sizes are informational; keep them in a sane range too.
	binary.BigEndian.PutUint32(p[8:], min(binary.BigEndian.Uint32(p[8:]), 1<<16))
	binary.BigEndian.PutUint32(p[12:], min(binary.BigEndian.Uint32(p[12:]), 1<<16))
	return true
}
