package history

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"dmsticket/dms"
	"dmsticket/tui/draft"
)

// maxSize bounds a history file: the caps' worth of entries with room to
// spare. A larger file is not a history this build wrote.
const maxSize = 8 << 20

// lockWait bounds the wait for another process's change to the same file
// (each holds the lock for one read and one write).
const lockWait = 30 * time.Second

// SetAsideError means the history file could not be used and was moved out
// of the way; Path is where it went. An empty history is used instead:
// nothing else is lost.
type SetAsideError struct {
	Path   string
	Reason string
}

// Error implements error.
func (e *SetAsideError) Error() string {
	return fmt.Sprintf("the history of recent databases and tickets could not be used (%s); it was kept as %s and a new one was started", e.Reason, e.Path)
}

// IsSetAside reports whether err says the history file was set aside.
func IsSetAside(err error) bool {
	var sa *SetAsideError
	return errors.As(err, &sa)
}

// Store is one user's history file. It is safe for concurrent use, also by
// several stores on the same file and several processes: every change reads
// the file, applies itself and writes the file back under the file's lock.
type Store struct {
	path string
	mu   sync.Mutex
	now  func() time.Time
}

// Open is the store of the history file at path (which need not exist yet).
// Its directory is made (0700) when missing.
func Open(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("no path for the history file")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("the history's directory: %w", err)
	}
	return &Store{path: path, now: time.Now}, nil
}

// Path is the history file's path.
func (s *Store) Path() string { return s.path }

// DefaultPath is where a user's history lives, beside their draft (see
// draft.DefaultPath): dmsticket/history.json under $XDG_STATE_HOME (or
// ~/.local/state), or, for an SSH user on the server,
// dmsticket/history/<draft.FileName(user)>.json. The directory of its own
// keeps every SSH user's file apart from every draft, whatever the names.
func DefaultPath(sshUser string) (string, error) {
	p, err := draft.DefaultPath("")
	if err != nil {
		return "", fmt.Errorf("no state directory for the history: %w", errors.Unwrap(err))
	}
	dir := filepath.Dir(p)
	if sshUser == "" {
		return filepath.Join(dir, "history.json"), nil
	}
	return filepath.Join(dir, "history", draft.FileName(sshUser)+".json"), nil
}

// DemoPath is the history path for --demo, beside the real one: databases
// and tickets of the simulator are not DMS's.
func DemoPath(path string) string {
	return strings.TrimSuffix(path, ".json") + "-demo.json"
}

// Load reads the history. No file is an empty history. A file that is not a
// history of this version is moved aside: the empty history comes with a
// *SetAsideError the front end shows (a banner), never a failure.
func (s *Store) Load() (History, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, reason, err := s.read()
	if err != nil || reason == "" {
		return h, err
	}
	// Set aside under the lock, and only if it is still the damaged file:
	// another process may have just replaced it.
	var out History
	err = s.locked(func() error {
		h, reason, err := s.read()
		switch {
		case err != nil:
			return err
		case reason == "":
			out = h
			return nil
		}
		return s.setAside(reason)
	})
	return out, err
}

// Update applies change to the history and writes it back, under the lock,
// so that a change made meanwhile by another process is kept. A damaged
// file is set aside first and the change made to an empty history: the
// change is written and the *SetAsideError returned for the banner.
func (s *Store) Update(change func(h *History)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.locked(func() error {
		h, reason, err := s.read()
		if err != nil {
			return err
		}
		var aside error
		if reason != "" {
			if aside = s.setAside(reason); !IsSetAside(aside) {
				return aside
			}
			h = History{}
		}
		change(&h)
		h.normalize()
		b, err := json.Marshal(h)
		if err != nil {
			return err
		}
		if err := dms.WriteFileAtomic(s.path, b); err != nil {
			return fmt.Errorf("the history %s could not be written: %w", s.path, err)
		}
		return aside
	})
}

// RecordDatabase records the databases just chosen in tenant tid: they come
// first among its recent databases, in the order given.
func (s *Store) RecordDatabase(tid int64, dbs ...dms.Database) error {
	at := s.now()
	return s.Update(func(h *History) { h.AddDatabases(tid, at, dbs...) })
}

// RecordDefaults records the tenant and related users of the ticket just
// filed: the defaults of the next.
func (s *Store) RecordDefaults(tenant dms.Tenant, related []int64) error {
	return s.Update(func(h *History) { h.SetDefaults(tenant, related) })
}

// RecordTicket records a ticket the user filed; a zero Created is now.
func (s *Store) RecordTicket(t Ticket) error {
	if t.Created.IsZero() {
		t.Created = s.now()
	}
	return s.Update(func(h *History) { h.AddTicket(t) })
}

// RecordFiled records, in one change, what a filed ticket leaves behind:
// the tickets it created (ids, CreateOrder's answer), its tenant and related
// users as the next ticket's defaults, and its databases as recent. The
// related users are the ticket's as typed (wizard.RelatedUsers adds the
// user's own ID on every request).
func (s *Store) RecordFiled(t dms.Ticket, ids ...int64) error {
	now := s.now()
	name := ""
	if !t.Database.IsZero() {
		name = t.Database.Name()
		if n := len(t.More); n > 0 {
			name += fmt.Sprintf(" and %d more", n)
		}
	}
	return s.Update(func(h *History) {
		for _, id := range ids {
			h.AddTicket(Ticket{ID: id, Tid: t.Tenant.ID, Type: t.Type, Comment: t.Comment, Database: name, Created: now})
		}
		h.SetDefaults(t.Tenant, t.RelatedUsers)
		h.AddDatabases(t.Tenant.ID, now, t.Databases()...)
	})
}

// locked runs f holding the file's lock (<path>.lock, flock), waiting for
// other holders at most lockWait. The wait is the kernel's (a blocking
// flock), so writers queue rather than poll and none is starved.
func (s *Store) locked(f func() error) error {
	l := flock.New(s.path+".lock", flock.SetPermissions(0o600))
	got := make(chan error, 1)
	go func() { got <- l.Lock() }()
	timer := time.NewTimer(lockWait)
	defer timer.Stop()
	select {
	case err := <-got:
		if err != nil {
			return fmt.Errorf("the history %s could not be locked: %w", s.path, err)
		}
	case <-timer.C:
		// Let go of the lock whenever it comes.
		go func() {
			if <-got == nil {
				_ = l.Unlock()
			}
		}()
		return fmt.Errorf("the history %s is busy: another dmsticket has held its lock for %s", s.path, lockWait)
	}
	defer func() { _ = l.Unlock() }()
	return f()
}

// read reads and parses the file: an empty history when there is none;
// reason says why the file is not a history (then h is empty). err is for
// failures that say nothing about the file's contents (permissions).
func (s *Store) read() (h History, reason string, err error) {
	f, err := os.Open(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return History{}, "", nil
	}
	if err != nil {
		return History{}, "", fmt.Errorf("the history %s could not be opened: %w", s.path, err)
	}
	defer f.Close()
	b, reason, err := draft.ReadState(f, maxSize, "history")
	if err != nil || reason != "" {
		return History{}, reason, err
	}
	h, reason = Parse(b)
	return h, reason, nil
}

// Parse reads a history from bytes; reason says why they are not one.
func Parse(b []byte) (h History, reason string) {
	if reason := draft.CheckVersion(b, Version); reason != "" {
		return History{}, reason
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&h); err != nil {
		return History{}, "it is damaged: " + err.Error()
	}
	h.normalize()
	return h, ""
}

// setAside renames the history file out of the way. Callers hold the lock.
func (s *Store) setAside(reason string) error {
	aside, err := draft.SetAside(s.path, s.now().Format("20060102-150405.000000000"))
	if err != nil {
		return fmt.Errorf("the history %s could not be used (%s) nor moved aside: %w", s.path, reason, err)
	}
	return &SetAsideError{Path: aside, Reason: reason}
}
