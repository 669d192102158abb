package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/log"
	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"

	"dmsticket/dms"
	"dmsticket/tui"
	"dmsticket/tui/draft"
)

// Why the server ended a session (the client is told in one line).
const (
	// {draft} becomes " (your draft is kept)" when it is.
	reasonShutdown = "the server shut down{draft}; try again in a minute."
	reasonMaxTime  = "sessions last at most %s{draft}; reconnect to go on."
	reasonIdle     = "session closed after %s without a key{draft}."
)

// liveSession is a running wizard the server may have to talk to: the
// shutdown banner, the end of the grace period, the session time limit.
type liveSession struct {
	p      *tea.Program
	mu     sync.Mutex
	reason string // why the server ended it; empty: it ended by itself
}

// end quits the program, recording why (the first reason wins).
func (l *liveSession) end(reason string) {
	l.mu.Lock()
	if l.reason == "" {
		l.reason = reason
	}
	l.mu.Unlock()
	l.p.Quit()
}

func (l *liveSession) endReason() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reason
}

func (s *Server) register(l *liveSession) {
	s.liveMu.Lock()
	s.live[l] = struct{}{}
	s.liveMu.Unlock()
}

func (s *Server) unregister(l *liveSession) {
	s.liveMu.Lock()
	delete(s.live, l)
	s.liveMu.Unlock()
}

func (s *Server) liveSessions() []*liveSession {
	s.liveMu.Lock()
	defer s.liveMu.Unlock()
	out := make([]*liveSession, 0, len(s.live))
	for l := range s.live {
		out = append(out, l)
	}
	return out
}

func (s *Server) liveCount() int {
	s.liveMu.Lock()
	defer s.liveMu.Unlock()
	return len(s.live)
}

// broadcast sends msg to every running wizard. Send blocks until a program
// takes the message, so each gets its own goroutine.
func (s *Server) broadcast(msg tea.Msg) {
	for _, l := range s.liveSessions() {
		go l.p.Send(msg)
	}
}

// endAll ends every running wizard.
func (s *Server) endAll(reason string) {
	for _, l := range s.liveSessions() {
		l.end(reason)
	}
}

// refuse tells the client in one line why it cannot have a session, and ends
// the session with exit status 1.
func refuse(sess ssh.Session, reason string) {
	fmt.Fprintln(sess.Stderr(), "dmsticket: "+reason)
	_ = sess.Exit(1)
}

// requirePty refuses sessions without a terminal: the wizard is full-screen.
func requirePty(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if _, _, ok := sess.Pty(); !ok {
			refuse(sess, "this is a full-screen wizard and needs a terminal: run `ssh -t HOST` from a terminal, without a command")
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
			s.log.Warn("refused: a command was asked for", "remote", sess.RemoteAddr().String(), "login", sess.User(),
				"command", truncate(cmd, 80))
			refuse(sess, "this server runs only the ticket wizard, no commands: connect with `ssh -t HOST` and no command")
			return
		}
		next(sess)
	}
}

// truncate cuts s to at most n bytes, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
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
		who := []any{"user", user, "fingerprint", fp, "login", sess.User(), "remote", sess.RemoteAddr().String()}
		pty, _, _ := sess.Pty()
		s.log.Info("connect", append(who, "term", pty.Term, "width", pty.Window.Width, "height", pty.Window.Height,
			"client_version", truncate(sess.Context().ClientVersion(), 80))...)
		next(sess)
		s.log.Info("disconnect", append(who, "duration", time.Since(start).Round(time.Millisecond))...)
	}
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

// rateLimitMiddleware is the connection rate limit, per remote address.
func (s *Server) rateLimitMiddleware(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if why := s.rate.allow(sess); why != "" {
			s.log.Warn("refused: rate limit", "remote", sess.RemoteAddr().String(), "login", sess.User())
			refuse(sess, why)
			return
		}
		next(sess)
	}
}

// sessionMiddleware runs the wizard for one session.
func (s *Server) sessionMiddleware(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		s.serveSession(sess)
		next(sess)
	}
}

// serveSession identifies the person by the key the session presents
// (looked up again in the users file in force, not carried over from the
// handshake; the login name is logged, never trusted), applies the session
// limits, and runs the wizard with its own renderer, window size, idle
// timeout and time limit.
func (s *Server) serveSession(sess ssh.Session) {
	s.sessions.Add(1)
	defer s.sessions.Done()
	ctx := sess.Context()
	id := fmt.Sprintf("%.8s-%d", ctx.SessionID(), s.seq.Add(1))
	// Refusals log these fields; an admitted session gets a logger with them
	// and its user. One With per session: a charmbracelet/log With copies
	// the logger's styles, some 5 KB a session keeps.
	who := []any{"session", id, "remote", sess.RemoteAddr().String()}
	with := func(kv ...any) []any { return append(append(make([]any, 0, len(who)+len(kv)), who...), kv...) }
	if s.draining.Load() {
		refuse(sess, "the server is shutting down; try again in a minute")
		return
	}
	key := sess.PublicKey()
	if key == nil {
		s.log.Warn("refused: no public key", with("login", sess.User())...)
		refuse(sess, "sign in with a public key listed in this server's users file")
		return
	}
	fp := gossh.FingerprintSHA256(key)
	u, ok := s.users.Load().Lookup(key)
	if !ok {
		s.log.Warn("refused: key no longer in the users file", with("fingerprint", fp, "login", sess.User())...)
		refuse(sess, "your key is no longer in this server's users file; ask the team that runs it")
		return
	}
	logger := s.log.With(with("user", u.Name)...)
	release, why := s.limits.acquire(u.Name)
	if why != "" {
		logger.Warn("refused: session limit", "reason", why)
		refuse(sess, why)
		return
	}
	defer release()
	svc, err := s.service(u.Profile)
	if err != nil {
		logger.Error("no DMS service", "profile", u.Profile, "err", err)
		refuse(sess, "this server cannot reach DMS for you right now (logged on the server); try again later")
		return
	}
	pty, winch, _ := sess.Pty()
	env := sess.Environ()
	policy := s.newPolicy(svc, key, caller{Login: sess.User(), Fingerprint: fp, RemoteAddr: sess.RemoteAddr().String(), Session: id}, logger)
	b := s.cfg.Backend
	store, draftNotice := s.draftStore(u.Name), ""
	letGoOfDraft := func() {}
	if store != nil && !s.holdDraft(u.Name) {
		store, draftNotice = nil, "Your other open session keeps your draft; what you type here is not kept as one."
	} else if store != nil {
		// The file lock too: another server with the same state directory
		// must not write this user's draft at the same time.
		unlock, err := store.Lock()
		if err != nil {
			s.releaseDraft(u.Name)
			logger.Warn("the draft is held elsewhere", "path", store.Path(), "err", err)
			store, draftNotice = nil, "Your draft is open elsewhere ("+err.Error()+"); what you type here is not kept as one."
		} else {
			letGoOfDraft = sync.OnceFunc(func() { unlock(); s.releaseDraft(u.Name) })
			defer letGoOfDraft()
		}
	}
	resume, loadNotice := tui.LoadDraft(store)
	if loadNotice != "" {
		draftNotice = loadNotice
	}
	model := tui.New(tui.Options{
		Service: policy, Region: b.Region, Endpoint: b.Endpoint, Demo: b.Demo, Tenant: b.Tenant,
		Credentials: credentialOrigin(svc),
		User:        &u.User,
		Renderer:    newRenderer(sess, pty.Term, env),
		Mono:        b.Mono || noColor(env),
		Local:       false, // no external editor, no files on the server
		ConsoleURL:  b.ConsoleURL,
		// No IdleTimeout: the server watches the session's input instead
		// (watchIdle), so the program keeps no tick pending.
		Drafts: store, Draft: resume, DraftNotice: draftNotice,
	})
	in := newActivityReader(sess)
	p := tea.NewProgram(model,
		tea.WithInput(in), tea.WithOutput(sess), tea.WithAltScreen(),
		// The server's SIGINT and SIGTERM are the server's: a program must
		// not quit on them by itself (the grace period decides).
		tea.WithoutSignalHandler(),
		tea.WithEnvironment(append(append([]string{}, env...), "TERM="+pty.Term)),
	)
	live := &liveSession{p: p}
	s.register(live)
	defer s.unregister(live)

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		// Window changes reach the program, clamped again (requests.go
		// clamps them on the wire); the session's end ends it. Once this
		// returns, takeWindowChanges goes on taking them.
		for {
			select {
			case <-runCtx.Done():
				p.Quit()
				return
			case w, ok := <-winch:
				if !ok {
					return
				}
				width, height := clampWindow(w.Width, w.Height)
				p.Send(tea.WindowSizeMsg{Width: width, Height: height})
			}
		}
	}()
	if limit := s.cfg.MaxSessionTime; limit > 0 {
		t := time.AfterFunc(limit, func() { live.end(fmt.Sprintf(reasonMaxTime, limit)) })
		defer t.Stop()
	}
	if limit := s.cfg.IdleTimeout; limit > 0 {
		defer watchIdle(in, limit, func() {
			logger.Info("session idle", "idle_timeout", limit)
			live.end(fmt.Sprintf(reasonIdle, limit))
		})()
	}
	if s.draining.Load() {
		go p.Send(tui.NoticeMsg{Text: s.shutdownNotice()})
	}
	total, mine := s.limits.counts(u.Name)
	logger.Info("session start", "fingerprint", fp, "login", sess.User(), "term", pty.Term,
		"width", pty.Window.Width, "height", pty.Window.Height, "profile", u.Profile, "sessions", total, "user_sessions", mine)
	start := time.Now()
	_, err = p.Run()
	if errors.Is(err, tea.ErrProgramPanic) {
		logger.Error("the wizard panicked; this session ended, the server goes on", "err", err)
		release()
		refuse(sess, "the wizard stopped on an internal error (logged on the server); reconnect to start again")
		return
	}
	// However the program ended (the server ending it, the connection
	// dropping, the idle timeout), what was typed is kept.
	kept := strings.NewReplacer("{draft}", "")
	if store != nil {
		if err := model.SaveDraft(); err != nil {
			logger.Warn("the draft could not be saved", "path", store.Path(), "err", err)
		} else {
			kept = strings.NewReplacer("{draft}", " (your draft is kept)")
		}
	}
	letGoOfDraft() // before the client can reconnect
	// The slot is free before the client learns the session ended, so it
	// can reconnect at once.
	release()
	switch reason := live.endReason(); {
	case reason != "":
		logger.Info("session ended by the server", "reason", kept.Replace(reason), "duration", time.Since(start).Round(time.Second))
		fmt.Fprintln(sess, "dmsticket: "+kept.Replace(reason))
	case err != nil && ctx.Err() == nil:
		logger.Warn("the wizard ended with an error", "err", err)
	default:
		logger.Info("session end", "duration", time.Since(start).Round(time.Second))
	}
	_ = sess.Exit(0)
}

// holdDraft gives the user's draft to this session unless another live
// session of theirs holds it.
func (s *Server) holdDraft(user string) bool {
	s.draftsMu.Lock()
	defer s.draftsMu.Unlock()
	if s.draftHeld == nil {
		s.draftHeld = map[string]bool{}
	}
	if s.draftHeld[user] {
		return false
	}
	s.draftHeld[user] = true
	return true
}

func (s *Server) releaseDraft(user string) {
	s.draftsMu.Lock()
	defer s.draftsMu.Unlock()
	delete(s.draftHeld, user)
}

// draftStore is the draft file of an SSH user (one per user, shared by their
// sessions): under the server's state directory, dmsticket/drafts/<user>.json
// (-demo.json for --demo). Nil, with a warning logged once, when the server
// has no state directory.
func (s *Server) draftStore(user string) *draft.Store {
	s.draftsMu.Lock()
	defer s.draftsMu.Unlock()
	if st, ok := s.drafts[user]; ok {
		return st
	}
	path, err := draft.DefaultPath(user)
	if err != nil {
		if !s.draftsWarned {
			s.draftsWarned = true
			s.log.Warn("drafts are off", "err", err)
		}
		return nil
	}
	if s.cfg.Backend.Demo {
		path = draft.DemoPath(path)
	}
	st := draft.NewStore(path)
	s.drafts[user] = st
	return st
}

// newPolicy wraps svc in the policy of the user the key belongs to, as the
// users file in force says at each call.
func (s *Server) newPolicy(svc dms.Service, key gossh.PublicKey, who caller, logger *log.Logger) *policyService {
	return &policyService{
		Service:  svc,
		user:     func() (*User, bool) { return s.users.Load().Lookup(key) },
		who:      who,
		audit:    s.audit,
		log:      logger,
		inflight: &s.inflight,
		now:      time.Now,
	}
}

// watchIdle calls end once r has had no input for limit (STYLE.md trap 4:
// wish's IdleTimeout counts the wizard's own output as activity). It is a
// timer, re-armed for the time left whenever it finds input came since: no
// goroutine waits while the session lives, and nothing of the session is
// kept once stop is called.
func watchIdle(r *activityReader, limit time.Duration, end func()) (stop func()) {
	var mu sync.Mutex
	var t *time.Timer
	mu.Lock()
	defer mu.Unlock()
	t = time.AfterFunc(limit, func() {
		mu.Lock()
		if idle := r.idleFor(); idle < limit {
			t.Reset(limit - idle)
			mu.Unlock()
			return
		}
		mu.Unlock()
		end()
	})
	return func() {
		mu.Lock()
		defer mu.Unlock()
		t.Stop()
	}
}

// activityReader is the session's input, noting when the last byte came in
// (for the idle timeout).
type activityReader struct {
	r    io.Reader
	last atomic.Int64 // unix nanoseconds
}

func newActivityReader(r io.Reader) *activityReader {
	a := &activityReader{r: r}
	a.last.Store(time.Now().UnixNano())
	return a
}

// Read implements io.Reader.
func (a *activityReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.last.Store(time.Now().UnixNano())
	}
	return n, err
}

func (a *activityReader) idleFor() time.Duration { return time.Since(time.Unix(0, a.last.Load())) }

// credentialOrigin is where the session's DMS identity takes its
// credentials from (the user's profile, or the server's own), so the aliyun
// command the review shows names the same identity.
func credentialOrigin(svc dms.Service) dms.CredentialOrigin {
	if c, ok := svc.(interface{ CredentialOrigin() dms.CredentialOrigin }); ok {
		return c.CredentialOrigin()
	}
	return dms.CredentialOrigin{}
}
