package draft

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dmsticket/dms"
)

func sample() Draft {
	return Draft{Step: "SQL", Search: "orders", Filter: "online", Ticket: dms.Ticket{
		Type: "DATA_EXPORT", Database: dms.Database{ID: 1100023, SchemaName: "orders_dev", DbType: "mysql", Env: dms.EnvDev},
		SQL: "SELECT 1;\n-- ünïcødé and \x1b escapes survive as data\n", Comment: "c",
	}}
}

func TestSaveAndLoadRoundTripWithPrivateMode(t *testing.T) {
	dir := t.TempDir()
	s := NewStore(filepath.Join(dir, "sub", "draft.json"))
	if err := s.Save(sample()); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.Path())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", fi.Mode(), err)
	}
	if di, _ := os.Stat(filepath.Dir(s.Path())); di.Mode().Perm() != 0o700 {
		t.Fatalf("directory mode %v", di.Mode())
	}
	d, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if d.Ticket.SQL != sample().Ticket.SQL || d.Step != "SQL" || d.Search != "orders" || d.SavedAt.IsZero() {
		t.Fatalf("%+v", d)
	}
	entries, _ := os.ReadDir(filepath.Dir(s.Path()))
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

func TestNoDraftIsErrNone(t *testing.T) {
	if _, err := NewStore(filepath.Join(t.TempDir(), "x.json")).Load(); !errors.Is(err, ErrNone) {
		t.Fatal(err)
	}
}

func TestUnusableDraftsAreSetAsideNotFatal(t *testing.T) {
	cases := map[string]string{
		"truncated":       `{"version":1,"step":"SQL","ticket":{"sql":"SELE`,
		"not json":        "\x00\x01garbage",
		"foreign version": `{"version":99,"step":"SQL"}`,
		"no version":      `{"step":"SQL"}`,
		"wrong types":     `{"version":1,"ticket":{"sql":42}}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "draft.json")
			if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := NewStore(p).Load()
			var aside *SetAsideError
			if !errors.As(err, &aside) {
				t.Fatalf("%T %v", err, err)
			}
			if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("the unusable draft is still in the way")
			}
			if b, err := os.ReadFile(aside.Path); err != nil || string(b) != body {
				t.Fatalf("the set-aside copy lost the bytes: %v", err)
			}
		})
	}
}

func TestRemoveAndDiscard(t *testing.T) {
	p := filepath.Join(t.TempDir(), "draft.json")
	s := NewStore(p)
	_ = s.Save(sample())
	if err := s.Discard(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p + ".discarded"); err != nil {
		t.Fatal("discarded draft not kept aside")
	}
	_ = s.Save(sample())
	if err := s.Remove(); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(); err != nil {
		t.Fatal("removing no draft is not an error")
	}
}

func TestDefaultPathPerUserUnderXDGStateHome(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/state")
	if p, _ := DefaultPath(""); p != "/state/dmsticket/draft.json" {
		t.Fatal(p)
	}
	if p, _ := DefaultPath("alice"); p != "/state/dmsticket/drafts/alice.json" {
		t.Fatal(p)
	}
	for _, hostile := range []string{"../../etc/passwd", "..", "a/b", ""} {
		p, _ := DefaultPath(hostile + "x")
		if filepath.Dir(p) != "/state/dmsticket/drafts" {
			t.Errorf("%q escapes the drafts directory: %s", hostile, p)
		}
	}
	t.Setenv("XDG_STATE_HOME", "relative/is/ignored")
	t.Setenv("HOME", "/home/u")
	if p, _ := DefaultPath(""); p != "/home/u/.local/state/dmsticket/draft.json" {
		t.Fatal(p)
	}
	if DemoPath("/x/draft.json") != "/x/draft-demo.json" {
		t.Fatal(DemoPath("/x/draft.json"))
	}
}

func TestDraftHoldsNoSecretFields(t *testing.T) {
	b, _ := Encode(sample())
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	s := strings.ToLower(string(b))
	for _, bad := range []string{"secret", "accesskey", "token", "password"} {
		if strings.Contains(s, bad) {
			t.Errorf("draft JSON mentions %q: %s", bad, b)
		}
	}
}

// FuzzParse: the draft reader never panics, and anything it accepts encodes
// and parses again to the same draft.
func FuzzParse(f *testing.F) {
	good, _ := Encode(sample())
	f.Add(good)
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{"version":1,"ticket":{"affectRows":{"at":"2026-01-01T00:00:00Z"}}}`))
	f.Add([]byte(`{"version":"1"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, reason := Parse(b)
		if d == nil {
			if reason == "" {
				t.Fatal("refused without a reason")
			}
			return
		}
		again, err := Encode(*d)
		if err != nil {
			t.Fatalf("an accepted draft does not encode: %v", err)
		}
		d2, reason := Parse(again)
		if d2 == nil {
			t.Fatalf("re-encoded draft refused: %s", reason)
		}
		if d2.Ticket.SQL != d.Ticket.SQL || d2.Step != d.Step {
			t.Fatal("round trip changed the draft")
		}
	})
}

// TestNamesThatCleanToTheSameTextNeverShareADraft: 张伟 and 李娜 both clean
// to "__"; Alice and alice differ only in case; each gets its own file.
func TestNamesThatCleanToTheSameTextNeverShareADraft(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	drafts := filepath.Join(state, "dmsticket", "drafts")
	seen := map[string]string{}
	for _, name := range []string{"张伟", "李娜", "__", "Alice", "alice", "ALICE", "a b", "a_b", "a/b", "../x", ".", "..", "o'brien", "obrien"} {
		p, err := DefaultPath(name)
		if err != nil {
			t.Fatal(err)
		}
		if other, dup := seen[p]; dup {
			t.Fatalf("%q and %q share %s", name, other, p)
		}
		seen[p] = name
		if filepath.Dir(p) != drafts || strings.HasPrefix(filepath.Base(p), ".") {
			t.Fatalf("%q is not a plain file in the drafts directory: %s", name, p)
		}
	}
	if p, _ := DefaultPath("alice"); filepath.Base(p) != "alice.json" {
		t.Errorf("a plain name keeps its file name, got %s", p)
	}
}

// TestADraftHeldByAnotherWizardIsDetected: the second lock on the same draft
// fails with the holder named; once released it can be taken.
func TestADraftHeldByAnotherWizardIsDetected(t *testing.T) {
	s := NewStore(filepath.Join(t.TempDir(), "dmsticket", "draft.json"))
	release, err := s.Lock()
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewStore(s.Path()).Lock()
	var le *LockedError
	if !errors.As(err, &le) || le.PID != os.Getpid() {
		t.Fatalf("second lock: %v, want a LockedError naming process %d", err, os.Getpid())
	}
	release()
	again, err := NewStore(s.Path()).Lock()
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	again()
}

// A draft whose SQL is larger than a ticket can hold is not written (the
// last one that fitted stays): Load refused such a file and set it aside,
// so every session that pasted too much left one more file of that size
// on the server's disk.
func TestADraftTooLargeForATicketIsNotWritten(t *testing.T) {
	s := NewStore(filepath.Join(t.TempDir(), "draft.json"))
	small := Draft{Step: "SQL", Ticket: dms.Ticket{Type: "DATA_EXPORT", SQL: "SELECT 1"}}
	if err := s.Save(small); err != nil {
		t.Fatal(err)
	}
	for _, big := range []dms.Ticket{
		{Type: "DATA_EXPORT", SQL: strings.Repeat("x", dms.MaxSQLBytes+1)},
		{Type: "DC_COMMON", SQL: "DELETE FROM t WHERE id = 1", RollbackSQL: strings.Repeat("x", dms.MaxSQLBytes+1)},
	} {
		if err := s.Save(Draft{Step: "SQL", Ticket: big}); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("Save of a draft over the limit = %v, want ErrTooLarge", err)
		}
		if _, err := Encode(Draft{Ticket: big}); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("Encode of a draft over the limit = %v, want ErrTooLarge", err)
		}
	}
	d, err := s.Load()
	if err != nil || d.Ticket.SQL != "SELECT 1" {
		t.Fatalf("the draft that fitted is gone: %+v %v", d, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(s.Path()))
	if len(entries) != 1 {
		t.Errorf("the directory holds %d files, want the one draft", len(entries))
	}
}

// No two people, and no one's demo and another's real work, share a file:
// a name that cleans to another's, or differs in case, gets a hash; and a
// plain name ending in "-demo" does too, or "alice-demo"'s drafts would be
// "alice"'s in --demo (DemoPath adds "-demo").
func TestNoTwoUsersOrModesShareAFile(t *testing.T) {
	dir := t.TempDir()
	users := []string{"alice", "alice-demo", "Alice", "alice~", "张伟", "李娜", "bob.demo", "bob-demo-demo", "bob-demo"}
	seen := map[string]string{}
	for _, u := range users {
		for _, demo := range []bool{false, true} {
			p := filepath.Join(dir, FileName(u)+".json")
			if demo {
				p = DemoPath(p)
			}
			who := fmt.Sprintf("%q (demo %t)", u, demo)
			if other, ok := seen[p]; ok {
				t.Errorf("%s and %s share %s", who, other, filepath.Base(p))
			}
			seen[p] = who
		}
	}
	if got := FileName("alice"); got != "alice" {
		t.Errorf("a plain name's file: %q", got)
	}
}

// The resume question names every database a data change acts on: it
// named the first of three (found by an adversarial walk).
func TestTheSummaryOfADataChangeCountsItsDatabases(t *testing.T) {
	d := Draft{Ticket: dms.Ticket{Type: "DC_COMMON", Database: dms.Database{ID: 1, SchemaName: "order_shard_00"},
		More: []dms.Database{{ID: 2, SchemaName: "order_shard_01"}, {ID: 3, SchemaName: "order_shard_02"}}}}
	if got := d.Summary(); !strings.Contains(got, "on order_shard_00 and 2 more databases") {
		t.Errorf("the summary: %q", got)
	}
	d.Ticket.More = d.Ticket.More[:1]
	if got := d.Summary(); !strings.Contains(got, "on order_shard_00 and 1 more database,") && !strings.HasSuffix(got, "and 1 more database") {
		t.Errorf("the summary with one more: %q", got)
	}
}
