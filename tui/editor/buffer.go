package editor

import (
	"slices"
	"strings"
	"unicode/utf8"

	"dmsticket/dms/sqlscript"
)

// pos is a position in the buffer: a line and a column counted in runes.
type pos struct{ line, col int }

// line is one line of the buffer: its text, its entry state and its
// caches. The text is held in UTF-8 (str), in runes (r), or both: a line
// cut from a file or a paste keeps only its UTF-8, which is a part of the
// whole text's, and its runes are decoded when something first needs them
// (drawing it, the cursor on it, an edit), so opening 80,000 lines does not
// decode 80,000 lines.
type line struct {
	str   string
	r     []rune
	strOK bool
	rOK   bool
	entry sqlscript.LineState // what the line starts inside of
	c     *lineCache          // made when the line is first highlighted; dropped when its text changes
}

// text returns the line in UTF-8, which sqlscript reads.
func (ln *line) text() string {
	if !ln.strOK {
		ln.str, ln.strOK = utf8Of(ln.r), true
	}
	return ln.str
}

// runes returns the line's runes, which the cursor and the drawing count in.
func (ln *line) runes() []rune {
	if !ln.rOK {
		ln.r, ln.rOK = []rune(ln.str), true
	}
	return ln.r
}

// setRunes replaces the line's text with r, which the line then owns.
func (ln *line) setRunes(r []rune) {
	ln.r, ln.rOK, ln.str, ln.strOK, ln.c = r, true, "", false, nil
}

// cache returns the line's caches for its current text.
func (ln *line) cache() *lineCache {
	if ln.c == nil {
		ln.c = &lineCache{}
	}
	return ln.c
}

// tabWidth is the indentation the tab key inserts (as spaces), and the
// cells a tab in the text is drawn over: a tab is kept as it is, for SQL
// text is data ('a<TAB>b' in a literal is not 'a   b').
const tabWidth = 4

// normalize prepares text for the buffer: "\r\n" and lone "\r" become "\n"
// (terminals send pasted line breaks as CR). Tabs and other control
// characters are kept; they are drawn visibly (a tab as blank cells).
func normalize(text []rune) []rune {
	if slices.Index(text, '\r') < 0 {
		return text
	}
	out := make([]rune, 0, len(text))
	for i, c := range text {
		if c == '\r' {
			if i+1 < len(text) && text[i+1] == '\n' {
				continue
			}
			c = '\n'
		}
		out = append(out, c)
	}
	return out
}

// runesOf decodes s, turning invalid UTF-8 into U+FFFD.
func runesOf(s string) []rune { return []rune(s) }

// utf8Of encodes r as string(r) does (a rune that is not a valid code point
// becomes U+FFFD), a few times faster for the ASCII of most SQL: a 4 MiB
// paste arrives as runes.
func utf8Of(r []rune) string {
	b := make([]byte, 0, len(r))
	for _, c := range r {
		if c >= 0 && c < utf8.RuneSelf {
			b = append(b, byte(c))
		} else {
			b = utf8.AppendRune(b, c)
		}
	}
	return string(b)
}

// normalizedString returns s normalised (see normalize) in valid UTF-8
// (invalid UTF-8 becomes U+FFFD): s itself when it needs nothing, as a file
// or a script usually does.
func normalizedString(s string) string {
	if strings.IndexByte(s, '\r') < 0 && utf8.ValidString(s) {
		return s
	}
	return string(normalize(runesOf(s)))
}

// textBetween returns the text from a to b (a <= b) with '\n' between lines.
func (d *document) textBetween(a, b pos) string {
	if a.line == b.line {
		return string(d.lines[a.line].runes()[a.col:b.col])
	}
	if last := len(d.lines) - 1; a == (pos{}) && b == (pos{last, len(d.lines[last].runes())}) {
		return d.value() // everything (a file opened over the text)
	}
	head, tail := string(d.lines[a.line].runes()[a.col:]), string(d.lines[b.line].runes()[:b.col])
	n := len(head) + len(tail) + b.line - a.line
	for i := a.line + 1; i < b.line; i++ {
		n += len(d.lines[i].text())
	}
	var sb strings.Builder
	sb.Grow(n)
	sb.WriteString(head)
	for i := a.line + 1; i < b.line; i++ {
		sb.WriteByte('\n')
		sb.WriteString(d.lines[i].str)
	}
	sb.WriteByte('\n')
	sb.WriteString(tail)
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

// replace replaces the text between a and b (a <= b), which is removed,
// with str, which must already be normalised, and returns the position
// after the inserted text.
// The entry states of the lines after a become unknown until ensure asks
// for them.
func (d *document) replace(a, b pos, removed, str string) pos {
	d.size += len(str) - len(removed)
	d.logEdit(a, b, str)
	i := strings.IndexByte(str, '\n')
	if a.line == b.line && i < 0 {
		// The common case, typing or deleting within a line: edit in place.
		ln := d.lines[a.line]
		ins := []rune(str)
		c := ln.c
		ln.setRunes(slices.Replace(ln.runes(), a.col, b.col, ins...))
		ln.c = c.edited(a.col) // what stays right before a.col
		d.edited(a.line, b.line, 1)
		return pos{a.line, a.col + len(ins)}
	}
	prefix := d.lines[a.line].runes()[:a.col]
	suffix := d.lines[b.line].runes()[b.col:]
	entry := d.lines[a.line].entry
	if i < 0 {
		// Several lines joined into one.
		ins := []rune(str)
		ln := &line{entry: entry}
		ln.setRunes(slices.Concat(prefix, ins, suffix))
		d.lines = slices.Replace(d.lines, a.line, b.line+1, ln)
		d.edited(a.line, b.line, 1)
		return pos{a.line, a.col + len(ins)}
	}
	j := strings.LastIndexByte(str, '\n')
	k := strings.Count(str, "\n") + 1
	fresh := make([]line, k)
	ptrs := make([]*line, k)
	for n := range fresh {
		ptrs[n] = &fresh[n]
	}
	tail := []rune(str[j+1:])
	fresh[0].setRunes(slices.Concat(prefix, []rune(str[:i])))
	fresh[0].entry = entry
	fresh[k-1].setRunes(slices.Concat(tail, suffix))
	if k > 2 {
		cutLines(fresh[1:k-1], str[i+1:j])
	}
	d.lines = slices.Replace(d.lines, a.line, b.line+1, ptrs...)
	d.edited(a.line, b.line, k)
	return pos{a.line + k - 1, len(tail)}
}

// cutLines gives each of lines its text from all, the lines' texts joined
// with "\n", without copying: the lines' UTF-8 are parts of all.
func cutLines(lines []line, all string) {
	for i := range lines {
		k := strings.IndexByte(all, '\n')
		if k < 0 {
			k = len(all)
		}
		lines[i].str, lines[i].strOK = all[:k], true
		all = all[min(k+1, len(all)):]
	}
}

// span is a run of lines [start, end) whose entry states are unknown: each
// may differ from what the scan of the line before it gives. A line outside
// every span has the entry state the scan of the line before it gives, so a
// line before the first span has its right entry state.
type span struct{ start, end int }

// edited records that old lines a..b were replaced by k lines from a: it
// bumps the version, shifts the spans of unknown entry states after the
// edit and makes the states of the lines after a unknown, up to and
// including the first line after the edit. Line a's own state stays what it
// was: the lines before it did not change.
func (d *document) edited(a, b, k int) {
	d.version++
	delta := k - (b - a + 1)
	at := func(x int) int { // an old line number (or end) in the new text
		switch {
		case x <= a:
			return x
		case x <= b:
			return a + 1 // a deleted line: inside the new span below
		}
		return x + delta
	}
	n := len(d.lines)
	spans := d.spare[:0]
	add := func(sp span) {
		sp.end = min(sp.end, n)
		if sp.start >= sp.end {
			return
		}
		if k := len(spans) - 1; k >= 0 && spans[k].end >= sp.start {
			spans[k].end = max(spans[k].end, sp.end)
			return
		}
		spans = append(spans, sp)
	}
	fresh := span{a + 1, a + k + 1} // the new lines after a, and the line after them
	added := false
	for _, sp := range d.unknown {
		sp = span{at(sp.start), at(sp.end)}
		if !added && sp.start > fresh.start {
			add(fresh)
			added = true
		}
		add(sp)
	}
	if !added {
		add(fresh)
	}
	d.unknown, d.spare = spans, d.unknown
}

// ensure makes the entry states of lines 0..j right: it rescans from the
// first unknown state down to j, stopping early where a recomputed state
// equals the one stored for a line that follows its predecessor (from there
// on nothing can differ), and keeps what remains unknown below j for later.
func (d *document) ensure(j int) {
	j = min(j, len(d.lines)-1)
	for len(d.unknown) > 0 && d.unknown[0].start <= j {
		sp := &d.unknown[0]
		i := sp.start
		st := d.exitState(i - 1)
		for {
			ln := d.lines[i]
			same := ln.entry == st
			ln.entry = st
			next := i + 1
			if next >= len(d.lines) || same && next >= sp.end {
				d.unknown = slices.Delete(d.unknown, 0, 1)
				break
			}
			// Line next may no longer follow line i.
			sp.start, sp.end = next, max(sp.end, next+1)
			for len(d.unknown) > 1 && d.unknown[1].start <= sp.end {
				sp.end = max(sp.end, d.unknown[1].end)
				d.unknown = slices.Delete(d.unknown, 1, 2)
			}
			if next > j {
				break
			}
			st = d.exitState(i)
			i = next
		}
	}
}

// ensureAll makes every entry state right.
func (d *document) ensureAll() { d.ensure(len(d.lines) - 1) }

// exitState is the state line i ends in, from its entry state.
func (d *document) exitState(i int) sqlscript.LineState {
	ln := d.lines[i]
	d.stats.scanned++
	sc := sqlscript.ScanLine(ln.text(), ln.entry, d.dialect)
	return sc.End()
}

// forgetStates makes every entry state but the first line's unknown (after
// SetValue or a dialect change).
func (d *document) forgetStates() {
	d.lines[0].entry = sqlscript.LineState{}
	d.unknown = d.unknown[:0]
	if n := len(d.lines); n > 1 {
		d.unknown = append(d.unknown, span{1, n})
	}
}

// setText replaces the whole buffer with str, which must already be
// normalised.
func (d *document) setText(str string) {
	k := strings.Count(str, "\n") + 1
	fresh := make([]line, k)
	cutLines(fresh, str)
	d.lines = make([]*line, k)
	for i := range fresh {
		d.lines[i] = &fresh[i]
	}
	d.size = len(str)
	d.version++
	d.forgetStates()
	d.setBase(str)
}

// value returns the whole text, cached per version (see text.go).
func (d *document) value() string {
	d.adoptJoined()
	if d.valueOK && d.valueVersion == d.version {
		if !d.logOK {
			d.setBase(d.valueText) // no edits since: the log can start again
		}
		return d.valueText
	}
	n := len(d.lines) - 1
	for _, ln := range d.lines {
		n += len(ln.text())
	}
	var sb strings.Builder
	sb.Grow(n)
	for i, ln := range d.lines {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(ln.str)
	}
	d.setBase(sb.String())
	return d.valueText
}
