package server

import (
	"sync"

	"github.com/charmbracelet/log"
	"github.com/charmbracelet/ssh"

	"dmsticket/dms"
)

// What the middlewares that admit a session find out travels on its
// context, for the middlewares after them and the handler: who it is
// (identify), its slot (limitSessions), its DMS service (connectDMS), its
// draft (takeDraft).
var (
	userKey    = ctxKey[*User]{"user"}
	callerKey  = ctxKey[caller]{"caller"}
	logKey     = ctxKey[*log.Logger]{"log"}
	slotKey    = ctxKey[func()]{"slot"} // frees the session's slot; once
	serviceKey = ctxKey[dms.Service]{"service"}
	draftKey   = ctxKey[*sessionDraft]{"draft"}
)

// ctxKey is the key of a session context's value of type T.
type ctxKey[T any] struct{ name string }

func (k ctxKey[T]) put(ctx ssh.Context, v T) { ctx.SetValue(k, v) }

// from is the value, or T's zero value when the middleware that puts it
// has not run.
func (k ctxKey[T]) from(ctx ssh.Context) T {
	v, _ := ctx.Value(k).(T)
	return v
}

// ownContext gives the session a context of its own: charmbracelet/ssh
// hands every session of a connection (up to maxChannelsPerConn) the
// connection's, so a value one session put there would be the other's too.
func ownContext(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		next(contextSession{Session: sess, ctx: &sessionContext{Context: sess.Context(), values: map[any]any{}}})
	}
}

// contextSession is a session with a context of its own.
type contextSession struct {
	ssh.Session
	ctx ssh.Context
}

// Context implements ssh.Session.
func (s contextSession) Context() ssh.Context { return s.ctx }

// sessionContext is one session's context: the values set on it are the
// session's; everything else (the connection's values, its cancellation)
// is the connection's.
type sessionContext struct {
	ssh.Context
	mu     sync.Mutex
	values map[any]any
}

// Value implements context.Context.
func (c *sessionContext) Value(key any) any {
	c.mu.Lock()
	v, ok := c.values[key]
	c.mu.Unlock()
	if ok {
		return v
	}
	return c.Context.Value(key)
}

// SetValue implements ssh.Context.
func (c *sessionContext) SetValue(key, value any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.values[key] = value
}
