package engine

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pgServer is a PostgreSQL server; every seeded database answers from the
// DSN's database.
type pgServer struct {
	pool *pgxpool.Pool
	addr string
}

func openPostgres(d dsn) (*pgServer, error) {
	cfg, err := pgxpool.ParseConfig(d.raw.String())
	if err != nil {
		return nil, err
	}
	// The simple protocol answers every value as text, as DMS does.
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	cfg.ConnConfig.ConnectTimeout = connectTimeout
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "dmsticket sim"
	}
	cfg.MinConns = 0
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, err
	}
	return &pgServer{pool: pool, addr: d.redacted()}, nil
}

func (p *pgServer) close() error { p.pool.Close(); return nil }

func (p *pgServer) version(ctx context.Context) (string, error) {
	var v string
	if err := p.pool.QueryRow(ctx, "SHOW server_version").Scan(&v); err != nil {
		return "", p.message(err)
	}
	return "PostgreSQL " + v, nil
}

// message is the server's error text ("ERROR: relation "x" does not exist
// (SQLSTATE 42P01)"), or what went wrong on the way to it.
func (p *pgServer) message(err error) error {
	return serverSaid[*pgconn.PgError](err, "the PostgreSQL engine", p.addr)
}

// savepoint isolates one statement: a failed one does not abort the
// transaction the script runs in.
const savepoint = "dmsticket_statement"

func (p *pgServer) run(ctx context.Context, schema string, stmts []string) []Result {
	c, err := p.pool.Acquire(ctx)
	if err != nil {
		return failAll(len(stmts), p.message(err).Error())
	}
	conn := c.Conn()
	defer func() {
		// Undo whatever the script changed; a connection that cannot roll
		// back is not reused.
		if _, err := conn.Exec(context.WithoutCancel(ctx), "ROLLBACK"); err != nil {
			conn.Close(context.WithoutCancel(ctx))
		}
		c.Release()
	}()
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", schema).Scan(&exists); err != nil {
		return failAll(len(stmts), p.message(err).Error())
	}
	begin := "BEGIN"
	if exists {
		begin += "; SET LOCAL search_path TO " + pgx.Identifier{schema}.Sanitize()
	}
	out := make([]Result, len(stmts))
	for i, s := range stmts {
		if conn.PgConn().TxStatus() == 'I' { // first, or the script ended the transaction
			if _, err := conn.Exec(ctx, begin); err != nil {
				out[i] = failAll(1, p.message(err).Error())[0]
				continue
			}
		}
		if _, err := conn.Exec(ctx, "SAVEPOINT "+savepoint); err != nil {
			out[i] = failAll(1, p.message(err).Error())[0]
			continue
		}
		out[i] = p.statement(ctx, conn, s)
		if conn.PgConn().TxStatus() == 'E' {
			conn.Exec(ctx, "ROLLBACK TO SAVEPOINT "+savepoint)
		}
	}
	return out
}

func (p *pgServer) statement(ctx context.Context, conn *pgx.Conn, stmt string) Result {
	res := Result{ColumnNames: []string{}, Rows: []map[string]any{}}
	rows, err := conn.Query(ctx, stmt)
	if err != nil {
		res.Message = p.message(err).Error()
		return res
	}
	defer rows.Close()
	var cols []string
	for _, f := range rows.FieldDescriptions() {
		cols = append(cols, f.Name)
	}
	if cols != nil {
		res.ColumnNames = cols
	}
	vals := make([]any, len(cols))
	for rows.Next() {
		res.RowCount++
		if len(res.Rows) >= MaxRows {
			continue
		}
		for i, b := range rows.RawValues() {
			vals[i] = nil
			if b != nil {
				vals[i] = string(b)
			}
		}
		res.Rows = append(res.Rows, rowMap(cols, vals))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Result{Message: p.message(err).Error(), ColumnNames: []string{}, Rows: []map[string]any{}}
	}
	if len(cols) == 0 {
		res.RowCount = rows.CommandTag().RowsAffected()
	}
	res.Success = true
	return res
}
