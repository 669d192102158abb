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
	depth  int    // how deeply a PostgreSQL block comment is nested
	exec   bool   // within a MySQL executable comment
}

// Inside returns the opening delimiter of the construct the line starts
// inside of: "'", "E'", "\"", "`", "[", "/*" or a dollar quote's tag such as
// "$$" or "$body$"; or "" when it starts in SQL.
func (st LineState) Inside() string { return st.inside }

// ScanLine lexes line, which starts in state st, in dialect d and returns the
// state the next line starts in. line is a line of a script without its
// line break; its end ends a line comment.
//
// When yield is not nil it is called with each token of the line that is not
// blank, in order: its kind (as Tokens gives it) and its byte offsets in
// line. A token that an earlier line opened starts at 0, and one that the
// next line closes ends at len(line); an empty line yields nothing. Reading a
// script line by line gives the tokens Tokens gives for the whole script,
// cut at the line breaks.
func ScanLine(line string, st LineState, d Dialect, yield func(kind TokenKind, start, end int)) LineState {
	l := lexer{src: line, d: d, inExec: st.exec, execOpen: "/*!"}
	if st.inside != "" {
		var k tokKind
		switch st.inside[0] {
		case '/':
			k, _ = l.commentBody(0, 0, st.depth)
		case '$':
			k, _ = l.dollarBody(0, 0, st.inside)
		default:
			k, _ = l.quoted(0, 0, st.inside)
		}
		if yield != nil && l.pos > 0 {
			yield(l.kindOf(k, 0, st.inside), 0, l.pos)
		}
	}
	for {
		k, at := l.next()
		if k == tokEOF {
			break
		}
		if k != tokSpace && yield != nil {
			yield(l.kindOf(k, at, ""), at, l.pos)
		}
	}
	next := LineState{inside: l.inside, exec: l.inExec}
	switch next.inside {
	case "e'":
		next.inside = "E'"
	case "/*":
		next.depth = l.depth
	}
	return next
}
