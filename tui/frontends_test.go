package tui

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms/dmssim/dmssimtest"
	"dmsticket/tui/create"
)

// The three front ends over the one wizard (the full-screen program,
// --accessible through a pipe, and create) file the same ticket as the same
// request: what each simulator received is compared parameter by parameter.

// requestParams are the parameters of a CreateOrder that make the ticket.
var requestParams = []string{"Tid", "PluginType", "PluginParam", "Comment", "RelatedUserList", "AttachmentKey"}

func sentRequest(t *testing.T, w *dmssimtest.World, who string) url.Values {
	t.Helper()
	calls := w.Server().RequestsFor("CreateOrder")
	if len(calls) != 1 {
		t.Fatalf("%s sent CreateOrder %d times", who, len(calls))
	}
	return calls[0].Params
}

func runCreate(t *testing.T, w *dmssimtest.World, args ...string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := create.NewCommand(create.Deps{
		Connect: func() (create.Backend, error) {
			return create.Backend{Service: w.Client, Region: "cn-hangzhou", Endpoint: w.Endpoint()}, nil
		},
		Tenant: func() int64 { return 0 }, Stdout: &stdout, Stderr: &stderr,
	})
	cmd.SetArgs(args)
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("create %v: %v\n%s", args, err, stderr.String())
	}
}

func accessibleOptions(w *dmssimtest.World) Options {
	return Options{Service: w.Client, Region: "cn-hangzhou", Endpoint: w.Endpoint(), Local: true}
}

func sameRequests(t *testing.T, got map[string]url.Values) {
	t.Helper()
	for _, k := range requestParams {
		var first string
		var firstWho string
		for who, p := range got {
			if firstWho == "" {
				first, firstWho = p.Get(k), who
				continue
			}
			if p.Get(k) != first {
				t.Errorf("%s: %s sent %q, %s sent %q", k, firstWho, first, who, p.Get(k))
			}
		}
	}
}

func TestTheThreeFrontEndsSendTheSameExport(t *testing.T) {
	const sql = "SELECT id, total FROM orders WHERE total > 100 AND note <> 'x'"
	got := map[string]url.Values{}

	tuiWorld := dmssimtest.New(t)
	u := startUI(t, testOptions(tuiWorld.Client), 100, 30)
	u.chooseType("")
	u.chooseDatabase("orders_dev")
	u.waitStep(StepSQL)
	u.paste(sql + "\n") // as the accessible prompt takes a typed script: lines, each ended
	u.key(tea.KeyCtrlR)
	u.waitText("estimate (EXPLAIN)")
	u.key(tea.KeyCtrlS)
	u.waitField("comment")
	u.field("Q3 export for finance")
	u.waitField("classify")
	u.field("quarterly report")
	u.waitField("related")
	u.field("2000002, 2000003")
	u.waitField("attachment")
	u.field("upload/q3.xlsx")
	u.waitField("ignore")
	u.enter()
	u.waitStep(StepReview)
	u.enter()
	u.waitText("Ticket created")
	got["the full-screen wizard"] = sentRequest(t, tuiWorld, "the full-screen wizard")

	accWorld := dmssimtest.New(t)
	out, err := runAccessibleThroughPipe(t, accessibleOptions(accWorld),
		"1", "", "orders_dev", "1", "", sql, ";;", "",
		"Q3 export for finance", "quarterly report", "2000002, 2000003", "upload/q3.xlsx", "", "y", "")
	if err != nil {
		t.Fatalf("accessible: %v\n%s", err, out)
	}
	got["--accessible"] = sentRequest(t, accWorld, "--accessible")

	createWorld := dmssimtest.New(t)
	runCreate(t, createWorld, "--type", "DATA_EXPORT", "--db", "orders_dev", "--sql", sql+"\n",
		"--comment", "Q3 export for finance", "--classify", "quarterly report", "--related-users", "2000002,2000003",
		"--attachment-key", "upload/q3.xlsx", "--affect-rows", "explain")
	got["create"] = sentRequest(t, createWorld, "create")

	sameRequests(t, got)
	if pp := got["create"].Get("PluginParam"); !strings.Contains(pp, `"affectRows":`) || !strings.Contains(pp, "<> 'x'") {
		t.Errorf("the export's PluginParam: %s", pp)
	}
}

func TestTheThreeFrontEndsSendTheSameSchemaDesign(t *testing.T) {
	got := map[string]url.Values{}

	tuiWorld := dmssimtest.New(t)
	u := startUI(t, testOptions(tuiWorld.Client), 100, 30)
	u.chooseType("schema")
	u.chooseDatabase("users_dev")
	u.waitField("comment")
	u.field("login is slow")
	u.waitField("title")
	u.field("add index on users.email")
	u.waitField("description")
	u.paste("unique, built online")
	u.key(tea.KeyTab)
	u.waitField("related")
	u.field("2000002")
	u.waitField("attachment")
	u.enter()
	u.waitStep(StepReview)
	u.enter()
	u.waitText("Ticket created")
	got["the full-screen wizard"] = sentRequest(t, tuiWorld, "the full-screen wizard")

	accWorld := dmssimtest.New(t)
	out, err := runAccessibleThroughPipe(t, accessibleOptions(accWorld),
		"2", "", "users_dev", "1",
		"login is slow", "add index on users.email", "unique, built online", "2000002", "", "y", "")
	if err != nil {
		t.Fatalf("accessible: %v\n%s", err, out)
	}
	got["--accessible"] = sentRequest(t, accWorld, "--accessible")

	createWorld := dmssimtest.New(t)
	runCreate(t, createWorld, "--type", "NDDL", "--db", "users_dev", "--comment", "login is slow",
		"--title", "add index on users.email", "--description", "unique, built online", "--related-users", "2000002")
	got["create"] = sentRequest(t, createWorld, "create")

	sameRequests(t, got)
}
