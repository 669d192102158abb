package tui

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"

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
		return "", fmt.Errorf("%s is %s; a ticket holds at most %s of SQL", name, dms.HumanBytes(fi.Size()), dms.HumanBytes(dms.MaxSQLBytes))
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

// loadFile reads a file in the background.
func loadFile(path string) tea.Cmd {
	return func() tea.Msg {
		text, err := ReadSQLFile(path)
		return fileLoadedMsg{path: inert.Line(path), text: text, err: err}
	}
}

// externalEdit opens the SQL in $VISUAL or $EDITOR (run through the shell,
// as git does, so "code --wait" works) and reads the file back. The buffer is
// untouched when the editor fails or the file comes back unreadable.
func externalEdit(sql string) tea.Cmd {
	ed := os.Getenv("VISUAL")
	if ed == "" {
		ed = os.Getenv("EDITOR")
	}
	if ed == "" {
		if _, err := exec.LookPath("vi"); err != nil {
			return func() tea.Msg {
				return fileLoadedMsg{err: errors.New("set $VISUAL or $EDITOR to use an external editor")}
			}
		}
		ed = "vi"
	}
	f, err := os.CreateTemp("", "dmsticket-*.sql")
	if err != nil {
		return func() tea.Msg { return fileLoadedMsg{err: fmt.Errorf("external editor: %v", err)} }
	}
	path := f.Name()
	_, werr := f.WriteString(sql)
	cerr := f.Close()
	if werr != nil || cerr != nil {
		os.Remove(path)
		return func() tea.Msg { return fileLoadedMsg{err: fmt.Errorf("external editor: cannot write %s", path)} }
	}
	cmd := exec.Command("sh", "-c", ed+` "$1"`, "dmsticket-editor", path)
	return tea.ExecProcess(cmd, func(err error) tea.Msg {
		defer os.Remove(path)
		if err != nil {
			return fileLoadedMsg{err: fmt.Errorf("%s exited with an error (%v); the SQL is unchanged", inert.Line(ed), err)}
		}
		text, err := ReadSQLFile(path)
		if err != nil {
			return fileLoadedMsg{err: fmt.Errorf("reading back from %s: %v; the SQL is unchanged", inert.Line(ed), err)}
		}
		return fileLoadedMsg{path: "$EDITOR", text: text, edited: true}
	})
}

// errMessage is an error's message for one line of the UI.
func errMessage(err error) string {
	if de, ok := dms.AsError(err); ok {
		m := de.Message
		if de.Code != "" {
			m = de.Code + ": " + m
		}
		return inert.Line(m)
	}
	return inert.Line(err.Error())
}
