package server

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"unicode"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	gossh "golang.org/x/crypto/ssh"

	"dmsticket/dms"
	"dmsticket/tui/wizard"
)

// User is one person of the users file: the person and policy the wizard
// takes (wizard.User, one type for the UI, the server's checks and the
// audit), the keys that identify them, and where the entry is.
type User struct {
	wizard.User
	// Keys are the public keys that sign in as this user.
	Keys []gossh.PublicKey
	// Line is where the user's entry starts in the users file.
	Line int
}

// Users is a parsed users file. It is read-only once built; a reload builds a
// new one.
type Users struct {
	// Path is the file it was read from.
	Path  string
	list  []*User
	byKey map[string]*User
}

// Lookup finds the user a public key belongs to.
func (us *Users) Lookup(key gossh.PublicKey) (*User, bool) {
	if us == nil || key == nil {
		return nil, false
	}
	u, ok := us.byKey[string(key.Marshal())]
	return u, ok
}

// List is the users in file order.
func (us *Users) List() []*User { return us.list }

// Profiles are the distinct aliyun CLI profiles the users name, "" (the
// server's default identity) included when a user names none.
func (us *Users) Profiles() []string {
	seen := map[string]bool{}
	var out []string
	for _, u := range us.list {
		if !seen[u.Profile] {
			seen[u.Profile] = true
			out = append(out, u.Profile)
		}
	}
	return out
}

// UsersFileError is a problem in the users file, with the line it is on.
type UsersFileError struct {
	Path string
	Line int // 0 when the problem is the file as a whole
	Msg  string
}

// Error implements error: "users.yaml:12: …".
func (e *UsersFileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return e.Path + ": " + e.Msg
}

// usersFile is the YAML document (PRODUCT section 8).
type usersFile struct {
	Users []userEntry `yaml:"users"`
}

type userEntry struct {
	Name         string   `yaml:"name"`
	Keys         []string `yaml:"keys"`
	DMSUserID    int64    `yaml:"dms_user_id"`
	Profile      string   `yaml:"profile"`
	TicketTypes  []string `yaml:"ticket_types"`
	Environments []string `yaml:"environments"`
}

// LoadUsers reads and checks a users file. A file that others could change
// is refused before it is read (see checkUsersFilePerms): whoever can write
// it can add a key and sign in as anybody.
func LoadUsers(path string) (*Users, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &UsersFileError{Path: path, Msg: "no such file; write one (see testdata/serve/users.example.yaml) or point --users at it"}
		}
		return nil, &UsersFileError{Path: path, Msg: err.Error()}
	}
	defer f.Close()
	// The checks look at the file that was opened, so it cannot be swapped
	// between the check and the read.
	st, err := f.Stat()
	if err != nil {
		return nil, &UsersFileError{Path: path, Msg: err.Error()}
	}
	if err := checkUsersFilePerms(path, st); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxUsersFileBytes+1))
	if err != nil {
		return nil, &UsersFileError{Path: path, Msg: err.Error()}
	}
	if len(data) > maxUsersFileBytes {
		return nil, &UsersFileError{Path: path, Msg: fmt.Sprintf("larger than %d MB; is --users the right file?", maxUsersFileBytes>>20)}
	}
	return ParseUsers(path, data)
}

// maxUsersFileBytes bounds the users file: a few thousand users fit in a
// fraction of it.
const maxUsersFileBytes = 16 << 20

// checkUsersFilePerms refuses a users file that anyone but its owner could
// change, as OpenSSH does for authorized_keys: a regular file, not writable
// by group or others, owned by root or by the user running the server, in a
// directory that others cannot write to (unless it is sticky, as /tmp, where
// they cannot replace the file).
func checkUsersFilePerms(path string, st os.FileInfo) error {
	if !st.Mode().IsRegular() {
		return &UsersFileError{Path: path, Msg: "not a regular file"}
	}
	if !checksOwnership {
		return nil // no Unix modes to check (Windows)
	}
	if m := st.Mode().Perm(); m&0o022 != 0 {
		return &UsersFileError{Path: path, Msg: fmt.Sprintf("can be changed by others (mode %04o): whoever can write it can add a key and sign in; "+
			"refused, as OpenSSH refuses such an authorized_keys. Fix: chmod go-w %s", m, path)}
	}
	if uid, ok := fileOwner(st); ok && !trustedOwner(uid) {
		return &UsersFileError{Path: path, Msg: fmt.Sprintf("belongs to uid %d, not to root or to the user running the server (uid %d): its owner can add a key and sign in. "+
			"Fix: chown the file to the user running the server (or root)", uid, os.Geteuid())}
	}
	dir := filepath.Dir(path)
	dst, err := os.Stat(dir)
	if err != nil {
		return &UsersFileError{Path: path, Msg: fmt.Sprintf("its directory: %v", err)}
	}
	if m := dst.Mode(); m.Perm()&0o022 != 0 && m&os.ModeSticky == 0 {
		return &UsersFileError{Path: path, Msg: fmt.Sprintf("its directory %s can be written by others (mode %04o): whoever can write it can replace the file and sign in. "+
			"Fix: chmod go-w %s, or move the users file", dir, m.Perm(), dir)}
	}
	if uid, ok := fileOwner(dst); ok && !trustedOwner(uid) {
		return &UsersFileError{Path: path, Msg: fmt.Sprintf("its directory %s belongs to uid %d, not to root or to the user running the server (uid %d): its owner can replace the file. "+
			"Fix: move the users file to a directory of yours", dir, uid, os.Geteuid())}
	}
	return nil
}

// trustedOwner says a file owned by uid may hold the users: root's, or the
// server's own.
func trustedOwner(uid int) bool { return uid == 0 || uid == os.Geteuid() }

// ParseUsers checks a users file's content; path names it in errors. Every
// problem names its line: a syntax error, an unknown field, a key that does not
// parse, a key listed twice, an unknown ticket type or environment.
func ParseUsers(path string, data []byte) (us *Users, err error) {
	defer func() {
		// go-yaml v1.19.2 panics on some malformed input (a tag on a
		// sequence, found by FuzzParseUsers); a users file must never stop
		// a running server on SIGHUP.
		if r := recover(); r != nil {
			us, err = nil, &UsersFileError{Path: path, Msg: fmt.Sprintf("the YAML parser gave up on this file (%v); check its syntax against testdata/serve/users.example.yaml", r)}
		}
	}()
	fail := func(line int, format string, args ...any) error {
		return &UsersFileError{Path: path, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, yamlError(path, err)
	}
	var doc usersFile
	if err := yaml.UnmarshalWithOptions(data, &doc, yaml.DisallowUnknownField(), yaml.Strict()); err != nil {
		return nil, yamlError(path, err)
	}
	lineOf := func(p string) int { return nodeLine(file, p) }
	if len(doc.Users) == 0 {
		return nil, fail(lineOf("$.users"), "no users: list at least one under `users:`")
	}
	us = &Users{Path: path, byKey: map[string]*User{}}
	keyLine := map[string]int{}
	names := map[string]int{}
	for i, e := range doc.Users {
		at := fmt.Sprintf("$.users[%d]", i)
		u := &User{User: wizard.User{Name: strings.TrimSpace(e.Name), DMSUserID: e.DMSUserID, Profile: strings.TrimSpace(e.Profile)}, Line: lineOf(at)}
		switch {
		case u.Name == "":
			return nil, fail(u.Line, "user %d has no name; every user needs `name:` (shown in the header and the audit log)", i+1)
		case !printable(u.Name) || len(u.Name) > 64:
			return nil, fail(lineOf(at+".name"), "name %q must be at most 64 printable characters", e.Name)
		}
		if prev, dup := names[strings.ToLower(u.Name)]; dup {
			return nil, fail(lineOf(at+".name"), "name %q is already used on line %d; names must be unique", u.Name, prev)
		}
		names[strings.ToLower(u.Name)] = lineOf(at + ".name")
		if e.DMSUserID < 0 {
			return nil, fail(lineOf(at+".dms_user_id"), "dms_user_id %d is not a DMS user ID (a positive whole number)", e.DMSUserID)
		}
		if !printable(u.Profile) {
			return nil, fail(lineOf(at+".profile"), "profile %q has characters a profile name cannot have", e.Profile)
		}
		if len(e.Keys) == 0 {
			return nil, fail(u.Line, "user %s has no keys; list their public keys (authorized_keys lines) under `keys:`", u.Name)
		}
		for j, line := range e.Keys {
			kl := lineOf(fmt.Sprintf("%s.keys[%d]", at, j))
			key, err := parseKeyLine(line)
			if err != nil {
				return nil, fail(kl, "key %d of %s: %v", j+1, u.Name, err)
			}
			id := string(key.Marshal())
			if prev, dup := keyLine[id]; dup {
				return nil, fail(kl, "key %s is already listed on line %d; a key identifies one person", gossh.FingerprintSHA256(key), prev)
			}
			keyLine[id] = kl
			u.Keys = append(u.Keys, key)
			us.byKey[id] = u
		}
		for j, t := range e.TicketTypes {
			t = strings.TrimSpace(t)
			if _, ok := dms.LookupType(t); !ok {
				return nil, fail(lineOf(fmt.Sprintf("%s.ticket_types[%d]", at, j)), "ticket type %q is not one dmsticket files; use %s", t, strings.Join(dms.PluginTypes(), ", "))
			}
			u.TicketTypes = append(u.TicketTypes, t)
		}
		for j, s := range e.Environments {
			env, ok := dms.ParseEnv(s)
			if !ok {
				names := make([]string, len(dms.Envs))
				for k, x := range dms.Envs {
					names[k] = string(x)
				}
				return nil, fail(lineOf(fmt.Sprintf("%s.environments[%d]", at, j)), "environment %q is not a DMS environment type; use %s", s, strings.Join(names, ", "))
			}
			u.Envs = append(u.Envs, env)
		}
		us.list = append(us.list, u)
	}
	return us, nil
}

// parseKeyLine reads one authorized_keys line: a plain public key and an
// optional comment. Options (from=, command=, …) are refused rather than
// silently ignored, and so are certificates.
func parseKeyLine(line string) (gossh.PublicKey, error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return nil, errors.New("empty; paste the line from the user's ~/.ssh/id_ed25519.pub")
	}
	key, _, opts, rest, err := gossh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		return nil, fmt.Errorf("not a public key line like \"ssh-ed25519 AAAA… alice@laptop\" (%v)", err)
	}
	if len(opts) > 0 {
		return nil, fmt.Errorf("options such as %s are not supported: list the key alone", opts[0])
	}
	if len(strings.TrimSpace(string(rest))) > 0 {
		return nil, errors.New("one key per list item")
	}
	if _, ok := key.(*gossh.Certificate); ok {
		return nil, errors.New("certificates are not supported: list the plain public key")
	}
	return key, nil
}

// yamlError turns a go-yaml error into a UsersFileError with its line.
func yamlError(path string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		line := 0
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			line = tk.Position.Line
		}
		msg := ye.GetMessage()
		var te *yaml.TypeError
		if errors.As(err, &te) && te.DstType != nil {
			msg = "expected " + kindWords(te.DstType.Kind()) + " here"
		}
		return &UsersFileError{Path: path, Line: line, Msg: msg}
	}
	return &UsersFileError{Path: path, Msg: err.Error()}
}

// kindWords names a Go kind in the words of a YAML file.
func kindWords(k reflect.Kind) string {
	switch k {
	case reflect.Int, reflect.Int64:
		return "a whole number"
	case reflect.String:
		return "text"
	case reflect.Slice:
		return "a list"
	case reflect.Struct:
		return "a mapping (key: value lines)"
	}
	return "a " + k.String()
}

// nodeLine is the line of the node at a YAML path, or 0.
func nodeLine(f *ast.File, path string) int {
	p, err := yaml.PathString(path)
	if err != nil {
		return 0
	}
	n, err := p.FilterFile(f)
	if err != nil || n == nil || n.GetToken() == nil || n.GetToken().Position == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

// printable reports that s has no control characters.
func printable(s string) bool {
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}
