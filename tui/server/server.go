package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/log"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	"github.com/charmbracelet/wish/recover"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/time/rate"

	"dmsticket/dms"
	"dmsticket/tui"
	"dmsticket/tui/draft"
	"dmsticket/tui/history"
	"dmsticket/tui/wizard"
)

// Defaults of the serve flags.
const (
	DefaultListen             = "127.0.0.1:23234"
	DefaultMaxSessions        = 50
	DefaultMaxSessionsPerUser = 3
	DefaultIdleTimeout        = 15 * time.Minute
	DefaultMaxSessionTime     = 4 * time.Hour
	DefaultGrace              = 30 * time.Second
	DefaultRateLimit          = 30
)

// hardCapSlack is how long after --max-session-time the connection is cut
// if the session has not ended by itself by then.
const hardCapSlack = 5 * time.Second

// Config configures a Server. Zero limits and durations mean "none", except
// Grace, which defaults to DefaultGrace.
type Config struct {
	Listen      string // address for ListenAndServe
	HostKeyPath string
	UsersPath   string
	// AuditPath is the audit log; empty writes audit records to AuditFallback.
	AuditPath     string
	AuditFallback io.Writer
	// MaxSessions and MaxSessionsPerUser bound the open sessions.
	MaxSessions, MaxSessionsPerUser int
	// IdleTimeout ends a session after this long without a key; the server
	// watches the session's input (STYLE.md trap 4: wish's own counts the
	// wizard's output too).
	IdleTimeout time.Duration
	// MaxSessionTime ends a session this long after it started; the
	// connection is cut a few seconds later if it lingers.
	MaxSessionTime time.Duration
	// Grace is how long open sessions get after SIGTERM.
	Grace time.Duration
	// RateLimit is how many sessions a minute one address may open.
	RateLimit int
	// LoginTimeout closes a connection that has not started a session this
	// long after it was accepted (handshake, authentication, the session's
	// pty and shell together), or this long after its last session ended.
	LoginTimeout time.Duration
	// MaxUnauthenticated and MaxUnauthenticatedPerAddress bound the
	// connections without a session yet (not signed in, or signed in and
	// no session started), in total and per remote address; a connection
	// over either is closed at once.
	MaxUnauthenticated, MaxUnauthenticatedPerAddress int
	// Backend is how to reach DMS (main builds it from the global flags):
	// each user's tickets go out as their profile's identity (Backend.For).
	Backend wizard.Backend
	// Tenant is --tenant: every session skips the tenant step.
	Tenant int64
	// Mono draws every session without colour (--no-color on the server).
	Mono bool
	// Logger receives connections, refusals, auth failures, submissions.
	Logger *log.Logger
	// StatusReads bounds the status reads per second of every session
	// following a ticket together (each read is two to four DMS calls);
	// zero: DefaultStatusReads. However many people watch their tickets,
	// the server's DMS calls per second stay bounded.
	StatusReads float64
}

// DefaultStatusReads is the sessions' shared status reads per second: 200
// sessions at the poll's slowest pace (30 s) need about 7.
const DefaultStatusReads = 10

// Server serves the wizard over SSH: one program per session, identity by
// public key against the users file, the policy enforced again on submit,
// every submission audited.
type Server struct {
	cfg     Config
	log     *log.Logger
	hostKey HostKey
	users   atomic.Pointer[Users]
	audit   *AuditLog
	limits  *sessionLimits
	rate    *connLimiter
	guard   *loginGuard
	// authRefusals spaces the lines about keys refused at sign-in.
	authRefusals refusalLog
	ssh          *ssh.Server
	// statusReads is the sessions' shared pace of status reads; pollLimit
	// is what a session waits on before each read (statusReads.Wait; tests
	// and the load tool put their own, or none).
	statusReads *rate.Limiter
	// estimates is each user's pace of row estimates (estimates.go).
	estimates estimateLimits
	pollLimit func(context.Context) error
	// pollEvery, when set (tests, the load tool), is every session's fixed
	// pace of status reads (tui.Options.PollEvery).
	pollEvery time.Duration
	// maxPaste bounds a bracketed paste (paste.go); tests put a smaller one.
	maxPaste int

	drafts    *perUser[draft.Store]
	histories *perUser[history.Store]
	draftsMu  sync.Mutex // guards draftHeld
	// draftHeld names the users whose draft a live session holds: a user's
	// second session neither offers nor writes it, so two sessions cannot
	// resume, and file, the same ticket.
	draftHeld map[string]bool

	liveMu   sync.Mutex
	live     map[*liveSession]struct{}
	sessions sync.WaitGroup // session handlers running
	inflight sync.WaitGroup // CreateOrder calls running
	draining atomic.Bool
	seq      atomic.Int64
}

// New checks the configuration and prepares the server: the backend's
// credentials, the host key (made on first start), the users file (a
// malformed one is an error naming its line), a DMS service for every
// profile it names, and the audit log.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = log.NewWithOptions(os.Stderr, log.Options{ReportTimestamp: true})
	}
	if cfg.AuditFallback == nil {
		cfg.AuditFallback = os.Stderr
	}
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultGrace
	}
	if cfg.Backend.Service == nil && cfg.Backend.AsProfile == nil {
		return nil, errors.New("no DMS backend: Backend has neither Service nor AsProfile")
	}
	if err := cfg.Backend.CredentialsErr; err != nil {
		return nil, err
	}
	if cfg.UsersPath == "" {
		return nil, errors.New("no users file: pass --users PATH (see testdata/serve/users.example.yaml)")
	}
	s := &Server{
		cfg:       cfg,
		log:       cfg.Logger,
		limits:    newSessionLimits(cfg.MaxSessions, cfg.MaxSessionsPerUser),
		rate:      newConnLimiter(cfg.RateLimit),
		guard:     newLoginGuard(cfg.LoginTimeout, cfg.MaxUnauthenticated, cfg.MaxUnauthenticatedPerAddress, cfg.Logger),
		live:      map[*liveSession]struct{}{},
		drafts:    newDraftStores(),
		histories: newHistories(),
		maxPaste:  defaultMaxPaste,
	}
	s.authRefusals.flush = s.unloggedRefusals
	if s.cfg.StatusReads <= 0 {
		s.cfg.StatusReads = DefaultStatusReads
	}
	s.statusReads = rate.NewLimiter(rate.Limit(s.cfg.StatusReads), max(1, int(s.cfg.StatusReads)))
	s.pollLimit = s.statusReads.Wait
	users, err := LoadUsers(cfg.UsersPath)
	if err != nil {
		return nil, err
	}
	if err := s.connectProfiles(users); err != nil {
		return nil, err
	}
	s.users.Store(users)
	if s.hostKey, err = LoadOrCreateHostKey(cfg.HostKeyPath); err != nil {
		return nil, err
	}
	if s.audit, err = OpenAudit(cfg.AuditPath, cfg.AuditFallback); err != nil {
		return nil, err
	}
	if s.ssh, err = s.newSSHServer(); err != nil {
		s.audit.Close()
		return nil, err
	}
	return s, nil
}

// HostKey is the server's host key.
func (s *Server) HostKey() HostKey { return s.hostKey }

// Users is the users file in force.
func (s *Server) Users() *Users { return s.users.Load() }

func (s *Server) newSSHServer() (*ssh.Server, error) {
	recoverLog := s.log.StandardLog(log.StandardLogOptions{ForceLevel: log.ErrorLevel})
	opts := []ssh.Option{
		wish.WithVersion("dmsticket"),
		func(srv *ssh.Server) error { srv.AddHostKey(s.hostKey.Signer); return nil },
		// Public keys only: with no password or keyboard-interactive handler,
		// those methods are not offered.
		wish.WithPublicKeyAuth(s.authenticate),
		func(srv *ssh.Server) error {
			srv.ConnectionFailedCallback = func(c net.Conn, err error) {
				s.log.Debug("connection failed", "remote", c.RemoteAddr().String(), "err", err)
			}
			// Connections not signed in yet are counted and timed (guard.go);
			// session channels are limited per connection and their
			// requests filtered (requests.go). No other channel type, no
			// global request, no forwarding is served.
			srv.ConnCallback = s.guard.accept
			srv.ServerConfigCallback = s.guard.serverConfig
			srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": s.sessionChannel}
			return nil
		},
		// The middlewares, in the order a session meets them: window changes
		// are always taken, the connection log, the connection rate limit;
		// then, under panic recovery, the admission of a signed-in person to
		// the wizard (middleware.go: no command, a terminal, not while
		// draining, a context of its own, the person by their key, a
		// session slot, their DMS service, their draft), and the handler,
		// which runs the wizard (session.go).
		wish.WithMiddleware(firstToLast(
			takeWindowChanges,
			s.connectionLog,
			s.rateLimitMiddleware,
			recover.MiddlewareWithLogger(recoverLog, firstToLast(
				s.refuseCommand,
				s.requirePty,
				s.refuseWhileDraining,
				ownContext,
				s.identify,
				s.limitSessions,
				s.connectDMS,
				s.takeDraft,
				handler(s.runWizard),
			)...),
		)...),
	}
	if s.cfg.MaxSessionTime > 0 {
		opts = append(opts, wish.WithMaxTimeout(s.cfg.MaxSessionTime+hardCapSlack))
	}
	return wish.NewServer(opts...)
}

// unloggedRefusals says how many keys were refused without a line each.
func (s *Server) unloggedRefusals(n int) {
	s.log.Warn("auth refused: more keys not in the users file, not logged one by one", "refused", n, "in", refusalLogEvery)
}

// authenticate admits a key listed in the users file; every other key is
// refused here, at the SSH layer, and logged with its fingerprint.
func (s *Server) authenticate(ctx ssh.Context, key ssh.PublicKey) bool {
	u, ok := s.users.Load().Lookup(key)
	if !ok {
		if log, unlogged := s.authRefusals.allow(time.Now()); log {
			if unlogged > 0 {
				s.unloggedRefusals(unlogged)
			}
			s.log.Warn("auth refused: key not in the users file", "fingerprint", gossh.FingerprintSHA256(key),
				"login", logText(loginName(ctx.User())), "remote", ctx.RemoteAddr().String())
		}
		return false
	}
	s.log.Debug("key accepted", "user", u.Name, "fingerprint", gossh.FingerprintSHA256(key), "remote", ctx.RemoteAddr().String())
	return true
}

// ListenAndServe listens on Config.Listen and serves until ctx ends, then
// shuts down gracefully (see Serve).
func (s *Server) ListenAndServe(ctx context.Context) error {
	addr := s.cfg.Listen
	if addr == "" {
		addr = DefaultListen
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve accepts SSH connections on ln until ctx ends. Then it stops
// accepting, tells every open session the server is going down, gives them
// Config.Grace to finish, ends the rest, waits for submissions in flight so
// their audit records are written, and returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.log.Info("serving the dmsticket wizard over SSH", "addr", ln.Addr().String(), "host_key", s.hostKey.Fingerprint(),
		"users", len(s.users.Load().List()), "audit", orStderr(s.audit.Path()))
	errc := make(chan error, 1)
	go func() { errc <- s.ssh.Serve(ln) }()
	select {
	case err := <-errc:
		s.ssh.Close()
		s.audit.Close()
		if errors.Is(err, ssh.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	s.shutdown()
	<-errc
	return nil
}

func orStderr(path string) string {
	if path == "" {
		return "stderr"
	}
	return path
}

// shutdownNotice is the banner open sessions see when the server is going
// down.
func (s *Server) shutdownNotice() string {
	msg := fmt.Sprintf("The server is shutting down in %s", s.cfg.Grace.Round(time.Second))
	if _, err := draft.DefaultPath(""); err == nil {
		return msg + "; your draft is kept."
	}
	return msg + ": submit now, or note what you typed."
}

// shutdown drains the server (see Serve).
func (s *Server) shutdown() {
	s.draining.Store(true)
	grace := s.cfg.Grace
	s.log.Info("shutting down: no new connections", "open_sessions", s.liveCount(), "grace", grace)
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	done := make(chan struct{})
	go func() {
		// Closes the listener, then waits for the connections to end.
		_ = s.ssh.Shutdown(ctx)
		close(done)
	}()
	s.broadcast(tui.NoticeMsg{Text: s.shutdownNotice()})
	<-done
	if n := s.liveCount(); n > 0 {
		s.log.Info("grace period over: closing sessions", "open_sessions", n)
		s.endAll(reasonShutdown)
		waitTimeout(&s.sessions, 3*time.Second)
	}
	_ = s.ssh.Close()
	waitTimeout(&s.sessions, 2*time.Second)
	if !waitTimeout(&s.inflight, 60*time.Second) {
		s.log.Error("submissions still running after 60s; their audit records may be missing")
	}
	if err := s.audit.Close(); err != nil {
		s.log.Error("closing the audit log", "err", err)
	}
	s.log.Info("stopped")
}

// waitTimeout waits for wg up to d and reports whether it finished.
func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// ReloadUsers re-reads the users file (SIGHUP). On any problem the file in
// force stays and the error, naming the line, is returned. Open sessions keep
// what their wizard offers; their submissions are checked against the new
// file.
func (s *Server) ReloadUsers() error {
	users, err := LoadUsers(s.cfg.UsersPath)
	if err != nil {
		return err
	}
	if err := s.connectProfiles(users); err != nil {
		return err
	}
	s.users.Store(users)
	s.log.Info("users file reloaded", "path", users.Path, "users", len(users.List()))
	return nil
}

// connectProfiles makes sure a DMS service exists for every profile the
// users file names.
func (s *Server) connectProfiles(users *Users) error {
	for _, p := range users.Profiles() {
		if _, err := s.service(p); err != nil {
			for _, u := range users.List() {
				if u.Profile == p {
					return &UsersFileError{Path: users.Path, Line: u.Line, Msg: fmt.Sprintf("user %s: profile %q: %v", u.Name, p, err)}
				}
			}
			return err
		}
	}
	return nil
}

// service is the DMS service acting as a profile's identity: the backend
// makes it once and keeps it (dms.Clients).
func (s *Server) service(profile string) (dms.Service, error) {
	svc, err := s.cfg.Backend.For(profile)
	if err != nil {
		return nil, err
	}
	if svc == nil {
		return nil, fmt.Errorf("no DMS service for profile %q", profile)
	}
	return svc, nil
}
