package create

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
)

// create --like ID (PRODUCT section 15), against the simulator over HTTP.

const tenantLab = 3000002 // Acme Analytics Lab, the demo user's second tenant

// createdID is the ticket ID a run printed on stdout (--output text).
func createdID(t *testing.T, o outcome) string {
	t.Helper()
	id := strings.TrimSpace(o.stdout)
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		t.Fatalf("stdout %q is not a ticket ID\nstderr:\n%s", o.stdout, o.stderr)
	}
	return id
}

// freshFigure is the figure EXPLAIN gives a dry run of args now: the ticket
// file's affectRows (an export) or EstimateAffectRows (a data change).
func freshFigure(t *testing.T, w *world, args ...string) string {
	t.Helper()
	o := w.run(append(args, "--affect-rows", "explain", "--dry-run", "--output", "json")...)
	o.want(t, ExitOK)
	var f struct {
		PluginParam map[string]any `json:"pluginParam"`
		Param       map[string]any `json:"param"`
	}
	dec := json.NewDecoder(strings.NewReader(o.stdout))
	dec.UseNumber()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("%v\n%s", err, o.stdout)
	}
	for _, v := range []any{f.PluginParam["affectRows"], f.Param["EstimateAffectRows"]} {
		if n, ok := v.(json.Number); ok {
			return n.String()
		}
	}
	t.Fatalf("no figure in\n%s", o.stdout)
	return ""
}

// order is the stored ticket id.
func (w *world) order(id string) dmssim.Order {
	w.t.Helper()
	for _, o := range w.orders() {
		if strconv.FormatInt(o.OrderID, 10) == id {
			return o
		}
	}
	w.t.Fatalf("the simulator has no ticket %s", id)
	return dmssim.Order{}
}

// writes are the requests that create or change something in DMS.
func (w *world) writes() []string {
	var out []string
	for _, c := range w.sim.Server.Requests() {
		switch c.Action {
		case "CreateOrder", "CreateDataCorrectOrder", "SubmitOrderApproval", "ExecuteDataCorrect", "ExecuteDataExport",
			"CloseOrder", "ApproveOrder", "CreateUploadOSSFileJob":
			out = append(out, c.Action)
		}
	}
	return out
}

func TestLikeReproducesAnExportsRequestWithTheRowsMeasuredAgain(t *testing.T) {
	w := newWorld(t)
	first := w.run(export("--affect-rows", "1234", "--related-users", "2000002,2000003", "--attachment-key", "upload/q3.csv")...)
	first.want(t, ExitOK)
	id := createdID(t, first)

	o := w.run("--like", id, "--yes")
	o.want(t, ExitOK)
	again := createdID(t, o)
	if again == id {
		t.Fatalf("the same ticket ID %s twice", id)
	}
	for _, want := range []string{
		"Filled from ticket " + id + " (Export data): database orders_dev@10.40.1.11:3306, SQL (1 statement), comment, related users 2000002, 2000003, attachment key, classify; the rows are measured again (EXPLAIN).\n",
		"Database: orders_dev@10.40.1.11:3306, development, mysql, ID 1100023",
		"rows (EXPLAIN).",
		"Created ticket " + again,
	} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
	if strings.Contains(o.stderr, "Changed by the flags") {
		t.Errorf("no flag changed anything:\n%s", o.stderr)
	}

	orig, got := w.order(id), w.order(again)
	fresh := freshFigure(t, w, export()...)
	if fresh == "1234" {
		t.Fatal("the test needs a fresh EXPLAIN figure other than the original's")
	}
	want := strings.Replace(orig.PluginParam, `"affectRows":1234,`, `"affectRows":`+fresh+",", 1)
	if want == orig.PluginParam {
		t.Fatalf("no affectRows 1234 in the original %s", orig.PluginParam)
	}
	if got.PluginParam != want {
		t.Errorf("PluginParam = %s\nwant          %s (the original's, measured again)", got.PluginParam, want)
	}
	if got.PluginType != orig.PluginType || got.Tid != orig.Tid || got.Comment != orig.Comment ||
		got.RelatedUserList != orig.RelatedUserList || got.AttachmentKey != orig.AttachmentKey {
		t.Errorf("stored %+v\nwant the original's %+v", got, orig)
	}
}

func TestLikeWithAFlagChangesThatFieldOnly(t *testing.T) {
	w := newWorld(t)
	id := createdID(t, w.run(export("--affect-rows", "1234", "--related-users", "2000002")...))
	orig := w.order(id)
	param := func(o dmssim.Order) map[string]any {
		m := map[string]any{}
		for k, v := range o.Param {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		flags   []string
		changed string
		check   func(t *testing.T, p map[string]any, o dmssim.Order)
	}{
		{[]string{"--comment", "Q4 export for finance"}, "--comment", func(t *testing.T, p map[string]any, o dmssim.Order) {
			if o.Comment != "Q4 export for finance" {
				t.Errorf("comment %q", o.Comment)
			}
		}},
		{[]string{"--classify", "audit"}, "--classify", func(t *testing.T, p map[string]any, o dmssim.Order) {
			if p["classify"] != "audit" {
				t.Errorf("classify %v", p["classify"])
			}
			p["classify"] = orig.Param["classify"]
		}},
		{[]string{"--sql", "SELECT id FROM orders WHERE status = 'paid'"}, "--sql", func(t *testing.T, p map[string]any, o dmssim.Order) {
			if p["exeSQL"] != "SELECT id FROM orders WHERE status = 'paid'" {
				t.Errorf("exeSQL %v", p["exeSQL"])
			}
			p["exeSQL"] = orig.Param["exeSQL"]
		}},
		{[]string{"--db", "orders_test@10.50.1.11:3306"}, "--db", func(t *testing.T, p map[string]any, o dmssim.Order) {
			if o.DatabaseID != dbOrdersTest {
				t.Errorf("database %d", o.DatabaseID)
			}
			p["dbId"] = orig.Param["dbId"]
		}},
		{[]string{"--related-users", ""}, "--related-users", func(t *testing.T, p map[string]any, o dmssim.Order) {
			if o.RelatedUserList != "" || len(o.RelatedUsers) != 0 {
				t.Errorf("related users %q", o.RelatedUserList)
			}
		}},
		{[]string{"--affect-rows", "77"}, "", func(t *testing.T, p map[string]any, o dmssim.Order) {
			if p["affectRows"] != json.Number("77") {
				t.Errorf("affectRows %v, want 77 as given", p["affectRows"])
			}
		}},
		{[]string{"--ignore-affect-rows", "the auditors need every row"}, "", func(t *testing.T, p map[string]any, o dmssim.Order) {
			if p["ignoreAffectRows"] != true || p["ignoreAffectRowsReason"] != "the auditors need every row" || p["affectRows"] != json.Number("0") {
				t.Errorf("ignore %v, reason %v, affectRows %v", p["ignoreAffectRows"], p["ignoreAffectRowsReason"], p["affectRows"])
			}
			p["ignoreAffectRows"], p["ignoreAffectRowsReason"] = orig.Param["ignoreAffectRows"], orig.Param["ignoreAffectRowsReason"]
		}},
	} {
		t.Run(strings.Join(tc.flags, " "), func(t *testing.T) {
			before := len(w.sim.Server.RequestsFor("ExecuteScript"))
			o := w.run(append([]string{"--like", id}, tc.flags...)...)
			o.want(t, ExitOK)
			if tc.changed != "" && !strings.Contains(o.stderr, "Changed by the flags: "+tc.changed+".\n") {
				t.Errorf("stderr does not say %s changed the ticket:\n%s", tc.changed, o.stderr)
			}
			got := w.order(createdID(t, o))
			p := param(got)
			tc.check(t, p, got)
			if tc.flags[0] != "--affect-rows" && tc.flags[0] != "--ignore-affect-rows" {
				if p["affectRows"] == json.Number("1234") || len(w.sim.Server.RequestsFor("ExecuteScript")) == before {
					t.Errorf("affectRows %v: not measured again", p["affectRows"])
				}
			} else if n := len(w.sim.Server.RequestsFor("ExecuteScript")); n != before {
				t.Errorf("%d EXPLAIN calls with the figure given", n-before)
			}
			delete(p, "affectRows")
			want := param(orig)
			delete(want, "affectRows")
			if !reflect.DeepEqual(p, want) {
				t.Errorf("PluginParam %v\nwant the original's %v but for %s", p, want, tc.flags[0])
			}
			if tc.flags[0] != "--comment" && got.Comment != orig.Comment {
				t.Errorf("comment %q", got.Comment)
			}
			if tc.flags[0] != "--related-users" && got.RelatedUserList != orig.RelatedUserList {
				t.Errorf("related users %q", got.RelatedUserList)
			}
		})
	}
}

func TestLikeOfAnExportWithTheCheckIgnoredKeepsItAndMeasuresNothing(t *testing.T) {
	w := newWorld(t)
	id := createdID(t, w.run(export("--ignore-affect-rows", "the auditors need every row")...))
	before := len(w.sim.Server.RequestsFor("ExecuteScript"))
	o := w.run("--like", id)
	o.want(t, ExitOK)
	if !strings.Contains(o.stderr, "; the affected-row check stays ignored, as on ticket "+id+" (reason: the auditors need every row).") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
	if n := len(w.sim.Server.RequestsFor("ExecuteScript")); n != before {
		t.Errorf("%d EXPLAIN calls for a ticket whose check is ignored", n-before)
	}
	if got, orig := w.order(createdID(t, o)).PluginParam, w.order(id).PluginParam; got != orig {
		t.Errorf("PluginParam %s\nwant %s", got, orig)
	}
	// --affect-rows puts the check back.
	o = w.run("--like", id, "--affect-rows", "explain")
	o.want(t, ExitOK)
	if p := w.order(createdID(t, o)).Param; p["ignoreAffectRows"] != false || p["ignoreAffectRowsReason"] != "" || p["affectRows"] == json.Number("0") {
		t.Errorf("Param %v: want the check kept and the EXPLAIN figure", p)
	}
}

func TestLikeReproducesADataChangeOnThreeDatabasesWithItsRollback(t *testing.T) {
	w := newWorld(t)
	rb := filepath.Join(t.TempDir(), "restore-stuck.sql")
	if err := os.WriteFile(rb, []byte("UPDATE orders SET status = 'stuck' WHERE id IN (1, 2);\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	first := w.run(dataChange("--affect-rows", "120", "--rollback-sql-file", rb, "--exec-mode", "AUTO", "--related-users", "2000002,2000003")...)
	first.want(t, ExitOK)
	id := createdID(t, first)

	o := w.run("--like", id, "--yes")
	o.want(t, ExitOK)
	for _, want := range []string{
		"Filled from ticket " + id + " (Change data): databases orders_dev@10.40.1.11:3306, orders_test@10.50.1.11:3306 and orders_uat@10.70.1.11:3306, " +
			"SQL (1 statement), rollback SQL (1 statement), comment, related users 2000002, 2000003, classify, exec-mode AUTO; the rows are measured again (EXPLAIN).\n",
		"Databases (3):\n  1. orders_dev@10.40.1.11:3306, development, mysql, ID 1100023\n  2. orders_test@10.50.1.11:3306",
		"Estimating the rows with EXPLAIN on each of the 3 databases…",
	} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
	calls := w.sim.Server.RequestsFor("CreateDataCorrectOrder")
	if len(calls) != 2 {
		t.Fatalf("%d CreateDataCorrectOrder requests, want 2", len(calls))
	}
	fresh := freshFigure(t, w, dataChange()...)
	if fresh == "120" {
		t.Fatal("the test needs a fresh EXPLAIN figure other than the original's")
	}
	param := `{"Classify":"data fix","DbItemList":[{"DbId":1100023,"Logic":false},{"DbId":1100031,"Logic":false},{"DbId":1100042,"Logic":false}],` +
		`"EstimateAffectRows":` + fresh + `,"ExecMode":"AUTO","ExecSQL":"UPDATE orders SET status = 'cancelled' WHERE status = 'stuck'",` +
		`"RollbackSQL":"UPDATE orders SET status = 'stuck' WHERE id IN (1, 2);\n","RollbackSqlType":"TEXT","SqlType":"TEXT"}`
	if got := calls[1].Params.Get("Param"); got != param {
		t.Errorf("Param = %s\nwant    %s", got, param)
	}
	if want := strings.Replace(calls[0].Params.Get("Param"), `"EstimateAffectRows":120,`, `"EstimateAffectRows":`+fresh+",", 1); calls[1].Params.Get("Param") != want {
		t.Errorf("Param = %s\nthe original's, measured again: %s", calls[1].Params.Get("Param"), want)
	}
	for _, k := range []string{"Comment", "RelatedUserList", "Tid", "AttachmentKey"} {
		if calls[0].Params.Get(k) != calls[1].Params.Get(k) {
			t.Errorf("%s = %q; the original sent %q", k, calls[1].Params.Get(k), calls[0].Params.Get(k))
		}
	}
	if got := w.order(createdID(t, o)); got.ExecMode != "AUTO" || len(got.Databases) != 3 {
		t.Errorf("stored exec mode %s, databases %+v", got.ExecMode, got.Databases)
	}
}

func TestLikeOfADataChangeTakesItsFlags(t *testing.T) {
	w := newWorld(t)
	id := createdID(t, w.run(dataChange("--affect-rows", "120", "--rollback-sql", "UPDATE orders SET status = 'stuck' WHERE id = 1", "--exec-mode", "AUTO")...))

	// One --db replaces the three; an empty rollback script removes it;
	// --exec-mode changes who runs it, and --submit --wait done runs it.
	o := w.run("--like", id, "--db", "orders_dev@10.40.1.11:3306", "--rollback-sql", "", "--exec-mode", "commitor", "--submit", "--wait", "done")
	o.want(t, ExitOK)
	if !strings.Contains(o.stderr, "Changed by the flags: --db, --rollback-sql, --exec-mode.") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
	calls := w.sim.Server.RequestsFor("CreateDataCorrectOrder")
	p := calls[len(calls)-1].Params.Get("Param")
	if !strings.Contains(p, `"DbItemList":[{"DbId":1100023,"Logic":false}]`) || strings.Contains(p, "Rollback") || !strings.Contains(p, `"ExecMode":"COMMITOR"`) {
		t.Errorf("Param = %s", p)
	}
	if n := len(w.sim.Server.RequestsFor("ExecuteDataCorrect")); n != 1 {
		t.Errorf("ExecuteDataCorrect sent %d times, want once (COMMITOR, --wait done)", n)
	}
	if !strings.Contains(o.stderr, "Ticket "+createdID(t, o)+": done") {
		t.Errorf("stderr:\n%s", o.stderr)
	}

	// A flag the type does not take is refused once the type is known.
	o = w.run("--like", id, "--title", "x")
	o.want(t, ExitUsage)
	if !strings.Contains(o.stderr, "--title does not apply to DC_COMMON (Change data)") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
	o = w.run("--like", id, "--exec-mode", "later")
	o.want(t, ExitUsage)
	if !strings.Contains(o.stderr, `--exec-mode "later": use one of COMMITOR`) {
		t.Errorf("stderr:\n%s", o.stderr)
	}
}

func TestLikeOfASchemaDesignAsksForWhatDMSDoesNotReport(t *testing.T) {
	w := newWorld(t)
	id := createdID(t, w.run("--type", "NDDL", "--db", strconv.Itoa(dbUsersDev), "--comment", "login is slow",
		"--title", "add index on users.email", "--description", "unique, built online", "--related-users", "2000002"))
	orig := w.order(id)

	o := w.run("--like", id, "--db", strconv.Itoa(dbUsersDev))
	o.want(t, ExitUsage)
	for _, want := range []string{
		"Filled from ticket " + id + " (Change a schema design): comment, related users 2000002.",
		"the ticket is not valid (2 problems):",
		"  - --title: Title: was not in DMS's answer about ticket " + id + ": give --title\n",
		`  - --description: Description: was not in DMS's answer about ticket ` + id + `: give --description (--description "" for none)`,
		"Nothing was sent to DMS.",
	} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
	if strings.Contains(o.stderr, "Title: is required") {
		t.Errorf("the title is refused twice:\n%s", o.stderr)
	}
	o = w.run("--like", id)
	o.want(t, ExitUsage)
	if !strings.Contains(o.stderr, "(3 problems)") || !strings.Contains(o.stderr, "  - --db: Database: was not in DMS's answer about ticket "+id+": give --db with its ID") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
	if n := w.createCalls(); n != 1 {
		t.Fatalf("%d CreateOrder requests; the refused runs sent one", n)
	}

	o = w.run("--like", id, "--title", "add index on users.email", "--description", "unique, built online", "--db", strconv.Itoa(dbUsersDev))
	o.want(t, ExitOK)
	if !strings.Contains(o.stderr, "Not in DMS's answer, given by the flags: title (--title), description (--description), database (--db).") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
	if strings.Contains(o.stderr, "Changed by the flags") {
		t.Errorf("the flags gave what DMS did not; they changed nothing:\n%s", o.stderr)
	}
	got := w.order(createdID(t, o))
	if got.PluginParam != orig.PluginParam || got.Comment != orig.Comment || got.RelatedUserList != orig.RelatedUserList {
		t.Errorf("stored %s %q %q\nwant %s %q %q", got.PluginParam, got.Comment, got.RelatedUserList, orig.PluginParam, orig.Comment, orig.RelatedUserList)
	}
	// An empty description said so.
	w.run("--like", id, "--title", "t", "--description", "", "--db", strconv.Itoa(dbUsersDev)).want(t, ExitOK)
}

func TestLikeOfAnUnknownTicketIsDMSsRefusal(t *testing.T) {
	w := newWorld(t)
	o := w.run("--like", "99999999")
	o.want(t, ExitRejected)
	for _, want := range []string{
		"dmsticket create: ticket 99999999 was not found in the tenant Acme Retail (3000001).\n",
		"What happened: refused by DMS (GetOrderBaseInfo), code OrderNotExist",
		"Check the ticket ID (dmsticket list shows yours) and the tenant (--tenant).",
	} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
	if o.stdout != "" || len(w.writes()) != 0 {
		t.Errorf("stdout %q, writes %v", o.stdout, w.writes())
	}
}

func TestLikeOfAnotherTenantsTicketNamesTheTenant(t *testing.T) {
	w := newWorld(t)
	w.tenant = tenantLab
	id := createdID(t, w.run("--type", "DATA_EXPORT", "--db", "1200004", "--sql", "SELECT id FROM orders", "--comment", "archive",
		"--classify", "research", "--affect-rows", "5"))

	w.tenant = 0
	o := w.run("--like", id, "--yes")
	o.want(t, ExitUsage)
	if want := "dmsticket create: ticket " + id + " is in the tenant Acme Analytics Lab (3000002), not in Acme Retail (3000001): pass --tenant 3000002 to file it again there.\nNothing was sent to DMS.\n"; !strings.Contains(o.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
	}
	if n := w.createCalls(); n != 1 {
		t.Fatalf("%d CreateOrder requests", n)
	}

	w.tenant = tenantLab
	o = w.run("--like", id, "--yes")
	o.want(t, ExitOK)
	if got := w.order(createdID(t, o)); got.Tid != tenantLab || got.DatabaseID != 1200004 {
		t.Errorf("stored tenant %d, database %d", got.Tid, got.DatabaseID)
	}
}

// typeService reports every ticket as being of another type.
type typeService struct {
	dms.Service
	pluginType string
}

func (s typeService) Order(ctx context.Context, tid, id int64) (dms.Order, error) {
	o, err := s.Service.Order(ctx, tid, id)
	o.PluginType = s.pluginType
	return o, err
}

func TestLikeOfATypeDmsticketDoesNotFileIsRefused(t *testing.T) {
	w := newWorld(t)
	id := createdID(t, w.run(export("--affect-rows", "1")...))
	w.wrap = func(s dms.Service) dms.Service { return typeService{s, "PERM_APPLY"} }
	o := w.run("--like", id)
	o.want(t, ExitUsage)
	if !strings.Contains(o.stderr, "ticket "+id+" is a PERM_APPLY ticket, which dmsticket does not file (it files DATA_EXPORT, NDDL, DC_COMMON).\nNothing was sent to DMS.") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
}

func TestLikeRefusedFlagsExit2AndReachNothing(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--like", "abc"}, `--like "abc": give the ID of a DMS ticket, a positive whole number`},
		{[]string{"--like", "0"}, `--like "0": give the ID of a DMS ticket`},
		{[]string{"--like", "-4"}, `--like "-4": give the ID of a DMS ticket`},
		{[]string{"--like", "40000001", "--from", "ticket.json"}, "--like and --from each give a whole ticket to start from: give one of them"},
		{[]string{"--like", "40000001", "--sql", "SELECT 1", "--sql-file", "q.sql"}, "--sql or --sql-file, not both"},
		{[]string{"--like", "40000001", "--affect-rows", "lots"}, `--affect-rows "lots"`},
		{[]string{"--like", "40000001", "--type", "NDDL", "--sql", "SELECT 1"}, "--sql does not apply to NDDL"},
	} {
		w := newWorld(t)
		o := w.run(tc.args...)
		o.want(t, ExitUsage)
		if !strings.Contains(o.stderr, tc.want) {
			t.Errorf("%v: stderr lacks %q:\n%s", tc.args, tc.want, o.stderr)
		}
		if n := len(w.sim.Server.Requests()); n != 0 {
			t.Errorf("%v: %d requests reached DMS", tc.args, n)
		}
	}
}

func TestLikeWithAnotherTypeIsRefused(t *testing.T) {
	w := newWorld(t)
	id := createdID(t, w.run(export("--affect-rows", "1")...))
	o := w.run("--like", id, "--type", "NDDL")
	o.want(t, ExitUsage)
	if !strings.Contains(o.stderr, "--type NDDL: ticket "+id+" is a DATA_EXPORT ticket (Export data), and a ticket filed again keeps its type") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
	w.run("--like", id, "--type", "DATA_EXPORT").want(t, ExitOK)
	if n := w.createCalls(); n != 2 {
		t.Errorf("%d CreateOrder requests, want 2", n)
	}
}

func TestLikeDryRunSendsNothingThatWrites(t *testing.T) {
	w := newWorld(t)
	exp := createdID(t, w.run(export("--affect-rows", "1234")...))
	dc := createdID(t, w.run(dataChange("--affect-rows", "120", "--rollback-sql", "DELETE FROM orders WHERE id = 0")...))
	before := w.writes()

	o := w.run("--like", exp, "--dry-run")
	o.want(t, ExitOK)
	for _, want := range []string{"Type: Export data (DATA_EXPORT)", "estimate (EXPLAIN)", "aliyun dms-enterprise CreateOrder"} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, o.stdout)
		}
	}
	o = w.run("--like", dc, "--dry-run", "--output", "json")
	o.want(t, ExitOK)
	if !reflect.DeepEqual(w.writes(), before) {
		t.Fatalf("a dry run sent %v (before: %v)", w.writes(), before)
	}
	if !strings.Contains(o.stderr, "Dry run: the ticket is valid; nothing was sent") {
		t.Errorf("stderr:\n%s", o.stderr)
	}

	// Its ticket file submits the liked ticket's request.
	path := filepath.Join(t.TempDir(), "again.json")
	if err := os.WriteFile(path, []byte(o.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	w.run("--from", path).want(t, ExitOK)
	calls := w.sim.Server.RequestsFor("CreateDataCorrectOrder")
	orig, again := calls[0].Params.Get("Param"), calls[1].Params.Get("Param")
	_, tail, _ := strings.Cut(again, `"EstimateAffectRows":`)
	_, origTail, _ := strings.Cut(orig, `"EstimateAffectRows":120`)
	if !strings.HasPrefix(again, `{"Classify":"data fix","DbItemList":[{"DbId":1100023,"Logic":false},{"DbId":1100031,"Logic":false},{"DbId":1100042,"Logic":false}],"EstimateAffectRows":`) ||
		!strings.HasSuffix(tail, origTail) {
		t.Errorf("Param from the liked ticket file %s\nthe original's %s", again, orig)
	}
}

func TestLikeOfAProductionTicketStillNeedsYes(t *testing.T) {
	w := newWorld(t)
	id := createdID(t, w.run("--type", "DATA_EXPORT", "--db", "orders@10.20.1.11:3306", "--sql", "SELECT id FROM orders WHERE id < 10",
		"--comment", "c", "--classify", "r", "--affect-rows", "9", "--yes"))
	o := w.run("--like", id, "--affect-rows", "9")
	o.want(t, ExitPolicy)
	if !strings.Contains(o.stderr, "refused: orders@10.20.1.11:3306 is a production database; pass --yes to confirm") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
	if n := w.createCalls(); n != 1 {
		t.Fatalf("%d CreateOrder requests", n)
	}
	w.terminal, w.stdin = true, strings.NewReader("orders\n")
	o = w.run("--like", id, "--affect-rows", "9")
	o.want(t, ExitOK)
	if !strings.Contains(o.stderr, "Type its schema name, orders, to submit it:") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
}
