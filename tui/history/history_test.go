package history

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"dmsticket/dms"
	"dmsticket/tui/draft"
)

func open(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func load(t *testing.T, s *Store) History {
	t.Helper()
	h, err := s.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return h
}

func db(id int64, name string) dms.Database {
	return dms.Database{ID: id, SchemaName: name, Host: "10.0.0.1", Port: 3306, DbType: "mysql", Env: dms.Env("dev")}
}

func TestHistoryRoundTripsWhatAFiledTicketLeaves(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state", "dmsticket", "history.json")
	s := open(t, path)
	if h := load(t, s); len(h.Tickets) != 0 || h.LastTenant != nil {
		t.Fatalf("a missing file is not an empty history: %+v", h)
	}
	tk := dms.Ticket{
		Type: "DC_COMMON", Tenant: dms.Tenant{ID: 3000001, Name: "Acme", Status: "ACTIVE"},
		Database: db(1001, "orders"), More: []dms.Database{db(1002, "orders_shard_01")},
		Comment: "fix stuck orders", RelatedUsers: []int64{2000002, 2000003},
	}
	if err := s.RecordFiled(tk, 9001); err != nil {
		t.Fatal(err)
	}
	h := load(t, open(t, path))
	d, ok := h.Defaults()
	if !ok || d.Tenant != (dms.Tenant{ID: 3000001, Name: "Acme"}) || !reflect.DeepEqual(d.RelatedUsers, []int64{2000002, 2000003}) {
		t.Errorf("defaults = %+v, %v; want Acme (3000001) with 2000002, 2000003 (the status is not kept)", d, ok)
	}
	if got := h.Databases(3000001); !reflect.DeepEqual(got, []dms.Database{tk.Database, tk.More[0]}) {
		t.Errorf("recent databases = %+v; want the ticket's, in its order", got)
	}
	if !h.IsRecent(3000001, tk.More[0]) || h.IsRecent(3000002, tk.Database) {
		t.Error("IsRecent must answer per tenant")
	}
	tickets := h.TicketsIn(3000001)
	if len(tickets) != 1 || tickets[0].ID != 9001 || tickets[0].Type != "DC_COMMON" || tickets[0].Comment != "fix stuck orders" ||
		tickets[0].Database != "orders@10.0.0.1:3306 and 1 more" || tickets[0].Created.IsZero() {
		t.Errorf("tickets = %+v", tickets)
	}
	if len(h.TicketsIn(3000002)) != 0 {
		t.Error("another tenant's tickets listed")
	}

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("history mode = %v; want 0600", fi.Mode().Perm())
	}
	if di, _ := os.Stat(filepath.Dir(path)); di.Mode().Perm() != 0o700 {
		t.Errorf("directory mode = %v; want 0700", di.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	var probe map[string]any
	if err := json.Unmarshal(b, &probe); err != nil || probe["version"] != float64(Version) {
		t.Errorf("the file is not versioned JSON: %s", b)
	}
}

func TestRecentDatabasesAreNewestFirstOncePerIDAndLogicAndCapped(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "history.json"))
	for i := int64(1); i <= MaxDatabases+5; i++ {
		if err := s.RecordDatabase(7, db(i, fmt.Sprintf("db%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	// Chosen again: to the front, not twice.
	if err := s.RecordDatabase(7, db(10, "db10")); err != nil {
		t.Fatal(err)
	}
	// A logical database with the ID of a physical one is another database.
	logical := dms.Database{ID: 24, Logic: true, SchemaName: "orders_logic"}
	if err := s.RecordDatabase(7, logical); err != nil {
		t.Fatal(err)
	}
	got := load(t, s).Databases(7)
	if len(got) != MaxDatabases {
		t.Fatalf("%d recent databases; want the cap, %d", len(got), MaxDatabases)
	}
	var ids []string
	for _, d := range got {
		ids = append(ids, fmt.Sprintf("%d%s", d.ID, map[bool]string{true: "L"}[d.Logic]))
	}
	want := "24L 10 25 24 23 22 21 20 19 18 17 16 15 14 13 12 11 9 8 7"
	if strings.Join(ids, " ") != want {
		t.Errorf("order = %s\nwant    %s", strings.Join(ids, " "), want)
	}

	// Several at once (a data change's): the first given is the newest.
	if err := s.RecordDatabase(7, db(3, "c"), db(2, "b"), db(3, "c")); err != nil {
		t.Fatal(err)
	}
	got = load(t, s).Databases(7)
	if got[0].ID != 3 || got[1].ID != 2 || got[2].ID != 24 {
		t.Errorf("after two at once: %d %d %d…; want 3 2 24…", got[0].ID, got[1].ID, got[2].ID)
	}
}

func TestDefaultsFollowTheLastTicketAndRelatedUsersStayWithTheirTenant(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "history.json"))
	if err := s.RecordDefaults(dms.Tenant{ID: 1, Name: "one"}, []int64{11, 12, 11, -3}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordDefaults(dms.Tenant{ID: 2, Name: "two"}, []int64{21}); err != nil {
		t.Fatal(err)
	}
	h := load(t, s)
	d, _ := h.Defaults()
	if d.Tenant.ID != 2 || !reflect.DeepEqual(d.RelatedUsers, []int64{21}) {
		t.Errorf("defaults = %+v; want tenant two with 21", d)
	}
	if got := h.RelatedUsers(1); !reflect.DeepEqual(got, []int64{11, 12}) {
		t.Errorf("tenant one's related users = %v; want 11, 12 (once each, positive)", got)
	}
}

func TestTicketsAreNewestFirstOnceAndCapped(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "history.json"))
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	err := s.Update(func(h *History) {
		for i := 1; i <= MaxTickets+10; i++ {
			h.AddTicket(Ticket{ID: int64(i), Tid: 1, Type: "DATA_EXPORT", Comment: "c", Created: base.Add(time.Duration(i) * time.Minute)})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	// Recorded again (the same ticket, a later record): once.
	if err := s.RecordTicket(Ticket{ID: 300, Tid: 1, Type: "DATA_EXPORT", Comment: "again", Created: base.Add(300 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	// A long comment is bounded.
	if err := s.RecordTicket(Ticket{ID: 9999, Tid: 1, Type: "NDDL", Comment: strings.Repeat("é", dms.MaxCommentLen+50)}); err != nil {
		t.Fatal(err)
	}
	h := load(t, s)
	if len(h.Tickets) != MaxTickets {
		t.Fatalf("%d tickets; want the cap %d", len(h.Tickets), MaxTickets)
	}
	if h.Tickets[0].ID != 9999 || h.Tickets[1].ID != MaxTickets+10 {
		t.Errorf("newest first: got %d, %d", h.Tickets[0].ID, h.Tickets[1].ID)
	}
	if n := len([]rune(h.Tickets[0].Comment)); n != dms.MaxCommentLen {
		t.Errorf("comment kept with %d characters; want %d", n, dms.MaxCommentLen)
	}
	count := 0
	for _, tk := range h.Tickets {
		if tk.ID == 300 {
			count++
			if tk.Comment != "again" {
				t.Errorf("ticket 300 = %+v; want the later record", tk)
			}
		}
		if tk.ID <= 11 {
			t.Errorf("ticket %d kept; the oldest fall off the end", tk.ID)
		}
	}
	if count != 1 {
		t.Errorf("ticket 300 listed %d times", count)
	}
}

func TestHistoryFilesArePerUserAndNeverShared(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	users := []string{
		"alice", "Alice", "ALICE", "bob", "张伟", "李四", "王五", "__", "_",
		"../../etc/passwd", "a/b", `a\b`, ".hidden", "alice.json", "alice-demo",
		"evil\x1b]0;owned\x07", "evil\x1b[2J", "evil", "\x00", "", " alice",
		strings.Repeat("x", 300), strings.Repeat("x", 301),
	}
	paths := map[string]string{}
	for _, u := range users {
		p, err := DefaultPath(u)
		if err != nil {
			t.Fatal(err)
		}
		if other, dup := paths[p]; dup {
			t.Fatalf("users %q and %q share the history %s", other, u, p)
		}
		paths[p] = u
		rel, err := filepath.Rel(filepath.Join(state, "dmsticket"), p)
		if err != nil || strings.HasPrefix(rel, "..") {
			t.Fatalf("history of %q at %s: outside the state directory", u, p)
		}
		if u != "" && filepath.Dir(p) != filepath.Join(state, "dmsticket", "history") {
			t.Errorf("history of %q at %s: not in dmsticket/history", u, p)
		}
		if strings.ContainsAny(filepath.Base(p), "\x00\x1b\x07/\\") {
			t.Errorf("history of %q is named %q", u, filepath.Base(p))
		}
		dp, _ := draft.DefaultPath(u)
		if dp == p || draft.DemoPath(dp) == p {
			t.Errorf("history of %q is a draft's path %s", u, p)
		}
		if DemoPath(p) == p {
			t.Errorf("the demo history of %q is the real one", u)
		}
	}
	// Each user writes their own: every file holds its user's ticket only.
	i := int64(0)
	for p := range paths {
		i++
		if err := open(t, p).RecordTicket(Ticket{ID: i, Tid: 1, Comment: paths[p]}); err != nil {
			t.Fatal(err)
		}
	}
	for p, u := range paths {
		h := load(t, open(t, p))
		if len(h.Tickets) != 1 || h.Tickets[0].Comment != u {
			t.Errorf("history of %q holds %+v", u, h.Tickets)
		}
	}
}

func TestHostileTextRoundTripsAndCannotBreakTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.json")
	s := open(t, path)
	hostile := "orders\x1b[2J\x1b]0;title\x07\r\n\"},{\"version\":2}\u202e\x00"
	d := dms.Database{ID: 5, SchemaName: hostile, SearchName: hostile, Alias: hostile, Env: dms.Env(hostile)}
	if err := s.RecordDatabase(1, d); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordTicket(Ticket{ID: 1, Tid: 1, Type: hostile, Comment: hostile, Database: hostile}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordDefaults(dms.Tenant{ID: 1, Name: hostile}, nil); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if bytes.IndexByte(b, 0x1b) >= 0 || bytes.IndexByte(b, 0) >= 0 || bytes.IndexByte(b, '\n') >= 0 {
		t.Errorf("raw control bytes in the file: %q", b)
	}
	h := load(t, s)
	if got := h.Databases(1); len(got) != 1 || !reflect.DeepEqual(got[0], d) {
		t.Errorf("database = %+v; want it byte for byte", got)
	}
	if h.Tickets[0].Comment != hostile || h.LastTenant.Name != hostile {
		t.Errorf("text changed: %q, %q", h.Tickets[0].Comment, h.LastTenant.Name)
	}
}

func TestADamagedHistoryIsSetAsideAndAnEmptyOneUsed(t *testing.T) {
	cases := map[string][]byte{
		"not JSON":        []byte("{\"version\":1,\"tickets\":[{\"id\":"),
		"no version":      []byte(`{"tickets":[]}`),
		"another version": []byte(`{"version":99}`),
		"wrong types":     []byte(`{"version":1,"tickets":"many"}`),
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "history.json")
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			s := open(t, path)
			h, err := s.Load()
			var sa *SetAsideError
			if !errors.As(err, &sa) {
				t.Fatalf("Load = %v; want a *SetAsideError", err)
			}
			if len(h.Tickets) != 0 || h.LastTenant != nil {
				t.Errorf("history = %+v; want empty", h)
			}
			if !strings.Contains(err.Error(), sa.Path) || !strings.Contains(err.Error(), "could not be used") {
				t.Errorf("message %q does not say what happened and where the file went", err)
			}
			if kept, _ := os.ReadFile(sa.Path); !bytes.Equal(kept, content) {
				t.Errorf("set-aside file holds %q; want the damaged bytes", kept)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the damaged file is still at %s", path)
			}
			if _, err := s.Load(); err != nil {
				t.Errorf("second Load = %v; want a clean empty history", err)
			}
		})
	}

	t.Run("too large", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "history.json")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(maxSize + 1); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if _, err := open(t, path).Load(); !IsSetAside(err) {
			t.Errorf("Load = %v; want set aside", err)
		}
	})

	t.Run("found by a change", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "history.json")
		if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
			t.Fatal(err)
		}
		s := open(t, path)
		err := s.RecordTicket(Ticket{ID: 42, Tid: 1, Comment: "kept"})
		if !IsSetAside(err) {
			t.Fatalf("RecordTicket = %v; want the set-aside said", err)
		}
		h := load(t, s)
		if len(h.Tickets) != 1 || h.Tickets[0].ID != 42 {
			t.Errorf("history = %+v; want the new ticket recorded in a new history", h)
		}
	})
}

// Two copies of dmsticket (stores of their own on one file, as two SSH
// sessions of one user, or two terminals) record at once: nothing is lost.
func TestConcurrentStoresLoseNoEntry(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.json")
	const writers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			s, err := Open(path)
			if err != nil {
				errs <- err
				return
			}
			for i := 0; i < each; i++ {
				id := int64(w*1000 + i + 1)
				if err := s.RecordTicket(Ticket{ID: id, Tid: 1, Comment: "w" + strconv.Itoa(w)}); err != nil {
					errs <- err
				}
				if err := s.RecordDefaults(dms.Tenant{ID: int64(100 + w)}, []int64{id}); err != nil {
					errs <- err
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	h := load(t, open(t, path))
	checkAllTickets(t, h, writers, each)
	if len(h.Tenants) != writers {
		t.Errorf("%d tenants recorded; want %d", len(h.Tenants), writers)
	}
}

// The same across processes: the test binary runs itself as the writers.
func TestConcurrentProcessesLoseNoEntry(t *testing.T) {
	if os.Getenv("HISTORY_HELPER_PATH") != "" {
		t.Skip("helper")
	}
	path := filepath.Join(t.TempDir(), "history.json")
	const procs, each = 4, 25
	cmds := make([]*exec.Cmd, procs)
	for p := range cmds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHistoryHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), "HISTORY_HELPER_PATH="+path, "HISTORY_HELPER_WRITER="+strconv.Itoa(p), "HISTORY_HELPER_EACH="+strconv.Itoa(each))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[p] = cmd
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("writer %d: %s", p, out.String())
			}
		})
	}
	for p, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("writer %d: %v", p, err)
		}
	}
	checkAllTickets(t, load(t, open(t, path)), procs, each)
}

// TestHistoryHelperProcess is one writer of TestConcurrentProcessesLoseNoEntry.
func TestHistoryHelperProcess(t *testing.T) {
	path := os.Getenv("HISTORY_HELPER_PATH")
	if path == "" {
		t.Skip("run by TestConcurrentProcessesLoseNoEntry")
	}
	w, _ := strconv.Atoi(os.Getenv("HISTORY_HELPER_WRITER"))
	each, _ := strconv.Atoi(os.Getenv("HISTORY_HELPER_EACH"))
	s := open(t, path)
	for i := 0; i < each; i++ {
		if err := s.RecordTicket(Ticket{ID: int64(w*1000 + i + 1), Tid: 1, Comment: "w" + strconv.Itoa(w)}); err != nil {
			t.Fatal(err)
		}
	}
}

func checkAllTickets(t *testing.T, h History, writers, each int) {
	t.Helper()
	have := map[int64]bool{}
	for _, tk := range h.Tickets {
		have[tk.ID] = true
	}
	missing := 0
	for w := 0; w < writers; w++ {
		for i := 0; i < each; i++ {
			if !have[int64(w*1000+i+1)] {
				missing++
			}
		}
	}
	if missing > 0 || len(h.Tickets) != writers*each {
		t.Errorf("%d of %d tickets lost (%d kept)", missing, writers*each, len(h.Tickets))
	}
}

func TestMergeListsEachTicketOnceNewestFirst(t *testing.T) {
	at := func(m int) time.Time { return time.Date(2025, 3, 1, 10, m, 0, 0, time.UTC) }
	recorded := []Ticket{
		{ID: 5, Tid: 1, Type: "DATA_EXPORT", Comment: "ours", Database: "orders@h:3306", Created: at(5)},
		{ID: 9, Tid: 1, Type: "NDDL", Comment: "not listed yet", Created: at(9)},
		{ID: 7, Tid: 2, Type: "NDDL", Comment: "another tenant", Created: at(7)},
	}
	listed := []dms.Order{
		{ID: 8, PluginType: "DATA_EXPORT", Comment: "filed in the console", Created: at(8)},
		{ID: 5, PluginType: "DATA_EXPORT", Comment: "ours", Created: at(4)},
	}
	got := Merge(recorded, listed, 1)
	var ids []int64
	for _, tk := range got {
		ids = append(ids, tk.ID)
	}
	if !reflect.DeepEqual(ids, []int64{9, 8, 5}) {
		t.Fatalf("ids = %v; want 9 8 5", ids)
	}
	if got[2].Database != "orders@h:3306" || !got[2].Created.Equal(at(4)) {
		t.Errorf("ticket 5 = %+v; want our database name and DMS's time", got[2])
	}
	// Over SSH: the records alone.
	if got := Merge(recorded, nil, 1); len(got) != 2 || got[0].ID != 9 {
		t.Errorf("records alone = %+v", got)
	}
}
