package server

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"dmsticket/dms"
)

func TestTheExampleUsersFileParses(t *testing.T) {
	us, err := LoadUsers("../../testdata/serve/users.example.yaml")
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
