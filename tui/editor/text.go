package editor

import (
	"slices"
	"strings"
	"sync/atomic"
)

// This file holds the editor's text as one string: Value, and Text, the
// text of one version taken on the program's goroutine in time that grows
// with the edits made since the text was last joined, not with the text,
// and joined by String wherever it is called (a command, in the
// background).
//
// The document keeps the whole text as last joined (its base, the value
// cache) and the edits made since (splices, each a replace: from where, to
// where, what). A Text is the base and those edits; String applies them to
// the base's lines and joins the result. A Text joined in the background
// becomes the document's base the next time the document is asked for its
// text, so the edits to apply stay few.

// splice is one replace of the text: the text between a and b (a <= b)
// replaced with str.
type splice struct {
	a, b pos
	str  string
}

// maxSplices bounds the edits kept since the base: beyond it a Text is
// joined on the spot (and the base is the text again).
const maxSplices = 4096

// joined is where a Text's String keeps its result, for the Text's copies
// and for the document that handed it out.
type joined struct{ s atomic.Pointer[string] }

// Text is the editor's text at one version. Taking it (Model.Text) does not
// join the buffer's lines; String does, safely from any goroutine, and the
// document reuses its result. Its zero value is the empty text.
type Text struct {
	d       *document // the document it is of (nil: TextOf)
	version uint64
	empty   bool
	base    string   // the text at an earlier version
	splices []splice // the edits since, in order; none: the text is base
	j       *joined  // where the result is kept (nil: the text is base)
}

// TextOf is s as a Text.
func TextOf(s string) Text { return Text{base: s, empty: s == ""} }

// Empty reports whether the text is "", without joining it.
func (t Text) Empty() bool { return t.empty }

// String returns the text.
func (t Text) String() string {
	if t.j == nil {
		return t.base
	}
	if p := t.j.s.Load(); p != nil {
		return *p
	}
	s := applySplices(t.base, t.splices)
	t.j.s.Store(&s)
	return s
}

// Same reports whether t and u are the same text without joining them:
// the same version of the same editor, or equal strings given to TextOf.
func (t Text) Same(u Text) bool {
	if t.d != nil || u.d != nil {
		return t.d == u.d && t.version == u.version
	}
	return t.base == u.base
}

// Text returns the text as it is now, to be joined by String, in a command
// if need be: taking it costs nothing that grows with the text.
func (m Model) Text() Text {
	d := m.doc
	d.adoptJoined()
	if !d.valueOK || !d.logOK {
		d.value() // no base to build on: join here, once
	}
	t := Text{d: d, version: d.version, base: d.valueText, empty: len(d.lines) == 1 && len(d.lines[0].text()) == 0}
	if d.valueVersion == d.version {
		return t
	}
	if d.snap != nil && d.snapVersion == d.version {
		t.splices, t.j = d.splices[:d.snapLen:d.snapLen], d.snap
		return t
	}
	n := len(d.splices)
	t.splices, t.j = d.splices[:n:n], &joined{}
	d.snap, d.snapVersion, d.snapLen = t.j, d.version, n
	return t
}

// setBase records that str is the whole text now: the value cache, with no
// edits since.
func (d *document) setBase(str string) {
	d.valueText, d.valueVersion, d.valueOK = str, d.version, true
	d.splices, d.logOK = nil, true // a new slice: Texts share the old one
	d.snap = nil
}

// logEdit records a replace for the Texts taken before the next join.
func (d *document) logEdit(a, b pos, str string) {
	if !d.logOK {
		return
	}
	if len(d.splices) >= maxSplices {
		d.splices, d.logOK = nil, false
		d.snap = nil
		return
	}
	d.splices = append(d.splices, splice{a, b, str})
}

// adoptJoined makes the last Text handed out the base once it has been
// joined: the edits before it need not be applied again.
func (d *document) adoptJoined() {
	if d.snap == nil {
		return
	}
	p := d.snap.s.Load()
	if p == nil {
		return
	}
	if d.logOK && d.snapVersion > d.valueVersion {
		// The edits after the Text's are kept in a new slice: the Texts
		// handed out share the old one.
		rest := slices.Clone(d.splices[d.snapLen:])
		d.valueText, d.valueVersion, d.valueOK = *p, d.snapVersion, true
		d.splices = rest
	}
	d.snap = nil
}

// applySplices applies the edits to base, a whole text, and returns the
// text they make. A line an edit touches is held as runes, the columns the
// edits count in, and edited in place: a line that grew by a thousand
// edits at its end (text pasted without brackets, a read at a time) is not
// copied a thousand times (a draft of a 2 MiB line took seconds of CPU at
// every save).
func applySplices(base string, splices []splice) string {
	if len(splices) == 0 {
		return base
	}
	type textLine struct {
		s     string
		r     []rune
		runes bool
	}
	var lines []textLine
	for _, l := range strings.Split(base, "\n") {
		lines = append(lines, textLine{s: l})
	}
	runesOf := func(i int) []rune {
		if !lines[i].runes {
			lines[i].r, lines[i].runes = []rune(lines[i].s), true
		}
		return lines[i].r
	}
	for _, sp := range splices {
		if sp.a.line == sp.b.line && !strings.Contains(sp.str, "\n") {
			l := sp.a.line
			lines[l].r = slices.Replace(runesOf(l), sp.a.col, sp.b.col, []rune(sp.str)...)
			continue
		}
		ins := strings.Split(sp.str, "\n")
		fresh := make([]textLine, len(ins))
		for i, part := range ins {
			fresh[i] = textLine{s: part}
		}
		head := runesOf(sp.a.line)[:sp.a.col]
		tail := runesOf(sp.b.line)[sp.b.col:]
		last := len(fresh) - 1
		if last == 0 { // lines joined into one
			fresh[0] = textLine{r: slices.Concat(head, []rune(ins[0]), tail), runes: true}
		} else {
			fresh[0] = textLine{r: slices.Concat(head, []rune(ins[0])), runes: true}
			fresh[last] = textLine{r: slices.Concat([]rune(ins[last]), tail), runes: true}
		}
		lines = slices.Replace(lines, sp.a.line, sp.b.line+1, fresh...)
	}
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		if l.runes {
			b.WriteString(utf8Of(l.r))
		} else {
			b.WriteString(l.s)
		}
	}
	return b.String()
}
