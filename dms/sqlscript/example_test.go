package sqlscript_test

import (
	"fmt"

	"dmsticket/dms/sqlscript"
)

func ExampleStatements() {
	script := `-- nightly export
SELECT id, note FROM orders WHERE note <> 'a;b'; -- the open ones
WITH old AS (SELECT id FROM orders WHERE created < '2020-01-01')
DELETE FROM orders WHERE id IN (SELECT id FROM old);
SELECT * FROM orders INTO OUTFILE '/tmp/orders.csv'
`
	for _, st := range sqlscript.Statements(script, sqlscript.DialectFor("polardb")) {
		fmt.Printf("statement %d, lines %d-%d, %v: %s\n", st.Number, st.StartLine, st.EndLine, st.Kind, st.SQL)
	}
	// Output:
	// statement 1, lines 2-2, select: SELECT id, note FROM orders WHERE note <> 'a;b'
	// statement 2, lines 3-4, delete: WITH old AS (SELECT id FROM orders WHERE created < '2020-01-01')
	// DELETE FROM orders WHERE id IN (SELECT id FROM old)
	// statement 3, lines 5-5, other: SELECT * FROM orders INTO OUTFILE '/tmp/orders.csv'
}

func ExampleSplit() {
	for _, seg := range sqlscript.Split("SELECT 1; -- one\n;\nSELECT $$;$$", sqlscript.PostgreSQL) {
		fmt.Printf("%q empty=%v\n", seg.Text, seg.Empty)
	}
	// Output:
	// "SELECT 1; -- one\n" empty=false
	// ";\n" empty=true
	// "SELECT $$;$$" empty=false
}
