package create

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dmsticket/dms"
)

// Offline databases in testdata/sim/seed.json with an orders table, for a
// data change on several.
const (
	dbOrdersTest = 1100031 // orders_test@10.50.1.11:3306, test
	dbOrdersUAT  = 1100042 // orders_uat@10.70.1.11:3306, uat
)

const fixStuck = "UPDATE orders SET status = 'cancelled' WHERE status = 'stuck'"

// dataChange is a valid data change on three offline databases, flags to
// add.
func dataChange(extra ...string) []string {
	return append([]string{"--type", "DC_COMMON",
		"--db", "orders_dev@10.40.1.11:3306", "--db", "orders_test@10.50.1.11:3306", "--db", "1100042",
		"--sql", fixStuck, "--comment", "cancel orders stuck after the outage", "--classify", "data fix"}, extra...)
}

// dataChangeRequests are the requests that create a data change or
// measure one: none may reach DMS for a refused ticket.
func (w *world) writesAndEstimates() int {
	return len(w.sim.Server.RequestsFor("CreateDataCorrectOrder")) + len(w.sim.Server.RequestsFor("CreateOrder")) +
		len(w.sim.Server.RequestsFor("ExecuteScript"))
}

func TestDataChangeDryRunReviewsEveryDatabaseTheRollbackAndTheExecMode(t *testing.T) {
	w := newWorld(t)
	o := w.run(dataChange("--affect-rows", "120", "--rollback-sql", "UPDATE orders SET status = 'stuck' WHERE id IN (1, 2)",
		"--exec-mode", "auto", "--related-users", "2000002", "--dry-run")...)
	o.want(t, ExitOK)
	for _, want := range []string{
		"Type: Change data (DC_COMMON)",
		"Databases: 3 databases\n",
		"  1. orders_dev@10.40.1.11:3306, development, mysql, ID 1100023",
		"  2. orders_test@10.50.1.11:3306, test, mysql, ID 1100031",
		"  3. orders_uat@10.70.1.11:3306, ",
		"SQL: 1 statement, 1 line",
		"Rollback SQL: 1 statement, 1 line",
		"Affected rows: 120, entered by hand",
		"Run by: AUTO (DMS runs it as soon as it is approved)",
		"Param, exactly as it will be sent:",
		`"DbItemList": [`, `"DbId": 1100042,`, `"ExecMode": "AUTO"`, `"RollbackSqlType": "TEXT"`, `"EstimateAffectRows": 120`,
		"aliyun dms-enterprise CreateDataCorrectOrder --region cn-hangzhou",
		`--RelatedUserList '["2000002"]'`,
	} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, o.stdout)
		}
	}
	if !strings.Contains(o.stderr, "Databases (3):\n  1. orders_dev@10.40.1.11:3306") {
		t.Errorf("stderr does not list the databases:\n%s", o.stderr)
	}
	if n := w.writesAndEstimates(); n != 0 {
		t.Errorf("%d create or ExecuteScript requests in a dry run with the figure given", n)
	}
}

func TestDataChangeTicketFileCarriesParamAndEveryDatabaseAndReadsBack(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	rb := filepath.Join(dir, "rollback.sql")
	rollback := "-- put them back\nUPDATE orders SET status = 'stuck'\nWHERE id IN (1, 2);\n"
	if err := os.WriteFile(rb, []byte(rollback), 0o600); err != nil {
		t.Fatal(err)
	}
	o := w.run(dataChange("--affect-rows", "120", "--rollback-sql-file", rb, "--dry-run", "--output", "json")...)
	o.want(t, ExitOK)
	var f dms.TicketFile
	dec := json.NewDecoder(strings.NewReader(o.stdout))
	dec.UseNumber()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("stdout is not a ticket file: %v\n%s", err, o.stdout)
	}
	if f.Type != "DC_COMMON" || f.PluginParam != nil || f.Param == nil {
		t.Fatalf("the file's type %q, pluginParam %v, param %v", f.Type, f.PluginParam, f.Param)
	}
	if f.Database.ID != dbOrdersDev || len(f.MoreDatabases) != 2 || f.MoreDatabases[0].ID != dbOrdersTest || f.MoreDatabases[1].ID != dbOrdersUAT {
		t.Errorf("the file's databases: %d then %+v", f.Database.ID, f.MoreDatabases)
	}
	if f.Param["RollbackSQL"] != rollback || f.Param["ExecSQL"] != fixStuck || f.Param["Classify"] != "data fix" || f.Param["ExecMode"] != "COMMITOR" {
		t.Errorf("param %v", f.Param)
	}

	// Read back by --from, printed again: the same file.
	path := filepath.Join(dir, "change.json")
	if err := os.WriteFile(path, []byte(o.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	again := w.run("--from", path, "--dry-run", "--output", "json")
	again.want(t, ExitOK)
	var g dms.TicketFile
	dec = json.NewDecoder(strings.NewReader(again.stdout))
	dec.UseNumber()
	if err := dec.Decode(&g); err != nil {
		t.Fatalf("--from printed no ticket file: %v\n%s", err, again.stdout)
	}
	// The same request, the same figure (the databases' descriptions are
	// DMS's, read again).
	if mustMarshal(g.Param) != mustMarshal(f.Param) || g.Comment != f.Comment || mustMarshal(g.AffectRows) != mustMarshal(f.AffectRows) ||
		g.Database.ID != f.Database.ID || len(g.MoreDatabases) != 2 || g.MoreDatabases[0].ID != dbOrdersTest || g.MoreDatabases[1].ID != dbOrdersUAT {
		t.Errorf("--from printed another ticket:\n%s\nwant\n%s", again.stdout, o.stdout)
	}
	if !strings.Contains(again.stderr, "Ticket file: DC_COMMON in tenant Acme Retail (3000001), on 3 databases:\n  1. orders_dev@10.40.1.11:3306") {
		t.Errorf("stderr:\n%s", again.stderr)
	}
}

func TestDataChangeRefusedBeforeAnythingIsSent(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"a SELECT, by statement number", []string{"--type", "DC_COMMON", "--db", "orders_dev@10.40.1.11:3306",
			"--sql", fixStuck + ";\nSELECT * FROM orders", "--comment", "c", "--classify", "r", "--affect-rows", "explain"},
			[]string{"--sql/--sql-file: SQL: statement 2 (line 2) is a SELECT; change data accepts data changes only (INSERT, UPDATE, DELETE, REPLACE)"}},
		{"no classify", []string{"--type", "DC_COMMON", "--db", "orders_dev@10.40.1.11:3306", "--sql", fixStuck, "--comment", "c", "--affect-rows", "count"},
			[]string{"--classify: Reason: is required"}},
		{"no figure", []string{"--type", "DC_COMMON", "--db", "orders_dev@10.40.1.11:3306", "--sql", fixStuck, "--comment", "c", "--classify", "r"},
			[]string{"--affect-rows: Affected rows: is required for a data change: give --affect-rows N, explain or count"}},
		{"the same database twice under two names", dataChange("--db", "1100023", "--affect-rows", "1"),
			[]string{`--db: Database: "orders_dev@10.40.1.11:3306" and "1100023" are the same database, orders_dev@10.40.1.11:3306: name it once`}},
	} {
		o := w.run(tc.args...)
		if o.code != ExitUsage {
			t.Errorf("%s: exit %d, want 2\n%s", tc.name, o.code, o.stderr)
		}
		for _, want := range append(tc.want, "Nothing was sent to DMS.") {
			if !strings.Contains(o.stderr, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", tc.name, want, o.stderr)
			}
		}
	}
	if n := w.writesAndEstimates(); n != 0 {
		t.Errorf("%d create or ExecuteScript requests for refused tickets", n)
	}
}

func TestDataChangeFlagsMisusedExit2AndReachNothing(t *testing.T) {
	w := newWorld(t)
	w.stdin = strings.NewReader("")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{dataChange("--exec-mode", "sometimes", "--affect-rows", "1"),
			`--exec-mode "sometimes": use one of COMMITOR (you run it once it is approved), AUTO (DMS runs it as soon as it is approved), LAST_AUDITOR (the last approver runs it)`},
		{dataChange("--db", "orders_test@10.50.1.11:3306", "--affect-rows", "1"), `--db "orders_test@10.50.1.11:3306" is given twice`},
		{dataChange("--ignore-affect-rows", "trust me"), "--ignore-affect-rows does not apply to DC_COMMON (Change data): it has no affected-row check to skip"},
		{dataChange("--rollback-sql", "x", "--rollback-sql-file", "x.sql"), "--rollback-sql or --rollback-sql-file, not both"},
		{dataChange("--sql-file", "-", "--rollback-sql-file", "-"), "standard input carries one script"},
		{export("--db", "1100031", "--affect-rows", "1"), "--db is given 2 times; DATA_EXPORT (Export data) acts on one database (only DC_COMMON takes several)"},
		{export("--rollback-sql", "DELETE FROM x", "--affect-rows", "1"), "--rollback-sql does not apply to DATA_EXPORT (Export data): it has no rollback script"},
		{export("--exec-mode", "AUTO", "--affect-rows", "1"), "--exec-mode does not apply to DATA_EXPORT"},
		{[]string{"--from", "t.json", "--rollback-sql", "x"}, "drop --rollback-sql"},
		{dataChange("--db", " ", "--affect-rows", "1"), "--db is empty"},
		{dataChange("--affect-rows", "1", "--submit", "--wait", "done", "--file-type", "XLSX"), "--file-type is the type an export is run for; DC_COMMON (Change data) has no file"},
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

func TestDataChangeRollbackScriptGetsTheSQLFilesChecks(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "rollback.sql")
	if err := os.WriteFile(bin, []byte("UPDATE x\x00"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{dataChange("--affect-rows", "1", "--rollback-sql-file", bin), "--rollback-sql/--rollback-sql-file: Rollback SQL: " + bin + " looks binary"},
		{dataChange("--affect-rows", "1", "--rollback-sql-file", filepath.Join(dir, "none.sql")), "none.sql: no such file"},
		{dataChange("--affect-rows", "1", "--rollback-sql", "  \n"), "the rollback script is empty"},
	} {
		o := w.run(tc.args...)
		if o.code != ExitUsage || !strings.Contains(o.stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr lacks %q:\n%s", tc.args, o.code, tc.want, o.stderr)
		}
	}
	// From standard input.
	w.stdin = strings.NewReader("UPDATE orders SET status = 'stuck' WHERE id = 7;\n")
	o := w.run(dataChange("--affect-rows", "1", "--rollback-sql-file", "-", "--dry-run", "--output", "json")...)
	o.want(t, ExitOK)
	if !strings.Contains(o.stdout, `"RollbackSQL": "UPDATE orders SET status = 'stuck' WHERE id = 7;\n"`) {
		t.Errorf("the rollback from stdin is not in the file:\n%s", o.stdout)
	}
}

func TestDataChangeOnOnlineDatabasesNeedsYesWithoutATerminal(t *testing.T) {
	w := newWorld(t)
	shards := []string{"--type", "DC_COMMON", "--db", "order_shard_00@10.20.1.31:3306", "--db", "order_shard_01@10.20.1.31:3306",
		"--db", "orders_dev@10.40.1.11:3306", "--sql", fixStuck, "--comment", "c", "--classify", "r", "--affect-rows", "10"}
	o := w.run(shards...)
	o.want(t, ExitPolicy)
	if !strings.Contains(o.stderr, "refused: the ticket acts on 2 online databases: order_shard_00@10.20.1.31:3306 (production), order_shard_01@10.20.1.31:3306 (production); pass --yes to confirm") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
	o = w.run(append(shards, "--dry-run")...)
	o.want(t, ExitOK)
	if !strings.Contains(o.stderr, "It acts on 2 online databases: order_shard_00@10.20.1.31:3306 (production), order_shard_01@10.20.1.31:3306 (production): a real run needs --yes, or each schema name typed in a terminal.") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
	if !strings.Contains(o.stdout, "Databases: 3 databases, 2 of them online\n") {
		t.Errorf("stdout:\n%s", o.stdout)
	}
	if n := w.writesAndEstimates(); n != 0 {
		t.Errorf("%d create or ExecuteScript requests", n)
	}
}

// TestARollbackScriptIsCheckedByKindAsTheChangeIs: DMS runs the rollback
// script as a data change on the same databases; a DROP TABLE or a SELECT
// there is refused by its number before anything is sent, as in the change.
func TestARollbackScriptIsCheckedByKindAsTheChangeIs(t *testing.T) {
	w := newWorld(t)
	o := w.run(dataChange("--affect-rows", "120", "--rollback-sql", "UPDATE orders SET status = 'stuck' WHERE id = 1;\nDROP TABLE orders;\nSELECT 1", "--yes")...)
	o.want(t, ExitUsage)
	for _, want := range []string{"Rollback SQL: statement 2 (line 2) is a schema change (DDL)", "statement 3 (line 3) is a SELECT"} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
	if n := w.writesAndEstimates(); n != 0 {
		t.Fatalf("%d requests sent for a refused rollback", n)
	}
	w.run(dataChange("--affect-rows", "120", "--rollback-sql", "DELETE FROM orders WHERE id = 0", "--dry-run")...).want(t, ExitOK)
}
