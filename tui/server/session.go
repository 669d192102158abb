package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/log"
	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"

	"dmsticket/dms"
	"dmsticket/tui"
)

// Why the server ended a session (the client is told in one line).
const (
	// {draft} becomes " (your draft is kept)" when it is.
	reasonShutdown = "the server shut down{draft}; try again in a minute."
	reasonMaxTime  = "sessions last at most %s{draft}; reconnect to go on."
	reasonIdle     = "session closed after %s without a key{draft}."
)

// liveSession is a running wizard the server may have to talk to: the
// shutdown banner, the end of the grace period, the session time limit.
type liveSession struct {
	p      *tea.Program
	mu     sync.Mutex
	reason string // why the server ended it; empty: it ended by itself
	ending bool
	// ran is closed when the program has returned, done when the session's
	// handler has; hangUp closes the session's channel, cut its connection.
	ran, done   chan struct{}
	hangUp, cut func()
}

// stuckWait is how long a program the server ends may take to return before
// its session's channel is closed under it; teardownWait how long the
// session's handler may then take before its whole connection is.
const (
	stuckWait    = 2 * time.Second
	teardownWait = 5 * time.Second
)

// end quits the program, recording why (the first reason wins), without
// waiting for it. A program writing a frame to a client that reads nothing
// (its SSH window full) is stuck in that write, and takes no message: if
// it has not returned stuckWait later, its session's channel is closed,
// which fails the write once the client's SSH layer answers the close;
// if the handler has still not returned teardownWait after that (a client
// that answers nothing), the whole connection is closed, and with it any
// other session on it (found by an adversarial run: one such client held
// the whole shutdown, and an idle session its slot, for minutes).
func (l *liveSession) end(reason string) {
	l.mu.Lock()
	if l.reason == "" {
		l.reason = reason
	}
	first := !l.ending
	l.ending = true
	l.mu.Unlock()
	if !first {
		return
	}
	go l.p.Quit() // Send waits for the program's loop
	if l.done == nil {
		return
	}
	go func() {
		select {
		case <-l.ran:
		case <-time.After(stuckWait):
			if l.hangUp != nil {
				l.hangUp()
			}
		}
		select {
		case <-l.done:
		case <-time.After(teardownWait):
			if l.cut != nil {
				l.cut()
			}
		}
	}()
}

func (l *liveSession) endReason() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reason
}

func (s *Server) register(l *liveSession) {
	s.liveMu.Lock()
	s.live[l] = struct{}{}
	s.liveMu.Unlock()
}

func (s *Server) unregister(l *liveSession) {
	s.liveMu.Lock()
	delete(s.live, l)
	s.liveMu.Unlock()
}

func (s *Server) liveSessions() []*liveSession {
	s.liveMu.Lock()
	defer s.liveMu.Unlock()
	out := make([]*liveSession, 0, len(s.live))
	for l := range s.live {
		out = append(out, l)
	}
	return out
}

func (s *Server) liveCount() int {
	s.liveMu.Lock()
	defer s.liveMu.Unlock()
	return len(s.live)
}

// broadcast sends msg to every running wizard. Send blocks until a program
// takes the message, so each gets its own goroutine.
func (s *Server) broadcast(msg tea.Msg) {
	for _, l := range s.liveSessions() {
		go l.p.Send(msg)
	}
}

// endAll ends every running wizard.
func (s *Server) endAll(reason string) {
	for _, l := range s.liveSessions() {
		l.end(reason)
	}
}

// runWizard is the session handler: the middlewares have admitted the
// session, and it builds the wizard's program and runs it, with the window
// loop, the idle and maximum-time watchers, and the teardown.
func (s *Server) runWizard(sess ssh.Session) {
	ctx := sess.Context()
	u, who, logger := userKey.from(ctx), callerKey.from(ctx), logKey.from(ctx)
	// runCtx ends with the program: the window loop and the following of
	// a ticket end with it.
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	model, screen, p, in := s.newProgram(sess, runCtx)
	live := &liveSession{p: p, ran: make(chan struct{}), done: make(chan struct{}),
		hangUp: func() { _ = sess.Close() }, cut: func() { closeConnection(sess) }}
	defer close(live.done)
	s.register(live)
	defer s.unregister(live)

	in.OnLongPaste = func() {
		logger.Warn("session ended: a paste longer than the limit", "max_paste", s.maxPaste)
		live.end(fmt.Sprintf(reasonLongPaste, dms.HumanBytes(int64(s.maxPaste))))
	}

	_, winch, _ := sess.Pty()
	go feedWindowChanges(runCtx, p, winch)
	defer s.watch(live, in, logger)()
	if s.draining.Load() {
		go p.Send(tui.NoticeMsg{Text: s.shutdownNotice()})
	}
	pty, _, _ := sess.Pty()
	total, mine := s.limits.counts(u.Name)
	logger.Info("session start", "fingerprint", who.Fingerprint, "login", logText(who.Login), "term", logText(pty.Term),
		"width", pty.Window.Width, "height", pty.Window.Height, "profile", u.Profile, "sessions", total, "user_sessions", mine)
	start := time.Now()
	screen.open()
	_, err := p.Run()
	close(live.ran)
	cancel()       // the program has ended: so has everything it had running
	screen.close() // before the line saying why the session ended
	s.endSession(sess, live, model, err, start)
}

// closeConnection closes the SSH connection sess came on (every channel of
// it): a write blocked on the client's window fails, whatever the client.
func closeConnection(sess ssh.Session) {
	if c, ok := sess.Context().Value(ssh.ContextKeyConn).(gossh.Conn); ok {
		_ = c.Close()
		return
	}
	_ = sess.Close()
}

// newProgram builds the session's wizard: tui.New with the session's
// options (its user, DMS service and draft, the server's backend) and its
// own renderer, in a program reading the session's input through an
// activity reader (the idle watcher's) and drawing it in frames (frames.go).
func (s *Server) newProgram(sess ssh.Session, runCtx context.Context) (*tui.Model, *frameModel, *tea.Program, *activityReader) {
	ctx := sess.Context()
	u, svc, d := userKey.from(ctx), serviceKey.from(ctx), draftKey.from(ctx)
	pty, _, _ := sess.Pty()
	env := sess.Environ()
	b := s.cfg.Backend
	model := tui.New(tui.Options{
		Service: svc, Region: b.Region, Endpoint: b.Endpoint, Demo: b.Demo, Tenant: s.cfg.Tenant,
		Credentials: credentialOrigin(svc),
		User:        &u.User,
		Renderer:    newRenderer(sess, pty.Term, env),
		Mono:        s.cfg.Mono || noColor(env),
		Local:       false, // no external editor, no files on the server
		ConsoleURL:  b.ConsoleURL,
		// No IdleTimeout: the server watches the session's input instead
		// (watchIdle), so the program keeps no tick pending.
		Drafts: d.store, Draft: d.resume, DraftNotice: d.notice,
		History: s.histories.get(u.Name, s.cfg.Backend.Demo, s.log),
		// A session reads only the status of the ticket it created, and
		// all sessions together at most StatusReads a second.
		PollLimit: s.pollLimit,
		PollEvery: s.pollEvery,
		// No read or wait of the session's is left once it has ended.
		Context: runCtx,
	})
	in := newActivityReader(sess, s.maxPaste)
	screen := newFrameModel(model, sess)
	p := tea.NewProgram(screen,
		tea.WithInput(in), tea.WithOutput(sess),
		// frameModel draws the screen (the alternate screen, as
		// WithAltScreen would) and the cursor does not blink (frames.go).
		tea.WithoutRenderer(), tea.WithFilter(dropBlinks),
		// The server's SIGINT and SIGTERM are the server's: a program must
		// not quit on them by itself (the grace period decides).
		tea.WithoutSignalHandler(),
		tea.WithEnvironment(append(append([]string{}, env...), "TERM="+pty.Term)),
	)
	in.Send = p.Send
	return model, screen, p, in
}

// watch ends the session after --max-session-time, and after
// --idle-timeout without a key; stop stops both watchers.
func (s *Server) watch(live *liveSession, in *activityReader, logger *log.Logger) (stop func()) {
	stops := []func(){}
	if limit := s.cfg.MaxSessionTime; limit > 0 {
		t := time.AfterFunc(limit, func() { live.end(fmt.Sprintf(reasonMaxTime, limit)) })
		stops = append(stops, func() { t.Stop() })
	}
	if limit := s.cfg.IdleTimeout; limit > 0 {
		stops = append(stops, watchIdle(in, limit, func() {
			logger.Info("session idle", "idle_timeout", limit)
			live.end(fmt.Sprintf(reasonIdle, limit))
		}))
	}
	return func() {
		for _, stop := range stops {
			stop()
		}
	}
}

// endSession is the teardown of a session whose program has ended, however
// it ended (the server ending it, the connection dropping, the idle
// timeout): what was typed is kept in the draft, the draft let go and the
// slot freed (so the client can reconnect at once), then the client is told
// why the session ended, if the server ended it. A program that panicked
// keeps no draft and is refused.
func (s *Server) endSession(sess ssh.Session, live *liveSession, model *tui.Model, runErr error, start time.Time) {
	ctx := sess.Context()
	logger, d, freeSlot := logKey.from(ctx), draftKey.from(ctx), slotKey.from(ctx)
	if errors.Is(runErr, tea.ErrProgramPanic) {
		logger.Error("the wizard panicked; this session ended, the server goes on", "err", runErr)
		d.letGo()
		freeSlot()
		refuse(sess, "the wizard stopped on an internal error (logged on the server); reconnect to start again")
		return
	}
	kept := strings.NewReplacer("{draft}", "")
	if d.store != nil {
		if err := model.SaveDraft(); err != nil {
			logger.Warn("the draft could not be saved", "path", d.store.Path(), "err", err)
		} else {
			kept = strings.NewReplacer("{draft}", " (your draft is kept)")
		}
	}
	d.letGo()
	freeSlot()
	switch reason := live.endReason(); {
	case reason != "":
		logger.Info("session ended by the server", "reason", kept.Replace(reason), "duration", time.Since(start).Round(time.Second))
		fmt.Fprintln(sess, "dmsticket: "+kept.Replace(reason))
	case runErr != nil && ctx.Err() == nil:
		logger.Warn("the wizard ended with an error", "err", runErr)
	default:
		logger.Info("session end", "duration", time.Since(start).Round(time.Second))
	}
	_ = sess.Exit(0)
}

// feedWindowChanges hands the program the session's window changes, clamped
// again (requests.go clamps them on the wire), until ctx ends, which ends
// the program too. Once this returns, takeWindowChanges goes on taking them.
// The channel closes when the connection drops, at about the moment ctx
// ends, and may be seen first: the program still quits on ctx.
func feedWindowChanges(ctx context.Context, p *tea.Program, winch <-chan ssh.Window) {
	for {
		select {
		case <-ctx.Done():
			p.Quit()
			return
		case w, ok := <-winch:
			if !ok {
				winch = nil // no more window changes; ctx still ends the program
				continue
			}
			width, height := clampWindow(w.Width, w.Height)
			p.Send(tea.WindowSizeMsg{Width: width, Height: height})
		}
	}
}

// watchIdle calls end once r has had no input for limit (STYLE.md trap 4:
// wish's IdleTimeout counts the wizard's own output as activity). It is a
// timer, re-armed for the time left whenever it finds input came since: no
// goroutine waits while the session lives, and nothing of the session is
// kept once stop is called.
func watchIdle(r *activityReader, limit time.Duration, end func()) (stop func()) {
	var mu sync.Mutex
	var t *time.Timer
	mu.Lock()
	defer mu.Unlock()
	t = time.AfterFunc(limit, func() {
		mu.Lock()
		if idle := r.idleFor(); idle < limit {
			t.Reset(limit - idle)
			mu.Unlock()
			return
		}
		mu.Unlock()
		end()
	})
	return func() {
		mu.Lock()
		defer mu.Unlock()
		t.Stop()
	}
}

// activityReader is the session's input (tui.Input: a paste gathered and
// bounded, reads ending between characters and outside escape sequences),
// noting when the last byte came in (for the idle timeout). A paste longer
// than the limit ends the input (io.EOF; OnLongPaste is called, once, and
// nothing more is read). Read is the program's input loop's alone; Send
// is set once the program exists.
type activityReader struct {
	*tui.Input
	last *atomic.Int64 // unix nanoseconds
}

func newActivityReader(r io.Reader, maxPaste int) *activityReader {
	last := new(atomic.Int64)
	last.Store(time.Now().UnixNano())
	in := tui.NewInput(stamped{r, last})
	in.MaxPaste = maxPaste
	return &activityReader{Input: in, last: last}
}

// stamped notes when r last gave bytes.
type stamped struct {
	r    io.Reader
	last *atomic.Int64
}

func (s stamped) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if n > 0 {
		s.last.Store(time.Now().UnixNano())
	}
	return n, err
}

func (a *activityReader) idleFor() time.Duration { return time.Since(time.Unix(0, a.last.Load())) }
