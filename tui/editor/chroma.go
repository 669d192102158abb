package editor

import (
	"strings"
	"unicode"

	"github.com/alecthomas/chroma/v2"

	"dmsticket/dms/sqlscript"
)

// This file holds what the editor knows of chroma's lexers: the token types
// they give strings, quoted identifiers and comments, and where code can be
// cut into pieces that chroma lexes alone.

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

// canSplit reports whether a line may be cut into two separately lexed
// pieces at i (0 < i < len(r)), a place between two of sqlscript's tokens in
// code: no chroma token that matters crosses the cut and no rule looks
// across it.
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
