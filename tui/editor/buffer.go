package editor

import (
	"slices"
	"strings"
	"unicode/utf8"

	"dmsticket/dms/sqlscript"
)

// pos is a position in the buffer: a line and a column counted in runes.
type pos struct{ line, col int }

// line is one line of the buffer with its entry state and caches.
type line struct {
	r     []rune
	entry sqlscript.LineState // what the line starts inside of
	c     lineCache           // reset whenever r changes
}

// text returns the line in UTF-8, which sqlscript reads, cached until the
// line changes.
func (ln *line) text() string {
	if !ln.c.strOK {
		ln.c.str, ln.c.strOK = string(ln.r), true
	}
	return ln.c.str
}

// tabWidth is the distance between tab stops when tabs are expanded.
const tabWidth = 4

// normalize prepares text for the buffer: "\r\n" and lone "\r" become "\n"
// (terminals send pasted line breaks as CR) and tabs become spaces up to the
// next 4-column stop, counting from startCell, the display column the text
// starts at. Other control characters are kept; they are drawn visibly.
func normalize(text []rune, startCell int) []rune {
	clean := true
	for _, c := range text {
		if c == '\r' || c == '\t' {
			clean = false
			break
		}
	}
	if clean {
		return text
	}
	out := make([]rune, 0, len(text)+len(text)/8)
	cell := startCell
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch c {
		case '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				continue
			}
			c = '\n'
		case '\t':
			n := tabWidth - cell%tabWidth
			for range n {
				out = append(out, ' ')
			}
			cell += n
			continue
		}
		out = append(out, c)
		if c == '\n' {
			cell = 0
		} else {
			cell += cellWidth(c)
		}
	}
	return out
}

// runesOf decodes s, turning invalid UTF-8 into U+FFFD.
func runesOf(s string) []rune { return []rune(s) }

// splitLines cuts text at '\n' into lines that share one backing array. Each
// line is capped (len == cap) so appending to one reallocates instead of
// overwriting its neighbour.
func splitLines(text []rune) [][]rune {
	n := 1
	for _, c := range text {
		if c == '\n' {
			n++
		}
	}
	parts := make([][]rune, 0, n)
	start := 0
	for i, c := range text {
		if c == '\n' {
			parts = append(parts, text[start:i:i])
			start = i + 1
		}
	}
	return append(parts, text[start:len(text):len(text)])
}

// textBetween returns the text from a to b (a <= b) with '\n' between lines.
func (d *document) textBetween(a, b pos) string {
	if a.line == b.line {
		return string(d.lines[a.line].r[a.col:b.col])
	}
	var sb strings.Builder
	sb.WriteString(string(d.lines[a.line].r[a.col:]))
	for i := a.line + 1; i < b.line; i++ {
		sb.WriteByte('\n')
		sb.WriteString(string(d.lines[i].r))
	}
	sb.WriteByte('\n')
	sb.WriteString(string(d.lines[b.line].r[:b.col]))
	return sb.String()
}

// endOf returns the position after text inserted at p.
func endOf(p pos, text string) pos {
	nl := strings.Count(text, "\n")
	if nl == 0 {
		return pos{p.line, p.col + utf8.RuneCountInString(text)}
	}
	last := text[strings.LastIndexByte(text, '\n')+1:]
	return pos{p.line + nl, utf8.RuneCountInString(last)}
}

// replace replaces the text between a and b (a <= b) with text, which must
// already be normalised, rescans entry states as far as they change and
// returns the position after the inserted text.
func (d *document) replace(a, b pos, text []rune) pos {
	parts := splitLines(text)
	if a.line == b.line && len(parts) == 1 {
		// The common case, typing or deleting within a line: edit in place.
		ln := d.lines[a.line]
		ln.r = slices.Replace(ln.r, a.col, b.col, parts[0]...)
		ln.c = lineCache{}
		d.changed(a.line, a.line)
		return pos{a.line, a.col + len(parts[0])}
	}
	first, last := d.lines[a.line], d.lines[b.line]
	prefix := first.r[:a.col]
	suffix := last.r[b.col:]
	fresh := make([]line, len(parts))
	ptrs := make([]*line, len(parts))
	for i, p := range parts {
		switch {
		case len(parts) == 1:
			fresh[i].r = slices.Concat(prefix, p, suffix)
		case i == 0:
			fresh[i].r = slices.Concat(prefix, p)
		case i == len(parts)-1:
			fresh[i].r = slices.Concat(p, suffix)
		default:
			fresh[i].r = p
		}
		ptrs[i] = &fresh[i]
	}
	fresh[0].entry = first.entry
	if len(parts) > 2 {
		setTexts(fresh[1:len(parts)-1], parts[1:len(parts)-1])
	}
	d.lines = slices.Replace(d.lines, a.line, b.line+1, ptrs...)
	d.changed(a.line, a.line+len(parts)-1)
	end := pos{a.line + len(parts) - 1, len(parts[len(parts)-1])}
	if len(parts) == 1 {
		end.col += a.col
	}
	return end
}

// changed records that lines first..last have new text: it bumps the
// version and recomputes entry states from first until they converge with
// the states stored for the lines after last.
func (d *document) changed(first, last int) {
	d.version++
	d.rescan(first, last)
}

// rescan recomputes entry states after line first (whose own entry state is
// valid) and stops at the first line after last whose stored entry state
// equals the recomputed one: from there on nothing can differ.
func (d *document) rescan(first, last int) {
	st := d.lines[first].entry
	for i := first; i < len(d.lines); i++ {
		ln := d.lines[i]
		if i > first {
			if i > last && ln.entry == st {
				return
			}
			ln.entry = st
		}
		sc := sqlscript.ScanLine(ln.text(), st, d.dialect)
		st = sc.End()
		d.stats.scanned++
	}
}

// rescanAll recomputes every entry state (after SetValue or a dialect change).
func (d *document) rescanAll() {
	d.lines[0].entry = sqlscript.LineState{}
	d.rescan(0, len(d.lines)-1)
}

// setText replaces the whole buffer.
func (d *document) setText(text []rune) {
	parts := splitLines(text)
	fresh := make([]line, len(parts))
	d.lines = make([]*line, len(parts))
	for i, p := range parts {
		fresh[i].r = p
		d.lines[i] = &fresh[i]
	}
	setTexts(fresh, parts)
	d.version++
	d.rescanAll()
}

// setTexts fills in the UTF-8 text of fresh lines holding parts, cut from
// one string rather than one per line.
func setTexts(lines []line, parts [][]rune) {
	var sb strings.Builder
	n := len(parts)
	for _, p := range parts {
		for _, c := range p {
			n += utf8.RuneLen(c)
		}
	}
	sb.Grow(n)
	for _, p := range parts {
		for _, c := range p {
			sb.WriteRune(c)
		}
		sb.WriteByte('\n')
	}
	all := sb.String()
	for i := range lines {
		k := strings.IndexByte(all, '\n')
		lines[i].c.str, lines[i].c.strOK = all[:k], true
		all = all[k+1:]
	}
}

// value returns the whole text, cached per version.
func (d *document) value() string {
	if d.valueOK && d.valueVersion == d.version {
		return d.valueText
	}
	n := len(d.lines) - 1
	for _, ln := range d.lines {
		n += len(ln.r)
	}
	var sb strings.Builder
	sb.Grow(n + n/4)
	for i, ln := range d.lines {
		if i > 0 {
			sb.WriteByte('\n')
		}
		for _, c := range ln.r {
			sb.WriteRune(c)
		}
	}
	d.valueText, d.valueVersion, d.valueOK = sb.String(), d.version, true
	return d.valueText
}
