//go:build unix

package create

import (
	"os"
	"syscall"
)

// links is how many names the file has (0: not known).
func links(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 0
}
