package dmssim

import (
	"context"
	"errors"
	"fmt"

	"dmsticket/dms/dmssim/engine"
	"dmsticket/dms/sqlscript"
)

// Engines are the real database servers behind ExecuteScript, at most one
// per family (`dmsticket sim --engine DSN`): the seeded databases of an
// engine's family answer by running the script on it, the MySQL family in
// the database of the seeded schema's name, PostgreSQL in the DSN's database
// with the seeded schema on the search_path when it exists. Databases of
// other families answer from the seeded statistics as before.
type Engines []*engine.Engine

// OpenEngines connects to each DSN (mysql://user:password@host:port,
// postgres://user:password@host:port/database) and checks that it answers.
// Two of one family, a bad address or a wrong password is an error that says
// which; the engines opened before it are closed.
func OpenEngines(ctx context.Context, dsns []string) (Engines, error) {
	var out Engines
	for _, dsn := range dsns {
		e, err := engine.Open(ctx, dsn)
		if err != nil {
			out.Close()
			return nil, err
		}
		if prev := out.of(e.Dialect()); prev != nil {
			e.Close()
			out.Close()
			return nil, fmt.Errorf("two %s engines (%s and %s): give one --engine per family", e.Dialect().Words(), prev, e)
		}
		out = append(out, e)
	}
	return out, nil
}

// Close closes every engine's connections.
func (es Engines) Close() error {
	var errs []error
	for _, e := range es {
		errs = append(errs, e.Close())
	}
	return errors.Join(errs...)
}

// of is the engine of the family, or nil.
func (es Engines) of(d sqlscript.Dialect) *engine.Engine {
	for _, e := range es {
		if e.Dialect() == d {
			return e
		}
	}
	return nil
}

// answer runs the statements on the engine of the database's family; false
// when there is none and the seeded statistics answer.
func (es Engines) answer(ctx context.Context, d *database, stmts []sqlscript.Statement) ([]resultJSON, bool) {
	e := es.of(d.dialect())
	if e == nil {
		return nil, false
	}
	texts := make([]string, len(stmts))
	for i, s := range stmts {
		texts[i] = s.SQL
	}
	out := make([]resultJSON, len(stmts))
	for i, r := range e.Run(ctx, d.schema, texts) {
		out[i] = resultJSON{Success: r.Success, Message: r.Message, RowCount: r.RowCount,
			ColumnNames: r.ColumnNames, Rows: r.Rows, Script: texts[i]}
	}
	return out, true
}
