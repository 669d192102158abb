package draft

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gofrs/flock"
)

// LockedError says another process holds a draft: two wizards with the same
// home (or two servers with the same state directory) do not overwrite each
// other's draft.
type LockedError struct {
	Path string
	PID  int // the holder's process ID, when it wrote one
}

// Error implements error.
func (e *LockedError) Error() string {
	who := "another dmsticket"
	if e.PID > 0 {
		who = fmt.Sprintf("another dmsticket (process %d)", e.PID)
	}
	return who + " is using the draft " + e.Path
}

// Lock takes the draft's lock (a file beside it, <path>.lock, locked with
// flock) for this process, until release is called or the process ends. A
// draft another process holds is a *LockedError.
func (s *Store) Lock() (release func(), err error) {
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return nil, err
	}
	lockPath := s.path + ".lock"
	l := flock.New(lockPath, flock.SetPermissions(0o600))
	ok, err := l.TryLock()
	if err != nil {
		return nil, err
	}
	if !ok {
		e := &LockedError{Path: s.path}
		if b, rerr := os.ReadFile(lockPath); rerr == nil {
			e.PID, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		return nil, e
	}
	// The holder's PID, for the other side's message (the lock is what
	// counts; the content is only a hint).
	_ = os.WriteFile(lockPath, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600)
	return func() { _ = l.Unlock() }, nil
}

// IsLocked reports whether err says another process holds the draft.
func IsLocked(err error) bool {
	var le *LockedError
	return errors.As(err, &le)
}
