package server

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	gossh "golang.org/x/crypto/ssh"
)

// maxLogLine is more than any line the server logs should need.
const maxLogLine = 512

// The login name is the client's to choose, up to the SSH packet size: the
// log and the audit keep at most maxLoginBytes of it, cut on a rune boundary.
func TestAHugeLoginNameIsCutInTheLogAndTheAudit(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	e.start(e.config())
	// 100 KiB; "€" is three bytes, so a cut at a byte count lands mid-rune.
	login := "ab" + strings.Repeat("€", 100<<10/3)

	stranger, _ := newKey(t, "mallory@laptop")
	if _, err := dialWith(e.addr, login, gossh.PublicKeys(stranger)); err == nil {
		t.Fatal("an unknown key signed in")
	}
	// A command, refused.
	c, err := dialWith(e.addr, login, gossh.PublicKeys(e.keys["alice"]))
	if err != nil {
		t.Fatal(err)
	}
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	_, _ = sess.CombinedOutput("ls")
	c.Close()
	// A ticket filed: the audit record names the login.
	c, err = dialWith(e.addr, login, gossh.PublicKeys(e.keys["alice"]))
	if err != nil {
		t.Fatal(err)
	}
	tm := openTermOn(t, c, "xterm-256color", 100, 40)
	e.fileTicket(tm, "Paid orders, huge login")
	tm.send(keyCtrlC)
	tm.wait()
	c.Close()

	recs := auditRecords(t, e.auditPath)
	if len(recs) != 1 {
		t.Fatalf("%d audit records, want 1", len(recs))
	}
	got := recs[0].Login
	if len(got) > maxLoginBytes || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") || !strings.HasPrefix(login, strings.TrimSuffix(got, "…")) {
		t.Errorf("audit login = %q (%d bytes), want the login cut to at most %d bytes on a rune boundary, marked", got, len(got), maxLoginBytes)
	}

	var logs string
	for deadline := time.Now().Add(screenTimeout); ; time.Sleep(10 * time.Millisecond) {
		if logs = e.logs.String(); strings.Count(logs, " disconnect ") >= 2 || time.Now().After(deadline) {
			break
		}
	}
	for _, want := range []string{"auth refused", "refused: a command was asked for", " connect ", "session start", " disconnect "} {
		if !strings.Contains(logs, want) {
			t.Errorf("no %q line in the log", want)
		}
	}
	for _, l := range strings.Split(logs, "\n") {
		if len(l) > maxLogLine {
			t.Errorf("a log line of %d bytes (want at most %d): %.300s…", len(l), maxLogLine, l)
		}
	}
	if !strings.Contains(logs, "login=ab€") || !strings.Contains(logs, got) {
		t.Errorf("the cut login %q is not in the log", got)
	}
}

func TestTruncateCutsOnARuneBoundaryAndMarksTheCut(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"short", 64, "short"},
		{"exactly8", 8, "exactly8"},
		{"abcdefghij", 8, "abcde…"},
		{"ab€€€", 7, "ab…"},  // the cut falls in the first €
		{"ab€€€", 9, "ab€…"}, // … in the second
		{"€€€€", 7, "€…"},
		{"\x80\x80\x80\x80\x80\x80\x80\x80\x80", 6, "\x80\x80\x80…"}, // not UTF-8: cut where it falls
	} {
		got := truncate(c.s, c.n)
		if got != c.want || len(got) > max(c.n, len(c.s)) {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
	}
}

// A login name and a TERM with line breaks stay on the server's log line:
// quoted, the breaks escaped. Before, "x\n2026-… WARN …" wrote a line of
// the client's own at the start of a line of the log (found by an
// adversarial run).
func TestALineBreakInTheLoginNameOrTERMForgesNoLogLine(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	e.start(e.config())
	const forged = "2026-12-02T01:00:00Z WARN auth refused: key not in the users file fingerprint=SHA256:forged"
	c, err := dialWith(e.addr, "x\n"+forged, gossh.PublicKeys(e.keys["alice"]))
	if err != nil {
		t.Fatal(err)
	}
	tm := openTermOn(t, c, "xterm\n"+forged, 100, 40)
	tm.waitFor("What kind of ticket?")
	tm.send(keyCtrlC)
	tm.wait()
	c.Close()
	var logs string
	for deadline := time.Now().Add(screenTimeout); ; time.Sleep(10 * time.Millisecond) {
		if logs = e.logs.String(); strings.Contains(logs, " disconnect ") || time.Now().After(deadline) {
			break
		}
	}
	for _, l := range strings.Split(logs, "\n") {
		if l != "" && !strings.HasPrefix(l, "INFO ") && !strings.HasPrefix(l, "DEBU ") && !strings.HasPrefix(l, "WARN ") {
			t.Errorf("a log line that is not the server's: %q", l)
		}
		if strings.HasPrefix(strings.TrimLeft(l, " │"), "2026-12-02T01:00:00Z") {
			t.Errorf("the client's text starts a log line: %q", l)
		}
	}
	if !strings.Contains(logs, `login="x\n2026-12-02T01:00:00Z WARN`) {
		t.Errorf("the login is not in the log, quoted:\n%s", logs)
	}
}

// Keys not in the users file, refused by the hundred, are logged one by one
// up to refusalLines in each refusalLogEvery, then counted (found by an
// adversarial run: 550 lines a second from one address).
func TestAFloodOfRefusedKeysDoesNotFloodTheLog(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	e.start(e.config())
	stranger, _ := newKey(t, "mallory@laptop")
	const tries = 3 * refusalLines
	for range tries {
		if c, err := dialWith(e.addr, "mallory", gossh.PublicKeys(stranger)); err == nil {
			c.Close()
			t.Fatal("an unknown key signed in")
		}
	}
	if n := strings.Count(e.logs.String(), "auth refused: key not in the users file"); n > refusalLines {
		t.Errorf("%d refusals logged one by one of %d, want at most %d", n, tries, refusalLines)
	}
	var r refusalLog
	now := time.Now()
	for i := range refusalLines + 5 {
		if log, _ := r.allow(now); log != (i < refusalLines) {
			t.Fatalf("refusal %d: logged %v", i, log)
		}
	}
	if log, unlogged := r.allow(now.Add(refusalLogEvery)); !log || unlogged != 5 {
		t.Errorf("the next window's first refusal: logged %v, %d unlogged said; want true, 5", log, unlogged)
	}

	// With no refusal after them, the count is said at the window's end.
	said := make(chan int, 1)
	q := refusalLog{flush: func(n int) { said <- n }}
	start := time.Now().Add(-refusalLogEvery + 50*time.Millisecond) // the window ends in 50 ms
	for range refusalLines + 3 {
		q.allow(start)
	}
	select {
	case n := <-said:
		if n != 3 {
			t.Errorf("the count said at the window's end is %d, want 3", n)
		}
	case <-time.After(5 * time.Second):
		t.Error("the refusals not logged were never said")
	}
}
