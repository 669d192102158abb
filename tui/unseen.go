package tui

import tea "github.com/charmbracelet/bubbletea"

// Unseen reports that msg changes nothing the wizard draws: a timer that
// only starts work in the background (the SQL check's pause, the draft's)
// or a draft saved without an error. A host that draws frames itself (the
// SSH server) skips the frame such a message would cost: at a person's
// typing pace the check's timer fires after nearly every key.
func Unseen(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case checkTickMsg, draftTickMsg:
		return true
	case draftSavedMsg:
		return msg.err == nil
	}
	return false
}
