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
	release, pid, err := LockFile(s.path + ".lock")
	if err == nil && release == nil {
		return nil, &LockedError{Path: s.path, PID: pid}
	}
	return release, err
}

// LockFile takes the lock file at path (flock) for this process: release
// ends it. Held by another process: a nil release, and the holder's PID
// when it wrote one (the lock is what counts; the PID is a hint for the
// other side's message).
func LockFile(path string) (release func(), holder int, err error) {
	l := flock.New(path, flock.SetPermissions(0o600))
	ok, err := l.TryLock()
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		if b, rerr := os.ReadFile(path); rerr == nil {
			holder, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		return nil, holder, nil
	}
	_ = os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600)
	return func() { _ = l.Unlock() }, 0, nil
}

// IsLocked reports whether err says another process holds the draft.
func IsLocked(err error) bool {
	var le *LockedError
	return errors.As(err, &le)
}
