package editor

import (
	"strings"
	"unicode"
)

// stateKind says which construct the scanner is inside at some position.
type stateKind uint8

const (
	inCode         stateKind = iota // chroma's "root" state
	inBlockComment                  // /* … */, nested as chroma nests them (depth)
	inSingleQuote                   // '…'
	inDoubleQuote                   // "…": a string in MySQL and SQL, an identifier in PostgreSQL
	inBacktick                      // `…`: a MySQL identifier, highlighted by the editor
	inDollarQuote                   // $tag$…$tag$: a PostgreSQL dollar quote, highlighted by the editor
	inLineComment                   // -- or # up to the end of the line; never a line's entry state
	inMySQLSingle                   // '…' in MySQL, with backslash escapes: highlighted by the editor
	inMySQLDouble                   // "…" in MySQL, with backslash escapes: highlighted by the editor
)

// scanState is the scanner's state between two runes. It is comparable, so
// incremental rescans can stop as soon as a recomputed entry state equals the
// stored one.
type scanState struct {
	kind  stateKind
	depth int32  // block comment nesting, when kind == inBlockComment
	tag   string // the dollar quote's tag, when kind == inDollarQuote
}

// custom reports whether the state is inside a span the editor highlights
// itself rather than chroma.
func (s scanState) custom() bool {
	switch s.kind {
	case inBacktick, inDollarQuote, inMySQLSingle, inMySQLDouble:
		return true
	}
	return false
}

// opensInChroma reports whether the opener of the custom span s is lexed by
// chroma with the text before it (MySQL strings: chroma then colours a
// character set introducer such as _utf8mb4'…' as it does in a full lex).
func (s scanState) opensInChroma() bool { return s.kind == inMySQLSingle || s.kind == inMySQLDouble }

// chromaPrefix is the synthetic text that puts chroma's lexer into the state
// s when lexing starts in the middle of a construct. It is cut off the
// resulting tokens again.
func (s scanState) chromaPrefix() string {
	switch s.kind {
	case inBlockComment:
		return strings.Repeat("/*", int(s.depth))
	case inSingleQuote:
		return "'"
	case inDoubleQuote:
		return `"`
	case inLineComment:
		return "--"
	}
	return ""
}

// scanEvent reports the start or end of an editor-highlighted span.
type scanEvent uint8

const (
	evNone  scanEvent = iota
	evOpen            // an editor-highlighted span opens with the unit starting at the index given to step
	evClose           // the span ends just before the index step returns
)

// scanner mirrors, rule for rule, how the dialect's chroma lexer enters and
// leaves multi-line constructs, so that lexing a line on its own from the
// scanner's entry state gives the tokens a lexing of the whole text would.
// For what chroma gets wrong or cannot see across lines (MySQL backquotes,
// MySQL strings with backslash escapes, PostgreSQL dollar quotes) the
// scanner itself is the authority and the editor highlights those spans.
type scanner struct{ kind dialectKind }

// at returns r[i], or 0 past the end.
func at(r []rune, i int) rune {
	if i < len(r) {
		return r[i]
	}
	return 0
}

// step consumes one unit of r starting at i (0 <= i < len(r)) in state st,
// updates st and returns the index after the unit.
func (sc scanner) step(st *scanState, r []rune, i int) (int, scanEvent) {
	c := r[i]
	switch st.kind {
	case inCode:
		return sc.stepCode(st, r, i)
	case inLineComment:
		return i + 1, evNone
	case inBlockComment:
		switch {
		case c == '/' && at(r, i+1) == '*':
			st.depth++
			return i + 2, evNone
		case c == '*' && at(r, i+1) == '/':
			st.depth--
			if st.depth <= 0 {
				*st = scanState{}
			}
			return i + 2, evNone
		}
		return i + 1, evNone
	case inSingleQuote, inDoubleQuote, inBacktick, inMySQLSingle, inMySQLDouble:
		q := quoteOf(st.kind)
		if c == '\\' && (st.kind == inMySQLSingle || st.kind == inMySQLDouble) {
			return min(i+2, len(r)), evNone // \' and \\ do not end a MySQL string
		}
		if c != q {
			return i + 1, evNone
		}
		if at(r, i+1) == q { // doubled quote: an escaped quote, still inside
			return i + 2, evNone
		}
		ev := evNone
		if st.custom() {
			ev = evClose
		}
		*st = scanState{}
		return i + 1, ev
	case inDollarQuote:
		if c == '$' {
			if n := closesDollar(r, i, st.tag); n > 0 {
				*st = scanState{}
				return i + n, evClose
			}
		}
		return i + 1, evNone
	}
	return i + 1, evNone
}

func quoteOf(k stateKind) rune {
	switch k {
	case inSingleQuote, inMySQLSingle:
		return '\''
	case inDoubleQuote, inMySQLDouble:
		return '"'
	}
	return '`'
}

// stepCode handles one unit in chroma's root state. The order of the checks
// follows the order of the lexers' rules where it matters.
func (sc scanner) stepCode(st *scanState, r []rune, i int) (int, scanEvent) {
	c := r[i]
	switch {
	case c == '-' && at(r, i+1) == '-':
		st.kind = inLineComment
		return i + 2, evNone
	case c == '/' && at(r, i+1) == '*':
		*st = scanState{kind: inBlockComment, depth: 1}
		return i + 2, evNone
	case c == '\'' || c == '"':
		if sc.kind == kindMySQL {
			// MySQL strings honour backslash escapes, which chroma's
			// lexer does not know: the editor highlights them itself.
			st.kind = inMySQLSingle
			if c == '"' {
				st.kind = inMySQLDouble
			}
			return i + 1, evOpen
		}
		st.kind = inSingleQuote
		if c == '"' {
			st.kind = inDoubleQuote
		}
		return i + 1, evNone
	}
	switch sc.kind {
	case kindMySQL:
		switch c {
		case '#':
			st.kind = inLineComment
			return i + 1, evNone
		case '`':
			st.kind = inBacktick
			return i + 1, evOpen
		}
	case kindPostgres:
		switch {
		case isPGOperator(c):
			// chroma's PostgreSQL lexer takes a whole run of operator
			// characters as one token, so "=--" or "+/*" open nothing.
			j := i + 1
			for j < len(r) && isPGOperator(r[j]) {
				j++
			}
			return j, evNone
		case c == ':':
			if at(r, i+1) == ':' {
				return i + 2, evNone
			}
			if n := pgVariable(r, i); n > 0 {
				return i + n, evNone
			}
		case c == '$':
			if unicode.IsDigit(at(r, i+1)) { // $1: a parameter
				j := i + 1
				for j < len(r) && unicode.IsDigit(r[j]) {
					j++
				}
				return j, evNone
			}
			if i > 0 && isPGIdentRune(r[i-1]) {
				return i + 1, evNone // part of an identifier such as a$b
			}
			if tag, n, ok := opensDollar(r, i); ok {
				*st = scanState{kind: inDollarQuote, tag: tag}
				return i + n, evOpen
			}
		}
	}
	return i + 1, evNone
}

// isPGOperator is the character class of chroma's PostgreSQL operator rule.
func isPGOperator(c rune) bool {
	switch c {
	case '+', '*', '/', '<', '>', '=', '~', '!', '@', '#', '%', '^', '&', '|', '`', '?', '-':
		return true
	}
	return false
}

// pgVariable matches chroma's PostgreSQL rule :(['"]?)[a-z]\w*\b\1 (psql
// variables such as :name or :'name') at r[i] == ':' and returns its length,
// or 0.
func pgVariable(r []rune, i int) int {
	j := i + 1
	var q rune
	if c := at(r, j); c == '\'' || c == '"' {
		q = c
		j++
	}
	c := at(r, j)
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return 0
	}
	j++
	for j < len(r) && isRegexpWord(r[j]) {
		j++
	}
	if q == 0 {
		return j - i
	}
	if at(r, j) == q {
		return j + 1 - i
	}
	return 0
}

// isRegexpWord is \w of chroma's regular expressions (regexp2): letters,
// non-spacing marks, decimal digits and connector punctuation.
func isRegexpWord(c rune) bool {
	if c < 0x80 {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
	}
	return unicode.IsLetter(c) || unicode.Is(unicode.Mn, c) || unicode.Is(unicode.Nd, c) || unicode.Is(unicode.Pc, c)
}

// isPGIdentRune reports whether c can continue a PostgreSQL identifier, in
// which case a following "$" does not start a dollar quote.
func isPGIdentRune(c rune) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80 && unicode.IsLetter(c)
}

func isTagStart(c rune) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80 && unicode.IsLetter(c)
}

func isTagRune(c rune) bool { return isTagStart(c) || c >= '0' && c <= '9' }

// opensDollar matches a PostgreSQL dollar-quote opener ($$ or $tag$) at
// r[i] == '$' and returns its tag and length.
func opensDollar(r []rune, i int) (string, int, bool) {
	j := i + 1
	if at(r, j) == '$' {
		return "", 2, true
	}
	if !isTagStart(at(r, j)) {
		return "", 0, false
	}
	for j < len(r) && isTagRune(r[j]) {
		j++
	}
	if at(r, j) != '$' {
		return "", 0, false
	}
	return string(r[i+1 : j]), j + 1 - i, true
}

// closesDollar reports the length of the closing $tag$ at r[i] == '$', or 0.
func closesDollar(r []rune, i int, tag string) int {
	j := i + 1
	for _, t := range tag {
		if at(r, j) != t {
			return 0
		}
		j++
	}
	if at(r, j) != '$' {
		return 0
	}
	return j + 1 - i
}

// exit returns the state at the end of line r entered in state st: the next
// line's entry state.
func (sc scanner) exit(st scanState, r []rune) scanState {
	for i := 0; i < len(r); {
		i, _ = sc.step(&st, r, i)
	}
	if st.kind == inLineComment {
		st = scanState{}
	}
	return st
}

// canSplit reports whether a line may be cut into two separately lexed
// pieces at i (0 < i < len(r)), the scanner being in state st there: no
// chroma token that matters crosses the cut and no rule looks across it.
func canSplit(st scanState, r []rune, i int) bool {
	p, c := r[i-1], r[i]
	switch st.kind {
	case inCode:
		switch p {
		case ',', ';', '(', ')':
			// Single-rune punctuation tokens in all three lexers.
			return true
		case ' ':
			// A whitespace token ends here: the next rune starts a word.
			// Not after the first word of a multi-word PostgreSQL type
			// (double precision, with[out] time zone), whose rule spans
			// the space.
			return isRegexpWord(c) && !afterMultiwordTypeStart(r, i-1)
		}
		return false
	case inLineComment:
		return true
	case inBlockComment:
		return p != '/' && p != '*' && c != '/' && c != '*'
	case inSingleQuote, inDoubleQuote, inBacktick, inMySQLSingle, inMySQLDouble:
		q := quoteOf(st.kind)
		return p != q && c != q && p != '\\' && c != '\\'
	case inDollarQuote:
		return p != '$' && c != '$'
	}
	return false
}

// afterMultiwordTypeStart reports whether the spaces ending at r[end] follow
// one of the words that start a multi-word PostgreSQL type name.
func afterMultiwordTypeStart(r []rune, end int) bool {
	j := end
	for j >= 0 && r[j] == ' ' {
		j--
	}
	k := j
	for k >= 0 && isRegexpWord(r[k]) {
		k--
	}
	switch strings.ToLower(string(r[k+1 : j+1])) {
	case "double", "with", "without", "time":
		return true
	}
	return false
}
