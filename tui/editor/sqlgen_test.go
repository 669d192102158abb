package editor

import (
	"fmt"
	"strings"
)

// generateSQL returns a realistic SQL script of exactly n lines: SELECTs with
// joins, UPDATEs and INSERTs, line and block comments, and string literals
// spanning lines. It is deterministic.
func generateSQL(n int) string {
	blocks := [][]string{
		{
			"-- orders of active users in the last %d days",
			"SELECT u.id, u.name, COUNT(o.id) AS orders, SUM(o.amount) AS total",
			"  FROM users u",
			"  LEFT JOIN orders o ON o.user_id = u.id AND o.created_at > NOW() - INTERVAL %d DAY",
			"  JOIN regions r ON r.id = u.region_id",
			" WHERE u.status = 'active' AND r.code IN ('cn-hangzhou', 'cn-beijing')",
			" GROUP BY u.id, u.name",
			"HAVING SUM(o.amount) > %d.50",
			" ORDER BY total DESC LIMIT 100;",
		},
		{
			"/*",
			" * Fix ticket #%d: customers whose notes were imported twice.",
			" * Reviewed by the DBA on call; the rows are restored from backup.",
			" */",
			"UPDATE customers",
			"   SET note = 'Imported from the legacy CRM;",
			"line two of the note, id %d'",
			" WHERE id BETWEEN %d AND %d; -- about 40 rows",
		},
		{
			"INSERT INTO audit_log (actor, action, detail, created_at)",
			"VALUES ('dms', 'backfill', \"batch %d\", NOW()),",
			"       ('dms', 'verify', 'rows=%d', NOW());",
		},
		{
			"SELECT p.sku, p.title, s.qty /* current stock */",
			"  FROM products p",
			" INNER JOIN stock s ON s.product_id = p.id",
			" WHERE s.qty < %d AND p.deleted_at IS NULL;",
		},
		{
			"DELETE FROM sessions WHERE expires_at < '2024-0%d-01' LIMIT %d;",
			"",
		},
	}
	lines := make([]string, 0, n+16)
	for b := 0; len(lines) < n; b++ {
		for _, l := range blocks[b%len(blocks)] {
			if strings.Contains(l, "%d") {
				args := make([]any, strings.Count(l, "%d"))
				for i := range args {
					args[i] = (b*7 + i*3) % 97
				}
				l = fmt.Sprintf(l, args...)
			}
			lines = append(lines, l)
		}
	}
	return strings.Join(lines[:n], "\n")
}

// generateScript returns a realistic script of exactly n lines for the
// benchmarks at the sizes users reach: generateSQL's statements (multi-line
// SELECTs, UPDATEs with a string spanning two lines, line and block
// comments), and after every 120 lines a long line, a multi-row INSERT of a
// data fix (about 950 bytes). 80,000 lines are about 3.6 MiB, under the
// 4 MiB a ticket holds. It is deterministic.
func generateScript(n int) string {
	base := strings.Split(generateSQL(n), "\n")
	out := make([]string, 0, n)
	var long strings.Builder
	for i, l := range base {
		if len(out) == n {
			break
		}
		out = append(out, l)
		if i%120 == 119 && len(out) < n {
			long.Reset()
			long.WriteString("INSERT INTO order_items (order_id, sku, qty, price, note) VALUES ")
			for j := range 16 {
				if j > 0 {
					long.WriteString(", ")
				}
				fmt.Fprintf(&long, "(%d, 'SKU-%05d', %d, %d.%02d, 'restored from backup')", 100000+i+j, (i*31+j)%99999, 1+j%5, 10+j, (i+j)%100)
			}
			long.WriteString(";")
			out = append(out, long.String())
		}
	}
	return strings.Join(out, "\n")
}

// scriptOfSize returns generateScript's text cut at the last line break
// at or before size bytes: a file at dmsticket's limit.
func scriptOfSize(size int) string {
	n := size / 40
	for {
		s := generateScript(n)
		if len(s) > size {
			return s[:strings.LastIndexByte(s[:size+1], '\n')]
		}
		n *= 2
	}
}
