package theme

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Styles is every style the UI draws with, all bound to one renderer. Build
// one per program (per SSH session) with New; never share it between
// renderers.
type Styles struct {
	R       *lipgloss.Renderer
	P       Palette
	Mono    bool
	Profile termenv.Profile

	// Header.
	Brand, HeaderMeta, Demo, User        lipgloss.Style
	Step, StepCurrent, StepDone, StepSep lipgloss.Style
	Warning                              lipgloss.Style // the production warning line
	Rule                                 lipgloss.Style

	// Badges for environments: loud for production and pre-release, quiet for the rest.
	BadgeDanger, BadgeWarn, BadgeQuiet lipgloss.Style

	// Body text.
	Title, Subtle, Faint, Label, Value, Key lipgloss.Style
	Error, Warn, Success, Info              lipgloss.Style
	Big                                     lipgloss.Style // the ticket ID on the result screen

	// Lists and tables.
	Item, ItemSelected, ItemDesc, ItemDescSelected lipgloss.Style
	Cursor                                         lipgloss.Style // the "▌" marker of the selected row
	TableHeader, Row, RowSelected                  lipgloss.Style
	Match                                          lipgloss.Style

	// Boxes.
	Panel, PanelFocused, PanelTitle lipgloss.Style

	// Text inputs.
	Prompt, InputText, Placeholder, InputCursor lipgloss.Style

	// The SQL editor.
	EditorText, LineNumber, CursorLineNumber, EditorCursor, EditorGutter, EditorMark lipgloss.Style

	Spinner lipgloss.Style

	help help.Styles
	syn  *syntax
	hex  Palette // the palette in hex, for chroma's own formatters
}

// New builds the styles for renderer r. mono drops every colour and keeps
// bold, underline and reverse video (--no-color, NO_COLOR).
func New(r *lipgloss.Renderer, mono bool) *Styles {
	hex := Colour(r.HasDarkBackground())
	p := forProfile(hex, r.ColorProfile())
	if mono {
		hex, p = Mono(), Mono()
	}
	s := &Styles{R: r, P: p, hex: hex, Mono: mono, Profile: r.ColorProfile()}
	n := r.NewStyle

	s.Brand = n().Bold(true).Foreground(p.Accent)
	s.HeaderMeta = n().Foreground(p.Muted)
	s.Demo = n().Bold(true).Foreground(p.AccentText).Background(p.Accent).Padding(0, 1)
	s.User = n().Foreground(p.Info)
	s.Step = n().Foreground(p.Faint)
	s.StepDone = n().Foreground(p.Muted)
	s.StepCurrent = n().Bold(true).Underline(true).Foreground(p.Accent)
	s.StepSep = n().Foreground(p.Faint)
	s.Warning = n().Bold(true).Foreground(p.Danger)
	s.Rule = n().Foreground(p.Border)

	s.BadgeDanger = n().Bold(true).Foreground(p.DangerText).Background(p.Danger).Padding(0, 1)
	s.BadgeWarn = n().Bold(true).Foreground(p.WarnText).Background(p.Warn).Padding(0, 1)
	s.BadgeQuiet = n().Foreground(p.Muted)
	if mono {
		s.BadgeDanger = n().Bold(true).Reverse(true).Padding(0, 1)
		s.BadgeWarn = n().Bold(true).Reverse(true).Padding(0, 1)
		s.Demo = n().Bold(true).Reverse(true).Padding(0, 1)
	}

	s.Title = n().Bold(true).Foreground(p.Text)
	s.Subtle = n().Foreground(p.Muted)
	s.Faint = n().Foreground(p.Faint)
	s.Label = n().Foreground(p.Muted)
	s.Value = n().Foreground(p.Text)
	s.Key = n().Bold(true).Foreground(p.Accent)
	s.Error = n().Foreground(p.Danger)
	s.Warn = n().Foreground(p.Warn)
	s.Success = n().Bold(true).Foreground(p.OK)
	s.Info = n().Foreground(p.Info)
	s.Big = n().Bold(true).Foreground(p.OK)

	s.Item = n().Foreground(p.Text)
	s.ItemSelected = n().Bold(true).Foreground(p.Accent)
	s.ItemDesc = n().Foreground(p.Muted)
	s.ItemDescSelected = n().Foreground(p.Text)
	s.Cursor = n().Bold(true).Foreground(p.Accent)
	s.TableHeader = n().Bold(true).Foreground(p.Muted)
	s.Row = n().Foreground(p.Text)
	s.RowSelected = n().Bold(true).Foreground(p.Accent)
	s.Match = n().Underline(true)

	s.Panel = n().Border(lipgloss.RoundedBorder()).BorderForeground(p.Border).Padding(0, 1)
	s.PanelFocused = s.Panel.BorderForeground(p.Accent)
	s.PanelTitle = n().Bold(true).Foreground(p.Muted)

	s.Prompt = n().Foreground(p.Accent)
	s.InputText = n().Foreground(p.Text)
	s.Placeholder = n().Foreground(p.Faint)
	s.InputCursor = n().Reverse(true)

	s.EditorText = n().Foreground(p.Text)
	s.LineNumber = n().Foreground(p.Faint)
	s.CursorLineNumber = n().Bold(true).Foreground(p.Accent)
	s.EditorCursor = n().Reverse(true)
	s.EditorGutter = n().Foreground(p.Border)
	s.EditorMark = n().Bold(true).Foreground(p.Danger)

	s.Spinner = n().Foreground(p.Accent)

	s.help = help.Styles{
		Ellipsis:       n().Foreground(p.Faint),
		ShortKey:       n().Bold(true).Foreground(p.Muted),
		ShortDesc:      n().Foreground(p.Faint),
		ShortSeparator: n().Foreground(p.Faint),
		FullKey:        n().Bold(true).Foreground(p.Muted),
		FullDesc:       n().Foreground(p.Faint),
		FullSeparator:  n().Foreground(p.Faint),
	}
	s.syn = newSyntax(s)
	return s
}

// Help is the bubbles help styles.
func (s *Styles) Help() help.Styles { return s.help }

// Badge draws an environment badge: loud ("danger" for production, "warn"
// for pre-release) or quiet.
func (s *Styles) Badge(label string, loudness Loudness) string {
	switch loudness {
	case Danger:
		return s.BadgeDanger.Render(label)
	case Warning:
		return s.BadgeWarn.Render(label)
	}
	return s.BadgeQuiet.Render("[" + label + "]")
}

// Loudness is how much a badge stands out.
type Loudness int

// Badge loudness levels.
const (
	Quiet Loudness = iota
	Warning
	Danger
)

// Progress is a progress bar in the theme: the accent's colour for the done
// part (bubbles' progress draws with its own colours otherwise), plain
// blocks without colour.
func (s *Styles) Progress(width int) progress.Model {
	opts := []progress.Option{progress.WithWidth(width), progress.WithColorProfile(s.Profile), progress.WithFillCharacters('█', '░')}
	if c, ok := s.hex.Accent.(lipgloss.Color); ok && !s.Mono {
		opts = append(opts, progress.WithSolidFill(string(c)))
	} else {
		opts = append(opts, progress.WithSolidFill(""), progress.WithColorProfile(termenv.Ascii))
	}
	return progress.New(opts...)
}
