package server

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"dmsticket/dms"
	"dmsticket/tui/wizard"
)

func TestTheHostKeyIsCreatedWithMode0600AndReused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "host_ed25519")
	first, err := LoadOrCreateHostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Created || first.Signer.PublicKey().Type() != "ssh-ed25519" {
		t.Errorf("first start: %+v, want a new ed25519 key", first)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode = %v, %v; want 0600", st.Mode().Perm(), err)
	}
	if pub, err := os.ReadFile(path + ".pub"); err != nil || !strings.HasPrefix(string(pub), "ssh-ed25519 ") {
		t.Errorf("public half: %q, %v", pub, err)
	}
	second, err := LoadOrCreateHostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if second.Created || second.Fingerprint() != first.Fingerprint() {
		t.Errorf("second start: created=%v %s, want the same key %s", second.Created, second.Fingerprint(), first.Fingerprint())
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateHostKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a world-readable host key: %v, want a refusal saying chmod 600", err)
	}
}

func TestServeRefusesToStartWithAMalformedUsersFileNamingTheLine(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "users.yaml")
	if err := os.WriteFile(users, []byte("users:\n  - name: alice\n    keys: [ssh-rsa nope]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := NewCommand(Deps{Stderr: &stderr, Backend: func() (wizard.Backend, error) {
		return wizard.Backend{AsProfile: func(string) (dms.Service, error) { return nil, nil }}, nil
	}})
	cmd.SetArgs([]string{"--users", users, "--host-key", filepath.Join(dir, "hk"), "--listen", "127.0.0.1:0"})
	cmd.SetOut(&stderr)
	cmd.SetErr(&stderr)
	err := cmd.ExecuteContext(context.Background())
	if err == nil || !strings.Contains(err.Error(), users+":3: key 1 of alice") {
		t.Fatalf("serve with a malformed users file: %v, want an error naming line 3", err)
	}
	if _, statErr := os.Stat(filepath.Join(dir, "hk")); statErr == nil {
		t.Error("the host key was created although the server did not start")
	}
}

func TestServeFlagsHaveTheDocumentedDefaults(t *testing.T) {
	cmd := NewCommand(Deps{})
	for flag, want := range map[string]string{
		"listen": "127.0.0.1:23234", "max-sessions": "50", "max-sessions-per-user": "3", "idle-timeout": "15m0s",
		"max-session-time": "4h0m0s", "grace": "30s", "rate-limit": "30", "audit-log": "", "users": "", "log-level": "info",
		"login-timeout": "30s", "max-unauthenticated": "128", "max-unauthenticated-per-address": "16",
	} {
		f := cmd.Flags().Lookup(flag)
		if f == nil {
			t.Errorf("no --%s", flag)
			continue
		}
		if f.DefValue != want {
			t.Errorf("--%s defaults to %q, want %q", flag, f.DefValue, want)
		}
	}
	if f := cmd.Flags().Lookup("host-key"); f == nil || !strings.HasSuffix(f.DefValue, filepath.Join("dmsticket", "ssh_host_ed25519_key")) {
		t.Errorf("--host-key default = %v", f)
	}
}

func TestServeReReadsTheUsersFileOnSIGHUPAndStopsOnCancel(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	stderr := &syncBuffer{}
	cmd := NewCommand(Deps{Stderr: stderr, Backend: func() (wizard.Backend, error) {
		return wizard.Backend{Service: e.client, Demo: true}, nil
	}})
	cmd.SetArgs([]string{"--users", e.usersPath, "--host-key", filepath.Join(e.dir, "hk"), "--listen", "127.0.0.1:0",
		"--audit-log", e.auditPath, "--grace", "1s"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop")
		}
	}()
	addrRE := regexp.MustCompile(`addr=(127\.0\.0\.1:\d+)`)
	deadline := time.Now().Add(5 * time.Second)
	for !addrRE.MatchString(stderr.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.addr = addrRE.FindStringSubmatch(stderr.String())[1]
	if !strings.Contains(stderr.String(), "created the host key") {
		t.Errorf("the new host key is not logged:\n%s", stderr.String())
	}

	bobKey, bobLine := newKey(t, "bob@test")
	e.keys["bob"] = bobKey
	if err := os.WriteFile(e.usersPath, []byte(usersYAML([]userSpec{{name: "bob", dmsID: 2000003}}, map[string]string{"bob": bobLine})), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(stderr.String(), "users file reloaded") {
		if time.Now().After(deadline.Add(5 * time.Second)) {
			t.Fatalf("no reload after SIGHUP:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	c, err := e.dial("bob")
	if err != nil {
		t.Fatalf("bob, added by the reload, cannot sign in: %v", err)
	}
	c.Close()
}

func TestAProfileWithoutCredentialsStopsTheServerNamingTheUser(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002}, userSpec{name: "bob", dmsID: 2000003, profile: "bob-ram"})
	e.connect = func(profile string) (dms.Service, error) {
		if profile == "bob-ram" {
			return nil, errors.New("no credentials in profile bob-ram")
		}
		return e.client, nil
	}
	_, err := New(e.config())
	if err == nil || !strings.Contains(err.Error(), e.usersPath+":6: user bob: profile \"bob-ram\": no credentials") {
		t.Fatalf("New = %v, want an error naming bob's entry", err)
	}
}
