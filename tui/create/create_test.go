package create

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
)

func TestCreateExportPrintsOnlyTheTicketIDOnStdout(t *testing.T) {
	w := newWorld(t)
	o := w.run(export("--affect-rows", "explain")...)
	o.want(t, ExitOK)
	if o.stdout != strconv.Itoa(firstOrderID)+"\n" {
		t.Errorf("stdout = %q, want just the ticket ID", o.stdout)
	}
	for _, want := range []string{"Database: orders_dev@10.40.1.11:3306, development, mysql, ID 1100023", "Estimated ", "rows (EXPLAIN)", "Created ticket 40000001", "Console: https://dms.example.com/cn-hangzhou/3000001/order/40000001"} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
	orders := w.orders()
	if len(orders) != 1 {
		t.Fatalf("%d tickets stored, want 1", len(orders))
	}
	got := orders[0]
	if got.PluginType != "DATA_EXPORT" || got.Tid != tenantRetail || got.DatabaseID != dbOrdersDev || got.Comment != "Q3 export for finance" {
		t.Errorf("stored %+v", got)
	}
	if rows, ok := got.Param["affectRows"].(json.Number); !ok || rows == "0" || got.Param["ignoreAffectRows"] != false {
		t.Errorf("affectRows = %v, ignoreAffectRows = %v; want the EXPLAIN figure, not ignored", got.Param["affectRows"], got.Param["ignoreAffectRows"])
	}
}

func TestCreateSchemaDesignPrintsTheJSONResult(t *testing.T) {
	w := newWorld(t)
	o := w.run("--type", "NDDL", "--db", strconv.Itoa(dbUsersDev), "--comment", "login is slow",
		"--title", "add index on users.email", "--description", "unique, built online", "--related-users", "2000002, 2000003",
		"--attachment-key", "upload/abc.sql", "--output", "json")
	o.want(t, ExitOK)
	var res map[string]any
	if err := json.Unmarshal([]byte(o.stdout), &res); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, o.stdout)
	}
	reqID := w.sim.Server.RequestsFor("CreateOrder")[0].RequestID
	want := map[string]any{
		"orderId": float64(firstOrderID), "orderIds": []any{float64(firstOrderID)}, "requestId": reqID,
		"consoleUrl": "https://dms.example.com/cn-hangzhou/3000001/order/40000001",
	}
	if fmt.Sprint(res) != fmt.Sprint(want) {
		t.Errorf("stdout = %v, want %v", res, want)
	}
	got := w.orders()[0]
	if got.PluginParam != `{"dbId":1100024,"description":"unique, built online","logic":false,"relatedIds":[2000002,2000003],"title":"add index on users.email"}` {
		t.Errorf("PluginParam = %s", got.PluginParam)
	}
	if got.RelatedUserList != "2000002,2000003" || got.AttachmentKey != "upload/abc.sql" {
		t.Errorf("RelatedUserList %q, AttachmentKey %q", got.RelatedUserList, got.AttachmentKey)
	}
}

func TestCreateReadsTheSQLFromStdin(t *testing.T) {
	w := newWorld(t)
	sql := "-- orders over 100\nSELECT id, total\nFROM orders\nWHERE total > 100 AND note <> 'x';\n"
	w.stdin = strings.NewReader(sql)
	o := w.run("--type", "DATA_EXPORT", "--db", "orders_dev@10.40.1.11:3306", "--sql-file", "-",
		"--comment", "stdin export", "--classify", "debugging", "--affect-rows", "1,000")
	o.want(t, ExitOK)
	got := w.orders()[0]
	if got.Param["exeSQL"] != sql {
		t.Errorf("exeSQL = %q, want %q", got.Param["exeSQL"], sql)
	}
	if got.Param["affectRows"] != json.Number("1000") {
		t.Errorf("affectRows = %v, want 1000 as typed", got.Param["affectRows"])
	}
}

func TestCreateRefusesBinarySQLFromStdin(t *testing.T) {
	w := newWorld(t)
	w.stdin = strings.NewReader("SELECT 1\x00\x01")
	o := w.run("--type", "DATA_EXPORT", "--db", "1100023", "--sql-file", "-", "--comment", "c", "--classify", "r", "--affect-rows", "1")
	o.want(t, ExitUsage)
	if !strings.Contains(o.stderr, "standard input looks binary") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
	// One reason, not also the check of the empty text left.
	if strings.Contains(o.stderr, "write at least one statement") {
		t.Errorf("the refusal is followed by the empty text's check:\n%s", o.stderr)
	}
}

func TestCreateListsEveryProblemAtOnceAndSendsNothing(t *testing.T) {
	w := newWorld(t)
	o := w.run("--type", "DATA_EXPORT", "--db", "orders_dev@10.40.1.11:3306",
		"--sql", "SELECT 1;\nUPDATE orders SET total = 0", "--related-users", "2000002,bob")
	o.want(t, ExitUsage)
	for _, want := range []string{
		"(5 problems)",
		`--related-users: Related users: "bob" is not a DMS user ID`,
		"--comment: Comment: is required",
		"--classify: Reason: is required",
		"--sql/--sql-file: SQL: statement 2 (line 2) is an UPDATE",
		"--affect-rows: Affected rows: is required for an export: give --affect-rows N, explain or count, or skip the check with --ignore-affect-rows REASON",
		"Nothing was sent to DMS.",
	} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
	if o.stdout != "" {
		t.Errorf("stdout = %q, want nothing", o.stdout)
	}
	if n := w.createCalls() + len(w.sim.Server.RequestsFor("ExecuteScript")); n != 0 {
		t.Errorf("%d CreateOrder/ExecuteScript requests for an invalid ticket", n)
	}
}

func TestCreateUsageErrorsExit2(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--comment", "x"}, "--type is required"},
		{[]string{"--type", "data_export"}, `ticket types are upper case, as DMS spells them: DATA_EXPORT`},
		{[]string{"--from", "t.json", "--type", "NDDL", "--comment", "x"}, "drop --type, --comment"},
		{[]string{"--type", "NDDL", "--sql", "SELECT 1", "--affect-rows", "3"}, "--sql does not apply to NDDL"},
		{[]string{"--type", "DATA_EXPORT", "--title", "t"}, "--title does not apply to DATA_EXPORT"},
		{export("--output", "yaml"), `--output is "yaml"`},
		{export("--affect-rows", "lots"), `--affect-rows "lots": give a whole number`},
		{export("--affect-rows", "3", "--ignore-affect-rows", "small"), "not both"},
		{export("--sql-file", "x.sql"), "--sql or --sql-file, not both"},
		{[]string{"--no-such-flag"}, "unknown flag: --no-such-flag"},
		{[]string{"extra"}, `create takes no arguments, got "extra"`},
	} {
		o := w.run(tc.args...)
		if o.code != ExitUsage {
			t.Errorf("%q: exit %d, want 2\n%s", tc.args, o.code, o.stderr)
		}
		if !strings.Contains(o.stderr, tc.want) {
			t.Errorf("%q: stderr lacks %q:\n%s", tc.args, tc.want, o.stderr)
		}
	}
	if n := len(w.sim.Server.Requests()); n != 0 {
		t.Errorf("%d requests reached DMS for usage errors", n)
	}
}

func TestCreateRefusesAnAmbiguousDatabaseListingTheCandidates(t *testing.T) {
	w := newWorld(t)
	o := w.run("--type", "NDDL", "--db", "orders", "--comment", "c", "--title", "t")
	o.want(t, ExitUsage)
	for _, want := range []string{`--db: Database: "orders" matches 2 databases`, "orders@10.20.1.11:3306 (ID 1100001, production, mysql)", "orders@10.30.1.11:3306 (ID 1100016, pre-release, mysql)"} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
	o = w.run("--type", "NDDL", "--db", "nosuch@10.0.0.1:3306", "--comment", "c", "--title", "t")
	o.want(t, ExitUsage)
	if !strings.Contains(o.stderr, `no database is named "nosuch@10.0.0.1:3306"`) {
		t.Errorf("stderr:\n%s", o.stderr)
	}
}

func TestCreateRejectedByDMSExits1(t *testing.T) {
	w := newWorld(t)
	w.sim.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.BusinessFailure, Code: "OrderLimitExceeded", Message: "Too many open tickets."})
	o := w.run(export("--affect-rows", "10")...)
	o.want(t, ExitRejected)
	for _, want := range []string{"DMS did not create the ticket", "code OrderLimitExceeded", "Message: Too many open tickets.", "Request ID: "} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
	if o.stdout != "" {
		t.Errorf("stdout = %q after a refusal", o.stdout)
	}

	// A related user DMS does not know: refused by DMS itself.
	o = w.run(export("--affect-rows", "10", "--related-users", "2999999")...)
	o.want(t, ExitRejected)
	if !strings.Contains(o.stderr, "UserNotExist") || len(w.orders()) != 0 {
		t.Errorf("orders %d, stderr:\n%s", len(w.orders()), o.stderr)
	}
}

func TestCreateEstimateRefusedByDMS(t *testing.T) {
	w := newWorld(t)
	// The demo user may not query payroll: DMS refuses EXPLAIN.
	o := w.run("--type", "DATA_EXPORT", "--db", strconv.Itoa(dbPayrollProd), "--sql", "SELECT * FROM employees",
		"--comment", "c", "--classify", "r", "--affect-rows", "explain", "--yes")
	o.want(t, ExitRejected)
	for _, want := range []string{"DMS could not measure the rows", "NoPermission", "--affect-rows N", "--ignore-affect-rows REASON"} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
	// Oracle has no EXPLAIN estimate: a usage error, before anything is sent.
	o = w.run("--type", "DATA_EXPORT", "--db", strconv.Itoa(dbERPFinance), "--sql", "SELECT * FROM GL_ACCOUNTS",
		"--comment", "c", "--classify", "r", "--affect-rows", "explain", "--yes")
	o.want(t, ExitUsage)
	if w.createCalls() != 0 {
		t.Error("CreateOrder was sent after the estimate failed")
	}
}

func TestCreateLostAnswerIsLookedUpAndReportedCreated(t *testing.T) {
	w := newWorld(t)
	w.sim.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.DropAfterCreate})
	o := w.run(export("--affect-rows", "10", "--output", "json")...)
	o.want(t, ExitOK)
	var res Result
	if err := json.Unmarshal([]byte(o.stdout), &res); err != nil {
		t.Fatalf("stdout: %v\n%s", err, o.stdout)
	}
	if res.OrderID != firstOrderID || !res.FoundByLookup {
		t.Errorf("result %+v, want the found ticket", res)
	}
	if !strings.Contains(o.stderr, "Found it: ticket 40000001 was created") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
	if w.createCalls() != 1 || len(w.orders()) != 1 {
		t.Errorf("%d CreateOrder requests, %d tickets: CreateOrder must never be resent", w.createCalls(), len(w.orders()))
	}
}

func TestCreateRetryableFailuresExit3(t *testing.T) {
	w := newWorld(t)
	// DMS down for reads: the retries run out.
	w.sim.Server.InjectFault(dmssim.Fault{Kind: dmssim.ServerError, Times: 10})
	o := w.run(export("--affect-rows", "10")...)
	o.want(t, ExitRetryable)
	if !strings.Contains(o.stderr, "DMS unavailable") || !strings.Contains(o.stderr, "ServiceUnavailable") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
	w.sim.Server.ClearFaults()

	// A 5xx to CreateOrder itself: the outcome is unknown, the lookup finds
	// nothing, and it is safe to run again.
	w.sim.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.ServerError})
	o = w.run(export("--affect-rows", "10")...)
	o.want(t, ExitRetryable)
	if !strings.Contains(o.stderr, "safe to run this again") || len(w.sim.Server.RequestsFor("ListOrders")) == 0 {
		t.Errorf("no lookup, or it said the wrong thing:\n%s", o.stderr)
	}
	if w.createCalls() != 1 {
		t.Errorf("CreateOrder sent %d times", w.createCalls())
	}
}

func TestCreateOnlineDatabaseNeedsYesOrTheSchemaNameTyped(t *testing.T) {
	w := newWorld(t)
	prod := []string{"--type", "NDDL", "--db", "orders@10.20.1.11:3306", "--comment", "c", "--title", "t"}

	o := w.run(prod...)
	o.want(t, ExitPolicy)
	if !strings.Contains(o.stderr, "refused: orders@10.20.1.11:3306 is a production database; pass --yes to confirm") {
		t.Errorf("stderr:\n%s", o.stderr)
	}

	w.terminal, w.stdin = true, strings.NewReader("payments\n")
	o = w.run(prod...)
	o.want(t, ExitPolicy)
	if !strings.Contains(o.stderr, "Type its schema name, orders, to submit it:") {
		t.Errorf("no question on stderr:\n%s", o.stderr)
	}
	if w.createCalls() != 0 {
		t.Fatalf("CreateOrder sent without confirmation")
	}

	w.stdin = strings.NewReader("orders\n")
	w.run(prod...).want(t, ExitOK)

	w.terminal, w.stdin = false, nil
	w.run(append(prod, "--yes")...).want(t, ExitOK)
	if n := len(w.orders()); n != 2 {
		t.Errorf("%d tickets, want 2", n)
	}

	// A server's policy refusal is exit 4 too.
	w.sim.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.BusinessFailure, Code: "Policy.EnvironmentNotAllowed", Message: "production is not allowed for you"})
	w.run(append(prod, "--yes")...).want(t, ExitPolicy)
}

func TestCreateInterruptedExits130(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	o := w.runCtx(ctx, export("--affect-rows", "10")...)
	o.want(t, ExitInterrupted)
	if w.createCalls() != 0 {
		t.Error("CreateOrder sent after the interrupt")
	}

	// Interrupted while CreateOrder is on its way.
	w.sim.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.Delay, Delay: 10 * time.Second})
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	o = w.runCtx(ctx, export("--affect-rows", "10")...)
	o.want(t, ExitInterrupted)
	if !strings.Contains(o.stderr, "the ticket may exist") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
}

func TestDryRunReachesNoWrite(t *testing.T) {
	w := newWorld(t)
	o := w.run(export("--affect-rows", "count", "--dry-run")...)
	o.want(t, ExitOK)
	if w.createCalls() != 0 {
		t.Fatal("a dry run sent CreateOrder")
	}
	reads := map[string]bool{"GetUserActiveTenant": true, "ListUserTenants": true, "SearchDatabase": true,
		"GetPhysicalDatabase": true, "GetLogicDatabase": true, "ExecuteScript": true}
	for _, c := range w.sim.Server.Requests() {
		if !reads[c.Action] {
			t.Errorf("a dry run sent %s", c.Action)
		}
	}
	for _, want := range []string{"Type: Export data (DATA_EXPORT)", "Affected rows: ", "exact (COUNT)", `"exeSQL": "SELECT id, total FROM orders WHERE total > 100"`, "aliyun dms-enterprise CreateOrder --region cn-hangzhou"} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, o.stdout)
		}
	}
	if !strings.Contains(o.stderr, "Dry run: the ticket is valid; nothing was sent") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
}

func TestDryRunJSONIsATicketFileThatFromSubmits(t *testing.T) {
	w := newWorld(t)
	o := w.run("--type", "NDDL", "--db", "orders@10.20.1.11:3306", "--comment", "c", "--title", "t", "--dry-run", "--output", "json")
	o.want(t, ExitOK)
	if !strings.Contains(o.stderr, "a real run needs --yes") {
		t.Errorf("the dry run does not say a production ticket needs --yes:\n%s", o.stderr)
	}
	var f dms.TicketFile
	if err := json.Unmarshal([]byte(o.stdout), &f); err != nil || f.Version != dms.TicketFileVersion || f.Type != "NDDL" {
		t.Fatalf("stdout is not a ticket file (%v):\n%s", err, o.stdout)
	}
	// Piped back in: stdin carries the file, so --yes is needed.
	w.stdin, w.terminal = strings.NewReader(o.stdout), true
	o2 := w.run("--from", "-")
	o2.want(t, ExitPolicy)
	w.stdin = strings.NewReader(o.stdout)
	w.run("--from", "-", "--yes").want(t, ExitOK)
}

func TestTicketFileFromTheReviewIsSubmittedUnchanged(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	db, err := w.client.Database(ctx, tenantRetail, dbOrdersProd, false)
	if err != nil {
		t.Fatal(err)
	}
	ticket := dms.Ticket{
		Type: "DATA_EXPORT", Tenant: dms.Tenant{ID: tenantRetail, Name: "Acme Retail"}, Database: db,
		SQL:     "SELECT id, total FROM orders WHERE total > 100 AND status <> 'void';\nSELECT COUNT(*) FROM refunds;\n",
		Comment: "Q3 export & <finance>", RelatedUsers: []int64{2000002}, AttachmentKey: "upload/q3.xlsx",
	}
	ticket.SetText("classify", "quarterly report")
	est, err := w.client.Estimate(ctx, dms.EstimateRequest{Tid: tenantRetail, Database: db, SQL: ticket.SQL, Method: dms.RowsExplain})
	if err != nil {
		t.Fatal(err)
	}
	ticket.Rows = est.Figure()
	path := filepath.Join(t.TempDir(), "ticket.json")
	if err := dms.WriteTicketFile(path, ticket); err != nil { // what the review's s does
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("ticket file mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	w.run("--from", path, "--yes").want(t, ExitOK)
	got := w.orders()[0]
	var file struct {
		PluginParam json.RawMessage `json:"pluginParam"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(file.PluginParam)))
	dec.UseNumber()
	var pp map[string]any
	if err := dec.Decode(&pp); err != nil {
		t.Fatal(err)
	}
	if want := dms.PluginParamJSON(pp); got.PluginParam != want {
		t.Errorf("stored PluginParam\n%s\nwant the file's\n%s", got.PluginParam, want)
	}
	if got.Comment != ticket.Comment || got.RelatedUserList != "2000002" || got.AttachmentKey != "upload/q3.xlsx" || got.Tid != tenantRetail {
		t.Errorf("stored %+v", got)
	}
	// The file gains the record of its submission, and nothing else changes.
	after, _ := os.ReadFile(path)
	var rec struct {
		Submitted *dms.FileSubmission `json:"submitted"`
	}
	if err := json.Unmarshal(after, &rec); err != nil || rec.Submitted == nil || rec.Submitted.State != dms.FileCreated ||
		len(rec.Submitted.OrderIDs) != 1 || rec.Submitted.OrderIDs[0] != got.OrderID {
		t.Fatalf("the file does not record ticket %d: %+v (%v)\n%s", got.OrderID, rec.Submitted, err, after)
	}
	var before, now map[string]any
	_ = json.Unmarshal(raw, &before)
	_ = json.Unmarshal(after, &now)
	delete(now, "submitted")
	if b1, _ := json.Marshal(before); string(b1) != mustMarshal(now) {
		t.Errorf("create --from changed the ticket file beyond its record:\n%s\nwas\n%s", after, raw)
	}
}

func mustMarshal(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestATicketFileSubmitsOnce: `create --from FILE --yes` run three times
// files one ticket; the second and third runs refuse with its ID, and
// --again files it once more.
func TestATicketFileSubmitsOnce(t *testing.T) {
	w := newWorld(t)
	path, _ := w.exportFile(t)
	first := w.run("--from", path, "--yes")
	first.want(t, ExitOK)
	id := strings.TrimSpace(first.stdout)
	for range 2 {
		again := w.run("--from", path, "--yes")
		again.want(t, ExitUsage)
		if !strings.Contains(again.stderr, "already created ticket "+id) || !strings.Contains(again.stderr, "--again") {
			t.Fatalf("the refusal does not name ticket %s and --again:\n%s", id, again.stderr)
		}
	}
	if n := len(w.orders()); n != 1 {
		t.Fatalf("%d tickets after three runs of one file, want 1", n)
	}
	w.run("--from", path, "--yes", "--again").want(t, ExitOK)
	if n := len(w.orders()); n != 2 {
		t.Fatalf("--again filed %d tickets in all, want 2", n-1)
	}
}

// TestARunThatStoppedWhileSendingIsLookedUpFirst: the file says it was
// being sent (an earlier run was killed with CreateOrder on its way, and
// DMS created the ticket); the next run finds that ticket, files nothing,
// and records it.
func TestARunThatStoppedWhileSendingIsLookedUpFirst(t *testing.T) {
	w := newWorld(t)
	path, _ := w.exportFile(t)
	w.sim.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.DropAfterCreate})
	w.sim.Server.InjectFault(dmssim.Fault{Action: "GetOrderBaseInfo", Kind: dmssim.DropBeforeHandling, Times: 20})
	lost := w.run("--from", path, "--yes")
	lost.want(t, ExitRetryable) // the answer was lost and the lookup failed: "sending" stays recorded
	w.sim.Server.ClearFaults()
	if n := len(w.orders()); n != 1 {
		t.Fatalf("%d tickets", n)
	}
	next := w.run("--from", path, "--yes")
	next.want(t, ExitOK)
	if !strings.Contains(next.stderr, "The earlier run created it") || strings.TrimSpace(next.stdout) != fmt.Sprint(w.orders()[0].OrderID) {
		t.Fatalf("the second run did not find the first run's ticket:\n%s\n%s", next.stdout, next.stderr)
	}
	if n := len(w.orders()); n != 1 {
		t.Fatalf("%d tickets after the second run, want 1", n)
	}
	w.run("--from", path, "--yes").want(t, ExitUsage)
}

func TestCreateFromRefusesAnEditedTicketFile(t *testing.T) {
	w := newWorld(t)
	o := w.run(export("--affect-rows", "explain", "--dry-run", "--output", "json")...)
	o.want(t, ExitOK)
	edited := strings.Replace(o.stdout, "WHERE total > 100", "WHERE total > 1", 1) // the figure is now stale
	edited = strings.Replace(edited, `"classify": "quarterly report"`, `"classify": "quarterly report", "execSQL": "x"`, 1)
	path := filepath.Join(t.TempDir(), "t.json")
	if err := os.WriteFile(path, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	o = w.run("--from", path)
	o.want(t, ExitUsage)
	if !strings.Contains(o.stderr, `"execSQL" is not a PluginParam key of DATA_EXPORT`) {
		t.Errorf("stderr:\n%s", o.stderr)
	}
	edited = strings.Replace(edited, `, "execSQL": "x"`, "", 1)
	if err := os.WriteFile(path, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	o = w.run("--from", path)
	o.want(t, ExitUsage)
	if !strings.Contains(o.stderr, "measured for other SQL") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
	if w.createCalls() != 0 {
		t.Error("an invalid ticket file was sent")
	}
}

func TestCreateUsesTheTenantFlag(t *testing.T) {
	w := newWorld(t)
	w.tenant = 3000002
	o := w.run("--type", "NDDL", "--db", "experiments@10.120.2.11:3306", "--comment", "c", "--title", "t")
	o.want(t, ExitOK)
	if got := w.orders()[0]; got.Tid != 3000002 || got.DatabaseID != 1200003 {
		t.Errorf("stored tenant %d, database %d", got.Tid, got.DatabaseID)
	}
	w.tenant = 3999999
	o = w.run("--type", "NDDL", "--db", "1200003", "--comment", "c", "--title", "t")
	o.want(t, ExitUsage)
	if !strings.Contains(o.stderr, "you do not belong to tenant 3999999") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
}

func TestShellCompletionOffersTheCatalogAndTheFixedValues(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"create", "--type", ""}, []string{"DATA_EXPORT\tExport data", "NDDL\tChange a schema design", "DC_COMMON\tChange data"}},
		{[]string{"create", "--output", ""}, []string{"text", "json"}},
		{[]string{"create", "--affect-rows", ""}, []string{"explain\t", "count\t"}},
		{[]string{"create", "--exec-mode", ""}, []string{"COMMITOR\tyou run it once it is approved", "AUTO\t", "LAST_AUDITOR\t"}},
	} {
		var out bytes.Buffer
		root := &cobra.Command{Use: "dmsticket"}
		root.AddCommand(NewCommand(Deps{Stdout: &out, Stderr: &out}))
		root.SetOut(&out)
		root.SetErr(&out)
		root.SetArgs(append([]string{cobra.ShellCompRequestCmd}, tc.args...))
		if err := root.Execute(); err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%q: completions lack %q:\n%s", tc.args, w, out.String())
			}
		}
		if !strings.Contains(out.String(), ":4\n") { // ShellCompDirectiveNoFileComp
			t.Errorf("%q: files offered too:\n%s", tc.args, out.String())
		}
	}
}

func TestExampleTicketFilesAreSubmitted(t *testing.T) {
	files, err := filepath.Glob("../../testdata/tickets/*.json")
	if err != nil || len(files) < 2 {
		t.Fatalf("example ticket files: %v %v", files, err)
	}
	for _, example := range files {
		w := newWorld(t)
		// A copy: submitting records the ticket in the file.
		raw, err := os.ReadFile(example)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), filepath.Base(example))
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		o := w.run("--from", path, "--output", "json")
		o.want(t, ExitOK)
		var f struct {
			Type        string          `json:"type"`
			PluginParam json.RawMessage `json:"pluginParam"`
		}
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(strings.NewReader(string(f.PluginParam)))
		dec.UseNumber()
		var pp map[string]any
		if err := dec.Decode(&pp); err != nil {
			t.Fatal(err)
		}
		if got := w.orders()[0]; got.PluginType != f.Type || got.PluginParam != dms.PluginParamJSON(pp) {
			t.Errorf("%s: stored %s %s", path, got.PluginType, got.PluginParam)
		}
	}
}

func TestCreateWithoutCredentialsSaysWhereItLookedAndExits1(t *testing.T) {
	var stdout, stderr bytes.Buffer
	cmd := NewCommand(Deps{
		Connect: func() (Backend, error) {
			return Backend{CredentialsErr: &dms.CredentialsError{Tried: dms.CredentialSources("")}}, nil
		},
		Stdout: &stdout, Stderr: &stderr,
	})
	cmd.SetArgs(export("--affect-rows", "1"))
	err := cmd.Execute()
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != ExitRejected {
		t.Fatalf("err = %v, want exit 1", err)
	}
	for _, want := range []string{"no Alibaba Cloud credentials found", "ALIBABA_CLOUD_ACCESS_KEY_ID", "aliyun configure", "--demo"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q", stdout.String())
	}
}

// TestAReadOnlyTicketFileIsNotReplaced: a 0444 ticket file cannot record its
// submission: nothing is sent unless --again, and the file is left as it is.
func TestAReadOnlyTicketFileIsNotReplaced(t *testing.T) {
	w := newWorld(t)
	_, exported := w.exportFile(t)
	o := outcome{stdout: exported}
	path := filepath.Join(t.TempDir(), "t.json")
	if err := os.WriteFile(path, []byte(o.stdout), 0o444); err != nil {
		t.Fatal(err)
	}
	refused := w.run("--from", path, "--yes")
	refused.want(t, ExitUsage)
	if !strings.Contains(refused.stderr, "read-only") || len(w.orders()) != 0 {
		t.Fatalf("%d tickets; stderr:\n%s", len(w.orders()), refused.stderr)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o444 {
		t.Fatalf("the file's mode changed to %04o", fi.Mode().Perm())
	}
	w.run("--from", path, "--yes", "--again").want(t, ExitOK)
	if after, _ := os.ReadFile(path); string(after) != o.stdout {
		t.Error("the read-only file was rewritten")
	}
}

// Two runs of one ticket file at once file one ticket: the second waits for
// the first (a lock of this user's, named by the file's real path), then
// reads the record the first wrote and refuses with its ID. Before, both
// read no record and both sent (found by an adversarial run: two tickets
// in 5 of 6 pairs).
func TestTwoRunsOfOneTicketFileAtOnceFileOneTicket(t *testing.T) {
	w := newWorld(t)
	path, _ := w.exportFile(t)
	// The first run's CreateOrder takes a while: the second starts meanwhile.
	w.sim.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.SlowAnswer, Delay: 300 * time.Millisecond})
	outs := make(chan outcome, 2)
	for range 2 {
		go func() { outs <- w.run("--from", path, "--yes") }()
	}
	a, b := <-outs, <-outs
	if n := len(w.orders()); n != 1 {
		t.Fatalf("%d tickets from two runs of one file at once, want 1\nfirst:\n%s\nsecond:\n%s", n, a.stderr, b.stderr)
	}
	if a.code+b.code != ExitUsage || (a.code != ExitOK && b.code != ExitOK) {
		t.Fatalf("exit codes %d and %d, want 0 and %d", a.code, b.code, ExitUsage)
	}
	refused := a
	if a.code == ExitOK {
		refused = b
	}
	if !strings.Contains(refused.stderr, "already created ticket") {
		t.Errorf("the second run does not name the first's ticket:\n%s", refused.stderr)
	}
}

// A second run that starts once the first has recorded that it is sending
// (the record is written by a rename, so the file is another inode from
// then on) waits for the same lock, and refuses with the first's ticket
// (found by an adversarial run: the lock was named by the inode, and the
// second run sent the ticket again).
func TestARunStartedWhileTheFirstIsSendingWaitsForIt(t *testing.T) {
	w := newWorld(t)
	path, _ := w.exportFile(t)
	w.sim.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.SlowAnswer, Delay: 600 * time.Millisecond})
	first := make(chan outcome, 1)
	go func() { first <- w.run("--from", path, "--yes") }()
	waitSending(t, path)
	second := w.run("--from", path, "--yes")
	a := <-first
	a.want(t, ExitOK)
	second.want(t, ExitUsage)
	if n := len(w.orders()); n != 1 || !strings.Contains(second.stderr, "already created ticket") {
		t.Fatalf("%d tickets, want 1; the second run said:\n%s", n, second.stderr)
	}
}

// A ticket file reached through a symbolic link keeps its record in the
// file the link names: the link is not replaced by a copy, and a run of
// the file itself refuses.
func TestATicketFileThroughASymlinkKeepsItsRecord(t *testing.T) {
	w := newWorld(t)
	_, exported := w.exportFile(t)
	o := outcome{stdout: exported}
	dir := t.TempDir()
	real, link := filepath.Join(dir, "tickets-q3.json"), filepath.Join(dir, "current.json")
	if err := os.WriteFile(real, []byte(o.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("tickets-q3.json", link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	w.run("--from", link, "--yes").want(t, ExitOK)
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced (%v, %v)", fi.Mode(), err)
	}
	again := w.run("--from", real, "--yes")
	again.want(t, ExitUsage)
	if n := len(w.orders()); n != 1 {
		t.Fatalf("%d tickets", n)
	}
}

// A ticket file's SQL is checked as a .sql file's is: a NUL byte, or bytes
// that are not UTF-8 (which JSON would have read as U+FFFD, so the SQL
// sent would not be the file's), are refused before anything is sent; and
// a file as long as a 4 MiB script makes it, escaped, is read back whole
// (found by an adversarial run: both were sent; a dry run of 4 MiB of
// quotes could not be read back, "unexpected EOF").
func TestATicketFilesSQLIsCheckedAsASQLFilesIs(t *testing.T) {
	w := newWorld(t)
	_, exported := w.exportFile(t)
	o := outcome{stdout: exported}
	const sql = "SELECT id, total FROM orders WHERE total > 100"
	dir := t.TempDir()
	for _, c := range []struct{ name, into, want string }{
		{"nul", `\u0000`, "NUL byte"},
		{"not-utf8", "\xff\xfe", "not UTF-8 text (byte 0xFF"},
	} {
		file := strings.ReplaceAll(o.stdout, sql, sql+c.into)
		if file == o.stdout {
			t.Fatal("the dry run's file does not hold the SQL")
		}
		path := filepath.Join(dir, c.name+".json")
		if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		got := w.run("--from", path, "--yes")
		got.want(t, ExitUsage)
		if !strings.Contains(got.stderr, c.want) {
			t.Errorf("%s: the refusal does not say %q:\n%s", c.name, c.want, got.stderr)
		}
	}
	if n := len(w.orders()); n != 0 {
		t.Fatalf("%d tickets sent from refused files", n)
	}

	big := "SELECT id FROM orders -- " + strings.Repeat(`"`, 4<<20-40) + "\n"
	sqlPath := filepath.Join(dir, "big.sql")
	if err := os.WriteFile(sqlPath, []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	dry := w.run("--type", "DATA_EXPORT", "--db", "orders_dev@10.40.1.11:3306", "--sql-file", sqlPath, "--comment", "big",
		"--classify", "r", "--affect-rows", "10", "--dry-run", "--output", "json")
	dry.want(t, ExitOK)
	bigFile := filepath.Join(dir, "big.json")
	if err := os.WriteFile(bigFile, []byte(dry.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	again := w.run("--from", bigFile, "--dry-run", "--output", "json")
	again.want(t, ExitOK)
	back, err := dms.ReadTicketFile(strings.NewReader(again.stdout))
	if len(dry.stdout) < 8<<20 || err != nil || back.SQL != big {
		t.Errorf("a %d-byte ticket file read back: %v, SQL of %d bytes (want %d)", len(dry.stdout), err, len(back.SQL), len(big))
	}
}

// A ticket file that names a key twice is refused (JSON readers keep one
// or the other: a file reviewed for its first "dbId" filed the second's,
// production, database), and so is a submission record edited into
// something it cannot be ("bogus" filed a new ticket without a word; a
// created record without IDs was refused naming no ticket). Found by an
// adversarial run.
func TestATicketFileThatSaysTwoThingsIsRefused(t *testing.T) {
	w := newWorld(t)
	_, exported := w.exportFile(t)
	o := outcome{stdout: exported}
	dir := t.TempDir()
	cases := []struct{ name, file, want string }{
		{"dbId twice", strings.Replace(o.stdout, `"dbId": 1100023`, `"dbId": 1100023, "dbId": 1100001`, 1), `the key "dbId" is there twice`},
		{"comment twice", strings.Replace(o.stdout, `"comment":`, `"comment": "other", "comment":`, 1), `the key "comment" is there twice`},
		// encoding/json takes "Comment" for "comment" (found in review).
		{"Comment and comment", strings.Replace(o.stdout, `"comment":`, `"Comment": "other", "comment":`, 1), `the key "comment" is there twice`},
		{"a lone surrogate", strings.Replace(o.stdout, `"comment": "`, `"comment": "\ud800`, 1), "a character that does not exist"},
		{"a bogus record", strings.TrimSuffix(strings.TrimSpace(o.stdout), "}") + `, "submitted": {"state": "bogus", "requestSha256": "x", "sentAt": "2026-12-01T00:00:00Z"}}`, `its submission record says "bogus"`},
		{"created, no ID", strings.TrimSuffix(strings.TrimSpace(o.stdout), "}") + `, "submitted": {"state": "created", "requestSha256": "x", "sentAt": "2026-12-01T00:00:00Z", "orderIds": []}}`, "names none"},
	}
	for _, c := range cases {
		if c.file == o.stdout {
			t.Fatalf("%s: the dry run's file does not have what the case replaces:\n%s", c.name, o.stdout)
		}
		path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".json")
		if err := os.WriteFile(path, []byte(c.file), 0o600); err != nil {
			t.Fatal(err)
		}
		got := w.run("--from", path, "--yes")
		got.want(t, ExitUsage)
		if !strings.Contains(got.stderr, c.want) {
			t.Errorf("%s: the refusal does not say %q:\n%s", c.name, c.want, got.stderr)
		}
	}
	if n := len(w.orders()); n != 0 {
		t.Fatalf("%d tickets filed from refused files", n)
	}
}

// A ticket file with two names (hard links) is refused before anything is
// sent: its record, written by a rename, would reach one name, and a run
// through the other would file it again (found in review: two tickets from
// two runs at once, and from two in a row).
func TestATicketFileWithTwoNamesIsRefused(t *testing.T) {
	w := newWorld(t)
	_, exported := w.exportFile(t)
	o := outcome{stdout: exported}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	if err := os.WriteFile(a, []byte(o.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(a, b); err != nil {
		t.Skip("no hard links here:", err)
	}
	w.sim.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.SlowAnswer, Delay: 300 * time.Millisecond})
	outs := make(chan outcome, 2)
	for _, p := range []string{a, b} {
		go func() { outs <- w.run("--from", p, "--yes") }()
	}
	first, second := <-outs, <-outs
	if n := len(w.orders()); n != 0 {
		t.Fatalf("%d tickets from a file with two names\n%s\n%s", n, first.stderr, second.stderr)
	}
	first.want(t, ExitUsage)
	if !strings.Contains(first.stderr, "has 2 names (hard links)") {
		t.Errorf("the refusal:\n%s", first.stderr)
	}
}

// Without a state directory (no home, or a read-only one: CI) a run of a
// ticket file still takes its lock, beside the file, and files the ticket
// (found in review: every run failed, exit 3).
func TestARunOfATicketFileWorksWithoutAStateDirectory(t *testing.T) {
	w := newWorld(t)
	_, exported := w.exportFile(t)
	o := outcome{stdout: exported}
	dir := t.TempDir()
	notDir := filepath.Join(dir, "not-a-directory")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_STATE_HOME", notDir)
	t.Setenv("HOME", notDir)
	path := filepath.Join(dir, "t.json")
	if err := os.WriteFile(path, []byte(o.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	w.run("--from", path, "--yes").want(t, ExitOK)
	w.run("--from", path, "--yes").want(t, ExitUsage) // the record is there
	if n := len(w.orders()); n != 1 {
		t.Fatalf("%d tickets", n)
	}
}

// exportFile writes the dry run of an export (a figure of 1000 given) as a
// ticket file, and returns its path and content.
func (w *world) exportFile(t *testing.T) (path, content string) {
	t.Helper()
	o := w.run(export("--affect-rows", "1000", "--dry-run", "--output", "json")...)
	o.want(t, ExitOK)
	path = filepath.Join(t.TempDir(), "t.json")
	if err := os.WriteFile(path, []byte(o.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, o.stdout
}

// TestATicketFileKeepsItsDatabasesAlias: the file's database is looked up
// in DMS again (GetPhysicalDatabase, which has no alias): the review still
// names it with the alias the file carries.
func TestATicketFileKeepsItsDatabasesAlias(t *testing.T) {
	w := newWorld(t)
	path, content := w.exportFile(t)
	if !strings.Contains(content, `"alias": "Orders (dev)"`) {
		t.Fatalf("the exported file carries no alias:\n%s", content)
	}
	o := w.run("--from", path, "--dry-run")
	o.want(t, ExitOK)
	if !strings.Contains(o.stdout+o.stderr, "alias “Orders (dev)”") {
		t.Errorf("the review of the file lost the alias:\nstdout:\n%s\nstderr:\n%s", o.stdout, o.stderr)
	}
}

// A ticket file that names its database otherwise than DMS does (ID
// 1100001, production orders, called orders_dev "Orders (dev)") is filed
// as DMS names it: the file's alias, which belongs to the name the file
// gave, is not shown beside DMS's production (found by an adversarial run).
func TestATicketFilesAliasGoesWithTheNameItGave(t *testing.T) {
	w := newWorld(t)
	_, content := w.exportFile(t)
	forged := strings.Replace(content, `"id": 1100023`, `"id": 1100001`, 1)
	forged = strings.Replace(forged, `"dbId": 1100023`, `"dbId": 1100001`, 1)
	if forged == content {
		t.Fatalf("the file does not name database 1100023:\n%s", content)
	}
	path := filepath.Join(t.TempDir(), "forged.json")
	if err := os.WriteFile(path, []byte(forged), 0o600); err != nil {
		t.Fatal(err)
	}
	o := w.run("--from", path, "--dry-run")
	if !strings.Contains(o.stderr, "Going by DMS") {
		t.Fatalf("the file's name was not corrected:\n%s", o.stderr)
	}
	if strings.Contains(o.stdout+o.stderr, "Orders (dev)") && strings.Contains(o.stderr, "production") {
		t.Errorf("the file's alias is shown beside DMS's production database:\n%s", o.stderr)
	}
}

// waitSending waits until the ticket file at path records that its run is
// sending it, and returns the file then.
func waitSending(t *testing.T, path string) []byte {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if b, _ := os.ReadFile(path); strings.Contains(string(b), `"`+dms.FileSending+`"`) {
			return b
		}
		if time.Now().After(deadline) {
			t.Fatal("the run recorded no sending")
		}
	}
}
