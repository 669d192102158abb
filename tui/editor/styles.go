package editor

import (
	"strings"

	"github.com/alecthomas/chroma/v2"
	chromastyles "github.com/alecthomas/chroma/v2/styles"
	"github.com/charmbracelet/lipgloss"
)

// Styles are the editor's styles. Build them on the session's renderer. They
// should set colours and attributes only: padding, margins, borders or
// widths would break the editor's columns.
type Styles struct {
	// Text is the style of text that is not highlighted (all text when
	// Syntax is nil); Syntax styles inherit what they leave unset from it.
	Text lipgloss.Style
	// LineNumber is the style of the line numbers in the gutter.
	LineNumber lipgloss.Style
	// CursorLineNumber is the style of the cursor line's number.
	CursorLineNumber lipgloss.Style
	// Cursor is the style of the cell under the cursor (reverse video,
	// typically). The cursor is drawn only while the editor is focused.
	Cursor lipgloss.Style
	// Placeholder is the style of the placeholder shown when the buffer
	// is empty.
	Placeholder lipgloss.Style
	// Gutter is the style of the gutter's mark column on lines without a
	// mark and of the space between the gutter and the text.
	Gutter lipgloss.Style
	// Mark is the style of the gutter mark of lines with a problem.
	Mark lipgloss.Style
	// Syntax returns the style of a chroma token type. When nil, the
	// text is not highlighted (and not lexed at all).
	Syntax func(chroma.TokenType) lipgloss.Style
}

// DefaultStyles returns plain styles on r (lipgloss' default renderer when
// nil) with highlighting from chroma's "monokai" style. The wizard builds its
// own from the theme.
func DefaultStyles(r *lipgloss.Renderer) Styles {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	return Styles{
		Text:             r.NewStyle(),
		LineNumber:       r.NewStyle().Foreground(lipgloss.Color("8")),
		CursorLineNumber: r.NewStyle().Foreground(lipgloss.Color("15")).Bold(true),
		Cursor:           r.NewStyle().Reverse(true),
		Placeholder:      r.NewStyle().Foreground(lipgloss.Color("8")),
		Gutter:           r.NewStyle(),
		Mark:             r.NewStyle().Foreground(lipgloss.Color("9")).Bold(true),
		Syntax:           ChromaSyntax(r, chromastyles.Get("monokai")),
	}
}

// ChromaSyntax maps a chroma style to lipgloss styles on r: each token
// type's colour becomes a foreground colour (a background only where it
// differs from the style's own background), with its bold, italic and
// underline attributes.
func ChromaSyntax(r *lipgloss.Renderer, s *chroma.Style) func(chroma.TokenType) lipgloss.Style {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	if s == nil {
		s = chromastyles.Fallback
	}
	bg := s.Get(chroma.Background).Background
	return func(t chroma.TokenType) lipgloss.Style {
		e := s.Get(t)
		st := r.NewStyle()
		if e.Colour.IsSet() {
			st = st.Foreground(lipgloss.Color(e.Colour.String()))
		}
		if e.Background.IsSet() && e.Background != bg {
			st = st.Background(lipgloss.Color(e.Background.String()))
		}
		if e.Bold == chroma.Yes {
			st = st.Bold(true)
		}
		if e.Italic == chroma.Yes {
			st = st.Italic(true)
		}
		if e.Underline == chroma.Yes {
			st = st.Underline(true)
		}
		return st
	}
}

// runStyle renders runs of text in one style. When the style only wraps text
// in escape sequences (colours and attributes, the usual case) it renders by
// concatenating a prefix and a suffix found once, which is much cheaper than
// lipgloss.Style.Render; otherwise it calls Render.
type runStyle struct {
	style          lipgloss.Style
	prefix, suffix string
	fast           bool
}

func newRunStyle(s lipgloss.Style) *runStyle {
	rs := &runStyle{style: s}
	probe := s.Render("x")
	if i := strings.IndexByte(probe, 'x'); i >= 0 && strings.Count(probe, "x") == 1 {
		rs.prefix, rs.suffix = probe[:i], probe[i+1:]
		// The shortcut must give what Render gives for text with spaces
		// and wide runes too (underlines, padding or widths would not).
		const check = "a b\u4e2d"
		rs.fast = s.Render(check) == rs.prefix+check+rs.suffix
	}
	return rs
}

// write renders text in the style to sb.
func (rs *runStyle) write(sb *strings.Builder, text string) {
	if text == "" {
		return
	}
	if rs.fast {
		sb.WriteString(rs.prefix)
		sb.WriteString(text)
		sb.WriteString(rs.suffix)
		return
	}
	sb.WriteString(rs.style.Render(text))
}

// styleSet is the document's rendering state derived from Styles.
type styleSet struct {
	text, cursor, placeholder *runStyle
	tokens                    map[chroma.TokenType]*runStyle
	same                      map[[2]string]*runStyle // fast run styles by prefix and suffix
	gutterNums                map[gutterKey]string
	mark, blankMark, sep      string
}

type gutterKey struct {
	n      int
	width  int
	cursor bool
}

// setStyles installs s and drops everything rendered with the old styles.
func (d *document) setStyles(s Styles) {
	d.styles = s
	d.styleGen++
	d.ss = styleSet{
		text:        newRunStyle(s.Text),
		cursor:      newRunStyle(s.Cursor),
		placeholder: newRunStyle(s.Placeholder),
		tokens:      map[chroma.TokenType]*runStyle{},
		same:        map[[2]string]*runStyle{},
		gutterNums:  map[gutterKey]string{},
		mark:        s.Mark.Render(markGlyph),
		blankMark:   s.Gutter.Render(strings.Repeat(" ", markWidth)),
		sep:         s.Gutter.Render(" "),
	}
}

// tokenStyle returns the run style of token type t.
func (d *document) tokenStyle(t chroma.TokenType) *runStyle {
	if d.styles.Syntax == nil {
		return d.ss.text
	}
	if rs, ok := d.ss.tokens[t]; ok {
		return rs
	}
	rs := newRunStyle(d.styles.Syntax(t).Inherit(d.styles.Text))
	if rs.fast {
		// Token types that look the same share one run style, so that
		// neighbouring tokens are drawn as one run.
		k := [2]string{rs.prefix, rs.suffix}
		if same, ok := d.ss.same[k]; ok {
			rs = same
		} else {
			d.ss.same[k] = rs
		}
	}
	d.ss.tokens[t] = rs
	return rs
}

// markGlyph is drawn in the gutter of lines with a problem.
const markGlyph = "●"

// markWidth is markGlyph's width in cells.
var markWidth = cellsOf([]rune(markGlyph))
