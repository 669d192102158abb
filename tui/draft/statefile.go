package draft

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// This file is what a user's state files share: the draft, and the history
// (tui/history) beside it. Each is one JSON object with a version; one that
// cannot be used is set aside.

// ReadState reads the state file open as f, of at most limit bytes (what names
// the file: "draft"). reason says why its bytes are not usable (too large,
// unreadable); err is a failure that says nothing about them.
func ReadState(f *os.File, limit int64, what string) (b []byte, reason string, err error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, "", err
	}
	if fi.Size() > limit {
		return nil, "it is larger than any " + what + " could be", nil
	}
	b, err = io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, "it could not be read: " + err.Error(), nil
	}
	return b, "", nil
}

// CheckVersion says why b is not a state file of version want ("it has no
// version"), or "" when it is one.
func CheckVersion(b []byte, want int) (reason string) {
	var probe struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return "it is not valid JSON"
	}
	if probe.Version == nil {
		return "it has no version"
	}
	if *probe.Version != want {
		return fmt.Sprintf("it is version %d; this dmsticket reads version %d", *probe.Version, want)
	}
	return ""
}

// SetAside renames the state file at path out of the way, to
// <path>.unreadable-<stamp>, and returns where it went.
func SetAside(path, stamp string) (string, error) {
	aside := path + ".unreadable-" + stamp
	return aside, os.Rename(path, aside)
}
