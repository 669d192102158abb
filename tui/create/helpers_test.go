package create

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
)

const seedPath = "../../testdata/sim/seed.json"

// consoleURL is the console link template of the tests' backends.
const consoleURL = "https://dms.example.com/{region}/{tid}/order/{orderId}"

// IDs in testdata/sim/seed.json the tests rely on.
const (
	tenantRetail  = 3000001
	dbOrdersProd  = 1100001 // orders@10.20.1.11:3306, mysql, product
	dbOrdersDev   = 1100023 // orders_dev@10.40.1.11:3306, mysql, dev
	dbUsersDev    = 1100024 // users_dev@10.40.1.11:3306, mysql, dev
	dbPayrollProd = 1100004 // the demo user may not query it
	dbERPFinance  = 1100010 // oracle: no EXPLAIN estimate
	firstOrderID  = 40000001
)

var (
	seedOnce sync.Once
	seed     *dmssim.Seed
	seedErr  error
)

// world is a simulator with a client for it, and what the command is given.
type world struct {
	t        *testing.T
	sim      *dmssim.Running
	client   *dms.Client
	stdin    io.Reader
	terminal bool
	tenant   int64
	mu       sync.Mutex
	offset   time.Duration
	// wrap, when set, stands between the command and the client (a DMS
	// that answers otherwise than the simulator).
	wrap func(dms.Service) dms.Service
	// demo runs as --demo does (the Backend says so).
	demo bool
	// onSleep runs at each of the run's waits.
	onSleep func()
}

func newWorld(t *testing.T) *world {
	t.Helper()
	seedOnce.Do(func() { seed, seedErr = dmssim.LoadSeedFile(seedPath) })
	if seedErr != nil {
		t.Fatal(seedErr)
	}
	cred := dmssim.Credential{AccessKeyID: "create-test-key", AccessKeySecret: "create-test-secret", UserID: 2000001}
	w := &world{t: t}
	sim, err := dmssim.Start(dmssim.Options{Seed: seed, Credentials: []dmssim.Credential{cred}, Now: w.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	c, err := dms.NewClient(dms.Config{
		Endpoint:    sim.Endpoint,
		Credentials: dms.StaticCredentials(cred.AccessKeyID, cred.AccessKeySecret),
		Retry:       dms.Retry{Attempts: 2, Base: time.Millisecond, Max: 2 * time.Millisecond},
		ReadTimeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.sim, w.client = sim, c
	return w
}

// now is the simulator's clock: the wall clock moved on by the waits.
func (w *world) now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return time.Now().Add(w.offset)
}

func (w *world) advance(d time.Duration) {
	w.mu.Lock()
	w.offset += d
	w.mu.Unlock()
}

// outcome is one run of the command.
type outcome struct {
	code           int
	stdout, stderr string
}

// run runs `dmsticket create args…` and returns its exit code and streams.
func (w *world) run(args ...string) outcome {
	w.t.Helper()
	return w.runCtx(context.Background(), args...)
}

func (w *world) runCtx(ctx context.Context, args ...string) outcome {
	w.t.Helper()
	var stdout, stderr bytes.Buffer
	deps := Deps{
		Connect: func() (Backend, error) {
			var svc dms.Service = w.client
			if w.wrap != nil {
				svc = w.wrap(svc)
			}
			return Backend{Service: svc, Client: w.client, Region: "cn-hangzhou", Endpoint: w.sim.Endpoint, ConsoleURL: consoleURL, Demo: w.demo}, nil
		},
		Tenant:     func() int64 { return w.tenant },
		Stdin:      w.stdin,
		Stdout:     &stdout,
		Stderr:     &stderr,
		IsTerminal: func() bool { return w.terminal },
		Now:        w.now,
		// A wait takes no time: the simulator's lifecycle runs on its own
		// clock, moved on by the waits.
		Sleep: func(ctx context.Context, d time.Duration) error {
			if w.onSleep != nil {
				w.onSleep()
			}
			w.advance(d)
			return ctx.Err()
		},
	}
	cmd := NewCommand(deps)
	cmd.SetArgs(args)
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	err := cmd.ExecuteContext(ctx)
	o := outcome{stdout: stdout.String(), stderr: stderr.String()}
	var ee *ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		o.code = ee.Code
	default:
		w.t.Fatalf("create returned %v, not an *ExitError\nstderr:\n%s", err, o.stderr)
	}
	if strings.ContainsRune(o.stdout, 0x1b) || strings.ContainsRune(o.stderr, 0x1b) {
		w.t.Errorf("escape sequence in the output:\nstdout %q\nstderr %q", o.stdout, o.stderr)
	}
	return o
}

// want checks the exit code, showing the streams when it is wrong.
func (o outcome) want(t *testing.T, code int) {
	t.Helper()
	if o.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", o.code, code, o.stdout, o.stderr)
	}
}

// orders is what the simulator stored.
func (w *world) orders() []dmssim.Order { return w.sim.Server.Orders() }

// createCalls is how many CreateOrder requests reached the simulator.
func (w *world) createCalls() int { return len(w.sim.Server.RequestsFor("CreateOrder")) }

// export is a valid export on a development database, flags to add.
func export(extra ...string) []string {
	return append([]string{"--type", "DATA_EXPORT", "--db", "orders_dev@10.40.1.11:3306",
		"--sql", "SELECT id, total FROM orders WHERE total > 100", "--comment", "Q3 export for finance",
		"--classify", "quarterly report"}, extra...)
}
