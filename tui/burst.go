package tui

import tea "github.com/charmbracelet/bubbletea"

// asText makes a run of characters that reached the program in one read (a
// paste without bracketed paste, type-ahead over SSH, tmux paste-buffer)
// text. Bubble Tea v1 delivers such a run as one KeyRunes message whose
// String() is the whole run, so key.Matches took the word "left", "up",
// "end" or "esc" for the key of that name (STYLE.md trap 10). Marked as a
// paste, the message matches no binding (its String() is bracketed), and
// every input (the editor, bubbles' textinput, huh's fields) inserts its
// runes. One rune is a key as typed; control keys arrive as messages of
// their own, in order.
//
// Two escapes in one read (esc pressed twice quickly, over SSH or in a
// burst) reach the program as alt+esc, which no binding names: it is the
// esc key, once.
func asText(msg tea.Msg) tea.Msg {
	k, ok := msg.(tea.KeyMsg)
	switch {
	case ok && k.Type == tea.KeyRunes && len(k.Runes) > 1 && !k.Paste:
		k.Paste = true
		return k
	case ok && k.Type == tea.KeyEsc && k.Alt:
		return tea.KeyMsg{Type: tea.KeyEsc}
	}
	return msg
}
