package dms_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/dms/dmssim/dmssimtest"
)

// Databases of testdata/sim/seed.json for data changes: two dev shards
// (MySQL, no owner, DBA Alice) with the tables events (1,500,321 rows) and
// event_types, the dev sandbox (scratch, tmp_import), a dev PostgreSQL.
const (
	dbEvents0  = 1100026
	dbEvents1  = 1100027
	dbSandbox  = 1100025
	dbAnalytic = 1100028
	tenant     = 3000001
)

const eventsUpdate = "UPDATE events SET kind = 'x' WHERE id < 1000 AND kind <> 'y'"

// changeTicket is a data change of sql on the databases (MySQL unless the
// ID is the dev PostgreSQL's).
func changeTicket(sql string, dbs ...int64) dms.Ticket {
	t := dms.Ticket{Type: "DC_COMMON", Tenant: dms.Tenant{ID: tenant}, SQL: sql, Comment: "fix the event kinds",
		Text: map[string]string{"classify": "data fix"}, Rows: dms.RowFigure{Source: dms.RowsExplain, Total: 42}}
	for i, id := range dbs {
		d := dms.Database{ID: id, DbType: "mysql"}
		if id == dbAnalytic {
			d.DbType = "postgresql"
		}
		if i == 0 {
			t.Database = d
		} else {
			t.More = append(t.More, d)
		}
	}
	return t
}

func changeRequest(t *testing.T, tk dms.Ticket) dms.OrderRequest {
	t.Helper()
	req, err := tk.Request()
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestDataChangeParamGolden locks the Param bytes for one database and for
// three with a rollback script: the catalog's keys and JSON types, keys
// sorted, < and > as they are.
func TestDataChangeParamGolden(t *testing.T) {
	one := changeRequest(t, changeTicket(eventsUpdate, dbEvents0))
	if one.Op() != "CreateDataCorrectOrder" || one.ParamName() != "Param" || one.PluginParam != nil {
		t.Fatalf("request = %+v", one)
	}
	want := `{"Classify":"data fix","DbItemList":[{"DbId":1100026,"Logic":false}],"EstimateAffectRows":42,"ExecMode":"COMMITOR",` +
		`"ExecSQL":"UPDATE events SET kind = 'x' WHERE id < 1000 AND kind <> 'y'","SqlType":"TEXT"}`
	if got := dms.PluginParamJSON(one.Param); got != want {
		t.Errorf("one database:\n got %s\nwant %s", got, want)
	}
	tk := changeTicket(eventsUpdate, dbEvents0, dbEvents1, dbSandbox)
	tk.RollbackSQL = "UPDATE events SET kind = 'y' WHERE id < 1000"
	tk.SetText("exec-mode", "AUTO")
	three := changeRequest(t, tk)
	want = `{"Classify":"data fix","DbItemList":[{"DbId":1100026,"Logic":false},{"DbId":1100027,"Logic":false},{"DbId":1100025,"Logic":false}],` +
		`"EstimateAffectRows":42,"ExecMode":"AUTO","ExecSQL":"UPDATE events SET kind = 'x' WHERE id < 1000 AND kind <> 'y'",` +
		`"RollbackSQL":"UPDATE events SET kind = 'y' WHERE id < 1000","RollbackSqlType":"TEXT","SqlType":"TEXT"}`
	if got := dms.PluginParamJSON(three.Param); got != want {
		t.Errorf("three databases:\n got %s\nwant %s", got, want)
	}
}

// wireCapture is the simulator behind a recorder of each request's raw
// query and body.
type wireCapture struct {
	mu       sync.Mutex
	requests []capturedRequest
}

type capturedRequest struct {
	action      string
	query, body url.Values
}

func (wc *wireCapture) of(action string) []capturedRequest {
	wc.mu.Lock()
	defer wc.mu.Unlock()
	var out []capturedRequest
	for _, r := range wc.requests {
		if r.action == action {
			out = append(out, r)
		}
	}
	return out
}

// captured starts the simulator (its own clock when now is set) behind a
// capture of the raw requests, and a client on it.
func captured(t *testing.T, now func() time.Time) (*dmssim.Server, *wireCapture, *dms.Client) {
	t.Helper()
	seed, err := dmssimtest.RepoSeed()
	if err != nil {
		t.Fatal(err)
	}
	cred := dmssim.Credential{AccessKeyID: "wire-key", AccessKeySecret: "wire-secret", UserID: 2000001}
	sim, err := dmssim.New(dmssim.Options{Seed: seed, Credentials: []dmssim.Credential{cred}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	wc := &wireCapture{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body, _ := url.ParseQuery(string(b))
		wc.mu.Lock()
		wc.requests = append(wc.requests, capturedRequest{action: r.URL.Query().Get("Action"), query: r.URL.Query(), body: body})
		wc.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(b))
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return sim, wc, newClient(t, srv.URL, cred.AccessKeyID, cred.AccessKeySecret)
}

// TestCreateDataCorrectOrderSendsParamAsOneJSONString: for one database and
// for three, the request the simulator received carries Param in the query
// as exactly PluginParamJSON (no Param.X fields, nothing in the body),
// RelatedUserList as a JSON array of strings ([] for none), and the
// simulator stores it as the JSON form.
func TestCreateDataCorrectOrderSendsParamAsOneJSONString(t *testing.T) {
	sim, wc, c := captured(t, nil)
	oneDB := changeTicket(eventsUpdate, dbEvents0)
	threeDBs := changeTicket(eventsUpdate, dbEvents0, dbEvents1, dbSandbox)
	threeDBs.RelatedUsers = []int64{2000002, 2000003}
	for i, tk := range []dms.Ticket{oneDB, threeDBs} {
		req := changeRequest(t, tk)
		created, err := c.CreateOrder(ctx(t), req)
		if err != nil || len(created.OrderIDs) != 1 {
			t.Fatalf("CreateDataCorrectOrder: %+v %v", created, err)
		}
		got := wc.of("CreateDataCorrectOrder")[i]
		if p := got.query.Get("Param"); p != dms.PluginParamJSON(req.Param) || !strings.Contains(p, "id < 1000 AND kind <> 'y'") {
			t.Errorf("Param on the wire\n%s\nwant\n%s", p, dms.PluginParamJSON(req.Param))
		}
		for k := range got.query {
			if strings.HasPrefix(k, "Param.") {
				t.Errorf("flattened %s in the query", k)
			}
		}
		if len(got.body) != 0 {
			t.Errorf("body = %v, want nothing (every parameter is in the query)", got.body)
		}
		wantUsers := []string{`[]`, `["2000002","2000003"]`}[i]
		if got.query.Get("RelatedUserList") != wantUsers || got.query.Get("Comment") != tk.Comment || got.query.Get("Tid") != "3000001" {
			t.Errorf("query = %v", got.query)
		}
		o := sim.Orders()[i]
		if o.ParamForm != "json" || o.Operation != "CreateDataCorrectOrder" || len(o.Databases) != len(tk.Databases()) || o.OrderID != created.OrderIDs[0] {
			t.Errorf("stored %+v", o)
		}
	}
}

// TestADataChangeWithASelectIsRefusedByStatementNumber: validation names
// the statement before anything is sent; sent anyway, DMS (the simulator)
// refuses it by number too.
func TestADataChangeWithASelectIsRefusedByStatementNumber(t *testing.T) {
	h := newHarness(t)
	tk := changeTicket(eventsUpdate+";\nSELECT * FROM events", dbEvents0, dbAnalytic)
	_, err := tk.Request()
	ps, ok := err.(dms.Problems)
	if !ok || len(ps) != 1 || ps[0].Statement != 2 || !strings.Contains(ps[0].Message, "statement 2") || !strings.Contains(ps[0].Message, "SELECT") {
		t.Fatalf("problems = %v", err)
	}
	tk.SQL = eventsUpdate
	req := changeRequest(t, tk)
	req.Param["ExecSQL"] = eventsUpdate + ";\nSELECT * FROM events"
	_, err = h.client.CreateOrder(ctx(t), req)
	e := kindOf(t, err, dms.KindRefused)
	if !strings.Contains(e.Message, "statement 2") || !strings.Contains(e.Message, "ExecSQL") || len(h.sim.Server.Orders()) != 0 {
		t.Errorf("refusal = %v", e)
	}
}

// TestADataChangeWithoutClassifyIsRefused: before anything is sent; and
// DMS's own answer, HTTP 403, when it is sent anyway.
func TestADataChangeWithoutClassifyIsRefused(t *testing.T) {
	h := newHarness(t)
	tk := changeTicket(eventsUpdate, dbEvents0)
	delete(tk.Text, "classify")
	_, err := tk.Request()
	if ps, ok := err.(dms.Problems); !ok || len(ps) != 1 || ps[0].Field != "Reason" {
		t.Fatalf("problems = %v", err)
	}
	if n := len(h.sim.Server.Requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
	req := changeRequest(t, changeTicket(eventsUpdate, dbEvents0))
	delete(req.Param, "Classify")
	_, err = h.client.CreateOrder(ctx(t), req)
	e := kindOf(t, err, dms.KindPermission)
	if e.HTTPStatus != 403 || !strings.Contains(e.Message, "原因分类不能为空") || len(h.sim.Server.Orders()) != 0 {
		t.Errorf("refusal = %+v", e)
	}
}

// testClock is a clock a test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// lifeWorld is the simulator on a test clock (the default delays) and a
// client on it.
type lifeWorld struct {
	*dmssimtest.World
	clock *testClock
}

func newLifeWorld(t *testing.T, opts dmssim.Options) *lifeWorld {
	t.Helper()
	clock := &testClock{t: time.Now().Truncate(time.Second)}
	opts.Now = clock.Now
	return &lifeWorld{World: dmssimtest.New(t, dmssimtest.Options{Sim: opts}), clock: clock}
}

// file creates the ticket and returns a Watcher of it.
func (w *lifeWorld) file(t *testing.T, tk dms.Ticket) (int64, *dms.Watcher) {
	t.Helper()
	created, err := w.Client.CreateOrder(ctx(t), changeRequest(t, tk))
	if err != nil {
		t.Fatal(err)
	}
	id := created.OrderIDs[0]
	return id, dms.NewWatcher(w.Client, tenant, id, tk.Type)
}

func (w *lifeWorld) read(t *testing.T, wt *dms.Watcher, want dms.State) dms.Status {
	t.Helper()
	st, err := wt.Read(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if st.State != want {
		t.Fatalf("state %s (%+v), want %s", st.State, st.Codes, want)
	}
	return st
}

func (w *lifeWorld) calls(action string) int { return len(w.Server().RequestsFor(action)) }

// TestADataChangeIsFollowedToExecuted: COMMITOR on two databases through
// the client: the precheck's figure per statement per database, the submit,
// approval, ExecuteDataCorrect once, the task's jobStatus, the rows changed.
func TestADataChangeIsFollowedToExecuted(t *testing.T) {
	w := newLifeWorld(t, dmssim.Options{})
	const del = "DELETE FROM event_types WHERE name = 'old'"
	id, wt := w.file(t, changeTicket(eventsUpdate+";\n"+del, dbEvents0, dbEvents1))
	st := w.read(t, wt, dms.StatePrecheck)
	if st.Codes.DetailStatus != "precheck" || st.ExecMode != "COMMITOR" || len(st.Precheck) != 0 {
		t.Errorf("status = %+v", st)
	}
	w.clock.Advance(dmssim.DefaultPrecheckDelay)
	st = w.read(t, wt, dms.StateReady)
	if len(st.Precheck) != 4 || len(st.Workflow) == 0 {
		t.Fatalf("status = %+v, want 2 statements on 2 databases and the chain", st)
	}
	var sum int64
	for i, p := range st.Precheck {
		db, n, sqlType := []int64{dbEvents0, dbEvents1}[i/2], i%2+1, []string{"UPDATE", "DELETE"}[i%2]
		if p.DbID != db || p.Number != n || p.SQLType != sqlType || p.Review != "PASS" {
			t.Errorf("precheck line %d = %+v", i, p)
		}
		sum += p.AffectRows
	}
	d, err := w.Client.Detail(ctx(t), tenant, id, "DC_COMMON")
	if err != nil || len(d.Databases) != 2 || d.Databases[1] != (dms.DbItem{DbId: dbEvents1}) || d.SQL != eventsUpdate+";\n"+del ||
		d.Classify != "data fix" || d.EstimateAffectRows != 42 || d.ExecMode != "COMMITOR" || d.Status != "precheck_success" || d.TaskStatus != "" {
		t.Errorf("detail = %+v %v", d, err)
	}
	if _, submitted, err := wt.Submit(ctx(t)); !submitted || err != nil {
		t.Fatalf("submit: %v %v", submitted, err)
	}
	w.clock.Advance(dmssim.DefaultOfflineApprovalDelay)
	st = w.read(t, wt, dms.StateApproved)
	if w.calls("GetDataCorrectTaskDetail") != 0 {
		t.Error("the task was read before the change ran")
	}
	st, started, err := wt.Execute(ctx(t), "")
	if !started || err != nil || st.State != dms.StateRunning || st.Codes.TaskStatus != "PENDING" {
		t.Fatalf("execute: %+v %v %v", st, started, err)
	}
	calls := w.Server().RequestsFor("ExecuteDataCorrect")
	if len(calls) != 1 || calls[0].Params.Get("Tid") != "3000001" || calls[0].Params.Get("ActionDetail") != `{"backupData":true,"transaction":false}` {
		t.Errorf("ExecuteDataCorrect calls = %+v", calls)
	}
	w.clock.Advance(dmssim.DefaultDataChangeDelay)
	st = w.read(t, wt, dms.StateDone)
	if st.Codes.DetailStatus != "Success" || st.Codes.TaskStatus != "SUCCESS" || st.Codes.StatusCode != "success" || st.ActualRows != sum {
		t.Errorf("done = %+v, want %d rows", st, sum)
	}
	if w.calls("ExecuteDataExport") != 0 || w.calls("ExecuteDataCorrect") != 1 {
		t.Error("a run was asked for more than once, or of the wrong kind")
	}
}

// TestAnAutoDataChangeRunsWithoutExecute: approved, it runs by itself.
func TestAnAutoDataChangeRunsWithoutExecute(t *testing.T) {
	w := newLifeWorld(t, dmssim.Options{})
	tk := changeTicket(eventsUpdate, dbEvents0)
	tk.SetText("exec-mode", "AUTO")
	_, wt := w.file(t, tk)
	w.clock.Advance(dmssim.DefaultPrecheckDelay)
	w.read(t, wt, dms.StateReady)
	if _, ok, err := wt.Submit(ctx(t)); !ok || err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(dmssim.DefaultOfflineApprovalDelay)
	st := w.read(t, wt, dms.StateRunning)
	if st.ExecMode != "AUTO" {
		t.Errorf("ExecMode = %q", st.ExecMode)
	}
	w.clock.Advance(dmssim.DefaultDataChangeDelay)
	w.read(t, wt, dms.StateDone)
	if w.calls("ExecuteDataCorrect") != 0 {
		t.Error("ExecuteDataCorrect was sent for an AUTO change")
	}
}

// TestADataChangeWhosePrecheckFailsGivesDMSsTips.
func TestADataChangeWhosePrecheckFailsGivesDMSsTips(t *testing.T) {
	w := newLifeWorld(t, dmssim.Options{})
	_, wt := w.file(t, changeTicket("DELETE FROM scratch WHERE id = 3", dbSandbox, dbEvents0))
	w.clock.Advance(dmssim.DefaultPrecheckDelay)
	st := w.read(t, wt, dms.StatePrecheckFailed)
	if len(st.Reasons) != 1 || !strings.Contains(st.Reasons[0], "Table 'events_00.scratch' doesn't exist") || !strings.Contains(st.Reasons[0], "statement 1") {
		t.Errorf("reasons = %q", st.Reasons)
	}
}

// TestALostDataChangeIsFoundByTheLookup: the answer to
// CreateDataCorrectOrder is lost after the ticket was stored; the lookup
// finds it by its contents as GetDataCorrectOrderDetail reports them, and
// not a twin on other databases.
func TestALostDataChangeIsFoundByTheLookup(t *testing.T) {
	for _, rollback := range []string{"", "UPDATE events SET kind = 'y' WHERE id < 1000"} {
		h := newHarness(t)
		twin := changeTicket(eventsUpdate, dbEvents1)
		if _, err := h.client.CreateOrder(ctx(t), changeRequest(t, twin)); err != nil {
			t.Fatal(err)
		}
		tk := changeTicket(eventsUpdate, dbEvents0, dbSandbox)
		tk.RollbackSQL = rollback
		req := changeRequest(t, tk)
		sub := dms.NewSubmission(req, time.Now(), 0) // no watermark: the contents decide
		h.sim.Server.InjectFault(dmssim.Fault{Action: "CreateDataCorrectOrder", Kind: dmssim.DropAfterCreate})
		_, err := h.client.CreateOrder(ctx(t), req)
		kindOf(t, err, dms.KindOutcomeUnknown)
		lost := lastOrder(h)
		l, err := dms.LookUp(ctx(t), h.client, sub)
		if err != nil {
			t.Fatal(err)
		}
		o, ok := l.Found()
		if !ok || o.ID != lost {
			t.Fatalf("rollback %q: found %+v (matches %v); want only %d", rollback, o, l.Matches, lost)
		}
		for _, want := range []string{"databases", "SQL", "affected rows", "reason", "rollback SQL", "run by"} {
			if !strings.Contains(strings.Join(l.Compared, ", "), want) {
				t.Errorf("compared %v, want %s among them", l.Compared, want)
			}
		}
	}
}

// TestALostOrThrottledExecuteDataCorrectIsNeverSentTwice: a lost answer is
// settled by the state (the run started, once); a throttled one is not
// retried, and the run starts only when asked again.
func TestALostOrThrottledExecuteDataCorrectIsNeverSentTwice(t *testing.T) {
	w := newLifeWorld(t, dmssim.Options{})
	approved := func() *dms.Watcher {
		_, wt := w.file(t, changeTicket(eventsUpdate, dbEvents0))
		w.clock.Advance(dmssim.DefaultPrecheckDelay)
		if _, ok, err := wt.Submit(ctx(t)); !ok || err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(dmssim.DefaultOfflineApprovalDelay)
		w.read(t, wt, dms.StateApproved)
		return wt
	}

	lost := approved()
	w.Server().InjectFault(dmssim.Fault{Action: "ExecuteDataCorrect", Kind: dmssim.DropAfterCreate})
	st, started, err := lost.Execute(ctx(t), "")
	kindOf(t, err, dms.KindOutcomeUnknown)
	if !started || st.State != dms.StateRunning || w.calls("ExecuteDataCorrect") != 1 {
		t.Errorf("after a lost answer: %+v started=%v, %d calls", st, started, w.calls("ExecuteDataCorrect"))
	}

	throttled := approved()
	w.Server().InjectFault(dmssim.Fault{Action: "ExecuteDataCorrect", Kind: dmssim.Throttle, Times: 5})
	st, started, err = throttled.Execute(ctx(t), "")
	kindOf(t, err, dms.KindThrottled)
	if started || st.State != dms.StateApproved || w.calls("ExecuteDataCorrect") != 2 {
		t.Errorf("after throttling: %+v started=%v, %d calls", st, started, w.calls("ExecuteDataCorrect"))
	}
	w.Server().ClearFaults()
	if st, started, err = throttled.Execute(ctx(t), ""); !started || err != nil || st.State != dms.StateRunning || w.calls("ExecuteDataCorrect") != 3 {
		t.Errorf("asked again: %+v started=%v %v, %d calls", st, started, err, w.calls("ExecuteDataCorrect"))
	}
}

// TestADataChangeTooLongForTheURLSaysSo: CreateDataCorrectOrder carries the
// SQL in the URL; a script longer than the server reads (the simulator, as
// Go's HTTP server, reads 1 MiB of request head) is refused before it is
// read (HTTP 431). The error says that nothing was created and what to do,
// not "fix what DMS names above", and it is not retried.
func TestADataChangeTooLongForTheURLSaysSo(t *testing.T) {
	h := newHarness(t)
	sql := strings.TrimSuffix(strings.Repeat(eventsUpdate+";\n", 1+(1<<20)/len(eventsUpdate)), ";\n")
	req := changeRequest(t, changeTicket(sql, dbEvents0))
	_, err := h.client.CreateOrder(ctx(t), req)
	e := kindOf(t, err, dms.KindRefused)
	if !e.TooLong() || e.Retryable || !strings.Contains(e.Message, "did not read a request this long (HTTP 431") {
		t.Errorf("error = %#v", e)
	}
	if a := e.Advice(); !strings.Contains(a, "Nothing was created") || !strings.Contains(a, "Split the script") {
		t.Errorf("advice = %q", a)
	}
	if n := len(h.sim.Server.Orders()); n != 0 {
		t.Errorf("%d tickets created", n)
	}
}

// TestAPrecheckOfMoreStatementsThanAreReadSaysSo: 12,000 statements were
// shown as their first 10,000 figures with nothing to say more exist.
func TestAPrecheckOfMoreStatementsThanAreReadSaysSo(t *testing.T) {
	w := newLifeWorld(t, dmssim.Options{})
	sql := strings.Repeat("DELETE FROM event_types WHERE name = 'old';\n", dms.MaxPrecheckLines+5)
	_, wt := w.file(t, changeTicket(sql, dbEvents0))
	w.clock.Advance(dmssim.DefaultPrecheckDelay)
	st := w.read(t, wt, dms.StateReady)
	if len(st.Precheck) != dms.MaxPrecheckLines || !st.PrecheckCut {
		t.Fatalf("%d precheck lines, cut %v: want the first %d, said to be cut", len(st.Precheck), st.PrecheckCut, dms.MaxPrecheckLines)
	}
}
