package dms_test

import (
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"dmsticket/dms"
)

func TestEachProfileSignsAsItselfInTheBaseRegionAndIsConnectedOnce(t *testing.T) {
	home := credHome(t)
	writeCLIConfig(t, home) // the current profile's region_id is cn-beijing, ci's cn-shenzhen
	sim := credSim(t)
	cs, err := dms.NewClients(dms.Config{Endpoint: sim.Endpoint})
	if err != nil {
		t.Fatal(err)
	}
	base, err := cs.For("")
	if err != nil {
		t.Fatal(err)
	}
	if base != cs.Base() {
		t.Error(`For("") is not the base client`)
	}
	var wg sync.WaitGroup
	got := make([]*dms.Client, 8)
	for i := range got {
		wg.Go(func() {
			c, err := cs.For("ci")
			if err != nil {
				t.Error(err)
			}
			got[i] = c
		})
	}
	wg.Wait()
	for _, c := range got[1:] {
		if c != got[0] {
			t.Fatal(`For("ci") made more than one client`)
		}
	}
	ci := got[0]
	if ci == base {
		t.Fatal(`For("ci") is the base client`)
	}
	if base.Region() != "cn-beijing" || ci.Region() != "cn-beijing" {
		t.Errorf("regions: base %s, ci %s; want the base's cn-beijing for both, not ci's region_id", base.Region(), ci.Region())
	}
	if _, err := ci.ActiveTenant(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := base.ActiveTenant(ctx(t)); err != nil {
		t.Fatal(err)
	}
	calls := sim.Server.RequestsFor("GetUserActiveTenant")
	if len(calls) != 2 {
		t.Fatalf("%d calls, want 2", len(calls))
	}
	for i, want := range []string{cliCI.AccessKeyID, cliDefault.AccessKeyID} {
		if key, region := calls[i].Params.Get("AccessKeyId"), calls[i].Params.Get("RegionId"); key != want || region != "cn-beijing" {
			t.Errorf("call %d signed with %s in %s, want %s in cn-beijing", i+1, key, region, want)
		}
	}
	if o := ci.CredentialOrigin(); !o.FromProfile() || o.Profile != "ci" {
		t.Errorf("the ci client's credentials come from %v, want the aliyun CLI profile ci", o)
	}
}

func TestAProfileWithoutCredentialsIsACredentialsErrorTriedAgainNextTime(t *testing.T) {
	home := credHome(t)
	writeCLIConfig(t, home)
	sim := credSim(t)
	cs, err := dms.NewClients(dms.Config{Endpoint: sim.Endpoint, Profile: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := cs.For("ci"); err != nil || c != cs.Base() {
		t.Errorf(`For("ci"), the base's own profile = %p, %v; want the base client`, c, err)
	}
	_, err = cs.For("ops")
	var ce *dms.CredentialsError
	if !errors.As(err, &ce) || ce.Profile != "ops" {
		t.Fatalf(`For("ops") = %v, want a *dms.CredentialsError for profile ops`, err)
	}
	writeFile(t, filepath.Join(home, ".aliyun", "config.json"), `{"current":"ci","profiles":[
		{"name":"ci","mode":"AK","access_key_id":"cli-ci-key","access_key_secret":"cli-ci-secret"},
		{"name":"ops","mode":"AK","access_key_id":"cli-default-key","access_key_secret":"cli-default-secret"}]}`)
	ops, err := cs.For("ops")
	if err != nil {
		t.Fatalf("once the profile exists: %v", err)
	}
	if _, err := ops.ActiveTenant(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if calls := sim.Server.RequestsFor("GetUserActiveTenant"); calls[len(calls)-1].Params.Get("AccessKeyId") != cliDefault.AccessKeyID {
		t.Errorf("ops signed with %s, want %s", calls[len(calls)-1].Params.Get("AccessKeyId"), cliDefault.AccessKeyID)
	}
}

func TestGivenCredentialsAreTheOneIdentityOfEveryProfile(t *testing.T) {
	credHome(t)
	sim := credSim(t)
	cs, err := dms.NewClients(dms.Config{Endpoint: sim.Endpoint, Credentials: dms.StaticCredentials(envKey.AccessKeyID, envKey.AccessKeySecret)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"", "alice", "ops"} {
		if c, err := cs.For(p); err != nil || c != cs.Base() {
			t.Errorf("For(%q) = %p, %v; want the one client %p", p, c, err, cs.Base())
		}
	}
}

func TestClientsRefuseABadEndpointAtOnce(t *testing.T) {
	if _, err := dms.NewClients(dms.Config{Endpoint: "http://dms.example.com"}); err == nil {
		t.Error("plain http to a remote host was accepted")
	}
}
