package dmssim

import (
	"errors"
	"testing"
	"time"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
)

// transportError asserts err is a failure to get an answer (a dropped
// connection, a time-out), not an answer.
func transportError(t *testing.T, err error) {
	t.Helper()
	var se *sdkerrors.ServerError
	if err == nil || errors.As(err, &se) {
		t.Fatalf("error = %v (%T), want the answer lost", err, err)
	}
}

func TestSubmitOrderApprovalThrottledOrAnswerLostSubmitsOnce(t *testing.T) {
	l := newLifeSim(t, Options{Approve: ApproveManual})
	id := l.export(dbOrdersProd, "SELECT id FROM orders")
	l.clock.Advance(DefaultPrecheckDelay)

	// Throttled and 5xx: nothing happens.
	l.r.Server.InjectFault(Fault{Action: "SubmitOrderApproval", Kind: Throttle})
	_, err := l.submit(l.c, id)
	serverError(t, err, 400, "Throttling.User")
	l.r.Server.InjectFault(Fault{Action: "SubmitOrderApproval", Kind: ServerError})
	_, err = l.submit(l.c, id)
	serverError(t, err, 503, "ServiceUnavailable")
	if info := l.base(id); info.StatusCode != "new" || info.WorkflowInstanceId != 0 {
		t.Fatalf("after refusals: %+v", info)
	}

	// The answer dropped after the work: the ticket is submitted, once.
	l.r.Server.InjectFault(Fault{Action: "SubmitOrderApproval", Kind: DropAfterCreate})
	_, err = l.submit(l.c, id)
	transportError(t, err)
	info := l.base(id)
	if info.StatusCode != "toaudit" || info.WorkflowInstanceId == 0 {
		t.Fatalf("after the lost answer: %+v", info)
	}
	resp, err := l.submit(l.c, id)
	businessFailure(t, err, resp.Success, "OrderAlreadySubmitted", resp.ErrorCode, resp.ErrorMessage)
	if got := l.base(id).WorkflowInstanceId; got != info.WorkflowInstanceId {
		t.Errorf("WorkflowInstanceId %d became %d", info.WorkflowInstanceId, got)
	}

	// A slow answer the client gives up on: the submission happened too.
	other := l.export(dbOrdersProd, "SELECT id FROM orders")
	l.clock.Advance(DefaultPrecheckDelay)
	impatient := sdkClient(t, l.r, DefaultCredential)
	impatient.SetReadTimeout(200 * time.Millisecond)
	l.r.Server.InjectFault(Fault{Action: "SubmitOrderApproval", Kind: SlowAnswer, Delay: time.Minute})
	_, err = l.submit(impatient, other)
	transportError(t, err)
	if s := l.base(other).StatusCode; s != "toaudit" {
		t.Errorf("after the slow answer: StatusCode %s", s)
	}
	if n := len(l.r.Server.workflowsSnapshot()); n != 2 {
		t.Errorf("%d approval processes, want 2", n)
	}
}

func TestExecuteDataExportThrottledOrAnswerLostRunsOnce(t *testing.T) {
	l := newLifeSim(t, Options{})
	id := l.export(dbSandbox, scratchSQL)
	l.clock.Advance(DefaultPrecheckDelay)
	l.mustSubmit(id)
	l.clock.Advance(DefaultOfflineApprovalDelay)

	l.r.Server.InjectFault(Fault{Action: "ExecuteDataExport", Kind: Throttle})
	_, err := l.execute(l.c, id, "CSV")
	serverError(t, err, 400, "Throttling.User")
	l.r.Server.InjectFault(Fault{Action: "ExecuteDataExport", Kind: ServerError, Status: 500, Code: "InternalError"})
	_, err = l.execute(l.c, id, "CSV")
	serverError(t, err, 500, "InternalError")
	l.state(id, "Approved", "ENABLE_EXPORT")

	l.r.Server.InjectFault(Fault{Action: "ExecuteDataExport", Kind: DropAfterCreate})
	_, err = l.execute(l.c, id, "JSON")
	transportError(t, err)
	l.state(id, "processing", "WAITING_EXPORT")
	resp, err := l.execute(l.c, id, "JSON")
	businessFailure(t, err, resp.Success, "ExportAlreadyExecuted", resp.ErrorCode, resp.ErrorMessage)
	l.clock.Advance(DefaultExportDelay)
	l.state(id, "success", "EXPORT_SUCCESS")
	if f, ok := l.r.Server.ExportFile(id); !ok || f.Name != "40000001.json" {
		t.Errorf("the lost call's export: %v %+v", ok, f.Name)
	}
	calls := l.r.Server.RequestsFor("ExecuteDataExport")
	if len(calls) != 4 || calls[2].Fault != DropAfterCreate || calls[2].Status != 0 || calls[3].Code != "ExportAlreadyExecuted" {
		t.Errorf("calls = %+v", calls)
	}

	// A slow answer: the export runs although the client gave up.
	other := l.export(dbSandbox, scratchSQL)
	l.clock.Advance(DefaultPrecheckDelay)
	l.mustSubmit(other)
	l.clock.Advance(DefaultOfflineApprovalDelay)
	impatient := sdkClient(t, l.r, DefaultCredential)
	impatient.SetReadTimeout(200 * time.Millisecond)
	l.r.Server.InjectFault(Fault{Action: "ExecuteDataExport", Kind: SlowAnswer, Delay: time.Minute})
	_, err = l.execute(impatient, other, "SQL")
	transportError(t, err)
	l.state(other, "processing", "WAITING_EXPORT")
}

func TestFailJobFaultFailsTheExportAndItCanRunAgain(t *testing.T) {
	l := newLifeSim(t, Options{})
	id := l.export(dbSandbox, scratchSQL)
	l.clock.Advance(DefaultPrecheckDelay)
	l.mustSubmit(id)
	l.clock.Advance(DefaultOfflineApprovalDelay)
	l.r.Server.InjectFault(Fault{Action: "ExecuteDataExport", Kind: FailJob})
	l.mustExecute(id, "CSV")
	l.clock.Advance(DefaultExportDelay)
	l.state(id, "fail", "EXPORT_FAIL")
	if u := l.downloadURL(id); u.HasResult || u.TipMessage == "" {
		t.Errorf("download URL of a failed export = %+v", u)
	}
	l.mustExecute(id, "CSV")
	l.clock.Advance(DefaultExportDelay)
	l.state(id, "success", "EXPORT_SUCCESS")
	if u := l.downloadURL(id); !u.HasResult {
		t.Errorf("download URL after the second run = %+v", u)
	}
}

// workflowsSnapshot is how many approval processes exist (tests only).
func (s *Server) workflowsSnapshot() map[int64]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int64]int64{}
	for id, o := range s.workflows {
		out[id] = o.OrderID
	}
	return out
}
