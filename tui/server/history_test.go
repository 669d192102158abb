package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Over SSH each user has a history of their own (PRODUCT section 15): the
// databases alice chose come first for alice, marked recent, and never for
// bob; each file is the user's alone, 0600.
func TestHistoryIsPerSSHUserAndNeverShared(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002}, userSpec{name: "bob", dmsID: 2000003})
	e.start(e.config())

	tm := e.openTerm("alice", "xterm-256color", 100, 40)
	e.fileTicket(tm, "Paid orders for alice")
	tm.send(keyCtrlC)
	tm.wait()

	recentLine := func(tm *term) (string, bool) {
		for _, l := range strings.Split(tm.text(), "\n") {
			if strings.Contains(l, "orders_dev") && strings.Contains(l, "recent") {
				return l, true
			}
		}
		return "", false
	}

	// alice again: before anything is typed, orders_dev is first, recent.
	tm = e.openTerm("alice", "xterm-256color", 100, 40)
	tm.waitFor("What kind of ticket?")
	tm.waitFor("Export data")
	tm.send(keyEnter)
	tm.waitFor("Which database?")
	tm.waitFor("recent")
	if _, ok := recentLine(tm); !ok {
		t.Fatalf("alice's second session does not offer orders_dev as recent:\n%s", tm.tail())
	}
	tm.send(keyCtrlC)
	tm.wait()

	// bob: the same server, nothing of alice's.
	tb := e.openTerm("bob", "xterm-256color", 100, 40)
	tb.waitFor("What kind of ticket?")
	tb.waitFor("Export data")
	tb.send(keyEnter)
	if got, _ := tb.waitAny(screenTimeout, "Which tenant?", "Which database?"); got == "Which tenant?" {
		tb.waitFor("Acme Retail (3000001)")
		tb.send(keyEnter)
	}
	tb.waitFor("found in DMS")
	if l, ok := recentLine(tb); ok || strings.Contains(tb.text(), "recent") {
		t.Errorf("bob is offered alice's recent database: %q\n%s", l, tb.tail())
	}
	tb.send(keyCtrlC)
	tb.wait()

	// The files: one per user, beside the drafts, 0600; alice's names the
	// database, bob's (if any) does not.
	dir := filepath.Join(os.Getenv("XDG_STATE_HOME"), "dmsticket", "history")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no history files in %s (%v)", dir, err)
	}
	var alice string
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, fi.Mode().Perm())
		}
		b, _ := os.ReadFile(f)
		switch base := filepath.Base(f); {
		case strings.HasPrefix(base, "alice"):
			alice = string(b)
		case strings.HasPrefix(base, "bob") && strings.Contains(string(b), "orders_dev"):
			t.Errorf("bob's history %s names alice's database:\n%s", f, b)
		}
	}
	if !strings.Contains(alice, "orders_dev") {
		t.Errorf("alice's history does not name orders_dev (files %v):\n%s", files, alice)
	}
}
