package editor

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/alecthomas/chroma/v2"

	"dmsticket/dms/sqlscript"
)

// renderKey is everything a rendered line depends on besides its text.
type renderKey struct {
	entry    sqlscript.LineState
	gen      uint32
	paren    bool
	styleGen uint32
	xOff     int
	width    int
	cursor   int // rune column of the cursor on this line, -1 when not drawn
}

// layout is how the editor's width is shared between gutter and text.
type layout struct {
	gutter bool
	numW   int // width of the line number field
	textW  int
}

// minTextWidth is the narrowest text area next to which a gutter is drawn.
const minTextWidth = 4

func (d *document) layout(width int) layout {
	numW := max(3, len(strconv.Itoa(len(d.lines))))
	gw := numW + markWidth + 1
	if width-gw >= minTextWidth {
		return layout{gutter: true, numW: numW, textW: width - gw}
	}
	return layout{textW: max(width, 0)}
}

// gutterFor renders the gutter of line i.
func (d *document) gutterFor(i int, cursor, marked bool, lay layout) string {
	k := gutterKey{n: i + 1, width: lay.numW, cursor: cursor}
	num, ok := d.ss.gutterNums[k]
	if !ok {
		s := strconv.Itoa(i + 1)
		s = strings.Repeat(" ", lay.numW-len(s)) + s
		if cursor {
			num = d.styles.CursorLineNumber.Render(s)
		} else {
			num = d.styles.LineNumber.Render(s)
		}
		if len(d.ss.gutterNums) > 4*lexCacheSize {
			clear(d.ss.gutterNums)
		}
		d.ss.gutterNums[k] = num
	}
	mark := d.ss.blankMark
	if marked {
		mark = d.ss.mark
	}
	return num + mark + d.ss.sep
}

// renderLine returns ln drawn from cell xOff over width cells, from the
// line's cache when nothing it depends on changed.
func (d *document) renderLine(ln *line, paren bool, xOff, width, cursor int) string {
	if d.styles.Syntax == nil || d.dialect != sqlscript.MySQL || !endsInWord(ln.runes()) {
		paren = false // the flag cannot change the tokens: keep the cache warm
	}
	key := renderKey{entry: ln.entry, gen: d.gen, paren: paren, styleGen: d.styleGen, xOff: xOff, width: width, cursor: cursor}
	c := ln.cache()
	if c.rOK && c.rKey == key {
		return c.rStr
	}
	s, ok := d.drawLine(ln, paren, xOff, width, cursor)
	d.stats.drawn++
	c.rOK, c.rKey, c.rStr = ok, key, s
	return s
}

// runWriter groups consecutive runes of one style into one styled run.
type runWriter struct {
	sb    strings.Builder
	buf   []byte
	style *runStyle
}

func (w *runWriter) add(rs *runStyle, c rune) {
	if rs != w.style {
		w.flush()
		w.style = rs
	}
	w.buf = append(w.buf, string(c)...)
}

func (w *runWriter) addSpaces(rs *runStyle, n int) {
	for range n {
		w.add(rs, ' ')
	}
}

func (w *runWriter) flush() {
	if len(w.buf) > 0 && w.style != nil {
		w.style.write(&w.sb, string(w.buf))
	}
	w.buf = w.buf[:0]
}

// drawLine draws the cells [xOff, xOff+width) of ln. It reports false when
// the result must not be cached.
func (d *document) drawLine(ln *line, paren bool, xOff, width, cursor int) (string, bool) {
	r := ln.runes()
	// a is the first rune that reaches into the window; cell is where it starts.
	a, cell := ln.runeAtCell(xOff)
	b, end := a, cell
	for b < len(r) && end < xOff+width {
		end += cellWidth(r[b])
		b++
	}
	for b < len(r) && cellWidth(r[b]) == 0 { // combining marks of the last rune
		b++
	}
	var types []chroma.TokenType
	ok := true
	if d.styles.Syntax != nil && b > a {
		types = make([]chroma.TokenType, b-a)
		ok = d.fillTypes(ln, a, b, paren, types)
	}
	styleAt := func(k int) *runStyle {
		if k == cursor {
			return d.ss.cursor
		}
		if types == nil {
			return d.ss.text
		}
		return d.tokenStyle(types[k-a])
	}

	var w runWriter
	w.buf = make([]byte, 0, 64)
	col := xOff
	limit := xOff + width
	k := a
	if k < b && cell < xOff {
		// A wide rune cut by the left edge: draw the part that shows as spaces.
		n := min(cell+cellWidth(r[k])-xOff, width)
		w.addSpaces(styleAt(k), n)
		col += n
		k++
	}
	for ; k < b; k++ {
		dc, cw := displayRune(r[k])
		if cw == 0 {
			if dc != 0 && k > a {
				w.add(w.style, dc)
			}
			continue
		}
		if col+cw > limit {
			if col < limit { // a wide rune cut by the right edge
				w.addSpaces(styleAt(k), limit-col)
				col = limit
			}
			break
		}
		if r[k] == '\t' {
			w.addSpaces(styleAt(k), cw)
		} else {
			w.add(styleAt(k), dc)
		}
		col += cw
	}
	if cursor == len(r) && col < limit && k == len(r) {
		w.add(d.ss.cursor, ' ')
	}
	w.flush()
	return w.sb.String(), ok
}

// endsInWord reports whether the last non-space rune of r is a word rune,
// the only case in which a "(" on the next line changes r's tokens.
func endsInWord(r []rune) bool {
	for i := len(r) - 1; i >= 0; i-- {
		if !unicode.IsSpace(r[i]) {
			return isRegexpWord(r[i])
		}
	}
	return false
}

// firstNonSpace returns the first rune of r that is not white space.
func firstNonSpace(r []rune) (rune, bool) {
	for _, c := range r {
		if !unicode.IsSpace(c) {
			return c, true
		}
	}
	return 0, false
}

// parenFollows fills flags[row] with whether the first non-blank text after
// line top+row starts with "(" (chroma's MySQL lexer colours a name as a
// function when "(" follows, even on a later line).
func (d *document) parenFollows(top int, flags []bool) {
	next := rune(0)
	for j := top + len(flags); j < len(d.lines); j++ {
		if c, ok := firstNonSpace(d.lines[j].runes()); ok {
			next = c
			break
		}
	}
	for row := len(flags) - 1; row >= 0; row-- {
		flags[row] = next == '('
		if c, ok := firstNonSpace(d.lines[top+row].runes()); ok {
			next = c
		}
	}
}

// drawPlain draws text (a placeholder line) in style rs from cell 0 over
// width cells, with the cursor on its first rune when cursor is true.
func (d *document) drawPlain(text string, rs *runStyle, width int, cursor bool) string {
	var w runWriter
	col := 0
	first := true
	for _, c := range text {
		dc, cw := displayRune(c)
		if cw == 0 {
			if dc != 0 && !first {
				w.add(w.style, dc)
			}
			continue
		}
		if col+cw > width {
			break
		}
		s := rs
		if first && cursor {
			s = d.ss.cursor
		}
		first = false
		if c == '\t' {
			w.addSpaces(s, cw)
		} else {
			w.add(s, dc)
		}
		col += cw
	}
	if first && cursor && width > 0 {
		w.add(d.ss.cursor, ' ')
	}
	w.flush()
	return w.sb.String()
}
