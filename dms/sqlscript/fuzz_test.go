package sqlscript

import (
	"strings"
	"testing"
)

// fuzzSeeds are scripts that exercise every lexical rule of every dialect,
// and their broken halves.
var fuzzSeeds = []string{
	"",
	";",
	"SELECT 1; SELECT 2",
	"SELECT 'a;b' -- c;\n; /* d; */ SELECT \"e;\" # f;\n;",
	`SELECT 'it\'s', "x\"y", 'a''b', E'\\', e'\'' ;`,
	"SELECT `a``b`; SELECT $$ ; $$, $tag$ $$ ; $tag$; SELECT $1",
	"/* /* nested; */ still; */ SELECT 1; /*!40101 SET x=1; */; /*M!1 a*/;",
	"SELECT 1--1;\nSELECT 2 -- x\n;--\n;-",
	"WITH RECURSIVE a(x) AS (SELECT 1) SEARCH DEPTH FIRST BY x SET o CYCLE x SET c USING p SELECT * FROM a INTO @v",
	"WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d; (SELECT 1) UNION (SELECT 2)",
	"SELECT 'unclosed",
	"SELECT /* unclosed",
	"SELECT $x$ unclosed",
	"\uFEFFSELECT 1;\r\n\r\nSELECT 2;\r\n",
	"SELECT '\xff\xfe';\x00;\x1b[2J;",
	"a$b$c $ $$ $a $a$",
	"*/ /*! */ */",
	"COMMENT ON TABLE t IS 'x'; VALUES (1); TABLE t;",
}

func FuzzSplit(f *testing.F) {
	for _, s := range fuzzSeeds {
		for d := range 3 {
			f.Add(s, uint8(d))
		}
	}
	for _, name := range []string{"mysqldump.sql", "pg_dump.sql"} {
		f.Add(readTestdata(f, name), uint8(MySQL))
		f.Add(readTestdata(f, name), uint8(PostgreSQL))
	}
	f.Fuzz(func(t *testing.T, script string, dn uint8) {
		d := Dialect(dn % 3)
		segs := Split(script, d)
		checkSegments(t, script, segs)

		stmts := Statements(script, d)
		n := 0
		for _, s := range segs {
			if !s.Empty {
				n++
			}
		}
		if len(stmts) != n {
			t.Fatalf("%d statements from %d non-empty segments", len(stmts), n)
		}
		for i, st := range stmts {
			if st.Number != i+1 {
				t.Fatalf("statement %d numbered %d", i+1, st.Number)
			}
			if st.SQL == "" {
				t.Fatalf("statement %d has empty SQL", st.Number)
			}
			if st.SQL != script[st.SQLStart:st.SQLEnd] || st.SQLStart < st.Start || st.SQLEnd > st.End {
				t.Fatalf("statement %d: SQL %q at [%d:%d] outside its segment [%d:%d]",
					st.Number, st.SQL, st.SQLStart, st.SQLEnd, st.Start, st.End)
			}
			if st.Unclosed == "" && (isBlank(st.SQL[0]) || isBlank(st.SQL[len(st.SQL)-1])) {
				t.Fatalf("statement %d: SQL %q is not trimmed", st.Number, st.SQL)
			}
			if st.Kind < Other || st.Kind > DDL {
				t.Fatalf("statement %d: kind %d out of range", st.Number, st.Kind)
			}
			// A statement split again is one statement. (In MySQL a
			// trailing "--" is an operator before ';' and a comment at the
			// end of the input, like the server reads it.)
			if d != MySQL || !strings.HasSuffix(st.SQL, "-") {
				if again := Statements(st.SQL, d); len(again) != 1 {
					t.Fatalf("statement %d, %q, splits again into %d", st.Number, st.SQL, len(again))
				}
			}
		}
	})
}

// checkSegments checks that segs partition script with valid offsets and
// line numbers.
func checkSegments(t *testing.T, script string, segs []Segment) {
	t.Helper()
	if script == "" {
		if len(segs) != 0 {
			t.Fatalf("empty script gave %d segments", len(segs))
		}
		return
	}
	lines := strings.Count(script, "\n") + 1
	var joined strings.Builder
	prevEnd := 0
	for i, s := range segs {
		if s.Start != prevEnd || s.End <= s.Start || s.End > len(script) || script[s.Start:s.End] != s.Text {
			t.Fatalf("segment %d [%d:%d] %q does not follow the previous end %d", i, s.Start, s.End, s.Text, prevEnd)
		}
		if s.StartLine < 1 || s.EndLine < s.StartLine || s.EndLine > lines {
			t.Fatalf("segment %d lines %d–%d outside 1–%d", i, s.StartLine, s.EndLine, lines)
		}
		at := s.SQLStart
		if s.Empty {
			at = s.Start
		}
		if want := strings.Count(script[:at], "\n") + 1; s.StartLine != want {
			t.Fatalf("segment %d starts on line %d, want %d", i, s.StartLine, want)
		}
		if s.Unclosed != "" && (i != len(segs)-1 || s.UnclosedLine < s.StartLine || s.UnclosedLine > lines) {
			t.Fatalf("segment %d of %d: unclosed %q on line %d", i, len(segs), s.Unclosed, s.UnclosedLine)
		}
		joined.WriteString(s.Text)
		prevEnd = s.End
	}
	if joined.String() != script {
		t.Fatalf("segments do not join to the input")
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range fuzzSeeds {
		for d := range 3 {
			f.Add(s, uint8(d))
		}
	}
	f.Fuzz(func(t *testing.T, stmt string, dn uint8) {
		d := Dialect(dn % 3)
		k := Classify(stmt, d)
		if k < Other || k > DDL {
			t.Fatalf("kind %d out of range", k)
		}
		if again := Classify(stmt, d); again != k {
			t.Fatalf("Classify is not deterministic: %v then %v", k, again)
		}
		if got := Classify(" \n\t"+stmt, d); got != k {
			t.Fatalf("leading blanks change the kind: %v, then %v", k, got)
		}
		if got := Classify(stmt+"\n;", d); got != k {
			t.Fatalf("a trailing ';' changes the kind: %v, then %v", k, got)
		}
	})
}
