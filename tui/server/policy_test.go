package server

import (
	"context"
	"slices"
	"strings"
	"testing"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
)

// policyFor is the policy service a session of the named user would get.
func policyFor(t *testing.T, e *testEnv, name string) *policyService {
	t.Helper()
	return e.srv.newPolicy(e.client, e.keys[name].PublicKey(), caller{User: name, Login: "x", Fingerprint: fingerprint(e.keys[name].PublicKey()), Session: "test"}, e.srv.log)
}

// exportParam is a complete DATA_EXPORT PluginParam for database id.
func exportParam(id any) map[string]any {
	return map[string]any{
		"classify": "report", "dbId": id, "exeSQL": "SELECT * FROM orders", "logic": false,
		"ignoreAffectRows": true, "ignoreAffectRowsReason": "small table",
	}
}

func TestAForgedSubmitOutsideThePolicyIsRefusedByTheServer(t *testing.T) {
	e := newEnv(t, userSpec{name: "bob", dmsID: 2000003, types: []string{"DATA_EXPORT"}, envs: []string{"dev", "test"}})
	e.start(e.config())
	p := policyFor(t, e, "bob")
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		req  dms.OrderRequest
		want string
	}{
		{"production database", dms.OrderRequest{Tid: 3000001, PluginType: "DATA_EXPORT", PluginParam: exportParam(int64(1100001)), Comment: "forged"},
			"bob may file tickets for dev, test databases only; database 1100001 is production"},
		{"production database, ID as a JSON float", dms.OrderRequest{Tid: 3000001, PluginType: "DATA_EXPORT", PluginParam: exportParam(float64(1100016)), Comment: "forged"},
			"database 1100016 is pre-release"},
		{"production database, ID as a string", dms.OrderRequest{Tid: 3000001, PluginType: "DATA_EXPORT", PluginParam: exportParam("1100001"), Comment: "forged"},
			"database 1100001 is production"},
		{"a type bob may not file", dms.OrderRequest{Tid: 3000001, PluginType: "NDDL",
			PluginParam: map[string]any{"title": "t", "dbId": int64(1100023), "logic": false, "relatedIds": []int64{}}, Comment: "forged"},
			"bob may file DATA_EXPORT tickets only, not NDDL"},
		{"no database", dms.OrderRequest{Tid: 3000001, PluginType: "DATA_EXPORT", PluginParam: map[string]any{"classify": "x"}, Comment: "forged"},
			"names no database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.CreateOrder(ctx, tc.req)
			de, ok := dms.AsError(err)
			if !ok || de.Kind != dms.KindPolicy || de.Code != PolicyRefused || !strings.Contains(de.Message, tc.want) {
				t.Fatalf("CreateOrder = %v, want a %s refusal saying %q", err, PolicyRefused, tc.want)
			}
		})
	}
	if calls := e.sim.Server.RequestsFor("CreateOrder"); len(calls) != 0 {
		t.Errorf("the simulator received %d CreateOrder calls; refused requests must not be sent", len(calls))
	}
	recs := auditRecords(t, e.auditPath)
	if len(recs) != 5 {
		t.Fatalf("%d audit records, want one per attempt (5)", len(recs))
	}
	r := recs[0]
	if r.Outcome != OutcomePolicyRefused || r.SSHUser != "bob" || r.DatabaseID != 1100001 || r.Environment != "product" ||
		r.ErrorCode != PolicyRefused || r.Reason == "" || r.SQLLength != len("SELECT * FROM orders") || r.TicketID != 0 {
		t.Errorf("audit record = %+v", r)
	}
}

func TestATicketFiledThroughTheWizardCarriesTheUsersDMSIDOnce(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	e.start(e.config())
	tm := e.openTerm("alice", "xterm-256color", 120, 40)
	tm.walkToReviewWith("orders_dev", exportSQL, "With a colleague", "2000005")
	// The review shows the request as it is sent: alice added by the wizard.
	tm.waitFor("2000005, 2000002")
	tm.send(keyEnter)
	tm.waitFor("Ticket created")
	orders := e.sim.Server.Orders()
	if len(orders) != 1 || !slices.Equal(orders[0].RelatedUsers, []int64{2000005, 2000002}) {
		t.Fatalf("tickets = %+v, want related users 2000005 and alice's 2000002", orders)
	}
	if recs := auditRecords(t, e.auditPath); len(recs) != 1 || !slices.Equal(recs[0].RelatedUsers, []int64{2000005, 2000002}) {
		t.Errorf("audit = %+v, want the related users as sent", recs)
	}
}

func TestAForgedRequestWithoutTheUsersDMSIDIsRefusedByTheServer(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	e.start(e.config())
	p := policyFor(t, e, "alice")
	ctx := context.Background()
	for _, list := range []string{"", "2000005", "20000020"} {
		req := dms.OrderRequest{Tid: 3000001, PluginType: "DATA_EXPORT", PluginParam: exportParam(int64(1100023)), RelatedUserList: list, Comment: "forged"}
		_, err := p.CreateOrder(ctx, req)
		de, ok := dms.AsError(err)
		if want := "leaves out alice's DMS user ID 2000002"; !ok || de.Kind != dms.KindPolicy || de.Code != PolicyRefused || !strings.Contains(de.Message, want) {
			t.Errorf("RelatedUserList %q: CreateOrder = %v, want a %s refusal saying %q", list, err, PolicyRefused, want)
		}
	}
	if calls := e.sim.Server.RequestsFor("CreateOrder"); len(calls) != 0 {
		t.Errorf("the simulator received %d CreateOrder calls; refused requests must not be sent", len(calls))
	}
	// With alice among the related users, the same request goes through.
	req := dms.OrderRequest{Tid: 3000001, PluginType: "DATA_EXPORT", PluginParam: exportParam(int64(1100023)), RelatedUserList: "2000005,2000002", Comment: "as the wizard sends it"}
	if _, err := p.CreateOrder(ctx, req); err != nil {
		t.Fatal(err)
	}
	recs := auditRecords(t, e.auditPath)
	if len(recs) != 4 {
		t.Fatalf("%d audit records, want one per attempt (4)", len(recs))
	}
	for i, want := range [][]int64{nil, {2000005}, {20000020}} {
		r := recs[i]
		if r.Outcome != OutcomePolicyRefused || r.ErrorCode != PolicyRefused || r.SSHUser != "alice" || !strings.Contains(r.Reason, "2000002") ||
			!slices.Equal(r.RelatedUsers, want) || r.TicketID != 0 {
			t.Errorf("audit record %d = %+v, want policy_refused naming 2000002, related users %v", i+1, r, want)
		}
	}
	if r := recs[3]; r.Outcome != OutcomeCreated || !slices.Equal(r.RelatedUsers, []int64{2000005, 2000002}) {
		t.Errorf("audit record 4 = %+v, want created", r)
	}
}

func TestAuditRecordsNameTheOutcomeOfEveryAttempt(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	e.start(e.config())
	p := policyFor(t, e, "alice")
	ctx := context.Background()
	req := dms.OrderRequest{Tid: 3000001, PluginType: "DATA_EXPORT", PluginParam: exportParam(int64(1100023)), RelatedUserList: "2000002", Comment: "outcomes"}
	e.sim.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.BusinessFailure, Code: "InvalidParam", Message: "no"})
	if _, err := p.CreateOrder(ctx, req); err == nil {
		t.Fatal("the injected refusal was not reported")
	}
	e.sim.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.DropAfterCreate})
	if _, err := p.CreateOrder(ctx, req); dms.KindOf(err) != dms.KindOutcomeUnknown {
		t.Fatalf("dropped answer: %v, want outcome unknown", err)
	}
	if _, err := p.CreateOrder(ctx, req); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range auditRecords(t, e.auditPath) {
		got = append(got, r.Outcome+":"+r.ErrorCode)
	}
	want := []string{"refused:InvalidParam", "unknown:OutcomeUnknown", "created:"}
	if !slices.Equal(got, want) {
		t.Errorf("outcomes = %q, want %q", got, want)
	}
}

func TestTheServerListsOnlyDatabasesInTheUsersEnvironments(t *testing.T) {
	e := newEnv(t,
		userSpec{name: "bob", dmsID: 2000003, envs: []string{"dev", "test"}},
		userSpec{name: "tess", dmsID: 2000006, envs: []string{"test"}},
	)
	e.start(e.config())
	ctx := context.Background()
	bob := policyFor(t, e, "bob")
	// Small pages: the first pages hold production databases only, and are
	// skipped so that the wizard still gets rows to show.
	page, err := bob.SearchDatabases(ctx, dms.SearchQuery{Tid: 3000001, Page: 1, PageSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Databases) == 0 || page.Page == 1 {
		t.Errorf("page = %+v, want rows from a later page", page)
	}
	for _, db := range page.Databases {
		if db.Env != dms.EnvDev && db.Env != dms.EnvTest {
			t.Errorf("bob was listed %s (%s)", db.SchemaName, db.Env)
		}
	}
	if page, err := bob.SearchDatabases(ctx, dms.SearchQuery{Tid: 3000001, Env: dms.EnvProduct, Page: 1}); err != nil || len(page.Databases) != 0 {
		t.Errorf("asking for production: %+v, %v; want nothing", page, err)
	}
	if _, err := bob.Database(ctx, 3000001, 1100001, false); dms.KindOf(err) != dms.KindPolicy {
		t.Errorf("looking up a production database: %v, want a refusal", err)
	}
	_, err = bob.Estimate(ctx, dms.EstimateRequest{Tid: 3000001, Database: dms.Database{ID: 1100001, Env: dms.EnvDev}, SQL: "SELECT 1", Method: dms.RowsExplain})
	if de, ok := dms.AsError(err); !ok || de.Code != PolicyRefused {
		t.Errorf("EXPLAIN on a production database claimed to be dev: %v, want a refusal", err)
	}
	// One environment: DMS filters, so the total is right.
	tess := policyFor(t, e, "tess")
	page, err = tess.SearchDatabases(ctx, dms.SearchQuery{Tid: 3000001, Page: 1, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != int64(len(page.Databases)) || len(page.Databases) == 0 {
		t.Errorf("tess: %d rows of %d; want every test database and a total that matches", len(page.Databases), page.Total)
	}
}

func TestAPolicyRefusalSaysTheServerRefusedItNotDMS(t *testing.T) {
	e := newEnv(t, userSpec{name: "bob", dmsID: 2000003, types: []string{"DATA_EXPORT"}, envs: []string{"dev", "test"}})
	e.start(e.config())
	p := policyFor(t, e, "bob")
	_, err := p.CreateOrder(context.Background(), dms.OrderRequest{Tid: 3000001, PluginType: "DATA_EXPORT", PluginParam: exportParam(int64(1100001)), Comment: "forged"})
	de, ok := dms.AsError(err)
	if !ok {
		t.Fatalf("CreateOrder = %v, want a *dms.Error", err)
	}
	if de.Kind != dms.KindPolicy {
		t.Errorf("kind = %v, want %v: the users file refused it, not DMS", de.Kind, dms.KindPolicy)
	}
	if msg := de.Error(); !strings.Contains(msg, "refused by this server's policy") {
		t.Errorf("error = %q, want it to say this server's policy refused it", msg)
	}
	if adv := de.Advice(); strings.Contains(adv, "DMS administrator") || !strings.Contains(adv, "users file") {
		t.Errorf("advice = %q, want it to point at the server's users file, not a DMS administrator", adv)
	}
	if got := outcome(err); got != OutcomePolicyRefused {
		t.Errorf("outcome = %q, want %q", got, OutcomePolicyRefused)
	}
	// DMS's own permission errors stay what they are.
	if got := outcome(&dms.Error{Op: "CreateOrder", Kind: dms.KindPermission, Code: "NoPermission"}); got != OutcomeRefused {
		t.Errorf("a DMS permission error: outcome = %q, want %q", got, OutcomeRefused)
	}
}
