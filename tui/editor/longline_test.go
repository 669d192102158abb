package editor

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2"

	"dmsticket/dms/sqlscript"
)

// TestALongLineEditedIsCutAndCountedAsAFreshOne: a line that grows a read
// at a time (text pasted without brackets: 72 s of CPU for 64 KiB, growing
// with the square of its length) is cut again from its last pieces and its
// cells counted from its last counts, not from its start. Whatever the
// edits, at its end or inside, the pieces, their colours and the cells are
// those of the same text opened afresh.
func TestALongLineEditedIsCutAndCountedAsAFreshOne(t *testing.T) {
	frags := append(append([]string{}, mysqlFragments...), "q'[", "]'", "$$", "中文字", strings.Repeat("w", 300), "e\u0301")
	for _, dl := range []sqlscript.Dialect{sqlscript.MySQL, sqlscript.PostgreSQL, sqlscript.Generic} {
		rng := rand.New(rand.NewPCG(uint64(dl)+7, 11))
		m := New(colourStyles())
		m.SetDialect(dl)
		m.SetSize(80, 24)
		m.Focus()
		for step := range 400 {
			switch n := rng.IntN(100); {
			case n < 80: // at the end, as a paste a read at a time
				m.SetCursor(0, len(m.doc.lines[0].runes()))
				var sb strings.Builder
				for range 1 + rng.IntN(8) {
					sb.WriteString(strings.ReplaceAll(frags[rng.IntN(len(frags))], "\n", " "))
				}
				m = send(m, paste(sb.String()))
			case n < 90: // inside
				m.SetCursor(0, rng.IntN(len(m.doc.lines[0].runes())+1))
				m = send(m, runes(strings.ReplaceAll(frags[rng.IntN(len(frags))], "\n", " ")))
			default:
				m = send(m, k(0x7f)) // backspace
			}
			_ = m.View()
			if step%40 != 39 {
				continue
			}
			ln := m.doc.lines[0]
			fresh := New(colourStyles())
			fresh.SetDialect(dl)
			fresh.SetSize(80, 24)
			fresh.SetValue(m.Value())
			want, got := fresh.doc.piecesOf(fresh.doc.lines[0]), m.doc.piecesOf(ln)
			if !samePieces(got, want) {
				t.Fatalf("%v, step %d, %d runes: pieces %v, afresh %v", dl, step, len(ln.runes()), bounds(got), bounds(want))
			}
			n := len(ln.runes())
			for _, w := range [][2]int{{max(0, n-2000), n}, {n / 3, min(n, n/3+1000)}} { // the end, and inside
				if got, want := typesIn(m.doc, w[0], w[1]), typesIn(fresh.doc, w[0], w[1]); !reflect.DeepEqual(got, want) {
					t.Fatalf("%v, step %d: colours of runes %d to %d differ from the same text afresh", dl, step, w[0], w[1])
				}
			}
			r := ln.runes()
			for _, col := range []int{0, 1, cellStep - 1, cellStep, cellStep + 1, len(r) / 2, len(r) - 1, len(r)} {
				col = max(0, min(col, len(r)))
				if got, want := ln.cellsTo(col), cellsOf(r[:col]); got != want {
					t.Fatalf("%v, step %d: cells to %d: %d, want %d", dl, step, col, got, want)
				}
				x := cellsOf(r[:col])
				a, cell := ln.runeAtCell(x)
				wa, wcell := 0, 0
				for wa < len(r) && wcell+cellWidth(r[wa]) <= x {
					wcell += cellWidth(r[wa])
					wa++
				}
				if a != wa || cell != wcell {
					t.Fatalf("%v, step %d: rune at cell %d: %d (%d), want %d (%d)", dl, step, x, a, cell, wa, wcell)
				}
			}
		}
	}
}

func samePieces(a, b []piece) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].start != b[i].start || a[i].end != b[i].end || a[i].bstart != b[i].bstart || a[i].bend != b[i].bend ||
			a[i].st != b[i].st || a[i].atToken != b[i].atToken {
			return false
		}
	}
	return true
}

func bounds(ps []piece) [][2]int {
	out := make([][2]int, len(ps))
	for i, p := range ps {
		out[i] = [2]int{p.start, p.end}
	}
	return out
}

// typesIn is the token type of runes [a, b) of the first line, as drawn.
func typesIn(d *document, a, b int) []chroma.TokenType {
	out := make([]chroma.TokenType, b-a)
	d.fillTypes(d.lines[0], a, b, false, out)
	return out
}
