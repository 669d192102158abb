package server

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
)

const exportSQL = "SELECT id, status FROM orders WHERE status = 'paid'"

func TestKnownKeyWalksATicketToTheResultAndTheTicketCarriesTheirDMSUserID(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	e.start(e.config())
	tm := e.openTerm("alice", "xterm-256color", 120, 40)
	tm.waitFor("signed in as alice")
	tm.walkToReview("orders_dev", exportSQL, "Paid orders for finance")
	tm.send(keyEnter)
	tm.waitFor("Ticket created")

	orders := e.sim.Server.Orders()
	if len(orders) != 1 {
		t.Fatalf("the simulator stored %d tickets, want 1", len(orders))
	}
	o := orders[0]
	if o.PluginType != "DATA_EXPORT" || o.DatabaseID != 1100023 || o.Comment != "Paid orders for finance" {
		t.Errorf("stored ticket = %+v", o)
	}
	if !slices.Contains(o.RelatedUsers, 2000002) {
		t.Errorf("RelatedUserList = %q, want it to carry alice's DMS user ID 2000002", o.RelatedUserList)
	}
	// The screen was drawn in 256 colours, from the client's TERM.
	if !strings.Contains(tm.out.String(), "\x1b[38;5;") {
		t.Error("no 256-colour sequences for TERM=xterm-256color")
	}

	recs := auditRecords(t, e.auditPath)
	if len(recs) != 1 {
		t.Fatalf("%d audit records, want 1", len(recs))
	}
	r := recs[0]
	want := AuditRecord{
		SSHUser: "alice", Login: "whoever", KeyFingerprint: fingerprint(e.keys["alice"].PublicKey()),
		Tenant: 3000001, TicketType: "DATA_EXPORT", DatabaseID: 1100023, Environment: "dev",
		SQLLength: len(exportSQL), SQLSHA256: dms.SQLHash(exportSQL), RelatedUsers: []int64{2000002},
		RequestID: o.RequestID, TicketID: o.OrderID, Outcome: OutcomeCreated,
	}
	r.Time, r.RemoteAddr, r.Session, r.DurationMS = time.Time{}, "", "", 0
	if !equalRecords(r, want) {
		t.Errorf("audit record\n got %+v\nwant %+v", r, want)
	}
	raw, _ := os.ReadFile(e.auditPath)
	if strings.Contains(string(raw), "SELECT") || strings.Contains(string(raw), "serve-test-secret") {
		t.Errorf("the audit log holds SQL text or a secret: %s", raw)
	}
	if st, err := os.Stat(e.auditPath); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("audit log mode = %v, %v; want 0600", st.Mode().Perm(), err)
	}
}

func TestRestrictedUserIsNotOfferedProductionDatabases(t *testing.T) {
	e := newEnv(t, userSpec{name: "bob", dmsID: 2000003, types: []string{"DATA_EXPORT"}, envs: []string{"dev", "test"}})
	e.start(e.config())
	tm := e.openTerm("bob", "xterm-256color", 120, 40)
	tm.waitFor("What kind of ticket?")
	tm.waitFor("Export data")
	tm.send(keyEnter)
	if got, _ := tm.waitAny(screenTimeout, "Which tenant?", "Which database?"); got == "Which tenant?" {
		tm.waitFor("Acme Retail (3000001)")
		tm.send(keyEnter)
	}
	tm.waitFor("you may use: dev, test")
	tm.send("orders")
	tm.waitFor("orders_test")
	time.Sleep(300 * time.Millisecond) // let the last frame land
	screen := tm.text()
	if strings.Contains(screen, "Change a schema design") {
		t.Error("bob may file DATA_EXPORT only, but was offered NDDL")
	}
	for _, banned := range []string{"PRODUCTION", "PRE ", "10.20.1.11", "10.30.1.11", "orders_sit", "orders_uat"} {
		if strings.Contains(screen, banned) {
			t.Errorf("bob (dev, test) was shown %q:\n%s", banned, tm.tail())
		}
	}
	if !strings.Contains(screen, "orders_dev") {
		t.Errorf("orders_dev is not listed:\n%s", tm.tail())
	}
}

func TestAProfileSendsTheUsersTicketsUnderItsOwnIdentity(t *testing.T) {
	def := dmssim.Credential{AccessKeyID: "server-id", AccessKeySecret: "server-secret", UserID: simUser}
	alice := dmssim.Credential{AccessKeyID: "alice-id", AccessKeySecret: "alice-secret", UserID: 2000002}
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002, profile: "alice"}, userSpec{name: "bob", dmsID: 2000003})
	e.sim = startSim(t, def, alice)
	clients := map[string]*dms.Client{"": simClient(t, e.sim, def), "alice": simClient(t, e.sim, alice)}
	var asked []string
	e.connect = func(profile string) (dms.Service, error) {
		asked = append(asked, profile)
		return clients[profile], nil
	}
	e.start(e.config())
	if !slices.Equal(asked, []string{"alice", ""}) {
		t.Errorf("Connect was asked for %q, want each profile once at start", asked)
	}
	tm := e.openTerm("alice", "xterm-256color", 120, 40)
	tm.walkToReview("orders_dev", exportSQL, "Under my own identity")
	tm.send(keyEnter)
	tm.waitFor("Ticket created")
	orders := e.sim.Server.Orders()
	if len(orders) != 1 || orders[0].CommitterID != 2000002 {
		t.Fatalf("tickets = %+v, want one committed by alice's identity 2000002", orders)
	}
	if recs := auditRecords(t, e.auditPath); len(recs) != 1 || recs[0].Profile != "alice" {
		t.Errorf("audit = %+v, want profile alice", recs)
	}
}

// equalRecords compares audit records field by field.
func equalRecords(a, b AuditRecord) bool {
	return a.SSHUser == b.SSHUser && a.Login == b.Login && a.KeyFingerprint == b.KeyFingerprint && a.Tenant == b.Tenant &&
		a.TicketType == b.TicketType && a.DatabaseID == b.DatabaseID && a.Logic == b.Logic && a.Environment == b.Environment &&
		a.SQLLength == b.SQLLength && a.SQLSHA256 == b.SQLSHA256 && slices.Equal(a.RelatedUsers, b.RelatedUsers) &&
		a.RequestID == b.RequestID && a.TicketID == b.TicketID && a.Outcome == b.Outcome && a.ErrorCode == b.ErrorCode &&
		a.Profile == b.Profile && a.Reason == b.Reason
}
