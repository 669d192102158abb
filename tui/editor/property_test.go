package editor

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms/sqlscript"
)

// Fragments the random edits insert. Each dialect's list avoids only the
// documented places where lexing a line on its own cannot agree with chroma
// lexing the whole text (see TestKnownLimits…): PostgreSQL's multi-word type
// names split over lines, and stray "$" that chroma's dollar-quote rule
// could pair across lines.
var (
	commonFragments = []string{
		"SELECT", " ", " ", "  ", "a", "b1", "count", "(", ")", ",", ";", "'", "''", `"`,
		"/*", "*/", "*", "/", "-", "--", "\n", "\n", "x", "=", "1", "1.5", ".5e+3", "_utf8'",
		"中文", "\x1b", "e\u0301", "\n(", "UPDATE t SET", "-- c\n", "/* c */", "'s'", "\t",
	}
	mysqlFragments = append(slices.Clone(commonFragments), "`", "``", "`t`", "#", "#x\n", "@v", "int (", "null", "\\'")
	pgFragments    = append(slices.Clone(commonFragments), "::", ":", ":'v'", ":v", `:"v"`, "E'", `U&"`, "+", "=-", "*/*", "=--", "-/*", "int8", "bigint")
	pgDollarFrags  = append(slices.Clone(pgFragments), "$$", "$fn$", "$1", "$", "a$", "$f")
	sqlFragments   = append(slices.Clone(commonFragments), "#", "END-EXEC", "$x", "`")
)

// randomEdit applies one random key or paste to m.
func randomEdit(rng *rand.Rand, m Model, frags []string) Model {
	frag := func() string { return frags[rng.IntN(len(frags))] }
	switch n := rng.IntN(100); {
	case n < 40:
		return send(m, runes(frag()))
	case n < 50:
		var sb strings.Builder
		for range 1 + rng.IntN(6) {
			sb.WriteString(frag())
		}
		return send(m, paste(sb.String()))
	case n < 55:
		return send(m, k(tea.KeyEnter))
	case n < 65:
		return send(m, k(tea.KeyBackspace))
	case n < 70:
		return send(m, k(tea.KeyDelete))
	case n < 73:
		return send(m, k(tea.KeyCtrlW))
	case n < 75:
		return send(m, k(tea.KeyCtrlK))
	case n < 78:
		return send(m, k(tea.KeyCtrlZ))
	case n < 80:
		return send(m, k(tea.KeyCtrlY))
	case n < 90:
		line := rng.IntN(m.LineCount())
		m.SetCursor(line, rng.IntN(len(m.doc.lines[line].runes())+1))
		return m
	default:
		keys := []tea.KeyType{tea.KeyUp, tea.KeyDown, tea.KeyLeft, tea.KeyRight, tea.KeyHome, tea.KeyEnd, tea.KeyPgDown, tea.KeyPgUp}
		return send(m, k(keys[rng.IntN(len(keys))]))
	}
}

// checkIncremental asserts that the editor's incremental entry states and
// tokens equal a full recompute and a full re-lex of its text.
func checkIncremental(t *testing.T, m Model, checkTokens bool) {
	t.Helper()
	d := m.doc
	text := m.Value()
	checkStates(t, m)
	if !checkTokens {
		return
	}
	ref := referenceTypes(t, d.dialect, text)
	if chromaAgrees(t, d.dialect, text) {
		// The reference is then chroma lexing the whole text, with no
		// help from sqlscript.
		ref = wholeTextTypes(t, d.dialect, text)
	}
	for i := range d.lines {
		got := lineTypes(d, i)
		if !slices.Equal(got, ref[i]) {
			r := d.lines[i].runes()
			for j := range got {
				if got[j] != ref[i][j] {
					t.Fatalf("line %d rune %d (%q in %q): incremental %v, full re-lex %v\ntext:\n%q",
						i, j, string(r[j]), string(r), got[j], ref[i][j], text)
				}
			}
		}
	}
}

// checkKnownStates asserts that the spans of unknown states are in order,
// apart and inside the text, and that the lines before the first one have
// the entry states of a full recompute.
func checkKnownStates(t *testing.T, m Model) {
	t.Helper()
	d := m.doc
	text := m.Value()
	want := fullEntryStates(d.dialect, text)
	if len(want) != len(d.lines) {
		t.Fatalf("%d lines, Value has %d", len(d.lines), len(want))
	}
	prev := 0
	for _, sp := range d.unknown {
		if sp.start <= prev || sp.end <= sp.start || sp.end > len(d.lines) {
			t.Fatalf("spans of unknown states %v in %d lines", d.unknown, len(d.lines))
		}
		prev = sp.end
	}
	known := len(d.lines)
	if len(d.unknown) > 0 {
		known = d.unknown[0].start
	}
	for i := range known {
		if d.lines[i].entry != want[i] {
			t.Fatalf("line %d (before the first unknown state, line %d): entry state %+v, full recompute %+v\ntext:\n%s", i, known, d.lines[i].entry, want[i], text)
		}
	}
}

// checkStates asserts that the spans of unknown states are in order, apart
// and inside the text, that the lines before the first one have the entry
// states of a full recompute, and that every line has them once all are
// asked for.
func checkStates(t *testing.T, m Model) {
	t.Helper()
	checkKnownStates(t, m)
	d := m.doc
	text := m.Value()
	want := fullEntryStates(d.dialect, text)
	d.ensureAll()
	for i, ln := range d.lines {
		if ln.entry != want[i] {
			t.Fatalf("line %d: incremental entry state %+v, full recompute %+v\ntext:\n%s", i, ln.entry, want[i], text)
		}
	}
}

func TestIncrementalHighlightMatchesFullRelex(t *testing.T) {
	cases := []struct {
		dialect  sqlscript.Dialect
		frags    []string
		tokens   bool
		pieceLen int
	}{
		{sqlscript.MySQL, mysqlFragments, true, defaultPieceLen},
		{sqlscript.MySQL, mysqlFragments, true, 3},
		{sqlscript.PostgreSQL, pgFragments, true, defaultPieceLen},
		{sqlscript.PostgreSQL, pgFragments, true, 3},
		{sqlscript.PostgreSQL, pgDollarFrags, false, 3},
		{sqlscript.Generic, sqlFragments, true, defaultPieceLen},
		{sqlscript.Generic, sqlFragments, true, 2},
	}
	rounds, edits := 12, 40
	if testing.Short() || underRace {
		rounds = 3
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/piece=%d/tokens=%v", c.dialect, c.pieceLen, c.tokens), func(t *testing.T) {
			for round := range rounds {
				rng := rand.New(rand.NewPCG(uint64(round), uint64(len(c.dialect.Name()))))
				m := New(colourStyles())
				m.doc.pieceLen, m.doc.maxPiece = c.pieceLen, 1<<30
				m.SetDialect(c.dialect)
				m.SetSize(30+rng.IntN(60), 3+rng.IntN(10))
				m.Focus()
				for e := range edits {
					m = randomEdit(rng, m, c.frags)
					if e%3 == 0 {
						_ = m.View() // fills caches that later edits must invalidate
					}
					if e%5 == 4 {
						checkIncremental(t, m, c.tokens)
					}
				}
				checkIncremental(t, m, c.tokens)
			}
		})
	}
}

func TestStatesLeftUnknownBelowTheWindowAreRightWhenAskedFor(t *testing.T) {
	// Long scripts, a small window, edits anywhere (a move far away, a
	// paste of several lines, undo of a large change) and states asked for
	// at random lines: the known states are always a full recompute's, and
	// so are all of them at the end.
	for _, dl := range []sqlscript.Dialect{sqlscript.MySQL, sqlscript.PostgreSQL, sqlscript.Generic} {
		t.Run(dl.Name(), func(t *testing.T) {
			frags := map[sqlscript.Dialect][]string{sqlscript.MySQL: mysqlFragments, sqlscript.PostgreSQL: pgDollarFrags, sqlscript.Generic: sqlFragments}[dl]
			rounds := 6
			if testing.Short() || underRace {
				rounds = 2
			}
			for round := range rounds {
				rng := rand.New(rand.NewPCG(uint64(round), 17))
				m := New(colourStyles())
				m.SetDialect(dl)
				m.SetSize(60, 2+rng.IntN(6))
				m.Focus()
				m.SetValue(generateSQL(200 + rng.IntN(400)))
				for e := range 150 {
					switch rng.IntN(10) {
					case 0:
						m.doc.ensure(rng.IntN(m.LineCount()))
					case 1:
						m = send(m, paste(generateSQL(1+rng.IntN(30))))
					case 2:
						m.SetCursor(rng.IntN(m.LineCount()), 0)
					default:
						m = randomEdit(rng, m, frags)
					}
					if e%2 == 0 {
						_ = m.View()
					}
					checkKnownStates(t, m)
				}
				checkStates(t, m)
			}
		})
	}
}

// FuzzIncrementalHighlight drives the editor with edits decoded from the
// fuzzer's bytes and checks it against a full recompute and re-lex.
func FuzzIncrementalHighlight(f *testing.F) {
	f.Add([]byte("SELECT /* a\nb */ 'x\ny' `q\nr`"), uint8(0))
	f.Add([]byte("CREATE FUNCTION f() AS $$\nBEGIN\nEND $$;\n"), uint8(1))
	f.Add([]byte("a=--b\n:'x' E'y\nz'"), uint8(1))
	f.Add([]byte("count\n(1) /* /* */ */"), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		dialects := []sqlscript.Dialect{sqlscript.MySQL, sqlscript.PostgreSQL, sqlscript.Generic}
		dl := dialects[int(which)%len(dialects)]
		m := New(colourStyles())
		m.doc.pieceLen, m.doc.maxPiece = 4, 1<<30
		m.SetDialect(dl)
		m.SetSize(40, 6)
		m.Focus()
		// Bytes < 8 are edit commands, the rest is typed text.
		for i := 0; i < len(data); i++ {
			switch c := data[i]; c {
			case 0:
				m = send(m, k(tea.KeyBackspace))
			case 1:
				m = send(m, k(tea.KeyEnter))
			case 2:
				m = send(m, k(tea.KeyCtrlZ))
			case 3:
				m = send(m, k(tea.KeyCtrlY))
			case 4:
				m = send(m, k(tea.KeyUp))
			case 5:
				m = send(m, k(tea.KeyLeft))
			case 6:
				m = send(m, k(tea.KeyDelete))
			case 7:
				_ = m.View()
			default:
				m = send(m, runes(string(rune(c))))
			}
		}
		// Token equality does not hold for the documented PostgreSQL
		// limits, so the fuzzer checks tokens for the other dialects.
		checkIncremental(t, m, dl != sqlscript.PostgreSQL)
	})
}
