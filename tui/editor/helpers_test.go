package editor

import (
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/alecthomas/chroma/v2"
	chromastyles "github.com/alecthomas/chroma/v2/styles"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"dmsticket/dms/sqlscript"
)

func runes(s string) tea.KeyMsg   { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }
func paste(s string) tea.KeyMsg   { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true} }
func k(t tea.KeyType) tea.KeyMsg  { return tea.KeyMsg{Type: t} }
func alt(m tea.KeyMsg) tea.KeyMsg { m.Alt = true; return m }

// send feeds msgs to m through Update, as a parent would.
func send(m Model, msgs ...tea.Msg) Model {
	for _, msg := range msgs {
		m, _ = m.Update(msg)
	}
	return m
}

// typeText types s rune by rune, with enter for "\n".
func typeText(m Model, s string) Model {
	for _, c := range s {
		if c == '\n' {
			m = send(m, k(tea.KeyEnter))
		} else {
			m = send(m, runes(string(c)))
		}
	}
	return m
}

// renderer returns a lipgloss renderer with a fixed colour profile.
func renderer(p termenv.Profile) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(p)
	r.SetHasDarkBackground(true)
	return r
}

// colourStyles are highlighting styles on a TrueColor renderer.
func colourStyles() Styles {
	r := renderer(termenv.TrueColor)
	s := DefaultStyles(r)
	s.Syntax = ChromaSyntax(r, chromastyles.Get("monokai"))
	return s
}

// plainStyles are styles without highlighting on an ASCII renderer.
func plainStyles() Styles {
	s := DefaultStyles(renderer(termenv.Ascii))
	s.Syntax = nil
	return s
}

// newEditor returns a focused editor of size 80×24 holding text.
func newEditor(t testing.TB, text string) Model {
	t.Helper()
	m := New(plainStyles())
	m.SetSize(80, 24)
	m.Focus()
	m.SetValue(text)
	return m
}

func cursorOf(m Model) pos {
	l, c := m.Cursor()
	return pos{l, c}
}

// lineTypes returns the token type of every rune of line i as the editor
// computes it for drawing.
func lineTypes(d *document, i int) []chroma.TokenType {
	d.ensure(i)
	flags := make([]bool, 1)
	d.parenFollows(i, flags)
	ln := d.lines[i]
	paren := flags[0] && d.dialect == sqlscript.MySQL && endsInWord(ln.runes())
	out := make([]chroma.TokenType, len(ln.runes()))
	d.fillTypes(ln, 0, len(ln.runes()), paren, out)
	return out
}

// referenceTypes colours text as a whole, the way a full re-lex would:
// sqlscript's tokens of the whole text say where the strings, quoted
// identifiers and comments are, coloured as the editor colours them, and
// every stretch of code between them is lexed by chroma in one go, across
// line breaks.
func referenceTypes(t testing.TB, dl sqlscript.Dialect, text string) [][]chroma.TokenType {
	t.Helper()
	d := &document{}
	d.setDialect(dl)
	runeAt := make([]int, len(text)+1) // the rune offset of each byte offset
	n := 0
	for b := 0; b < len(text); n++ {
		_, size := utf8.DecodeRuneInString(text[b:])
		for k := b; k < b+size; k++ {
			runeAt[k] = n
		}
		b += size
	}
	runeAt[len(text)] = n
	types := make([]chroma.TokenType, n)
	code := func(a, b int) { // bytes
		if a >= b {
			return
		}
		next := rune(0)
		if b < len(text) {
			next, _ = utf8.DecodeRuneInString(text[b:])
		}
		toks, _ := d.lexCode(nil, text[a:b], next, false)
		k := runeAt[a]
		for _, tk := range toks {
			for range tk.n {
				types[k] = tk.typ
				k++
			}
		}
	}
	at := 0
	for _, tk := range sqlscript.Tokens(text, dl) {
		switch tk.Kind {
		case sqlscript.String, sqlscript.QuotedIdent, sqlscript.Comment:
		default:
			continue
		}
		code(at, tk.Start)
		typ := constructType(tk.Kind, tk.Text[0])
		start := runeAt[tk.Start]
		if tk.Kind == sqlscript.String && (tk.Text[0] == 'E' || tk.Text[0] == 'e') {
			types[start] = chroma.LiteralStringAffix
			start++
			typ = chroma.LiteralStringSingle
		}
		for k := start; k < runeAt[tk.End]; k++ {
			types[k] = typ
		}
		at = tk.End
	}
	code(at, len(text))
	return byLine(types, text)
}

// byLine cuts the types of text's runes into its lines' (dropping the line
// breaks').
func byLine(types []chroma.TokenType, text string) [][]chroma.TokenType {
	lines := strings.Split(text, "\n")
	out := make([][]chroma.TokenType, len(lines))
	k := 0
	for i, l := range lines {
		n := utf8.RuneCountInString(l)
		out[i] = types[k : k+n]
		k += n + 1
	}
	return out
}

// isConstruct reports whether t colours a string, quoted identifier or
// comment (a string's prefix, such as _utf8mb4 or E, is not one).
func isConstruct(t chroma.TokenType) bool {
	return t.Category() == chroma.Comment || t.SubCategory() == chroma.LiteralString && t != chroma.LiteralStringAffix
}

// chromaAgrees reports whether chroma lexing the whole text finds its
// strings, quoted identifiers and comments where sqlscript does and colours
// them as the editor does. Where it does not (MySQL's 1--1, nested
// comments and executable comments, backquotes and backslash escapes;
// PostgreSQL's a=--b and :'v'; generic SQL's [name] and "name"; dollar
// quotes), the editor follows the engine and differs from chroma on
// purpose; where it does, the editor's colours must be exactly chroma's.
func chromaAgrees(t testing.TB, dl sqlscript.Dialect, text string) bool {
	t.Helper()
	whole, ref := wholeTextTypes(t, dl, text), referenceTypes(t, dl, text)
	for i := range whole {
		for j := range whole[i] {
			if (isConstruct(whole[i][j]) || isConstruct(ref[i][j])) && whole[i][j] != ref[i][j] {
				return false
			}
		}
	}
	return true
}

// wholeTextTypes lexes text with chroma in one go and returns the token type
// of every rune of every line.
func wholeTextTypes(t testing.TB, dl sqlscript.Dialect, text string) [][]chroma.TokenType {
	t.Helper()
	var types []chroma.TokenType
	for attempt := 0; attempt < 3; attempt++ {
		start := time.Now()
		it, err := lexerFor(dl).Tokenise(&chroma.TokeniseOptions{State: "root"}, text)
		if err != nil {
			t.Fatal(err)
		}
		types = types[:0]
		for tk := it(); tk != chroma.EOF; tk = it() {
			for range []rune(tk.Value) {
				types = append(types, tk.Type)
			}
		}
		if time.Since(start) < suspectLex {
			break
		}
	}
	return byLine(types, text)
}

// fullEntryStates recomputes every line's entry state from scratch.
func fullEntryStates(dl sqlscript.Dialect, text string) []sqlscript.LineState {
	lines := strings.Split(text, "\n")
	out := make([]sqlscript.LineState, len(lines))
	st := sqlscript.LineState{}
	for i, l := range lines {
		out[i] = st
		sc := sqlscript.ScanLine(l, st, dl)
		st = sc.End()
	}
	return out
}

// visibleLines strips the gutter and escape codes of a plain View.
func viewLines(v string) []string { return strings.Split(v, "\n") }
