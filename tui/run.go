package tui

import (
	"context"
	"errors"
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Run runs the wizard in this terminal until the user quits.
func Run(ctx context.Context, opts Options, in *os.File, out *os.File) error {
	opts.Local, opts.tty = true, in
	if opts.Renderer == nil {
		opts.Renderer = localRenderer(out, opts.Mono)
	}
	m := New(opts)
	input := newTermInput(in)
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(ctx), tea.WithInput(input), tea.WithOutput(out))
	input.in.Send = p.Send
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

// localRenderer draws to this terminal. Without colour (--no-color, or
// NO_COLOR, which termenv reads as "no styling at all") the profile is the
// terminal's own all the same: the mono palette writes no colour, and bold
// and reverse video (the editor's cursor, the selected answer) are not
// colour. A terminal that cannot style at all (TERM=dumb) stays plain.
func localRenderer(out *os.File, mono bool) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(out)
	if mono {
		r.SetColorProfile(termenv.NewOutput(out).ColorProfile())
	}
	return r
}
