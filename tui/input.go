package tui

import (
	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
)

// newInput is a one-line text input styled from the session's theme, with a
// steady cursor (a blinking one redraws every half second, in every SSH
// session).
func newInput(s *session, prompt, placeholder string) textinput.Model {
	in := textinput.New()
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
