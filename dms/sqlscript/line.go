package sqlscript

// LineState is what a line of a script starts inside of: nothing (the zero
// LineState, also the start of a script), or a string, quoted identifier,
// block comment or dollar-quoted body that an earlier line opened; and
// whether that is within a MySQL executable comment. A line comment never
// reaches the next line.
//
// It is what an editor keeps per line to lex only what changed: lines that
// start in equal states and hold equal text end in equal states, so a rescan
// after an edit can stop at the first line whose state it recomputes
// unchanged. LineStates are comparable with ==.
type LineState struct {
	inside string // the construct's opening delimiter, normalised; "" in SQL
	depth  int32  // how deeply a PostgreSQL block comment is nested
	exec   bool   // within a MySQL executable comment
}

// Inside returns the opening delimiter of the construct the line starts
// inside of: "'", "E'", "\"", "`", "[", Oracle's "q'[" ("q'" and its
// delimiter), "/*" or a dollar quote's tag such as
// "$$" or "$body$"; or "" when it starts in SQL.
func (st LineState) Inside() string { return st.inside }

// LineScanner reads one line of a script, token by token, from the state
// the line starts in. Reading a script line by line gives the tokens Tokens
// gives for the whole script, cut at the line breaks.
type LineScanner struct {
	lx     lexer
	resume LineState // the construct the line starts inside of, until read
}

// ScanLine returns a LineScanner of line, one line of a script without its
// line break (its end ends a line comment), which starts in state st and is
// written in dialect d.
func ScanLine(line string, st LineState, d Dialect) LineScanner {
	return LineScanner{lx: lexer{src: line, d: d, inExec: st.exec, execOpen: "/*!"}, resume: st}
}

// Next reads the next token of the line that is not blank and returns its
// kind (as Tokens gives it) and its byte offsets in the line; ok is false at
// the end of the line. A token that an earlier line opened starts at 0, and
// one that the next line closes ends at the end of the line. An empty line
// has no tokens.
func (s *LineScanner) Next() (kind TokenKind, start, end int, ok bool) {
	l := &s.lx
	if st := s.resume; st.inside != "" {
		s.resume = LineState{}
		var k tokKind
		switch st.inside[0] {
		case '/':
			k, _ = l.commentBody(0, 0, int(st.depth))
		case '$':
			k, _ = l.dollarBody(0, 0, st.inside)
		case 'q':
			k, _ = l.qQuoted(0, 0, st.inside)
		default:
			k, _ = l.quoted(0, 0, st.inside)
		}
		if l.pos > 0 {
			return l.kindOf(k, 0, st.inside), 0, l.pos, true
		}
	}
	for {
		k, at := l.next()
		switch k {
		case tokEOF:
			return 0, l.pos, l.pos, false
		case tokSpace:
			continue
		}
		return l.kindOf(k, at, ""), at, l.pos, true
	}
}

// State returns the state after the tokens read so far. After the last it
// is the state the next line starts in. Between two tokens it is the state
// to go on from: ScanLine(line[end:], s.State(), d) reads the rest of the
// line as s does, end being the end of the last token read.
func (s *LineScanner) State() LineState {
	if s.resume.inside != "" {
		return s.resume
	}
	l := &s.lx
	st := LineState{inside: l.inside, exec: l.inExec}
	switch st.inside {
	case "e'":
		st.inside = "E'"
	case "/*":
		st.depth = int32(l.depth)
	}
	return st
}

// End reads the rest of the line and returns the state the next line starts
// in.
func (s *LineScanner) End() LineState {
	if s.resume.inside != "" {
		s.Next()
	}
	for {
		if k, _ := s.lx.next(); k == tokEOF {
			return s.State()
		}
	}
}
