package tickets

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"dmsticket/dms"
)

// dataChange files a data change on the sandbox with the ExecMode, as
// create would, and returns its ID.
func (w *world) dataChange(mode, comment string) int64 {
	w.t.Helper()
	req := dms.OrderRequest{Tid: tenantRetail, PluginType: "DC_COMMON", Comment: comment}
	req.SetParams(map[string]any{
		"DbItemList": []dms.DbItem{{DbId: dbSandbox}}, "SqlType": "TEXT", "ExecSQL": "UPDATE scratch SET note = 'x' WHERE id = 1",
		"EstimateAffectRows": int64(1), "Classify": "data fix", "ExecMode": mode,
	})
	created, err := w.w.Client.CreateOrder(context.Background(), req)
	if err != nil {
		w.t.Fatalf("CreateDataCorrectOrder: %v", err)
	}
	return created.OrderIDs[0]
}

func TestSubmitWaitDoneRunsACommitorDataChangeOnce(t *testing.T) {
	w := newWorld(t)
	id := w.dataChange("COMMITOR", "fix one note")
	o := w.run("submit", fmt.Sprint(id), "--wait", "done")
	o.want(t, 0)
	ex := w.server().RequestsFor("ExecuteDataCorrect")
	if len(ex) != 1 || w.calls("ExecuteDataExport") != 0 {
		t.Fatalf("ExecuteDataCorrect sent %d times, ExecuteDataExport %d", len(ex), w.calls("ExecuteDataExport"))
	}
	if ex[0].Seq < w.submits()[0].Seq {
		t.Error("run before it was submitted")
	}
	for _, want := range []string{"Running the data change of ticket", "Started the data change of ticket"} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
	if !strings.Contains(o.stdout, fmt.Sprintf("Ticket %d: done", id)) {
		t.Errorf("stdout:\n%s", o.stdout)
	}
}

func TestSubmitWaitDoneWaitsForDMSToRunAnAutoDataChange(t *testing.T) {
	w := newWorld(t)
	id := w.dataChange("AUTO", "fix one note, automatically")
	o := w.run("submit", fmt.Sprint(id), "--wait", "done")
	o.want(t, 0)
	if n := w.calls("ExecuteDataCorrect"); n != 0 {
		t.Errorf("ExecuteDataCorrect sent %d times for an AUTO change", n)
	}
	if !strings.Contains(o.stdout, fmt.Sprintf("Ticket %d: done", id)) {
		t.Errorf("stdout:\n%s\nstderr:\n%s", o.stdout, o.stderr)
	}
}

func TestSubmitWaitDoneOfALastAuditorDataChangeWaitsForTheApprover(t *testing.T) {
	w := newWorld(t)
	id := w.dataChange("LAST_AUDITOR", "fix one note, by the approver")
	o := w.run("submit", fmt.Sprint(id), "--wait", "done", "--timeout", "5m")
	o.want(t, 3)
	if n := w.calls("ExecuteDataCorrect"); n != 0 {
		t.Errorf("ExecuteDataCorrect sent %d times for a LAST_AUDITOR change", n)
	}
	if !strings.Contains(o.stderr, "waiting for the last approver to run it (ExecMode LAST_AUDITOR)") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
}
