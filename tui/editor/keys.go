package editor

import "github.com/charmbracelet/bubbles/key"

// KeyMap is the editor's key bindings. It implements help.KeyMap.
//
// It leaves alone the keys the wizard uses around the editor: ctrl+e,
// ctrl+o, ctrl+r, ctrl+s, ctrl+c, esc and "?" ("?" is typed as text).
type KeyMap struct {
	CharacterLeft  key.Binding // one rune left, to the previous line's end at the start
	CharacterRight key.Binding // one rune right, to the next line's start at the end
	LineUp         key.Binding // one line up, keeping the column
	LineDown       key.Binding // one line down, keeping the column
	WordLeft       key.Binding // to the start of the word (or run of punctuation) before
	WordRight      key.Binding // to the end of the word (or run of punctuation) after
	LineStart      key.Binding // to the start of the line
	LineEnd        key.Binding // to the end of the line
	BufferStart    key.Binding // to the start of the text
	BufferEnd      key.Binding // to the end of the text
	PageUp         key.Binding // a screen up
	PageDown       key.Binding // a screen down

	InsertNewline      key.Binding // break the line, keeping its indentation
	InsertTab          key.Binding // spaces up to the next 4-column stop
	DeleteCharBackward key.Binding // the rune before (in indentation: back to a tab stop); joins lines at the start
	DeleteCharForward  key.Binding // the rune after; joins lines at the end
	DeleteWordBackward key.Binding // back to where WordLeft would go
	DeleteWordForward  key.Binding // up to where WordRight would go
	DeleteToLineEnd    key.Binding // to the end of the line; at the end, joins the next line
	DeleteToLineStart  key.Binding // to the start of the line

	Undo key.Binding // undo the last change (consecutive typing is one change)
	Redo key.Binding // redo what was undone
}

// DefaultKeyMap returns the editor's default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		CharacterLeft:  key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "left")),
		CharacterRight: key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "right")),
		LineUp:         key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "up")),
		LineDown:       key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "down")),
		WordLeft:       key.NewBinding(key.WithKeys("alt+left", "ctrl+left", "alt+b"), key.WithHelp("alt+←", "word left")),
		WordRight:      key.NewBinding(key.WithKeys("alt+right", "ctrl+right", "alt+f"), key.WithHelp("alt+→", "word right")),
		LineStart:      key.NewBinding(key.WithKeys("home", "ctrl+a"), key.WithHelp("home", "line start")),
		LineEnd:        key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "line end")),
		BufferStart:    key.NewBinding(key.WithKeys("ctrl+home"), key.WithHelp("ctrl+home", "top")),
		BufferEnd:      key.NewBinding(key.WithKeys("ctrl+end"), key.WithHelp("ctrl+end", "bottom")),
		PageUp:         key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:       key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),

		InsertNewline:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "new line")),
		InsertTab:          key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "indent")),
		DeleteCharBackward: key.NewBinding(key.WithKeys("backspace", "ctrl+h"), key.WithHelp("backspace", "delete")),
		DeleteCharForward:  key.NewBinding(key.WithKeys("delete", "ctrl+d"), key.WithHelp("del", "delete forward")),
		DeleteWordBackward: key.NewBinding(key.WithKeys("alt+backspace", "ctrl+w"), key.WithHelp("ctrl+w", "delete word")),
		DeleteWordForward:  key.NewBinding(key.WithKeys("alt+delete", "alt+d"), key.WithHelp("alt+d", "delete next word")),
		DeleteToLineEnd:    key.NewBinding(key.WithKeys("ctrl+k"), key.WithHelp("ctrl+k", "delete to line end")),
		DeleteToLineStart:  key.NewBinding(key.WithKeys("ctrl+u"), key.WithHelp("ctrl+u", "delete to line start")),

		Undo: key.NewBinding(key.WithKeys("ctrl+z"), key.WithHelp("ctrl+z", "undo")),
		Redo: key.NewBinding(key.WithKeys("ctrl+y"), key.WithHelp("ctrl+y", "redo")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Undo, k.Redo, k.WordLeft, k.WordRight}
}

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.WordLeft, k.WordRight, k.LineStart, k.LineEnd, k.BufferStart, k.BufferEnd, k.PageUp, k.PageDown},
		{k.InsertTab, k.DeleteWordBackward, k.DeleteWordForward, k.DeleteToLineEnd, k.DeleteToLineStart},
		{k.Undo, k.Redo},
	}
}
