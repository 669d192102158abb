package server

import (
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	gossh "golang.org/x/crypto/ssh"
)

// A session meets the middlewares newSSHServer lists, in that order; each
// has one job, and one that refuses the session tells the client why in one
// line (refuse) and logs it. The ones from refuseWhileDraining on admit a
// signed-in person to the wizard, each putting what it found out on the
// session's context (context.go); the handler, runWizard, only builds the
// program and runs it.

// firstToLast is middlewares listed in the order they run: wish.WithMiddleware
// and recover run the last one given first.
func firstToLast(mws ...wish.Middleware) []wish.Middleware {
	out := slices.Clone(mws)
	slices.Reverse(out)
	return out
}

// handler makes h the end of a middleware chain.
func handler(h ssh.Handler) wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			h(sess)
			next(sess)
		}
	}
}

// refuse tells the client in one line why it cannot have a session, and ends
// the session with exit status 1.
func refuse(sess ssh.Session, reason string) {
	fmt.Fprintln(sess.Stderr(), "dmsticket: "+reason)
	_ = sess.Exit(1)
}

// takeWindowChanges makes sure a session's window changes are always taken
// from the SSH layer, whatever the handler does: charmbracelet/ssh's request
// loop blocks on a window change nobody reads, and with it the whole
// connection. The handler sees the latest size only (older ones are dropped
// when it has not taken them yet); its channel closes with the session's.
func takeWindowChanges(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		_, winch, ok := sess.Pty()
		if !ok || winch == nil {
			next(sess)
			return
		}
		latest := make(chan ssh.Window, 1)
		go func() {
			defer close(latest)
			for w := range winch {
				// This goroutine is the only sender: once the buffer is
				// emptied the send cannot block.
				select {
				case <-latest:
				default:
				}
				latest <- w
			}
		}()
		next(windowSession{Session: sess, winch: latest})
	}
}

// windowSession is a session whose window changes come from
// takeWindowChanges.
type windowSession struct {
	ssh.Session
	winch <-chan ssh.Window
}

// Pty implements ssh.Session.
func (s windowSession) Pty() (ssh.Pty, <-chan ssh.Window, bool) {
	pty, _, ok := s.Session.Pty()
	return pty, s.winch, ok
}

// connectionLog logs each session's start and end with the person the key
// belongs to (the users-file name) and the key's fingerprint; the typed
// login name is logged as what it is, a claim.
func (s *Server) connectionLog(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		start := time.Now()
		user, fp := "-", "-"
		if key := sess.PublicKey(); key != nil {
			fp = gossh.FingerprintSHA256(key)
			if u, ok := s.users.Load().Lookup(key); ok {
				user = u.Name
			}
		}
		who := []any{"user", user, "fingerprint", fp, "login", logText(loginName(sess.User())), "remote", sess.RemoteAddr().String()}
		pty, _, _ := sess.Pty()
		s.log.Info("connect", append(who, "term", logText(pty.Term), "width", pty.Window.Width, "height", pty.Window.Height,
			"client_version", logText(truncate(sess.Context().ClientVersion(), 80)))...)
		next(sess)
		s.log.Info("disconnect", append(who, "duration", time.Since(start).Round(time.Millisecond))...)
	}
}

// rateLimitMiddleware is the connection rate limit, per remote address.
func (s *Server) rateLimitMiddleware(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if why := s.rate.allow(sess); why != "" {
			s.log.Warn("refused: rate limit", "remote", sess.RemoteAddr().String(), "login", logText(loginName(sess.User())))
			refuse(sess, why)
			return
		}
		next(sess)
	}
}

// refuseCommand refuses a session that asks for a command (`ssh HOST cmd`):
// the server runs the wizard and nothing else, and says so rather than
// ignore the command.
func (s *Server) refuseCommand(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if cmd := sess.RawCommand(); cmd != "" {
			s.log.Warn("refused: a command was asked for", "remote", sess.RemoteAddr().String(), "login", logText(loginName(sess.User())),
				"command", logText(truncate(cmd, 80)))
			refuse(sess, "this server runs only the ticket wizard, no commands: connect with `ssh -t HOST` and no command")
			return
		}
		next(sess)
	}
}

// maxLoginBytes is how much of the login name the client typed is logged
// and audited: it is the client's to choose, up to an SSH packet.
const maxLoginBytes = 64

// loginName is the login name the client typed, as logged and audited.
func loginName(s string) string { return truncate(s, maxLoginBytes) }

// logText is text a client chose (its login name, TERM, version, command)
// as a log value: its control characters escaped (as Go quotes them), when
// it has any.
// charmbracelet/log writes a value with a line break over several lines,
// and a login name "x\n2026-… WARN …" put a line of the client's own at the
// start of a line of the server's log (found by an adversarial run).
func logText(s string) string {
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			q := strconv.Quote(s) // the log quotes the value itself
			return q[1 : len(q)-1]
		}
	}
	return s
}

// truncate cuts s to at most n bytes, the mark of the cut included, on a
// rune boundary (when s is UTF-8 there).
func truncate(s string, n int) string {
	const mark = "…"
	if len(s) <= n {
		return s
	}
	i := max(n-len(mark), 0)
	// Back to the start of the rune cut, at most a rune's length back.
	for j := i; j >= 0 && i-j < utf8.UTFMax; j-- {
		if utf8.RuneStart(s[j]) {
			i = j
			break
		}
	}
	return s[:i] + mark
}

// requirePty refuses sessions without a terminal: the wizard is full-screen.
func (s *Server) requirePty(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if _, _, ok := sess.Pty(); !ok {
			s.log.Warn("refused: no terminal (ssh -T, or input not from a terminal)", "remote", sess.RemoteAddr().String(), "login", logText(loginName(sess.User())))
			refuse(sess, "this is a full-screen wizard and needs a terminal: run `ssh -t HOST` from a terminal, without a command")
			return
		}
		next(sess)
	}
}

// refuseWhileDraining refuses new sessions once the server is going down,
// and counts the others: the shutdown waits for them to end (and their
// drafts to be saved).
func (s *Server) refuseWhileDraining(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		s.sessions.Add(1)
		defer s.sessions.Done()
		if s.draining.Load() {
			refuse(sess, "the server is shutting down; try again in a minute")
			return
		}
		next(sess)
	}
}

// identify finds the person by the key the session presents, looked up
// again in the users file in force (not carried over from the handshake; the
// login name is logged, never trusted), and puts them on the session's
// context: the user, the caller the audit names, and a logger naming the
// session and the user.
func (s *Server) identify(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		ctx := sess.Context()
		id := fmt.Sprintf("%.8s-%d", ctx.SessionID(), s.seq.Add(1))
		// Refusals log these fields; an admitted session gets a logger with
		// them and its user. One With per session: a charmbracelet/log With
		// copies the logger's styles, some 5 KB a session keeps.
		who := []any{"session", id, "remote", sess.RemoteAddr().String()}
		with := func(kv ...any) []any { return append(append(make([]any, 0, len(who)+len(kv)), who...), kv...) }
		login := loginName(sess.User())
		key := sess.PublicKey()
		if key == nil {
			s.log.Warn("refused: no public key", with("login", logText(login))...)
			refuse(sess, "sign in with a public key listed in this server's users file")
			return
		}
		fp := gossh.FingerprintSHA256(key)
		u, ok := s.users.Load().Lookup(key)
		if !ok {
			s.log.Warn("refused: key no longer in the users file", with("fingerprint", fp, "login", logText(login))...)
			refuse(sess, "your key is no longer in this server's users file; ask the team that runs it")
			return
		}
		userKey.put(ctx, u)
		callerKey.put(ctx, caller{User: u.Name, Login: login, Fingerprint: fp, RemoteAddr: sess.RemoteAddr().String(), Session: id})
		logKey.put(ctx, s.log.With(with("user", u.Name)...))
		next(sess)
	}
}

// limitSessions holds one of the session slots (in total and per user) for
// the session, or refuses it when none is free. The handler frees the slot
// before it tells the client the session ended, so they can reconnect at
// once. An admitted session is the one that keeps its connection open: a
// connection without one is closed after the login timeout (guard.go).
func (s *Server) limitSessions(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		ctx := sess.Context()
		release, why := s.limits.acquire(userKey.from(ctx).Name)
		if why != "" {
			logKey.from(ctx).Warn("refused: session limit", "reason", why)
			refuse(sess, why)
			return
		}
		defer release()
		defer sessionStarted(ctx)()
		slotKey.put(ctx, release)
		next(sess)
	}
}

// connectDMS gives the session the DMS service of the user's aliyun CLI
// profile (made once for the server, Backend.For), under the user's policy.
func (s *Server) connectDMS(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		ctx := sess.Context()
		u, logger := userKey.from(ctx), logKey.from(ctx)
		svc, err := s.service(u.Profile)
		if err != nil {
			logger.Error("no DMS service", "profile", u.Profile, "err", err)
			refuse(sess, "this server cannot reach DMS for you right now (logged on the server); try again later")
			return
		}
		serviceKey.put(ctx, s.newPolicy(svc, sess.PublicKey(), callerKey.from(ctx), logger))
		next(sess)
	}
}

// takeDraft gives the session the user's draft, unless another session
// holds it (drafts.go): the store, the draft to offer to resume, the notice
// saying why there is none. Its hold ends with the session at the latest.
func (s *Server) takeDraft(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		ctx := sess.Context()
		d := s.openDraft(userKey.from(ctx).Name, logKey.from(ctx))
		defer d.letGo()
		draftKey.put(ctx, d)
		next(sess)
	}
}
