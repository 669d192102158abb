package server

import (
	"fmt"
	"net"
	"sync"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish/ratelimiter"
	"golang.org/x/time/rate"
)

// sessionLimits counts open sessions, in total and per user, and refuses one
// more than allowed. Zero means no limit.
type sessionLimits struct {
	maxTotal, maxPerUser int

	mu      sync.Mutex
	total   int
	perUser map[string]int
}

func newSessionLimits(maxTotal, maxPerUser int) *sessionLimits {
	return &sessionLimits{maxTotal: maxTotal, maxPerUser: maxPerUser, perUser: map[string]int{}}
}

// acquire takes a session slot for user. It returns a release function, or
// the one-line reason for the refusal the client is shown.
func (l *sessionLimits) acquire(user string) (release func(), refusal string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.maxPerUser > 0 && l.perUser[user] >= l.maxPerUser {
		return nil, fmt.Sprintf("too many sessions for %s (max %d); close one and try again", user, l.maxPerUser)
	}
	if l.maxTotal > 0 && l.total >= l.maxTotal {
		return nil, fmt.Sprintf("the server is full (%d sessions); try again in a few minutes", l.maxTotal)
	}
	l.total++
	l.perUser[user]++
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.total--
			if l.perUser[user]--; l.perUser[user] <= 0 {
				delete(l.perUser, user)
			}
		})
	}, ""
}

// counts is the number of open sessions, in total and for user.
func (l *sessionLimits) counts(user string) (total, mine int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total, l.perUser[user]
}

// connLimiter is the connection rate limit: perMinute new sessions per
// remote address, in bursts of up to a third of that. It uses wish's
// ratelimiter (a token bucket per address, the least recently seen 10,000
// addresses remembered).
type connLimiter struct {
	perMinute int
	rl        ratelimiter.RateLimiter
}

func newConnLimiter(perMinute int) *connLimiter {
	if perMinute <= 0 {
		return &connLimiter{}
	}
	burst := max(1, perMinute/3)
	return &connLimiter{perMinute: perMinute, rl: ratelimiter.NewRateLimiter(rate.Limit(float64(perMinute)/60), burst, 10_000)}
}

// allow reports whether a session from sess's address may start, or the
// one-line reason it may not.
func (c *connLimiter) allow(sess ssh.Session) string {
	if c.rl == nil {
		return ""
	}
	if err := c.rl.Allow(sess); err != nil {
		return fmt.Sprintf("too many connections from %s (at most %d a minute); wait a minute and try again", hostOf(sess.RemoteAddr()), c.perMinute)
	}
	return ""
}

// hostOf is an address without its port.
func hostOf(a net.Addr) string {
	if a == nil {
		return "?"
	}
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.String()
	}
	if h, _, err := net.SplitHostPort(a.String()); err == nil {
		return h
	}
	return a.String()
}
