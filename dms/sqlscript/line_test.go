package sqlscript

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestScanLineCarriesConstructsToTheNextLine(t *testing.T) {
	tests := []struct {
		name    string
		dialect Dialect
		text    string
		want    []string // Inside() of each line after the first; "+exec" when within an executable comment
	}{
		{"strings and names", MySQL, "SELECT `a'b\nc` 'x\ny' \"z\nw\"\nok", []string{"`", "'", `"`, ""}},
		{"mysql backslashes", MySQL, "'O\\'Brien\\\\' x '\\\ny' \"\\\"\ny\"", []string{"'", `"`}},
		{"line comments end with their line", MySQL, "# '\n-- '\n--\n'", []string{"", "", ""}},
		{"mysql double minus is no comment", MySQL, "1--'\nx'", []string{"'"}},
		{"mysql comments do not nest", MySQL, "/* /* a\n*/ b */ c\nd", []string{"/*", ""}},
		{"mysql executable comment", MySQL, "/*!40101 SET\nx = 'a\nb' */ y\nz", []string{"+exec", "'+exec", ""}},
		{"postgresql comments nest", PostgreSQL, "/* /* a\n*/ b\n*/ c\nd", []string{"/*", "/*", ""}},
		{"postgresql dollar quote", PostgreSQL, "AS $body$\nSELECT 'x\n$body$ 'y\n'", []string{"$body$", "$body$", "'"}},
		{"postgresql escape string", PostgreSQL, "e'\\'\nx' y", []string{"E'"}},
		{"postgresql comment in an operator", PostgreSQL, "a=--'\nc+/*d\ne */ f", []string{"", "/*"}},
		{"postgresql names", PostgreSQL, "SELECT \"a\nb\" `c\nd", []string{`"`, ""}},
		{"generic brackets", Generic, "[a\nb] `c\nd` '\n'", []string{"[", "`", "'"}},
		{"generic hash is no comment", Generic, "# '\nx'", []string{"'"}},
		{"empty lines inside", PostgreSQL, "/* /*\n\n\n*/*/", []string{"/*", "/*", "/*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			st := LineState{}
			lines := strings.Split(tt.text, "\n")
			for _, line := range lines[:len(lines)-1] {
				sc := ScanLine(line, st, tt.dialect)
				st = sc.End()
				s := st.Inside()
				if st.exec {
					s += "+exec"
				}
				got = append(got, s)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("lines of %q in %v start inside %q, want %q", tt.text, tt.dialect, got, tt.want)
			}
		})
	}
}

// scanTokens reads all of sc's tokens.
func scanTokens(sc LineScanner) []Token {
	var out []Token
	for {
		k, a, b, ok := sc.Next()
		if !ok {
			return out
		}
		out = append(out, Token{Kind: k, Start: a, End: b})
	}
}

func TestScanLineGivesContinuedTokensFromTheLineStart(t *testing.T) {
	sc := ScanLine("SELECT 'a", LineState{}, MySQL)
	st := sc.End()
	sc = ScanLine("b' -- c", st, MySQL)
	got := scanTokens(sc)
	if want := []Token{{Kind: String, Start: 0, End: 2}, {Kind: Comment, Start: 3, End: 7}}; !reflect.DeepEqual(got, want) {
		t.Errorf("tokens %v, want %v", got, want)
	}
	sc = ScanLine("b' -- c", st, MySQL)
	if sc.State() != st {
		t.Errorf("before any token: %+v, want the line's state %+v", sc.State(), st)
	}
	if sc.End() != (LineState{}) {
		t.Errorf("the line comment reached the next line")
	}
}

func TestLineStatesAreEqualWhenTheRestLexesAlike(t *testing.T) {
	end := func(line string, d Dialect) LineState {
		sc := ScanLine(line, LineState{}, d)
		return sc.End()
	}
	a, b := end("SELECT 'x", MySQL), end("'", MySQL)
	c, d := end("e'x", PostgreSQL), end("E'y", PostgreSQL)
	if a != b || c != d || a == c || a.Inside() != "'" || c.Inside() != "E'" {
		t.Errorf("states %+v %+v %+v %+v", a, b, c, d)
	}
}

// shift moves toks by off bytes.
func shift(toks []Token, off int) []Token {
	for i := range toks {
		toks[i].Start += off
		toks[i].End += off
	}
	return toks
}

// checkLines checks that reading script line by line with ScanLine gives
// the tokens Tokens gives for the whole script, cut at the line breaks; that
// it can go on from the State after any token; and that it ends inside what
// Split reports unclosed.
func checkLines(t *testing.T, script string, d Dialect) {
	t.Helper()
	type piece struct {
		kind             TokenKind
		line, start, end int
	}
	lines := strings.Split(script, "\n")
	starts := make([]int, len(lines))
	for i := 1; i < len(lines); i++ {
		starts[i] = starts[i-1] + len(lines[i-1]) + 1
	}
	var want []piece
	li := 0
	for _, tk := range Tokens(script, d) {
		for li+1 < len(lines) && starts[li+1] <= tk.Start {
			li++
		}
		for j := li; j < len(lines) && starts[j] < tk.End; j++ {
			a := max(tk.Start, starts[j]) - starts[j]
			b := min(tk.End, starts[j]+len(lines[j])) - starts[j]
			if b > a {
				want = append(want, piece{tk.Kind, j, a, b})
			}
		}
	}
	var got []piece
	st := LineState{}
	for i, line := range lines {
		before := st
		sc := ScanLine(line, before, d)
		var rest [][]Token // the tokens after each token, read on from State
		for {
			k, a, b, ok := sc.Next()
			if !ok {
				break
			}
			got = append(got, piece{k, i, a, b})
			rest = append(rest, shift(scanTokens(ScanLine(line[b:], sc.State(), d)), b))
		}
		st = sc.State()
		quick := ScanLine(line, before, d)
		if end := quick.End(); end != st {
			t.Fatalf("line %d: End %+v, State after the last token %+v", i+1, end, st)
		}
		all := scanTokens(ScanLine(line, before, d))
		for j, r := range rest {
			if want := all[j+1:]; !reflect.DeepEqual(r, want) && len(r)+len(want) > 0 {
				t.Fatalf("line %d %q: going on after token %d gives %v, reading on gives %v", i+1, line, j, r, want)
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("line by line:\n got %v\nwant %v\nscript %q", got, want, script)
	}
	if segs := Split(script, d); len(segs) > 0 {
		u := segs[len(segs)-1].Unclosed
		switch u {
		case "/*!", "/*M!":
			if !st.exec || st.Inside() != "" {
				t.Fatalf("Split says %q is open, the last line ends in %+v", u, st)
			}
		default:
			if u == "e'" {
				u = "E'"
			}
			if st.Inside() != u {
				t.Fatalf("Split says %q is open, the last line ends in %+v", u, st)
			}
		}
	}
}

func TestReadingLineByLineGivesTheTokensOfTheWholeScript(t *testing.T) {
	scripts := append(fuzzSeeds[:len(fuzzSeeds):len(fuzzSeeds)],
		readTestdata(t, "mysqldump.sql"), readTestdata(t, "pg_dump.sql"), benchScript(40),
		"'a\\\n'b' /*! x\n*/ y", "/* /*\n*/\n*/", "$a$\n$b$\n$a$", "[a\n]]\n]", "E'\\\n'", "1.\n5 t\n.5 --\n-- x\n#\n")
	for _, s := range scripts {
		for d := range Dialect(3) {
			t.Run(fmt.Sprintf("%v/%.20q", d, s), func(t *testing.T) { checkLines(t, s, d) })
		}
	}
}

func FuzzTokens(f *testing.F) {
	for _, s := range fuzzSeeds {
		for d := range 3 {
			f.Add(s, uint8(d))
		}
	}
	f.Add("[a]]b] `c` \"d\" 0x1F 1e-3 .5 t.5 1abc $1 a$b E'\\'' /*!1 x */ #\n--\n--x", uint8(MySQL))
	f.Fuzz(func(t *testing.T, script string, dn uint8) {
		d := Dialect(dn % 3)
		toks := Tokens(script, d)
		checkTokens(t, script, toks)
		for _, tk := range toks {
			switch tk.Kind {
			case Word, Number:
				if tk.Norm != strings.ToLower(tk.Text) {
					t.Fatalf("%v %q has Norm %q", tk.Kind, tk.Text, tk.Norm)
				}
			case QuotedIdent:
				if len(tk.Norm) >= len(tk.Text) {
					t.Fatalf("quoted identifier %q has Norm %q", tk.Text, tk.Norm)
				}
			default:
				if tk.Norm != tk.Text {
					t.Fatalf("%v %q has Norm %q", tk.Kind, tk.Text, tk.Norm)
				}
			}
		}
		checkLines(t, script, d)
	})
}
