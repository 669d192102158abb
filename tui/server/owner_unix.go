//go:build unix

package server

import (
	"os"
	"syscall"
)

// checksOwnership says file modes and owners mean what Unix says.
const checksOwnership = true

// fileOwner is the uid that owns a file.
func fileOwner(st os.FileInfo) (int, bool) {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return int(sys.Uid), true
	}
	return 0, false
}
