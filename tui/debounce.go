package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// debouncer lets work wait until typing pauses, with at most one timer
// pending however fast the keys come (a timer per key would cost a frame per
// key in every session).
type debouncer struct {
	wait    time.Duration
	last    time.Time // the last key, by the wall clock
	pending bool
	msg     tea.Msg // what the timer delivers
}

// touch records a key; it returns the timer to start, if none is pending.
func (d *debouncer) touch() tea.Cmd {
	d.last = time.Now()
	if d.pending {
		return nil
	}
	d.pending = true
	return d.tick(d.wait)
}

// fire handles the timer: ready when the pause is long enough, else the
// timer for the rest of it.
func (d *debouncer) fire() (ready bool, again tea.Cmd) {
	d.pending = false
	if left := d.wait - time.Since(d.last); left > 0 {
		d.pending = true
		return false, d.tick(left)
	}
	return true, nil
}

func (d *debouncer) tick(after time.Duration) tea.Cmd {
	msg := d.msg
	return tea.Tick(after, func(time.Time) tea.Msg { return msg })
}
