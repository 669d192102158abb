//go:build unix

package create

import (
	"fmt"
	"os"
	"syscall"
)

// inode is a file's device and inode: one for every name of the file.
func inode(fi os.FileInfo) (string, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("inode %d:%d", st.Dev, st.Ino), true
}

// links is how many names the file has (0: not known).
func links(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 0
}
