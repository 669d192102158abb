package engine

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"io"
	"log"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// mysqlServer is a server of the MySQL family (MySQL, MariaDB, …).
type mysqlServer struct {
	db   *sql.DB
	addr string
}

func openMySQL(d dsn) (*mysqlServer, error) {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd = d.user, d.password
	cfg.Net, cfg.Addr = "tcp", d.addr
	cfg.Timeout = connectTimeout
	cfg.TLSConfig = d.query.Get("tls")
	// The driver's own log goes to stderr, which is the wizard's screen.
	cfg.Logger = log.New(io.Discard, "", 0)
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(conn)
	db.SetMaxIdleConns(4)
	return &mysqlServer{db: db, addr: d.redacted()}, nil
}

func (m *mysqlServer) close() error { return m.db.Close() }

func (m *mysqlServer) version(ctx context.Context) (string, error) {
	var v string
	if err := m.db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&v); err != nil {
		return "", m.message(err)
	}
	if strings.Contains(strings.ToLower(v), "mariadb") {
		return "MariaDB " + v, nil
	}
	return "MySQL " + v, nil
}

// message is the server's error text ("Error 1146 (42S02): Table 'x.y'
// doesn't exist"), or what went wrong on the way to it.
func (m *mysqlServer) message(err error) error {
	return serverSaid[*mysql.MySQLError](err, "the MySQL-family engine", m.addr)
}

func (m *mysqlServer) run(ctx context.Context, database string, stmts []string) []Result {
	conn, err := m.db.Conn(ctx)
	if err != nil {
		return failAll(len(stmts), m.message(err).Error())
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "USE "+quoteMySQL(database)); err != nil {
		return failAll(len(stmts), m.message(err).Error())
	}
	if _, err := conn.ExecContext(ctx, "START TRANSACTION"); err != nil {
		return failAll(len(stmts), m.message(err).Error())
	}
	// Undo whatever the script changed; a connection that cannot roll back is
	// not reused.
	defer func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	out := make([]Result, len(stmts))
	for i, s := range stmts {
		out[i] = m.statement(ctx, conn, s)
	}
	return out
}

func (m *mysqlServer) statement(ctx context.Context, conn *sql.Conn, stmt string) Result {
	res := Result{ColumnNames: []string{}, Rows: []map[string]any{}}
	rows, err := conn.QueryContext(ctx, stmt)
	if err != nil {
		res.Message = m.message(err).Error()
		return res
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		res.Message = m.message(err).Error()
		return res
	}
	res.ColumnNames = cols
	text := make([]sql.NullString, len(cols))
	dest := make([]any, len(cols))
	for i := range text {
		dest[i] = &text[i]
	}
	vals := make([]any, len(cols))
	for rows.Next() {
		res.RowCount++
		if len(res.Rows) >= MaxRows {
			continue
		}
		if err := rows.Scan(dest...); err != nil {
			res.Message = m.message(err).Error()
			return res
		}
		for i, t := range text {
			vals[i] = nil
			if t.Valid {
				vals[i] = t.String
			}
		}
		res.Rows = append(res.Rows, rowMap(cols, vals))
	}
	if err := rows.Err(); err != nil {
		res.Message = m.message(err).Error()
		res.Rows, res.RowCount = []map[string]any{}, 0
		return res
	}
	res.Success = true
	return res
}

// quoteMySQL quotes an identifier with backquotes.
func quoteMySQL(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}
