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

// burstMsg says that the next enters enter keys came in one read with text
// (Input sends it before the read's keys): lines pasted without bracketed
// paste, or typed ahead. Each such enter is marked pasted (pastedEnter):
// it still matches the enter binding everywhere (tea.Key.String brackets
// only runes), and the SQL editor breaks the line as the text did, without
// copying the line's indentation into the next (the text brings its own: a
// string literal spanning the lines would change).
type burstMsg struct{ enters int }

// pastedEnter marks msg pasted when it is an enter of the burst the model
// was told of (enters left), counting it off.
func pastedEnter(msg tea.Msg, enters *int) tea.Msg {
	if k, ok := msg.(tea.KeyMsg); ok && k.Type == tea.KeyEnter && !k.Alt && *enters > 0 {
		*enters--
		k.Paste = true
		return k
	}
	return msg
}
