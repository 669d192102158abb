package sqlscript

import "strings"

// tokKind is the kind of a lexical token. The lexer is the one place that
// knows each dialect's quoting and comment rules; Split, Classify, Tokens
// and ScanLine all read its tokens.
type tokKind uint8

const (
	tokEOF       tokKind = iota
	tokSpace             // a run of blanks (and byte-order marks)
	tokComment           // a line or block comment
	tokWord              // an unquoted identifier or keyword
	tokNumber            // a numeric literal
	tokQuoted            // a string, quoted identifier or dollar-quoted body
	tokPunct             // any other single byte: ( ) , ; . = …
	tokExecOpen          // MySQL "/*!50001" or "/*M!100101": what follows is SQL
	tokExecClose         // the "*/" that closes an executable comment
)

// lexer cuts src into tokens. It is a value type: copying it saves its
// state, which Split uses to look ahead and back off. It reads only forward:
// a token's kind and extent depend on the state and the bytes from its
// start on, never on the bytes before it, so that lexing can resume at any
// token boundary (see LineScanner.State).
type lexer struct {
	src      string
	d        Dialect
	pos      int
	inExec   bool   // inside a MySQL executable comment
	execAt   int    // where it opened
	execOpen string // and with what: "/*!" or "/*M!"

	// unclosedAt and unclosed describe the string or comment that src ended
	// inside of, if any: its offset and its opening delimiter; at the end of
	// src an executable comment that is still open counts too.
	unclosedAt int
	unclosed   string
	// inside is the delimiter of the string, quoted identifier, dollar
	// quote or block comment that src ended inside of, and depth the
	// nesting of that block comment (PostgreSQL's nest): what the next line
	// of a script starts inside of.
	inside string
	depth  int
}

const bom = "\uFEFF"

// next returns the next token's kind and its start offset; the token ends at
// l.pos. It returns tokEOF at the end of src.
func (l *lexer) next() (tokKind, int) {
	s, i := l.src, l.pos
	if i >= len(s) {
		if l.inExec && l.unclosed == "" {
			l.unclosedAt, l.unclosed = l.execAt, l.execOpen
		}
		return tokEOF, i
	}
	c := s[i]
	switch byteClass[c] {
	case classBlank:
		l.pos = skipBlanks(s, i)
		return tokSpace, i
	case classWord:
		if c == 0xEF && strings.HasPrefix(s[i:], bom) {
			l.pos = skipBlanks(s, i)
			return tokSpace, i
		}
		if isDigit(c) {
			return l.number(i)
		}
		if c != '$' || l.d != PostgreSQL {
			return l.word(i)
		}
		// In PostgreSQL a leading '$' is a parameter or a dollar quote.
	}
	switch c {
	case '\'', '"':
		return l.quoted(i, i+1, s[i:i+1])
	case '`':
		if l.d != PostgreSQL {
			return l.quoted(i, i+1, "`")
		}
	case '[':
		if l.d == Generic {
			return l.quoted(i, i+1, "[")
		}
	case '$':
		if l.d == PostgreSQL {
			return l.dollar(i)
		}
	case '.':
		if i+1 < len(s) && isDigit(s[i+1]) {
			return l.number(i)
		}
	case '-':
		if l.isDashComment(i) {
			l.pos = lineEnd(s, i)
			return tokComment, i
		}
	case '#':
		if l.d == MySQL {
			l.pos = lineEnd(s, i)
			return tokComment, i
		}
	case '/':
		if i+1 < len(s) && s[i+1] == '*' {
			return l.blockComment(i)
		}
	case '*':
		if l.inExec && i+1 < len(s) && s[i+1] == '/' {
			l.inExec = false
			l.pos = i + 2
			return tokExecClose, i
		}
	}
	l.pos = i + 1
	return tokPunct, i
}

// word reads an unquoted word. In PostgreSQL a lone E or e directly followed
// by a quote is the prefix of an escape string, E'…', whose backslashes
// escape.
func (l *lexer) word(i int) (tokKind, int) {
	s := l.src
	j := i + 1
	for j < len(s) && isWordByte(s[j]) {
		if s[j] == 0xEF && strings.HasPrefix(s[j:], bom) {
			break // a byte-order mark is blank
		}
		j++
	}
	if l.d == PostgreSQL && j == i+1 && (s[i] == 'E' || s[i] == 'e') && j < len(s) && s[j] == '\'' {
		return l.quoted(i, j+1, s[i:j+1])
	}
	if l.d == Generic && isQPrefix(s[i:j]) && j+1 < len(s) && s[j] == '\'' && isQDelim(s[j+1]) {
		return l.qQuoted(i, j+2, "q'"+s[j+1:j+2])
	}
	l.pos = j
	return tokWord, i
}

// isQPrefix reports whether w opens an Oracle alternative-quoting string:
// q'…' or, national, nq'…' (any case).
func isQPrefix(w string) bool {
	switch len(w) {
	case 1:
		return w[0]|0x20 == 'q'
	case 2:
		return w[0]|0x20 == 'n' && w[1]|0x20 == 'q'
	}
	return false
}

// isQDelim reports whether c may follow q' as the quote delimiter: any
// printable byte but a blank (Oracle: "any single-byte character except
// space, tab, and return") and the quote itself.
func isQDelim(c byte) bool { return c > ' ' && c < 0x7f && c != '\'' }

// qQuoted reads Oracle's q'X…X' (generic dialect): a string whose body
// ends at the first X' (]' for q'[, }' for q'{, )' for q'(, >' for q'<),
// quotes inside it included: q'[ ' ]' is one string, and the statement
// after it is one; read as standard SQL it hid a DROP TABLE from the
// statement checks. delim is "q'" and X whatever the prefix's case.
func (l *lexer) qQuoted(start, body int, delim string) (tokKind, int) {
	end := string(qCloser(delim[2])) + "'"
	if k := strings.Index(l.src[body:], end); k >= 0 {
		l.pos = body + k + len(end)
		return tokQuoted, start
	}
	l.open(start, delim)
	return tokQuoted, start
}

// qCloser is the byte that closes Oracle's q'X: X, or its pair.
func qCloser(x byte) byte {
	switch x {
	case '[':
		return ']'
	case '{':
		return '}'
	case '(':
		return ')'
	case '<':
		return '>'
	}
	return x
}

// number reads a numeric literal starting at i with a digit, or with a '.'
// and a digit: an integer, a decimal with an optional exponent (42, 1.5,
// .5, 3., 1e-3, 2.5E+4) or an integer in hexadecimal (0x1F; all dialects:
// MySQL, PostgreSQL 16, SQL Server's binary constants) or binary (0b101;
// MySQL, PostgreSQL 16) or octal (0o17; PostgreSQL 16). PostgreSQL 16 also
// accepts underscores between digits (1_000_000).
//
// In MySQL a name may begin with digits ("Identifiers may begin with a
// digit but unless quoted may not consist solely of digits"): digits
// followed by a letter (1abc, 0x1g) are a word. PostgreSQL and standard SQL
// read 1abc as the number 1 and the word abc.
func (l *lexer) number(i int) (tokKind, int) {
	s := l.src
	under := l.d == PostgreSQL
	j, decimal := i, false
	if k := prefixed(s, i, l.d); k > i {
		j = digitsIn(s, k, s[i+1]|0x20, under)
	} else {
		j = digitsIn(s, j, 'd', under)
		if j < len(s) && s[j] == '.' {
			decimal = true
			j = digitsIn(s, j+1, 'd', under)
		}
		if j < len(s) && s[j]|0x20 == 'e' {
			k := j + 1
			if k < len(s) && (s[k] == '+' || s[k] == '-') {
				k++
			}
			if k < len(s) && isDigit(s[k]) {
				decimal = true
				j = digitsIn(s, k, 'd', under)
			}
		}
	}
	if l.d == MySQL && !decimal && j < len(s) && isWordByte(s[j]) {
		return l.word(i)
	}
	l.pos = j
	return tokNumber, i
}

// prefixed returns the offset of the first digit of a prefixed integer
// (0x1F, 0b101, 0o17; in PostgreSQL also 0x_1F) starting at i, or i when
// there is none.
func prefixed(s string, i int, d Dialect) int {
	if i+2 >= len(s) || s[i] != '0' {
		return i
	}
	r := s[i+1] | 0x20
	switch {
	case r == 'x', r == 'b' && d != Generic, r == 'o' && d == PostgreSQL:
	default:
		return i
	}
	k := i + 2
	if d == PostgreSQL && s[k] == '_' {
		k++
	}
	if k < len(s) && isDigitIn(s[k], r) {
		return k
	}
	return i
}

// isDigitIn reports whether c is a digit of the radix r: 'x', 'o', 'b' or
// 'd' (decimal).
func isDigitIn(c, r byte) bool {
	switch r {
	case 'x':
		return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'f'
	case 'o':
		return c >= '0' && c <= '7'
	case 'b':
		return c == '0' || c == '1'
	}
	return isDigit(c)
}

// digitsIn returns the offset after the digits of radix r starting at j;
// with under, an underscore between two digits is one of them.
func digitsIn(s string, j int, r byte, under bool) int {
	for j < len(s) {
		if isDigitIn(s[j], r) || under && s[j] == '_' && j+1 < len(s) && isDigitIn(s[j+1], r) && j > 0 && isDigitIn(s[j-1], r) {
			j++
			continue
		}
		break
	}
	return j
}

// quoted reads a string or quoted identifier that starts at start, opened
// by delim, and whose body starts at body (body == start when a line starts
// inside it). A doubled closing quote stands for itself; where backslashes
// escape (see escapes), a backslash escapes the byte after it.
func (l *lexer) quoted(start, body int, delim string) (tokKind, int) {
	s := l.src
	q := closerOf(delim)
	backslash := l.escapes(delim)
	for j := body; j < len(s); {
		var k int
		if backslash {
			k = indexEither(s[j:], q, '\\')
		} else {
			k = strings.IndexByte(s[j:], q)
		}
		if k < 0 {
			break
		}
		j += k
		if s[j] == '\\' {
			j += 2
			continue
		}
		if j+1 < len(s) && s[j+1] == q {
			j += 2
			continue
		}
		l.pos = j + 1
		return tokQuoted, start
	}
	l.open(start, delim)
	return tokQuoted, start
}

// closerOf returns the byte that closes what delim opens.
func closerOf(delim string) byte {
	if delim == "[" {
		return ']'
	}
	return delim[len(delim)-1]
}

// escapes reports whether a backslash escapes inside what delim opens:
// MySQL's strings in both quotes, and PostgreSQL's E'…' strings.
func (l *lexer) escapes(delim string) bool {
	switch delim {
	case "'", `"`:
		return l.d == MySQL
	case "E'", "e'":
		return true
	}
	return false
}

// dollar reads a PostgreSQL dollar-quoted body, $$…$$ or $tag$…$tag$. A '$'
// that does not open one (a parameter such as $1) is read as a word.
func (l *lexer) dollar(i int) (tokKind, int) {
	s := l.src
	j := i + 1
	if j < len(s) && isTagStart(s[j]) {
		for j++; j < len(s) && isTagByte(s[j]); j++ {
		}
	}
	if j >= len(s) || s[j] != '$' {
		// Not a dollar quote: "$1", or a lone '$'.
		k := i + 1
		for k < len(s) && isWordByte(s[k]) && s[k] != '$' && s[k] < 0x80 {
			k++
		}
		l.pos = k
		return tokWord, i
	}
	return l.dollarBody(i, j+1, s[i:j+1])
}

// dollarBody reads the body of a dollar quote opened by tag from body on,
// up to and with the closing tag.
func (l *lexer) dollarBody(start, body int, tag string) (tokKind, int) {
	if k := strings.Index(l.src[body:], tag); k >= 0 {
		l.pos = body + k + len(tag)
		return tokQuoted, start
	}
	l.open(start, tag)
	return tokQuoted, start
}

// blockComment reads a /* */ comment starting at i. PostgreSQL's nest. In
// MySQL, "/*!" and "/*M!" (with an optional version number) open an
// executable comment whose contents are SQL: the lexer returns tokExecOpen
// and reads on as usual until the matching "*/".
func (l *lexer) blockComment(i int) (tokKind, int) {
	s := l.src
	if l.d == MySQL {
		j := i + 2
		if j < len(s) && s[j] == 'M' && j+1 < len(s) && s[j+1] == '!' {
			j++
		}
		if j < len(s) && s[j] == '!' {
			j++
			l.execAt, l.execOpen = i, s[i:j]
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			l.inExec = true
			l.pos = j
			return tokExecOpen, i
		}
	}
	return l.commentBody(i, i+2, 1)
}

// commentBody reads a block comment that starts at start from body on,
// where it is depth levels deep, up to and with its last "*/".
func (l *lexer) commentBody(start, body, depth int) (tokKind, int) {
	s := l.src
	if l.d != PostgreSQL {
		if k := strings.Index(s[body:], "*/"); k >= 0 {
			l.pos = body + k + 2
			return tokComment, start
		}
		l.open(start, "/*")
		l.depth = 1
		return tokComment, start
	}
	for j := body; j+1 < len(s); {
		switch {
		case s[j] == '/' && s[j+1] == '*':
			depth++
			j += 2
		case s[j] == '*' && s[j+1] == '/':
			depth--
			j += 2
			if depth == 0 {
				l.pos = j
				return tokComment, start
			}
		default:
			j++
		}
	}
	l.open(start, "/*")
	l.depth = depth
	return tokComment, start
}

// isDashComment reports whether the "-" at i starts a "--" line comment.
// MySQL wants the second dash followed by a blank or a control character
// (or the end of the input): "1--1" is 1 minus minus 1 there, and reading it
// as a comment would hide SQL that the server runs.
func (l *lexer) isDashComment(i int) bool {
	s := l.src
	if i+1 >= len(s) || s[i+1] != '-' {
		return false
	}
	if l.d != MySQL {
		return true
	}
	return i+2 >= len(s) || s[i+2] <= ' '
}

// open records that the input ended inside the construct opened by delim at
// offset at, and moves to the end of the input.
func (l *lexer) open(at int, delim string) {
	l.unclosedAt, l.unclosed, l.inside = at, delim, delim
	l.pos = len(l.src)
}

// byteClass holds each byte's lexical class, so the hot loops test one
// table entry instead of a chain of comparisons.
var byteClass = func() (t [256]uint8) {
	for _, c := range []byte(" \n\t\r\f\v") {
		t[c] = classBlank
	}
	for c := range 256 {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80 {
			t[c] = classWord
		}
	}
	return t
}()

const (
	classBlank = 1 + iota
	classWord
)

func isBlank(c byte) bool { return byteClass[c] == classBlank }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func skipBlanks(s string, i int) int {
	for i < len(s) {
		if isBlank(s[i]) {
			i++
		} else if s[i] == 0xEF && strings.HasPrefix(s[i:], bom) {
			i += len(bom)
		} else {
			break
		}
	}
	return i
}

// isWordByte reports whether c can continue an unquoted word. Bytes of
// multi-byte UTF-8 characters count, as both MySQL and PostgreSQL accept
// letters beyond ASCII in identifiers; so does '$', which both accept after
// the first character.
func isWordByte(c byte) bool { return byteClass[c] == classWord }

func isTagStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func isTagByte(c byte) bool {
	return isTagStart(c) || c >= '0' && c <= '9'
}

// lineEnd returns the offset of the newline that ends the line holding i, or
// the end of s.
func lineEnd(s string, i int) int {
	if k := strings.IndexByte(s[i:], '\n'); k >= 0 {
		return i + k
	}
	return len(s)
}

// indexEither returns the index of the first a or b in s, or -1.
func indexEither(s string, a, b byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == a || s[i] == b {
			return i
		}
	}
	return -1
}
