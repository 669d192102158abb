package editor

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/chroma/v2"

	"dmsticket/dms/sqlscript"
)

// span is a stretch of a line drawn as a unit: a string, quoted identifier
// or comment as sqlscript reads it, in one colour the editor chooses; or
// code between them, which chroma colours.
type span struct {
	start, end   int32 // runes of the line
	bstart, bend int32 // the same stretch in bytes of the line's text
	code         bool
	typ          chroma.TokenType // of a string, identifier or comment

	// For code: the rune after it on the line (0 at the end: chroma's
	// rules look one rune ahead, as at a quote after _utf8mb4), and its
	// chroma tokens once lexed, with or without a "(" on a later line.
	next  rune
	toks  []tok
	lexed bool
	paren bool
}

// constructType is the colour of a string, quoted identifier or comment:
// chroma's token type for it, opened by the byte open.
func constructType(kind sqlscript.TokenKind, open byte) chroma.TokenType {
	switch kind {
	case sqlscript.Comment:
		if open == '-' || open == '#' {
			return chroma.CommentSingle
		}
		return chroma.CommentMultiline
	case sqlscript.QuotedIdent:
		return chroma.LiteralStringName
	}
	switch open {
	case '"':
		return chroma.LiteralStringDouble
	case '$':
		return chroma.LiteralStringHeredoc
	}
	return chroma.LiteralStringSingle
}

// text returns the line as a string, which sqlscript reads, cached until
// the line changes.
func (ln *line) text() string {
	if !ln.c.strOK {
		ln.c.str, ln.c.strOK = string(ln.r), true
	}
	return ln.c.str
}

// cut returns the spans of ln from its entry state: sqlscript's strings,
// quoted identifiers and comments, and the code between them in pieces of at
// least pieceLen runes cut where canSplit allows it (or, past maxPiece
// runes, wherever), so that only what is on screen is given to chroma.
func (d *document) cut(ln *line) []span {
	s, r := ln.text(), ln.r
	ascii := len(s) == len(r)
	var spans []span
	ri, bi := 0, 0 // a rune offset and its byte offset, moving forward
	runeAt := func(b int) int {
		if ascii {
			return b
		}
		for bi < b {
			_, n := utf8.DecodeRuneInString(s[bi:])
			bi += n
			ri++
		}
		return ri
	}
	code := func(ra, ba, rb, bb int) {
		for ra < rb {
			re, be := rb, bb
			if rb-ra > d.pieceLen {
				re = cutCode(r, ra, rb, d.pieceLen, d.maxPiece)
				be = ba + byteLen(r[ra:re])
			}
			sp := span{start: int32(ra), end: int32(re), bstart: int32(ba), bend: int32(be), code: true}
			if re < len(r) {
				sp.next = r[re]
			}
			spans = append(spans, sp)
			ra, ba = re, be
		}
	}
	at, atB := 0, 0 // the end of the last span
	sqlscript.ScanLine(s, ln.entry, d.dialect, func(kind sqlscript.TokenKind, start, end int) {
		switch kind {
		case sqlscript.String, sqlscript.QuotedIdent, sqlscript.Comment:
		default:
			return // code
		}
		ra := runeAt(start)
		code(at, atB, ra, start)
		open := s[start]
		if start == 0 && ln.entry.Inside() != "" {
			open = ln.entry.Inside()[0] // continued from the line before
		} else if kind == sqlscript.String && (open == 'E' || open == 'e') {
			// PostgreSQL's E'…': the E is the string's prefix, as chroma
			// colours it.
			spans = append(spans, span{start: int32(ra), end: int32(ra + 1), bstart: int32(start), bend: int32(start + 1), typ: chroma.LiteralStringAffix})
			ra, start = ra+1, start+1
			open = '\''
		}
		rb := runeAt(end)
		spans = append(spans, span{start: int32(ra), end: int32(rb), bstart: int32(start), bend: int32(end), typ: constructType(kind, open)})
		at, atB = rb, end
	})
	code(at, atB, len(r), len(s))
	return spans
}

// byteLen is the length of r in UTF-8.
func byteLen(r []rune) int {
	n := 0
	for _, c := range r {
		n += utf8.RuneLen(c)
	}
	return n
}

// cutCode returns where to end a piece of the code r[a:b] that is longer
// than pieceLen: the first place past pieceLen runes where canSplit allows
// a cut, or a+maxPiece, or b.
func cutCode(r []rune, a, b, pieceLen, maxPiece int) int {
	for i := a + pieceLen; i < b; i++ {
		if canSplit(r, i) || i-a >= maxPiece {
			return i
		}
	}
	return b
}

// canSplit reports whether code may be cut into two separately lexed
// pieces at i (0 < i < len(r)): no chroma token that matters crosses the
// cut and no rule looks across it.
func canSplit(r []rune, i int) bool {
	p, c := r[i-1], r[i]
	switch p {
	case ',', ';', '(', ')':
		// Single-rune punctuation tokens in all three lexers.
		return true
	case ' ':
		// A whitespace token ends here: the next rune starts a word. Not
		// after the first word of a multi-word PostgreSQL type (double
		// precision, with[out] time zone), whose rule spans the space.
		return isRegexpWord(c) && !afterMultiwordTypeStart(r, i-1)
	}
	return false
}

// isRegexpWord is \w of chroma's regular expressions (regexp2): letters,
// non-spacing marks, decimal digits and connector punctuation.
func isRegexpWord(c rune) bool {
	if c < 0x80 {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
	}
	return unicode.IsLetter(c) || unicode.Is(unicode.Mn, c) || unicode.Is(unicode.Nd, c) || unicode.Is(unicode.Pc, c)
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
