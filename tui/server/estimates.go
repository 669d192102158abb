package server

import (
	"context"
	"sync"

	"golang.org/x/time/rate"

	"dmsticket/dms"
)

// Each user's EXPLAIN and COUNT runs (ExecuteScript, the row estimates) go
// at most estimateRate a second once a burst of estimateBurst is spent
// (every database of the largest data change at once). Cancelling an
// estimate drops its HTTP call but not the query the database already
// runs: ctrl+t pressed again and again sent hundreds of COUNT(*) a second
// to DMS and the database, and DMS throttled the server's identity for
// everybody. An estimate beyond the pace waits, and a cancelled one that
// waits is never sent.
const (
	estimateRate  = 4
	estimateBurst = dms.MaxDatabases
)

// estimateLimits is the pace of each user's estimates, shared by their
// sessions.
type estimateLimits struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter
}

func (l *estimateLimits) wait(ctx context.Context, user string) error {
	l.mu.Lock()
	lim, ok := l.m[user]
	if !ok {
		if l.m == nil {
			l.m = map[string]*rate.Limiter{}
		}
		lim = rate.NewLimiter(estimateRate, estimateBurst)
		l.m[user] = lim
	}
	l.mu.Unlock()
	return lim.Wait(ctx)
}
