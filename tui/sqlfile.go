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
		text, err := wizard.ReadSQLFile(path)
		if err != nil {
			return fileLoadedMsg{err: fmt.Errorf("reading back from %s: %v; the SQL is unchanged", inert.Line(ed), err)}
		}
		return fileLoadedMsg{path: "$EDITOR", text: text, edited: true}
	})
}

// errMessage is an error's message for one line of the UI.
func errMessage(err error) string { return wizard.ErrMessage(err) }
