package server

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"dmsticket/dms"
)

// The actions on a ticket that exists go through the policy in force and
// the audit log, as its creation does: a key removed from the users file
// could still submit, run and fetch the file of a ticket from a session
// opened before; a user whose environments were narrowed could still run a
// ticket outside them; and none of it was in the audit log.
func TestActionsOnATicketAreCheckedAndAudited(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002}, userSpec{name: "bob", dmsID: 2000003, envs: []string{"dev", "test"}})
	srv := e.start(e.config())
	ctx := context.Background()
	line := func(name string) string {
		return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(e.keys[name].PublicKey())))
	}
	file := func(p *policyService, related string) int64 {
		t.Helper()
		created, err := p.CreateOrder(ctx, dms.OrderRequest{Tid: 3000001, PluginType: "DATA_EXPORT", PluginParam: exportParam(int64(1100023)),
			RelatedUserList: related, Comment: "actions"})
		if err != nil {
			t.Fatal(err)
		}
		id := created.OrderIDs[0]
		for deadline := time.Now().Add(15 * time.Second); ; {
			st, err := dms.NewWatcher(e.client, 3000001, id, "").Read(ctx)
			if err == nil && st.State == dms.StateReady {
				return id
			}
			if time.Now().After(deadline) {
				t.Fatalf("ticket %d is not ready: %+v %v", id, st, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	alice, bob := policyFor(t, e, "alice"), policyFor(t, e, "bob")
	aliceTicket, bobTicket := file(alice, "2000002"), file(bob, "2000003")

	// bob's users-file entry narrowed to test; alice removed.
	write := "users:\n  - name: bob\n    dms_user_id: 2000003\n    environments: [test]\n    keys:\n      - " + line("bob") + "\n"
	if err := os.WriteFile(e.usersPath, []byte(write), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := srv.ReloadUsers(); err != nil {
		t.Fatal(err)
	}
	before := len(e.sim.Server.RequestsFor("SubmitOrderApproval"))
	err := alice.SubmitForApproval(ctx, 3000001, aliceTicket)
	if de, ok := dms.AsError(err); !ok || de.Code != PolicyRefused || !strings.Contains(de.Message, "no longer in this server's users file") {
		t.Errorf("alice, removed, submits: %v", err)
	}
	if _, err := alice.DownloadURL(ctx, 3000001, aliceTicket); dms.KindOf(err) != dms.KindPolicy {
		t.Errorf("alice, removed, gets the download link: %v", err)
	}
	err = bob.SubmitForApproval(ctx, 3000001, bobTicket)
	if de, ok := dms.AsError(err); !ok || de.Code != PolicyRefused || !strings.Contains(de.Message, "database 1100023 is development") {
		t.Errorf("bob submits a ticket outside his environments now: %v", err)
	}
	if got := len(e.sim.Server.RequestsFor("SubmitOrderApproval")) - before; got != 0 {
		t.Errorf("DMS received %d SubmitOrderApproval calls; refused actions must not be sent", got)
	}

	// bob's dev back: the same action goes through, and is recorded.
	write = "users:\n  - name: bob\n    dms_user_id: 2000003\n    environments: [dev, test]\n    keys:\n      - " + line("bob") + "\n"
	if err := os.WriteFile(e.usersPath, []byte(write), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := srv.ReloadUsers(); err != nil {
		t.Fatal(err)
	}
	if err := bob.SubmitForApproval(ctx, 3000001, bobTicket); err != nil {
		t.Fatalf("bob submits his dev ticket: %v", err)
	}
	var actions []string
	for _, r := range auditRecords(t, e.auditPath) {
		if r.Action != "" {
			actions = append(actions, r.SSHUser+" "+r.Action+" "+r.Outcome+" "+r.Environment)
		}
	}
	want := []string{
		// alice's key is gone from the file: the record names her as the
		// session's key was named when it signed in.
		"alice SubmitOrderApproval policy_refused ",
		"alice GetDataExportDownloadURL policy_refused ",
		"bob SubmitOrderApproval policy_refused dev",
		"bob SubmitOrderApproval done dev",
	}
	if strings.Join(actions, "|") != strings.Join(want, "|") {
		t.Errorf("audited actions:\n%q\nwant\n%q", actions, want)
	}
}
