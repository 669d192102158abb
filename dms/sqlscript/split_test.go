package sqlscript

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sqls returns the SQL of each statement of script.
func sqls(script string, d Dialect) []string {
	var out []string
	for _, st := range Statements(script, d) {
		out = append(out, st.SQL)
	}
	return out
}

func texts(segs []Segment) []string {
	var out []string
	for _, s := range segs {
		out = append(out, s.Text)
	}
	return out
}

func TestSplitEndsStatementsOnlyAtSemicolonsOutsideQuotesAndComments(t *testing.T) {
	tests := []struct {
		name    string
		dialect Dialect
		script  string
		want    []string
	}{
		{"plain", MySQL, "SELECT 1; SELECT 2;", []string{"SELECT 1", "SELECT 2"}},
		{"last statement needs no semicolon", MySQL, "SELECT 1;\nSELECT 2", []string{"SELECT 1", "SELECT 2"}},
		{"single quotes", Generic, "SELECT 'a;b'; SELECT 2", []string{"SELECT 'a;b'", "SELECT 2"}},
		{"doubled single quote", PostgreSQL, "SELECT 'it''s;'; SELECT 2", []string{"SELECT 'it''s;'", "SELECT 2"}},
		{"mysql backslash escape", MySQL, `SELECT 'it\'s;'; SELECT 2`, []string{`SELECT 'it\'s;'`, "SELECT 2"}},
		{"mysql escaped backslash before quote", MySQL, `SELECT 'c:\\'; SELECT 2`, []string{`SELECT 'c:\\'`, "SELECT 2"}},
		{"postgresql backslash is literal", PostgreSQL, `SELECT 'c:\'; SELECT 2`, []string{`SELECT 'c:\'`, "SELECT 2"}},
		{"generic backslash is literal", Generic, `SELECT 'c:\'; SELECT 2`, []string{`SELECT 'c:\'`, "SELECT 2"}},
		{"postgresql escape string", PostgreSQL, `SELECT E'it\'s;'; SELECT 2`, []string{`SELECT E'it\'s;'`, "SELECT 2"}},
		{"postgresql lower-case escape string", PostgreSQL, `SELECT e'\\'; SELECT 2`, []string{`SELECT e'\\'`, "SELECT 2"}},
		{"postgresql E only as a prefix", PostgreSQL, `SELECT typE'\'; SELECT 2`, []string{`SELECT typE'\'`, "SELECT 2"}},
		{"mysql double-quoted string", MySQL, `SELECT "say \"hi\";"; SELECT 2`, []string{`SELECT "say \"hi\";"`, "SELECT 2"}},
		{"double-quoted identifier", PostgreSQL, `SELECT "a;""b"; SELECT 2`, []string{`SELECT "a;""b"`, "SELECT 2"}},
		{"mysql backquotes", MySQL, "SELECT `a;``b`; SELECT 2", []string{"SELECT `a;``b`", "SELECT 2"}},
		{"generic backquotes", Generic, "SELECT `a;b`; SELECT 2", []string{"SELECT `a;b`", "SELECT 2"}},
		{"postgresql backquote is a plain byte", PostgreSQL, "SELECT `a; SELECT `", []string{"SELECT `a", "SELECT `"}},
		{"generic bracketed identifier", Generic, "SELECT [a;]]b]; SELECT 2", []string{"SELECT [a;]]b]", "SELECT 2"}},
		{"generic bracketed identifier holding a quote", Generic, "SELECT [it's]; SELECT 2", []string{"SELECT [it's]", "SELECT 2"}},
		{"mysql bracket is a plain byte", MySQL, "SELECT [a; SELECT 2]", []string{"SELECT [a", "SELECT 2]"}},
		{"postgresql bracket is a plain byte", PostgreSQL, "SELECT a[1]; SELECT '[';", []string{"SELECT a[1]", "SELECT '['"}},
		{"dash comment", PostgreSQL, "SELECT 1 -- no; split\n, 2; SELECT 3", []string{"SELECT 1 -- no; split\n, 2", "SELECT 3"}},
		{"mysql dash comment needs a blank", MySQL, "SELECT 1 -- no; split\n, 2; SELECT 3", []string{"SELECT 1 -- no; split\n, 2", "SELECT 3"}},
		{"mysql dash comment with tab", MySQL, "SELECT 1 --\tno; split\n, 2", []string{"SELECT 1 --\tno; split\n, 2"}},
		{"mysql double minus is an operator", MySQL, "SELECT 1--1; SELECT 2", []string{"SELECT 1--1", "SELECT 2"}},
		{"mysql dash dash at end of line", MySQL, "SELECT 1 --\n; SELECT 2", []string{"SELECT 1", "SELECT 2"}},
		{"postgresql double minus is a comment", PostgreSQL, "SELECT 1--1; SELECT 2\n", []string{"SELECT 1"}},
		{"mysql hash comment", MySQL, "SELECT 1 # no; split\n, 2; SELECT 3", []string{"SELECT 1 # no; split\n, 2", "SELECT 3"}},
		{"postgresql hash is an operator", PostgreSQL, "SELECT 5 # 3; SELECT 2", []string{"SELECT 5 # 3", "SELECT 2"}},
		{"block comment", Generic, "SELECT /* ; */ 1; SELECT 2", []string{"SELECT /* ; */ 1", "SELECT 2"}},
		{"mysql block comments do not nest", MySQL, "SELECT /* /* */ 1; SELECT 2", []string{"SELECT /* /* */ 1", "SELECT 2"}},
		{"postgresql block comments nest", PostgreSQL, "SELECT /* /* ; */ ; */ 1; SELECT 2", []string{"SELECT /* /* ; */ ; */ 1", "SELECT 2"}},
		{"dollar quote", PostgreSQL, "DO $$ BEGIN PERFORM 1; END $$; SELECT 2", []string{"DO $$ BEGIN PERFORM 1; END $$", "SELECT 2"}},
		{"tagged dollar quote holding $$", PostgreSQL, "SELECT $f$ a; $$; $f$; SELECT 2", []string{"SELECT $f$ a; $$; $f$", "SELECT 2"}},
		{"dollar parameter is not a quote", PostgreSQL, "SELECT $1; SELECT $2", []string{"SELECT $1", "SELECT $2"}},
		{"dollar inside identifier is not a quote", PostgreSQL, "SELECT a$b$; SELECT 2", []string{"SELECT a$b$", "SELECT 2"}},
		{"mysql has no dollar quotes", MySQL, "SELECT $$; SELECT $$", []string{"SELECT $$", "SELECT $$"}},
		{"mysql executable comment is a statement", MySQL, "/*!40101 SET NAMES utf8 */;\nSELECT 1;", []string{"/*!40101 SET NAMES utf8 */", "SELECT 1"}},
		{"mariadb executable comment", MySQL, "/*M!100101 SET x=1; */; SELECT 1", []string{"/*M!100101 SET x=1; */", "SELECT 1"}},
		{"postgresql has no executable comments", PostgreSQL, "/*!40101 SET NAMES utf8 */;\nSELECT 1;", []string{"SELECT 1"}},
		{"mysql optimizer hint stays inside", MySQL, "SELECT /*+ MAX_EXECUTION_TIME(1000) */ 1;", []string{"SELECT /*+ MAX_EXECUTION_TIME(1000) */ 1"}},
		{"blank and comment-only pieces are no statements", MySQL, ";;\n-- nothing\n;/* x */;", nil},
		{"byte order mark is blank", MySQL, "\uFEFFSELECT 1;", []string{"SELECT 1"}},
		{"oracle q-quote holds a quote", Generic, "UPDATE GL SET a=q'[ ' ]'; DROP TABLE GL; -- ]'", []string{"UPDATE GL SET a=q'[ ' ]'", "DROP TABLE GL"}},
		{"oracle q-quote holds a semicolon", Generic, "SELECT q'{a;'b}' FROM dual; SELECT 2 FROM dual", []string{"SELECT q'{a;'b}' FROM dual", "SELECT 2 FROM dual"}},
		{"oracle q-quote with paired and plain delimiters", Generic, "SELECT Q'(x')', q'<y'>', q'!z'!', nq'#w'#', NQ'[v']' FROM dual; SELECT 2", []string{"SELECT Q'(x')', q'<y'>', q'!z'!', nq'#w'#', NQ'[v']' FROM dual", "SELECT 2"}},
		{"oracle q-quote over lines", Generic, "SELECT q'[a;\n'b;]' FROM dual; SELECT 2", []string{"SELECT q'[a;\n'b;]' FROM dual", "SELECT 2"}},
		{"a word ending in q is no q-quote", Generic, "SELECT seq'a;b' FROM dual; SELECT 2", []string{"SELECT seq'a;b' FROM dual", "SELECT 2"}},
		{"q then a blank is a word and a string", Generic, "SELECT q' ;'; SELECT 2", []string{"SELECT q' ;'", "SELECT 2"}},
		{"mysql has no q-quotes", MySQL, "SELECT q'[ ' ]'; SELECT 2", []string{"SELECT q'[ ' ]'; SELECT 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sqls(tt.script, tt.dialect); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("statements of %q in %v:\n got %q\nwant %q", tt.script, tt.dialect, got, tt.want)
			}
		})
	}
}

func TestSplitPartitionsTheInputExactly(t *testing.T) {
	script := "-- head\nSELECT 1; -- one\n\n/* two */ SELECT 'a;b'\n;;  \nSELECT 3"
	segs := Split(script, MySQL)
	want := []string{"-- head\nSELECT 1; -- one\n", "\n/* two */ SELECT 'a;b'\n;", ";  \n", "SELECT 3"}
	if got := texts(segs); !reflect.DeepEqual(got, want) {
		t.Fatalf("segments:\n got %q\nwant %q", got, want)
	}
	for i, s := range segs {
		if script[s.Start:s.End] != s.Text {
			t.Errorf("segment %d: input[%d:%d] = %q, Text %q", i, s.Start, s.End, script[s.Start:s.End], s.Text)
		}
	}
	if !segs[2].Empty || segs[0].Empty || segs[1].Empty || segs[3].Empty {
		t.Errorf("only the \";;\" piece should be empty: %+v", segs)
	}
}

func TestSplitGivesATrailingCommentToTheStatementItFollows(t *testing.T) {
	tests := []struct {
		name, script string
		want         []string
	}{
		{"line comment", "SELECT 1; -- why\nSELECT 2;", []string{"SELECT 1; -- why\n", "SELECT 2;"}},
		{"blanks and CRLF", "SELECT 1;  \r\nSELECT 2;", []string{"SELECT 1;  \r\n", "SELECT 2;"}},
		{"one-line block comment", "SELECT 1; /* why */ -- and\nSELECT 2;", []string{"SELECT 1; /* why */ -- and\n", "SELECT 2;"}},
		{"not a block comment spanning lines", "SELECT 1; /* why\n*/ SELECT 2;", []string{"SELECT 1;", " /* why\n*/ SELECT 2;"}},
		{"not the next statement on the same line", "SELECT 1; SELECT 2;", []string{"SELECT 1;", " SELECT 2;"}},
		{"only the first newline", "SELECT 1;\n\nSELECT 2;", []string{"SELECT 1;\n", "\nSELECT 2;"}},
		{"to the end of input", "SELECT 1; -- bye", []string{"SELECT 1; -- bye"}},
		{"not a mysql executable comment", "SELECT 1; /*!40101 SET x=1 */;", []string{"SELECT 1;", " /*!40101 SET x=1 */;"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := texts(Split(tt.script, MySQL)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("segments of %q:\n got %q\nwant %q", tt.script, got, tt.want)
			}
		})
	}
}

func TestSplitCountsLinesOfTheStatementNotOfItsComments(t *testing.T) {
	script := "-- header\n\nSELECT a,\n       b\nFROM t\n;\n\n/* note */\nUPDATE t SET a = 1;\n\n"
	segs := Split(script, MySQL)
	type lines struct {
		start, end int
		empty      bool
	}
	var got []lines
	for _, s := range segs {
		got = append(got, lines{s.StartLine, s.EndLine, s.Empty})
	}
	want := []lines{{3, 5, false}, {9, 9, false}, {10, 10, true}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("lines %v, want %v (segments %q)", got, want, texts(segs))
	}
}

func TestSplitRunsUnclosedQuotesAndCommentsToTheEndAndSaysWhere(t *testing.T) {
	tests := []struct {
		name       string
		dialect    Dialect
		script     string
		statements int
		unclosed   string
		line       int
	}{
		{"string", MySQL, "SELECT 1;\nSELECT 'oops;\nSELECT 3;\n", 2, "'", 2},
		{"backslash at the very end", MySQL, "SELECT 'a\\", 1, "'", 1},
		{"escape string", PostgreSQL, "SELECT 1;\n\nSELECT E'a\\';", 2, "E'", 3},
		{"identifier", PostgreSQL, `SELECT "a; SELECT 2`, 1, `"`, 1},
		{"backquote", MySQL, "SELECT `a; SELECT 2", 1, "`", 1},
		{"bracketed identifier", Generic, "SELECT 1;\nSELECT [a; SELECT 2", 2, "[", 2},
		{"block comment", Generic, "SELECT 1; /* SELECT 2;\n", 1, "/*", 1},
		{"nested block comment", PostgreSQL, "SELECT 1 /* /* */; SELECT 2", 1, "/*", 1},
		{"dollar quote", PostgreSQL, "SELECT 1;\nDO $body$ BEGIN; END $$;", 2, "$body$", 2},
		{"mysql executable comment", MySQL, "SELECT 1;\n/*!40101 SET a=1; SELECT 2", 2, "/*!", 2},
		{"mariadb executable comment", MySQL, "/*M!100101 SET a=1", 1, "/*M!", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stmts := Statements(tt.script, tt.dialect)
			segs := Split(tt.script, tt.dialect)
			last := segs[len(segs)-1]
			if len(stmts) != tt.statements || last.Unclosed != tt.unclosed || last.UnclosedLine != tt.line {
				t.Errorf("%q: %d statements, last unclosed %q on line %d; want %d, %q on line %d",
					tt.script, len(stmts), last.Unclosed, last.UnclosedLine, tt.statements, tt.unclosed, tt.line)
			}
			if last.End != len(tt.script) {
				t.Errorf("last segment ends at %d, want %d", last.End, len(tt.script))
			}
			for _, s := range segs[:len(segs)-1] {
				if s.Unclosed != "" {
					t.Errorf("segment %q reports %q unclosed; only the last can", s.Text, s.Unclosed)
				}
			}
		})
	}
}

func TestSplitOfNothingIsNothing(t *testing.T) {
	if segs := Split("", MySQL); segs != nil {
		t.Errorf("Split(\"\") = %v, want nil", segs)
	}
	if stmts := Statements("  -- only a comment\n", PostgreSQL); stmts != nil {
		t.Errorf("Statements of a comment = %v, want nil", stmts)
	}
	segs := Split("  -- only a comment\n", PostgreSQL)
	if len(segs) != 1 || !segs[0].Empty || segs[0].StartLine != 1 || segs[0].EndLine != 1 {
		t.Errorf("a comment-only script should be one empty segment on line 1: %+v", segs)
	}
}

func TestStatementsAreNumberedFromOneSkippingEmptyPieces(t *testing.T) {
	stmts := Statements(";\nSELECT 1;;\n-- x\n;DELETE FROM t", MySQL)
	if len(stmts) != 2 || stmts[0].Number != 1 || stmts[1].Number != 2 {
		t.Fatalf("statements %+v, want two numbered 1 and 2", stmts)
	}
	if stmts[0].Kind != Select || stmts[1].Kind != Delete {
		t.Errorf("kinds %v, %v; want select, delete", stmts[0].Kind, stmts[1].Kind)
	}
}

func TestStatementSQLCanBeWrappedInACount(t *testing.T) {
	// The trailing comment must not reach the SQL: "SELECT COUNT(*) FROM
	// (… -- note) t" would comment out the closing parenthesis.
	script := "-- top customers\nSELECT id -- the key\n  FROM customers -- note"
	stmts := Statements(script, MySQL)
	if len(stmts) != 1 {
		t.Fatalf("got %d statements", len(stmts))
	}
	if want := "SELECT id -- the key\n  FROM customers"; stmts[0].SQL != want {
		t.Errorf("SQL = %q, want %q", stmts[0].SQL, want)
	}
	if stmts[0].SQL != script[stmts[0].SQLStart:stmts[0].SQLEnd] {
		t.Errorf("SQL is not input[SQLStart:SQLEnd]")
	}
}

func TestSplitReadsAMysqldumpLikeMySQL(t *testing.T) {
	script := readTestdata(t, "mysqldump.sql")
	stmts := Statements(script, MySQL)
	var kinds []string
	for _, st := range stmts {
		kinds = append(kinds, st.Kind.String())
	}
	want := []string{
		"other", "other", "other", // SET in executable comments
		"ddl", "other", "ddl", "other", // DROP, SET, CREATE, SET
		"other", "ddl", "insert", "ddl", "other", "other", // LOCK, ALTER, INSERT, ALTER, UNLOCK, SET
	}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("kinds\n got %v\nwant %v", kinds, want)
	}
	create := stmts[5]
	if !strings.HasPrefix(create.SQL, "CREATE TABLE `orders`") || !strings.HasSuffix(create.SQL, "CHARSET=utf8mb4") {
		t.Errorf("CREATE TABLE statement cut wrongly: %q", create.SQL)
	}
	if create.StartLine != 17 || create.EndLine != 23 {
		t.Errorf("CREATE TABLE on lines %d–%d, want 17–23", create.StartLine, create.EndLine)
	}
	if ins := stmts[9]; ins.StartLine != 32 || !strings.HasSuffix(ins.SQL, "'paid',7)") {
		t.Errorf("INSERT on line %d: %q", ins.StartLine, ins.SQL)
	}
	segs := Split(script, MySQL)
	if last := segs[len(segs)-1]; !last.Empty || !strings.Contains(last.Text, "Dump completed") {
		t.Errorf("the closing comment should be an empty segment, got %+v", last)
	}
}

func TestSplitReadsAPgDumpLikePostgreSQL(t *testing.T) {
	script := readTestdata(t, "pg_dump.sql")
	stmts := Statements(script, PostgreSQL)
	var kinds []string
	for _, st := range stmts {
		kinds = append(kinds, st.Kind.String())
	}
	want := []string{"other", "other", "select", "ddl", "ddl", "ddl", "ddl", "insert", "select", "select"}
	if !reflect.DeepEqual(kinds, want) {
		for _, st := range stmts {
			t.Logf("%d %v %q", st.Number, st.Kind, st.SQL)
		}
		t.Fatalf("kinds\n got %v\nwant %v", kinds, want)
	}
	touch := stmts[3]
	if touch.StartLine != 10 || touch.EndLine != 17 || !strings.HasSuffix(touch.SQL, "END;\n$$") {
		t.Errorf("function body cut wrongly, lines %d–%d: %q", touch.StartLine, touch.EndLine, touch.SQL)
	}
	if greet := stmts[4]; greet.StartLine != 19 || greet.EndLine != 24 {
		t.Errorf("greet on lines %d–%d, want 19–24", greet.StartLine, greet.EndLine)
	}
	if ins := stmts[7]; !strings.HasSuffix(ins.SQL, `(2, 'c:\')`) {
		t.Errorf("INSERT cut wrongly: %q", ins.SQL)
	}
	if with := stmts[9]; with.StartLine != 36 || with.EndLine != 37 || !strings.HasSuffix(with.Text, "-- five rows\n") {
		t.Errorf("WITH on lines %d–%d, text %q", with.StartLine, with.EndLine, with.Text)
	}
}

func TestSplitHandlesWindowsLineEndings(t *testing.T) {
	script := "-- one\r\nSELECT 1\r\n  FROM t;\r\n\r\nDELETE FROM t\r\n WHERE id = 1;\r\n"
	stmts := Statements(script, MySQL)
	if len(stmts) != 2 {
		t.Fatalf("got %d statements", len(stmts))
	}
	if stmts[0].SQL != "SELECT 1\r\n  FROM t" || stmts[0].StartLine != 2 || stmts[0].EndLine != 3 {
		t.Errorf("first: %q lines %d–%d", stmts[0].SQL, stmts[0].StartLine, stmts[0].EndLine)
	}
	if stmts[1].SQL != "DELETE FROM t\r\n WHERE id = 1" || stmts[1].StartLine != 5 || stmts[1].EndLine != 6 {
		t.Errorf("second: %q lines %d–%d", stmts[1].SQL, stmts[1].StartLine, stmts[1].EndLine)
	}
}

func readTestdata(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
