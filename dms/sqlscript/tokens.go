package sqlscript

import "strings"

// TokenKind says what a Token is.
type TokenKind uint8

const (
	// Word is an unquoted word: a keyword or a name, in any case; also a
	// PostgreSQL parameter ($1) and, in MySQL, a name that begins with
	// digits (1abc).
	Word TokenKind = iota + 1
	// QuotedIdent is a quoted identifier: `name` in MySQL and generic SQL,
	// "name" in PostgreSQL and generic SQL, [name] in generic SQL (SQL
	// Server).
	QuotedIdent
	// String is a string literal: '…'; "…" in MySQL; E'…' and $tag$…$tag$
	// in PostgreSQL. A prefix that is a word of its own (N'…', X'…',
	// _utf8mb4'…') is a Word before the String.
	String
	// Number is a numeric literal: 42, 1.5, .5, 1e-3, 0x1F (see the lexer's
	// rules per dialect in [Tokens]).
	Number
	// Punct is any other single byte: ( ) , ; . = < @ …; operators of
	// several bytes (<>, ::, ||) are one Punct per byte.
	Punct
	// Comment is a comment; in MySQL also the opening ("/*!50001",
	// "/*M!100101") and the closing "*/" of an executable comment, whose
	// inside is SQL and comes as tokens of its own.
	Comment
)

// String returns the kind in words: "word", "quoted identifier", "string",
// "number", "punctuation" or "comment".
func (k TokenKind) String() string {
	switch k {
	case Word:
		return "word"
	case QuotedIdent:
		return "quoted identifier"
	case String:
		return "string"
	case Number:
		return "number"
	case Punct:
		return "punctuation"
	case Comment:
		return "comment"
	}
	return "none"
}

// Token is a lexical token of a statement.
type Token struct {
	Kind TokenKind
	// Start and End are byte offsets in the statement: stmt[Start:End] ==
	// Text.
	Start, End int
	// Text is the token as written.
	Text string
	// Norm is the token as compared: a Word or Number in lower case
	// ("select", "0x1f"); a QuotedIdent without its quotes, a doubled
	// closing quote undone and its case kept (`a``b` is a`b, [x]]y] is
	// x]y); anything else as written.
	Norm string
}

// Tokens returns the tokens of stmt written in dialect d, blanks left out.
//
// The tokens are those Split and Classify read: strings, quoted
// identifiers, comments and dollar quotes begin and end where the dialect
// says (see [Dialect]), and one that stmt ends inside of runs to the end. A
// MySQL executable comment is SQL: its opening and closing are Comment
// tokens and what is between them is read as usual.
//
// Numbers: digits with an optional fraction and exponent (42, 1.5, .5, 3.,
// 1e-3), and integers written 0x1F in every dialect, 0b101 in MySQL and
// PostgreSQL, 0o17 and 1_000 in PostgreSQL (16 and later); a '.' before a
// digit starts a number even after a name (MySQL's t.5, column 5 of t, is
// read as t and .5). In MySQL, digits followed by a letter are a name
// (1abc); in PostgreSQL and generic SQL they are a number and a word.
func Tokens(stmt string, d Dialect) []Token {
	l := lexer{src: stmt, d: d}
	var out []Token
	for {
		k, at := l.next()
		switch k {
		case tokEOF:
			return out
		case tokSpace:
			continue
		}
		kind := l.kindOf(k, at, "")
		text := stmt[at:l.pos]
		out = append(out, Token{Kind: kind, Start: at, End: l.pos, Text: text, Norm: norm(kind, text)})
	}
}

// kindOf maps an internal token kind to a TokenKind. For a quoted token the
// opening delimiter is read at src[at]; delim, when not "", is the one a
// line started inside of.
func (l *lexer) kindOf(k tokKind, at int, delim string) TokenKind {
	switch k {
	case tokWord:
		return Word
	case tokNumber:
		return Number
	case tokQuoted:
		c := byte(0)
		if delim != "" {
			c = delim[0]
		} else {
			c = l.src[at]
		}
		switch c {
		case '`', '[':
			return QuotedIdent
		case '"':
			if l.d == MySQL {
				return String
			}
			return QuotedIdent
		}
		return String
	case tokComment, tokExecOpen, tokExecClose:
		return Comment
	}
	return Punct
}

// norm is Token.Norm.
func norm(k TokenKind, text string) string {
	switch k {
	case Word, Number:
		return strings.ToLower(text)
	case QuotedIdent:
		q := closerOf(text[:1])
		inner := text[1:]
		if strings.HasSuffix(inner, string(q)) {
			inner = inner[:len(inner)-1]
		}
		return strings.ReplaceAll(inner, string([]byte{q, q}), string(q))
	}
	return text
}
