package editor

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"dmsticket/dms/sqlscript"
)

// awkwardSQL mixes what makes columns hard: wide runes, combining marks,
// emoji sequences, control characters, a long line.
var awkwardSQL = strings.Join([]string{
	"SELECT '中文名称', `表`, 'e\u0301', '👍🏽', '👨\u200d👩', '☺\ufe0f' FROM t; -- \x1b[31m raw escape",
	"/* 注释 " + strings.Repeat("很长的行 long line ", 30) + "*/",
	"\x00\x07\x7f\u0085\u202e\u2028 controls",
	"",
	"UPDATE t SET a = 'x\ty' WHERE id = 1;",
}, "\n")

func TestViewIsExactlyHeightLinesWithinWidth(t *testing.T) {
	var widths []int
	for w := 1; w <= 40; w++ {
		widths = append(widths, w)
	}
	for w := 47; w < 300; w += 17 {
		widths = append(widths, w)
	}
	widths = append(widths, 300)
	heights := []int{1, 2, 3, 5, 8, 13, 24, 50, 100}

	for _, text := range []string{awkwardSQL, generateSQL(120), ""} {
		m := New(colourStyles())
		m.SetDialect(sqlscript.MySQL)
		m.Focus()
		m.SetValue(text)
		m.SetPlaceholder("Type SQL here… 输入 SQL\nsecond line")
		m.SetMarks(map[int]string{0: "not allowed", 2: "x"})
		cursors := []pos{{0, 0}, {0, 12}, {1, 40}, {1, 1000}, {2, 3}, {1000, 0}}
		for _, w := range widths {
			for _, h := range heights {
				m.SetSize(w, h)
				for _, c := range cursors {
					m.SetCursor(c.line, c.col)
					v := m.View()
					lines := strings.Split(v, "\n")
					if len(lines) != h {
						t.Fatalf("%d×%d: %d lines", w, h, len(lines))
					}
					for i, l := range lines {
						if lw := lipgloss.Width(l); lw > w {
							t.Fatalf("%d×%d cursor %v: line %d is %d cells: %q", w, h, c, i, lw, l)
						}
					}
				}
			}
		}
	}
}

func TestViewIsExactlyHeightLinesWithinWidthForEverySize(t *testing.T) {
	if testing.Short() {
		t.Skip("every size from 1×1 to 300×100")
	}
	m := New(colourStyles())
	m.SetDialect(sqlscript.MySQL)
	m.Focus()
	m.SetValue(awkwardSQL + "\n" + generateSQL(150))
	m.SetMarks(map[int]string{1: "x"})
	m.SetCursor(60, 30)
	step := 1
	if underRace {
		step = 3 // 1×1, 1×4, … 298×100: a ninth of the sizes
	}
	for w := 1; w <= 300; w += step {
		for h := 1; h <= 100; h += step {
			m.SetSize(w, h)
			lines := strings.Split(m.View(), "\n")
			if len(lines) != h {
				t.Fatalf("%d×%d: %d lines", w, h, len(lines))
			}
			for i, l := range lines {
				if lw := lipgloss.Width(l); lw > w {
					t.Fatalf("%d×%d: line %d is %d cells: %q", w, h, i, lw, l)
				}
			}
		}
	}
}

func TestViewOfZeroHeightIsEmpty(t *testing.T) {
	m := newEditor(t, "a")
	m.SetSize(10, 0)
	if v := m.View(); v != "" {
		t.Fatalf("View() = %q", v)
	}
}

func TestControlCharactersAreDrawnVisibly(t *testing.T) {
	m := newEditor(t, "a\x1bb\x00c\x7fd\u0085e\u202ef\u200bg")
	v := m.View()
	if !strings.Contains(v, "a␛b␀c␡d\uFFFDe\uFFFDf\uFFFDg") {
		t.Fatalf("view %q does not show the control characters as pictures", v)
	}
	for _, c := range v {
		if c < 0x20 && c != '\n' || c == 0x7f || c >= 0x80 && c < 0xa0 {
			t.Fatalf("view contains raw control character %U", c)
		}
	}
	assertValue(t, m, "a\x1bb\x00c\x7fd\u0085e\u202ef\u200bg") // stored as they are
}

func TestPlainStylesRenderNoEscapeCodes(t *testing.T) {
	m := New(plainStyles())
	m.SetSize(60, 10)
	m.Focus()
	m.SetValue(generateSQL(20))
	m.SetMarks(map[int]string{1: "x"})
	if v := m.View(); strings.Contains(v, "\x1b") {
		t.Fatalf("plain view contains escape codes: %q", v)
	}
	if m.doc.stats.lexed != 0 {
		t.Fatalf("lexed %d runs without Syntax styles", m.doc.stats.lexed)
	}
}

func TestWithoutSyntaxOnlyTheCursorIsStyled(t *testing.T) {
	r := renderer(termenv.TrueColor)
	m := New(Styles{Cursor: r.NewStyle().Reverse(true)})
	m.SetSize(40, 3)
	m.Focus()
	m.SetValue("SELECT 1")
	v := m.View()
	if got := strings.Count(v, "\x1b[7m"); got != 1 || strings.Count(v, "\x1b[") != 2 {
		t.Fatalf("view %q: want only the cursor's reverse video", v)
	}
}

func TestHighlightingColoursKeywords(t *testing.T) {
	m := New(colourStyles())
	m.SetDialect(sqlscript.MySQL)
	m.SetSize(40, 3)
	m.SetValue("SELECT 1")
	// monokai's keyword colour, #66d9ef.
	if v := m.View(); !strings.Contains(v, "38;2;102;217;239mSELECT") {
		t.Fatalf("keyword not coloured: %q", v)
	}
}

func TestCursorIsDrawnOnlyWhenFocused(t *testing.T) {
	r := renderer(termenv.TrueColor)
	m := New(Styles{Cursor: r.NewStyle().Reverse(true)})
	m.SetSize(20, 2)
	m.SetValue("ab")
	if strings.Contains(m.View(), "\x1b[7m") {
		t.Fatal("blurred editor draws a cursor")
	}
	m.Focus()
	if !strings.Contains(m.View(), "\x1b[7ma\x1b[0m") {
		t.Fatalf("cursor not on the first rune: %q", m.View())
	}
	m = send(m, k(tea.KeyEnd))
	if !strings.Contains(m.View(), "b\x1b[7m \x1b[0m") {
		t.Fatalf("cursor not after the end of the line: %q", m.View())
	}
}

func TestGutterShowsRightAlignedNumbersAndMarks(t *testing.T) {
	m := newEditor(t, generateSQL(1200))
	m.SetSize(40, 3)
	m.SetMarks(map[int]string{1: "DELETE is not allowed for this ticket type", 2: ""})
	if m.Mark(1) == "" || m.Mark(0) != "" {
		t.Fatalf("Mark(1) = %q, Mark(0) = %q", m.Mark(1), m.Mark(0))
	}
	lines := viewLines(m.View())
	if !strings.HasPrefix(lines[0], "   1  ") || !strings.HasPrefix(lines[1], "   2● ") || !strings.HasPrefix(lines[2], "   3  ") {
		t.Fatalf("gutter:\n%s", strings.Join(lines, "\n"))
	}
}

func TestCursorLineNumberIsHighlighted(t *testing.T) {
	r := renderer(termenv.TrueColor)
	st := plainStyles()
	st.CursorLineNumber = r.NewStyle().Bold(true)
	m := New(st)
	m.SetSize(30, 3)
	m.Focus()
	m.SetValue("a\nb\nc")
	m = send(m, k(tea.KeyDown))
	lines := viewLines(m.View())
	if strings.Contains(lines[0], "\x1b[1m") || !strings.HasPrefix(lines[1], "\x1b[1m  2\x1b[0m") {
		t.Fatalf("cursor line number not highlighted:\n%q", lines)
	}
}

func TestGutterIsDroppedWhenTooNarrow(t *testing.T) {
	m := newEditor(t, "SELECT")
	m.SetSize(6, 1)
	if v := m.View(); v != "SELECT" {
		t.Fatalf("View() = %q", v)
	}
}

func TestPlaceholderIsShownWhileEmpty(t *testing.T) {
	m := newEditor(t, "")
	m.SetSize(30, 3)
	m.SetPlaceholder("Type SQL here")
	if lines := viewLines(m.View()); lines[0] != "  1  Type SQL here" {
		t.Fatalf("placeholder line %q", lines[0])
	}
	m = send(m, runes("x"))
	if strings.Contains(m.View(), "Type SQL") {
		t.Fatal("placeholder shown with text in the buffer")
	}
}

func TestWideRunesAreNotCutAtTheEdges(t *testing.T) {
	m := newEditor(t, "中文中文中文")
	m.SetSize(5+5, 1) // 5 cells of text after the gutter
	if v := m.View(); lipgloss.Width(v) != 10 || !strings.HasSuffix(v, "中文 ") {
		t.Fatalf("View() = %q, want two wide runes and a space for the cut one", v)
	}
	m = send(m, k(tea.KeyEnd))
	v := m.View()
	if lipgloss.Width(v) > 10 {
		t.Fatalf("View() = %q wider than 10", v)
	}
}

func TestNameFollowedByParenOnNextLineIsAFunctionLikeChroma(t *testing.T) {
	m := New(colourStyles())
	m.SetDialect(sqlscript.MySQL)
	m.SetValue("SELECT count\n\n  (id) FROM t")
	got := lineTypes(m.doc, 0)
	if got[7] != chroma.NameFunction {
		t.Fatalf("count is %v, want NameFunction as a full re-lex gives", got[7])
	}
}

func TestOnlyChangedLinesAreRelexedAndRedrawn(t *testing.T) {
	m := New(colourStyles())
	m.SetDialect(sqlscript.MySQL)
	m.SetSize(100, 30)
	m.Focus()
	m.SetValue(generateSQL(5000))
	m.SetCursor(2500, 10)
	_ = m.View()
	d := m.doc

	d.stats = stats{}
	_ = m.View()
	if d.stats != (stats{}) {
		t.Fatalf("an unchanged frame did work: %+v", d.stats)
	}

	m = send(m, k(tea.KeyDown))
	_ = m.View()
	if d.stats.lexed != 0 || d.stats.drawn != 2 {
		t.Fatalf("a cursor move: %+v, want no lexing and 2 lines drawn (the lines the cursor left and entered)", d.stats)
	}

	d.stats = stats{}
	m = send(m, runes("x"))
	_ = m.View()
	if d.stats.lexed != 1 || d.stats.drawn != 1 || d.stats.scanned > 2 {
		t.Fatalf("a typed rune: %+v, want 1 line lexed and drawn, at most 2 lines scanned", d.stats)
	}

	d.stats = stats{}
	m = send(m, k(tea.KeyCtrlZ))
	_ = m.View()
	if d.stats.lexed != 0 {
		t.Fatalf("undo relexed %d lines; the line's old tokens are cached", d.stats.lexed)
	}

	d.stats = stats{}
	m = send(m, k(tea.KeyEnter))
	_ = m.View()
	if d.stats.lexed > 2 || d.stats.drawn != 2 {
		t.Fatalf("enter: %+v, want the two halves lexed and drawn, not the lines that moved down", d.stats)
	}

	m.SetCursor(m.yOff+m.Height()-1, 0)
	_ = m.View()
	d.stats = stats{}
	m = send(m, k(tea.KeyDown))
	_ = m.View()
	if d.stats.lexed > 1 || d.stats.drawn != 2 {
		t.Fatalf("scrolling down a line: %+v, want at most the line that came into view lexed, it and the one the cursor left drawn", d.stats)
	}
}

func TestOpeningACommentRescansOnlyTheLinesDrawn(t *testing.T) {
	// PostgreSQL's comments nest, so a "/*" typed near the top stays open
	// over the comments below it: the rest of the script changes state. The
	// editor recomputes the states of the lines it draws; the others when
	// they are asked for, and then they are the full recompute's.
	m := New(colourStyles())
	m.SetDialect(sqlscript.PostgreSQL)
	m.SetSize(80, 20)
	m.Focus()
	m.SetValue(generateSQL(5000))
	d := m.doc
	want := func() {
		t.Helper()
		d.ensureAll()
		full := fullEntryStates(sqlscript.PostgreSQL, m.Value())
		for i, ln := range d.lines {
			if ln.entry != full[i] {
				t.Fatalf("line %d: entry %+v, full recompute %+v", i, ln.entry, full[i])
			}
		}
		if len(d.unknown) != 0 {
			t.Fatalf("states still unknown after ensureAll: %v", d.unknown)
		}
	}
	m.SetCursor(5, 0)
	_ = m.View()
	d.stats = stats{}
	m = send(m, runes("/*"))
	_ = m.View()
	if d.stats.scanned > m.Height()+2 {
		t.Fatalf("opening a comment rescanned %d lines for a %d-line window", d.stats.scanned, m.Height())
	}
	if d.lines[6].entry.Inside() != "/*" {
		t.Fatalf("line after /* has entry %+v", d.lines[6].entry)
	}
	d.stats = stats{}
	want()
	if d.stats.scanned < 4000 {
		t.Fatalf("asking for every state rescanned only %d lines: the comment changes the rest of the script", d.stats.scanned)
	}
	m.SetCursor(20, 3) // inside the comment now: its state does not change
	d.stats = stats{}
	m = send(m, runes("x"))
	_ = m.View()
	want()
	if d.stats.scanned > 2 {
		t.Fatalf("typing inside the comment rescanned %d lines", d.stats.scanned)
	}
	m.SetCursor(5, 2)
	m = send(m, runes("*/"))
	_ = m.View()
	if d.lines[6].entry.Inside() != "" {
		t.Fatalf("line after /**/ has entry %+v", d.lines[6].entry)
	}
	want()
	m.SetCursor(2500, 3)
	_ = m.View()
	d.stats = stats{}
	m = send(m, runes("abc"))
	_ = m.View()
	want()
	if d.stats.scanned > 6 {
		t.Fatalf("typing inside a line rescanned %d lines", d.stats.scanned)
	}
}

func TestAQuoteOpenedAndClosedNeverRescansBelowTheWindow(t *testing.T) {
	// Typing 'paid' in the middle of 80,000 lines: the quote changes the
	// state of every line below it until it is closed, but only the lines
	// on screen are rescanned, and closing it makes the old states right
	// again.
	m := New(colourStyles())
	m.SetDialect(sqlscript.MySQL)
	m.SetSize(80, 20)
	m.Focus()
	m.SetValue(generateScript(80000))
	m.SetCursor(40019, 0)
	m.SetCursor(40000, 14) // the window is lines 40000 to 40019
	_ = m.View()
	d := m.doc
	before := slices.Clone(d.unknown) // the lines below the window, never drawn
	d.stats = stats{}
	for i, c := range "'paid' " {
		m = send(m, runes(string(c)))
		_ = m.View()
		if i == 0 && d.lines[40001].entry.Inside() != "'" {
			t.Fatalf("a quote was opened on line 40000 and line 40001 is drawn outside the string: %+v", d.lines[40001].entry)
		}
	}
	if n := len("'paid' ") * m.Height(); d.stats.scanned > n {
		t.Fatalf("typing 'paid' rescanned %d lines, more than %d", d.stats.scanned, n)
	}
	if !slices.Equal(d.unknown, before) {
		t.Fatalf("unknown states %v after the quote was closed, %v before it was opened", d.unknown, before)
	}
	checkStates(t, m)
}

func TestEntryStatesAreSQLScripts(t *testing.T) {
	// The editor has no lexical rules of its own: each line starts in the
	// state sqlscript reads the line before it to end in.
	text := "SELECT `a'b\nc` 'x\ny' \"z\nw\"\n# '\n-- '\n/* /* x\n*/ y */\nAS $body$\n$body$ [a\n] E'\\'\n'"
	for _, dl := range []sqlscript.Dialect{sqlscript.MySQL, sqlscript.PostgreSQL, sqlscript.Generic} {
		m := New(colourStyles())
		m.SetDialect(dl)
		m.SetValue(text)
		m.doc.ensureAll()
		st := sqlscript.LineState{}
		for i, l := range strings.Split(text, "\n") {
			if got := m.doc.lines[i].entry; got != st {
				t.Errorf("%v line %d: entry %+v, sqlscript says %+v", dl, i, got, st)
			}
			sc := sqlscript.ScanLine(l, st, dl)
			st = sc.End()
		}
	}
}

// TestHighlightingFollowsTheEngineWhereChromaDoesNot: what is coloured as a
// string or a comment is what the database reads as one (sqlscript's
// tokens), where chroma's lexers read it otherwise.
func TestHighlightingFollowsTheEngineWhereChromaDoesNot(t *testing.T) {
	cases := []struct {
		name    string
		dialect sqlscript.Dialect
		text    string
		line    int
		at      string // the first rune of this text on the line
		want    chroma.TokenType
	}{
		{"mysql double minus is two minus signs", sqlscript.MySQL, "SELECT 1--1 FROM t", 0, "--1", chroma.Operator},
		{"so what follows it is code", sqlscript.MySQL, "SELECT 1--1 FROM t", 0, "FROM", chroma.Keyword},
		{"and it can open a comment", sqlscript.MySQL, "SELECT 1--1 /* a\nb */ c", 1, "b", chroma.CommentMultiline},
		{"mysql comments do not nest", sqlscript.MySQL, "/* /* */ SELECT 1", 0, "SELECT", chroma.Keyword},
		{"mysql comments do not nest over lines", sqlscript.MySQL, "/* /*\n*/ SELECT 1", 1, "SELECT", chroma.Keyword},
		{"mysql executable comment is code", sqlscript.MySQL, "/*!40101 SET NAMES utf8 */;", 0, "NAMES", chroma.Name},
		{"its opening is a comment", sqlscript.MySQL, "/*!40101 SET NAMES utf8 */;", 0, "/*!", chroma.CommentMultiline},
		{"its closing is a comment", sqlscript.MySQL, "/*!40101 SET NAMES utf8 */;", 0, "*/", chroma.CommentMultiline},
		{"mysql dashes and a blank comment", sqlscript.MySQL, "SELECT 1 -- x", 0, "-- x", chroma.CommentSingle},
		{"postgresql dashes end an operator", sqlscript.PostgreSQL, "SELECT a=--b\nFROM t", 0, "--b", chroma.CommentSingle},
		{"postgresql comment opened inside an operator", sqlscript.PostgreSQL, "SELECT a+/*b\nc */ d", 1, "c", chroma.CommentMultiline},
		{"postgresql colon before a string", sqlscript.PostgreSQL, "SELECT :'v'", 0, "'v'", chroma.LiteralStringSingle},
		{"postgresql escape string prefix", sqlscript.PostgreSQL, `SELECT E'a\'b' x`, 0, "E'", chroma.LiteralStringAffix},
		{"postgresql escape string backslash", sqlscript.PostgreSQL, `SELECT E'a\'b' x`, 0, "b'", chroma.LiteralStringSingle},
		{"generic brackets are a name", sqlscript.Generic, "SELECT [it's] FROM t", 0, "it's", chroma.LiteralStringName},
		{"so the quote in them opens nothing", sqlscript.Generic, "SELECT [it's] FROM t", 0, "FROM", chroma.Keyword},
		{"generic backquotes are a name", sqlscript.Generic, "SELECT `a` FROM t", 0, "a`", chroma.LiteralStringName},
		{"generic double quotes are a name", sqlscript.Generic, `SELECT "a" FROM t`, 0, `a"`, chroma.LiteralStringName},
		{"generic comments do not nest", sqlscript.Generic, "/* /* */ SELECT 1", 0, "SELECT", chroma.Keyword},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := New(colourStyles())
			m.SetDialect(c.dialect)
			m.SetValue(c.text)
			r := m.doc.lines[c.line].runes()
			at := strings.Index(string(r), c.at)
			if at < 0 {
				t.Fatalf("%q not on line %d", c.at, c.line)
			}
			at = len([]rune(string(r)[:at]))
			if got := lineTypes(m.doc, c.line)[at]; got != c.want {
				t.Errorf("%q in %q: %v, want %v", c.at, string(r), got, c.want)
			}
			if got := referenceTypes(t, c.dialect, c.text)[c.line][at]; got != c.want {
				t.Errorf("full re-lex: %q in %q: %v, want %v", c.at, string(r), got, c.want)
			}
		})
	}
}

func TestMySQLBackquotedIdentifierIsOneToken(t *testing.T) {
	m := New(colourStyles())
	m.SetDialect(sqlscript.MySQL)
	m.SetValue("SELECT `order's` FROM t")
	got := lineTypes(m.doc, 0)
	for i := 7; i < 16; i++ {
		if got[i] != chroma.LiteralStringName {
			t.Fatalf("rune %d of the backquoted identifier is %v", i, got[i])
		}
	}
	if got[17] != chroma.Keyword {
		t.Fatalf("FROM after the identifier is %v: the quote inside it leaked", got[17])
	}
}

func TestMySQLStringsHonourBackslashEscapes(t *testing.T) {
	m := New(colourStyles())
	m.SetDialect(sqlscript.MySQL)
	text := `INSERT INTO t VALUES ('O\'Brien', _utf8mb4'x'), ('a\\', 'b');`
	m.SetValue(text)
	got := lineTypes(m.doc, 0)
	r := []rune(text)
	at := func(sub string, off int) chroma.TokenType {
		return got[len([]rune(text[:strings.Index(text, sub)]))+off]
	}
	checks := []struct {
		sub  string
		off  int
		want chroma.TokenType
	}{
		{"Brien", 0, chroma.LiteralStringSingle},
		{"', _utf8", 1, chroma.Punctuation},
		{"_utf8mb4", 0, chroma.LiteralStringAffix},
		{"a\\\\'", 3, chroma.LiteralStringSingle},
		{"a\\\\'", 4, chroma.Punctuation},
		{"'b'", 1, chroma.LiteralStringSingle},
		{");", 1, chroma.Punctuation},
	}
	for _, c := range checks {
		if got := at(c.sub, c.off); got != c.want {
			t.Errorf("%q+%d: %v, want %v (types %v of %q)", c.sub, c.off, got, c.want, got, string(r))
		}
	}
}

func TestPostgresDollarQuotedBodySpansLines(t *testing.T) {
	m := New(colourStyles())
	m.SetDialect(sqlscript.PostgreSQL)
	m.SetValue("CREATE FUNCTION f() RETURNS int AS $fn$\nSELECT 'it''s' -- \n$fn$ LANGUAGE sql;")
	for i, want := range []chroma.TokenType{chroma.LiteralStringHeredoc, chroma.LiteralStringHeredoc} {
		got := lineTypes(m.doc, i+1)
		if got[0] != want {
			t.Fatalf("line %d starts with %v, want %v", i+1, got[0], want)
		}
	}
	last := lineTypes(m.doc, 2)
	if last[3] != chroma.LiteralStringHeredoc || last[5] != chroma.Keyword {
		t.Fatalf("closing line types %v", last)
	}
}

func TestLongLinesAreLexedOnlyWhereVisible(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("INSERT INTO t VALUES ")
	tuples := 20000 // 400 KB on one line
	if underRace {
		tuples = 3000 // 54 KB: still 200 pieces
	}
	for i := range tuples {
		fmt.Fprintf(&sb, "(%d,'name %d'),", i, i)
	}
	m := New(colourStyles())
	m.SetDialect(sqlscript.MySQL)
	m.SetSize(120, 5)
	m.Focus()
	m.SetValue(sb.String())
	_ = m.View()
	ps := m.doc.lines[0].c.pieces
	lexed := 0
	for _, p := range ps {
		if p.lexed {
			lexed++
		}
	}
	if len(ps) < 100 || lexed > 2 {
		t.Fatalf("%d pieces, %d lexed; want the line cut and only the visible piece lexed", len(ps), lexed)
	}
	m = send(m, k(tea.KeyEnd), runes(";"))
	_ = m.View()
	if got := referenceTypes(t, sqlscript.MySQL, m.Value())[0]; true {
		tail := lineTypes(m.doc, 0)
		for i := len(got) - 300; i < len(got); i++ {
			if tail[i] != got[i] {
				t.Fatalf("rune %d: %v, full re-lex %v", i, tail[i], got[i])
			}
		}
	}
}

func TestLineWithoutAnyPlaceToCutIsStillLexedInPieces(t *testing.T) {
	m := New(colourStyles())
	m.SetDialect(sqlscript.MySQL)
	m.SetSize(80, 3)
	m.Focus()
	m.SetValue(strings.Repeat("a", 200000))
	m = send(m, k(tea.KeyEnd), runes("b"))
	_ = m.View()
	ps := m.doc.lines[0].c.pieces
	if len(ps) < 40 {
		t.Fatalf("%d pieces", len(ps))
	}
	for _, p := range ps[:len(ps)-2] {
		if p.lexed {
			t.Fatalf("piece %d-%d off screen was lexed", p.start, p.end)
		}
	}
}

func TestStyleChangeRedrawsEverything(t *testing.T) {
	m := newEditor(t, "SELECT 1")
	before := m.View()
	m.SetStyles(colourStyles())
	if after := m.View(); after == before {
		t.Fatal("view did not change with the styles")
	}
}

func TestDialectChangeRehighlights(t *testing.T) {
	m := New(colourStyles())
	m.SetValue("SELECT `a` -- x")
	m.SetDialect(sqlscript.MySQL)
	if got := lineTypes(m.doc, 0)[7]; got != chroma.LiteralStringName {
		t.Fatalf("MySQL: %v", got)
	}
	m.SetDialect(sqlscript.PostgreSQL)
	if got := lineTypes(m.doc, 0)[7]; got == chroma.LiteralStringName {
		t.Fatalf("PostgreSQL still treats ` as a quote")
	}
	m.SetDialect(sqlscript.Dialect(42))
	if m.Dialect() != sqlscript.Generic {
		t.Fatalf("unknown dialect became %v", m.Dialect())
	}
}

func TestEditorsOfConcurrentSessionsShareNothingMutable(t *testing.T) {
	// The SSH server runs one program per session: editors in different
	// goroutines share only chroma's lexers and read-only tables.
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			m := New(colourStyles())
			m.SetDialect([]sqlscript.Dialect{sqlscript.MySQL, sqlscript.PostgreSQL, sqlscript.Generic, sqlscript.MySQL}[g])
			m.SetSize(60, 10)
			m.Focus()
			m.SetValue(generateSQL(60))
			for i := range 30 {
				m = send(m, runes("x'"), k(tea.KeyDown))
				if i%3 == 0 {
					_ = m.View()
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
}
