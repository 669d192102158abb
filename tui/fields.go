package tui

import (
	"github.com/charmbracelet/huh"

	"dmsticket/tui/wizard"
)

// huhField is a details field as a huh field, pointed at d: the one
// definition (wizard.Fields) drawn by the full-screen form and asked, one at
// a time, by the accessible prompts.
func huhField(f wizard.Field, d *wizard.Details, editor bool) huh.Field {
	switch f.Kind {
	case wizard.YesNo:
		return huh.NewConfirm().Key(f.Key).Title(f.Title).Description(f.Description).
			Affirmative(f.Yes).Negative(f.No).Value(f.Choice(d))
	case wizard.Pick:
		opts := make([]huh.Option[string], len(f.Options))
		for i, o := range f.Options {
			opts[i] = huh.NewOption(o, o)
		}
		return huh.NewSelect[string]().Key(f.Key).Title(f.Title).Description(f.Description).
			Options(opts...).Inline(true).Value(f.Value(d))
	case wizard.Lines:
		t := huh.NewText().Key(f.Key).Title(f.Title).Description(f.Description).Placeholder(f.Placeholder).
			Lines(4).ExternalEditor(editor).Value(f.Value(d))
		if f.MaxLen > 0 {
			t = t.CharLimit(f.MaxLen)
		}
		if f.Validate != nil {
			t = t.Validate(f.Validate)
		}
		return t
	}
	in := huh.NewInput().Key(f.Key).Title(f.Title).Description(f.Description).Placeholder(f.Placeholder).Value(f.Value(d))
	if f.MaxLen > 0 {
		in = in.CharLimit(f.MaxLen)
	}
	if f.Validate != nil {
		in = in.Validate(f.Validate)
	}
	return in
}
