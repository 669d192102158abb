package tui

import (
	"context"
	"errors"
	"os"

	tea "github.com/charmbracelet/bubbletea"
)

// Run runs the wizard in this terminal until the user quits.
func Run(ctx context.Context, opts Options, in *os.File, out *os.File) error {
	opts.Local = true
	m := New(opts)
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out))
	_, err := p.Run()
	// However the program ended (a signal, a closed terminal), keep the
	// draft; the program has stopped, so the model is ours to read.
	if derr := m.SaveDraft(); derr != nil && err == nil {
		err = derr
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}
