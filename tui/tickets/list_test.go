package tickets

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
)

// fileThree files an export, a schema design and another export a minute
// apart, the first submitted for approval; it returns their IDs, oldest
// first.
func (w *world) fileThree() (first, second, third int64) {
	w.t.Helper()
	first = w.export(dbSandbox, scratchSQL, "first export")
	w.clock.Advance(3 * time.Second)
	if err := w.w.Client.SubmitForApproval(context.Background(), tenantRetail, first); err != nil {
		w.t.Fatal(err)
	}
	w.clock.Advance(time.Minute)
	second = w.schemaDesign("the schema design")
	w.clock.Advance(time.Minute)
	third = w.export(dbSandbox, scratchSQL, "third export, just filed")
	return first, second, third
}

func TestListShowsMyTicketsNewestFirstWithTheirTrueStates(t *testing.T) {
	w := newWorld(t, dmssim.Options{Approve: dmssim.ApproveManual})
	first, second, third := w.fileThree()

	o := w.run("list")
	o.want(t, 0)
	lines := strings.Split(strings.TrimRight(o.stdout, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("want a header and three rows:\n%s", o.stdout)
	}
	header := regexp.MustCompile(`^ID +TYPE +STATE +CREATED +COMMENT$`)
	if !header.MatchString(lines[0]) {
		t.Errorf("header %q", lines[0])
	}
	// ListOrders says "new" for the export being prechecked and the schema
	// design alike: the export's detail call tells them apart.
	for i, want := range []struct {
		id            int64
		typ, state, c string
	}{
		{third, "DATA_EXPORT", "precheck", "third export, just filed"},
		{second, "NDDL", "ready", "the schema design"},
		{first, "DATA_EXPORT", "approval", "first export"},
	} {
		fields := regexp.MustCompile(` {2,}`).Split(lines[i+1], -1)
		if len(fields) != 5 || fields[0] != fmt.Sprint(want.id) || fields[1] != want.typ || fields[2] != want.state || fields[4] != want.c {
			t.Errorf("row %d = %q, want %+v", i+1, lines[i+1], want)
		}
	}
	// The columns line up.
	col := strings.Index(lines[0], "STATE")
	for _, l := range lines[1:] {
		if l[col-2:col] != "  " || l[col] == ' ' {
			t.Errorf("misaligned row %q", l)
		}
	}
	if w.calls("ListOrders") != 1 || w.calls("GetDataExportOrderDetail") != 2 {
		t.Errorf("%d ListOrders, %d export detail calls", w.calls("ListOrders"), w.calls("GetDataExportOrderDetail"))
	}
	if p := w.server().RequestsFor("ListOrders")[0].Params; p.Get("OrderResultType") != "AS_COMMITTER" || p.Get("Tid") != fmt.Sprint(tenantRetail) {
		t.Errorf("ListOrders params %v", p)
	}
}

func TestListJSONIsAnArrayNewestFirst(t *testing.T) {
	w := newWorld(t, dmssim.Options{Approve: dmssim.ApproveManual})
	first, second, third := w.fileThree()

	o := w.run("list", "--output", "json")
	o.want(t, 0)
	var items []Listed
	if err := json.Unmarshal([]byte(o.stdout), &items); err != nil {
		t.Fatalf("%v\n%s", err, o.stdout)
	}
	if len(items) != 3 || items[0].ID != third || items[1].ID != second || items[2].ID != first {
		t.Fatalf("items %+v", items)
	}
	if items[0].State != dms.StatePrecheck || items[0].Codes.JobStatus != "PRE_CHECKING" || items[0].Codes.StatusCode != "new" ||
		items[2].State != dms.StateApproval || items[2].Codes.StatusCode != "toaudit" || items[0].Created.IsZero() {
		t.Errorf("items %+v", items)
	}
	var raw []map[string]any
	_ = json.Unmarshal([]byte(o.stdout), &raw)
	if _, ok := raw[0]["dms"].(map[string]any); !ok || raw[0]["state"] != "precheck" {
		t.Errorf("keys: %v", raw[0])
	}
}

func TestListSinceAndTypeNarrowIt(t *testing.T) {
	w := newWorld(t, dmssim.Options{Approve: dmssim.ApproveManual})
	_, second, third := w.fileThree()

	o := w.run("list", "--since", "90s", "--output", "json")
	o.want(t, 0)
	var items []Listed
	_ = json.Unmarshal([]byte(o.stdout), &items)
	if len(items) != 2 || items[0].ID != third || items[1].ID != second {
		t.Errorf("--since 90s: %+v", items)
	}

	o = w.run("list", "--type", "nddl", "--output", "json")
	o.want(t, 0)
	items = nil
	_ = json.Unmarshal([]byte(o.stdout), &items)
	if len(items) != 1 || items[0].ID != second {
		t.Errorf("--type nddl: %+v", items)
	}
	if got := w.server().RequestsFor("ListOrders"); got[len(got)-1].Params.Get("PluginType") != "NDDL" {
		t.Errorf("PluginType sent: %v", got[len(got)-1].Params)
	}

	o = w.run("list", "--type", "PERM_APPLY")
	o.want(t, 0)
	if o.stdout != "" || !strings.Contains(o.stderr, "dmsticket does not file PERM_APPLY tickets") || !strings.Contains(o.stderr, "You filed no PERM_APPLY tickets") {
		t.Errorf("stdout %q\nstderr %q", o.stdout, o.stderr)
	}
	o = w.run("list", "--type", "PERM_APPLY", "--output", "json")
	if strings.TrimSpace(o.stdout) != "[]" {
		t.Errorf("an empty JSON list is [], got %q", o.stdout)
	}
}

func TestListSaysWhichStatesItCouldNotReadAndExits3(t *testing.T) {
	w := newWorld(t)
	export := w.export(dbSandbox, scratchSQL, "its detail is throttled")
	w.schemaDesign("no detail call")
	// Throttled past the client's own retries.
	w.server().InjectFault(dmssim.Fault{Action: "GetDataExportOrderDetail", Kind: dmssim.Throttle, Times: 10})

	o := w.run("list", "--output", "json")
	o.want(t, 3)
	var items []Listed
	if err := json.Unmarshal([]byte(o.stdout), &items); err != nil || len(items) != 2 {
		t.Fatalf("the list is printed anyway: %v\n%s", err, o.stdout)
	}
	if items[1].ID != export || items[1].State != dms.StateUnknown || items[0].State != dms.StateReady {
		t.Errorf("items %+v", items)
	}
	if !strings.Contains(o.stderr, "the state of 1 ticket could not be read") || !strings.Contains(o.stderr, fmt.Sprintf("%d: Throttling.User", export)) {
		t.Errorf("stderr:\n%s", o.stderr)
	}
}

func TestListCutsLongCommentsToFit(t *testing.T) {
	w := newWorld(t)
	long := strings.Repeat("a very long comment about the export ", 5)
	w.export(dbSandbox, scratchSQL, long)
	o := w.run("list")
	o.want(t, 0)
	row := strings.Split(strings.TrimSpace(o.stdout), "\n")[1]
	if !strings.HasSuffix(row, "…") || strings.Contains(row, long) {
		t.Errorf("row %q", row)
	}
}
