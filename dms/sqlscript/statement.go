package sqlscript

// Statement is a statement of a script: a non-empty Segment, numbered and
// classified.
type Statement struct {
	// Number is the statement's 1-based position among the statements of
	// the script, as the user is told: "statement 3".
	Number int
	// SQL is the statement itself, input[SQLStart:SQLEnd]: from its first to
	// its last byte that is neither blank nor comment, without the
	// terminating ';'. Leading and trailing comments are dropped (a trailing
	// "-- note" would comment out whatever is appended after the statement);
	// comments inside are kept. So SQL can be sent as is, put after
	// "EXPLAIN " or inside "SELECT COUNT(*) FROM (…) t". It is never empty.
	// When the input ends inside an unclosed string, SQL runs to the end of
	// the input, blanks included.
	SQL string
	Segment
	// Kind is Classify(SQL, d).
	Kind Kind
}

// Statements splits script and returns its statements, numbered from 1 and
// classified; segments that hold no statement are left out. It returns nil
// when there is no statement.
func Statements(script string, d Dialect) []Statement {
	segs := Split(script, d)
	n := 0
	for _, s := range segs {
		if !s.Empty {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]Statement, 0, n)
	for _, s := range segs {
		if s.Empty {
			continue
		}
		sql := script[s.SQLStart:s.SQLEnd]
		out = append(out, Statement{Number: len(out) + 1, SQL: sql, Segment: s, Kind: Classify(sql, d)})
	}
	return out
}
