package theme

import (
	"sync"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/formatters"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// syntax maps chroma token types to renderer-bound styles, cached per type.
type syntax struct {
	mu     sync.RWMutex
	byType map[chroma.TokenType]lipgloss.Style
	base   map[chroma.TokenType]lipgloss.Style // by category
	plain  lipgloss.Style
}

func newSyntax(s *Styles) *syntax {
	n := s.R.NewStyle
	p := s.P
	base := map[chroma.TokenType]lipgloss.Style{
		chroma.Keyword:       n().Foreground(p.Keyword).Bold(true),
		chroma.LiteralString: n().Foreground(p.String),
		chroma.LiteralNumber: n().Foreground(p.Number),
		chroma.Comment:       n().Foreground(p.Comment).Italic(true),
		chroma.Operator:      n().Foreground(p.Operator),
		chroma.Punctuation:   n().Foreground(p.Text),
		chroma.NameBuiltin:   n().Foreground(p.Builtin),
		chroma.NameFunction:  n().Foreground(p.Builtin),
		chroma.NameTag:       n().Foreground(p.Builtin), // JSON keys
		chroma.Name:          n().Foreground(p.Name),
		chroma.Error:         n().Foreground(p.Danger),
	}
	if s.Mono {
		base = map[chroma.TokenType]lipgloss.Style{
			chroma.Keyword: n().Bold(true),
			chroma.Comment: n().Italic(true),
		}
	}
	return &syntax{byType: map[chroma.TokenType]lipgloss.Style{}, base: base, plain: n().Foreground(p.Text)}
}

// Syntax is the style of a chroma token type: its own, else its sub-category's,
// else its category's, else plain text.
func (s *Styles) Syntax(t chroma.TokenType) lipgloss.Style {
	s.syn.mu.RLock()
	st, ok := s.syn.byType[t]
	s.syn.mu.RUnlock()
	if ok {
		return st
	}
	st = s.syn.plain
	for _, cand := range []chroma.TokenType{t, t.SubCategory(), t.Category()} {
		if b, ok := s.syn.base[cand]; ok {
			st = b
			break
		}
	}
	s.syn.mu.Lock()
	s.syn.byType[t] = st
	s.syn.mu.Unlock()
	return st
}

// ChromaStyle is the palette as a chroma style, for chroma's own formatters.
func (s *Styles) ChromaStyle() *chroma.Style {
	hex := func(c lipgloss.TerminalColor) string {
		if col, ok := c.(lipgloss.Color); ok {
			return string(col)
		}
		return ""
	}
	entry := func(c lipgloss.TerminalColor, extra string) string {
		h := hex(c)
		if h == "" {
			return extra
		}
		if extra == "" {
			return h
		}
		return extra + " " + h
	}
	p := s.hex
	return chroma.MustNewStyle("dmsticket", chroma.StyleEntries{
		chroma.Background:    entry(p.Text, ""),
		chroma.Keyword:       entry(p.Keyword, "bold"),
		chroma.LiteralString: entry(p.String, ""),
		chroma.LiteralNumber: entry(p.Number, ""),
		chroma.Comment:       entry(p.Comment, "italic"),
		chroma.Operator:      entry(p.Operator, ""),
		chroma.NameBuiltin:   entry(p.Builtin, ""),
		chroma.NameFunction:  entry(p.Builtin, ""),
		chroma.NameTag:       entry(p.Builtin, ""),
		chroma.Error:         entry(p.Danger, ""),
	})
}

// Formatter is the chroma formatter for the renderer's colour profile:
// TrueColor terminal16m, ANSI256 terminal256, ANSI terminal16; nil when there
// is no colour (draw plain text then).
func (s *Styles) Formatter() chroma.Formatter {
	if s.Mono {
		return nil
	}
	switch s.Profile {
	case termenv.TrueColor:
		return formatters.Get("terminal16m")
	case termenv.ANSI256:
		return formatters.Get("terminal256")
	case termenv.ANSI:
		return formatters.Get("terminal16")
	}
	return nil
}
