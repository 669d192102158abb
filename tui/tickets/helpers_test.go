package tickets

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	dmse "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"
	"github.com/spf13/cobra"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/dms/dmssim/dmssimtest"
	"dmsticket/tui/wizard"
)

// IDs in testdata/sim/seed.json the tests rely on.
const (
	tenantRetail = 3000001 // the demo user's active tenant
	tenantLab    = 3000002 // the demo user's other tenant
	dbSandbox    = 1100025 // sandbox, mysql, dev: scratch has 12 rows
	dbOrdersProd = 1100001 // orders, mysql, product: approval takes 6 s
	scratchSQL   = "SELECT id, email, note FROM scratch"
	consoleURL   = "https://dms.example.com/{region}/{tid}/order/{orderId}"
)

// clock is the test's time: the simulator's and the command's. Sleep moves
// it on at once, so a wait of minutes takes no time; onSleep, when set, is
// called after each move (a test acts "while the command waits").
type clock struct {
	mu      sync.Mutex
	now     time.Time
	slept   []time.Duration
	onSleep func(now time.Time, d time.Duration)
}

func newClock() *clock { return &clock{now: time.Now().Truncate(time.Second)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.slept = append(c.slept, d)
	now, hook := c.now, c.onSleep
	c.mu.Unlock()
	if hook != nil {
		hook(now, d)
	}
	return ctx.Err()
}

// sleeps are the waits the command asked for.
func (c *clock) sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// world is a simulator on the test clock, the real SDK client on it over
// loopback HTTP, and what the commands are given.
type world struct {
	t        *testing.T
	w        *dmssimtest.World
	clock    *clock
	tenant   int64
	terminal bool
	// credErr, when set, is the backend's: no credentials were found.
	credErr *dms.CredentialsError
}

func newWorld(t *testing.T, opts ...dmssim.Options) *world {
	t.Helper()
	c := newClock()
	var so dmssim.Options
	if len(opts) > 0 {
		so = opts[0]
	}
	so.Now = c.Now
	w := dmssimtest.New(t, dmssimtest.Options{Sim: so})
	return &world{t: t, w: w, clock: c}
}

func (w *world) server() *dmssim.Server { return w.w.Server() }

// outcome is one run of a command.
type outcome struct {
	code           int
	stdout, stderr string
}

func (o outcome) want(t *testing.T, code int) {
	t.Helper()
	if o.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", o.code, code, o.stdout, o.stderr)
	}
}

// run runs `dmsticket args…` with the four commands.
func (w *world) run(args ...string) outcome {
	w.t.Helper()
	return w.runCtx(context.Background(), args...)
}

func (w *world) deps(stdout, stderr *bytes.Buffer) Deps {
	return Deps{
		Connect: func() (wizard.Backend, error) {
			return wizard.Backend{Service: w.w.Client, Client: w.w.Client, Region: "cn-hangzhou", Endpoint: w.w.Endpoint(),
				ConsoleURL: consoleURL, CredentialsErr: w.credErr}, nil
		},
		Tenant:           func() int64 { return w.tenant },
		Stdout:           stdout,
		Stderr:           stderr,
		StderrIsTerminal: func() bool { return w.terminal },
		Now:              w.clock.Now,
		Sleep:            w.clock.Sleep,
	}
}

func (w *world) runCtx(ctx context.Context, args ...string) outcome {
	w.t.Helper()
	var stdout, stderr bytes.Buffer
	deps := w.deps(&stdout, &stderr)
	root := &cobra.Command{Use: "dmsticket", SilenceErrors: true, SilenceUsage: true}
	root.AddCommand(NewStatusCommand(deps), NewSubmitCommand(deps), NewListCommand(deps), NewDownloadCommand(deps))
	root.SetArgs(args)
	root.SetOut(&stdout)
	root.SetErr(&stderr)
	err := root.ExecuteContext(ctx)
	o := outcome{stdout: stdout.String(), stderr: stderr.String()}
	var ee *wizard.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		o.code = ee.Code
	default:
		w.t.Fatalf("%s returned %v, not an *ExitError\nstderr:\n%s", args[0], err, o.stderr)
	}
	if !strings.Contains(strings.Join(args, " "), "-o -") && (strings.ContainsRune(o.stdout, 0x1b) || strings.ContainsRune(o.stderr, 0x1b)) {
		w.t.Errorf("escape sequence in the output:\nstdout %q\nstderr %q", o.stdout, o.stderr)
	}
	return o
}

// export files an export of sql on database db in the active tenant, as
// create would, and returns its ID.
func (w *world) export(db int64, sql, comment string) int64 {
	w.t.Helper()
	return w.file(tenantRetail, "DATA_EXPORT", map[string]any{
		"classify": "report", "dbId": db, "exeSQL": sql, "logic": false, "ignoreAffectRows": false, "affectRows": 12,
	}, comment)
}

// schemaDesign files a schema design (NDDL), which has no detail call.
func (w *world) schemaDesign(comment string) int64 {
	w.t.Helper()
	return w.file(tenantRetail, "NDDL", map[string]any{"dbId": dbSandbox, "logic": false, "title": "index scratch.email", "relatedIds": []int64{2000002}}, comment)
}

func (w *world) file(tid int64, pluginType string, param map[string]any, comment string) int64 {
	w.t.Helper()
	created, err := w.w.Client.CreateOrder(context.Background(), dms.OrderRequest{Tid: tid, PluginType: pluginType, PluginParam: param, Comment: comment})
	if err != nil {
		w.t.Fatalf("CreateOrder: %v", err)
	}
	return created.OrderIDs[0]
}

// calls is how many requests of an action reached the simulator.
func (w *world) calls(action string) int { return len(w.server().RequestsFor(action)) }

// approver is an SDK client signing as the simulator's approver, who may
// approve or reject any ticket (ApproveOrder is no dmsticket call).
func (w *world) approver() *dmse.Client {
	w.t.Helper()
	a := w.w.Sim.Approver
	c, err := dmse.NewClientWithOptions("cn-hangzhou", sdk.NewConfig().WithScheme("HTTP"),
		credentials.NewStaticAKCredentialsProvider(a.AccessKeyID, a.AccessKeySecret))
	if err != nil {
		w.t.Fatal(err)
	}
	c.Domain = w.w.Sim.Host()
	w.t.Cleanup(c.Shutdown)
	return c
}

// decide approves (AGREE) or rejects (REJECT) ticket id's approval as the
// approver, every node of it.
func (w *world) decide(id int64, approval string) {
	w.t.Helper()
	o, err := w.w.Client.Order(context.Background(), tenantRetail, id)
	if err != nil || o.WorkflowID == 0 {
		w.t.Fatalf("no approval for ticket %d: %+v %v", id, o, err)
	}
	c := w.approver()
	for range 5 { // one call per node
		req := dmse.CreateApproveOrderRequest()
		req.WorkflowInstanceId = requests.NewInteger64(o.WorkflowID)
		req.ApprovalType = approval
		req.Comment = "decided by the test"
		resp, err := c.ApproveOrder(req)
		if err != nil {
			w.t.Fatalf("ApproveOrder: %v", err)
		}
		if !resp.Success {
			return // nothing left to decide
		}
		if approval == "REJECT" {
			return
		}
	}
}
