package create

import (
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/tui/wizard"
)

// The lookup after a lost answer finds this ticket, never another (PRODUCT
// section 7). Found by an adversarial run: each of these claimed a ticket
// the run did not create, and exited 0.

// A schema design has no detail call: DMS reports back neither its
// database nor its title, so a ticket of the same comment on another
// database looks the same. It is named, not claimed.
func TestASchemaDesignOfTheSameCommentOnAnotherDatabaseIsNotClaimed(t *testing.T) {
	w := newWorld(t)
	// While this run's CreateOrder is on its way (and lost), somebody files
	// a schema design of the same comment on users_dev.
	w.wrap = func(svc dms.Service) dms.Service { return lostWhileAnotherIsFiled{Service: svc, t: t} }
	o := w.run("--type", "NDDL", "--db", strconv.Itoa(dbOrdersDev), "--comment", "same comment", "--title", "idx A", "--output", "json")
	o.want(t, ExitRetryable)
	if o.stdout != "" || !strings.Contains(o.stderr, "cannot tell whether this run created it") || !strings.Contains(o.stderr, "40000001") {
		t.Fatalf("the other database's ticket was claimed, or not named:\nstdout: %s\nstderr:\n%s", o.stdout, o.stderr)
	}
}

// Without the watermark (the list before the send failed), a ticket of the
// same request created before the send, by an earlier run, is named, not
// claimed.
func TestWithoutAWatermarkAnEarlierIdenticalTicketIsNotClaimed(t *testing.T) {
	w := newWorld(t)
	w.run(export("--affect-rows", "10")...).want(t, ExitOK)
	time.Sleep(1100 * time.Millisecond)                                                                     // DMS's times are to the second
	w.sim.Server.InjectFault(dmssim.Fault{Action: "ListOrders", Kind: dmssim.DropBeforeHandling, Times: 2}) // the watermark, and its retry
	w.sim.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.DropBeforeHandling})
	o := w.run(export("--affect-rows", "10", "--output", "json")...)
	o.want(t, ExitRetryable)
	if o.stdout != "" || !strings.Contains(o.stderr, "cannot tell whether this run created it") {
		t.Fatalf("the earlier ticket was claimed:\nstdout: %s\nstderr:\n%s", o.stdout, o.stderr)
	}
	if n := len(w.orders()); n != 1 {
		t.Fatalf("%d tickets, want the earlier one only", n)
	}
}

// A run killed with its CreateOrder on the wire leaves the file "sending";
// the next run at once finds no ticket, which DMS may still create from the
// request on its way: it sends nothing and says when to run again. Once
// that time has passed, a file still without a ticket is sent.
func TestARunRightAfterAKilledSendWaitsForTheRequestOnItsWay(t *testing.T) {
	w := newWorld(t)
	path, _ := w.exportFile(t)
	// The send is lost before DMS handles it, and so is the lookup after it:
	// the file stays "sending", as a killed run leaves it.
	w.sim.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.DropBeforeHandling})
	w.sim.Server.InjectFault(dmssim.Fault{Action: "ListOrders", Kind: dmssim.DropBeforeHandling, Times: 20})
	w.run("--from", path, "--yes").want(t, ExitRetryable)
	w.sim.Server.ClearFaults()
	o := w.run("--from", path, "--yes")
	o.want(t, ExitRetryable)
	if !strings.Contains(o.stderr, "may still be on its way") || len(w.orders()) != 0 {
		t.Fatalf("%d tickets; the run right after said:\n%s", len(w.orders()), o.stderr)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * wizard.SendSettles).UTC().Format(time.RFC3339Nano)
	b = regexp.MustCompile(`"sentAt": "[^"]*"`).ReplaceAll(b, []byte(`"sentAt": "`+old+`"`))
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	later := w.run("--from", path, "--yes")
	later.want(t, ExitOK)
	if !strings.Contains(later.stderr, "did not create it") || len(w.orders()) != 1 {
		t.Fatalf("%d tickets; the later run said:\n%s", len(w.orders()), later.stderr)
	}
}

// lostWhileAnotherIsFiled loses every CreateOrder's answer, after a schema
// design of the same comment is filed on users_dev.
type lostWhileAnotherIsFiled struct {
	dms.Service
	t *testing.T
}

func (l lostWhileAnotherIsFiled) CreateOrder(ctx context.Context, r dms.OrderRequest) (dms.Created, error) {
	other := dms.OrderRequest{Tid: r.Tid, PluginType: "NDDL", Comment: r.Comment, PluginParam: map[string]any{
		"title": "idx B", "description": "", "dbId": int64(dbUsersDev), "logic": false, "relatedIds": []int64{}}}
	if _, err := l.Service.CreateOrder(ctx, other); err != nil {
		l.t.Errorf("the other ticket: %v", err)
	}
	return dms.Created{}, &dms.Error{Op: "CreateOrder", Kind: dms.KindOutcomeUnknown, Message: "the answer was lost"}
}

// A --demo run of a ticket file records nothing in it: the simulator's
// ticket ID in the file would make a run against DMS refuse with it (found
// by an adversarial run).
func TestADemoRunRecordsNothingInTheTicketFile(t *testing.T) {
	w := newWorld(t)
	path, _ := w.exportFile(t)
	before, _ := os.ReadFile(path)
	w.demo = true
	o := w.run("--from", path, "--yes")
	o.want(t, ExitOK)
	if after, _ := os.ReadFile(path); string(after) != string(before) || !strings.Contains(o.stderr, "records nothing in the ticket file") {
		t.Fatalf("the demo run changed the file, or did not say it records nothing:\n%s", o.stderr)
	}
	w.demo = false
	w.run("--from", path, "--yes").want(t, ExitOK)
	if n := len(w.orders()); n != 2 {
		t.Fatalf("%d tickets, want the demo's and this one", n)
	}
}

// A ticket file saved with a UTF-8 byte order mark (Windows editors) is
// read as the file it is (it was refused: "invalid character 'ï'").
func TestATicketFileWithAByteOrderMarkIsRead(t *testing.T) {
	w := newWorld(t)
	path, _ := w.exportFile(t)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append([]byte("\xef\xbb\xbf"), b...), 0o600); err != nil {
		t.Fatal(err)
	}
	w.run("--from", path, "--dry-run").want(t, ExitOK)
}

// An edit made to the ticket file while its run waits for DMS is kept: the
// record is written into the file as it is then, not over it with the copy
// the run read (found by an adversarial run: the edit was lost silently).
func TestAnEditDuringTheRunIsKeptWithTheRecord(t *testing.T) {
	w := newWorld(t)
	path, _ := w.exportFile(t)
	w.sim.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.SlowAnswer, Delay: 500 * time.Millisecond})
	done := make(chan outcome, 1)
	go func() { done <- w.run("--from", path, "--yes") }()
	b := waitSending(t, path)
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), `"quarterly report"`, `"EDITED BY USER"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	(<-done).want(t, ExitOK)
	b, _ = os.ReadFile(path)
	if !strings.Contains(string(b), `"EDITED BY USER"`) || !strings.Contains(string(b), `"created"`) {
		t.Fatalf("the edit or the record is missing:\n%s", b)
	}
}

// A lost answer whose ticket DMS creates after the first lookup (the
// request still in DMS's hands: a read timeout, a connection cut once it
// was sent) is found by the lookup made again once the request can no
// longer arrive; it is not declared safe to run again (found by a review
// of the change: the next run filed it twice).
func TestALostAnswerIsLookedUpAgainOnceTheRequestCanNoLongerArrive(t *testing.T) {
	w := newWorld(t)
	late := &arrivesLate{}
	w.wrap = func(svc dms.Service) dms.Service { late.Service = svc; return late }
	w.onSleep = func() {
		if late.req != nil {
			if _, err := late.Service.CreateOrder(context.Background(), *late.req); err != nil {
				t.Errorf("the late ticket: %v", err)
			}
			late.req = nil
		}
	}
	o := w.run(export("--affect-rows", "10")...)
	o.want(t, ExitOK)
	if !strings.Contains(o.stderr, "may still reach DMS until") || !strings.Contains(o.stderr, "Found it") || len(w.orders()) != 1 {
		t.Fatalf("%d tickets; stderr:\n%s", len(w.orders()), o.stderr)
	}
}

// arrivesLate loses CreateOrder's answer, and DMS has the ticket only
// later: the request is kept, for the test to create it then.
type arrivesLate struct {
	dms.Service
	req *dms.OrderRequest
}

func (a *arrivesLate) CreateOrder(_ context.Context, r dms.OrderRequest) (dms.Created, error) {
	a.req = &r
	return dms.Created{}, &dms.Error{Op: "CreateOrder", Kind: dms.KindOutcomeUnknown, Message: "read timeout"}
}
