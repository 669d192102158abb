package wizard

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"dmsticket/dms"
	"dmsticket/dms/inert"
)

// ReadSQLFile reads a SQL script for the editor or the create command. A
// missing, unreadable, binary, non-UTF-8 or oversized file is an error that
// says which and what to do; nothing is returned then.
func ReadSQLFile(path string) (string, error) {
	if path == "" {
		return "", errors.New("type the path of a .sql file")
	}
	if strings.HasPrefix(path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, path[2:])
		}
	}
	name := inert.Line(path)
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("%s: no such file", name)
	case errors.Is(err, os.ErrPermission):
		return "", fmt.Errorf("%s: permission denied", name)
	case err != nil:
		return "", fmt.Errorf("%s: %v", name, err)
	case fi.IsDir():
		return "", fmt.Errorf("%s is a directory, not a .sql file", name)
	case fi.Size() > dms.MaxSQLBytes:
		size, most := dms.OverBy(fi.Size(), dms.MaxSQLBytes)
		return "", fmt.Errorf("%s is %s; a ticket holds at most %s of SQL", name, size, most)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s: %v", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, dms.MaxSQLBytes+1))
	if err != nil {
		return "", fmt.Errorf("%s: %v", name, err)
	}
	return CheckSQLText(name, b)
}

// CheckSQLText turns bytes that should be a SQL script into text, refusing
// binary and non-UTF-8 data and oversized scripts; a UTF-8 byte order mark is
// dropped.
func CheckSQLText(name string, b []byte) (string, error) {
	if len(b) > dms.MaxSQLBytes {
		return "", fmt.Errorf("%s is over %s; a ticket holds at most that much SQL", name, dms.HumanBytes(dms.MaxSQLBytes))
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(b, 0) >= 0 {
		return "", fmt.Errorf("%s looks binary (it contains NUL bytes), not like SQL text", name)
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("%s is not UTF-8 text; convert it first (for example iconv -f GBK -t UTF-8)", name)
	}
	return string(b), nil
}
