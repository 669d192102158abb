package sqlscript

import (
	"strings"
	"testing"
)

// benchScript returns a MySQL script of about lines lines that mixes what
// real scripts hold: comments, multi-line statements, strings with ';' and
// escapes, backquoted names and executable comments.
func benchScript(lines int) string {
	chunk := strings.Join([]string{
		"-- nightly fix-up for order #4711; reviewed",
		"/*!40101 SET NAMES utf8mb4 */;",
		"SELECT o.`id`, o.note, c.name",
		"  FROM `orders` o JOIN customers c ON c.id = o.customer_id",
		"  WHERE o.note LIKE '%refund; see ticket%' AND o.created_at > '2026-01-01'",
		"  ORDER BY o.id DESC LIMIT 100;",
		"UPDATE orders SET note = 'it\\'s done; \"closed\"' WHERE id IN (1, 2, 3); # hash comment",
		"/* block comment; with a semicolon */",
		"INSERT INTO audit (who, what) VALUES ('ops', 'fix; 4711'), ('ops', 'x');",
		"WITH a AS (SELECT id FROM orders WHERE status = 'new') SELECT COUNT(*) FROM a;",
		"",
	}, "\n") + "\n"
	n := strings.Count(chunk, "\n")
	return strings.Repeat(chunk, (lines+n-1)/n)
}

func BenchmarkSplit(b *testing.B) {
	script := benchScript(5000)
	b.SetBytes(int64(len(script)))
	b.ReportAllocs()
	for b.Loop() {
		Split(script, MySQL)
	}
}

func BenchmarkStatements(b *testing.B) {
	script := benchScript(5000)
	b.SetBytes(int64(len(script)))
	b.ReportAllocs()
	for b.Loop() {
		Statements(script, MySQL)
	}
}

func BenchmarkTokens(b *testing.B) {
	script := benchScript(5000)
	b.SetBytes(int64(len(script)))
	b.ReportAllocs()
	for b.Loop() {
		Tokens(script, MySQL)
	}
}

// BenchmarkScanLines is an editor's rescan of every line: the state each
// line ends in, no tokens.
func BenchmarkScanLines(b *testing.B) {
	script := benchScript(5000)
	lines := strings.Split(script, "\n")
	b.SetBytes(int64(len(script)))
	b.ReportAllocs()
	for b.Loop() {
		st := LineState{}
		for _, l := range lines {
			sc := ScanLine(l, st, MySQL)
			st = sc.End()
		}
	}
}
