package tui

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms"
)

// chooseDatabase walks from the type list to the database step and picks the
// database whose schema name is exactly schema.
func (u *ui) chooseType(filter string) {
	u.t.Helper()
	u.waitText("What kind of ticket?")
	if filter != "" {
		u.typ(filter)
	}
	u.enter()
	u.waitStep(StepTenant)
	u.waitText("▌ Acme Retail (3000001)")
	u.enter()
	u.waitStep(StepDatabase)
}

func (u *ui) chooseDatabase(schema string) {
	u.t.Helper()
	u.typ(schema)
	u.searched()
	u.waitText("▌ " + schema + " ")
	u.enter()
}

func TestExportFlowSendsExactlyTheReviewedRequest(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.chooseType("")
	u.chooseDatabase("orders_dev")
	u.waitStep(StepSQL)
	u.typ("SELECT id, total FROM orders WHERE total > 100")
	u.key(tea.KeyCtrlR)
	s := u.waitText("estimate (EXPLAIN)")
	rows := s.ticket.Rows.Total
	if rows <= 0 {
		t.Fatalf("no estimate: %+v", s.ticket.Rows)
	}
	u.key(tea.KeyCtrlS)
	u.waitStep(StepDetails)
	u.waitField("comment")
	u.field("Q3 export for finance")
	u.waitField("classify")
	u.field("quarterly report")
	u.waitField("related")
	u.field("2000002, 2000003")
	u.waitField("attachment")
	u.enter()
	u.waitField("ignore")
	u.enter()
	u.waitStep(StepReview)
	u.waitText(`"exeSQL": "SELECT id, total FROM orders WHERE total > 100"`)
	u.enter()
	u.waitText("Ticket created")

	p := sentOnce(t, sim, map[string]string{
		"Tid": "3000001", "PluginType": "DATA_EXPORT", "Comment": "Q3 export for finance", "RelatedUserList": "2000002,2000003",
		"PluginParam": fmt.Sprintf(`{"affectRows":%d,"classify":"quarterly report","dbId":1100023,"exeSQL":"SELECT id, total FROM orders WHERE total > 100","ignoreAffectRows":false,"ignoreAffectRowsReason":"","logic":false}`, rows),
	})
	if p.Has("AttachmentKey") {
		t.Errorf("an empty attachment key was sent: %q", p.Get("AttachmentKey"))
	}
}

// toSchemaDescription files a schema design on users_dev up to its
// description: the comment and title typed, the description focused.
func (u *ui) toSchemaDescription() {
	u.chooseType("schema")
	u.chooseDatabase("users_dev")
	u.waitStep(StepDetails)
	u.waitField("comment")
	u.field("login is slow")
	u.waitField("title")
	u.field("add index on users.email")
	u.waitField("description")
}

func TestSchemaDesignFlowSendsExactlyTheReviewedRequest(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 80, 24)
	u.toSchemaDescription()
	u.field("unique, built online")
	u.waitField("related")
	u.field("2000002")
	u.waitField("attachment")
	u.enter()
	u.waitStep(StepReview)
	s := u.waitText(`"title": "add index on users.email"`)
	if strings.Contains(s.view, "\nSQL ") {
		t.Errorf("a schema-design review shows an SQL line:\n%s", s.view)
	}
	u.enter()
	u.waitText("Ticket created")
	sentOnce(t, sim, map[string]string{
		"Tid": "3000001", "PluginType": "NDDL", "Comment": "login is slow", "RelatedUserList": "2000002",
		"PluginParam": `{"dbId":1100024,"description":"unique, built online","logic":false,"relatedIds":[2000002],"title":"add index on users.email"}`,
	})
}

func TestProductionExportFlowNeedsTheSchemaNameTyped(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 120, 40)
	u.chooseType("")
	u.chooseDatabase("orders")
	u.waitStep(StepSQL)
	u.waitText("Production database")
	u.typ("SELECT id FROM refunds")
	u.key(tea.KeyCtrlS) // leaving the SQL step estimates by itself
	u.waitStep(StepDetails)
	u.waitField("comment")
	u.field("refunds audit")
	u.waitField("classify")
	u.field("audit")
	u.waitField("related")
	u.enter()
	u.waitField("attachment")
	u.enter()
	u.waitField("ignore")
	u.enter()
	u.waitStep(StepReview)
	u.waitFor("the estimate", func(s snapshot) bool { return s.ticket.Rows.Source == dms.RowsExplain })
	u.enter()
	u.waitText("type its schema name")
	u.typ("order")
	u.enter()
	u.waitText("That is not the schema name")
	if n := len(sim.run.Server.RequestsFor("CreateOrder")); n != 0 {
		t.Fatalf("sent before the name was typed: %d", n)
	}
	u.typ("s")
	u.enter()
	u.waitText("Ticket created")
	if n := len(sim.run.Server.Orders()); n != 1 {
		t.Fatalf("%d tickets", n)
	}
}

// TestReviewSavesATicketFileThatSubmitsUnchanged: s on the review writes a
// 0600 ticket file; read back and sent, it is byte for byte the request the
// review showed.
func TestReviewSavesATicketFileThatSubmitsUnchanged(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.toExportReview("orders_dev", "SELECT id FROM orders WHERE note <> 'a&b'")
	reviewed := u.snap().ticket
	want := dms.PluginParamJSON(reviewed.PluginParam())
	u.runes("s")
	u.waitText("Save to:")
	path := filepath.Join(t.TempDir(), "q3.json")
	u.key(tea.KeyCtrlU) // clear the proposed name
	u.typ(path)
	u.enter()
	u.waitText("Saved ")
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("ticket file %v %v", fi, err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	tk, err := dms.ReadTicketFile(f)
	if err != nil {
		t.Fatal(err)
	}
	req, err := tk.Request()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.client.CreateOrder(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if got := sim.run.Server.Orders()[0].PluginParam; got != want {
		t.Fatalf("sent %s\nreviewed %s", got, want)
	}
}

// sentOnce checks that the simulator received exactly one CreateOrder with
// these parameters, and returns them all.
func sentOnce(t *testing.T, sim *simulator, want map[string]string) url.Values {
	t.Helper()
	calls := sim.run.Server.RequestsFor("CreateOrder")
	if len(calls) != 1 {
		t.Fatalf("CreateOrder sent %d times", len(calls))
	}
	p := calls[0].Params
	for k, v := range want {
		if p.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, p.Get(k), v)
		}
	}
	return p
}

// The database list is the tenant's: back at the tenant step and another
// tenant chosen, the list the last tenant's search found is gone, asked for
// again, and a row of the last tenant cannot be picked (it listed Acme
// Retail's payroll under Acme Analytics Lab; found by an adversarial walk).
func TestAnotherTenantGetsItsOwnDatabaseList(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.chooseType("")
	u.typ("payroll")
	u.searched()
	u.waitText("▌ payroll ")
	u.key(tea.KeyEsc)
	u.waitStep(StepTenant)
	u.key(tea.KeyDown)
	u.waitText("▌ Acme Analytics Lab (3000002)")
	u.enter()
	u.waitStep(StepDatabase)
	s := u.waitFor("the search in the new tenant", func(s snapshot) bool {
		return s.ticket.Tenant.ID == 3000002 && strings.Contains(s.view, "Search: payroll") && !strings.Contains(s.view, "searching")
	})
	if strings.Contains(s.view, "10.20.1.11") {
		t.Fatalf("the new tenant's list shows the last tenant's payroll:\n%s", s.view)
	}
	u.enter()
	if s := u.snap(); s.step == StepSQL && s.ticket.Database.SchemaName == "payroll" {
		t.Fatalf("enter picked the last tenant's payroll in tenant %d", s.ticket.Tenant.ID)
	}
}
