package server

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"dmsticket/dms"
)

func TestTheExampleUsersFileParses(t *testing.T) {
	// A private copy: a checkout made with umask 002 leaves the example
	// group-writable, which LoadUsers refuses.
	data, err := os.ReadFile("../../testdata/serve/users.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "users.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	us, err := LoadUsers(path)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range us.List() {
		names = append(names, u.Name)
	}
	if !slices.Equal(names, []string{"alice", "bob", "carol"}) {
		t.Fatalf("users = %q", names)
	}
	alice, bob := us.List()[0], us.List()[1]
	if len(alice.Keys) != 2 || alice.DMSUserID != 2000002 || alice.Profile != "alice" || len(alice.TicketTypes) != 0 || len(alice.Envs) != 0 {
		t.Errorf("alice = %+v", alice)
	}
	if !slices.Equal(bob.TicketTypes, []string{"DATA_EXPORT"}) || !slices.Equal(bob.Envs, []dms.Env{dms.EnvDev, dms.EnvTest}) {
		t.Errorf("bob = %+v", bob)
	}
	for _, k := range alice.Keys {
		if u, ok := us.Lookup(k); !ok || u != alice {
			t.Errorf("alice's key %s finds %v", fingerprint(k), u)
		}
	}
	if !slices.Equal(us.Profiles(), []string{"alice", ""}) {
		t.Errorf("profiles = %q", us.Profiles())
	}
}

func TestAMalformedUsersFileIsRefusedNamingTheLine(t *testing.T) {
	_, key := newKey(t, "a@b")
	_, key2 := newKey(t, "c@d")
	for _, tc := range []struct {
		name, yaml string
		line       int
		want       string
	}{
		{"syntax", "users:\n  - name: alice\n    keys: [\n", 3, ""},
		{"unknown field", "users:\n  - name: alice\n    keys: [" + key + "]\n    prfile: alice\n", 4, "unknown field \"prfile\""},
		{"no users", "users: []\n", 1, "no users"},
		{"empty file", "", 0, "no users"},
		{"no name", "users:\n  - keys: [" + key + "]\n", 2, "has no name"},
		{"no keys", "users:\n  - name: alice\n", 2, "alice has no keys"},
		{"bad key", "users:\n  - name: alice\n    keys:\n      - " + key + "\n      - ssh-ed25519 AAAAnope alice@x\n", 5, "key 2 of alice: not a public key line"},
		{"key options", "users:\n  - name: alice\n    keys:\n      - from=\"10.0.0.1\" " + key + "\n", 4, "options such as from=\"10.0.0.1\" are not supported"},
		{"same key twice", "users:\n  - name: alice\n    keys: [" + key + "]\n  - name: bob\n    keys:\n      - " + key2 + "\n      - " + key + "\n", 7, "already listed on line 3"},
		{"same name twice", "users:\n  - name: alice\n    keys: [" + key + "]\n  - name: Alice\n    keys: [" + key2 + "]\n", 4, "already used on line 2"},
		{"unknown type", "users:\n  - name: alice\n    keys: [" + key + "]\n    ticket_types:\n      - DATA_EXPORT\n      - DROP_TABLE\n", 6, "ticket type \"DROP_TABLE\" is not one dmsticket files"},
		{"unknown environment", "users:\n  - name: alice\n    keys: [" + key + "]\n    environments: [dev, prod]\n", 4, "environment \"prod\" is not a DMS environment type"},
		{"bad user ID", "users:\n  - name: alice\n    keys: [" + key + "]\n    dms_user_id: -3\n", 4, "not a DMS user ID"},
		{"user ID of the wrong type", "users:\n  - name: alice\n    keys: [" + key + "]\n    dms_user_id: alice\n", 4, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseUsers("users.yaml", []byte(tc.yaml))
			var ue *UsersFileError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v, want a UsersFileError", err)
			}
			if ue.Line != tc.line || !strings.Contains(ue.Msg, tc.want) {
				t.Errorf("err = %q (line %d), want line %d saying %q", err, ue.Line, tc.line, tc.want)
			}
			if tc.line > 0 && !strings.HasPrefix(err.Error(), "users.yaml:"+strconv.Itoa(tc.line)+": ") {
				t.Errorf("err = %q, want it to start with users.yaml:%d:", err, tc.line)
			}
		})
	}
}

func FuzzParseUsers(f *testing.F) {
	f.Add([]byte("users:\n  - name: alice\n    keys: [ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx84wjN+buExbL7QNgt0LaokB+6PwaEIwZtGAwP5uci a@b]\n"))
	f.Add([]byte("users: []\n"))
	f.Add([]byte("users:\n  - name: [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		us, err := ParseUsers("fuzz.yaml", data)
		if err == nil && len(us.List()) == 0 {
			t.Error("a users file without users was accepted")
		}
		var ue *UsersFileError
		if err != nil && !errors.As(err, &ue) {
			t.Errorf("error of type %T: %v", err, err)
		}
	})
}

func TestAUsersFileOthersCanChangeIsRefusedAtStart(t *testing.T) {
	if !checksOwnership {
		t.Skip("no Unix file modes here")
	}
	for _, tc := range []struct {
		name             string
		fileMode, dirMod os.FileMode
		owner            int // 0: leave it
		want             string
	}{
		{name: "writable by the group", fileMode: 0o620, dirMod: 0o700, want: "can be changed by others (mode 0620)"},
		{name: "writable by others", fileMode: 0o602, dirMod: 0o700, want: "can be changed by others (mode 0602)"},
		{name: "in a directory others can write to", fileMode: 0o600, dirMod: 0o777, want: "can be written by others (mode 0777)"},
		{name: "owned by another user", fileMode: 0o600, dirMod: 0o700, owner: 4242, want: "belongs to uid 4242"},
		{name: "readable by others", fileMode: 0o644, dirMod: 0o755},
		{name: "in a sticky directory others can write to", fileMode: 0o600, dirMod: 0o777 | os.ModeSticky},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
			dir := filepath.Join(e.dir, "etc")
			path := filepath.Join(dir, "users.yaml")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(e.usersPath, path); err != nil {
				t.Fatal(err)
			}
			e.usersPath = path
			if err := os.Chmod(path, tc.fileMode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, tc.dirMod); err != nil {
				t.Fatal(err)
			}
			if tc.owner != 0 {
				if os.Geteuid() != 0 {
					t.Skip("changing a file's owner needs root")
				}
				if err := os.Chown(path, tc.owner, tc.owner); err != nil {
					t.Fatal(err)
				}
			}
			srv, err := New(e.config())
			if tc.want == "" {
				if err != nil {
					t.Fatalf("New = %v, want the file accepted", err)
				}
				srv.audit.Close()
				return
			}
			if err == nil {
				srv.audit.Close()
				t.Fatalf("the server started with a users file that is %s", tc.name)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, path+": ") || !strings.Contains(msg, tc.want) || !strings.Contains(msg, "Fix: ") {
				t.Errorf("New = %q, want it to name %s, say %q and how to fix it", msg, path, tc.want)
			}
			if tc.fileMode&0o022 != 0 && !strings.Contains(err.Error(), "chmod go-w "+path) {
				t.Errorf("New = %q, want the fix chmod go-w %s", err, path)
			}
		})
	}
}

func TestAReloadRefusesAUsersFileOthersCanChangeAndKeepsTheOldOne(t *testing.T) {
	if !checksOwnership {
		t.Skip("no Unix file modes here")
	}
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	srv := e.start(e.config())
	bobKey, bobLine := newKey(t, "bob@test")
	e.keys["bob"] = bobKey
	lines := map[string]string{"bob": bobLine, "alice": strings.TrimSpace(string(gossh.MarshalAuthorizedKey(e.keys["alice"].PublicKey())))}
	if err := os.WriteFile(e.usersPath, []byte(usersYAML([]userSpec{{name: "alice", dmsID: 2000002}, {name: "bob", dmsID: 2000003}}, lines)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(e.usersPath, 0o666); err != nil {
		t.Fatal(err)
	}
	err := srv.ReloadUsers()
	if err == nil || !strings.Contains(err.Error(), e.usersPath+": can be changed by others (mode 0666)") || !strings.Contains(err.Error(), "chmod go-w "+e.usersPath) {
		t.Fatalf("reload of a world-writable users file: %v, want a refusal naming the file, its mode and chmod go-w", err)
	}
	if c, err := e.dial("bob"); err == nil {
		c.Close()
		t.Error("bob, added to a world-writable users file, got in")
	}
	if c, err := e.dial("alice"); err != nil {
		t.Errorf("after a refused reload the previous file should stay in force: %v", err)
	} else {
		c.Close()
	}
	if err := os.Chmod(e.usersPath, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := srv.ReloadUsers(); err != nil {
		t.Fatalf("reload after chmod go-w: %v", err)
	}
	if c, err := e.dial("bob"); err != nil {
		t.Errorf("bob cannot get in after the fixed reload: %v", err)
	} else {
		c.Close()
	}
}
