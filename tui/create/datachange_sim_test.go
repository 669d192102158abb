package create

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"dmsticket/dms/dmssim"
)

// dataChangeCall is the one CreateDataCorrectOrder request the simulator
// received.
func (w *world) dataChangeCall() dmssim.Call {
	w.t.Helper()
	calls := w.sim.Server.RequestsFor("CreateDataCorrectOrder")
	if len(calls) != 1 {
		w.t.Fatalf("%d CreateDataCorrectOrder requests, want 1", len(calls))
	}
	return calls[0]
}

func TestDataChangeOnOneDatabaseSendsThisRequest(t *testing.T) {
	w := newWorld(t)
	o := w.run("--type", "DC_COMMON", "--db", "orders_dev@10.40.1.11:3306", "--sql", fixStuck,
		"--comment", "cancel orders stuck after the outage", "--classify", "data fix", "--affect-rows", "120")
	o.want(t, ExitOK)
	if o.stdout != strconv.Itoa(firstOrderID)+"\n" {
		t.Errorf("stdout = %q, want the ticket ID", o.stdout)
	}
	c := w.dataChangeCall()
	want := map[string]string{
		"Param":           `{"Classify":"data fix","DbItemList":[{"DbId":1100023,"Logic":false}],"EstimateAffectRows":120,"ExecMode":"COMMITOR","ExecSQL":"UPDATE orders SET status = 'cancelled' WHERE status = 'stuck'","SqlType":"TEXT"}`,
		"Comment":         "cancel orders stuck after the outage",
		"RelatedUserList": "[]",
		"Tid":             "3000001",
	}
	for k, v := range want {
		if got := c.Params.Get(k); got != v {
			t.Errorf("%s = %s\nwant     %s", k, got, v)
		}
	}
	for k := range c.Params {
		if strings.HasPrefix(k, "Param.") || k == "PluginParam" || k == "PluginType" {
			t.Errorf("the request carries %s: Param goes as one JSON string", k)
		}
	}
	if n := w.createCalls(); n != 0 {
		t.Errorf("%d CreateOrder requests for a data change", n)
	}
	got := w.orders()[0]
	if got.PluginType != "DC_COMMON" || got.DatabaseID != dbOrdersDev || got.ExecMode != "COMMITOR" {
		t.Errorf("stored %+v", got)
	}
}

func TestDataChangeOnThreeDatabasesWithARollbackFileSendsThisRequest(t *testing.T) {
	w := newWorld(t)
	rb := filepath.Join(t.TempDir(), "restore-stuck.sql")
	if err := os.WriteFile(rb, []byte("UPDATE orders SET status = 'stuck' WHERE id IN (1, 2);\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o := w.run(dataChange("--affect-rows", "120", "--rollback-sql-file", rb, "--exec-mode", "AUTO",
		"--related-users", "2000002,2000003", "--output", "json")...)
	o.want(t, ExitOK)
	c := w.dataChangeCall()
	const param = `{"Classify":"data fix","DbItemList":[{"DbId":1100023,"Logic":false},{"DbId":1100031,"Logic":false},{"DbId":1100042,"Logic":false}],` +
		`"EstimateAffectRows":120,"ExecMode":"AUTO","ExecSQL":"UPDATE orders SET status = 'cancelled' WHERE status = 'stuck'",` +
		`"RollbackSQL":"UPDATE orders SET status = 'stuck' WHERE id IN (1, 2);\n","RollbackSqlType":"TEXT","SqlType":"TEXT"}`
	if got := c.Params.Get("Param"); got != param {
		t.Errorf("Param = %s\nwant    %s", got, param)
	}
	if got := c.Params.Get("RelatedUserList"); got != `["2000002","2000003"]` {
		t.Errorf("RelatedUserList = %s", got)
	}
	got := w.orders()[0]
	if len(got.Databases) != 3 || got.Databases[2].DbId != dbOrdersUAT || got.ExecMode != "AUTO" {
		t.Errorf("stored databases %+v, exec mode %s", got.Databases, got.ExecMode)
	}
	if !strings.Contains(o.stdout, `"orderId":40000001`) {
		t.Errorf("stdout:\n%s", o.stdout)
	}
}

func TestDataChangeEstimateMeasuresEveryDatabaseAndSendsTheSum(t *testing.T) {
	w := newWorld(t)
	o := w.run(dataChange("--affect-rows", "explain", "--dry-run", "--output", "json")...)
	o.want(t, ExitOK)
	for _, want := range []string{"Estimating the rows with EXPLAIN on each of the 3 databases…", "rows in all on 3 databases (EXPLAIN):",
		"  On orders_dev@10.40.1.11:3306: ", "  On orders_test@10.50.1.11:3306: ", "  On orders_uat@10.70.1.11:3306: "} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
	asked := map[string]bool{}
	for _, c := range w.sim.Server.RequestsFor("ExecuteScript") {
		asked[c.Params.Get("DbId")] = true
	}
	for _, id := range []int{dbOrdersDev, dbOrdersTest, dbOrdersUAT} {
		if !asked[strconv.Itoa(id)] {
			t.Errorf("database %d was not measured (asked %v)", id, asked)
		}
	}
	// The figure sent is the sum of the ones narrated.
	var sum int64
	for _, l := range strings.Split(o.stderr, "\n") {
		if _, rest, ok := strings.Cut(l, "  On "); ok {
			_, fig, _ := strings.Cut(rest, ": ")
			n, err := strconv.ParseInt(strings.ReplaceAll(strings.Fields(fig)[0], ",", ""), 10, 64)
			if err != nil {
				t.Fatalf("no figure in %q", l)
			}
			sum += n
		}
	}
	if !strings.Contains(o.stdout, `"EstimateAffectRows": `+strconv.FormatInt(sum, 10)+",") || !strings.Contains(o.stdout, `"perDatabase": [`) {
		t.Errorf("the file does not carry the sum %d and the figures per database:\n%s", sum, o.stdout)
	}
}

func TestDataChangeTicketFileWithThreeDatabasesSubmitsTheSameRequest(t *testing.T) {
	w := newWorld(t)
	o := w.run(dataChange("--affect-rows", "120", "--rollback-sql", "DELETE FROM orders WHERE id = 0", "--dry-run", "--output", "json")...)
	o.want(t, ExitOK)
	path := filepath.Join(t.TempDir(), "change.json")
	if err := os.WriteFile(path, []byte(o.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	w.run("--from", path).want(t, ExitOK)
	fromFile := w.dataChangeCall().Params

	direct := newWorld(t)
	direct.run(dataChange("--affect-rows", "120", "--rollback-sql", "DELETE FROM orders WHERE id = 0")...).want(t, ExitOK)
	fromFlags := direct.dataChangeCall().Params
	for _, k := range []string{"Param", "Comment", "RelatedUserList", "Tid"} {
		if fromFile.Get(k) != fromFlags.Get(k) {
			t.Errorf("%s from the file:\n%s\nfrom the flags:\n%s", k, fromFile.Get(k), fromFlags.Get(k))
		}
	}
}

func TestDataChangeOnOnlineDatabasesAsksEachSchemaNameInATerminal(t *testing.T) {
	w := newWorld(t)
	shards := []string{"--type", "DC_COMMON", "--db", "order_shard_00@10.20.1.31:3306", "--db", "order_shard_01@10.20.1.31:3306",
		"--db", "orders_dev@10.40.1.11:3306", "--sql", fixStuck, "--comment", "c", "--classify", "r", "--affect-rows", "10"}
	w.terminal, w.stdin = true, strings.NewReader("order_shard_00\norder_shard_10\n")
	o := w.run(shards...)
	o.want(t, ExitPolicy)
	for _, want := range []string{"This ticket acts on live data in 2 online databases", "Type each schema name to submit it.",
		"order_shard_00@10.20.1.31:3306 is a production database. Type its schema name, order_shard_00: ",
		"order_shard_01@10.20.1.31:3306 is a production database. Type its schema name, order_shard_01: ",
		"refused: that is not the schema name of order_shard_01@10.20.1.31:3306"} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
	if n := len(w.sim.Server.RequestsFor("CreateDataCorrectOrder")); n != 0 {
		t.Fatalf("sent without every schema name")
	}
	w.stdin = strings.NewReader("order_shard_00\norder_shard_01\n")
	w.run(shards...).want(t, ExitOK)
	w.terminal, w.stdin = false, nil
	w.run(append(shards, "--yes")...).want(t, ExitOK)
	if n := len(w.sim.Server.RequestsFor("CreateDataCorrectOrder")); n != 2 {
		t.Errorf("%d data changes created, want 2", n)
	}
}

func TestDataChangeSubmitWaitDoneRunsACommitorChangeOnce(t *testing.T) {
	w := newWorld(t)
	o := w.run(dataChange("--affect-rows", "120", "--submit", "--wait", "done")...)
	o.want(t, ExitOK)
	for _, action := range []string{"SubmitOrderApproval", "ExecuteDataCorrect"} {
		if n := len(w.sim.Server.RequestsFor(action)); n != 1 {
			t.Errorf("%s sent %d times, want once", action, n)
		}
	}
	for _, want := range []string{"Submitted ticket 40000001 for approval.", "Running the data change of ticket 40000001.",
		"Started the data change of ticket 40000001.", "Ticket 40000001: done"} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
}

func TestDataChangeSubmitWaitDoneWaitsForAnAutoChange(t *testing.T) {
	w := newWorld(t)
	o := w.run(dataChange("--affect-rows", "120", "--exec-mode", "AUTO", "--submit", "--wait", "done")...)
	o.want(t, ExitOK)
	if n := len(w.sim.Server.RequestsFor("ExecuteDataCorrect")); n != 0 {
		t.Errorf("ExecuteDataCorrect sent %d times for an AUTO change", n)
	}
	if !strings.Contains(o.stderr, "Ticket 40000001: done") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
}

func TestDataChangeSubmitWaitDoneWaitsForTheLastApprover(t *testing.T) {
	w := newWorld(t)
	o := w.run(dataChange("--affect-rows", "120", "--exec-mode", "LAST_AUDITOR", "--submit", "--wait", "done", "--timeout", "10m")...)
	o.want(t, ExitRetryable) // nobody runs it within the time-out
	if n := len(w.sim.Server.RequestsFor("ExecuteDataCorrect")); n != 0 {
		t.Errorf("ExecuteDataCorrect sent %d times for a LAST_AUDITOR change", n)
	}
	for _, want := range []string{"waiting for the last approver to run it (ExecMode LAST_AUDITOR)", "dmsticket stopped waiting after 10m0s"} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
}

func TestDataChangeTicketFileMeasuredOnOtherDatabasesIsRefused(t *testing.T) {
	w := newWorld(t)
	o := w.run(dataChange("--affect-rows", "explain", "--dry-run", "--output", "json")...)
	o.want(t, ExitOK)
	var f map[string]any
	if err := json.Unmarshal([]byte(o.stdout), &f); err != nil {
		t.Fatal(err)
	}
	// One database fewer in the file and in its Param; the figure still
	// holds the three databases' parts.
	f["moreDatabases"] = f["moreDatabases"].([]any)[:1]
	p := f["param"].(map[string]any)
	p["DbItemList"] = p["DbItemList"].([]any)[:2]
	path := filepath.Join(t.TempDir(), "change.json")
	if err := os.WriteFile(path, []byte(mustMarshal(f)), 0o600); err != nil {
		t.Fatal(err)
	}
	o = w.run("--from", path, "--dry-run")
	o.want(t, ExitUsage)
	if !strings.Contains(o.stderr, "the figure was measured on other databases") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
}

// TestADataChangeMayNotNameALogicalDatabaseAndItsMember: events_sharded
// spans events_00 and events_01; with events_00 named too the change ran
// there twice (and its rows were counted twice), by ID or by name, in
// either order. A logical database and a database of another stay fine.
func TestADataChangeMayNotNameALogicalDatabaseAndItsMember(t *testing.T) {
	w := newWorld(t)
	for _, dbs := range [][]string{{"1900002", "1100026"}, {"events_00@10.40.1.11:3306", "events_sharded"}} {
		o := w.run("--type", "DC_COMMON", "--db", dbs[0], "--db", dbs[1], "--sql", "UPDATE events SET n = n + 1 WHERE id = 5",
			"--comment", "c", "--classify", "r", "--affect-rows", "2", "--yes")
		o.want(t, ExitUsage)
		if want := "which the logical database events_sharded (1900002) includes: the change would run on it twice"; !strings.Contains(o.stderr, want) {
			t.Errorf("%v: stderr lacks %q:\n%s", dbs, want, o.stderr)
		}
	}
	if n := len(w.sim.Server.RequestsFor("CreateDataCorrectOrder")); n != 0 {
		t.Fatalf("%d data changes created on a database twice", n)
	}
	w.run("--type", "DC_COMMON", "--db", "events_sharded", "--db", "orders_dev@10.40.1.11:3306", "--sql", "UPDATE events SET n = n + 1 WHERE id = 5",
		"--comment", "c", "--classify", "r", "--affect-rows", "2", "--yes").want(t, ExitOK)
}

// TestAnUpsertsFigureIsAskedForNotBlamedOnDMS: DMS answered the EXPLAIN of
// an INSERT … ON DUPLICATE KEY UPDATE; only running it says which rows it
// changes. That read "refused by DMS (ExecuteScript)", the reason twice and
// "Fix what DMS names": DMS refused nothing. Exit 2: the figure is the
// user's to give.
func TestAnUpsertsFigureIsAskedForNotBlamedOnDMS(t *testing.T) {
	w := newWorld(t)
	o := w.run("--type", "DC_COMMON", "--db", "orders_dev@10.40.1.11:3306", "--sql",
		"INSERT INTO orders (id, status) VALUES (1, 'x') ON DUPLICATE KEY UPDATE status = 'x'",
		"--comment", "c", "--classify", "r", "--affect-rows", "explain", "--yes")
	o.want(t, ExitUsage)
	for _, want := range []string{"the rows could not be measured (estimate (EXPLAIN))", "Statement 1: not measured: INSERT … ON DUPLICATE KEY UPDATE", "Give the figure yourself with --affect-rows N."} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
	if strings.Contains(o.stderr, "refused by DMS") || strings.Count(o.stderr, "only running it says") != 1 {
		t.Errorf("DMS is blamed, or the reason said twice:\n%s", o.stderr)
	}
}
