// Command dmsticket files Alibaba Cloud DMS Enterprise tickets (CreateOrder)
// from a terminal: a keyboard-driven wizard, served locally or over SSH, a
// create command for scripts, and an embedded DMS simulator for --demo.
//
// This file holds the commands and flags and wires configuration to the DMS
// client and the UI; the logic lives in dms/, tui/ and theme/.
package main

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	// Before Bubble Tea's init: a subcommand does not ask the terminal its
	// background (termquery's doc).
	_ "dmsticket/termquery"
	"dmsticket/tui"
	"dmsticket/tui/create"
	"dmsticket/tui/draft"
	"dmsticket/tui/history"
	"dmsticket/tui/server"
	"dmsticket/tui/tickets"
	"dmsticket/tui/wizard"
)

// demoSeed is the simulator's world for --demo and `sim`.
//
//go:embed testdata/sim/seed.json
var demoSeed []byte

// version is set at build time (-ldflags "-X main.version=v1.2.3"); otherwise
// it comes from the module's build information.
var version = ""

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// exitError carries a process exit code (PRODUCT section 9).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// run executes the command line and returns the exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRoot(stdin, stdout, stderr)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ce *create.ExitError
	if errors.As(err, &ce) {
		return ce.Code // create has said what happened on stderr
	}
	if errors.Is(err, context.Canceled) {
		return 130
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(stderr, "dmsticket:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "dmsticket:", err)
	return 2
}

// globals are the flags every command takes (PRODUCT section 3), and the
// one setting taken from the environment here: DMSTICKET_CONSOLE_URL.
type globals struct {
	region, profile, endpoint string
	tenant                    int64
	demo, accessible, noColor bool
	// engines are --engine's DSNs: real database servers that answer the
	// simulator's ExecuteScript (sim, and --demo).
	engines []string
	// consoleURL is the console link template (DMSTICKET_CONSOLE_URL); the
	// backend carries it.
	consoleURL string
}

func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	g := &globals{consoleURL: os.Getenv("DMSTICKET_CONSOLE_URL")}
	root := &cobra.Command{
		Use:   "dmsticket",
		Short: "File Alibaba Cloud DMS Enterprise tickets from the terminal",
		Long: "dmsticket walks you through a DMS Enterprise ticket (CreateOrder): type, database, SQL with an\n" +
			"affected-row estimate, details, a review of the exact request, and the result.\n\n" +
			"Try it without an account: dmsticket --demo",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildVersion(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runWizard(cmd.Context(), g, stdin, stdout, stderr)
		},
	}
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		if g.tenant < 0 {
			// Nothing is sent: a tenant ID is positive (DMS answered
			// TenantNotExist, exit 1, as if the ticket had been refused).
			return &exitError{code: 2, err: fmt.Errorf("--tenant %d: a DMS tenant ID is a positive number, such as 3000001", g.tenant)}
		}
		return nil
	}
	pf := root.PersistentFlags()
	// Neither flag takes its default from the environment here: the DMS
	// client resolves them as the SDK's chain means them (dms.Config).
	pf.StringVar(&g.region, "region", "", "DMS region (default: ALIBABA_CLOUD_REGION_ID, else the region_id of the aliyun CLI profile in use, else "+dms.DefaultRegion+")")
	pf.StringVar(&g.profile, "profile", "", "aliyun CLI profile (else section of ~/.alibabacloud/credentials) to take credentials from (default: the SDK's chain: environment keys first, then ALIBABA_CLOUD_PROFILE or the CLI's current profile)")
	pf.StringVar(&g.endpoint, "endpoint", "", "DMS endpoint URL (default https://dms-enterprise.<region>.aliyuncs.com; http:// only for loopback)")
	pf.Int64Var(&g.tenant, "tenant", 0, "DMS tenant ID (Tid); skips the tenant step")
	pf.BoolVar(&g.demo, "demo", false, "run against the embedded DMS simulator: no account, no network")
	pf.BoolVar(&g.accessible, "accessible", false, "plain prompts for screen readers: no full-screen UI, no colour")
	pf.BoolVar(&g.noColor, "no-color", false, "draw without colour (NO_COLOR is honoured too)")
	pf.StringArrayVar(&g.engines, "engine", nil, "with sim or --demo: answer ExecuteScript (the estimates) on a real database server, mysql://user:password@host:port or postgres://user:password@host:port/database (repeatable, one per family)")
	root.AddCommand(simCommand(g, stdout, stderr), versionCommand(stdout), serveCommand(g, stdout, stderr), createCommand(g, stdin, stdout, stderr))
	root.AddCommand(ticketCommands(g, stdout, stderr)...)
	return root
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func versionCommand(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(stdout, "dmsticket", buildVersion())
			return nil
		},
	}
}

// connect reaches DMS as the global flags say, once for the command that
// runs: against the in-process simulator for --demo, else the real endpoint
// with the SDK's credentials; calls is how many DMS calls each client runs
// at once (0: the client's default). The backend acts as the aliyun CLI
// profiles a served users file names through one dms.Clients, and carries
// the console link template. Missing credentials are not an
// error here: each command says so in its own way (Backend.CredentialsErr).
func connect(g *globals, calls int) (wizard.Backend, error) {
	if strings.Contains(strings.ToLower(os.Getenv("DEBUG")), "sdk") {
		return wizard.Backend{}, &exitError{2, errors.New("DEBUG=sdk makes the Alibaba Cloud SDK print every request to stdout, which would wreck the screen and leak request details: unset DEBUG")}
	}
	cfg := dms.Config{Region: g.region, Profile: g.profile, Endpoint: g.endpoint, Version: buildVersion(), Concurrency: calls}
	closeSim := func() {}
	if g.demo {
		sim, cred, engines, err := startDemo(g.engines)
		if err != nil {
			return wizard.Backend{}, err
		}
		closeSim = func() { sim.Close(); engines.Close() }
		// The real SDK client, pointed at the simulator: the demo runs the
		// same code path as production. It has one identity.
		cfg.Profile, cfg.Endpoint = "", sim.Endpoint
		cfg.Credentials = dms.StaticCredentials(cred.AccessKeyID, cred.AccessKeySecret)
	}
	clients, err := dms.NewClients(cfg)
	if err != nil {
		closeSim()
		return wizard.Backend{}, &exitError{2, err}
	}
	c := clients.Base()
	b := wizard.Backend{
		Service: c, Client: c, Region: c.Region(), Endpoint: c.Endpoint(), Demo: g.demo,
		ConsoleURL: g.consoleURL,
		AsProfile: func(profile string) (dms.Service, error) {
			c, err := clients.For(profile)
			if err != nil {
				return nil, err
			}
			return c, nil
		},
		Close: closeSim,
	}
	if _, err := clients.For(""); err != nil {
		var ce *dms.CredentialsError
		if !errors.As(err, &ce) {
			closeSim()
			return wizard.Backend{}, &exitError{2, err}
		}
		b.CredentialsErr = ce
	}
	b.Credentials = c.CredentialOrigin()
	return b, nil
}

// startDemo starts the simulator on a loopback port with a key pair made up
// for this run, answering ExecuteScript on the engines' servers when given.
func startDemo(dsns []string) (*dmssim.Running, dmssim.Credential, dmssim.Engines, error) {
	seed, err := dmssim.LoadSeed(demoSeed)
	if err != nil {
		return nil, dmssim.Credential{}, nil, err
	}
	engines, err := dmssim.OpenEngines(context.Background(), dsns)
	if err != nil {
		return nil, dmssim.Credential{}, nil, &exitError{2, err}
	}
	cred := dmssim.Credential{AccessKeyID: "demo-" + randomHex(8), AccessKeySecret: randomHex(24), UserID: dmssim.DefaultCredential.UserID}
	sim, err := dmssim.Start(dmssim.Options{Seed: seed, Credentials: []dmssim.Credential{cred}, Engines: engines})
	if err != nil {
		engines.Close()
		return nil, dmssim.Credential{}, nil, err
	}
	return sim, cred, engines, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// mono reports whether to draw without colour.
func (g *globals) mono() bool { return g.noColor || os.Getenv("NO_COLOR") != "" }

func runWizard(ctx context.Context, g *globals, stdin io.Reader, stdout, stderr io.Writer) error {
	in, inOK := stdin.(*os.File)
	out, outOK := stdout.(*os.File)
	if !g.accessible && (!inOK || !outOK || !term.IsTerminal(in.Fd()) || !term.IsTerminal(out.Fd())) {
		return &exitError{2, errors.New("the wizard needs a terminal; for scripts use `dmsticket create` (see dmsticket create --help), or --accessible for plain prompts")}
	}
	b, err := connect(g, 0)
	if err != nil {
		return err
	}
	defer b.Release()
	opts := tui.Options{
		Service: b.Service, CredentialsErr: b.CredentialsErr, Region: b.Region, Endpoint: b.Endpoint, Demo: b.Demo,
		Credentials: b.Credentials, ConsoleURL: b.ConsoleURL,
		Tenant: g.tenant, Mono: g.mono(), Local: true,
	}
	if path, err := draft.DefaultPath(""); err == nil && !g.accessible {
		if b.Demo {
			path = draft.DemoPath(path)
		}
		release := tui.OpenDrafts(&opts, draft.NewStore(path))
		defer release()
	}
	if path, err := history.DefaultPath(""); err == nil && !g.accessible {
		if b.Demo {
			path = history.DemoPath(path)
		}
		if h, err := history.Open(path); err == nil {
			opts.History = h
		}
	}
	if g.accessible {
		return tui.RunAccessible(ctx, opts, stdin, stdout)
	}
	return tui.Run(ctx, opts, in, out)
}

func simCommand(g *globals, stdout, stderr io.Writer) *cobra.Command {
	var listen, id, secret, token, seedPath, approve string
	var extra int
	var precheck time.Duration
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run the DMS simulator as a standalone HTTP endpoint",
		Long: "sim serves the DMS simulator: the same RPC protocol, signature checks and answers as DMS, from a\n" +
			"seeded world of tenants, databases and tables. Point dmsticket (or the aliyun CLI, or any SDK) at it\n" +
			"with --endpoint and the printed key pair.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			seed, err := dmssim.LoadSeed(demoSeed)
			if seedPath != "" {
				seed, err = dmssim.LoadSeedFile(seedPath)
			}
			if err != nil {
				return &exitError{2, err}
			}
			mode, err := dmssim.ParseApproveMode(approve)
			if err != nil {
				return &exitError{2, fmt.Errorf("--approve: %v", err)}
			}
			if precheck < 0 {
				return &exitError{2, fmt.Errorf("--precheck-delay is %s; it cannot be negative", precheck)}
			}
			if precheck == 0 {
				precheck = dmssim.NoDelay
			}
			engines, err := dmssim.OpenEngines(cmd.Context(), g.engines)
			if err != nil {
				return &exitError{2, err}
			}
			defer engines.Close()
			cred := dmssim.Credential{AccessKeyID: id, AccessKeySecret: secret, SecurityToken: token, UserID: dmssim.DefaultCredential.UserID}
			r, err := dmssim.StartOn(listen, dmssim.Options{Seed: seed, Credentials: []dmssim.Credential{cred}, ExtraDatabases: extra,
				PrecheckDelay: precheck, Approve: mode, Engines: engines})
			if err != nil {
				return &exitError{2, err}
			}
			defer r.Close()
			fmt.Fprintf(stdout, "DMS simulator listening on %s\n", r.Endpoint)
			for _, e := range engines {
				fmt.Fprintf(stdout, "  ExecuteScript on %s databases runs on %s\n", e.Dialect().Words(), e)
			}
			fmt.Fprintf(stdout, "  ALIBABA_CLOUD_ACCESS_KEY_ID=%s\n  ALIBABA_CLOUD_ACCESS_KEY_SECRET=%s\n", cred.AccessKeyID, cred.AccessKeySecret)
			if cred.SecurityToken != "" {
				fmt.Fprintf(stdout, "  ALIBABA_CLOUD_SECURITY_TOKEN=%s\n", cred.SecurityToken)
			}
			fmt.Fprintf(stdout, "  dmsticket --endpoint %s\n", r.Endpoint)
			if err := r.WriteApprover(stdout); err != nil {
				return err
			}
			fmt.Fprintln(stderr, "Serving until interrupted (ctrl+c).")
			<-cmd.Context().Done()
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:18080", "address to listen on")
	f.StringVar(&id, "access-key-id", dmssim.DefaultCredential.AccessKeyID, "the AccessKey ID it accepts")
	f.StringVar(&secret, "access-key-secret", dmssim.DefaultCredential.AccessKeySecret, "the AccessKey secret it accepts")
	f.StringVar(&token, "security-token", "", "make the key pair an STS key: every request must carry this SecurityToken")
	f.StringVar(&seedPath, "seed", "", "a seed fixture to use instead of the built-in one (see testdata/sim/README.md)")
	f.IntVar(&extra, "databases", 0, "add N generated databases (scale tests)")
	f.DurationVar(&precheck, "precheck-delay", dmssim.DefaultPrecheckDelay, "how long DMS's precheck of a new ticket takes (0: at once)")
	f.StringVar(&approve, "approve", string(dmssim.ApproveAuto), "who approves submitted tickets: auto (offline databases after 2s, online ones after 6s) or manual (the printed approver key pair, with ApproveOrder)")
	return cmd
}

func serveCommand(g *globals, stdout, stderr io.Writer) *cobra.Command {
	return server.NewCommand(server.Deps{
		Stdout: stdout, Stderr: stderr,
		Backend: func() (wizard.Backend, error) { return connect(g, serveDMSCalls) },
		Tenant:  func() int64 { return g.tenant },
		Mono:    g.mono,
	})
}

// serveDMSCalls is how many DMS calls each of serve's clients runs at once:
// many sessions share one client, and at 200 sessions 8 calls made the
// database list wait over a second (BENCHMARKS.md, SSH at team scale).
const serveDMSCalls = 32

func createCommand(g *globals, stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	return create.NewCommand(create.Deps{
		Connect:    func() (wizard.Backend, error) { return connect(g, 0) },
		Tenant:     func() int64 { return g.tenant },
		Stdin:      stdin,
		Stdout:     stdout,
		Stderr:     stderr,
		IsTerminal: func() bool { f, ok := stdin.(*os.File); return ok && term.IsTerminal(f.Fd()) },
	})
}

// ticketCommands are status, submit, list and download: following a ticket
// after CreateOrder (PRODUCT section 13).
func ticketCommands(g *globals, stdout, stderr io.Writer) []*cobra.Command {
	deps := tickets.Deps{
		Connect:          func() (wizard.Backend, error) { return connect(g, 0) },
		Tenant:           func() int64 { return g.tenant },
		Stdout:           stdout,
		Stderr:           stderr,
		StderrIsTerminal: func() bool { f, ok := stderr.(*os.File); return ok && term.IsTerminal(f.Fd()) },
	}
	return []*cobra.Command{tickets.NewStatusCommand(deps), tickets.NewSubmitCommand(deps), tickets.NewListCommand(deps), tickets.NewDownloadCommand(deps)}
}
