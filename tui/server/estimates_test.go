package server

import (
	"context"
	"testing"
	"time"

	"dmsticket/dms"
)

// A user's estimates go at a pace, shared by their sessions: ctrl+t pressed
// again and again (each press cancelling the last count) sent a COUNT(*) to
// DMS and the database for every press, hundreds a second. Past the burst,
// an estimate waits, and one cancelled while it waits is never sent.
func TestEstimatesGoAtTheUsersPace(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	e.start(e.config())
	one, two := policyFor(t, e, "alice"), policyFor(t, e, "alice") // two sessions
	req := dms.EstimateRequest{Tid: 3000001, Database: dms.Database{ID: 1100023, Env: dms.EnvDev}, SQL: "SELECT * FROM orders", Method: dms.RowsCount}
	before := len(e.sim.Server.RequestsFor("ExecuteScript"))
	start := time.Now()
	for i := range 3 * estimateBurst {
		p := one
		if i%2 == 1 {
			p = two
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond) // pressed again at once
		_, _ = p.Estimate(ctx, req)
		cancel()
	}
	sent := len(e.sim.Server.RequestsFor("ExecuteScript")) - before
	allowed := estimateBurst + int(time.Since(start).Seconds()*estimateRate) + 1
	t.Logf("%d sent, %d allowed", sent, allowed)
	if sent > allowed {
		t.Fatalf("%d estimates reached DMS in %s; the pace allows %d", sent, time.Since(start).Round(time.Millisecond), allowed)
	}
	if sent < estimateBurst/2 {
		t.Fatalf("only %d estimates reached DMS: the burst (%d) should go at once", sent, estimateBurst)
	}
}
