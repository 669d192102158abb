package sqlscript

import (
	"strings"
	"testing"
)

// brief writes tokens compactly: "w:select" (a word, by its Norm), "q:Orders"
// (a quoted identifier, by its Norm), and the Text of the others after "s:"
// (string), "n:" (number), "p:" (punctuation) or "c:" (comment).
func brief(toks []Token) []string {
	var out []string
	for _, t := range toks {
		switch t.Kind {
		case Word:
			out = append(out, "w:"+t.Norm)
		case QuotedIdent:
			out = append(out, "q:"+t.Norm)
		case String:
			out = append(out, "s:"+t.Text)
		case Number:
			out = append(out, "n:"+t.Text)
		case Punct:
			out = append(out, "p:"+t.Text)
		case Comment:
			out = append(out, "c:"+t.Text)
		default:
			out = append(out, "?:"+t.Text)
		}
	}
	return out
}

// TestTokensFollowEachEngine pins each rule where the engines differ, with
// the documentation it follows:
//
//   - MySQL 8.4 Reference Manual, 11.7 Comments: "#" and "-- " (the second
//     dash followed by whitespace or a control character) start line
//     comments; "/*!" (optionally with a version) and MariaDB's "/*M!" open
//     executable comments whose contents the server runs; block comments do
//     not nest. 11.1.1 String Literals: '…' and "…" are strings and "\"
//     escapes (the default sql_mode). 11.2 Schema Object Names: `…` quotes
//     identifiers, “ is a backquote inside one, and names may begin with a
//     digit. 11.1.2 Numeric Literals, 11.1.4 Hexadecimal Literals (0x1F),
//     11.1.5 Bit-Value Literals (0b101).
//   - PostgreSQL 17 manual, 4.1 Lexical Structure: "…" is an identifier
//     ("" inside); '…' strings double their quotes and take no backslash
//     escapes (standard_conforming_strings, the default since 9.1), E'…'
//     strings do; $tag$…$tag$ dollar quotes, whose tag follows the rules of
//     an identifier without "$", and "$" inside an identifier or a $1
//     parameter opens none; "--" starts a comment anywhere ("-- and /*
//     cannot appear anywhere in an operator name"); block comments nest;
//     "#" and "`" are operator characters; 0x, 0o, 0b and "_" in numbers
//     (16 and later).
//   - SQL Server (Transact-SQL), Database identifiers: delimited
//     identifiers in "…" or […], a "]" doubled inside brackets; "#" begins
//     a temporary table's name, not a comment.
func TestTokensFollowEachEngine(t *testing.T) {
	tests := []struct {
		name    string
		dialect Dialect
		stmt    string
		want    string // brief's tokens joined by " | "
	}{
		// Executable comments.
		{"mysql executable comment is SQL", MySQL, "SELECT /*!40001 SQL_NO_CACHE */ a",
			"w:select | c:/*!40001 | w:sql_no_cache | c:*/ | w:a"},
		{"mariadb executable comment", MySQL, "/*M!100101 SET x=1 */", "c:/*M!100101 | w:set | w:x | p:= | n:1 | c:*/"},
		{"executable comment holding a comment", MySQL, "/*!50001 a /* b */ c */", "c:/*!50001 | w:a | c:/* b */ | w:c | c:*/"},
		{"mysql optimizer hint is a comment", MySQL, "SELECT /*+ BKA(t) */ 1", "w:select | c:/*+ BKA(t) */ | n:1"},
		{"postgresql has no executable comments", PostgreSQL, "/*!40001 a */ b", "c:/*!40001 a */ | w:b"},
		{"generic has no executable comments", Generic, "/*!40001 a */ b", "c:/*!40001 a */ | w:b"},

		// Brackets.
		{"generic bracketed identifier", Generic, "SELECT [order id], [a]]b] FROM [dbo].[t]",
			"w:select | q:order id | p:, | q:a]b | w:from | q:dbo | p:. | q:t"},
		{"generic bracketed identifier hides a quote", Generic, "[it's] 'x'", "q:it's | s:'x'"},
		{"mysql bracket is punctuation", MySQL, "a[1]", "w:a | p:[ | n:1 | p:]"},
		{"postgresql array subscript", PostgreSQL, "a[1]", "w:a | p:[ | n:1 | p:]"},

		// Hash.
		{"mysql hash comment", MySQL, "1 # two\n3", "n:1 | c:# two | n:3"},
		{"postgresql hash is an operator", PostgreSQL, "5 # 3", "n:5 | p:# | n:3"},
		{"sql server temporary table", Generic, "SELECT * FROM #t", "w:select | p:* | w:from | p:# | w:t"},

		// Double dashes.
		{"mysql double minus is two minus signs", MySQL, "1--1", "n:1 | p:- | p:- | n:1"},
		{"mysql dashes and a blank comment", MySQL, "1 -- x\n2", "n:1 | c:-- x | n:2"},
		{"mysql dashes and a tab comment", MySQL, "1 --\tx", "n:1 | c:--\tx"},
		{"mysql dashes at the end comment", MySQL, "1 --", "n:1 | c:--"},
		{"postgresql double minus comments", PostgreSQL, "1--1\n2", "n:1 | c:--1 | n:2"},
		{"postgresql dashes inside an operator comment", PostgreSQL, "a=--b\nc", "w:a | p:= | c:--b | w:c"},
		{"generic double minus comments", Generic, "1--1", "n:1 | c:--1"},

		// Block comments.
		{"mysql block comments do not nest", MySQL, "/* /* */ */", "c:/* /* */ | p:* | p:/"},
		{"postgresql block comments nest", PostgreSQL, "/* /* */ */ x", "c:/* /* */ */ | w:x"},
		{"generic block comments do not nest", Generic, "/* /* */ */", "c:/* /* */ | p:* | p:/"},

		// Dollar quotes.
		{"dollar quote", PostgreSQL, "$$ a; 'b $$ c", "s:$$ a; 'b $$ | w:c"},
		{"tagged dollar quote", PostgreSQL, "$fn$ $$ $fn$", "s:$fn$ $$ $fn$"},
		{"dollar tag beyond ascii", PostgreSQL, "$é$ x $é$", "s:$é$ x $é$"},
		{"dollar parameter", PostgreSQL, "$1 + $23", "w:$1 | p:+ | w:$23"},
		{"dollar inside a name", PostgreSQL, "a$b$ c", "w:a$b$ | w:c"},
		{"dollar tag cannot start with a digit", PostgreSQL, "$1$ x", "w:$1 | w:$ | w:x"},
		{"mysql has no dollar quotes", MySQL, "$$ a $$", "w:$$ | w:a | w:$$"},

		// Strings and escapes.
		{"postgresql escape string", PostgreSQL, `E'it\'s' x`, `s:E'it\'s' | w:x`},
		{"postgresql lower-case escape string", PostgreSQL, `e'\\' x`, `s:e'\\' | w:x`},
		{"postgresql E only alone", PostgreSQL, `typE'\' x`, `w:type | s:'\' | w:x`},
		{"postgresql standard string", PostgreSQL, `'c:\' x`, `s:'c:\' | w:x`},
		{"mysql has no escape strings", MySQL, `E'a'`, `w:e | s:'a'`},
		{"mysql backslash escapes", MySQL, `'it\'s' "say \"hi\"" x`, `s:'it\'s' | s:"say \"hi\"" | w:x`},
		{"mysql escaped backslash", MySQL, `'c:\\' x`, `s:'c:\\' | w:x`},
		{"generic backslash is a byte", Generic, `'c:\' x`, `s:'c:\' | w:x`},
		{"doubled quotes", Generic, "'it''s' x", "s:'it''s' | w:x"},
		{"charset introducer", MySQL, "_utf8mb4'x'", "w:_utf8mb4 | s:'x'"},
		{"unclosed string runs to the end", MySQL, "'a; b", "s:'a; b"},

		// Quoted identifiers.
		{"mysql double quotes are a string", MySQL, `"Orders"`, `s:"Orders"`},
		{"postgresql double quotes are a name", PostgreSQL, `"Or""ders"`, `q:Or"ders`},
		{"mysql backquotes", MySQL, "`a``b`", "q:a`b"},
		{"generic backquotes", Generic, "`a`", "q:a"},
		{"postgresql backquote is an operator", PostgreSQL, "`a`", "p:` | w:a | p:`"},

		// Numbers.
		{"decimals", Generic, "1.5e-3 .5 3. 2E+4 42", "n:1.5e-3 | n:.5 | n:3. | n:2E+4 | n:42"},
		{"hexadecimal", MySQL, "0x1F 0b101", "n:0x1F | n:0b101"},
		{"postgresql 16 integers", PostgreSQL, "0o17 1_000 0o_1_755 1.618_034 1__0", "n:0o17 | n:1_000 | n:0o_1_755 | n:1.618_034 | n:1 | w:__0"},
		{"mysql names may begin with digits", MySQL, "1abc 1_000 0x1g 1e5x", "w:1abc | w:1_000 | w:0x1g | n:1e5 | w:x"},
		{"postgresql digits then a word", PostgreSQL, "1abc", "n:1 | w:abc"},
		{"a dot before a digit starts a number", MySQL, "t.5 t .5 t.c", "w:t | n:.5 | w:t | n:.5 | w:t | p:. | w:c"},
		{"minus is not part of a number", Generic, "-1", "p:- | n:1"},

		// Everything else.
		{"words are lower case, names keep their case", PostgreSQL, `SeLeCt "Mixed" FROM Tbl`, `w:select | q:Mixed | w:from | w:tbl`},
		{"operators are one byte each", PostgreSQL, "a::int <> b || c", "w:a | p:: | p:: | w:int | p:< | p:> | w:b | p:| | p:| | w:c"},
		{"byte order mark and blanks", MySQL, "\uFEFF a\v\f\r\n", "w:a"},
		{"non-ascii names", MySQL, "SELECT 名前 FROM t", "w:select | w:名前 | w:from | w:t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Tokens(tt.stmt, tt.dialect)
			if b := strings.Join(brief(got), " | "); b != tt.want {
				t.Errorf("Tokens(%q, %v):\n got %s\nwant %s", tt.stmt, tt.dialect, b, tt.want)
			}
			checkTokens(t, tt.stmt, got)
		})
	}
}

// checkTokens checks that toks are stmt's tokens in order, each its own
// text, with only blanks between them.
func checkTokens(t *testing.T, stmt string, toks []Token) {
	t.Helper()
	prev := 0
	for i, tk := range toks {
		if tk.Start < prev || tk.End <= tk.Start || tk.End > len(stmt) || stmt[tk.Start:tk.End] != tk.Text {
			t.Fatalf("token %d [%d:%d] %q after offset %d in %q", i, tk.Start, tk.End, tk.Text, prev, stmt)
		}
		if gap := stmt[prev:tk.Start]; skipBlanks(gap, 0) != len(gap) {
			t.Fatalf("token %d: %q between tokens is not blank", i, gap)
		}
		if tk.Kind < Word || tk.Kind > Comment {
			t.Fatalf("token %d: kind %d", i, tk.Kind)
		}
		prev = tk.End
	}
	if gap := stmt[prev:]; skipBlanks(gap, 0) != len(gap) {
		t.Fatalf("%q after the last token is not blank", gap)
	}
}

func TestTokensOfNothingAreNone(t *testing.T) {
	if got := Tokens(" \n\t", MySQL); got != nil {
		t.Errorf("Tokens of blanks = %v", got)
	}
}

func TestTokenKindNames(t *testing.T) {
	want := map[TokenKind]string{Word: "word", QuotedIdent: "quoted identifier", String: "string",
		Number: "number", Punct: "punctuation", Comment: "comment", 0: "none"}
	for k, s := range want {
		if k.String() != s {
			t.Errorf("TokenKind(%d) = %q, want %q", k, k.String(), s)
		}
	}
}
