package server

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// Over a real SSH session no key runs a process on the server: ctrl+e, in
// the SQL editor and in a schema design's description, with the server's
// $VISUAL and $EDITOR set to a command that leaves a file, leaves none, and
// the session goes on (the key is said to be off, or does nothing).
func TestNoKeyOverSSHRunsTheServersEditor(t *testing.T) {
	mark := filepath.Join(t.TempDir(), "EDITOR_RAN")
	t.Setenv("VISUAL", "touch "+mark+" #")
	t.Setenv("EDITOR", "touch "+mark+" #")
	t.Setenv("TMPDIR", t.TempDir())
	ran := func(where string) {
		t.Helper()
		if _, err := os.Stat(mark); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("ctrl+e %s ran the server's editor (%v)", where, err)
		}
	}
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	e.start(e.config())

	tm := e.openTerm("alice", "xterm-256color", 100, 30)
	toDatabase := func(typeKeys string) {
		t.Helper()
		tm.waitFor("What kind of ticket?")
		tm.waitFor("Export data")
		tm.send(typeKeys + keyEnter)
		if got, _ := tm.waitAny(screenTimeout, "Which tenant?", "Which database?"); got == "Which tenant?" {
			tm.waitFor("Acme Retail (3000001)")
			tm.send(keyEnter)
		}
		tm.waitFor("found in DMS")
	}
	toDatabase("")
	tm.send("orders_dev")
	tm.waitFor("1 shown · 1 found in DMS")
	tm.send(keyEnter)
	tm.waitFor("SQL · read-only")
	tm.send(keyCtrlE)
	tm.waitFor("The external editor is not available over SSH.")
	ran("in the SQL editor")

	tm = e.openTerm("alice", "xterm-256color", 100, 30)
	toDatabase("\x1b[B") // down: a schema design
	tm.send("users_dev")
	tm.waitFor("1 shown · 1 found in DMS")
	tm.send(keyEnter)
	tm.waitFor("┃ Comment")
	tm.send("login is slow" + keyEnter)
	tm.waitFor("┃ Title")
	tm.send("add index" + keyEnter)
	tm.waitFor("┃ Description")
	tm.send(keyCtrlE + "after the key")
	_, ok := tm.waitAny(screenTimeout, "┃ after the key")
	ran("in the description")
	if !ok {
		t.Fatalf("the description did not take the keys after ctrl+e; the screen showed:\n%s", tm.tail())
	}
}
