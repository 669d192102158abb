package tickets

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/tui/wizard"
)

// submits are the SubmitOrderApproval requests the simulator received, and
// whether each was accepted.
func (w *world) submits() []dmssim.Call { return w.server().RequestsFor("SubmitOrderApproval") }

func TestSubmitRightAfterCreateWaitsForThePrecheckThenSubmitsOnce(t *testing.T) {
	w := newWorld(t)
	id := w.export(dbSandbox, scratchSQL, "submit me")

	o := w.run("submit", fmt.Sprint(id))
	o.want(t, 0)
	calls := w.submits()
	if len(calls) != 1 || calls[0].Code != "" {
		t.Fatalf("SubmitOrderApproval calls: %+v", calls)
	}
	// It went out only once the precheck had passed: after a read showing it.
	var sawReady bool
	for _, c := range w.server().Requests() {
		if c.Action == "SubmitOrderApproval" {
			break
		}
		if c.Action == "GetDataExportOrderDetail" && c.Seq > 0 {
			sawReady = true
		}
	}
	if !sawReady {
		t.Error("submitted before reading the export's state")
	}
	for _, want := range []string{"DMS is prechecking ticket", "submits it when the precheck passes", fmt.Sprintf("Submitted ticket %d for approval.", id)} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
	if !strings.Contains(o.stdout, fmt.Sprintf("Ticket %d: approval (%s).", id, dms.StateApproval.Label())) || !strings.Contains(o.stdout, "Waiting for: Alice Zhang (2000002).") {
		t.Errorf("stdout:\n%s", o.stdout)
	}
	if got := w.server().Orders()[0].Status; got != "toaudit" {
		t.Errorf("the simulator's ticket is %q", got)
	}
}

func TestSubmitWaitApprovedExitsZeroOnceApproved(t *testing.T) {
	w := newWorld(t)
	id := w.export(dbOrdersProd, "SELECT id FROM orders WHERE total > 100", "production export")
	o := w.run("submit", fmt.Sprint(id), "--wait", "approved", "--output", "json")
	o.want(t, 0)
	var st dms.Status
	if err := json.Unmarshal([]byte(o.stdout), &st); err != nil {
		t.Fatalf("%v\n%s", err, o.stdout)
	}
	if st.State != dms.StateApproved || st.Codes.StatusCode != "Approved" || st.Codes.JobStatus != "ENABLE_EXPORT" {
		t.Errorf("status = %+v", st)
	}
	if len(w.submits()) != 1 || w.calls("ExecuteDataExport") != 0 {
		t.Errorf("%d submits, %d executes", len(w.submits()), w.calls("ExecuteDataExport"))
	}
}

func TestSubmitWaitDoneRunsTheApprovedExportOnceAndWaitsForIt(t *testing.T) {
	w := newWorld(t)
	id := w.export(dbSandbox, scratchSQL, "all the way")
	o := w.run("submit", fmt.Sprint(id), "--wait", "done", "--file-type", "json")
	o.want(t, 0)
	if len(w.submits()) != 1 {
		t.Errorf("%d SubmitOrderApproval", len(w.submits()))
	}
	ex := w.server().RequestsFor("ExecuteDataExport")
	if len(ex) != 1 || !strings.Contains(ex[0].Params.Get("ActionDetail"), `"fileType":"JSON"`) {
		t.Fatalf("ExecuteDataExport calls: %+v", ex)
	}
	// SubmitOrderApproval, then ExecuteDataExport.
	if ex[0].Seq < w.submits()[0].Seq {
		t.Error("executed before submitting")
	}
	if !strings.Contains(o.stdout, fmt.Sprintf("Ticket %d: done", id)) || !strings.Contains(o.stderr, "Running the export") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", o.stdout, o.stderr)
	}
	if f, ok := w.server().ExportFile(id); !ok || !strings.HasSuffix(f.Name, ".json") {
		t.Errorf("the export's file: %+v %v", f.Name, ok)
	}
}

func TestSubmitWaitOfARejectedTicketExits1(t *testing.T) {
	w := newWorld(t, dmssim.Options{Approve: dmssim.ApproveManual})
	id := w.export(dbSandbox, scratchSQL, "no way")
	w.clock.onSleep = func(time.Time, time.Duration) {
		if o := w.server().Orders()[0]; o.WorkflowInstanceID != 0 && o.Status == "toaudit" {
			w.decide(id, "REJECT")
		}
	}
	o := w.run("submit", fmt.Sprint(id), "--wait", "done")
	o.want(t, 1)
	if !strings.Contains(o.stdout, fmt.Sprintf("Ticket %d: rejected", id)) || !strings.Contains(o.stderr, "The approvers said no") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", o.stdout, o.stderr)
	}
	if w.calls("ExecuteDataExport") != 0 {
		t.Error("a rejected export was run")
	}
}

func TestSubmitOfAFailedPrecheckExits1WithTheReasonAndSubmitsNothing(t *testing.T) {
	w := newWorld(t)
	id := w.export(dbSandbox, "SELECT id FROM no_such_table", "bad table")
	o := w.run("submit", fmt.Sprint(id), "--wait", "approved")
	o.want(t, 1)
	if len(w.submits()) != 0 {
		t.Errorf("%d SubmitOrderApproval for a ticket whose precheck failed", len(w.submits()))
	}
	if !strings.Contains(o.stderr, "ended: "+dms.StatePrecheckFailed.Label()) || !strings.Contains(o.stderr, "Reason: ") || !strings.Contains(o.stderr, "no_such_table") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
	if !strings.Contains(o.stdout, "precheck-failed") {
		t.Errorf("stdout:\n%s", o.stdout)
	}
}

func TestSubmitWaitTimesOutWith3AndTheTicketGoesOn(t *testing.T) {
	w := newWorld(t, dmssim.Options{Approve: dmssim.ApproveManual})
	id := w.export(dbSandbox, scratchSQL, "nobody approves")
	start := w.clock.Now()
	o := w.run("submit", fmt.Sprint(id), "--wait", "approved", "--timeout", "2m")
	o.want(t, 3)
	if !strings.Contains(o.stderr, "stopped waiting after 2m0s") || !strings.Contains(o.stderr, fmt.Sprintf("dmsticket status %d --watch", id)) {
		t.Errorf("stderr:\n%s", o.stderr)
	}
	if !strings.Contains(o.stdout, "approval ("+dms.StateApproval.Label()+")") {
		t.Errorf("stdout:\n%s", o.stdout)
	}
	if waited := w.clock.Now().Sub(start); waited != 2*time.Minute {
		t.Errorf("waited %s on the test clock, want exactly the time-out", waited)
	}
	// The pace: 2 s, doubling, at most 30 s.
	for _, d := range w.clock.sleeps() {
		if d > wizard.PollMax {
			t.Errorf("a wait of %s", d)
		}
	}
	if len(w.submits()) != 1 {
		t.Errorf("%d submits", len(w.submits()))
	}
}

func TestSubmitWithALostAnswerIsSettledByTheStateAndSentOnce(t *testing.T) {
	w := newWorld(t)
	id := w.export(dbSandbox, scratchSQL, "lost answer")
	w.clock.Advance(3 * time.Second)
	w.server().InjectFault(dmssim.Fault{Action: "SubmitOrderApproval", Kind: dmssim.DropAfterCreate})

	o := w.run("submit", fmt.Sprint(id), "--wait", "approved")
	o.want(t, 0)
	if n := len(w.submits()); n != 1 {
		t.Fatalf("SubmitOrderApproval reached the simulator %d times, want once", n)
	}
	if !strings.Contains(o.stderr, "The answer to SubmitOrderApproval was lost") || !strings.Contains(o.stderr, "it was submitted, once") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
}

func TestSubmitLostBeforeDMSHandledItIsSentAgainAfterTheStateSaysReady(t *testing.T) {
	w := newWorld(t)
	id := w.export(dbSandbox, scratchSQL, "dropped before handling")
	w.clock.Advance(3 * time.Second)
	w.server().InjectFault(dmssim.Fault{Action: "SubmitOrderApproval", Kind: dmssim.DropBeforeHandling})

	o := w.run("submit", fmt.Sprint(id))
	o.want(t, 0)
	calls := w.submits()
	if len(calls) != 2 || calls[0].Status != 0 || calls[1].Code != "" {
		t.Fatalf("SubmitOrderApproval calls: %+v", calls)
	}
	// Between the two, the state was read.
	var readBetween bool
	for _, c := range w.server().Requests() {
		if c.Seq > calls[0].Seq && c.Seq < calls[1].Seq && c.Action == "GetOrderBaseInfo" {
			readBetween = true
		}
	}
	if !readBetween {
		t.Error("sent again without reading the state first")
	}
	if !strings.Contains(o.stderr, "got no answer") || !strings.Contains(o.stderr, "reads the state before anything else") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
}

func TestSubmitThrottledIsAnsweredByWaiting(t *testing.T) {
	w := newWorld(t)
	id := w.export(dbSandbox, scratchSQL, "throttled")
	w.clock.Advance(3 * time.Second)
	w.server().InjectFault(dmssim.Fault{Action: "SubmitOrderApproval", Kind: dmssim.Throttle})
	// Reads throttled past the client's own retries, too.
	w.server().InjectFault(dmssim.Fault{Action: "GetOrderBaseInfo", Kind: dmssim.Throttle, Times: 6})

	o := w.run("submit", fmt.Sprint(id), "--wait", "approved")
	o.want(t, 0)
	calls := w.submits()
	if len(calls) != 2 || calls[0].Code != "Throttling.User" || calls[1].Code != "" {
		t.Fatalf("SubmitOrderApproval calls: %+v", calls)
	}
	slowed := false
	for _, d := range w.clock.sleeps() {
		if d >= wizard.PollMax {
			slowed = true
		}
	}
	if !slowed {
		t.Errorf("no slower pace while throttled: %v", w.clock.sleeps())
	}
	if !strings.Contains(o.stderr, "DMS throttled SubmitOrderApproval") || !strings.Contains(o.stderr, "DMS is throttling requests: asking again in") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
}

func TestSubmitOfASubmittedTicketDoesNotSendItAgain(t *testing.T) {
	w := newWorld(t, dmssim.Options{Approve: dmssim.ApproveManual})
	id := w.export(dbSandbox, scratchSQL, "twice")
	w.run("submit", fmt.Sprint(id)).want(t, 0)
	o := w.run("submit", fmt.Sprint(id))
	o.want(t, 0)
	if len(w.submits()) != 1 {
		t.Errorf("%d SubmitOrderApproval", len(w.submits()))
	}
	if !strings.Contains(o.stderr, "was already submitted for approval: it is not submitted again") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
}

func TestSubmitOfASchemaDesignIsDoneWhenApproved(t *testing.T) {
	w := newWorld(t)
	id := w.schemaDesign("faster login")
	o := w.run("submit", fmt.Sprint(id), "--wait", "done")
	o.want(t, 0)
	if !strings.Contains(o.stdout, fmt.Sprintf("Ticket %d: approved", id)) || w.calls("ExecuteDataExport") != 0 {
		t.Errorf("stdout:\n%s", o.stdout)
	}
}

func TestSubmitOfAnUnknownTicketExits1(t *testing.T) {
	w := newWorld(t)
	o := w.run("submit", "49999999", "--wait", "approved")
	o.want(t, 1)
	if len(w.submits()) != 0 || !strings.Contains(o.stderr, "OrderNotExist") || o.stdout != "" {
		t.Errorf("stdout %q\nstderr:\n%s", o.stdout, o.stderr)
	}
	// Where to look, as status says; and nothing about submitting again,
	// which is what the read was for.
	if !strings.Contains(o.stderr, "Check the ticket ID, and the tenant") || strings.Contains(o.stderr, "submit again") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
}

func TestSubmitInterruptedWhileWaitingExits130(t *testing.T) {
	w := newWorld(t, dmssim.Options{Approve: dmssim.ApproveManual})
	id := w.export(dbSandbox, scratchSQL, "ctrl+c")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.clock.onSleep = func(time.Time, time.Duration) {
		if len(w.submits()) > 0 {
			cancel()
		}
	}
	o := w.runCtx(ctx, "submit", fmt.Sprint(id), "--wait", "approved")
	o.want(t, 130)
	// The state in words too: "is approval (waiting for approval)", not
	// "is approval;" (found by an adversarial run).
	if !strings.Contains(o.stderr, fmt.Sprintf("Interrupted: dmsticket stopped waiting. Ticket %d is approval (%s);", id, dms.StateApproval.Label())) {
		t.Errorf("stderr:\n%s", o.stderr)
	}
}

// create --submit --wait calls Follow.Submit itself: the same wait, with
// its narration wherever create sends it.
func TestFollowSubmitIsTheWaitCreateCalls(t *testing.T) {
	w := newWorld(t)
	id := w.export(dbSandbox, scratchSQL, "from create")
	var narration bytes.Buffer
	st, err := Follow{Service: w.w.Client, Tid: tenantRetail, ID: id, Narration: &narration,
		Clock: Clock{Now: w.clock.Now, Sleep: w.clock.Sleep}}.Submit(context.Background(), Goal{Want: dms.StateApproved})
	if err != nil || st.State != dms.StateApproved {
		t.Fatalf("Submit = %v, %v\n%s", st.State, err, narration.String())
	}
	if !strings.Contains(narration.String(), "Submitted ticket") {
		t.Errorf("narration:\n%s", narration.String())
	}

	// Its errors carry the exit code.
	w2 := newWorld(t, dmssim.Options{Approve: dmssim.ApproveManual})
	id = w2.export(dbSandbox, scratchSQL, "from create, slow")
	_, err = Follow{Service: w2.w.Client, Tid: tenantRetail, ID: id, Clock: Clock{Now: w2.clock.Now, Sleep: w2.clock.Sleep}}.
		Submit(context.Background(), Goal{Want: dms.StateApproved, Timeout: time.Minute})
	if ee, ok := err.(*wizard.ExitError); !ok || ee.Code != wizard.ExitTimedOut {
		t.Errorf("a time-out = %v", err)
	}
}

func TestSubmitWaitDoneOfAnExportThatFailsExits1(t *testing.T) {
	w := newWorld(t)
	id := w.export(dbSandbox, scratchSQL, "the run fails")
	w.server().InjectFault(dmssim.Fault{Action: "ExecuteDataExport", Kind: dmssim.FailJob})
	o := w.run("submit", fmt.Sprint(id), "--wait", "done", "--output", "json")
	o.want(t, 1)
	var st dms.Status
	if err := json.Unmarshal([]byte(o.stdout), &st); err != nil || st.State != dms.StateFailed || st.Codes.JobStatus != "EXPORT_FAIL" {
		t.Errorf("status %+v (%v)\n%s", st, err, o.stdout)
	}
	if w.calls("ExecuteDataExport") != 1 || !strings.Contains(o.stderr, "ended: "+dms.StateFailed.Label()) {
		t.Errorf("stderr:\n%s", o.stderr)
	}
}

func TestSubmitOfAClosedTicketIsRefusedWith1(t *testing.T) {
	w := newWorld(t)
	id := w.export(dbSandbox, scratchSQL, "closed")
	if err := w.w.Client.CloseTicket(context.Background(), tenantRetail, id, "not needed"); err != nil {
		t.Fatal(err)
	}
	o := w.run("submit", fmt.Sprint(id))
	o.want(t, 1)
	if len(w.submits()) != 0 || !strings.Contains(o.stderr, "ended: "+dms.StateClosed.Label()) {
		t.Errorf("stderr:\n%s", o.stderr)
	}
	w.run("status", fmt.Sprint(id), "--watch").want(t, 1)
	w.run("status", fmt.Sprint(id)).want(t, 0) // a plain status reads it
}
