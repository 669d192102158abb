package tui

import (
	"errors"
	"fmt"
	"os"
	"os/exec"

	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms/inert"
	"dmsticket/tui/wizard"
)

// loadFile reads a file in the background.
func loadFile(path string) tea.Cmd {
	return func() tea.Msg {
		text, err := wizard.ReadSQLFile(path)
		return fileLoadedMsg{path: inert.Line(path), text: text, err: err}
	}
}

// externalEdit opens the SQL in the user's editor (runEditor) and reads
// the file back. The buffer is untouched when the editor fails or the file
// comes back unreadable.
func externalEdit(tty *os.File, sql string) tea.Cmd {
	return runEditor(tty, sql, ".sql", func(ed, path string, err error) tea.Msg {
		if err != nil {
			return fileLoadedMsg{err: fmt.Errorf("%s; the SQL is unchanged", err)}
		}
		defer os.Remove(path)
		text, err := wizard.ReadSQLFile(path)
		if err != nil {
			return fileLoadedMsg{err: fmt.Errorf("reading back from %s: %v; the SQL is unchanged", inert.Line(ed), err)}
		}
		return fileLoadedMsg{path: "$EDITOR", text: text, edited: true}
	})
}

// runEditor opens text in $VISUAL or $EDITOR (run through the shell, as git
// does, so "code --wait" works), else vi, in a temporary file named with
// ext, and has read make the message of what it left: the editor's name,
// the file (read's to remove), or why there is none. The editor gets the
// terminal itself (tty): the program reads it through termInput, which a
// process cannot be given (Bubble Tea's default; nil keeps it, as in tests).
func runEditor(tty *os.File, text, ext string, read func(ed, path string, err error) tea.Msg) tea.Cmd {
	ed := os.Getenv("VISUAL")
	if ed == "" {
		ed = os.Getenv("EDITOR")
	}
	if ed == "" {
		if _, err := exec.LookPath("vi"); err != nil {
			return func() tea.Msg {
				return read("", "", errors.New("set $VISUAL or $EDITOR to use an external editor"))
			}
		}
		ed = "vi"
	}
	f, err := os.CreateTemp("", "dmsticket-*"+ext)
	if err != nil {
		return func() tea.Msg { return read(ed, "", fmt.Errorf("external editor: %v", err)) }
	}
	path := f.Name()
	_, werr := f.WriteString(text)
	cerr := f.Close()
	if werr != nil || cerr != nil {
		os.Remove(path)
		return func() tea.Msg { return read(ed, "", fmt.Errorf("external editor: cannot write %s", path)) }
	}
	cmd := exec.Command("sh", "-c", ed+` "$1"`, "dmsticket-editor", path)
	if tty != nil {
		cmd.Stdin = tty
	}
	return tea.ExecProcess(cmd, func(err error) tea.Msg {
		if err != nil {
			os.Remove(path)
			return read(ed, "", fmt.Errorf("%s exited with an error (%v)", inert.Line(ed), err))
		}
		return read(ed, path, nil)
	})
}

// errMessage is an error's message for one line of the UI.
func errMessage(err error) string { return wizard.ErrMessage(err) }
