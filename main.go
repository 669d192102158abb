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
	"sync"
	"syscall"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/tui"
	"dmsticket/tui/create"
	"dmsticket/tui/draft"
	"dmsticket/tui/server"
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

// globals are the flags every command takes (PRODUCT section 3).
type globals struct {
	region, profile, endpoint string
	tenant                    int64
	demo, accessible, noColor bool
}

func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	g := &globals{}
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
	root.AddCommand(simCommand(stdout, stderr), versionCommand(stdout), serveCommand(g, stdout, stderr), createCommand(g, stdin, stdout, stderr))
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

// backend is a DMS service ready to use, and how to release it.
type backend struct {
	svc      dms.Service
	client   *dms.Client
	region   string // resolved: --region, ALIBABA_CLOUD_REGION_ID, the profile's region_id or the default
	endpoint string
	demo     bool
	credErr  *dms.CredentialsError
	close    func()
}

// connect builds the DMS client from the flags: against the in-process
// simulator for --demo, else the real endpoint with the SDK's credentials.
func connect(g *globals) (*backend, error) { return connectWith(g, 0) }

// connectWith is connect with a number of concurrent DMS calls (0: the
// client's default).
func connectWith(g *globals, calls int) (*backend, error) {
	if strings.Contains(strings.ToLower(os.Getenv("DEBUG")), "sdk") {
		return nil, &exitError{2, errors.New("DEBUG=sdk makes the Alibaba Cloud SDK print every request to stdout, which would wreck the screen and leak request details: unset DEBUG")}
	}
	if g.demo {
		return connectDemo(g, calls)
	}
	c, err := dms.NewClient(dms.Config{Region: g.region, Profile: g.profile, Endpoint: g.endpoint, Version: buildVersion(), Concurrency: calls})
	if err != nil {
		return nil, &exitError{2, err}
	}
	b := &backend{svc: c, client: c, region: c.Region(), endpoint: c.Endpoint(), close: func() {}}
	if err := c.CheckCredentials(); err != nil {
		var ce *dms.CredentialsError
		if errors.As(err, &ce) {
			b.credErr = ce
		} else {
			return nil, &exitError{2, err}
		}
	}
	return b, nil
}

// connectDemo starts the simulator on a loopback port with a key pair made up
// for this run and points the real SDK client at it: the demo runs the same
// code path as production.
func connectDemo(g *globals, calls int) (*backend, error) {
	seed, err := dmssim.LoadSeed(demoSeed)
	if err != nil {
		return nil, err
	}
	cred := dmssim.Credential{AccessKeyID: "demo-" + randomHex(8), AccessKeySecret: randomHex(24), UserID: dmssim.DefaultCredential.UserID}
	sim, err := dmssim.Start(dmssim.Options{Seed: seed, Credentials: []dmssim.Credential{cred}})
	if err != nil {
		return nil, err
	}
	c, err := dms.NewClient(dms.Config{
		Region: g.region, Endpoint: sim.Endpoint, Version: buildVersion(), Concurrency: calls,
		Credentials: dms.StaticCredentials(cred.AccessKeyID, cred.AccessKeySecret),
	})
	if err != nil {
		sim.Close()
		return nil, err
	}
	return &backend{svc: c, client: c, region: c.Region(), endpoint: sim.Endpoint, demo: true, close: func() { sim.Close() }}, nil
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
	b, err := connect(g)
	if err != nil {
		return err
	}
	defer b.close()
	opts := tui.Options{
		Service: b.svc, CredentialsErr: b.credErr, Region: b.region, Endpoint: b.endpoint, Demo: b.demo,
		Credentials: b.client.CredentialOrigin(),
		Tenant:      g.tenant, Mono: g.mono(), Local: true, ConsoleURL: os.Getenv("DMSTICKET_CONSOLE_URL"),
	}
	if path, err := draft.DefaultPath(""); err == nil && !g.accessible {
		if b.demo {
			path = draft.DemoPath(path)
		}
		release := tui.OpenDrafts(&opts, draft.NewStore(path))
		defer release()
	}
	if g.accessible {
		return tui.RunAccessible(ctx, opts, stdin, stdout)
	}
	return tui.Run(ctx, opts, in, out)
}

func simCommand(stdout, stderr io.Writer) *cobra.Command {
	var listen, id, secret, token, seedPath string
	var extra int
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
			cred := dmssim.Credential{AccessKeyID: id, AccessKeySecret: secret, SecurityToken: token, UserID: dmssim.DefaultCredential.UserID}
			r, err := dmssim.StartOn(listen, dmssim.Options{Seed: seed, Credentials: []dmssim.Credential{cred}, ExtraDatabases: extra})
			if err != nil {
				return &exitError{2, err}
			}
			defer r.Close()
			fmt.Fprintf(stdout, "DMS simulator listening on %s\n", r.Endpoint)
			fmt.Fprintf(stdout, "  ALIBABA_CLOUD_ACCESS_KEY_ID=%s\n  ALIBABA_CLOUD_ACCESS_KEY_SECRET=%s\n", cred.AccessKeyID, cred.AccessKeySecret)
			if cred.SecurityToken != "" {
				fmt.Fprintf(stdout, "  ALIBABA_CLOUD_SECURITY_TOKEN=%s\n", cred.SecurityToken)
			}
			fmt.Fprintf(stdout, "  dmsticket --endpoint %s\n", r.Endpoint)
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
	return cmd
}

func serveCommand(g *globals, stdout, stderr io.Writer) *cobra.Command {
	var release func()
	return server.NewCommand(server.Deps{
		Stdout: stdout, Stderr: stderr,
		Backend: func() (server.Backend, error) {
			b, c, err := serveBackend(g)
			release = c
			return b, err
		},
		Close: func() {
			if release != nil {
				release()
			}
		},
	})
}

// serveDMSCalls is how many DMS calls each of serve's clients runs at once:
// many sessions share one client, and at 200 sessions 8 calls made the
// database list wait over a second (BENCHMARKS.md, SSH at team scale).
const serveDMSCalls = 32

// serveBackend connects once for the server and builds one client per aliyun
// CLI profile the users file names, on first use, so each user's tickets go
// out under their own identity.
func serveBackend(g *globals) (server.Backend, func(), error) {
	b, err := connectWith(g, serveDMSCalls)
	if err != nil {
		return server.Backend{}, nil, err
	}
	if b.credErr != nil {
		b.close()
		return server.Backend{}, nil, &exitError{2, b.credErr}
	}
	var mu sync.Mutex
	clients := map[string]dms.Service{"": b.svc}
	conn := func(profile string) (dms.Service, error) {
		mu.Lock()
		defer mu.Unlock()
		if svc, ok := clients[profile]; ok {
			return svc, nil
		}
		if b.demo {
			return b.svc, nil // the simulator has one identity
		}
		// One region for the whole server: the one resolved at start.
		c, err := dms.NewClient(dms.Config{Region: b.region, Profile: profile, Endpoint: g.endpoint, Version: buildVersion(), Concurrency: serveDMSCalls})
		if err != nil {
			return nil, err
		}
		if err := c.CheckCredentials(); err != nil {
			return nil, err
		}
		clients[profile] = c
		return c, nil
	}
	return server.Backend{Connect: conn, Region: b.region, Endpoint: b.endpoint, Demo: b.demo, Tenant: g.tenant,
		Mono: g.mono(), ConsoleURL: os.Getenv("DMSTICKET_CONSOLE_URL")}, b.close, nil
}

func createCommand(g *globals, stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	return create.NewCommand(create.Deps{
		Connect: func() (create.Backend, error) {
			b, err := connect(g)
			if err != nil {
				return create.Backend{}, err
			}
			return create.Backend{Service: b.svc, Region: b.region, Endpoint: b.endpoint, Credentials: b.client.CredentialOrigin(),
				CredentialsErr: b.credErr, Close: b.close}, nil
		},
		Tenant:     func() int64 { return g.tenant },
		Stdin:      stdin,
		Stdout:     stdout,
		Stderr:     stderr,
		IsTerminal: func() bool { f, ok := stdin.(*os.File); return ok && term.IsTerminal(f.Fd()) },
		ConsoleURL: os.Getenv("DMSTICKET_CONSOLE_URL"),
	})
}
