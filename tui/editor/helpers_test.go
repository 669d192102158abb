package editor

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/chroma/v2"
	chromastyles "github.com/alecthomas/chroma/v2/styles"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
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
	flags := make([]bool, 1)
	d.parenFollows(i, flags)
	ln := d.lines[i]
	paren := flags[0] && d.kind == kindMySQL && endsInWord(ln.r)
	out := make([]chroma.TokenType, len(ln.r))
	d.fillTypes(ln, 0, len(ln.r), paren, out)
	return out
}

// referenceTypes lexes text as a whole, the way a full re-lex would: the
// scanner finds the spans the editor highlights itself (MySQL backquotes,
// PostgreSQL dollar quotes), every stretch of text between them is lexed by
// chroma in one go, across line breaks. With no such spans this is just
// chroma lexing the whole text.
func referenceTypes(t testing.TB, dl Dialect, text string) [][]chroma.TokenType {
	t.Helper()
	sc := scanner{kind: dl.kind()}
	lexer := lexerFor(dl)
	lines := splitLines([]rune(text))
	var full []rune
	var custom []bool
	var ctype []chroma.TokenType
	st := scanState{}
	for li, r := range lines {
		spanSt := st
		for i := 0; i < len(r); {
			before := st
			next, ev := sc.step(&st, r, i)
			isCustom := before.custom() || ev == evOpen && !st.opensInChroma()
			if ev == evOpen {
				spanSt = st
			} else if before.custom() {
				spanSt = before
			}
			for j := i; j < next; j++ {
				full = append(full, r[j])
				custom = append(custom, isCustom)
				ctype = append(ctype, customType(spanSt))
			}
			i = next
		}
		if st.kind == inLineComment {
			st = scanState{}
		}
		if li < len(lines)-1 {
			full = append(full, '\n')
			custom = append(custom, st.custom())
			ctype = append(ctype, customType(st))
		}
	}
	types := make([]chroma.TokenType, len(full))
	for i := 0; i < len(full); {
		if custom[i] {
			types[i] = ctype[i]
			i++
			continue
		}
		j := i
		for j < len(full) && !custom[j] {
			j++
		}
		k := i
		for attempt := 0; attempt < 3; attempt++ {
			// Retry a call slow enough for chroma's per-match timeout
			// to have cut a rule short (see suspectLex).
			start := time.Now()
			it, err := lexer.Tokenise(&chroma.TokeniseOptions{State: "root"}, string(full[i:j]))
			if err != nil {
				t.Fatal(err)
			}
			k = i
			for tk := it(); tk != chroma.EOF; tk = it() {
				for range []rune(tk.Value) {
					if k < j {
						types[k] = tk.Type
					}
					k++
				}
			}
			if time.Since(start) < suspectLex {
				break
			}
		}
		if k != j {
			t.Fatalf("chroma returned %d runes for %d", k-i, j-i)
		}
		i = j
	}
	out := make([][]chroma.TokenType, len(lines))
	k := 0
	for li, r := range lines {
		out[li] = types[k : k+len(r)]
		k += len(r) + 1
	}
	return out
}

// chromaAgrees reports whether text has none of what the editor highlights
// differently from chroma (MySQL backquotes and backslash escapes,
// PostgreSQL "$"), so that its tokens must be exactly chroma's.
func chromaAgrees(dl Dialect, text string) bool {
	switch dl.kind() {
	case kindMySQL:
		return !strings.ContainsAny(text, "`\\")
	case kindPostgres:
		return !strings.Contains(text, "$")
	}
	return true
}

// wholeTextTypes lexes text with chroma in one go and returns the token type
// of every rune of every line.
func wholeTextTypes(t testing.TB, dl Dialect, text string) [][]chroma.TokenType {
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
	lines := splitLines([]rune(text))
	out := make([][]chroma.TokenType, len(lines))
	k := 0
	for i, r := range lines {
		out[i] = types[k : k+len(r)]
		k += len(r) + 1
	}
	return out
}

// fullEntryStates recomputes every line's entry state from scratch.
func fullEntryStates(dl Dialect, text string) []scanState {
	sc := scanner{kind: dl.kind()}
	lines := splitLines([]rune(text))
	out := make([]scanState, len(lines))
	st := scanState{}
	for i, r := range lines {
		out[i] = st
		st = sc.exit(st, r)
	}
	return out
}

// visibleLines strips the gutter and escape codes of a plain View.
func viewLines(v string) []string { return strings.Split(v, "\n") }
