package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dmsticket/dms"
)

const (
	accFix      = "UPDATE orders SET status = 'cancelled' WHERE status = 'stuck';"
	accRollback = "UPDATE orders SET status = 'stuck' WHERE id IN (1, 2);"
)

// threeDatabases are the answers that choose orders_dev and orders_test
// from one search and orders_uat from a second, for a data change.
var threeDatabases = []string{
	"",        // the active tenant
	"orders_", // search
	"1, 2",    // orders_dev, orders_test
	"2",       // add another database
	"orders_uat",
	"1",
	"", // continue with these 3
}

func answers(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestAccessibleDataChangeOnThreeDatabasesWithARollbackIsReviewedAndSaved(t *testing.T) {
	sim := newAccSim(t)
	path := filepath.Join(t.TempDir(), "change.json")
	out, err := runAccessibleThroughPipe(t, sim.options(), answers(
		[]string{"DC_COMMON"},
		threeDatabases,
		[]string{"", accFix, ";;"},
		[]string{"y", "", accRollback, ";;"}, // a rollback script, typed
		[]string{"type", "120"},              // the figure by hand
		[]string{"cancel orders stuck after the outage", "data fix", "AUTO", "", ""},
		[]string{"n", "save", path, "n", "quit"},
	)...)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	wantLines(t, out,
		"3. Change data (DC_COMMON)",
		"This ticket can act on several databases",
		"Enter a number from 1 to 8, or several of 1 to 7 separated by commas:",
		"Added: orders_dev@10.40.1.11:3306, development, mysql, ID 1100023",
		"Added: orders_test@10.50.1.11:3306, test, mysql, ID 1100031",
		"Chosen databases (2):",
		"3. Back: keep the 2 databases chosen",
		"Chosen databases (3):\n  1. orders_dev@10.40.1.11:3306", "  3. orders_uat@10.70.1.11:3306",
		"1. Continue with these 3 databases",
		"in the MySQL dialect of orders_dev@10.40.1.11:3306 and the 2 databases after it",
		"Add a rollback script? [y/N]", "Got the rollback script: 1 statement, 1 line.",
		"it is measured on each of the 3 databases and summed",
		"Run by:\n1. COMMITOR (you run it once it is approved)\n2. AUTO (DMS runs it as soon as it is approved)",
		"Databases: 3 databases\n  1. orders_dev@10.40.1.11:3306",
		"Rollback SQL: 1 statement, 1 line",
		"Run by: AUTO (DMS runs it as soon as it is approved)",
		"Param, exactly as it will be sent:",
		`"ExecMode": "AUTO"`,
		"aliyun dms-enterprise CreateDataCorrectOrder",
		"4. Change the rollback script", "6. Change the databases",
		"Saved "+path,
	)
	if strings.Contains(out, "Ignore the affected-row check") {
		t.Errorf("a data change was offered to ignore a check it does not have:\n%s", out)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved, err := dms.ReadTicketFile(f)
	if err != nil {
		t.Fatalf("the saved ticket file does not read back: %v", err)
	}
	var ids []int64
	for _, d := range saved.Databases() {
		ids = append(ids, d.ID)
	}
	if saved.Type != "DC_COMMON" || len(ids) != 3 || ids[0] != 1100023 || ids[1] != 1100031 || ids[2] != 1100042 ||
		saved.RollbackSQL != accRollback+"\n" || dms.ExecModeOf(&saved) != "AUTO" || saved.Rows.Total != 120 {
		t.Errorf("saved %+v (databases %v)", saved, ids)
	}
	if n := len(sim.run.Server.RequestsFor("CreateDataCorrectOrder")); n != 0 {
		t.Errorf("CreateDataCorrectOrder sent %d times after quitting", n)
	}
}

func TestAccessibleDataChangeNamesASelectByNumberAndAsksAgain(t *testing.T) {
	sim := newAccSim(t)
	out, err := runAccessibleThroughPipe(t, sim.options(), answers(
		[]string{"DC_COMMON", "", "orders_dev", "1", ""},
		[]string{"", accFix, "SELECT * FROM orders;", ";;"},
		[]string{"", accFix, ";;"},
		[]string{""}, // no rollback script
		[]string{"type", "7", "c", "r", "", "", "", "n", "quit"},
	)...)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	wantLines(t, out, "This SQL cannot go on the ticket:",
		"statement 2 (line 2) is a SELECT; change data accepts data changes only (INSERT, UPDATE, DELETE, REPLACE)",
		"Give the SQL again.", "No rollback script.", "Rollback SQL: none", "Database: orders_dev@10.40.1.11:3306")
}

func TestAccessibleRollbackScriptOfAKindTheChangeRefusesIsAskedAgain(t *testing.T) {
	sim := newAccSim(t)
	out, err := runAccessibleThroughPipe(t, sim.options(), answers(
		[]string{"DC_COMMON", "", "orders_dev", "1", ""},
		[]string{"", accFix, ";;"},
		[]string{"y", "", accRollback, "DROP TABLE orders;", ";;"}, // refused
		[]string{"y", "", accRollback, ";;"},
		[]string{"type", "7", "c", "r", "", "", "", "n", "quit"},
	)...)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	wantLines(t, out, "This rollback script cannot go on the ticket:",
		"statement 2 (line 2) is a schema change (DDL); a rollback script, run as a data change, takes data changes only",
		"Give the rollback script again.", "Got the rollback script: 1 statement, 1 line.", "Rollback SQL: 1 statement, 1 line")
}

func TestAccessibleDataChangeDatabasesCanBeRemovedAndAreNotChosenTwice(t *testing.T) {
	sim := newAccSim(t)
	out, err := runAccessibleThroughPipe(t, sim.options(), answers(
		[]string{"DC_COMMON", "", "orders_", "1, 1, 2"},
		[]string{"2", "orders_dev", "1"},                   // orders_dev again
		[]string{"3", "1"},                                 // remove orders_dev
		[]string{"2", "orders_", "x", "9, 2", "8, 3", "3"}, // an answer that is not a number, a mix of a database and a command, then orders_sit
		[]string{"", "", accFix, ";;", "", "type", "5", "c", "r", "", "", "", "n", "quit"},
	)...)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	wantLines(t, out,
		"Chosen databases (2):",
		"orders_dev@10.40.1.11:3306, development, mysql, ID 1100023, alias “Orders (dev)” (already chosen)",
		"Already chosen: orders_dev@10.40.1.11:3306.",
		"Which database comes off the ticket?", "Removed: orders_dev@10.40.1.11:3306.",
		"Databases: 2 databases\n  1. orders_test@10.50.1.11:3306", "  2. orders_sit@10.60.1.11:3306",
	)
	if strings.Count(out, "Added: orders_test@") != 1 {
		t.Errorf("orders_test added more than once:\n%s", out)
	}
}

func TestAccessibleDataChangeAsksForEachOnlineSchemaName(t *testing.T) {
	sim := newAccSim(t)
	out, err := runAccessibleThroughPipe(t, sim.options(), answers(
		[]string{"DC_COMMON", "", "order_shard_0", "1, 2", ""},
		[]string{"", accFix, ";;", "", "type", "5", "c", "r", "", "", ""},
		[]string{"y", "order_shard_00", "order_shard_00"}, // the second one's name is wrong
		[]string{"quit"},
	)...)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	wantLines(t, out,
		"Careful: order_shard_00@10.20.1.31:3306 is a production database",
		"Online among them: 2 online databases: order_shard_00@10.20.1.31:3306 (production), order_shard_01@10.20.1.31:3306 (production). Submitting will ask you to type each one's schema name.",
		"Databases: 2 databases, 2 of them online",
		"This ticket acts on live data in 2 online databases",
		"order_shard_00@10.20.1.31:3306 is a production database. Type its schema name, order_shard_00 (enter alone cancels):",
		"order_shard_01@10.20.1.31:3306 is a production database. Type its schema name, order_shard_01 (enter alone cancels):",
		"That is not the schema name. Nothing was sent.",
	)
	if n := len(sim.run.Server.RequestsFor("CreateDataCorrectOrder")); n != 0 {
		t.Errorf("CreateDataCorrectOrder sent %d times without every schema name", n)
	}
}

// TestAccessibleRollbackIsCheckedAgainWhenTheDatabasesChange: one string
// in MySQL, a DROP TABLE after a string in PostgreSQL. Moved to a
// PostgreSQL database at the review, the rollback script is said to be
// refused and asked for again, not kept.
func TestAccessibleRollbackIsCheckedAgainWhenTheDatabasesChange(t *testing.T) {
	sim := newAccSim(t)
	out, _ := runAccessibleThroughPipe(t, sim.options(), answers(
		[]string{"DC_COMMON", "", "orders_dev", "1", ""},
		[]string{"", accFix, ";;"},
		[]string{"y", "", `UPDATE orders SET note = 'a\'; DROP TABLE orders; --';`, ";;"},
		[]string{"type", "7", "c", "r", "", "", ""},
		[]string{"n", "6", "", "3", "1", "analytics_dev", "1", ""}, // not now; change the databases: remove orders_dev, add analytics_dev
		[]string{"r"}, // remove the rollback script
	)...)
	wantLines(t, out, "Got the rollback script: 1 statement, 1 line.",
		"The ticket's rollback script (2 statements, 1 line) cannot go on the ticket:",
		"statement 2 (line 1) is a schema change (DDL)", "Removed the rollback script.")
}
