package theme

import (
	"reflect"

	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
)

// Huh is the form theme. huh builds its own themes from lipgloss's global
// renderer, which has no colour in an SSH session served by a daemon; this
// one is built from the palette and every style in it is bound to s.R.
func (s *Styles) Huh() *huh.Theme {
	t := huh.ThemeBase()
	p := s.P
	f := &t.Focused
	f.Base = f.Base.BorderForeground(p.Accent)
	f.Card = f.Base
	f.Title = f.Title.Foreground(p.Text).Bold(true)
	f.NoteTitle = f.NoteTitle.Foreground(p.Accent).Bold(true).MarginBottom(1)
	f.Description = f.Description.Foreground(p.Muted)
	f.ErrorIndicator = f.ErrorIndicator.Foreground(p.Danger)
	f.ErrorMessage = f.ErrorMessage.Foreground(p.Danger)
	f.SelectSelector = f.SelectSelector.Foreground(p.Accent)
	f.NextIndicator = f.NextIndicator.Foreground(p.Accent)
	f.PrevIndicator = f.PrevIndicator.Foreground(p.Accent)
	f.Option = f.Option.Foreground(p.Text)
	f.MultiSelectSelector = f.MultiSelectSelector.Foreground(p.Accent)
	f.SelectedOption = f.SelectedOption.Foreground(p.Accent)
	f.SelectedPrefix = f.SelectedPrefix.Foreground(p.Accent)
	f.UnselectedOption = f.UnselectedOption.Foreground(p.Text)
	f.FocusedButton = f.FocusedButton.Foreground(p.AccentText).Background(p.Accent).Bold(true)
	f.BlurredButton = f.BlurredButton.Foreground(p.Muted).Background(lipgloss.NoColor{})
	f.Next = f.FocusedButton
	f.TextInput.Cursor = f.TextInput.Cursor.Foreground(p.Accent)
	f.TextInput.Placeholder = f.TextInput.Placeholder.Foreground(p.Faint)
	f.TextInput.Prompt = f.TextInput.Prompt.Foreground(p.Accent)
	f.TextInput.Text = f.TextInput.Text.Foreground(p.Text)
	if s.Mono {
		f.FocusedButton = f.FocusedButton.Reverse(true)
		f.BlurredButton = lipgloss.NewStyle().Padding(0, 2).MarginRight(1)
	}

	t.Blurred = *f
	// A blurred field is indented as far as the focused one's border and
	// padding reach: two columns of padding draw what huh's hidden border
	// and padding draw, without a border to lay out on every key.
	t.Blurred.Base = lipgloss.NewStyle().PaddingLeft(f.Base.GetPaddingLeft() + 1)
	t.Blurred.Card = t.Blurred.Base
	t.Blurred.Title = t.Blurred.Title.Foreground(p.Muted).Bold(false)
	t.Blurred.TextInput.Text = t.Blurred.TextInput.Text.Foreground(p.Muted)
	t.Blurred.NextIndicator = lipgloss.NewStyle()
	t.Blurred.PrevIndicator = lipgloss.NewStyle()
	t.Blurred.MultiSelectSelector = lipgloss.NewStyle().SetString("  ")

	t.Group.Title = t.Focused.Title
	t.Group.Description = t.Focused.Description
	t.Help = s.help
	bindStyles(reflect.ValueOf(t).Elem(), s.R)
	return t
}

// bindStyles walks a struct and binds every lipgloss.Style in it, however
// deeply nested, to renderer r.
func bindStyles(v reflect.Value, r *lipgloss.Renderer) {
	styleType := reflect.TypeOf(lipgloss.Style{})
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == styleType {
			if v.CanSet() {
				v.Set(reflect.ValueOf(v.Interface().(lipgloss.Style).Renderer(r)))
			}
			return
		}
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				bindStyles(f, r)
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			bindStyles(v.Elem(), r)
		}
	}
}
