package tui

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/dms/dmssim/dmssimtest"
)

// The result screen follows the ticket it created (PRODUCT section 13):
// these tests walk the real program against the simulator over HTTP with
// the real SDK, and read what the simulator received.

// lifeSim is a simulator whose lifecycle has no delays: the precheck
// passes, an approval is granted and an export runs at once, so a test
// waits only for the program.
func lifeSim(t *testing.T, o dmssim.Options) *simulator {
	t.Helper()
	for _, d := range []*time.Duration{&o.PrecheckDelay, &o.OfflineApprovalDelay, &o.OnlineApprovalDelay, &o.ExportDelay} {
		if *d == 0 {
			*d = dmssim.NoDelay
		}
	}
	w := dmssimtest.New(t, dmssimtest.Options{Sim: o})
	return &simulator{run: w.Sim, client: w.Client, cred: w.Credential}
}

// followOptions poll every few milliseconds and download into a fresh
// directory (the test's working directory for the download).
func followOptions(t *testing.T, svc dms.Service) Options {
	o := testOptions(svc)
	o.PollEvery = 5 * time.Millisecond
	t.Chdir(t.TempDir())
	return o
}

// writes are the lifecycle's writes the simulator received, in order.
func writes(sim *simulator) []string {
	var out []string
	for _, c := range sim.run.Server.Requests() {
		switch c.Action {
		case "CreateOrder", "SubmitOrderApproval", "ExecuteDataExport", "CloseOrder", "ApproveOrder":
			out = append(out, c.Action)
		}
	}
	return out
}

func (u *ui) press(s string) { u.runes(s) }

func TestTheResultFollowsAnExportToItsFile(t *testing.T) {
	sim := lifeSim(t, dmssim.Options{})
	u := startUI(t, followOptions(t, sim.client), 100, 40)
	u.toExportReview("orders_dev", "SELECT id, total FROM orders WHERE id < 100")
	u.enter()
	u.waitText("Ticket created")
	u.waitText("ready to submit for approval")
	u.waitText("a submit for approval")
	u.waitText("Approval")
	u.press("a")
	u.waitText("approved, not run yet")
	u.waitText("x run (CSV)")
	u.press("t")
	u.waitText("x run (SQL)")
	u.press("x")
	u.waitText("finished")
	u.waitText("d download")
	u.press("d")
	s := u.waitText("File ")
	if got, want := writes(sim), []string{"CreateOrder", "SubmitOrderApproval", "ExecuteDataExport"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("the writes DMS received = %v, want %v", got, want)
	}
	orders := sim.run.Server.Orders()
	id := orders[len(orders)-1].OrderID
	want, ok := sim.run.Server.ExportFile(id)
	if !ok || !strings.HasSuffix(want.Name, ".sql") {
		t.Fatalf("the simulator has no SQL file for %d: %v %q", id, ok, want.Name)
	}
	entries, _ := os.ReadDir(".")
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 1 {
		t.Fatalf("the directory holds %v, want the one downloaded file", names)
	}
	got, err := os.ReadFile(names[0])
	if err != nil || !bytes.Equal(got, want.Data) {
		t.Fatalf("the downloaded file (%d bytes, %v) is not the export (%d bytes)", len(got), err, len(want.Data))
	}
	if !strings.Contains(s.view, names[0]) {
		t.Errorf("the screen does not name the file %s:\n%s", names[0], s.view)
	}
}

func TestSubmitIsOfferedOnlyOnceThePrecheckPassed(t *testing.T) {
	sim := lifeSim(t, dmssim.Options{PrecheckDelay: time.Hour})
	u := startUI(t, followOptions(t, sim.client), 100, 40)
	u.toExportReview("orders_dev", "SELECT id FROM orders")
	u.enter()
	s := u.waitText("DMS is prechecking it")
	if strings.Contains(s.view, "submit for approval") {
		t.Errorf("a is offered while DMS prechecks:\n%s", s.view)
	}
	u.press("a")
	u.press("x")
	u.press("d")
	u.snap() // the keys were handled
	if got := writes(sim); strings.Join(got, " ") != "CreateOrder" {
		t.Fatalf("keys during the precheck sent %v", got)
	}
}

// toFailedPrecheck files an export of a table DMS does not have, its
// figure entered by hand (DMS cannot measure it), and waits for the
// precheck to fail on it.
func (u *ui) toFailedPrecheck() snapshot {
	u.t.Helper()
	u.toSQL("orders_dev")
	u.typ("SELECT id FROM nope")
	u.key(tea.KeyCtrlR)
	u.waitText("DMS could not measure")
	u.key(tea.KeyCtrlS)
	u.waitField("comment")
	u.field("Q3 export for finance")
	u.waitField("classify")
	u.field("quarterly report")
	u.waitField("related")
	u.enter()
	u.waitField("attachment")
	u.enter()
	u.waitField("ignore")
	u.enter()
	u.waitField("rows")
	u.field("10")
	u.waitStep(StepReview)
	u.enter()
	return u.waitText("the precheck failed")
}

func TestAFailedPrecheckSaysWhyAndEGoesBackToFixIt(t *testing.T) {
	sim := lifeSim(t, dmssim.Options{})
	u := startUI(t, followOptions(t, sim.client), 100, 40)
	s := u.toFailedPrecheck()
	if !strings.Contains(s.view, "nope") || !strings.Contains(s.view, "doesn't exist") {
		t.Errorf("the reason is not shown:\n%s", s.view)
	}
	if !strings.Contains(s.view, "e goes back to the review") {
		t.Errorf("no way to fix it is shown:\n%s", s.view)
	}
	u.press("a")
	u.snap()
	if got := writes(sim); strings.Join(got, " ") != "CreateOrder" {
		t.Fatalf("a after a failed precheck sent %v", got)
	}
	u.press("e")
	u.waitStep(StepReview)
}

func TestALostSubmitAnswerIsSettledByTheStateNotSentAgain(t *testing.T) {
	for _, kind := range []dmssim.FaultKind{dmssim.DropAfterCreate, dmssim.DropBeforeHandling} {
		t.Run(kind.String(), func(t *testing.T) {
			sim := lifeSim(t, dmssim.Options{Approve: dmssim.ApproveManual})
			u := startUI(t, followOptions(t, sim.client), 100, 40)
			u.toExportReview("orders_dev", "SELECT id FROM orders")
			u.enter()
			u.waitText("a submit for approval")
			sim.run.Server.InjectFault(dmssim.Fault{Action: "SubmitOrderApproval", Kind: kind})
			u.press("a")
			var s snapshot
			if kind == dmssim.DropAfterCreate {
				s = u.waitText("answer was lost, but the ticket's state shows it happened")
				u.waitText("waiting for approval")
			} else {
				s = u.waitText("Submit for approval failed")
				u.waitText("a submit for approval") // offered again: nothing happened
			}
			if n := len(sim.run.Server.RequestsFor("SubmitOrderApproval")); n != 1 {
				t.Fatalf("SubmitOrderApproval sent %d times, want once:\n%s", n, s.view)
			}
		})
	}
}

func TestThrottledReadsSlowDownAndCarryOn(t *testing.T) {
	sim := lifeSim(t, dmssim.Options{})
	u := startUI(t, followOptions(t, sim.client), 100, 40)
	u.toExportReview("orders_dev", "SELECT id FROM orders")
	sim.run.Server.InjectFault(dmssim.Fault{Action: "GetOrderBaseInfo", Kind: dmssim.Throttle, Times: 3})
	u.enter()
	u.waitText("Ticket created")
	u.waitText("ready to submit for approval")
}

func TestLeavingTheResultStopsFollowing(t *testing.T) {
	for _, leave := range []string{"e", "n"} {
		t.Run(leave, func(t *testing.T) {
			sim := lifeSim(t, dmssim.Options{PrecheckDelay: time.Hour})
			u := startUI(t, followOptions(t, sim.client), 100, 40)
			u.toExportReview("orders_dev", "SELECT id FROM orders")
			u.enter()
			u.waitText("DMS is prechecking it")
			before := len(sim.run.Server.RequestsFor("GetOrderBaseInfo"))
			for len(sim.run.Server.RequestsFor("GetOrderBaseInfo")) < before+3 {
				time.Sleep(time.Millisecond) // it is being followed
			}
			u.press(leave)
			u.waitFor("the result left", func(s snapshot) bool { return s.step != StepResult })
			time.Sleep(50 * time.Millisecond) // a read on its way ends
			n := len(sim.run.Server.RequestsFor("GetOrderBaseInfo"))
			time.Sleep(200 * time.Millisecond) // forty poll intervals
			if m := len(sim.run.Server.RequestsFor("GetOrderBaseInfo")); m != n {
				t.Fatalf("the ticket was still read after the screen was left: %d reads, then %d", n, m)
			}
		})
	}
}

// slowFile serves a download in two halves, the second when released.
type slowFile struct {
	data    []byte
	release chan struct{}
	once    sync.Once
}

func (f *slowFile) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Length", itoa(int64(len(f.data))))
	half := len(f.data) / 2
	w.Write(f.data[:half])
	w.(http.Flusher).Flush()
	<-f.release
	w.Write(f.data[half:])
}

// slowDownloads answers DownloadURL with the slow file's URL.
type slowDownloads struct {
	dms.Service
	url string
}

func (s slowDownloads) DownloadURL(context.Context, int64, int64) (dms.Download, error) {
	return dms.Download{Ready: true, URL: s.url}, nil
}

func TestADownloadDrawsItsProgress(t *testing.T) {
	sim := lifeSim(t, dmssim.Options{})
	f := &slowFile{data: bytes.Repeat([]byte("0123456789abcdef\n"), 64<<10), release: make(chan struct{})}
	files := httptest.NewServer(f)
	t.Cleanup(files.Close)
	t.Cleanup(func() { f.once.Do(func() { close(f.release) }) })
	u := startUI(t, followOptions(t, slowDownloads{Service: sim.client, url: files.URL + "/export-1.csv"}), 100, 40)
	u.toExportReview("orders_dev", "SELECT id FROM orders")
	u.enter()
	u.waitText("a submit for approval")
	u.press("a")
	u.waitText("x run (CSV)")
	u.press("x")
	u.waitText("d download")
	u.press("d")
	s := u.waitText("50%")
	if !strings.Contains(s.view, "Download") || !strings.Contains(s.view, "KiB") && !strings.Contains(s.view, "MiB") {
		t.Errorf("the download's progress is not drawn:\n%s", s.view)
	}
	if entries, _ := os.ReadDir("."); len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), ".") {
		t.Errorf("during the download the directory should hold only the hidden partial file: %v", entries)
	}
	f.once.Do(func() { close(f.release) })
	u.waitText("export-1.csv")
	got, err := os.ReadFile(filepath.Join(".", "export-1.csv"))
	if err != nil || !bytes.Equal(got, f.data) {
		t.Fatalf("the file (%d bytes, %v) is not what was served (%d bytes)", len(got), err, len(f.data))
	}
}

func TestOverSSHTheDownloadIsALink(t *testing.T) {
	sim := lifeSim(t, dmssim.Options{})
	o := followOptions(t, sim.client)
	o.Local = false
	u := startUI(t, o, 100, 40)
	u.toExportReview("orders_dev", "SELECT id FROM orders")
	u.enter()
	u.waitText("a submit for approval")
	u.press("a")
	u.waitText("x run (CSV)")
	u.press("x")
	u.waitText("d download")
	u.press("d")
	s := u.waitText(sim.run.DownloadBase)
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Errorf("over SSH nothing is written on the server: %v", entries)
	}
	_ = s
}

func TestYCopiesTheTicketID(t *testing.T) {
	sim := lifeSim(t, dmssim.Options{PrecheckDelay: time.Hour})
	u := startUI(t, followOptions(t, sim.client), 100, 40)
	u.toExportReview("orders_dev", "SELECT id FROM orders")
	u.enter()
	u.waitText("DMS is prechecking it")
	u.press("y")
	u.waitText("sent to the terminal's clipboard")
	u.key(tea.KeyEsc)
}

// TestYCopiesTheIDOfATicketOpenedFromMyTickets: on a status screen opened
// from My tickets, y copied "Ticket ID 0": the screen's own submission
// (none) was asked, not the ticket followed.
func TestYCopiesTheIDOfATicketOpenedFromMyTickets(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 120, 40)
	u.toMyTickets()
	u.enter()
	u.waitText("Ticket 40000001")
	u.waitText("prechecking")
	u.press("y")
	u.waitText("Ticket ID 40000001 sent to the terminal's clipboard")
}
