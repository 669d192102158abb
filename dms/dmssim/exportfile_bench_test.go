package dmssim

import "testing"

// The largest result an export file holds, in the slowest and the simplest
// format.
func BenchmarkXLSXOfMaxExportRows(b *testing.B) {
	sets := []resultSet{{table: "orders", columns: starColumns, rows: MaxExportRows}}
	for b.Loop() {
		if _, err := xlsxFile(sets); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCSVOfMaxExportRows(b *testing.B) {
	sets := []resultSet{{table: "orders", columns: starColumns, rows: MaxExportRows}}
	for b.Loop() {
		csvFile(sets)
	}
}
