package editor

import (
	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
)

// Dialect selects the SQL dialect used for highlighting. Its value is the
// name of the chroma lexer that is used (looked up with lexers.Get, never
// guessed from a file name).
type Dialect string

// The dialects the editor knows. Any other value highlights as DialectSQL.
const (
	// DialectMySQL is the MySQL family (MySQL, MariaDB, PolarDB for MySQL…).
	DialectMySQL Dialect = "mysql"
	// DialectPostgreSQL is the PostgreSQL family.
	DialectPostgreSQL Dialect = "postgresql"
	// DialectSQL is generic SQL, for everything else.
	DialectSQL Dialect = "sql"
)

// dialectKind is the scanner flavour behind a Dialect.
type dialectKind uint8

const (
	kindSQL dialectKind = iota
	kindMySQL
	kindPostgres
)

func (d Dialect) kind() dialectKind {
	switch d {
	case DialectMySQL:
		return kindMySQL
	case DialectPostgreSQL:
		return kindPostgres
	default:
		return kindSQL
	}
}

// normalized returns the dialect actually used for d.
func (d Dialect) normalized() Dialect {
	switch d {
	case DialectMySQL, DialectPostgreSQL:
		return d
	default:
		return DialectSQL
	}
}

// lexerFor returns the coalescing chroma lexer for d.
func lexerFor(d Dialect) chroma.Lexer {
	l := lexers.Get(string(d.normalized()))
	if l == nil {
		// The three names are registered by chroma's embedded lexers; this
		// only guards against a chroma upgrade renaming one.
		l = lexers.Fallback
	}
	return chroma.Coalesce(l)
}
