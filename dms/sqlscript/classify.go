package sqlscript

import "strings"

// Kind says what a statement does, as far as its keywords tell. It is
// syntactic: a SELECT that calls a function with side effects is still a
// Select.
//
// The zero Kind is Other, so a Kind that nobody set never passes for a read.
type Kind int

const (
	// Other is everything below and what cannot be read: SET, SHOW, EXPLAIN,
	// DESCRIBE, CALL, DO, USE, GRANT, REVOKE, LOCK, BEGIN, COMMIT, MERGE,
	// COPY, LOAD DATA, …; a SELECT that writes (SELECT … INTO); text with
	// more than one statement; and empty or malformed text.
	Other Kind = iota
	// Select reads: SELECT, VALUES, TABLE t, (SELECT …) UNION …, and WITH …
	// SELECT, provided nothing in it writes. SELECT … FOR UPDATE is a Select.
	Select
	// Insert is INSERT and MySQL's REPLACE.
	Insert
	// Update is UPDATE.
	Update
	// Delete is DELETE.
	Delete
	// DDL changes the schema: CREATE, ALTER, DROP, TRUNCATE, RENAME and
	// COMMENT ON.
	DDL
)

// String returns the kind in lower case: "select", "insert", "update",
// "delete", "ddl" or "other".
func (k Kind) String() string {
	switch k {
	case Select:
		return "select"
	case Insert:
		return "insert"
	case Update:
		return "update"
	case Delete:
		return "delete"
	case DDL:
		return "ddl"
	default:
		return "other"
	}
}

// Classify returns the kind of one statement written in dialect d.
//
// It looks past leading blanks, comments (MySQL executable comments are read
// as SQL), opening parentheses and a WITH list of common table expressions,
// and takes the first keyword of the statement proper, in any case.
//
// A statement that would pass as a Select is checked further, because a
// Select is what read-only tickets accept:
//   - an INTO keyword anywhere in it, outside strings, comments and quoted
//     identifiers, makes it Other: MySQL's SELECT … INTO OUTFILE, DUMPFILE or
//     @var and PostgreSQL's SELECT … INTO new_table all write. (INTO after a
//     '.' or AS is a name, not the keyword.) Looking at every depth rather
//     than only the top level is stricter, and a bare INTO never occurs in a
//     query that only reads.
//   - a data-modifying statement in parentheses, such as PostgreSQL's
//     WITH d AS (DELETE … RETURNING *) SELECT * FROM d, gives the kind of that
//     statement (Delete here; Other for MERGE). MySQL's INSERT(…) string
//     function is told apart by its parenthesis.
//
// Text holding more than one statement ("SELECT 1; DELETE FROM t") is Other;
// a single trailing ';' is fine.
func Classify(stmt string, d Dialect) Kind {
	c := classifier{lx: lexer{src: stmt, d: d}}
	kind := c.statement()
	for c.next().kind != tokEOF {
	}
	switch {
	case c.multi:
		return Other
	case kind == Select && c.nestedWrite:
		return c.writeKind
	case kind == Select && c.into:
		return Other
	}
	return kind
}

// token is a significant token: not blank, not a comment.
type token struct {
	kind tokKind
	text string
}

func (t token) is(kw string) bool {
	return t.kind == tokWord && strings.EqualFold(t.text, kw)
}

func (t token) isPunct(c byte) bool {
	return t.kind == tokPunct && t.text[0] == c
}

// classifier reads significant tokens and notes, on the way, what makes a
// Select something else.
type classifier struct {
	lx   lexer
	prev token

	ended bool // a ';' was seen
	multi bool // and a statement followed it

	into bool // a bare INTO keyword

	pending     bool // "(" then INSERT/UPDATE/DELETE/MERGE: a write unless "(" follows
	pendingKind Kind
	nestedWrite bool
	writeKind   Kind // of the first nested write
}

// next returns the next significant token, tokEOF at the end.
func (c *classifier) next() token {
	for {
		kind, at := c.lx.next()
		switch kind {
		case tokSpace, tokComment, tokExecOpen, tokExecClose:
			continue
		}
		t := token{kind: kind, text: c.lx.src[at:c.lx.pos]}
		c.observe(t)
		return t
	}
}

func (c *classifier) observe(t token) {
	if c.pending && !t.isPunct('(') && !c.nestedWrite {
		c.nestedWrite, c.writeKind = true, c.pendingKind
	}
	c.pending = false
	if t.kind == tokEOF {
		return
	}
	if t.isPunct(';') {
		c.ended = true
	} else if c.ended {
		c.multi = true
	}
	bare := t.kind == tokWord && !c.prev.isPunct('.') && !c.prev.is("AS")
	if bare {
		if c.prev.isPunct('(') {
			if k, ok := writeKeyword(t.text); ok {
				c.pending, c.pendingKind = true, k
			}
		}
		if strings.EqualFold(t.text, "INTO") {
			c.into = true
		}
	}
	c.prev = t
}

// writeKeyword tells whether word starts a data-modifying statement.
func writeKeyword(word string) (Kind, bool) {
	switch {
	case strings.EqualFold(word, "INSERT"):
		return Insert, true
	case strings.EqualFold(word, "UPDATE"):
		return Update, true
	case strings.EqualFold(word, "DELETE"):
		return Delete, true
	case strings.EqualFold(word, "MERGE"):
		return Other, true
	}
	return Other, false
}

// statement reads up to the first keyword of the statement proper and
// returns its kind.
func (c *classifier) statement() Kind {
	t := c.next()
	for t.isPunct('(') {
		t = c.next()
	}
	if t.is("WITH") {
		t = c.with()
		for t.isPunct('(') {
			t = c.next()
		}
	}
	if t.kind != tokWord {
		return Other
	}
	switch {
	case t.is("SELECT"), t.is("VALUES"), t.is("TABLE"):
		return Select
	case t.is("INSERT"), t.is("REPLACE"):
		return Insert
	case t.is("UPDATE"):
		return Update
	case t.is("DELETE"):
		return Delete
	case t.is("CREATE"), t.is("ALTER"), t.is("DROP"), t.is("TRUNCATE"), t.is("RENAME"):
		return DDL
	case t.is("COMMENT"):
		if c.next().is("ON") {
			return DDL
		}
	}
	return Other
}

// with reads a WITH list,
//
//	[RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] (query) [SEARCH …] [CYCLE …], …
//
// and returns the first token after it, which starts the statement proper.
// When the list is malformed it returns an EOF token, which classifies as
// Other.
func (c *classifier) with() token {
	t := c.next()
	if t.is("RECURSIVE") {
		t = c.next()
	}
	for {
		if t.kind != tokWord && t.kind != tokQuoted {
			return token{}
		}
		t = c.next()
		if t.isPunct('(') {
			c.skipGroup()
			t = c.next()
		}
		if !t.is("AS") {
			return token{}
		}
		t = c.next()
		if t.is("NOT") {
			t = c.next()
		}
		if t.is("MATERIALIZED") {
			t = c.next()
		}
		if !t.isPunct('(') {
			return token{}
		}
		c.skipGroup()
		t = c.next()
		// PostgreSQL 14: SEARCH … SET col, CYCLE … USING col.
		for t.is("SEARCH") || t.is("CYCLE") {
			last := "SET"
			if t.is("CYCLE") {
				last = "USING"
			}
			for t.kind != tokEOF && !t.is(last) {
				t = c.next()
			}
			c.next() // the column named after SET or USING
			t = c.next()
		}
		if !t.isPunct(',') {
			return t
		}
		t = c.next()
	}
}

// skipGroup reads past the ')' that matches a '(' just read.
func (c *classifier) skipGroup() {
	for depth := 1; depth > 0; {
		t := c.next()
		switch {
		case t.kind == tokEOF:
			return
		case t.isPunct('('):
			depth++
		case t.isPunct(')'):
			depth--
		}
	}
}
