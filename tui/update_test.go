package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/charmbracelet/huh"

	"dmsticket/dms"
	"dmsticket/tui/draft"
	"dmsticket/tui/wizard"
)

// stub is a dms.Service whose answers a test sets.
type stub struct {
	mu        sync.Mutex
	creates   int
	estimates int
	createErr error
	release   chan struct{} // when set, CreateOrder waits for it
	rows      int64
	// estimateErr, when set, is every estimate's answer.
	estimateErr error
}

func (s *stub) ActiveTenant(context.Context) (dms.Tenant, error) {
	return dms.Tenant{ID: 3000001, Name: "Acme Retail"}, nil
}
func (s *stub) Tenants(context.Context) ([]dms.Tenant, error) {
	return []dms.Tenant{{ID: 3000001, Name: "Acme Retail"}, {ID: 3000002, Name: "Lab"}}, nil
}
func (s *stub) SearchDatabases(context.Context, dms.SearchQuery) (dms.DatabasePage, error) {
	return dms.DatabasePage{Databases: []dms.Database{devDB, prodDB}, Total: 2, Page: 1, PageSize: 100}, nil
}
func (s *stub) Database(_ context.Context, _ int64, id int64, _ bool) (dms.Database, error) {
	for _, d := range []dms.Database{devDB, prodDB} {
		if d.ID == id {
			return d, nil
		}
	}
	return dms.Database{}, &dms.Error{Op: "GetPhysicalDatabase", Kind: dms.KindRefused, Code: "DatabaseNotExist", Message: "no such database"}
}
func (s *stub) Estimate(_ context.Context, r dms.EstimateRequest) (dms.RowEstimate, error) {
	s.mu.Lock()
	s.estimates++
	n, eerr := s.rows, s.estimateErr
	s.mu.Unlock()
	if eerr != nil {
		return dms.RowEstimate{Method: r.Method, SQLHash: dms.SQLHash(r.SQL)}, eerr
	}
	return dms.RowEstimate{Method: r.Method, Total: n, Complete: true, SQLHash: dms.SQLHash(r.SQL),
		Statements: []dms.StatementRows{{Number: 1, Rows: n}}}, nil
}
func (s *stub) CreateOrder(context.Context, dms.OrderRequest) (dms.Created, error) {
	s.mu.Lock()
	s.creates++
	rel, err := s.release, s.createErr
	s.mu.Unlock()
	if rel != nil {
		<-rel
	}
	if err != nil {
		return dms.Created{}, err
	}
	return dms.Created{OrderIDs: []int64{40000001}, RequestID: "REQ-1"}, nil
}
func (s *stub) FindOrders(context.Context, dms.OrderQuery) ([]dms.Order, error) { return nil, nil }
func (s *stub) Order(context.Context, int64, int64) (dms.Order, error)          { return dms.Order{}, nil }
func (s *stub) Detail(context.Context, int64, int64, string) (dms.TicketDetail, error) {
	return dms.TicketDetail{}, dms.ErrNoDetail
}

// The stub's tickets stay new: nothing follows them.
var errStubLifecycle = &dms.Error{Kind: dms.KindRefused, Code: "Stub", Message: "the stub has no lifecycle"}

func (s *stub) Workflow(context.Context, int64, int64) ([]dms.WorkflowStep, error) { return nil, nil }
func (s *stub) Approval(context.Context, int64, int64) (dms.Approval, error) {
	return dms.Approval{}, errStubLifecycle
}
func (s *stub) Precheck(context.Context, int64, int64, string) ([]dms.PrecheckLine, error) {
	return nil, nil
}
func (s *stub) DownloadURL(context.Context, int64, int64) (dms.Download, error) {
	return dms.Download{}, errStubLifecycle
}
func (s *stub) SubmitForApproval(context.Context, int64, int64) error     { return errStubLifecycle }
func (s *stub) ExecuteExport(context.Context, int64, int64, string) error { return errStubLifecycle }
func (s *stub) ExecuteDataChange(context.Context, int64, int64) error     { return errStubLifecycle }
func (s *stub) CloseTicket(context.Context, int64, int64, string) error   { return errStubLifecycle }

func (s *stub) counts() (creates, estimates int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.creates, s.estimates
}

var (
	devDB  = dms.Database{ID: 1100023, SchemaName: "orders_dev", Host: "10.40.1.11", Port: 3306, DbType: "mysql", Env: dms.EnvDev}
	prodDB = dms.Database{ID: 1100001, SchemaName: "orders", Host: "10.20.1.11", Port: 3306, DbType: "mysql", Env: dms.EnvProduct}
)

const exportSQL = "SELECT id FROM orders WHERE total > 100"

func readyExport(db dms.Database) dms.Ticket {
	return dms.Ticket{
		Type: "DATA_EXPORT", Tenant: dms.Tenant{ID: 3000001, Name: "Acme Retail"}, Database: db, SQL: exportSQL,
		Comment: "Q3 export", Text: map[string]string{"classify": "report"}, RelatedUsers: []int64{2000002},
		Rows: dms.RowFigure{Source: dms.RowsExplain, Total: 42, SQLHash: dms.SQLHash(exportSQL), At: testNow},
	}
}

// direct drives a Model without a program: Update, then the commands it
// returns, synchronously. Commands that take long (timers, spinners) are left
// behind.
type direct struct {
	t *testing.T
	m *Model
}

func newDirect(t *testing.T, svc dms.Service, tk dms.Ticket, at Step) *direct {
	t.Helper()
	d := &direct{t: t, m: New(testOptions(svc))}
	d.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.do(d.m.Init())
	*d.m.s.ticket = tk
	d.do(d.m.enter(at))
	return d
}

func (d *direct) send(msg tea.Msg) {
	_, cmd := d.m.Update(msg)
	d.do(cmd)
}

func (d *direct) key(s string) {
	switch s {
	case "enter":
		d.send(tea.KeyMsg{Type: tea.KeyEnter})
	case "esc":
		d.send(tea.KeyMsg{Type: tea.KeyEsc})
	default:
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)})
	}
}

// do runs cmd and feeds what it returns back into the model, breadth first.
func (d *direct) do(cmd tea.Cmd) {
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0 && steps < 500; steps++ {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg, ok := within(c, 300*time.Millisecond)
		if !ok {
			continue // a timer or a blocked call: not part of this step
		}
		switch msg := msg.(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			return
		default:
			if strings.HasPrefix(typeName(msg), "spinner.") || strings.HasPrefix(typeName(msg), "cursor.") {
				continue
			}
			_, next := d.m.Update(msg)
			queue = append(queue, next)
		}
	}
}

// within runs c and returns its message, or ok false when it takes longer
// than wait (a timer, a blocked call: left running).
func within(c tea.Cmd, wait time.Duration) (msg tea.Msg, ok bool) {
	ch := make(chan tea.Msg, 1)
	go func() { ch <- c() }()
	select {
	case msg = <-ch:
		return msg, true
	case <-time.After(wait):
		return nil, false
	}
}

func typeName(v any) string { return strings.TrimPrefix(fmt.Sprintf("%T", v), "*") }

func (d *direct) view() string { return d.m.View() }

func TestEscGoesBackOneStepAndKeepsEverything(t *testing.T) {
	svc := &stub{rows: 42}
	tk := readyExport(devDB)
	d := newDirect(t, svc, tk, StepReview)
	want := []Step{StepDetails, StepSQL, StepDatabase, StepTenant, StepType}
	for _, w := range want {
		d.key("esc")
		if d.m.step != w {
			t.Fatalf("esc went to %v, want %v", d.m.step, w)
		}
		got := d.m.Ticket()
		if got.SQL != tk.SQL || got.Comment != tk.Comment || !reflect.DeepEqual(got.Database, tk.Database) || got.Text["classify"] != "report" || got.Rows.Total != 42 {
			t.Fatalf("on %v the ticket lost data: %+v", w, got)
		}
		if w == StepSQL && d.m.sqlStep().ed.Value() != tk.SQL {
			t.Fatalf("the editor lost the SQL: %q", d.m.sqlStep().ed.Value())
		}
	}
	// And forward again: the details form shows what was entered.
	d.do(d.m.enter(StepDetails))
	if v := d.view(); !strings.Contains(v, "Q3 export") || !strings.Contains(v, "report") {
		t.Fatalf("details lost the values:\n%s", v)
	}
}

func TestReviewRequiresSchemaNameForProduction(t *testing.T) {
	svc := &stub{rows: 42}
	d := newDirect(t, svc, readyExport(prodDB), StepReview)
	d.key("enter")
	if d.m.step != StepReview || !strings.Contains(d.view(), "type its schema name") {
		t.Fatalf("no confirmation asked:\n%s", d.view())
	}
	d.key("order")
	d.key("enter")
	if c, _ := svc.counts(); c != 0 || !strings.Contains(d.view(), "not the schema name") {
		t.Fatalf("a wrong name submitted (%d) or was not refused:\n%s", c, d.view())
	}
	d.key("s")
	d.key("enter")
	if c, _ := svc.counts(); c != 1 || d.m.step != StepResult {
		t.Fatalf("the right name did not submit: %d calls, step %v", c, d.m.step)
	}
}

func TestStaleEstimateIsRefreshedBeforeSubmit(t *testing.T) {
	svc := &stub{rows: 77}
	tk := readyExport(devDB)
	tk.Rows.SQLHash = dms.SQLHash("SELECT something else")
	d := newDirect(t, svc, tk, StepReview)
	d.key("enter")
	creates, estimates := svc.counts()
	if creates != 0 || estimates != 1 {
		t.Fatalf("a stale figure was submitted (%d creates) or not refreshed (%d estimates)", creates, estimates)
	}
	if got := d.m.Ticket().Rows; got.Total != 77 || got.StaleFor(tk.SQL) {
		t.Fatalf("figure after refresh: %+v", got)
	}
	if !strings.Contains(d.view(), "77") {
		t.Fatalf("the review does not show the new figure:\n%s", d.view())
	}
	d.key("enter")
	if c, _ := svc.counts(); c != 1 {
		t.Fatalf("enter after the refresh should submit, %d calls", c)
	}
}

func TestSuccessFalseIsShownAsARefusalNeverAsATicket(t *testing.T) {
	svc := &stub{rows: 42, createErr: &dms.Error{Op: "CreateOrder", Kind: dms.KindRefused, Code: "InvalidParam", Message: "dbId 1100023 is not in tenant 3000001", RequestID: "REQ-9", HTTPStatus: 200}}
	d := newDirect(t, svc, readyExport(devDB), StepReview)
	d.key("enter")
	v := d.view()
	if !strings.Contains(v, "did not create") || !strings.Contains(v, "InvalidParam") || !strings.Contains(v, "REQ-9") || strings.Contains(v, "Ticket created") {
		t.Fatalf("refusal screen:\n%s", v)
	}
	if len(d.m.s.created) != 0 {
		t.Fatal("a refusal was recorded as a ticket")
	}
	d.key("e")
	if d.m.step != StepReview {
		t.Fatalf("e went to %v", d.m.step)
	}
}

func TestDoubleEnterAtSubmitCreatesOneTicket(t *testing.T) {
	svc := &stub{rows: 42, release: make(chan struct{})}
	d := newDirect(t, svc, readyExport(devDB), StepReview)
	d.key("enter") // CreateOrder now blocks in its command
	d.key("enter")
	d.key("enter")
	d.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	d.send(submitMsg{req: d.m.steps[StepReview].(*reviewStep).req, key: "late"}) // a late duplicate
	svc.mu.Lock()
	close(svc.release)
	svc.release = nil
	svc.mu.Unlock()
	time.Sleep(50 * time.Millisecond)
	if c, _ := svc.counts(); c != 1 {
		t.Fatalf("CreateOrder called %d times", c)
	}
	// The review that created the ticket cannot create another.
	res := d.m.steps[StepResult].(*resultStep)
	d.send(sentMsg{seq: res.seq, res: wizard.Result{Outcome: wizard.Created, Created: dms.Created{OrderIDs: []int64{40000001}}}})
	d.key("e")
	d.key("enter")
	if c, _ := svc.counts(); c != 1 || !strings.Contains(d.view(), "already created ticket 40000001") {
		t.Fatalf("%d calls; review:\n%s", c, d.view())
	}
}

// TestEnterMovesTheFormsFocusWithinTheSameUpdate: huh asks for the next
// field with a command; settleForm applies it at once, so a key read right
// after enter lands in the next field (a huh upgrade that renames its focus
// commands makes this fail).
func TestEnterMovesTheFormsFocusWithinTheSameUpdate(t *testing.T) {
	var a, b string
	f := huh.NewForm(huh.NewGroup(huh.NewInput().Key("a").Value(&a), huh.NewInput().Key("b").Value(&b)),
		huh.NewGroup(huh.NewInput().Key("c")))
	f.Init()
	m, cmd := f.Update(tea.KeyMsg{Type: tea.KeyEnter})
	f, _ = settleForm(m.(*huh.Form), cmd)
	if got := f.GetFocusedField().GetKey(); got != "b" {
		t.Fatalf("focus on %q after enter, want b", got)
	}
	m, cmd = f.Update(tea.KeyMsg{Type: tea.KeyEnter})
	f, _ = settleForm(m.(*huh.Form), cmd)
	if got := f.GetFocusedField().GetKey(); got != "c" {
		t.Fatalf("focus on %q after enter on the group's last field, want c (the next group)", got)
	}
	m, cmd = f.Update(tea.KeyMsg{Type: tea.KeyEnter})
	f, _ = settleForm(m.(*huh.Form), cmd)
	if f.State != huh.StateCompleted {
		t.Fatalf("form state %v after enter on the last field, want completed", f.State)
	}
}

// TestAWordThatIsAKeyNameIsTextWhenItArrivesInOneRead: Bubble Tea delivers
// "left" read at once as one KeyRunes message; it is text, not the arrow.
func TestAWordThatIsAKeyNameIsTextWhenItArrivesInOneRead(t *testing.T) {
	for _, w := range []string{"left", "up", "end", "esc", "enter", "tab", "home"} {
		msg := asText(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(w)}).(tea.KeyMsg)
		if msg.String() == w {
			t.Errorf("%q still reads as the key %q", w, msg.String())
		}
	}
	if k := asText(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")}).(tea.KeyMsg); k.String() != "q" {
		t.Errorf("one typed rune must stay a key, got %q", k.String())
	}
}

// TestASchemaNameWithAnEscapeIsConfirmedAsTheScreenShowsIt: the name is
// drawn cleaned, "orders"; typing what the screen shows submits.
func TestASchemaNameWithAnEscapeIsConfirmedAsTheScreenShowsIt(t *testing.T) {
	svc := &stub{rows: 42}
	db := prodDB
	db.SchemaName = "ord\x1b[2Jers"
	d := newDirect(t, svc, readyExport(db), StepReview)
	d.key("enter")
	if !strings.Contains(d.view(), "type its schema name, orders,") {
		t.Fatalf("the confirmation does not show the cleaned name:\n%s", d.view())
	}
	d.key("orders")
	d.key("enter")
	if c, _ := svc.counts(); c != 1 || d.m.step != StepResult {
		t.Fatalf("typing the name as shown did not submit: %d calls, step %v\n%s", c, d.m.step, d.view())
	}
}

// TestCtrlCWhileSendingSaysWhatItMeansAndKeepsTheSubmission: a first ctrl+c
// while CreateOrder is on its way explains that the ticket may be created
// and is looked up at the next start; a second quits, and the draft keeps
// the submission in flight.
func TestCtrlCWhileSendingSaysWhatItMeansAndKeepsTheSubmission(t *testing.T) {
	svc := &stub{rows: 42, release: make(chan struct{})}
	defer close(svc.release)
	opts := testOptions(svc)
	store := draft.NewStore(filepath.Join(t.TempDir(), "draft.json"))
	opts.Drafts = store
	m := New(opts)
	u := &direct{t: t, m: m}
	u.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	u.do(m.Init())
	*m.s.ticket = readyExport(devDB)
	u.do(m.enter(StepReview))
	u.key("enter")
	if !m.steps[StepResult].(*resultStep).sending() {
		t.Fatalf("not sending:\n%s", u.view())
	}
	u.send(tea.KeyMsg{Type: tea.KeyCtrlC})
	if m.quitting || !strings.Contains(u.view(), "ctrl+c again quits") || !strings.Contains(u.view(), "looks the ticket up") {
		t.Fatalf("the first ctrl+c quit or said nothing:\n%s", u.view())
	}
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyCtrlC})
	if !m.quitting || cmd == nil {
		t.Fatal("the second ctrl+c did not quit")
	}
	d, err := store.Load()
	if err != nil || d.Submission == nil || d.Submission.Request.Comment != "Q3 export" {
		t.Fatalf("the draft does not keep the submission in flight: %+v %v", d, err)
	}
}

// TestADetailsValidationErrorIsShownWhole: related users "abc", enter twice:
// the focus stays and the reason is on screen, whole, at 80 columns.
func TestADetailsValidationErrorIsShownWhole(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 80, 24)
	u.toExportDetails("orders_dev", "SELECT id FROM orders")
	u.field("c")
	u.waitField("classify")
	u.field("r")
	u.waitField("related")
	u.typ("abc")
	u.enter()
	u.enter()
	s := u.waitText(`✗ Related users: "abc" is not a DMS user ID`)
	if s.focused != "related" {
		t.Fatalf("focus moved to %q", s.focused)
	}
	u.waitText("IDs with commas") // the message wraps, whole
}

// TestTheReviewsAliyunCommandIsNeverWrappedInsideAValue: at 80 columns, c
// shows the command one flag per line, each whole (a copied command must be
// the command); joined as the shell joins continuations it is exactly the
// one-line command.
func TestTheReviewsAliyunCommandIsNeverWrappedInsideAValue(t *testing.T) {
	svc := &stub{rows: 42}
	tk := readyExport(devDB)
	tk.SQL = "SELECT id, note FROM orders WHERE note <> 'a long value that does not fit in eighty columns at all, not even close to it'"
	tk.Rows.SQLHash = dms.SQLHash(tk.SQL)
	d := newDirect(t, svc, tk, StepReview)
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.key("c")
	r := d.m.steps[StepReview].(*reviewStep)
	content := r.vp.View()
	if !strings.Contains(content, "--PluginParam '") {
		t.Fatalf("no command shown:\n%s", content)
	}
	want := dms.AliyunCommand(r.req, d.m.s.opts.Target())
	lines := strings.Split(dms.AliyunCommandLines(r.req, d.m.s.opts.Target()), "\n")
	joined := ""
	for i, l := range lines {
		if i < len(lines)-1 {
			if !strings.HasSuffix(l, " \\") {
				t.Fatalf("line %d does not continue: %q", i+1, l)
			}
			l = strings.TrimSuffix(l, " \\")
		}
		if i > 0 {
			l = " " + strings.TrimLeft(l, " ")
		}
		joined += l
	}
	if joined != want {
		t.Fatalf("the lines shown do not make the command:\n%s\nwant\n%s", joined, want)
	}
	for _, l := range strings.Split(ansi.Strip(content), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "online") || strings.HasPrefix(strings.TrimSpace(l), "close to it") {
			t.Fatalf("a value was wrapped onto a line of its own: %q\n%s", l, content)
		}
	}
}

// TestFullHelpListsEachKeyOnce: the full help of every step shows a key
// once (ctrl+c was listed twice on Type, ctrl+o twice on SQL).
func TestFullHelpListsEachKeyOnce(t *testing.T) {
	for _, step := range []Step{StepType, StepDatabase, StepSQL, StepDetails, StepReview, StepResult} {
		d := newDirect(t, &stub{rows: 1}, readyExport(devDB), step)
		d.send(tea.KeyMsg{Type: tea.KeyF1})
		footer := d.m.footer()
		for _, k := range []string{"ctrl+c", "ctrl+o", "ctrl+s", "esc", "enter"} {
			if n := strings.Count(footer, k+" "); n > 1 {
				t.Errorf("%v: %q is listed %d times in the full help:\n%s", step, k, n, footer)
			}
		}
	}
}

// A figure measured on one database is not the figure of another: with the
// database chosen again after measuring (dev, then production), the review
// measures again before it submits, and sends the new database's figure
// (found by an adversarial walk: a dev figure of 1,703 went to production,
// whose precheck counted 1,163,748).
func TestAFigureMeasuredOnAnotherDatabaseIsMeasuredAgainBeforeSubmit(t *testing.T) {
	svc := &stub{rows: 77}
	tk := readyExport(devDB)
	tk.Rows = dms.RowFigure{}
	d := newDirect(t, svc, tk, StepSQL)
	d.send(tea.KeyMsg{Type: tea.KeyCtrlR})
	if r := d.m.Ticket().Rows; r.Total != 77 || r.DatabaseID != devDB.ID {
		t.Fatalf("the figure measured on %s: %+v", devDB.SchemaName, r)
	}
	svc.mu.Lock()
	svc.rows = 5000
	svc.mu.Unlock()
	d.m.s.ticket.Database = prodDB // as the database step does when another row is chosen
	d.m.enter(StepReview)
	if v := d.view(); !strings.Contains(v, "rows 77 · estimate (EXPLAIN) at 09:30:00 stale") {
		t.Errorf("the review does not mark the other database's figure stale:\n%s", v)
	}
	d.key("enter")
	if creates, estimates := svc.counts(); creates != 0 || estimates != 2 {
		t.Fatalf("after enter: %d creates, %d estimates; want the figure measured again first", creates, estimates)
	}
	if r := d.m.Ticket().Rows; r.Total != 5000 || r.DatabaseID != prodDB.ID {
		t.Fatalf("the figure after measuring again: %+v", r)
	}
}

// Below the minimum size the screen says only that the window is too
// small, so keys do nothing there but ctrl+c: a whole ticket had been
// typed and submitted unseen behind it (found by an adversarial walk).
func TestKeysDoNothingWhileTheWindowIsTooSmall(t *testing.T) {
	svc := &stub{rows: 42}
	d := newDirect(t, svc, readyExport(devDB), StepReview)
	d.send(tea.WindowSizeMsg{Width: 59, Height: 24})
	for _, k := range []string{"enter", "e", "enter", "1", "esc"} {
		d.key(k)
	}
	if creates, _ := svc.counts(); creates != 0 || d.m.step != StepReview {
		t.Fatalf("behind the too-small screen: %d tickets created, at %v", creates, d.m.step)
	}
	if v := d.view(); !strings.Contains(v, "keys do nothing until it is larger") {
		t.Fatalf("the too-small screen does not say keys wait:\n%s", v)
	}
	if _, cmd := d.m.Update(tea.KeyMsg{Type: tea.KeyCtrlC}); cmd == nil {
		t.Fatal("ctrl+c did nothing behind the too-small screen")
	}
	// Nothing drawn: a height of 0 (a pty that says so), or no size yet.
	d.send(tea.WindowSizeMsg{Width: 100, Height: 0})
	d.key("enter")
	m := New(testOptions(svc))
	*m.s.ticket = readyExport(devDB)
	m.enter(StepReview)
	blank := &direct{t: t, m: m}
	blank.key("enter")
	if creates, _ := svc.counts(); creates != 0 {
		t.Fatalf("enter with nothing drawn created %d tickets (found in review)", creates)
	}
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.key("enter")
	if creates, _ := svc.counts(); creates != 1 {
		t.Fatalf("enter at a size that shows the review: %d tickets", creates)
	}
}

// An enter while the database list is first being asked for, with nothing
// typed and no row shown, picks nothing when the answer comes: it was an
// enter for the step before, which moved on by itself (the tenant step
// when the tenants arrived; a test's enter took production's orders so).
func TestAnEnterBeforeAnyRowIsShownPicksNothing(t *testing.T) {
	svc := &stub{rows: 1}
	d := newDirect(t, svc, dms.Ticket{Type: "DATA_EXPORT", Tenant: dms.Tenant{ID: 3000001}}, StepType)
	search := d.m.enter(StepDatabase) // the search is on its way
	d.key("enter")
	d.do(search) // the answer: devDB and prodDB
	if d.m.step != StepDatabase || !d.m.s.ticket.Database.IsZero() {
		t.Fatalf("an enter before any row was shown chose %q (step %v)", d.m.s.ticket.Database.SchemaName, d.m.step)
	}
	d.key("enter") // now the rows are shown: the first is taken
	if d.m.step != StepSQL {
		t.Fatalf("enter on the shown list: step %v", d.m.step)
	}
}

// TestTwoEscapesInOneReadGoBack: esc pressed twice quickly (tmux send-keys
// Escape Escape, a burst over SSH) is read by Bubble Tea as alt+esc, which
// no binding names: nothing happened. It is esc.
func TestTwoEscapesInOneReadGoBack(t *testing.T) {
	_, keys := throughTerminalInput(t, "\x1b\x1b")
	if fmt.Sprint(keys) != "[alt+esc]" {
		t.Fatalf("the test needs Bubble Tea to read two escapes as alt+esc, got %v", keys)
	}
	d := newDirect(t, &stub{rows: 42}, readyExport(devDB), StepSQL)
	d.send(tea.KeyMsg{Type: tea.KeyEsc, Alt: true})
	if d.m.step == StepSQL {
		t.Fatalf("two escapes in one read did nothing: still on %v", d.m.step)
	}
}

// TestMyTicketsDoNotShowTheDraftsDatabaseInTheHeader: over My tickets and
// a ticket opened from it, the header named the draft's database
// (users_dev), not the ticket's: another ticket's status under it misled.
func TestMyTicketsDoNotShowTheDraftsDatabaseInTheHeader(t *testing.T) {
	d := newDirect(t, &stub{rows: 42}, readyExport(devDB), StepSQL)
	if !strings.Contains(d.m.header(), devDB.SchemaName) {
		t.Fatalf("the test needs the database in the SQL step's header:\n%s", d.m.header())
	}
	d.m.step = StepTickets
	if h := d.m.header(); strings.Contains(h, devDB.SchemaName) {
		t.Errorf("My tickets' header names the draft's database:\n%s", h)
	}
	d.m.step = StepResult
	d.m.steps[StepResult].(*resultStep).phase = phaseViewing
	if h := d.m.header(); strings.Contains(h, devDB.SchemaName) {
		t.Errorf("a ticket opened from My tickets is headed by the draft's database:\n%s", h)
	}
}

// TestAnEnterWhileTheTenantsAreAskedForTakesTheActiveOne: enter pressed on
// "Which tenant?" while DMS was still asked for the tenants was dropped: the
// wizard then waited on a question the user had answered (an end-to-end
// test under the race detector caught it). It is held, takes the
// preselected active tenant when the list comes, and what was typed after
// it goes to the database step.
func TestAnEnterWhileTheTenantsAreAskedForTakesTheActiveOne(t *testing.T) {
	svc := &stub{rows: 42}
	m := New(testOptions(svc))
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.s.ticket.Type = "DATA_EXPORT"
	m.enter(StepTenant)
	m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if !strings.Contains(m.View(), "enter takes the active one when they come") {
		t.Fatalf("the held enter is not said:\n%s", m.View())
	}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("orders")})
	list, _ := svc.Tenants(context.Background())
	m.Update(tenantsMsg{active: list[0], list: list})
	if m.step != StepDatabase || m.s.ticket.Tenant.ID != 3000001 {
		t.Fatalf("step %v, tenant %d: want the database step of the active tenant", m.step, m.s.ticket.Tenant.ID)
	}
	if got := m.steps[StepDatabase].(*databaseStep).input.Value(); got != "orders" {
		t.Errorf("the search holds %q, want what was typed after the enter", got)
	}
}
