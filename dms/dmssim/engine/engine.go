// Package engine runs ExecuteScript's statements on a real database server
// for the DMS simulator (`dmsticket sim --engine DSN`), so that EXPLAIN and
// COUNT answers come from a real planner: the MySQL family through
// go-sql-driver/mysql, PostgreSQL through pgx. Each statement's answer has
// DMS's result shape: column names, rows of column → value with every value
// a string (nil for NULL), and the engine's own message when it fails.
//
// Every script runs inside a transaction that is rolled back when it ends,
// so a data change sent through the simulator leaves the database as it was
// (DDL on the MySQL family commits by itself: send none).
package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"dmsticket/dms/sqlscript"
)

// MaxRows is how many rows one statement's answer carries at most; RowCount
// still counts them all.
const MaxRows = 1000

// serverSaid is err itself when it is the server's own error (E, the
// driver's type for one, whose text is the server's message), else err
// wrapped to say that the engine at addr did not answer.
func serverSaid[E error](err error, engine, addr string) error {
	var said E
	if errors.As(err, &said) {
		return err
	}
	return fmt.Errorf("%s at %s did not answer: %w", engine, addr, err)
}

// connectTimeout bounds Open's first connection.
const connectTimeout = 10 * time.Second

// Result is one statement's answer, in the shape of DMS's ExecuteScript
// Result.
type Result struct {
	Success     bool
	Message     string // the engine's error text when Success is false
	RowCount    int64
	ColumnNames []string
	// Rows maps each column to its value as text, nil for NULL; of columns
	// with the same name the first is kept.
	Rows []map[string]any
}

// Engine is one database server.
type Engine struct {
	dsn     dsn
	version string
	family  family
}

// family is what a server of one family does.
type family interface {
	version(ctx context.Context) (string, error)
	run(ctx context.Context, database string, stmts []string) []Result
	close() error
}

// Open connects to the server at dsn (mysql://user:password@host:port or
// postgres://user:password@host:port/database) and checks that it answers:
// a wrong address or password is an error here, not at the first statement.
func Open(ctx context.Context, dsnText string) (*Engine, error) {
	d, err := parseDSN(dsnText)
	if err != nil {
		return nil, err
	}
	e := &Engine{dsn: d}
	switch d.dialect {
	case sqlscript.MySQL:
		e.family, err = openMySQL(d)
	default:
		e.family, err = openPostgres(d)
	}
	if err != nil {
		return nil, fmt.Errorf("engine %s: %w", d.redacted(), err)
	}
	cctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	v, err := e.family.version(cctx)
	if err != nil {
		e.family.close()
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %s", connectTimeout)
		}
		return nil, fmt.Errorf("cannot reach the %s engine %s: %v; check the address, user and password", d.dialect.Words(), d.redacted(), err)
	}
	e.version = v
	return e, nil
}

// Dialect is the engine's family: sqlscript.MySQL or sqlscript.PostgreSQL.
func (e *Engine) Dialect() sqlscript.Dialect { return e.dsn.dialect }

// Version is what the server says it is, e.g. "MariaDB 10.11.19-MariaDB" or
// "PostgreSQL 15.18".
func (e *Engine) Version() string { return e.version }

// Database is, for PostgreSQL, the database every seeded one answers from;
// empty for the MySQL family, where each answers from its own.
func (e *Engine) Database() string { return e.dsn.database }

// String is the engine for people: its version and address, no password.
func (e *Engine) String() string { return e.version + " at " + e.dsn.redacted() }

// Run runs the statements in order on one session and answers each. For the
// MySQL family, database is the database to use; for PostgreSQL, the schema
// to put on the search_path when it exists. A statement that fails does not
// stop the ones after it; a database the server lacks fails them all with
// the server's message.
func (e *Engine) Run(ctx context.Context, database string, stmts []string) []Result {
	return e.family.run(ctx, database, stmts)
}

// Close closes the engine's connections.
func (e *Engine) Close() error { return e.family.close() }

// failAll answers every statement with the same failure.
func failAll(n int, msg string) []Result {
	out := make([]Result, n)
	for i := range out {
		out[i] = Result{Message: msg, ColumnNames: []string{}, Rows: []map[string]any{}}
	}
	return out
}

// rowMap builds one row of an answer from its values (a string, or nil for
// NULL); of columns with the same name the first is kept.
func rowMap(cols []string, vals []any) map[string]any {
	row := make(map[string]any, len(cols))
	for i, c := range cols {
		if _, dup := row[c]; !dup {
			row[c] = vals[i]
		}
	}
	return row
}
