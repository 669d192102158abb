package create

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"dmsticket/dms/inert"
	"dmsticket/tui/draft"
)

// lockWait is how long a run waits for another run of the same ticket file.
const lockWait = 30 * time.Second

// lockTicketFile makes runs of one ticket file one at a time, so that a
// file submits once (PRODUCT section 7): two runs at once both read no
// record, and both sent. The lock is this user's: a file under the state
// directory named by a hash of the ticket file's real path (symbolic links
// resolved; a file of several names, hard links, is refused), not its
// inode: the record is written by a rename, so the file is another inode
// once the first run records that it is sending, and a run started then
// took another lock and sent the ticket again. Not beside the ticket file, which
// may live in a repository. Without a state directory (no home, a
// read-only one) it is beside the ticket file, whose directory the record
// needs writable anyway. A run waits up to lockWait for another, then
// reads the record that one wrote.
func (r *runner) lockTicketFile(ctx context.Context) (release func(), err error) {
	id, err := fileIdentity(r.filePath())
	if err != nil {
		return func() {}, nil // no file (yet): reading it says so, and nothing is sent
	}
	if fi, err := os.Stat(r.filePath()); err == nil && links(fi) > 1 {
		// The record is written by a rename: it would reach one of the
		// names, and a run through another would file the ticket again.
		return nil, errHardLinks{n: links(fi)}
	}
	sum := sha256.Sum256([]byte(id))
	path := ""
	if base, err := draft.DefaultPath(""); err == nil {
		dir := filepath.Join(filepath.Dir(base), "ticket-files")
		if os.MkdirAll(dir, 0o700) == nil {
			path = filepath.Join(dir, hex.EncodeToString(sum[:])[:32]+".lock")
		}
	}
	if path == "" {
		path = r.filePath() + ".lock"
	}
	deadline := time.Now().Add(lockWait)
	for said := false; ; said = true {
		release, pid, err := draft.LockFile(path)
		if err != nil || release != nil {
			return release, err
		}
		who := "another dmsticket"
		if pid > 0 {
			who = fmt.Sprintf("another dmsticket (process %d)", pid)
		}
		if !said {
			r.say("%s is filing %s: waiting for it (at most %s)…", who, inert.Line(r.o.from), lockWait)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s is still filing %s after %s", who, inert.Line(r.o.from), lockWait)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// filePath is the ticket file the run reads and records into: --from with
// its symbolic links resolved, so that the record goes into the file a
// link names (a rename over the link would replace it with a copy).
func (r *runner) filePath() string {
	if r.realFrom != "" {
		return r.realFrom
	}
	return r.o.from
}

// fileIdentity names the file at path: its absolute real path, which the
// rename that writes its record keeps.
func fileIdentity(path string) (string, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", err
	}
	return filepath.Abs(real)
}

// errHardLinks refuses a ticket file with several names (hard links).
type errHardLinks struct{ n uint64 }

func (e errHardLinks) Error() string {
	return fmt.Sprintf("the ticket file has %d names (hard links), and the record of what it created would reach only one of them: copy it (cp) and run the copy", e.n)
}
