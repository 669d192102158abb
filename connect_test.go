package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dmsticket/dms"
)

// TestTheBackendActsAsEachProfileInTheRegionResolvedAtStart: one backend for
// the run, its profiles' clients made once each, all in the region resolved
// when it was built (not a profile's own region_id).
func TestTheBackendActsAsEachProfileInTheRegionResolvedAtStart(t *testing.T) {
	home := cleanHome(t)
	put(t, filepath.Join(home, ".aliyun", "config.json"), cliConfigJSON) // default: cn-beijing, ci: cn-shenzhen
	sim := startSim(t, cliDefault, cliCI)
	b, err := connect(&globals{endpoint: sim.Endpoint}, serveDMSCalls)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	if b.CredentialsErr != nil || b.Region != "cn-beijing" || b.Client == nil || b.Service != dms.Service(b.Client) {
		t.Fatalf("backend = %+v", b)
	}
	ci, err := b.For("ci")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := b.For("ci")
	if ci != again || ci == b.Service {
		t.Errorf("For(ci) = %p, then %p; want one client of its own", ci, again)
	}
	if def, _ := b.For(""); def != b.Service {
		t.Errorf(`For("") = %p, want the backend's Service %p`, def, b.Service)
	}
	if _, err := ci.ActiveTenant(t.Context()); err != nil {
		t.Fatal(err)
	}
	calls := sim.Server.RequestsFor("GetUserActiveTenant")
	if c := calls[len(calls)-1]; c.Params.Get("AccessKeyId") != cliCI.AccessKeyID || c.Params.Get("RegionId") != "cn-beijing" {
		t.Errorf("ci signed with %s in %s, want %s in cn-beijing", c.Params.Get("AccessKeyId"), c.Params.Get("RegionId"), cliCI.AccessKeyID)
	}
	if _, err := b.For("nobody"); err == nil {
		t.Error("a profile that does not exist has a service")
	}
}

func TestTheDemoBackendIsEveryProfilesOneIdentity(t *testing.T) {
	cleanHome(t)
	b, err := connect(&globals{demo: true, profile: "ci"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	if !b.Demo || b.CredentialsErr != nil || !strings.HasPrefix(b.Endpoint, "http://127.0.0.1:") {
		t.Fatalf("backend = %+v", b)
	}
	for _, p := range []string{"", "ci", "ops"} {
		if svc, err := b.For(p); err != nil || svc != b.Service {
			t.Errorf("For(%q) = %v, %v; want the simulator's one client", p, svc, err)
		}
	}
}

// TestTheConsoleURLIsReadOnceAndCarriedByTheBackend: DMSTICKET_CONSOLE_URL
// makes the link create prints.
func TestTheConsoleURLIsReadOnceAndCarriedByTheBackend(t *testing.T) {
	cleanHome(t)
	t.Setenv("DMSTICKET_CONSOLE_URL", "https://dms.example.com/{region}/{tid}/order/{orderId}")
	code, stdout, stderr := dmsticket("--demo", "create", "--type", "DATA_EXPORT", "--db", "orders_dev@10.40.1.11:3306",
		"--sql", "SELECT id FROM orders WHERE total > 100", "--comment", "console link", "--classify", "test", "--affect-rows", "1", "--output", "json")
	if code != 0 || !strings.Contains(stdout, `"consoleUrl":"https://dms.example.com/cn-hangzhou/3000001/order/`) {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
}

func TestServeWithoutCredentialsDoesNotStart(t *testing.T) {
	home := cleanHome(t)
	hostKey := filepath.Join(home, "host_key")
	code, _, stderr := dmsticket("serve", "--endpoint", "http://127.0.0.1:9", "--users", filepath.Join(home, "users.yaml"), "--host-key", hostKey, "--listen", "127.0.0.1:0")
	if code != 2 || !strings.Contains(stderr, "dmsticket: no Alibaba Cloud credentials found") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(hostKey); err == nil {
		t.Error("the host key was created although the server did not start")
	}
}
