package editor

import (
	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"

	"dmsticket/dms/sqlscript"
)

// known returns d, or Generic for a value that is none of sqlscript's
// dialects (which sqlscript reads as Generic too).
func known(d sqlscript.Dialect) sqlscript.Dialect {
	switch d {
	case sqlscript.MySQL, sqlscript.PostgreSQL:
		return d
	}
	return sqlscript.Generic
}

// lexerFor returns the coalescing chroma lexer for d, looked up by d's name
// (never guessed from a file name).
func lexerFor(d sqlscript.Dialect) chroma.Lexer {
	l := lexers.Get(d.Name())
	if l == nil {
		// The three names are registered by chroma's embedded lexers; this
		// only guards against a chroma upgrade renaming one.
		l = lexers.Fallback
	}
	return chroma.Coalesce(l)
}
