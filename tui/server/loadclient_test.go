//go:build load

package server

// The client side of the SSH load tool (load_test.go): a separate process, the
// test binary run again, so that the server process's CPU, memory and
// goroutines are the server's and the simulator's alone.

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// loadSpecEnv names the file holding the client process's loadSpec.
const loadSpecEnv = "DMSTICKET_LOAD_SPEC"

// loadSpec is what the server process asks a client process to do.
type loadSpec struct {
	// Mode is "walk" (each session files a ticket) or "idle" (each session
	// opens, shows the type step and waits for stdin to close).
	Mode        string
	Addr        string
	Sessions    []sessionSpec
	Ramp        time.Duration // pause between two session starts
	StepTimeout time.Duration // how long a screen may take to appear
	// Think is the longest pause after a character's echo before the next
	// (each pause drawn uniformly from [0, Think)); zero types as fast as
	// the echoes come.
	Think time.Duration
	// PaceMin and PaceMax, when PaceMax > 0, are a person's pace: every key
	// (a typed character, an enter, a pasted line) is sent a time drawn
	// uniformly from [PaceMin, PaceMax) after the session's previous key,
	// or when the previous key's screen has come, if that is later (the
	// session then counts a late key).
	PaceMin, PaceMax time.Duration
	// Hold is how long the walk sessions stay on their result screen, which
	// follows the ticket, once every session has filed its ticket.
	Hold time.Duration
	// Tickets is how many tickets each walk session files, one after the
	// other (n starts the next); zero: one.
	Tickets int
	Term    string // the pty's TERM
	Result  string // where the loadResult goes, as JSON
}

// sessionSpec is one session: who signs in and what they file.
type sessionSpec struct {
	N       int
	User    string
	KeyFile string // an OpenSSH private key
	Schema  string // typed into the database search
	SQL     string
	Comment string // unique per session: how its ticket is found
}

// loadResult is what a client process measured.
type loadResult struct {
	Errors []string // every failed step, timeout or refusal, one line each
	Done   int      // sessions that reached their goal
	// Echo latencies (nanoseconds): a typed character, from the write to the
	// SSH channel to the chunk of output that shows it.
	SearchEcho, SQLEcho []int64
	// EchoAt and Echo are every echo in the order measured: when its key
	// was sent (nanoseconds since Start) and its latency, for the timeline.
	EchoAt, Echo []int64
	// Steps are per-step waits (nanoseconds) by step name.
	Steps map[string][]int64
	// Notes counts things worth knowing that are not errors.
	Notes map[string]int
	// Start and End bound the run: the first dial, the last goal reached.
	Start, End time.Time
	// Keys is how many keys the walks sent; Late how many of them went
	// later than their pace because the screen before them was slow.
	Keys, Late int
	// Filed is when the last session had its ticket (walks), and Quit when
	// the sessions were told to quit.
	Filed, Quit time.Time
}

// recorder collects a client process's figures from every session.
type recorder struct {
	mu  sync.Mutex
	res loadResult
}

func (r *recorder) fail(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.Errors = append(r.res.Errors, fmt.Sprintf(format, args...))
}

func (r *recorder) echo(search bool, sent time.Time, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.EchoAt = append(r.res.EchoAt, int64(sent.Sub(r.res.Start)))
	r.res.Echo = append(r.res.Echo, int64(d))
	if search {
		r.res.SearchEcho = append(r.res.SearchEcho, int64(d))
	} else {
		r.res.SQLEcho = append(r.res.SQLEcho, int64(d))
	}
}

func (r *recorder) note(what string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.res.Notes == nil {
		r.res.Notes = map[string]int{}
	}
	r.res.Notes[what]++
}

func (r *recorder) step(name string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.res.Steps == nil {
		r.res.Steps = map[string][]int64{}
	}
	r.res.Steps[name] = append(r.res.Steps[name], int64(d))
}

func (r *recorder) keys(sent, late int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.Keys += sent
	r.res.Late += late
}

func (r *recorder) done(at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.Done++
	if at.After(r.res.End) {
		r.res.End = at
	}
}

// TestSSHLoadClientProcess is the client process of TestLoad; it does
// nothing unless TestLoad started it.
func TestSSHLoadClientProcess(t *testing.T) {
	path := os.Getenv(loadSpecEnv)
	if path == "" {
		t.Skip("the client process of TestLoad (load_test.go)")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var spec loadSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	switch spec.Mode {
	case "walk":
		runWalks(spec, rec)
	case "idle":
		runIdle(spec, rec)
	default:
		t.Fatalf("unknown mode %q", spec.Mode)
	}
	out, err := json.Marshal(rec.res)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(spec.Result, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// runWalks starts every session, Ramp apart, and lets each file its ticket.
// A session that has its ticket stays open until every session is done, so
// that all of them are open at the end.
func runWalks(spec loadSpec, rec *recorder) {
	rec.res.Start = time.Now()
	var all, filed sync.WaitGroup
	filed.Add(len(spec.Sessions))
	for i, sp := range spec.Sessions {
		if i > 0 && spec.Ramp > 0 {
			time.Sleep(spec.Ramp)
		}
		all.Add(1)
		go func() {
			defer all.Done()
			var once sync.Once
			reached := func() { once.Do(filed.Done) }
			defer reached()
			ls, err := openLoadSession(spec, sp)
			if err != nil {
				rec.fail("session %d (%s): %v", sp.N, sp.User, err)
				return
			}
			defer ls.close()
			for k := range max(1, spec.Tickets) {
				if k > 0 {
					ls.spec.Comment = ticketComment(sp.Comment, k)
					if _, _, _, err = ls.send("new ticket", "n", allOf("What kind of ticket?", "Export data")); err != nil {
						break
					}
				}
				if err = ls.walk(rec, k == 0); err != nil {
					break
				}
			}
			rec.keys(ls.sent, ls.late)
			if err != nil {
				rec.fail("session %d (%s): %v", sp.N, sp.User, err)
				return
			}
			reached()
			filed.Wait()
			if spec.Hold > 0 {
				time.Sleep(time.Until(holdUntil(rec, spec.Hold)))
			}
			if err := ls.quit(); err != nil {
				rec.fail("session %d (%s): %v", sp.N, sp.User, err)
			}
		}()
	}
	all.Wait()
}

// ticketComment is the comment of a session's k-th ticket (from 0): unique
// to it, how the server side finds it.
func ticketComment(base string, k int) string {
	if k == 0 {
		return base
	}
	return fmt.Sprintf("%s #%d", base, k+1)
}

// holdUntil is when the held sessions quit: Hold after the last ticket was
// filed (stamped by the first session to ask).
func holdUntil(rec *recorder, hold time.Duration) time.Time {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.res.Filed.IsZero() {
		rec.res.Filed = time.Now()
		rec.res.Quit = rec.res.Filed.Add(hold)
	}
	return rec.res.Quit
}

// runIdle opens every session up to the type step, says READY on stdout,
// and holds them until stdin closes.
func runIdle(spec loadSpec, rec *recorder) {
	rec.res.Start = time.Now()
	var mu sync.Mutex
	var open []*loadSession
	var wg sync.WaitGroup
	for i, sp := range spec.Sessions {
		if i > 0 && spec.Ramp > 0 {
			time.Sleep(spec.Ramp)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ls, err := openLoadSession(spec, sp)
			if err != nil {
				rec.fail("idle session %d (%s): %v", sp.N, sp.User, err)
				return
			}
			if _, err := ls.typeStep(rec); err != nil {
				rec.fail("idle session %d (%s): %v", sp.N, sp.User, err)
				ls.close()
				return
			}
			rec.done(time.Now())
			mu.Lock()
			open = append(open, ls)
			mu.Unlock()
		}()
	}
	wg.Wait()
	fmt.Printf("READY %d\n", len(open))
	_, _ = io.Copy(io.Discard, bufio.NewReader(os.Stdin))
	for _, ls := range open {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer ls.close()
			if err := ls.quit(); err != nil {
				rec.fail("idle session %d (%s): %v", ls.spec.N, ls.spec.User, err)
			}
		}()
	}
	wg.Wait()
}

// loadSession is one SSH session with a pty, its output read as it comes.
type loadSession struct {
	spec    sessionSpec
	timeout time.Duration
	think   time.Duration
	// paceMin, paceMax and nextKey pace the keys (loadSpec.PaceMax).
	paceMin, paceMax time.Duration
	nextKey          time.Time
	sent             int // keys sent
	late             int // keys sent after their pace because a screen was slow
	client           *gossh.Client
	sess             *gossh.Session
	in               io.Writer
	scr              *screen
	stderr           *syncBuffer
	exit             chan error
	opened           time.Time // when the dial started
}

func openLoadSession(spec loadSpec, sp sessionSpec) (*loadSession, error) {
	pem, err := os.ReadFile(sp.KeyFile)
	if err != nil {
		return nil, err
	}
	signer, err := gossh.ParsePrivateKey(pem)
	if err != nil {
		return nil, err
	}
	opened := time.Now()
	c, err := gossh.Dial("tcp", spec.Addr, &gossh.ClientConfig{
		User: sp.User, Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: spec.StepTimeout,
	})
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	sess, err := c.NewSession()
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("open a session: %w", err)
	}
	ls := &loadSession{spec: sp, timeout: spec.StepTimeout, think: spec.Think, paceMin: spec.PaceMin, paceMax: spec.PaceMax, client: c, sess: sess, scr: newScreen(80, 24), stderr: &syncBuffer{}, exit: make(chan error, 1), opened: opened}
	sess.Stderr = ls.stderr
	out, err := sess.StdoutPipe()
	if err == nil {
		ls.in, err = sess.StdinPipe()
	}
	if err == nil {
		err = sess.RequestPty(spec.Term, 24, 80, gossh.TerminalModes{})
	}
	if err == nil {
		err = sess.Shell()
	}
	if err != nil {
		ls.close()
		return nil, fmt.Errorf("start the shell: %w", err)
	}
	go ls.scr.read(out)
	go func() { ls.exit <- sess.Wait() }()
	return ls, nil
}

func (ls *loadSession) close() {
	ls.sess.Close()
	ls.client.Close()
}

// await waits for what e expects; the error names the step and shows the
// screen.
func (ls *loadSession) await(step string, e *expectation) (string, time.Time, error) {
	got, at, err := ls.scr.wait(e, ls.timeout)
	if err != nil {
		msg := fmt.Sprintf("step %q: %v", step, err)
		if e := strings.TrimSpace(ls.stderr.String()); e != "" {
			msg += "; stderr: " + e
		}
		return "", at, fmt.Errorf("%s; the screen showed:\n%s", msg, ls.scr.dump())
	}
	return got, at, nil
}

// wait waits until the screen shows what match wants.
func (ls *loadSession) wait(step string, match func(string) string) (string, time.Time, error) {
	e, _ := ls.scr.expect(match)
	return ls.await(step, e)
}

// send writes keys to the session and waits until the screen shows what
// match wants, which it must not show before. It returns when the keys were
// written and when the answer arrived.
func (ls *loadSession) send(step, keys string, match func(string) string) (got string, sent, at time.Time, err error) {
	e, shown := ls.scr.expect(match)
	if shown {
		return "", sent, at, fmt.Errorf("step %q: the screen showed what %q should bring before it was sent:\n%s", step, keys, ls.scr.dump())
	}
	ls.pace()
	ls.sent++
	sent = time.Now()
	if _, err := io.WriteString(ls.in, keys); err != nil {
		return "", sent, at, fmt.Errorf("step %q: sending %q: %w", step, keys, err)
	}
	got, at, err = ls.await(step, e)
	return got, sent, at, err
}

// pace waits for the time of the next key at a person's pace, and draws the
// time of the one after it.
func (ls *loadSession) pace() {
	if ls.paceMax <= 0 {
		return
	}
	now := time.Now()
	if wait := ls.nextKey.Sub(now); wait > 0 {
		time.Sleep(wait)
		now = ls.nextKey
	} else if !ls.nextKey.IsZero() && wait < -time.Millisecond {
		ls.late++
	}
	ls.nextKey = now.Add(ls.paceMin + rand.N(max(ls.paceMax-ls.paceMin, 1)))
}

// sendStep is send, the wait recorded under the step's name.
func (ls *loadSession) sendStep(rec *recorder, step, keys string, match func(string) string) error {
	_, sent, at, err := ls.send(step, keys, match)
	if err == nil {
		rec.step(step, at.Sub(sent))
	}
	return err
}

// typeEchoed types text one character at a time; echo says what the screen
// shows once the first i characters are in. Each wait is an echo latency.
// It returns when the last character was sent.
func (ls *loadSession) typeEchoed(rec *recorder, search bool, step, text string, echo func(i int) func(string) string) (last time.Time, err error) {
	for i := range len(text) {
		if i > 0 && ls.think > 0 {
			time.Sleep(rand.N(ls.think))
		}
		_, sent, at, err := ls.send(step, text[i:i+1], echo(i+1))
		if err != nil {
			return sent, err
		}
		rec.echo(search, sent, at.Sub(sent))
		last = sent
	}
	return last, nil
}

// typeStep waits for the first screen, the type step. A user's drafts are
// shared by their sessions, so a session may first be offered another's
// unfinished ticket: it starts a new one (the draft is kept aside).
func (ls *loadSession) typeStep(rec *recorder) (time.Time, error) {
	typeStep := allOf("What kind of ticket?", "Export data")
	got, at, err := ls.wait("first screen", anyOf("What kind of ticket?", "Resume the unfinished ticket?"))
	if err != nil {
		return at, err
	}
	if got == "Resume the unfinished ticket?" {
		rec.note("offered a draft to resume (answered n)")
		_, _, at, err = ls.send("draft declined", "n", typeStep)
		return at, err
	}
	_, at, err = ls.wait("type step", typeStep)
	return at, err
}

// walk files a data export through the whole wizard, waiting for every
// screen before the next key.
func (ls *loadSession) walk(rec *recorder, first bool) error {
	sp := ls.spec
	at, err := ls.typeStep(rec)
	if err != nil {
		return err
	}
	if first {
		rec.step("connect to type step", at.Sub(ls.opened))
	}
	got, sent, _, err := ls.send("type chosen", keyEnter, anyOf("Which tenant?", "Which database?"))
	if err != nil {
		return err
	}
	if got == "Which tenant?" {
		if _, _, err := ls.wait("tenant list", anyOf("Acme Retail (3000001)")); err != nil {
			return err
		}
		if _, _, _, err := ls.send("tenant chosen", keyEnter, anyOf("Which database?")); err != nil {
			return err
		}
	}
	_, at, err = ls.wait("database list", anyOf("found in DMS"))
	if err != nil {
		return err
	}
	rec.step("type chosen to database list", at.Sub(sent))

	if _, err := ls.typeEchoed(rec, true, "search echo", sp.Schema[:len(sp.Schema)-1], func(i int) func(string) string {
		return anyOf("Search: " + sp.Schema[:i])
	}); err != nil {
		return err
	}
	// The last key: its echo, then the list for the whole name. A list of
	// one may already show for the name less its last letter (when typing
	// paused longer than the search's debounce); the result is then not
	// timed.
	result := allOf("1 shown · 1 found in DMS", "▌ "+sp.Schema)
	if ls.think > 0 {
		time.Sleep(rand.N(ls.think))
	}
	primed := ls.scr.shows(result)
	if primed {
		rec.note("search result for the name less its last letter shown before the last key")
	}
	_, sent, at, err = ls.send("search echo", sp.Schema[len(sp.Schema)-1:], anyOf("Search: "+sp.Schema))
	if err != nil {
		return err
	}
	rec.echo(true, sent, at.Sub(sent))
	_, at, err = ls.wait("search result", result)
	if err != nil {
		return err
	}
	if !primed {
		rec.step("last search key to result", at.Sub(sent))
	}
	if err := ls.sendStep(rec, "database chosen to SQL step", keyEnter, anyOf("SQL · read-only")); err != nil {
		return err
	}

	// The SQL, one line: each character's echo is the text so far on screen
	// with the cursor after it in the status line (a space alone would match
	// the cursor cell).
	sent, err = ls.typeEchoed(rec, false, "SQL echo", sp.SQL, func(i int) func(string) string {
		return allOf(sp.SQL[:i], fmt.Sprintf("line 1, col %d ·", i+1))
	})
	if err != nil {
		return err
	}
	_, at, err = ls.wait("SQL check", anyOf("every statement is allowed"))
	if err != nil {
		return err
	}
	rec.step("last SQL key to check", at.Sub(sent))
	// The comment and the reason go in one write each, like a paste.
	for _, s := range []struct{ step, keys, want string }{
		{"SQL done to details", keyCtrlS, "┃ Comment"},
		{"comment typed", sp.Comment, "> " + sp.Comment},
		{"comment to reason", keyEnter, "┃ Reason"},
		{"reason typed", "finance report", "> finance report"},
		{"reason to related users", keyEnter, "┃ Related users"},
		{"related users to attachment", keyEnter, "┃ Attachment key"},
		{"attachment to affected-row check", keyEnter, "┃ Ignore the affected-row check?"},
	} {
		if err := ls.sendStep(rec, s.step, s.keys, anyOf(s.want)); err != nil {
			return err
		}
	}
	// The EXPLAIN started on leaving the SQL step: if it has not answered
	// when the form ends, the form asks for the figure by hand, as it would
	// a person.
	review := "Review · the request exactly as it will be sent"
	got, sent, at, err = ls.send("details to review", keyEnter, anyOf(review, "┃ Affected rows"))
	if err != nil {
		return err
	}
	if got != review {
		rec.note("asked for the affected rows by hand (the EXPLAIN had not answered when the form ended)")
		if _, _, _, err := ls.send("affected rows typed", "1000", anyOf("> 1000")); err != nil {
			return err
		}
		if _, _, _, err := ls.send("affected rows to review", keyEnter, anyOf(review)); err != nil {
			return err
		}
	} else {
		rec.step("details to review", at.Sub(sent))
	}
	// A dev or test database: the review asks for no typed confirmation.
	if got, _, err := ls.wait("review figure", anyOf("estimate (EXPLAIN)", "entered by hand")); err != nil {
		return err
	} else if got != "estimate (EXPLAIN)" {
		rec.note("reviewed with the figure entered by hand")
	}
	if err := ls.sendStep(rec, "submit to ticket created", keyEnter, anyOf("Ticket created")); err != nil {
		return err
	}
	rec.done(time.Now())
	return nil
}

// quit ends the session with ctrl+c and waits for it to close cleanly.
func (ls *loadSession) quit() error {
	if _, err := io.WriteString(ls.in, keyCtrlC); err != nil {
		return fmt.Errorf("sending ctrl+c: %w", err)
	}
	select {
	case err := <-ls.exit:
		var ee *gossh.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("ended with exit status %d: %s", ee.ExitStatus(), strings.TrimSpace(ls.stderr.String()))
		}
		if err != nil {
			return fmt.Errorf("ended without a status: %w", err)
		}
		return nil
	case <-time.After(ls.timeout):
		return fmt.Errorf("did not end within %s of ctrl+c", ls.timeout)
	}
}
