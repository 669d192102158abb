package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/tui/wizard"
)

// A data change (DC_COMMON) acts on one database or several: space marks
// rows in the database step, ctrl+b switches the SQL step to the rollback
// script, and the review lists every database and asks for the schema name
// of each online one.

// toDataChangeSQL marks the shards order_shard_00..0(n-1) and goes on.
// markDatabases marks, on the database step, the one row each search
// finds (its text, or row when not empty, is waited for), in order, and
// goes on to the SQL step.
func (u *ui) markDatabases(row string, searches ...string) {
	u.t.Helper()
	for _, q := range searches {
		u.key(tea.KeyCtrlU)
		u.typ(q)
		u.searched()
		want := row
		if want == "" {
			want = q + "  "
		}
		u.waitText(want)
		u.key(tea.KeySpace)
	}
	u.waitText(wizard.Count(len(searches), "database") + " marked")
	u.enter()
	u.waitStep(StepSQL)
}

func (u *ui) toDataChangeSQL(n int) {
	u.t.Helper()
	u.chooseType("change data")
	u.typ("order_shard")
	u.searched()
	u.waitText("order_shard_03")
	for i := 0; i < n; i++ {
		if i > 0 {
			u.key(tea.KeyDown)
		}
		u.key(tea.KeySpace)
	}
	u.waitText(wizard.Count(n, "database") + " marked")
	u.enter()
	u.waitStep(StepSQL)
}

func TestSpaceMarksSeveralDatabasesForADataChange(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.toDataChangeSQL(3)
	s := u.snap()
	var names []string
	for _, d := range s.ticket.Databases() {
		names = append(names, d.SchemaName)
	}
	if strings.Join(names, " ") != "order_shard_00 order_shard_01 order_shard_02" {
		t.Fatalf("the ticket's databases are %v", names)
	}
	if !strings.Contains(s.view, "3 databases") || !strings.Contains(s.view, "3 production databases among them") {
		t.Errorf("the header does not say how many databases and that they are online:\n%s", s.view)
	}
	// Back at the step, the marks are the ticket's; unmarking one leaves two.
	u.key(tea.KeyEsc)
	u.waitStep(StepDatabase)
	u.waitText("3 databases marked")
	u.key(tea.KeySpace) // the cursor row is the first: unmarked
	u.waitText("2 databases marked")
	u.enter()
	u.waitStep(StepSQL)
	if n := len(u.snap().ticket.Databases()); n != 2 {
		t.Fatalf("%d databases after unmarking one, want 2", n)
	}
}

func TestASpaceInAPastedSearchIsTextNotAMark(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.chooseType("change data")
	u.paste("order shard") // one read: text
	s := u.waitText("Search: order shard")
	if strings.Contains(s.view, "marked") {
		t.Fatalf("a pasted space marked a row:\n%s", s.view)
	}
}

// The empty editor shows the shape of a statement the type takes: a data
// change's is an UPDATE (it showed a SELECT, which the type refuses).
func TestTheEmptyEditorShowsAStatementTheTypeTakes(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.toDataChangeSQL(1)
	s := u.waitText("UPDATE … SET … WHERE …;")
	if strings.Contains(s.view, "SELECT … FROM") {
		t.Errorf("a data change's editor suggests a SELECT:\n%s", s.view)
	}
}

func TestTheRollbackScriptHasItsOwnEditor(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.toDataChangeSQL(2)
	u.typ("UPDATE orders SET status = 'paid' WHERE id = 7;")
	u.key(tea.KeyCtrlB)
	u.waitText("Rollback script")
	u.typ("UPDATE orders SET status = 'new' WHERE id = 7;")
	u.key(tea.KeyCtrlB)
	s := u.waitText("rollback: 1 statement")
	if s.ticket.SQL != "UPDATE orders SET status = 'paid' WHERE id = 7;" || s.ticket.RollbackSQL != "UPDATE orders SET status = 'new' WHERE id = 7;" {
		t.Fatalf("SQL %q, rollback %q", s.ticket.SQL, s.ticket.RollbackSQL)
	}
}

func TestASelectIsRefusedInADataChangeByNumber(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.toDataChangeSQL(1)
	u.typ("UPDATE orders SET status = 'paid' WHERE id = 7;\nSELECT * FROM orders;")
	s := u.waitText("statement 2 (line 2) is a SELECT")
	u.key(tea.KeyCtrlS)
	if u.snap().step != StepSQL {
		t.Fatalf("a data change with a SELECT went on:\n%s", s.view)
	}
}

// toExecMode fills a data change's comment and reason and waits on the
// ExecMode field.
func (u *ui) toExecMode() {
	u.t.Helper()
	u.waitStep(StepDetails)
	u.waitField("comment")
	u.field("orders 7 stuck after the outage")
	u.waitField("classify")
	u.field("incident fix")
	u.waitField("exec-mode")
}

// toDataChangeReview walks a change on n shards to the review.
func (u *ui) toDataChangeReview(n int) snapshot {
	u.t.Helper()
	u.toDataChangeSQL(n)
	u.typ("UPDATE orders SET status = 'paid' WHERE id = 7;")
	u.key(tea.KeyCtrlB)
	u.waitText("Rollback script")
	u.typ("UPDATE orders SET status = 'new' WHERE id = 7;")
	u.key(tea.KeyCtrlB)
	u.waitText("rollback: 1 statement")
	u.key(tea.KeyCtrlS)
	return u.changeDetailsToReview()
}

// changeDetailsToReview fills a data change's details (a comment, a
// reason, COMMITOR, no related users or attachment, a figure by hand if
// none was measured) and waits for the review.
func (u *ui) changeDetailsToReview() snapshot {
	u.t.Helper()
	u.toExecMode()
	u.enter() // COMMITOR
	u.waitField("related")
	u.enter()
	u.waitField("attachment")
	u.enter()
	s := u.waitFor("the review or the figure by hand", func(s snapshot) bool { return s.step == StepReview || s.focused == "rows" })
	if s.step != StepReview {
		u.field("1")
	}
	u.waitText("DbItemList")
	return u.waitFor("the review's figure measured", func(s snapshot) bool { return !strings.Contains(s.view, "measuring…") })
}

func TestTheReviewOfAChangeOnSeveralDatabasesListsThemAndConfirmsEachOnline(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 40)
	s := u.toDataChangeReview(2)
	for _, want := range []string{"Databases", "order_shard_00", "order_shard_01", "Rollback  1 statement", `"ExecMode": "COMMITOR"`, `"RollbackSQL"`, "Param · CreateDataCorrectOrder"} {
		if !strings.Contains(s.view, want) {
			t.Errorf("the review lacks %q:\n%s", want, s.view)
		}
	}
	u.enter()
	u.waitText("Production database 1 of 2: type its schema name, order_shard_00")
	u.typ("order_shard_01") // the other one's name
	u.enter()
	u.waitText("That is not the schema name")
	u.key(tea.KeyCtrlU)
	for range len("order_shard_01") {
		u.key(tea.KeyBackspace)
	}
	u.typ("order_shard_00")
	u.enter()
	u.waitText("Production database 2 of 2: type its schema name, order_shard_01")
	if n := len(sim.run.Server.RequestsFor("CreateDataCorrectOrder")); n != 0 {
		t.Fatalf("sent before every online database was confirmed")
	}
}

func TestADataChangeOnTwoDatabasesIsFiledAndRunToTheEnd(t *testing.T) {
	sim := lifeSim(t, dmssim.Options{DataChangeDelay: dmssim.NoDelay})
	u := startUI(t, followOptions(t, sim.client), 100, 40)
	u.toDataChangeReview(2)
	u.enter()
	u.waitText("1 of 2")
	u.typ("order_shard_00")
	u.enter()
	u.waitText("2 of 2")
	u.typ("order_shard_01")
	u.enter()
	u.waitText("Ticket created")
	calls := sim.run.Server.RequestsFor("CreateDataCorrectOrder")
	if len(calls) != 1 {
		t.Fatalf("CreateDataCorrectOrder sent %d times", len(calls))
	}
	orders := sim.run.Server.Orders()
	o := orders[len(orders)-1]
	if o.Operation != "CreateDataCorrectOrder" || o.ParamForm != "json" {
		t.Errorf("the simulator got %s with Param as %q, want CreateDataCorrectOrder with one JSON string", o.Operation, o.ParamForm)
	}
	items, _ := o.Param["DbItemList"].([]any)
	if len(items) != 2 || o.Param["RollbackSQL"] != "UPDATE orders SET status = 'new' WHERE id = 7;" || o.Param["ExecMode"] != "COMMITOR" ||
		o.Param["ExecSQL"] != "UPDATE orders SET status = 'paid' WHERE id = 7;" || o.Param["Classify"] != "incident fix" {
		t.Errorf("the Param the simulator stored: %v", o.Param)
	}
	u.waitText("a submit for approval")
	u.press("a")
	u.waitText("x run the change")
	u.press("x")
	u.waitText("finished")
	var got []string
	for _, c := range sim.run.Server.Requests() {
		switch c.Action {
		case "CreateDataCorrectOrder", "SubmitOrderApproval", "ExecuteDataCorrect", "ExecuteDataExport":
			got = append(got, c.Action)
		}
	}
	if strings.Join(got, " ") != "CreateDataCorrectOrder SubmitOrderApproval ExecuteDataCorrect" {
		t.Fatalf("the writes DMS received: %v", got)
	}
}

func TestAnAutoDataChangeIsNotRunByX(t *testing.T) {
	sim := lifeSim(t, dmssim.Options{DataChangeDelay: time.Hour})
	u := startUI(t, followOptions(t, sim.client), 100, 40)
	u.toDataChangeSQL(1)
	u.typ("UPDATE orders SET status = 'paid' WHERE id = 7;")
	u.key(tea.KeyCtrlS)
	u.waitField("comment")
	u.field("orders 7 stuck")
	u.waitField("classify")
	u.field("incident fix")
	u.waitField("exec-mode")
	u.key(tea.KeyRight) // AUTO
	u.enter()
	u.waitField("related")
	u.enter()
	u.waitField("attachment")
	u.enter()
	s := u.waitFor("the review or the figure by hand", func(s snapshot) bool { return s.step == StepReview || s.focused == "rows" })
	if s.step != StepReview {
		u.field("1")
	}
	u.waitText(`"ExecMode": "AUTO"`)
	u.enter()
	u.waitText("type its schema name")
	u.typ("order_shard_00")
	u.enter()
	u.waitText("a submit for approval")
	u.press("a")
	s = u.waitText("running")
	if strings.Contains(s.view, "x run") {
		t.Fatalf("x is offered for a change DMS runs itself:\n%s", s.view)
	}
	u.press("x")
	u.snap()
	if n := len(sim.run.Server.RequestsFor("ExecuteDataCorrect")); n != 0 {
		t.Fatalf("x ran an AUTO change: %d ExecuteDataCorrect", n)
	}
}

// TestAFigureThatCannotBeMeasuredAgainOnAnotherDatabaseIsAskedFor: the rows
// were measured on orders_dev; the ticket then went to ERP_FINANCE_TEST
// (Oracle: DMS cannot measure there). The old figure stayed, stale: Details,
// seeing a figure, asked for none, and every enter at the review measured
// again, failed, and said "measuring again" forever. The figure that cannot
// be measured again is dropped, and Details asks for it.
func TestAFigureThatCannotBeMeasuredAgainOnAnotherDatabaseIsAskedFor(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.toExportReview("orders_dev", "SELECT id FROM orders")
	u.runes("2")
	u.waitStep(StepDatabase)
	u.key(tea.KeyCtrlU)
	u.chooseDatabase("ERP_FINANCE_TEST")
	u.waitStep(StepSQL)
	u.key(tea.KeyCtrlR)
	u.waitFor("the estimate's refusal", func(s snapshot) bool { return !s.busy && !s.ticket.Rows.Known() })
	u.key(tea.KeyCtrlS)
	u.waitStep(StepDetails)
	s := u.waitText("Rows not measured")
	if s.ticket.Rows.Known() {
		t.Fatalf("the orders_dev figure is still the ticket's: %+v", s.ticket.Rows)
	}
	for range 4 { // comment, reason, related users, attachment: as they were
		u.enter()
	}
	u.waitField("ignore")
	u.enter() // no: the check is kept, so the figure is asked for
	u.waitField("rows")
	u.waitText("enter the figure from your own count")
}

// TestARollbackStatementOfAKindTheChangeRefusesIsMarked: DMS runs the
// rollback script as a data change; a DROP TABLE there is marked in its
// editor and keeps the wizard at the SQL step, as it would in the change.
func TestARollbackStatementOfAKindTheChangeRefusesIsMarked(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.toDataChangeSQL(1)
	u.typ("UPDATE orders SET status = 'paid' WHERE id = 7;")
	u.key(tea.KeyCtrlB)
	u.waitText("Rollback script")
	u.typ("UPDATE orders SET status = 'new' WHERE id = 7;\nDROP TABLE orders;")
	u.waitText("✗ statement 2 (line 2) is a schema change (DDL)")
	u.key(tea.KeyCtrlS)
	u.waitText("Not yet: in the rollback script, statement 2 (line 2)")
	if s := u.snap(); s.step != StepSQL {
		t.Fatalf("the wizard went on to %v with a DROP TABLE in the rollback", s.step)
	}
	for range len("DROP TABLE orders;") {
		u.key(tea.KeyBackspace)
	}
	u.key(tea.KeyCtrlB)
	u.waitFor("the rollback checked again", func(s snapshot) bool {
		return strings.Contains(s.view, "rollback: 1 statement") && !strings.Contains(s.view, "problem")
	})
	u.key(tea.KeyCtrlS)
	u.waitStep(StepDetails)
}

// TestARollbackProblemLeftByADataChangeDoesNotHoldAnotherType: the type is
// changed to an export, which has no rollback script (and no ctrl+b to
// reach it): the data change's refused rollback no longer holds the SQL
// step.
func TestARollbackProblemLeftByADataChangeDoesNotHoldAnotherType(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.toDataChangeSQL(1)
	u.key(tea.KeyCtrlB)
	u.waitText("Rollback script")
	u.typ("DROP TABLE orders;")
	u.waitText("✗ statement 1 (line 1) is a schema change (DDL)")
	u.key(tea.KeyCtrlB)
	for u.snap().step != StepType {
		u.key(tea.KeyEsc)
		u.waitIdle()
	}
	u.key(tea.KeyCtrlU)
	u.typ("export")
	u.waitText("▌ Export data")
	u.enter()
	s := u.waitFor("a step after the type", func(s snapshot) bool { return s.step != StepType })
	for s.step != StepSQL {
		u.enter()
		s = u.waitFor("the next step", func(x snapshot) bool { return x.step != s.step })
	}
	u.typ("SELECT id FROM orders WHERE id = 1;")
	u.key(tea.KeyCtrlS)
	u.waitStep(StepDetails)
}

// TestTheRollbackIsCheckedAgainInTheDialectOfNewDatabases: in PostgreSQL
// the backslash ends the string and a DROP TABLE follows; in MySQL it is
// one string. Moved from a PostgreSQL database to a MySQL one, the
// rollback's problem found in PostgreSQL does not hold the step.
func TestTheRollbackIsCheckedAgainInTheDialectOfNewDatabases(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.chooseType("change data")
	u.typ("analytics_dev")
	u.searched()
	u.waitText("analytics_dev                10.40.2.11")
	u.enter()
	u.waitStep(StepSQL)
	u.typ("UPDATE orders SET status = 'paid' WHERE id = 7;")
	u.key(tea.KeyCtrlB)
	u.waitText("Rollback script")
	u.paste(`UPDATE orders SET note = 'a\'; DROP TABLE orders; --';`)
	u.waitText("✗ statement 2 (line 1) is a schema change (DDL)")
	u.key(tea.KeyCtrlB)
	u.key(tea.KeyEsc)
	u.waitStep(StepDatabase)
	u.key(tea.KeyCtrlU)
	u.typ("orders_dev")
	u.searched()
	u.waitText("orders_dev   ")
	u.enter()
	u.waitStep(StepSQL)
	u.waitFor("the rollback counted again in MySQL", func(s snapshot) bool { return strings.Contains(s.view, "rollback: 1 statement") })
	u.key(tea.KeyCtrlS)
	u.waitStep(StepDetails)
}

// TestTwoDatabasesOfOneNameAreToldApartInThePrecheck: orders in production
// and orders in pre-release, changed together: the result screen's
// precheck rows name each with its ID.
func TestTwoDatabasesOfOneNameAreToldApartInThePrecheck(t *testing.T) {
	sim := lifeSim(t, dmssim.Options{DataChangeDelay: dmssim.NoDelay})
	u := startUI(t, followOptions(t, sim.client), 120, 40)
	u.chooseType("change data")
	u.markDatabases("orders  ", "orders@10.20.1.11", "orders@10.30.1.11")
	u.typ("UPDATE orders SET status = 'paid' WHERE id = 7;")
	u.key(tea.KeyCtrlS)
	u.changeDetailsToReview()
	u.enter()
	// One name, two databases: the prompt names both (it named the
	// production one only: found by an adversarial run).
	s := u.waitText("type their schema name")
	if !strings.Contains(s.view, "10.20.1.11") || !strings.Contains(s.view, "10.30.1.11") {
		t.Fatalf("the prompt does not name both databases the name confirms:\n%s", s.view)
	}
	u.typ("orders")
	u.enter()
	u.waitText("Ticket created")
	u.waitText("orders (1100001) DMS")
	u.waitText("orders (1100016) DMS")
}

// TestAChangeOnMySQLAndPostgreSQLIsCheckedInBoth: in PostgreSQL the
// backslash ends the string and a DROP TABLE follows; in MySQL it is one
// string. A data change on a MySQL and a PostgreSQL database is read by
// both: the SQL step marks the statement PostgreSQL reads as a DROP TABLE
// on its line and holds ctrl+s, for the change and for its rollback, as
// the review and create do.
func TestAChangeOnMySQLAndPostgreSQLIsCheckedInBoth(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 120, 40)
	u.chooseType("change data")
	u.markDatabases("", "orders_dev", "analytics_dev") // MySQL first
	hidden := "UPDATE orders SET status = 'paid' WHERE id = 7;\nUPDATE orders SET note = 'a\\'; DROP TABLE orders; --';"
	u.paste(hidden)
	s := u.waitFor("the DROP TABLE PostgreSQL reads marked on line 2", func(s snapshot) bool {
		return strings.Contains(s.marks[1], "statement 3 (line 2) is a schema change (DDL)")
	})
	if !strings.Contains(s.view, "✗ statement 3 (line 2) is a schema") {
		t.Fatalf("the panel does not name the statement:\n%s", s.view)
	}
	u.key(tea.KeyCtrlS)
	u.waitText("Not yet: statement 3 (line 2)")
	if s := u.snap(); s.step != StepSQL {
		t.Fatalf("the wizard went on to %v with a DROP TABLE PostgreSQL reads", s.step)
	}

	u.key(tea.KeyCtrlA) // the change made harmless; the same in the rollback
	u.key(tea.KeyCtrlK)
	u.paste("UPDATE orders SET status = 'paid' WHERE id = 7;")
	u.key(tea.KeyCtrlB)
	u.waitText("Rollback script")
	u.paste(hidden)
	u.waitFor("the rollback's DROP TABLE marked on line 2", func(s snapshot) bool {
		return strings.Contains(s.rbMarks[1], "statement 3 (line 2) is a schema change (DDL)")
	})
	u.key(tea.KeyCtrlS)
	u.waitText("Not yet: in the rollback script, statement 3 (line 2)")
	if s := u.snap(); s.step != StepSQL {
		t.Fatalf("the wizard went on to %v with a DROP TABLE PostgreSQL reads in the rollback", s.step)
	}
}

// TestACheckMadeForOtherDatabasesIsNotTaken: a statement check asked for
// before the databases changed lands after: it is not taken as the check
// of the new ones (their dialects may read the script otherwise), and the
// step checks again (found by a review of the change).
func TestACheckMadeForOtherDatabasesIsNotTaken(t *testing.T) {
	d := newDirect(t, &stub{rows: 42}, readyExport(devDB), StepSQL)
	q := d.m.steps[StepSQL].(*sqlStep)
	d.do(q.check())
	stale := dms.Problems{{Field: "SQL", Key: "sql", Statement: 1, Line: 1, Message: "statement 1 (line 1) as other databases read it"}}
	d.send(checkResultMsg{from: q, version: q.ed.Version(), key: "DATA_EXPORT mysql postgresql", sql: q.ed.Value(), problems: stale})
	if len(q.problems) > 0 {
		t.Fatalf("a check for other databases was taken: %v", q.problems)
	}
}
