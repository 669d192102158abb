package tickets

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

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

// TestStatusOfAChangeOnTwoDatabasesNamesBoth: the status of a data change
// names each of its databases as DMS lists them, and its precheck figures
// per database by name, not by ID alone.
func TestStatusOfAChangeOnTwoDatabasesNamesBoth(t *testing.T) {
	w := newWorld(t)
	req := dms.OrderRequest{Tid: tenantRetail, PluginType: "DC_COMMON", Comment: "two shards"}
	req.SetParams(map[string]any{
		"DbItemList": []dms.DbItem{{DbId: 1100026}, {DbId: 1100027}}, "SqlType": "TEXT", "ExecSQL": "UPDATE events SET kind = 'x' WHERE id = 1",
		"EstimateAffectRows": int64(2), "Classify": "data fix", "ExecMode": "COMMITOR",
	})
	created, err := w.w.Client.CreateOrder(context.Background(), req)
	if err != nil {
		t.Fatalf("CreateDataCorrectOrder: %v", err)
	}
	id := created.OrderIDs[0]
	w.clock.Advance(time.Minute) // the precheck has run
	o := w.run("status", fmt.Sprint(id))
	o.want(t, 0)
	for _, want := range []string{"Databases: events_00 (1100026), events_01 (1100027).",
		"Precheck, database events_00 (1100026): DMS counts", "Precheck, database events_01 (1100027): DMS counts"} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, o.stdout)
		}
	}
	j := w.run("status", fmt.Sprint(id), "--output", "json")
	j.want(t, 0)
	var st dms.Status
	if err := json.Unmarshal([]byte(j.stdout), &st); err != nil || fmt.Sprint(st.Databases) != "[{1100026 false events_00} {1100027 false events_01}]" {
		t.Errorf("the JSON's databases are %v (%v):\n%s", st.Databases, err, j.stdout)
	}
	one := w.dataChange("COMMITOR", "one database")
	if o := w.run("status", fmt.Sprint(one)); !strings.Contains(o.stdout, fmt.Sprintf("Database: sandbox (%d).", dbSandbox)) {
		t.Errorf("the status of a change on one database does not name it:\n%s", o.stdout)
	}
}
