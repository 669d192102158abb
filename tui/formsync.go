package tui

import (
	"reflect"
	"runtime"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
)

// huh moves the focus with messages (next or previous field or group) that
// its fields return as commands. Bubble Tea runs commands in goroutines, so
// such a message arrives after the keys already read: text typed right
// after enter landed in the field that enter had left. settleForm applies
// those moves at once, in Update, so the next key reaches the field that
// has the focus then (PRODUCT section 7, "Input arrives in bursts").

// batchPC is the code of the closure tea.Batch returns for several commands.
var batchPC = reflect.ValueOf(tea.Batch(func() tea.Msg { return nil }, func() tea.Msg { return nil })).Pointer()

// focusMoves are huh's commands that only move the focus: they return a
// message at once and do nothing else, so running them in Update is safe.
var focusMoves = map[string]bool{
	"github.com/charmbracelet/huh.NextField": true,
	"github.com/charmbracelet/huh.PrevField": true,
	"github.com/charmbracelet/huh.nextGroup": true,
	"github.com/charmbracelet/huh.prevGroup": true,
}

func cmdName(cmd tea.Cmd) (pc uintptr, name string) {
	pc = reflect.ValueOf(cmd).Pointer()
	if f := runtime.FuncForPC(pc); f != nil {
		name = f.Name()
	}
	return pc, name
}

// settleForm feeds the focus moves in cmd (possibly inside a batch) back to
// the form at once and returns the form and the rest of cmd, to run as
// usual.
func settleForm(f *huh.Form, cmd tea.Cmd) (*huh.Form, tea.Cmd) {
	return settle(f, cmd, 0)
}

func settle(f *huh.Form, cmd tea.Cmd, depth int) (*huh.Form, tea.Cmd) {
	if cmd == nil || depth > 32 {
		return f, cmd
	}
	pc, name := cmdName(cmd)
	switch {
	case pc == batchPC:
		batch, ok := cmd().(tea.BatchMsg)
		if !ok {
			return f, nil
		}
		rest := make([]tea.Cmd, 0, len(batch))
		for _, c := range batch {
			var r tea.Cmd
			f, r = settle(f, c, depth+1)
			rest = append(rest, r)
		}
		return f, tea.Batch(rest...)
	case focusMoves[name]:
		m, next := f.Update(cmd())
		return settle(m.(*huh.Form), next, depth+1)
	}
	return f, cmd
}
