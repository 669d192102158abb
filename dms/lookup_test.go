package dms_test

import (
	"strings"
	"testing"
	"time"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
)

// createLost sends req with the answer dropped after the ticket was stored,
// as a lost connection does, and returns the submission recorded before it
// went out (with the watermark, as the wizard records it).
func createLost(t *testing.T, h *harness, req dms.OrderRequest) dms.Submission {
	t.Helper()
	wm, err := dms.WatermarkOf(ctx(t), h.client, req.Tid)
	if err != nil {
		t.Fatal(err)
	}
	sub := dms.NewSubmission(req, time.Now(), wm)
	h.sim.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.DropAfterCreate})
	_, err = h.client.CreateOrder(ctx(t), req)
	kindOf(t, err, dms.KindOutcomeUnknown)
	return sub
}

func lastOrder(h *harness) int64 {
	o := h.sim.Server.Orders()
	return o[len(o)-1].OrderID
}

// TestTheLookupTellsTwoTicketsWithTheSameCommentOnTwoDatabasesApart: two
// exports with the same comment, on two databases; the second's answer is
// lost. The lookup finds the second, never the first.
func TestTheLookupTellsTwoTicketsWithTheSameCommentOnTwoDatabasesApart(t *testing.T) {
	h := newHarness(t)
	first := exportRequest(1100023, "nightly export")
	if _, err := h.client.CreateOrder(ctx(t), first); err != nil {
		t.Fatal(err)
	}
	firstID := lastOrder(h)
	second := exportRequest(1100024, "nightly export")
	sub := createLost(t, h, second)
	secondID := lastOrder(h)
	// Without the watermark, only the request's contents tell them apart.
	sub.Watermark = 0
	l, err := dms.LookUp(ctx(t), h.client, sub)
	if err != nil {
		t.Fatal(err)
	}
	o, ok := l.Found()
	if !ok || o.ID != secondID {
		t.Fatalf("found %+v (matches %v); want only %d, never %d", o, l.Matches, secondID, firstID)
	}
}

// TestTheLookupIgnoresALookAlikeWithOtherSQLOrOtherRelatedUsers: tickets
// with the same type, comment and database but other SQL, or other related
// users (another person on a shared SSH server), are not this one.
func TestTheLookupIgnoresALookAlikeWithOtherSQLOrOtherRelatedUsers(t *testing.T) {
	h := newHarness(t)
	req := exportRequest(1100023, "weekly numbers")
	sub := createLost(t, h, req)
	mine := lastOrder(h)

	otherSQL := req
	otherSQL.PluginParam = clone(req.PluginParam)
	otherSQL.PluginParam["exeSQL"] = "SELECT id FROM orders WHERE total > 999"
	otherUser := req
	otherUser.RelatedUserList = "2000003"
	for _, r := range []dms.OrderRequest{otherSQL, otherUser} {
		if _, err := h.client.CreateOrder(ctx(t), r); err != nil {
			t.Fatal(err)
		}
	}
	l, err := dms.LookUp(ctx(t), h.client, sub)
	if err != nil {
		t.Fatal(err)
	}
	if o, ok := l.Found(); !ok || o.ID != mine {
		t.Fatalf("matches %v, want only %d", l.Matches, mine)
	}
}

// TestTheLookupNeverClaimsATicketThatExistedBeforeTheSend: an identical
// ticket filed before this submission was sent is older than the
// watermark; when nothing newer matches, nothing is found.
func TestTheLookupNeverClaimsATicketThatExistedBeforeTheSend(t *testing.T) {
	h := newHarness(t)
	req := exportRequest(1100023, "same again")
	if _, err := h.client.CreateOrder(ctx(t), req); err != nil {
		t.Fatal(err)
	}
	wm, err := dms.WatermarkOf(ctx(t), h.client, req.Tid)
	if err != nil || wm != lastOrder(h) {
		t.Fatalf("watermark %d (%v), want %d", wm, err, lastOrder(h))
	}
	// This submission never reached DMS.
	l, err := dms.LookUp(ctx(t), h.client, dms.NewSubmission(req, time.Now(), wm))
	if err != nil || len(l.Matches) != 0 {
		t.Fatalf("found %v (%v); the only identical ticket predates the send", l.Matches, err)
	}
}

// TestSeveralMatchesAreAllReturnedNonePicked: two identical tickets newer
// than the send (another session filed the same): both are reported.
func TestSeveralMatchesAreAllReturnedNonePicked(t *testing.T) {
	h := newHarness(t)
	req := exportRequest(1100023, "twins")
	sub := createLost(t, h, req)
	if _, err := h.client.CreateOrder(ctx(t), req); err != nil {
		t.Fatal(err)
	}
	l, err := dms.LookUp(ctx(t), h.client, sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := l.Found(); ok || !l.Several() || len(l.Matches) != 2 {
		t.Fatalf("want two matches and none picked, got %v", l.Matches)
	}
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestALostRequestThatNeverReachedDMSFindsNothingEvenBesideATwin: the first
// export is filed; the second, same comment on another database, is lost
// before DMS handled it. The lookup must not offer the first as the second.
func TestALostRequestThatNeverReachedDMSFindsNothingEvenBesideATwin(t *testing.T) {
	h := newHarness(t)
	if _, err := h.client.CreateOrder(ctx(t), exportRequest(1100023, "nightly export")); err != nil {
		t.Fatal(err)
	}
	second := exportRequest(1100024, "nightly export")
	sub := dms.NewSubmission(second, time.Now(), 0) // no watermark: the contents must decide
	h.sim.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.DropBeforeHandling})
	_, err := h.client.CreateOrder(ctx(t), second)
	kindOf(t, err, dms.KindOutcomeUnknown)
	l, err := dms.LookUp(ctx(t), h.client, sub)
	if err != nil || len(l.Matches) != 0 {
		t.Fatalf("found %v (%v): the first ticket was taken for the second", l.Matches, err)
	}
}

// TestATicketFiledLongAfterTheSendIsNotThisSubmissions: a submission left
// "sending" (a crashed run) is looked up later; an identical ticket filed
// long after the send, by other means, is not taken for it.
func TestATicketFiledLongAfterTheSendIsNotThisSubmissions(t *testing.T) {
	h := newHarness(t)
	req := exportRequest(1100023, "filed again later")
	if _, err := h.client.CreateOrder(ctx(t), req); err != nil {
		t.Fatal(err)
	}
	sub := dms.NewSubmission(req, time.Now().Add(-10*time.Minute), 0) // sent ten minutes ago, never arrived
	l, err := dms.LookUp(ctx(t), h.client, sub)
	if err != nil || len(l.Matches) != 0 {
		t.Fatalf("found %v (%v): a ticket filed ten minutes after the send", l.Matches, err)
	}
	if !strings.Contains(strings.Join(l.Compared, ", "), "SQL") {
		t.Errorf("compared %v", l.Compared)
	}
}
