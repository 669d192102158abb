package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// KeyMap is the wizard's fixed key map (PRODUCT section 5). Steps add their
// own keys to the footer; these are the ones that mean the same everywhere.
type KeyMap struct {
	Enter, Back, Quit, Help, HelpAlways                key.Binding
	NextFromSQL, Estimate, Count, ExternalEditor, Open key.Binding
	Up, Down, PageUp, PageDown, Filter                 key.Binding
	Edit, Save, Command, GoToStep, NewTicket, QuitWord key.Binding
	Retry, Lookup, Yes, No, Top, Bottom                key.Binding
	// Switch flips a yes/no answer; Close leaves a screen that has no
	// step to go back to (the no-credentials screen).
	Switch, Close key.Binding
	// The result screen's keys for a ticket that exists (PRODUCT section 13).
	Submit, Execute, FileType, Download, CopyID key.Binding
	// Mark marks a database for a ticket that acts on several; Rollback
	// switches the SQL step between the change and its rollback script.
	Mark, Rollback key.Binding
	// MyTickets opens "My tickets" from the type step; FileLike files a new
	// ticket like the one shown.
	MyTickets, FileLike key.Binding
}

// DefaultKeyMap is the key map of PRODUCT section 5.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Enter:          key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")),
		Back:           key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Quit:           key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:           key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		HelpAlways:     key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", "help")),
		NextFromSQL:    key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "next")),
		Estimate:       key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "estimate")),
		Count:          key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "count")),
		ExternalEditor: key.NewBinding(key.WithKeys("ctrl+e"), key.WithHelp("ctrl+e", "$EDITOR")),
		Open:           key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "open")),
		Up:             key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "up")),
		Down:           key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "down")),
		PageUp:         key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:       key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Filter:         key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "filter")),
		Edit:           key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Save:           key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save")),
		Command:        key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "aliyun cmd")),
		GoToStep:       key.NewBinding(key.WithKeys("1", "2", "3", "4"), key.WithHelp("1-4", "step")),
		NewTicket:      key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new ticket")),
		QuitWord:       key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		Retry:          key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "submit again")),
		Lookup:         key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "look the ticket up")),
		Yes:            key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		No:             key.NewBinding(key.WithKeys("n", "N"), key.WithHelp("n", "no")),
		Top:            key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("home/g", "top")),
		Bottom:         key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end/G", "bottom")),
		Switch:         key.NewBinding(key.WithKeys("left", "right", "tab", "shift+tab", "h", "l"), key.WithHelp("←/→", "switch")),
		Close:          key.NewBinding(key.WithKeys("q", "esc", "enter"), key.WithHelp("q", "quit")),
		Submit:         key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "submit for approval")),
		Execute:        key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "run")),
		FileType:       key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "file type")),
		Download:       key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "download")),
		CopyID:         key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy ID")),
		Mark:           key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "mark")),
		Rollback:       key.NewBinding(key.WithKeys("ctrl+b"), key.WithHelp("ctrl+b", "rollback script")),
		MyTickets:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "my tickets")),
		FileLike:       key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "file one like it")),
	}
}

// helpKeys is a footer's key list: short for the one-line footer, full for `?`.
type helpKeys struct {
	short []key.Binding
	full  [][]key.Binding
}

// ShortHelp implements help.KeyMap.
func (h helpKeys) ShortHelp() []key.Binding { return h.short }

// FullHelp implements help.KeyMap. A key listed twice (in the short list
// and a group, say) is shown once.
func (h helpKeys) FullHelp() [][]key.Binding {
	if len(h.full) == 0 {
		return [][]key.Binding{h.short}
	}
	return dedupe(h.full)
}

// dedupe drops every binding whose keys an earlier one already has, and
// groups left empty.
func dedupe(groups [][]key.Binding) [][]key.Binding {
	seen := map[string]bool{}
	var out [][]key.Binding
	for _, g := range groups {
		var kept []key.Binding
		for _, b := range g {
			id := strings.Join(b.Keys(), " ")
			if seen[id] {
				continue
			}
			seen[id] = true
			kept = append(kept, b)
		}
		if len(kept) > 0 {
			out = append(out, kept)
		}
	}
	return out
}

// with returns b with its help text replaced.
func with(b key.Binding, keys, desc string) key.Binding {
	b.SetHelp(keys, desc)
	return b
}

// listMove is how far a list's cursor moves for msg, ok false when msg is
// not up, down, page up or page down (a page is rows rows).
func (k *KeyMap) listMove(msg tea.KeyMsg, rows int) (delta int, ok bool) {
	switch {
	case key.Matches(msg, k.Up):
		return -1, true
	case key.Matches(msg, k.Down):
		return 1, true
	case key.Matches(msg, k.PageUp):
		return -rows, true
	case key.Matches(msg, k.PageDown):
		return rows, true
	}
	return 0, false
}
