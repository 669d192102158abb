package dms

import "testing"

// TestStateOfReadsEveryDocumentedCode: each documented code (and the known
// variant spellings), in any case, reads as its state; an unknown one reads
// as unknown.
func TestStateOfReadsEveryDocumentedCode(t *testing.T) {
	cases := []struct {
		c    Codes
		want State
	}{
		// An export: GetOrderBaseInfo's StatusCode and KeyInfo.JobStatus.
		{Codes{StatusCode: "new", JobStatus: "PRE_CHECKING"}, StatePrecheck},
		{Codes{StatusCode: "new", JobStatus: "PRE_CHECK_FAIL"}, StatePrecheckFailed},
		{Codes{StatusCode: "new", JobStatus: "PRE_CHECK_SUCCESS"}, StateReady},
		{Codes{StatusCode: "new", JobStatus: "WAITING_APPLY_AUDIT"}, StateReady},
		{Codes{StatusCode: "toaudit", JobStatus: "APPLY_AUDIT_SUCCESS"}, StateApproval},
		{Codes{StatusCode: "toaudit", JobStatus: "APPLY_AUDIT_SUCESS"}, StateApproval}, // the older docs' spelling
		{Codes{StatusCode: "Approved", JobStatus: "ENABLE_EXPORT"}, StateApproved},
		{Codes{StatusCode: "APPROVED", JobStatus: "enable_export"}, StateApproved},
		{Codes{StatusCode: "processing", JobStatus: "WAITING_EXPORT"}, StateRunning},
		{Codes{StatusCode: "processing", JobStatus: "DOING_EXPORT"}, StateRunning},
		{Codes{StatusCode: "success", JobStatus: "EXPORT_SUCCESS"}, StateDone},
		{Codes{StatusCode: "processing", JobStatus: "EXPORT_FAIL"}, StateFailed},
		{Codes{StatusCode: "reject"}, StateRejected},
		{Codes{StatusCode: "toaudit", WorkflowInsCode: "REJECT"}, StateRejected},
		{Codes{StatusCode: "toaudit", WorkflowInsCode: "CANCEL"}, StateClosed},
		{Codes{StatusCode: "closed", JobStatus: "PRE_CHECK_SUCCESS"}, StateClosed},
		// A data change: GetDataCorrectOrderDetail's Status and the task's
		// jobStatus.
		{Codes{StatusCode: "new", DetailStatus: "new"}, StatePrecheck},
		{Codes{StatusCode: "new", DetailStatus: "precheck"}, StatePrecheck},
		{Codes{StatusCode: "new", DetailStatus: "precheckFailed"}, StatePrecheckFailed},
		{Codes{StatusCode: "new", DetailStatus: "precheck_fail"}, StatePrecheckFailed},
		{Codes{StatusCode: "new", DetailStatus: "precheck_success"}, StateReady},
		{Codes{StatusCode: "toaudit", DetailStatus: "toaudit"}, StateApproval},
		{Codes{StatusCode: "Approved", DetailStatus: "Approved"}, StateApproved},
		{Codes{StatusCode: "processing", DetailStatus: "waiting"}, StateRunning},
		{Codes{StatusCode: "processing", DetailStatus: "processing", TaskStatus: "RUNNING"}, StateRunning},
		{Codes{StatusCode: "success", DetailStatus: "Success", TaskStatus: "SUCCESS"}, StateDone},
		{Codes{StatusCode: "processing", TaskStatus: "FAIL"}, StateFailed},
		{Codes{StatusCode: "processing", DetailStatus: "fail", TaskStatus: "FAIL"}, StateFailed},
		{Codes{StatusCode: "processing", DetailStatus: "waiting", TaskStatus: "BE_SCHEDULED"}, StateRunning},
		{Codes{StatusCode: "processing", DetailStatus: "processing", TaskStatus: "PAUSE"}, StateRunning},
		{Codes{StatusCode: "processing", DetailStatus: "processing", TaskStatus: "DELETE"}, StateClosed},
		{Codes{StatusCode: "Approved", DetailStatus: "approved"}, StateApproved},
		{Codes{DetailStatus: "Success"}, StateDone},
		// A schema design has no precheck of its own: new is ready.
		{Codes{StatusCode: "new"}, StateReady},
		{Codes{StatusCode: "toaudit"}, StateApproval},
		{Codes{StatusCode: "success"}, StateDone},
		// Unknown.
		{Codes{StatusCode: "frobnicated"}, StateUnknown},
		{Codes{StatusCode: "new", JobStatus: "SOMETHING_NEW"}, StateUnknown},
	}
	for _, c := range cases {
		if got := StateOf(c.c); got != c.want {
			t.Errorf("StateOf(%+v) = %s, want %s", c.c, got, c.want)
		}
	}
}

// TestReachedFollowsTheLifecycle: --wait approved is satisfied by running
// and done; --wait done only by done.
func TestReachedFollowsTheLifecycle(t *testing.T) {
	for _, s := range []State{StateApproved, StateRunning, StateDone} {
		if !s.Reached(StateApproved) {
			t.Errorf("%s does not reach approved", s)
		}
	}
	for _, s := range []State{StatePrecheck, StateReady, StateApproval, StateRejected, StateFailed} {
		if s.Reached(StateApproved) {
			t.Errorf("%s reaches approved", s)
		}
	}
	if StateApproved.Reached(StateDone) || !StateDone.Reached(StateDone) {
		t.Error("done is reached only by done")
	}
}
