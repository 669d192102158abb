package tui

import (
	"context"
	"errors"
	"io"
	"os"

	tea "github.com/charmbracelet/bubbletea"
)

// Run runs the wizard in this terminal until the user quits.
func Run(ctx context.Context, opts Options, in *os.File, out *os.File) error {
	opts.Local = true
	m := New(opts)
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out))
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}

// RunAccessible runs the wizard as plain prompts (huh's accessible mode).
func RunAccessible(ctx context.Context, opts Options, in io.Reader, out io.Writer) error {
	return errors.New("accessible mode is not yet available")
}
