package tui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/tui/history"
)

// The wizard remembers (PRODUCT section 15): recent databases first, the
// last ticket's tenant and related users, My tickets, filing one again.

func historyOptions(t *testing.T, sim *simulator) (Options, *history.Store) {
	t.Helper()
	h, err := history.Open(filepath.Join(t.TempDir(), "history.json"))
	if err != nil {
		t.Fatal(err)
	}
	o := testOptions(sim.client)
	o.History = h
	return o, h
}

// fileExport files an export on schema from the type step, and waits for
// the result.
func (u *ui) fileExport(schema, sql, related string) snapshot {
	u.t.Helper()
	u.toExportDetails(schema, sql)
	u.field("Q3 export for finance")
	u.waitField("classify")
	u.field("quarterly report")
	u.waitField("related")
	if related != "" {
		u.key(tea.KeyCtrlU)
	}
	u.field(related)
	u.waitField("attachment")
	u.enter()
	u.waitField("ignore")
	u.enter()
	u.waitStep(StepReview)
	u.enter()
	return u.waitText("Ticket created")
}

func TestTheNextTicketStartsFromWhatTheLastOneChose(t *testing.T) {
	sim := newSimulator(t)
	o, h := historyOptions(t, sim)
	u := startUI(t, o, 100, 30)
	u.fileExport("orders_dev", "SELECT id FROM orders", "2000002")
	u.runes("n")
	u.waitStep(StepType)
	u.enter() // Export data
	// The tenant is the last ticket's: not asked again.
	s := u.waitStep(StepDatabase)
	u.waitText("recent")
	s = u.snap()
	lines := strings.Split(s.view, "\n")
	first := ""
	for _, l := range lines {
		if strings.HasPrefix(l, "▌ ") {
			first = l
			break
		}
	}
	if !strings.Contains(first, "orders_dev") || !strings.Contains(first, "recent") {
		t.Fatalf("the recent database is not the first row, marked recent:\n%s", s.view)
	}
	u.enter() // the recent database, looked up in DMS again
	u.waitStep(StepSQL)
	u.waitFor("the recent database confirmed by DMS", func(s snapshot) bool { return s.ticket.Database.Env == dms.EnvDev })
	u.typ("SELECT id FROM orders WHERE id < 10")
	u.key(tea.KeyCtrlR)
	u.waitText("estimate (EXPLAIN)")
	u.key(tea.KeyCtrlS)
	u.waitField("comment")
	if got := u.snap().ticket.RelatedUsers; len(got) != 1 || got[0] != 2000002 {
		t.Fatalf("the related users are %v, want the last ticket's [2000002]", got)
	}
	hist, err := h.Load()
	if err != nil || len(hist.Tickets) != 1 {
		t.Fatalf("the history holds %d tickets (%v), want the one filed", len(hist.Tickets), err)
	}
}

// TestTheLastTenantIsNotAskedEvenWhenTheTenantsAreSlow: the user's last
// ticket was in a tenant of several; the next wizard starts and the user
// picks a type before DMS has listed the tenants. The tenant step waits for
// the list, and then moves on by itself to the database step with the
// remembered tenant, as it does when the list came first.
func TestTheLastTenantIsNotAskedEvenWhenTheTenantsAreSlow(t *testing.T) {
	sim := newSimulator(t)
	o, _ := historyOptions(t, sim)
	first := startUI(t, o, 100, 30)
	first.fileExport("orders_dev", "SELECT id FROM orders", "")
	_ = first.tm.Quit()

	sim.run.Server.InjectFault(dmssim.Fault{Action: "ListUserTenants", Kind: dmssim.Delay, Delay: 400 * time.Millisecond, Times: 1})
	u := startUI(t, o, 100, 30)
	u.waitStep(StepType)
	u.enter() // Export data, before the tenants are known
	s := u.waitStep(StepDatabase)
	if s.ticket.Tenant.ID != 3000001 {
		t.Fatalf("the database step has tenant %+v, want the last ticket's 3000001", s.ticket.Tenant)
	}
}

func TestMyTicketsShowsAStatusAndFilesOneLikeIt(t *testing.T) {
	sim := newSimulator(t)
	o, _ := historyOptions(t, sim)
	u := startUI(t, o, 110, 34)
	u.fileExport("orders_dev", "SELECT id, total FROM orders WHERE total > 100", "")
	first := sim.run.Server.Orders()[0]
	u.runes("n")
	u.waitStep(StepType)
	u.key(tea.KeyTab)
	u.waitStep(StepTickets)
	s := u.waitText("40000001")
	if !strings.Contains(s.view, "Q3 export for finance") {
		t.Fatalf("My tickets does not list the ticket:\n%s", s.view)
	}
	u.waitFor("its state", func(s snapshot) bool {
		return strings.Contains(s.view, "ready") || strings.Contains(s.view, "precheck")
	})
	u.enter()
	u.waitText("Ticket 40000001")
	u.waitText("State")
	u.key(tea.KeyEsc)
	u.waitStep(StepTickets)
	u.runes("f")
	s = u.waitStep(StepReview)
	s = u.waitFor("the figure measured again", func(s snapshot) bool { return s.ticket.Rows.Source == dms.RowsExplain && !s.busy })
	if s.ticket.SQL != "SELECT id, total FROM orders WHERE total > 100" || s.ticket.Comment != "Q3 export for finance" || s.ticket.Database.ID != first.DatabaseID {
		t.Fatalf("filed like it: %+v", s.ticket)
	}
	u.enter()
	u.waitText("Ticket created")
	orders := sim.run.Server.Orders()
	if len(orders) != 2 {
		t.Fatalf("%d tickets, want 2", len(orders))
	}
	a, b := orders[0].Param, orders[1].Param
	for _, k := range []string{"exeSQL", "dbId", "classify", "logic", "ignoreAffectRows"} {
		if a[k] != b[k] && !(k == "dbId" && a[k].(interface{ String() string }).String() == b[k].(interface{ String() string }).String()) {
			t.Errorf("%s: the first ticket %v, the second %v", k, a[k], b[k])
		}
	}
}

func TestOverSSHMyTicketsListsOnlyTheUsersOwn(t *testing.T) {
	sim := newSimulator(t)
	o, h := historyOptions(t, sim)
	o.Local = false
	// A ticket the shared identity filed for somebody else.
	req := dms.OrderRequest{Tid: 3000001, PluginType: "NDDL", Comment: "somebody else's", PluginParam: map[string]any{
		"title": "x", "description": "", "dbId": int64(1100023), "logic": false, "relatedIds": []int64{}}}
	if _, err := sim.client.CreateOrder(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	_ = h.RecordTicket(history.Ticket{ID: 99, Tid: 3000001, Type: "DATA_EXPORT", Comment: "mine"})
	u := startUI(t, o, 100, 30)
	u.waitText("What kind of ticket?")
	u.key(tea.KeyTab)
	s := u.waitText("mine")
	if strings.Contains(s.view, "somebody else's") {
		t.Fatalf("another person's ticket is listed over SSH:\n%s", s.view)
	}
}

func TestADamagedHistoryIsSetAsideWithABanner(t *testing.T) {
	sim := newSimulator(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "history.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	h, err := history.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	o := testOptions(sim.client)
	o.History = h
	u := startUI(t, o, 100, 30)
	s := u.waitText("What kind of ticket?")
	if !strings.Contains(s.view, "▲") {
		t.Fatalf("no banner for the damaged history:\n%s", s.view)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) < 2 {
		t.Fatalf("the damaged file was not set aside: %v", entries)
	}
}

// At 80 columns a recent production database's row keeps its whole badge,
// PRODUCTION and recent: the table leaves the mark its room (it was cut to
// "PRODUCTION …"; found by an adversarial walk).
func TestARecentProductionRowFitsEightyColumns(t *testing.T) {
	sim := newSimulator(t)
	o, h := historyOptions(t, sim)
	orders := dms.Database{ID: 1100001, SchemaName: "orders", Host: "10.20.1.11", Port: 3306, DbType: "mysql", Env: dms.EnvProduct, Alias: "Orders (production)"}
	if err := h.Update(func(hs *history.History) { hs.AddDatabases(3000001, testNow, orders) }); err != nil {
		t.Fatal(err)
	}
	u := startUI(t, o, 80, 24)
	u.chooseType("")
	s := u.waitText("recent")
	found := false
	for _, l := range strings.Split(s.view, "\n") {
		if strings.HasPrefix(l, "▌ orders ") {
			found = true
			if f := strings.Fields(l); f[len(f)-1] != "recent" || f[len(f)-2] != "PRODUCTION" {
				t.Fatalf("the recent production row at 80 columns: %q\n%s", l, s.view)
			}
		}
	}
	if !found {
		t.Fatalf("no recent production row:\n%s", s.view)
	}
}

// In My tickets `f` files a ticket like the one under the cursor while the
// filter is empty; a filter that starts with f is typed with F (the filter
// ignores case), which files nothing.
func TestMyTicketsFilterStartsWithAnUpperCaseF(t *testing.T) {
	sim := newSimulator(t)
	o, _ := historyOptions(t, sim)
	u := startUI(t, o, 100, 30)
	u.toMyTickets()
	u.runes("F")
	u.typ("inance")
	s := u.waitText("Filter: Finance")
	if s.step != StepTickets || !strings.Contains(s.view, "Q3 export for finance") {
		t.Fatalf("F did not start a filter matching the ticket:\n%s", s.view)
	}
}

// TestTwoShardsStayTellableApartInANarrowTable: in a data change's recent
// list at 80 columns (a mark's column and "recent" take room), both
// production shards read "order_shar…": the one meant and the other looked
// alike. A name too long for its column loses its middle, never its end.
func TestTwoShardsStayTellableApartInANarrowTable(t *testing.T) {
	for _, w := range []int{60, 80} {
		cols := dbColumns(w, true)
		cols.schema -= 2 // the mark's column
		a := cols.row("", "order_shard_00", "10.20.1.31:3306", "mysql", "Orders shard 0", "")
		b := cols.row("", "order_shard_01", "10.20.1.31:3306", "mysql", "Orders shard 1", "")
		if strings.Fields(a)[0] == strings.Fields(b)[0] {
			t.Errorf("at %d columns both shards read %q", w, strings.Fields(a)[0])
		}
	}
	for _, tc := range []struct {
		in   string
		w    int
		want string
	}{
		{"order_shard_00", 14, "order_shard_00"},
		{"order_shard_00", 11, "order…rd_00"},
		{"orders_devops", 9, "orde…vops"},
		{"顧客データ_本番", 9, "顧客…本番"},
		{"ab", 1, "…"},
	} {
		if got := truncateMiddle(tc.in, tc.w); got != tc.want || lipgloss.Width(got) > tc.w {
			t.Errorf("truncateMiddle(%q, %d) = %q (%d cells), want %q", tc.in, tc.w, got, lipgloss.Width(got), tc.want)
		}
	}
}

// TestADatabaseKeepsItsAliasWhenDMSConfirmsIt: a logical database among
// several sends every chosen database to DMS again (GetPhysicalDatabase,
// GetLogicDatabase) before the review, and GetPhysicalDatabase has no alias
// (its InstanceAlias names the instance): the ticket, and the recent rows
// it leaves, keep the alias the search gave.
func TestADatabaseKeepsItsAliasWhenDMSConfirmsIt(t *testing.T) {
	sim := newSimulator(t)
	o, h := historyOptions(t, sim)
	u := startUI(t, o, 120, 30)
	u.chooseType("change data")
	u.typ("events_00")
	u.searched()
	u.waitText("Events shard 0 (dev)")
	u.key(tea.KeySpace)
	u.waitText("1 database marked")
	u.key(tea.KeyCtrlU)
	u.typ("metrics_sharded")
	u.searched()
	u.waitText("Metrics, all shards")
	u.key(tea.KeySpace)
	u.waitText("2 databases marked")
	u.enter()
	u.waitStep(StepSQL)
	s := u.waitFor("the databases confirmed by DMS", func(s snapshot) bool {
		return len(s.ticket.Databases()) == 2 && s.ticket.Database.Env != "" && s.ticket.More[0].Members != nil
	})
	for _, db := range s.ticket.Databases() {
		if db.Alias == "" {
			t.Fatalf("%s lost its alias when DMS confirmed it: %+v", db.SchemaName, s.ticket.Databases())
		}
	}
	u.typ("UPDATE events SET kind = 'x' WHERE id = 7;")
	u.key(tea.KeyCtrlS)
	u.changeDetailsToReview()
	u.enter()
	u.waitText("Ticket created")
	hist, err := h.Load()
	if err != nil {
		t.Fatal(err)
	}
	got := hist.Databases(3000001)
	if len(got) < 2 || got[0].Alias != "Events shard 0 (dev)" || got[1].Alias != "Metrics, all shards (test)" {
		t.Fatalf("the recent rows the ticket left: %+v", got)
	}
	if len(hist.Tickets) != 1 || hist.Tickets[0].Database != "events_00@10.40.1.11:3306 and 1 more" {
		t.Fatalf("My tickets names the ticket's databases as %+v, want events_00 and 1 more", hist.Tickets)
	}
	// Its status, opened from My tickets, names both databases (the header
	// names none there).
	u.runes("n")
	u.waitStep(StepType)
	u.key(tea.KeyTab)
	u.waitStep(StepTickets)
	u.waitText("events_00@10.40.1.11:3306 and 1")
	u.enter()
	u.waitText("Ticket 40000001")
	u.waitText("events_00 (1100026), metrics_sharded (1900003, logical)")
}

// TestARecentDatabaseIsDMSsOwnWhenTheAnswerHoldsIt: the history file says
// orders (1100001) is a development database (DMS tagged it production
// since, or the file was edited). DMS's answer to the empty search holds it
// too: its row, its header and the ticket are DMS's (PRODUCTION), and the
// review asks for its schema name.
func TestARecentDatabaseIsDMSsOwnWhenTheAnswerHoldsIt(t *testing.T) {
	sim := newSimulator(t)
	o, h := historyOptions(t, sim)
	stale := dms.Database{ID: 1100001, SchemaName: "orders", Host: "10.20.1.11", Port: 3306, DbType: "mysql", Env: dms.EnvDev}
	if err := h.RecordDefaults(dms.Tenant{ID: 3000001, Name: "Acme Retail"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := h.RecordDatabase(3000001, stale); err != nil {
		t.Fatal(err)
	}
	u := startUI(t, o, 100, 30)
	u.waitText("What kind of ticket?")
	u.enter() // Export data
	u.waitStep(StepDatabase)
	u.waitText("recent")
	u.searched()
	s := u.snap()
	for _, l := range strings.Split(s.view, "\n") {
		if strings.HasPrefix(l, "▌ ") && !strings.Contains(l, "PRODUCTION") {
			t.Fatalf("the recent row is the history file's, not DMS's:\n%s", s.view)
		}
	}
	u.enter()
	s = u.waitStep(StepSQL)
	if s.ticket.Database.Env != dms.EnvProduct {
		t.Fatalf("the ticket's database is %+v, want DMS's production one", s.ticket.Database)
	}
}
