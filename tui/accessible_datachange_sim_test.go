package tui

import (
	"fmt"
	"testing"
	"time"

	"dmsticket/dms/dmssim"
	"dmsticket/dms/dmssim/dmssimtest"
)

func TestAccessibleDataChangeOnThreeDatabasesWithARollbackToTheCreatedTicket(t *testing.T) {
	sim := newAccSim(t)
	out, err := runAccessibleThroughPipe(t, sim.options(), answers(
		[]string{"DC_COMMON"},
		threeDatabases,
		[]string{"", accFix, ";;"},
		[]string{"y", "", accRollback, ";;"},
		[]string{"use"}, // the EXPLAIN figure, summed
		[]string{"cancel orders stuck after the outage", "data fix", "", "2000002", ""},
		[]string{"y"}, // submit; the input ends while the precheck is waited for
	)...)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	wantLines(t, out,
		"On orders_dev@10.40.1.11:3306: ", "On orders_test@10.50.1.11:3306: ", "On orders_uat@10.70.1.11:3306: ",
		"rows on the 3 databases, estimate (EXPLAIN).",
		"Affected rows per database: orders_dev ",
		"Sending CreateDataCorrectOrder to DMS. It is sent once.",
		"Ticket created: 40000001",
	)
	calls := sim.run.Server.RequestsFor("CreateDataCorrectOrder")
	if len(calls) != 1 {
		t.Fatalf("%d CreateDataCorrectOrder requests, want 1", len(calls))
	}
	o := sim.run.Server.Orders()[0]
	rows := o.Param["EstimateAffectRows"]
	want := `{"Classify":"data fix","DbItemList":[{"DbId":1100023,"Logic":false},{"DbId":1100031,"Logic":false},{"DbId":1100042,"Logic":false}],` +
		`"EstimateAffectRows":` + fmt.Sprint(rows) + `,"ExecMode":"COMMITOR",` +
		`"ExecSQL":"UPDATE orders SET status = 'cancelled' WHERE status = 'stuck';\n",` +
		`"RollbackSQL":"UPDATE orders SET status = 'stuck' WHERE id IN (1, 2);\n","RollbackSqlType":"TEXT","SqlType":"TEXT"}`
	if got := calls[0].Params.Get("Param"); got != want {
		t.Errorf("Param = %s\nwant    %s", got, want)
	}
	if got := calls[0].Params.Get("RelatedUserList"); got != `["2000002"]` {
		t.Errorf("RelatedUserList = %s", got)
	}
	if calls[0].Params.Get("Comment") != "cancel orders stuck after the outage" || len(o.Databases) != 3 {
		t.Errorf("stored %+v", o)
	}
}

func TestAccessibleDataChangeIsRunWhenApprovedIfYouRunIt(t *testing.T) {
	w := dmssimtest.New(t, dmssimtest.Options{Sim: dmssim.Options{PrecheckDelay: dmssim.NoDelay, OfflineApprovalDelay: dmssim.NoDelay, DataChangeDelay: dmssim.NoDelay}})
	sim := accSim{run: w.Sim, client: w.Client}
	opts := sim.options()
	opts.PollEvery = 5 * time.Millisecond
	out, err := runAccessibleThroughPipe(t, opts, answers(
		[]string{"DC_COMMON", "", "orders_dev", "1", ""},
		[]string{"", accFix, ";;", ""},
		[]string{"type", "3", "fix", "data fix", "", "", ""},
		[]string{"y", "y", "y", ""}, // submit, for approval, run it, no further ticket
	)...)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	wantLines(t, out,
		"Ticket created: 40000001",
		"Submit ticket 40000001 for approval now? [y/N]",
		"Ticket 40000001 is approved, and you run it (ExecMode COMMITOR). Run the change now on orders_dev@10.40.1.11:3306? [y/N]",
		"Sending ExecuteDataCorrect. It is sent once.",
		"Run: done.",
		"Ticket 40000001: done (finished).",
	)
	if n := len(sim.run.Server.RequestsFor("ExecuteDataCorrect")); n != 1 {
		t.Errorf("ExecuteDataCorrect sent %d times", n)
	}
	calls := sim.run.Server.RequestsFor("CreateDataCorrectOrder")
	const want = `{"Classify":"data fix","DbItemList":[{"DbId":1100023,"Logic":false}],"EstimateAffectRows":3,"ExecMode":"COMMITOR",` +
		`"ExecSQL":"UPDATE orders SET status = 'cancelled' WHERE status = 'stuck';\n","SqlType":"TEXT"}`
	if len(calls) != 1 || calls[0].Params.Get("Param") != want || calls[0].Params.Get("RelatedUserList") != "[]" {
		t.Errorf("CreateDataCorrectOrder requests: %+v\nwant Param %s", calls, want)
	}
}

func TestAccessibleAutoDataChangeIsNotOfferedToRun(t *testing.T) {
	w := dmssimtest.New(t, dmssimtest.Options{Sim: dmssim.Options{PrecheckDelay: dmssim.NoDelay, OfflineApprovalDelay: dmssim.NoDelay, DataChangeDelay: dmssim.NoDelay}})
	sim := accSim{run: w.Sim, client: w.Client}
	opts := sim.options()
	opts.PollEvery = 5 * time.Millisecond
	out, err := runAccessibleThroughPipe(t, opts, answers(
		[]string{"DC_COMMON", "", "orders_dev", "1", ""},
		[]string{"", accFix, ";;", ""},
		[]string{"type", "3", "fix", "data fix", "AUTO", "", ""},
		[]string{"y", "y", "", "", ""}, // submit, for approval, wait (yes), no further ticket
	)...)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	wantLines(t, out, "Ticket created: 40000001", "Ticket 40000001: done (finished).")
	if n := len(sim.run.Server.RequestsFor("ExecuteDataCorrect")); n != 0 {
		t.Errorf("ExecuteDataCorrect sent %d times for an AUTO change\n%s", n, out)
	}
}

// TestAccessibleRefusesALogicalDatabaseWithItsMember: events_sharded spans
// events_00; chosen together, the change would run on events_00 twice. The
// list is read out again with the reason, and the user takes one away.
func TestAccessibleRefusesALogicalDatabaseWithItsMember(t *testing.T) {
	sim := newAccSim(t)
	out, err := runAccessibleThroughPipe(t, sim.options(), answers(
		[]string{"DC_COMMON", "", "events", "1, 3", ""}, // events_00 and events_sharded; continue
		[]string{"3", "1", ""},                          // remove events_00; continue
	)...)
	if err == nil {
		t.Fatalf("the input ended, yet RunAccessible succeeded:\n%s", out)
	}
	wantLines(t, out,
		"Not these: the ticket names events_00@10.40.1.11:3306, which the logical database events_sharded (1900002) includes: the change would run on it twice",
		"Removed: events_00@10.40.1.11:3306.",
		"SQL", // the next step: the databases were taken
	)
}
