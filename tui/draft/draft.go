// Package draft keeps the wizard's unfinished ticket on disk, so a closed
// terminal, a dropped SSH connection or a killed process loses at most the
// last second of typing. A draft is one JSON file, mode 0600, written
// atomically (a temporary file renamed over the old one); one that cannot be
// read is set aside, never trusted and never fatal.
package draft

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"dmsticket/dms"
)

// Version is the draft format this build writes and reads.
const Version = 1

// maxSize bounds a draft file: the SQL limit plus room for the rest.
const maxSize = dms.MaxSQLBytes*2 + 1<<20

// Draft is the wizard's state worth keeping. It holds no secret: the ticket
// carries none (credentials stay in the SDK).
type Draft struct {
	Version int        `json:"version"`
	SavedAt time.Time  `json:"savedAt"`
	Step    string     `json:"step"`
	Ticket  dms.Ticket `json:"ticket"`
	Search  string     `json:"search,omitempty"`
	Filter  string     `json:"filter,omitempty"`
	// Submission is set while a ticket is on its way to DMS: written before
	// the request goes out, cleared when the answer says what became of it.
	// A draft that resumes with one looks the ticket up before anything can
	// be submitted again.
	Submission *dms.Submission `json:"submission,omitempty"`
}

// Summary describes the draft in one line for the resume question.
func (d Draft) Summary() string {
	var parts []string
	if tt, ok := dms.LookupType(d.Ticket.Type); ok {
		parts = append(parts, tt.Title)
	}
	if !d.Ticket.Database.IsZero() {
		on := "on " + d.Ticket.Database.Name()
		if n := len(d.Ticket.More); n > 0 {
			// A data change on several: all of them are what it acts on.
			on += fmt.Sprintf(" and %d more database", n)
			if n > 1 {
				on += "s"
			}
		}
		parts = append(parts, on)
	}
	if n := strings.Count(strings.TrimRight(d.Ticket.SQL, "\n"), "\n") + 1; d.Ticket.SQL != "" {
		if n == 1 {
			parts = append(parts, "1 line of SQL")
		} else {
			parts = append(parts, fmt.Sprintf("%d lines of SQL", n))
		}
	}
	if d.Ticket.Comment != "" {
		parts = append(parts, "“"+d.Ticket.Comment+"”")
	}
	if len(parts) == 0 {
		parts = append(parts, "a ticket just started")
	}
	return strings.Join(parts, ", ")
}

// Empty reports whether the draft holds nothing worth resuming.
func (d Draft) Empty() bool {
	t := d.Ticket
	return t.Type == "" && t.Database.IsZero() && t.SQL == "" && t.Comment == ""
}

// ErrNone means there is no draft.
var ErrNone = errors.New("no draft")

// SetAsideError means the draft could not be used and was moved out of the
// way; Path is where it went.
type SetAsideError struct {
	Path   string
	Reason string
}

// Error implements error.
func (e *SetAsideError) Error() string {
	return fmt.Sprintf("the saved draft could not be used (%s); it was kept as %s", e.Reason, e.Path)
}

// Store is one draft file. It is safe for concurrent use.
type Store struct {
	path string
	mu   sync.Mutex
	now  func() time.Time
}

// NewStore is a store for the draft at path.
func NewStore(path string) *Store { return &Store{path: path, now: time.Now} }

// Path is the draft file's path.
func (s *Store) Path() string { return s.path }

var (
	plainName  = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	unsafeName = regexp.MustCompile(`[^a-z0-9._-]+`)
)

// FileName is the base name (without extension) of a user's state files,
// their draft and history: the name itself when it is plain lower-case ASCII
// ("alice"); otherwise its plain part, "~" and a hash of the whole name
// ("__~3f2a…" for 张伟), so that two names that clean to the same text, or
// differ only in case, never share a file ("~" is never in a plain name). A
// name ending in "-demo" is not plain: "alice-demo" would be the file of
// alice's --demo (DemoPath).
func FileName(user string) string {
	if plainName.MatchString(user) && len(user) <= 64 && !strings.HasSuffix(user, "-demo") {
		return user
	}
	sum := sha256.Sum256([]byte(user))
	clean := strings.TrimLeft(unsafeName.ReplaceAllString(strings.ToLower(user), "_"), ".")
	if len(clean) > 32 {
		clean = clean[:32]
	}
	if clean == "" {
		clean = "_"
	}
	return clean + "~" + hex.EncodeToString(sum[:])[:16]
}

// DefaultPath is where a user's draft lives: under $XDG_STATE_HOME (or
// ~/.local/state) in dmsticket/draft.json, or, for an SSH user on the server,
// dmsticket/drafts/<FileName(user)>.json.
func DefaultPath(sshUser string) (string, error) {
	base := os.Getenv("XDG_STATE_HOME")
	if base == "" || !filepath.IsAbs(base) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no state directory for drafts: %w", err)
		}
		base = filepath.Join(home, ".local", "state")
	}
	dir := filepath.Join(base, "dmsticket")
	if sshUser == "" {
		return filepath.Join(dir, "draft.json"), nil
	}
	return filepath.Join(dir, "drafts", FileName(sshUser)+".json"), nil
}

// DemoPath is the draft path for --demo, beside the real one: a draft made
// against the simulator names databases that do not exist in DMS.
func DemoPath(path string) string {
	return strings.TrimSuffix(path, ".json") + "-demo.json"
}

// Load reads the draft. No file is ErrNone; a file that is not a draft of this
// version is moved aside and reported as *SetAsideError.
func (s *Store) Load() (*Draft, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.Open(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNone
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf, reason, err := ReadState(f, maxSize, "draft")
	if err != nil {
		return nil, err
	}
	if reason != "" {
		return nil, s.setAside(reason)
	}
	d, reason := Parse(buf)
	if reason != "" {
		return nil, s.setAside(reason)
	}
	return d, nil
}

// Parse reads a draft from bytes; reason says why they are not one.
func Parse(b []byte) (d *Draft, reason string) {
	if reason := CheckVersion(b, Version); reason != "" {
		return nil, reason
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	d = &Draft{}
	if err := dec.Decode(d); err != nil {
		return nil, "it is damaged: " + err.Error()
	}
	if len(d.Ticket.SQL) > dms.MaxSQLBytes || len(d.Ticket.RollbackSQL) > dms.MaxSQLBytes {
		return nil, "its SQL is larger than a ticket can hold"
	}
	return d, ""
}

// setAside renames the draft file out of the way. Callers hold mu.
func (s *Store) setAside(reason string) error {
	aside, err := SetAside(s.path, s.now().Format("20060102-150405"))
	if err != nil {
		return fmt.Errorf("the saved draft %s could not be used (%s) nor moved aside: %w", s.path, reason, err)
	}
	return &SetAsideError{Path: aside, Reason: reason}
}

// Save writes the draft atomically with mode 0600 (its directory 0700).
func (s *Store) Save(d Draft) error {
	d.Version = Version
	if d.SavedAt.IsZero() {
		d.SavedAt = s.now()
	}
	b, err := Encode(d)
	if err != nil {
		return err
	}
	return s.SaveBytes(b)
}

// SaveBytes writes an already encoded draft (see Encode).
func (s *Store) SaveBytes(b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return err
	}
	return dms.WriteFileAtomic(s.path, b)
}

// ErrTooLarge is Encode's and Save's answer for a draft whose SQL or
// rollback script is larger than a ticket can hold: Parse would refuse it
// and set it aside, so it is not written (the last draft that fitted stays).
var ErrTooLarge = fmt.Errorf("its SQL is larger than a ticket can hold (%s), so it is not kept as a draft", dms.HumanBytes(dms.MaxSQLBytes))

// Encode is the draft's bytes as Save writes them.
func Encode(d Draft) ([]byte, error) {
	if len(d.Ticket.SQL) > dms.MaxSQLBytes || len(d.Ticket.RollbackSQL) > dms.MaxSQLBytes {
		return nil, ErrTooLarge
	}
	d.Version = Version
	return json.Marshal(d)
}

// Remove deletes the draft (a ticket was created, or the user started over).
func (s *Store) Remove() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := os.Remove(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// Discard keeps the draft as <path>.discarded, replacing an older one, for a
// user who declined to resume and then changes their mind.
func (s *Store) Discard() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := os.Rename(s.path, s.path+".discarded")
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
