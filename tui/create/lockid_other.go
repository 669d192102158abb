//go:build !unix

package create

import "os"

// inode: not on this system (the lock is named by the file's path).
func inode(os.FileInfo) (string, bool) { return "", false }

// links: not known on this system.
func links(os.FileInfo) uint64 { return 0 }
