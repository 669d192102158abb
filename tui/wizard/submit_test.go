package wizard_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"dmsticket/dms"
	"dmsticket/dms/dmssim/dmssimtest"
	"dmsticket/tui/wizard"
)

// A submission a stopped program sent, that DMS has no ticket for yet, is
// not declared unsent while its request may still be on its way: the
// lookup says so (LookupFailed, StillOnItsWay) until SendSettles after the
// send; after that, none found is NotFound, safe to send again.
func TestAStoppedProgramsRequestIsWaitedForBeforeItIsSentAgain(t *testing.T) {
	w := dmssimtest.New(t)
	req := dms.OrderRequest{Tid: acme, PluginType: "NDDL", Comment: "never arrived", PluginParam: map[string]any{
		"title": "t", "description": "", "dbId": ordersD, "logic": false, "relatedIds": []int64{}}}
	wm, err := dms.WatermarkOf(context.Background(), w.Client, acme)
	if err != nil {
		t.Fatal(err)
	}
	recent := wizard.Resolve(context.Background(), w.Client, wizard.Stopped(dms.NewSubmission(req, time.Now(), wm)))
	var way *wizard.StillOnItsWay
	if recent.Outcome != wizard.LookupFailed || !errors.As(recent.LookupErr, &way) {
		t.Fatalf("sent just now, by a program that stopped: outcome %v, %v; want LookupFailed, StillOnItsWay", recent.Outcome, recent.LookupErr)
	}
	old := wizard.Resolve(context.Background(), w.Client, wizard.Stopped(dms.NewSubmission(req, time.Now().Add(-2*wizard.SendSettles), wm)))
	if old.Outcome != wizard.NotFound {
		t.Fatalf("sent long ago: outcome %v (%v), want NotFound", old.Outcome, old.LookupErr)
	}
}
