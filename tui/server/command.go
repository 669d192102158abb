package server

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/charmbracelet/log"
	"github.com/spf13/cobra"

	"dmsticket/tui/wizard"
)

// Deps is what main gives the serve command.
type Deps struct {
	// Backend connects to DMS as the global flags say (--region,
	// --profile, --endpoint, --demo). It is called once, when serve starts,
	// after the flags are parsed; serve releases it when it returns.
	Backend func() (wizard.Backend, error)
	// Tenant is the global --tenant (every session skips the tenant step)
	// and Mono --no-color; nil: none.
	Tenant func() int64
	Mono   func() bool
	// Stderr receives the server's log (and the audit records when there is
	// no --audit-log). Stdout is unused but kept for symmetry with the other
	// commands.
	Stdout, Stderr io.Writer
}

// serveFlags are the serve command's own flags (PRODUCT section 8).
type serveFlags struct {
	listen, hostKey, users, audit, logLevel string
	maxSessions, maxPerUser, rateLimit      int
	maxUnauth, maxUnauthPerAddr             int
	idle, maxTime, grace, loginTimeout      time.Duration
}

// DefaultHostKeyPath is where the host key lives unless --host-key says
// otherwise: $XDG_STATE_HOME/dmsticket/ssh_host_ed25519_key, or under
// ~/.local/state.
func DefaultHostKeyPath() string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "ssh_host_ed25519_key"
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "dmsticket", "ssh_host_ed25519_key")
}

// NewCommand is `dmsticket serve`: the wizard over SSH for a team.
func NewCommand(deps Deps) *cobra.Command {
	f := &serveFlags{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the wizard over SSH",
		Long: "serve runs an SSH server whose only program is the dmsticket wizard. People sign in with a\n" +
			"public key listed in the users file (--users) and file tickets with `ssh -t HOST`: no install, no cloud\n" +
			"keys on laptops. Their ticket types and environments are limited by the users file, in the UI and again\n" +
			"on submit; every submission is written to the audit log.\n\n" +
			"SIGHUP re-reads the users file. SIGTERM stops accepting connections, warns open sessions and\n" +
			"gives them --grace to finish.",
		Example: "  dmsticket serve --host-key /var/lib/dmsticket/host_ed25519 --users /etc/dmsticket/users.yaml \\\n" +
			"    --audit-log /var/log/dmsticket/audit.jsonl --listen 0.0.0.0:23234\n" +
			"  dmsticket serve --demo --users testdata/serve/users.example.yaml   # a team demo against the simulator",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), deps, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", DefaultListen, "address to listen on (host:port)")
	fl.StringVar(&f.hostKey, "host-key", DefaultHostKeyPath(), "the server's ed25519 host key; created with mode 0600 on first start, reused after")
	fl.StringVar(&f.users, "users", "", "the users file (YAML: names, keys, DMS user IDs, policy); required; SIGHUP re-reads it")
	fl.StringVar(&f.audit, "audit-log", "", "append one JSON line per submission attempt to this file (mode 0600); default: stderr")
	fl.IntVar(&f.maxSessions, "max-sessions", DefaultMaxSessions, "maximum concurrent sessions in total (0: no limit)")
	fl.IntVar(&f.maxPerUser, "max-sessions-per-user", DefaultMaxSessionsPerUser, "maximum concurrent sessions per user (0: no limit)")
	fl.DurationVar(&f.idle, "idle-timeout", DefaultIdleTimeout, "end a session after this long without a key (0: never)")
	fl.DurationVar(&f.maxTime, "max-session-time", DefaultMaxSessionTime, "end a session this long after it started (0: never)")
	fl.DurationVar(&f.grace, "grace", DefaultGrace, "on SIGTERM, how long open sessions get before they are closed")
	fl.IntVar(&f.rateLimit, "rate-limit", DefaultRateLimit, "new sessions allowed per minute from one address, in bursts of a third of that (0: no limit)")
	fl.DurationVar(&f.loginTimeout, "login-timeout", DefaultLoginTimeout, "close a connection that has not started a session this long after connecting (handshake, key, pty and shell), or this long after its last session ended (0: never)")
	fl.IntVar(&f.maxUnauth, "max-unauthenticated", DefaultMaxUnauthenticated, "maximum connections without a session yet (signing in, or signed in and no session started), in total; more are closed at once (0: no limit)")
	fl.IntVar(&f.maxUnauthPerAddr, "max-unauthenticated-per-address", DefaultMaxUnauthenticatedPerAddress, "maximum connections without a session yet from one address; more are closed at once (0: no limit)")
	fl.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	return cmd
}

// serveGCPercent is the garbage collector's GOGC for serve, unless GOGC is
// set: hundreds of sessions allocate a frame's strings per key, and at the
// default of 100 the collector took 12 % of the server's CPU with 500
// sessions open; at 300 it takes less and the echo's p99 drops (BENCHMARKS.md,
// SSH at team scale), for a heap up to four times the live one (about
// 160 KiB a session).
const serveGCPercent = 300

// tuneGC sets serve's GOGC unless the environment sets its own.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(serveGCPercent)
	}
}

func runServe(ctx context.Context, deps Deps, f *serveFlags) error {
	if ctx == nil {
		ctx = context.Background()
	}
	tuneGC()
	stderr := deps.Stderr
	if stderr == nil {
		stderr = os.Stderr
	}
	if f.users == "" {
		return fmt.Errorf("serve needs a users file: --users PATH (an example: testdata/serve/users.example.yaml)")
	}
	level, err := log.ParseLevel(f.logLevel)
	if err != nil {
		return fmt.Errorf("--log-level %q: use debug, info, warn or error", f.logLevel)
	}
	logger := log.NewWithOptions(stderr, log.Options{ReportTimestamp: true, TimeFormat: time.RFC3339, Prefix: "serve", Level: level})
	if deps.Backend == nil {
		return fmt.Errorf("serve is not wired to a DMS backend")
	}
	backend, err := deps.Backend()
	if err != nil {
		return err
	}
	defer backend.Release()
	if backend.CredentialsErr != nil {
		return backend.CredentialsErr // a server without credentials serves nobody
	}
	var tenant int64
	if deps.Tenant != nil {
		tenant = deps.Tenant()
	}
	mono := deps.Mono != nil && deps.Mono()
	if f.audit == "" {
		logger.Warn("no --audit-log: audit records go to stderr")
	}
	srv, err := New(Config{
		Listen: f.listen, HostKeyPath: f.hostKey, UsersPath: f.users, AuditPath: f.audit, AuditFallback: stderr,
		MaxSessions: f.maxSessions, MaxSessionsPerUser: f.maxPerUser,
		IdleTimeout: f.idle, MaxSessionTime: f.maxTime, Grace: f.grace, RateLimit: f.rateLimit,
		LoginTimeout: f.loginTimeout, MaxUnauthenticated: f.maxUnauth, MaxUnauthenticatedPerAddress: f.maxUnauthPerAddr,
		Backend: backend, Tenant: tenant, Mono: mono, Logger: logger,
	})
	if err != nil {
		return err
	}
	if hk := srv.HostKey(); hk.Created {
		logger.Info("created the host key", "path", hk.Path, "fingerprint", hk.Fingerprint())
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGHUP)
	defer signal.Stop(signals)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-signals:
				if err := srv.ReloadUsers(); err != nil {
					logger.Error("users file not reloaded; the previous one stays in force", "err", err)
				}
			}
		}
	}()
	return srv.ListenAndServe(ctx)
}
