package sqlscript

import "strings"

// Segment is one piece of a script as Split cut it: a statement with the
// blanks and comments around it, or a piece that holds no statement at all.
//
// A segment ends just after the ';' that terminates its statement. When only
// blanks and comments follow on that line, the segment runs to the end of
// the line, newline included: a trailing "-- why" comment belongs to the
// statement it annotates, and the next segment starts on a fresh line.
// Comments and blank lines before a statement belong to its segment.
type Segment struct {
	// Text is the exact bytes of this piece of the input.
	Text string
	// Start and End are byte offsets in the input: input[Start:End] == Text.
	Start, End int
	// SQLStart and SQLEnd are the byte offsets of the statement itself,
	// input[SQLStart:SQLEnd] == Statement.SQL: from the first to the last
	// byte that is neither blank nor comment, without the terminating ';'.
	// For an Empty segment both are End.
	SQLStart, SQLEnd int
	// StartLine and EndLine are the 1-based lines of the statement's first
	// and last byte (of SQL, so leading comments and a ';' alone on the next
	// line do not count). For an Empty segment they are the lines of Text's
	// first and last byte.
	StartLine, EndLine int
	// Empty is true when the segment holds only blanks, comments and its
	// ';': it is not a statement.
	Empty bool
	// Unclosed is the opening delimiter of the string, quoted identifier,
	// dollar quote or comment that the input ends inside of ("'", "E'", "`",
	// "$body$", "/*", …), and "" when everything is closed. Only the last
	// segment can have one; the open construct swallowed the rest of the
	// input, which is usually a typo worth showing the user.
	Unclosed string
	// UnclosedLine is the 1-based line where Unclosed opens, or 0.
	UnclosedLine int
}

// Split cuts script into segments in a single pass. The segments partition
// the input: concatenating their Text gives script back, and each starts
// where the previous one ends. An empty script has no segments.
//
// A ';' ends a statement unless it is inside a string, a quoted identifier,
// a comment or a dollar-quoted body, as d defines them (see [Dialect]). A
// last statement without ';' is still a statement. MySQL executable comments
// ("/*!40101 SET NAMES utf8 */") are statements, not comments, because the
// server runs them.
//
// Split does not understand procedural blocks: a MySQL CREATE PROCEDURE with
// BEGIN … END (written with the mysql client's DELIMITER) or an Oracle PL/SQL
// block is cut at its inner semicolons. PostgreSQL function bodies in dollar
// quotes are kept whole.
func Split(script string, d Dialect) []Segment {
	if script == "" {
		return nil
	}
	segs := make([]Segment, 0, strings.Count(script, ";")+1)
	sp := splitter{
		lx:       lexer{src: script, d: d},
		lines:    lineCounter{src: script, line: 1},
		sqlStart: -1,
		sqlEnd:   -1,
	}
	for {
		kind, at := sp.lx.next()
		switch kind {
		case tokEOF:
			if sp.start < len(script) {
				segs = append(segs, sp.segment(len(script)))
			}
			return segs
		case tokSpace, tokComment:
			continue
		case tokPunct:
			if script[at] == ';' && !sp.lx.inExec {
				end := sp.lx.restOfLine()
				segs = append(segs, sp.segment(end))
				continue
			}
		}
		if sp.sqlStart < 0 {
			sp.sqlStart = at
		}
		sp.sqlEnd = sp.lx.pos
	}
}

// splitter is Split's state between segments.
type splitter struct {
	lx               lexer
	lines            lineCounter
	start            int // where the current segment starts
	sqlStart, sqlEnd int // the statement's extent so far; sqlStart < 0 before any
}

// segment closes the current segment at end and starts the next one there.
func (sp *splitter) segment(end int) Segment {
	src := sp.lx.src
	seg := Segment{Text: src[sp.start:end], Start: sp.start, End: end}
	if sp.sqlStart >= 0 {
		seg.SQLStart, seg.SQLEnd = sp.sqlStart, sp.sqlEnd
		seg.StartLine = sp.lines.at(sp.sqlStart)
		seg.EndLine = sp.lines.at(sp.sqlEnd - 1)
	} else {
		seg.Empty = true
		seg.SQLStart, seg.SQLEnd = end, end
		seg.StartLine = sp.lines.at(sp.start)
		seg.EndLine = sp.lines.at(end - 1)
	}
	if sp.lx.unclosed != "" {
		seg.Unclosed = sp.lx.unclosed
		seg.UnclosedLine = sp.lines.at(sp.lx.unclosedAt)
		sp.lx.unclosed = ""
	}
	sp.start, sp.sqlStart, sp.sqlEnd = end, -1, -1
	return seg
}

// restOfLine is called just after a terminating ';'. When only blanks and
// comments follow on the same line it consumes them and the newline, and
// returns the offset after them; otherwise it consumes nothing and returns
// the current offset. A block comment that spans lines ends the look-ahead.
func (l *lexer) restOfLine() int {
	saved := *l
	for {
		kind, at := l.next()
		switch kind {
		case tokEOF:
			return l.pos
		case tokSpace:
			if k := strings.IndexByte(l.src[at:l.pos], '\n'); k >= 0 {
				l.pos = at + k + 1
				return l.pos
			}
		case tokComment:
			if l.src[at] == '/' && strings.IndexByte(l.src[at:l.pos], '\n') >= 0 {
				*l = saved
				return l.pos
			}
		default:
			*l = saved
			return l.pos
		}
	}
}

// lineCounter turns byte offsets into 1-based line numbers. Offsets asked
// for mostly increase, so each answer counts only the newlines since the
// previous one.
type lineCounter struct {
	src  string
	pos  int // offset whose line is line
	line int
}

func (lc *lineCounter) at(off int) int {
	if off >= lc.pos {
		lc.line += strings.Count(lc.src[lc.pos:off], "\n")
	} else {
		lc.line -= strings.Count(lc.src[off:lc.pos], "\n")
	}
	lc.pos = off
	return lc.line
}
