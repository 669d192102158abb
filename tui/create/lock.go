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
// directory named by a hash of the ticket file's real path (not beside the
// ticket file, which may live in a repository). A run waits up to lockWait
// for another, then reads the record that one wrote.
func (r *runner) lockTicketFile(ctx context.Context) (release func(), err error) {
	base, err := draft.DefaultPath("")
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(r.filePath())
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(abs))
	dir := filepath.Join(filepath.Dir(base), "ticket-files")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, hex.EncodeToString(sum[:])[:32]+".lock")
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
