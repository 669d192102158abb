package dms_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/dms/dmssim/dmssimtest"
)

// harness is a simulator on a loopback port and the real SDK client pointed
// at it.
type harness struct {
	sim    *dmssim.Running
	client *dms.Client
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	w := dmssimtest.New(t, dmssimtest.Options{Sim: dmssim.Options{Credentials: []dmssim.Credential{
		{AccessKeyID: "test-key", AccessKeySecret: "test-secret", UserID: 2000001}}}, Client: dms.Config{
		Retry:       dms.Retry{Attempts: 4, Base: 5 * time.Millisecond, Max: 20 * time.Millisecond},
		ReadTimeout: 5 * time.Second, CountTimeout: 5 * time.Second,
	}})
	return &harness{sim: w.Sim, client: w.Client}
}

func newClient(t *testing.T, endpoint, id, secret string) *dms.Client {
	t.Helper()
	c, err := dms.NewClient(dms.Config{
		Endpoint: endpoint, Credentials: dms.StaticCredentials(id, secret), Version: "test",
		Retry:       dms.Retry{Attempts: 4, Base: 5 * time.Millisecond, Max: 20 * time.Millisecond},
		ReadTimeout: 5 * time.Second, CountTimeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func kindOf(t *testing.T, err error, want dms.Kind) *dms.Error {
	t.Helper()
	e, ok := dms.AsError(err)
	if !ok {
		t.Fatalf("want *dms.Error of kind %v, got %T %v", want, err, err)
	}
	if e.Kind != want {
		t.Fatalf("kind %v, want %v: %v", e.Kind, want, e)
	}
	return e
}

func TestTenantsThroughTheSDK(t *testing.T) {
	h := newHarness(t)
	active, err := h.client.ActiveTenant(ctx(t))
	if err != nil || active.ID != 3000001 || active.Name != "Acme Retail" {
		t.Fatalf("active tenant %+v %v", active, err)
	}
	list, err := h.client.Tenants(ctx(t))
	if err != nil || len(list) != 2 {
		t.Fatalf("tenants %+v %v", list, err)
	}
}

func TestSearchDatabasesPagesAndFilters(t *testing.T) {
	h := newHarness(t)
	all, err := h.client.SearchDatabases(ctx(t), dms.SearchQuery{Key: "orders", PageSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	if all.Total < 5 || len(all.Databases) != 3 || !all.More() {
		t.Fatalf("page 1: total %d, %d rows, more %v", all.Total, len(all.Databases), all.More())
	}
	seen := map[int64]bool{}
	for p := 1; ; p++ {
		page, err := h.client.SearchDatabases(ctx(t), dms.SearchQuery{Key: "orders", Page: p, PageSize: 3})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range page.Databases {
			if seen[d.ID] {
				t.Fatalf("database %d on two pages", d.ID)
			}
			seen[d.ID] = true
			if !strings.Contains(strings.ToLower(d.SchemaName+d.SearchName+d.Alias), "orders") {
				t.Errorf("%+v does not match the key", d)
			}
		}
		if !page.More() {
			break
		}
	}
	if int64(len(seen)) != all.Total {
		t.Fatalf("paged %d of %d", len(seen), all.Total)
	}
	dev, err := h.client.SearchDatabases(ctx(t), dms.SearchQuery{Key: "orders", Env: dms.EnvDev})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dev.Databases {
		if d.Env != dms.EnvDev {
			t.Errorf("env filter let %s (%s) through", d.SchemaName, d.Env)
		}
	}
	other, err := h.client.SearchDatabases(ctx(t), dms.SearchQuery{Tid: 3000002})
	if err != nil || other.Total != 5 {
		t.Fatalf("second tenant: %d databases, %v", other.Total, err)
	}
}

func TestDatabaseByID(t *testing.T) {
	h := newHarness(t)
	d, err := h.client.Database(ctx(t), 0, 1100001, false)
	if err != nil || d.SchemaName != "orders" || d.Env != dms.EnvProduct || d.Host != "10.20.1.11" || d.Port != 3306 {
		t.Fatalf("physical: %+v %v", d, err)
	}
	l, err := h.client.Database(ctx(t), 0, 1900001, true)
	if err != nil || !l.Logic || l.SchemaName != "orders_sharded" {
		t.Fatalf("logical: %+v %v", l, err)
	}
	_, err = h.client.Database(ctx(t), 0, 999, false)
	kindOf(t, err, dms.KindRefused)
}

func TestEstimateReadsMySQLAndPostgresPlansAndCounts(t *testing.T) {
	h := newHarness(t)
	mysql, _ := h.client.Database(ctx(t), 0, 1100023, false)
	pg, _ := h.client.Database(ctx(t), 0, 1100028, false)

	whole, err := h.client.Estimate(ctx(t), dms.EstimateRequest{Database: mysql, SQL: "SELECT * FROM orders", Method: dms.RowsExplain})
	if err != nil || !whole.Complete || whole.Total <= 0 {
		t.Fatalf("explain: %+v %v", whole, err)
	}
	filtered, err := h.client.Estimate(ctx(t), dms.EstimateRequest{Database: mysql, SQL: "SELECT * FROM orders WHERE status = 'paid'", Method: dms.RowsExplain})
	if err != nil || filtered.Total >= whole.Total {
		t.Fatalf("a WHERE clause should lower the estimate: %d vs %d (%v)", filtered.Total, whole.Total, err)
	}
	count, err := h.client.Estimate(ctx(t), dms.EstimateRequest{Database: mysql, SQL: "SELECT * FROM orders WHERE status = 'paid'", Method: dms.RowsCount})
	if err != nil || count.Total == filtered.Total || count.Method != dms.RowsCount {
		t.Fatalf("count %d should differ from the estimate %d (%v)", count.Total, filtered.Total, err)
	}
	two, err := h.client.Estimate(ctx(t), dms.EstimateRequest{Database: mysql, SQL: "SELECT * FROM orders;\n-- comment\nSELECT id FROM refunds -- trailing comment", Method: dms.RowsCount})
	if err != nil || len(two.Statements) != 2 || two.Total != two.Statements[0].Rows+two.Statements[1].Rows {
		t.Fatalf("two statements: %+v %v", two, err)
	}
	pgEst, err := h.client.Estimate(ctx(t), dms.EstimateRequest{Database: pg, SQL: "SELECT * FROM sessions", Method: dms.RowsExplain})
	if err != nil || pgEst.Total <= 0 {
		t.Fatalf("postgres explain: %+v %v", pgEst, err)
	}
	if f := count.Figure(); f.Source != dms.RowsCount || f.StaleFor("SELECT * FROM orders WHERE status = 'paid'") {
		t.Fatalf("figure %+v", f)
	}
}

func TestEstimateFailuresCarryDMSMessages(t *testing.T) {
	h := newHarness(t)
	dev, _ := h.client.Database(ctx(t), 0, 1100023, false)
	est, err := h.client.Estimate(ctx(t), dms.EstimateRequest{Database: dev, SQL: "SELECT 1 FROM orders; SELECT * FROM no_such_table", Method: dms.RowsExplain})
	e := kindOf(t, err, dms.KindRefused)
	if est.Complete || len(est.Statements) != 2 || est.Statements[1].Err == "" || !strings.Contains(e.Message, "statement 2") {
		t.Fatalf("partial result %+v, error %v", est, e)
	}
	notHosted, _ := h.client.Database(ctx(t), 0, 1100030, false)
	_, err = h.client.Estimate(ctx(t), dms.EstimateRequest{Database: notHosted, SQL: "SELECT * FROM pages", Method: dms.RowsExplain})
	if e := kindOf(t, err, dms.KindRefused); !strings.Contains(e.Message, "secure hosting") {
		t.Fatalf("message %q", e.Message)
	}
	payroll, _ := h.client.Database(ctx(t), 0, 1100004, false)
	_, err = h.client.Estimate(ctx(t), dms.EstimateRequest{Database: payroll, SQL: "SELECT * FROM salaries", Method: dms.RowsCount})
	kindOf(t, err, dms.KindPermission)
	oracle, _ := h.client.Database(ctx(t), 0, 1100022, false)
	_, err = h.client.Estimate(ctx(t), dms.EstimateRequest{Database: oracle, SQL: "SELECT * FROM gl", Method: dms.RowsExplain})
	kindOf(t, err, dms.KindInvalid)
}

func exportRequest(dbID int64, comment string) dms.OrderRequest {
	t := dms.Ticket{
		Type: "DATA_EXPORT", Database: dms.Database{ID: dbID, DbType: "mysql"}, SQL: "SELECT id FROM orders WHERE total > 100 AND note <> '<&>'",
		Comment: comment, Text: map[string]string{"classify": "report"}, RelatedUsers: []int64{2000002},
		Rows: dms.RowFigure{Source: dms.RowsExplain, Total: 42},
	}
	req, err := t.Request()
	if err != nil {
		panic(err)
	}
	return req
}

func TestCreateOrderSendsPluginParamInTheBodyAndIsStored(t *testing.T) {
	h := newHarness(t)
	req := exportRequest(1100023, "export for finance")
	created, err := h.client.CreateOrder(ctx(t), req)
	if err != nil || len(created.OrderIDs) != 1 || created.RequestID == "" {
		t.Fatalf("created %+v %v", created, err)
	}
	orders := h.sim.Server.Orders()
	if len(orders) != 1 || orders[0].OrderID != created.OrderIDs[0] {
		t.Fatalf("stored %+v", orders)
	}
	if got, want := orders[0].PluginParam, dms.PluginParamJSON(req.PluginParam); got != want {
		t.Fatalf("PluginParam on the wire:\n%s\nwant\n%s", got, want)
	}
	calls := h.sim.Server.RequestsFor("CreateOrder")
	p := calls[0].Params
	if p.Get("PluginType") != "DATA_EXPORT" || p.Get("Comment") != "export for finance" || p.Get("RelatedUserList") != "2000002" {
		t.Fatalf("params %v", p)
	}
	o, err := h.client.Order(ctx(t), 0, created.OrderIDs[0])
	if err != nil || o.Comment != "export for finance" || o.PluginType != "DATA_EXPORT" || len(o.RelatedUsers) != 1 {
		t.Fatalf("GetOrderBaseInfo %+v %v", o, err)
	}
}

func TestSuccessFalseIsARefusalNotATicket(t *testing.T) {
	h := newHarness(t)
	req := exportRequest(1100023, "bad related user")
	req.RelatedUserList = "2000002,999"
	created, err := h.client.CreateOrder(ctx(t), req)
	e := kindOf(t, err, dms.KindRefused)
	if len(created.OrderIDs) != 0 || e.Code == "" || e.RequestID == "" || e.HTTPStatus != 200 {
		t.Fatalf("created %+v, error %+v", created, e)
	}
	if n := len(h.sim.Server.Orders()); n != 0 {
		t.Fatalf("%d tickets stored", n)
	}
	h.sim.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.BusinessFailure, Code: "UnknownError", Message: "boom"})
	_, err = h.client.CreateOrder(ctx(t), exportRequest(1100023, "x"))
	if e := kindOf(t, err, dms.KindRefused); e.Code != "UnknownError" || e.Message != "boom" {
		t.Fatalf("%+v", e)
	}
}

func TestCreateOrderIsNeverRetried(t *testing.T) {
	cases := []struct {
		fault dmssim.FaultKind
		kind  dms.Kind
	}{
		{dmssim.Throttle, dms.KindThrottled},
		{dmssim.ServerError, dms.KindOutcomeUnknown},
		{dmssim.MalformedJSON, dms.KindOutcomeUnknown},
		{dmssim.DropBeforeHandling, dms.KindOutcomeUnknown},
	}
	for _, c := range cases {
		t.Run(c.fault.String(), func(t *testing.T) {
			h := newHarness(t)
			h.sim.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: c.fault, Times: 5})
			_, err := h.client.CreateOrder(ctx(t), exportRequest(1100023, "once"))
			e := kindOf(t, err, c.kind)
			if e.Retryable {
				t.Errorf("CreateOrder error marked retryable: %+v", e)
			}
			if n := len(h.sim.Server.RequestsFor("CreateOrder")); n != 1 {
				t.Fatalf("CreateOrder sent %d times", n)
			}
		})
	}
}

func TestDroppedConnectionAfterCreateIsOutcomeUnknownAndTheLookupFindsTheTicket(t *testing.T) {
	h := newHarness(t)
	req := exportRequest(1100023, "dropped after create "+time.Now().Format(time.RFC3339Nano))
	h.sim.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.DropAfterCreate})
	submitted := time.Now()
	_, err := h.client.CreateOrder(ctx(t), req)
	kindOf(t, err, dms.KindOutcomeUnknown)
	if n := len(h.sim.Server.Orders()); n != 1 {
		t.Fatalf("the simulator should hold the ticket, holds %d", n)
	}
	l, err := dms.LookUp(ctx(t), h.client, dms.NewSubmission(req, submitted, 0))
	o, found := l.Found()
	if err != nil || !found || o.ID != h.sim.Server.Orders()[0].OrderID {
		t.Fatalf("lookup: %+v found=%v err=%v", o, found, err)
	}
	other := req
	other.Comment = "never sent"
	if l, err := dms.LookUp(ctx(t), h.client, dms.NewSubmission(other, submitted, 0)); err != nil || len(l.Matches) > 0 {
		t.Fatalf("a ticket that was never created was found: %+v %v", l, err)
	}
}

func TestReadsRetryThrottlingAnd5xxWithinBounds(t *testing.T) {
	for _, f := range []dmssim.FaultKind{dmssim.Throttle, dmssim.ServerError, dmssim.MalformedJSON, dmssim.DropBeforeHandling} {
		t.Run(f.String(), func(t *testing.T) {
			h := newHarness(t)
			h.sim.Server.InjectFault(dmssim.Fault{Action: "SearchDatabase", Kind: f, Times: 2})
			if _, err := h.client.SearchDatabases(ctx(t), dms.SearchQuery{Key: "orders"}); err != nil {
				t.Fatalf("two faults then success should succeed: %v", err)
			}
			if n := len(h.sim.Server.RequestsFor("SearchDatabase")); n != 3 {
				t.Fatalf("%d attempts, want 3", n)
			}
		})
	}
	h := newHarness(t)
	h.sim.Server.InjectFault(dmssim.Fault{Action: "SearchDatabase", Kind: dmssim.Throttle, Times: 50})
	_, err := h.client.SearchDatabases(ctx(t), dms.SearchQuery{})
	if e := kindOf(t, err, dms.KindThrottled); !e.Retryable || e.Code == "" {
		t.Fatalf("%+v", e)
	}
	if n := len(h.sim.Server.RequestsFor("SearchDatabase")); n != 4 {
		t.Fatalf("%d attempts, want the bound of 4", n)
	}
}

func TestBusinessFailureOnAReadIsNotRetried(t *testing.T) {
	h := newHarness(t)
	h.sim.Server.InjectFault(dmssim.Fault{Action: "ListUserTenants", Kind: dmssim.BusinessFailure, Times: 3})
	_, err := h.client.Tenants(ctx(t))
	kindOf(t, err, dms.KindRefused)
	if n := len(h.sim.Server.RequestsFor("ListUserTenants")); n != 1 {
		t.Fatalf("%d attempts", n)
	}
}

func TestSlowAnswerIsCancelledByTheContext(t *testing.T) {
	h := newHarness(t)
	h.sim.Server.InjectFault(dmssim.Fault{Action: "SearchDatabase", Kind: dmssim.Delay, Delay: 10 * time.Second})
	c, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := h.client.SearchDatabases(c, dms.SearchQuery{})
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("cancellation did not stop the call: %v after %v", err, time.Since(start))
	}
}

func TestWrongSecretAndUnknownKeyAreCredentialErrors(t *testing.T) {
	h := newHarness(t)
	bad := newClient(t, h.sim.Endpoint, "test-key", "wrong-secret")
	_, err := bad.ActiveTenant(ctx(t))
	if e := kindOf(t, err, dms.KindCredentials); e.Code != "SignatureDoesNotMatch" || e.HTTPStatus != 400 {
		t.Fatalf("%+v", e)
	}
	unknown := newClient(t, h.sim.Endpoint, "nobody", "x")
	_, err = unknown.ActiveTenant(ctx(t))
	if e := kindOf(t, err, dms.KindCredentials); !strings.HasPrefix(e.Code, "InvalidAccessKeyId") {
		t.Fatalf("%+v", e)
	}
}

func TestUnreachableEndpointIsATransportErrorAndCreateOrderWasNotSent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	c := newClient(t, "http://"+addr, "k", "s")
	_, err = c.SearchDatabases(ctx(t), dms.SearchQuery{})
	if e := kindOf(t, err, dms.KindTransport); !e.Retryable {
		t.Fatalf("%+v", e)
	}
	_, err = c.CreateOrder(ctx(t), exportRequest(1, "x"))
	if e := kindOf(t, err, dms.KindTransport); !e.Retryable {
		t.Fatalf("a CreateOrder that never left is safe to send again: %+v", e)
	}
}

func TestNoCredentialsSaysWhereItLooked(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, k := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
		"ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_CREDENTIALS_FILE", "ALIBABA_CLOUD_CREDENTIALS_URI", "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
		"ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true") // never reach for 100.100.100.200 in a test
	c, err := dms.NewClient(dms.Config{Endpoint: "http://127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	err = c.CheckCredentials()
	var ce *dms.CredentialsError
	if !errors.As(err, &ce) || len(ce.Tried) < 3 || len(ce.Fixes()) == 0 {
		t.Fatalf("%v", err)
	}
	joined := strings.Join(ce.Tried, "\n")
	for _, want := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "~/.aliyun/config.json", "credentials"} {
		if !strings.Contains(joined, want) {
			t.Errorf("sources tried do not mention %s:\n%s", want, joined)
		}
	}
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "id")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret")
	c2, _ := dms.NewClient(dms.Config{Endpoint: "http://127.0.0.1:9"})
	if err := c2.CheckCredentials(); err != nil {
		t.Fatalf("environment credentials not found: %v", err)
	}
}

func TestProfileFromTheAliyunCLIConfigIsUsed(t *testing.T) {
	h := newHarness(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	os.Unsetenv("ALIBABA_CLOUD_ACCESS_KEY_ID")
	cfg := map[string]any{"current": "other", "profiles": []map[string]any{
		{"name": "other", "mode": "AK", "access_key_id": "nope", "access_key_secret": "nope"},
		{"name": "sim", "mode": "AK", "access_key_id": "test-key", "access_key_secret": "test-secret"},
	}}
	b, _ := json.Marshal(cfg)
	if err := os.MkdirAll(home+"/.aliyun", 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(home+"/.aliyun/config.json", b, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := dms.NewClient(dms.Config{Endpoint: h.sim.Endpoint, Profile: "sim"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ActiveTenant(ctx(t)); err != nil {
		t.Fatalf("profile sim should sign correctly: %v", err)
	}
}

func TestConcurrentCallsShareOneClient(t *testing.T) {
	h := newHarness(t)
	errs := make(chan error, 32)
	for i := range 32 {
		go func() {
			_, err := h.client.SearchDatabases(ctx(t), dms.SearchQuery{Key: []string{"orders", "pay", "dev", ""}[i%4]})
			errs <- err
		}()
	}
	for range 32 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
