package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/log"
	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/tui/wizard"
)

// Keys a test sends, as a terminal would.
const (
	keyEnter = "\r"
	keyCtrlS = "\x13"
	keyCtrlC = "\x03"
	keyCtrlE = "\x05"
)

// waitTimeout bounds every wait for the screen.
const screenTimeout = 10 * time.Second

// simUser is the DMS user the default test credential acts as (the seed's
// demo user, a member of two tenants).
const simUser = 2000001

// userSpec is one users-file entry of a test.
type userSpec struct {
	name    string
	dmsID   int64
	profile string
	types   []string
	envs    []string
}

// testEnv is a simulator, a users file with a generated key per user, and a
// running server on 127.0.0.1:0.
type testEnv struct {
	t         *testing.T
	sim       *dmssim.Running
	client    *dms.Client
	dir       string
	usersPath string
	auditPath string
	keys      map[string]gossh.Signer
	specs     []userSpec
	srv       *Server
	addr      string
	logs      *syncBuffer
	cancel    context.CancelFunc
	done      chan error
	// connect, when set, is the backend's AsProfile.
	connect func(profile string) (dms.Service, error)
	// prepare, when set, changes the server before it starts serving.
	prepare func(*Server)
}

// startSim runs the simulator on the repository's seed with one credential
// acting as uid.
func startSim(t *testing.T, creds ...dmssim.Credential) *dmssim.Running {
	t.Helper()
	seed, err := dmssim.LoadSeedFile("../../testdata/sim/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) == 0 {
		creds = []dmssim.Credential{{AccessKeyID: "serve-test-id", AccessKeySecret: "serve-test-secret", UserID: simUser}}
	}
	sim, err := dmssim.Start(dmssim.Options{Seed: seed, Credentials: creds})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

// simClient is an SDK client signing as cred against sim.
func simClient(t *testing.T, sim *dmssim.Running, cred dmssim.Credential) *dms.Client {
	t.Helper()
	c, err := dms.NewClient(dms.Config{Endpoint: sim.Endpoint, Credentials: dms.StaticCredentials(cred.AccessKeyID, cred.AccessKeySecret)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newKey makes an ed25519 key: the signer and its authorized_keys line.
func newKey(t *testing.T, comment string) (gossh.Signer, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey()))) + " " + comment
	return s, line
}

// usersYAML writes the users file for specs with the keys' lines.
func usersYAML(specs []userSpec, lines map[string]string) string {
	var b strings.Builder
	b.WriteString("users:\n")
	for _, u := range specs {
		fmt.Fprintf(&b, "  - name: %s\n    keys:\n      - %s\n", u.name, lines[u.name])
		if u.dmsID != 0 {
			fmt.Fprintf(&b, "    dms_user_id: %d\n", u.dmsID)
		}
		if u.profile != "" {
			fmt.Fprintf(&b, "    profile: %s\n", u.profile)
		}
		if len(u.types) > 0 {
			fmt.Fprintf(&b, "    ticket_types: [%s]\n", strings.Join(u.types, ", "))
		}
		if len(u.envs) > 0 {
			fmt.Fprintf(&b, "    environments: [%s]\n", strings.Join(u.envs, ", "))
		}
	}
	return b.String()
}

// newEnv prepares keys, the users file and the simulator; start runs the
// server.
func newEnv(t *testing.T, specs ...userSpec) *testEnv {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state")) // drafts
	e := &testEnv{t: t, dir: dir, keys: map[string]gossh.Signer{}, specs: specs, logs: &syncBuffer{}}
	lines := map[string]string{}
	for _, u := range specs {
		e.keys[u.name], lines[u.name] = newKey(t, u.name+"@test")
	}
	e.usersPath = filepath.Join(dir, "users.yaml")
	if err := os.WriteFile(e.usersPath, []byte(usersYAML(specs, lines)), 0o600); err != nil {
		t.Fatal(err)
	}
	e.auditPath = filepath.Join(dir, "audit.jsonl")
	e.sim = startSim(t)
	e.client = simClient(t, e.sim, e.sim.Credential)
	return e
}

// config is the server configuration tests start from: generous limits, no
// timeouts, a short grace.
func (e *testEnv) config() Config {
	connect := e.connect
	if connect == nil {
		connect = func(string) (dms.Service, error) { return e.client, nil }
	}
	return Config{
		HostKeyPath: filepath.Join(e.dir, "host_ed25519"),
		UsersPath:   e.usersPath,
		AuditPath:   e.auditPath,
		MaxSessions: 20, MaxSessionsPerUser: 5,
		Grace:     2 * time.Second,
		RateLimit: 600,
		Backend:   wizard.Backend{AsProfile: connect, Region: "cn-hangzhou", Endpoint: e.sim.Endpoint, Demo: true},
		Logger:    log.NewWithOptions(e.logs, log.Options{Level: log.DebugLevel}),
	}
}

// start runs the server with cfg (from e.config, changed by the test).
func (e *testEnv) start(cfg Config) *Server {
	t := e.t
	t.Helper()
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if e.prepare != nil {
		e.prepare(srv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.srv, e.addr, e.cancel, e.done = srv, ln.Addr().String(), cancel, make(chan error, 1)
	go func() { e.done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-e.done:
		case <-time.After(15 * time.Second):
			t.Error("the server did not stop within 15s")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", e.logs.String())
		}
	})
	return srv
}

// dial connects with the named user's key.
// signedIn is a connection signed in as name, closed when the test ends.
func (e *testEnv) signedIn(name string) *gossh.Client {
	e.t.Helper()
	c, err := e.dial(name)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.Close() })
	return c
}

func (e *testEnv) dial(name string) (*gossh.Client, error) {
	signer, ok := e.keys[name]
	if !ok {
		return nil, fmt.Errorf("no key for %s", name)
	}
	return dialWith(e.addr, "whoever", gossh.PublicKeys(signer))
}

func dialWith(addr, login string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User: login, Auth: auth,
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Timeout:         5 * time.Second,
	})
}

// term is an SSH session with a pty, its output collected as a screen.
type term struct {
	t      *testing.T
	client *gossh.Client
	sess   *gossh.Session
	in     io.WriteCloser
	out    *syncBuffer
	mark   int // the stripped output before this was consumed by waits
	exit   chan error
}

// openTerm signs in as name and starts the wizard in a pty of the given
// TERM and size (and session environment).
func (e *testEnv) openTerm(name, termName string, w, h int, env ...string) *term {
	t := e.t
	t.Helper()
	c, err := e.dial(name)
	if err != nil {
		t.Fatalf("dial as %s: %v", name, err)
	}
	return openTermOn(t, c, termName, w, h, env...)
}

func openTermOn(t *testing.T, c *gossh.Client, termName string, w, h int, env ...string) *term {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if err := sess.Setenv(k, v); err != nil {
			t.Fatal(err)
		}
	}
	tm := &term{t: t, client: c, sess: sess, out: &syncBuffer{}, exit: make(chan error, 1)}
	sess.Stdout, sess.Stderr = tm.out, tm.out
	if tm.in, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty(termName, h, w, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() { tm.exit <- sess.Wait() }()
	t.Cleanup(func() { sess.Close(); c.Close() })
	return tm
}

// text is everything the session printed, escape sequences removed.
func (tm *term) text() string { return ansi.Strip(tm.out.String()) }

// waitFor waits until s appears in output not yet consumed, and consumes up
// to its end.
func (tm *term) waitFor(s string) {
	tm.t.Helper()
	if _, ok := tm.waitAny(screenTimeout, s); !ok {
		tm.t.Fatalf("waited %s for %q; the screen showed:\n%s", screenTimeout, s, tm.tail())
	}
}

// waitAny waits until one of ss appears and returns which.
func (tm *term) waitAny(timeout time.Duration, ss ...string) (string, bool) {
	deadline := time.Now().Add(timeout)
	for {
		txt := tm.text()
		rest := txt[min(tm.mark, len(txt)):]
		best, at := "", -1
		for _, s := range ss {
			if i := strings.Index(rest, s); i >= 0 && (at < 0 || i < at) {
				best, at = s, i
			}
		}
		if at >= 0 {
			tm.mark += at + len(best)
			return best, true
		}
		if time.Now().After(deadline) {
			return "", false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// tail is the last part of the output, for failure messages.
func (tm *term) tail() string {
	txt := tm.text()
	if len(txt) > 3000 {
		txt = txt[len(txt)-3000:]
	}
	return txt
}

// send types keys.
func (tm *term) send(keys string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.in, keys); err != nil {
		tm.t.Fatalf("sending %q: %v", keys, err)
	}
}

// wait waits for the session to end and returns its exit status.
func (tm *term) wait() int {
	tm.t.Helper()
	select {
	case err := <-tm.exit:
		var ee *gossh.ExitError
		if errors.As(err, &ee) {
			return ee.ExitStatus()
		}
		if err != nil {
			tm.t.Fatalf("session ended without a status: %v", err)
		}
		return 0
	case <-time.After(screenTimeout):
		tm.t.Fatalf("the session did not end; the screen showed:\n%s", tm.tail())
		return -1
	}
}

// walkToReview files a data export through the wizard up to the review:
// type, tenant (if asked), the database found by search, the SQL, the
// details. It waits for every screen before typing.
func (tm *term) walkToReview(search, sql, comment string) {
	tm.t.Helper()
	tm.walkToReviewWith(search, sql, comment, "")
}

// walkToReviewWith is walkToReview typing related users too.
func (tm *term) walkToReviewWith(search, sql, comment, related string) {
	tm.t.Helper()
	tm.waitFor("What kind of ticket?")
	tm.waitFor("Export data")
	tm.send(keyEnter)
	if got, ok := tm.waitAny(screenTimeout, "Which tenant?", "Which database?"); !ok {
		tm.t.Fatalf("no tenant or database step; the screen showed:\n%s", tm.tail())
	} else if got == "Which tenant?" {
		// The tenant's row, not the header's name (the header names it
		// too): the step may move on by itself once the tenants are in, and
		// an enter sent then would pick a database.
		if got, ok := tm.waitAny(screenTimeout, "▌ Acme Retail (3000001)", "Which database?"); !ok {
			tm.t.Fatalf("no tenant row and no database step; the screen showed:\n%s", tm.tail())
		} else if got != "Which database?" {
			tm.send(keyEnter)
			tm.waitFor("Which database?")
		}
	}
	tm.waitFor("found in DMS")
	tm.send(search)
	tm.waitFor("1 shown · 1 found in DMS")
	tm.send(keyEnter)
	tm.waitFor("SQL · read-only")
	tm.send(sql)
	tm.waitFor("every statement is allowed")
	tm.send(keyCtrlS)
	tm.waitFor("┃ Comment")
	tm.send(comment)
	tm.waitFor("> " + comment)
	tm.send(keyEnter)
	tm.waitFor("┃ Reason")
	tm.send("finance report")
	tm.waitFor("> finance report")
	tm.send(keyEnter)
	tm.waitFor("┃ Related users")
	if related != "" {
		tm.send(related)
		tm.waitFor("> " + related)
	}
	tm.send(keyEnter)
	tm.waitFor("┃ Attachment key")
	tm.send(keyEnter)
	tm.waitFor("┃ Ignore the affected-row check?")
	tm.send(keyEnter)
	tm.waitFor("Review · the request exactly as it will be sent")
	tm.waitFor("estimate (EXPLAIN)")
}

// auditRecords reads the audit log.
func auditRecords(t *testing.T, path string) []AuditRecord {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []AuditRecord
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var r AuditRecord
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		out = append(out, r)
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitIdle waits until the server has no open session.
func waitIdle(srv *Server, d time.Duration) bool { return waitOpen(srv, 0, d) }

// waitOpen waits until the server has at most n open sessions.
func waitOpen(srv *Server, n int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for srv.liveCount() > n {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

func fingerprint(k gossh.PublicKey) string { return gossh.FingerprintSHA256(k) }
