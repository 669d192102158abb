package dmssim

import (
	"sync"
	"time"
)

// nonceCache remembers the signature nonces of accepted requests until their
// timestamps leave the acceptance window; a replay after that is refused for
// its timestamp. Expired entries are pruned as the clock moves, so memory is
// bounded by the request rate times the window.
type nonceCache struct {
	mu        sync.Mutex
	expires   map[string]time.Time
	lastPrune time.Time
	pruneSize int // size after the last prune
}

// pruneEvery is how often (in simulator time) expired nonces are dropped.
const pruneEvery = time.Minute

func newNonceCache() *nonceCache {
	return &nonceCache{expires: map[string]time.Time{}}
}

// use records key until expires and reports whether it was unused. now is the
// simulator's clock.
func (c *nonceCache) use(key string, expires, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if until, seen := c.expires[key]; seen && now.Before(until) {
		return false
	}
	if now.Sub(c.lastPrune) >= pruneEvery || len(c.expires) > 2*c.pruneSize+1024 {
		c.prune(now)
	}
	c.expires[key] = expires
	return true
}

func (c *nonceCache) prune(now time.Time) {
	for k, until := range c.expires {
		if !now.Before(until) {
			delete(c.expires, k)
		}
	}
	c.lastPrune = now
	c.pruneSize = len(c.expires)
}

// size is the number of nonces remembered.
func (c *nonceCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.expires)
}
