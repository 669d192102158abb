package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// maxInputLen bounds what a one-line input holds (a search, a filter, a
// schema name, a path): each key redraws all of it, so a megabyte pasted
// into a filter cost seconds a key, over SSH on the server.
const maxInputLen = 4096

// newInput is a one-line text input styled from the session's theme, with a
// steady cursor (a blinking one redraws every half second, in every SSH
// session), holding at most maxInputLen characters.
func newInput(s *session, prompt, placeholder string) textinput.Model {
	in := textinput.New()
	in.CharLimit = maxInputLen
	in.Prompt = prompt
	in.Placeholder = placeholder
	in.PromptStyle = s.st.Prompt
	in.TextStyle = s.st.InputText
	in.PlaceholderStyle = s.st.Placeholder
	in.Cursor.Style = s.st.InputCursor
	in.Cursor.TextStyle = s.st.InputText
	in.Cursor.SetMode(cursor.CursorStatic)
	return in
}

// copyToClipboard asks the terminal to put text on the clipboard (OSC 52),
// which works locally and through SSH in most terminals; where it does not,
// nothing happens.
func copyToClipboard(s *session, text string) tea.Cmd {
	out := s.st.R.Output()
	return func() tea.Msg {
		if out != nil {
			out.Copy(text)
		}
		return nil
	}
}

// capitalize upper-cases the first letter.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}
