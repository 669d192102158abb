package engine

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"dmsticket/dms/sqlscript"
)

// dsn is a parsed --engine address.
type dsn struct {
	dialect  sqlscript.Dialect
	user     string
	password string
	addr     string // host:port
	database string // PostgreSQL only: the database every seeded one answers from
	query    url.Values
	raw      *url.URL
}

// redacted is the address without its password, for messages.
func (d dsn) redacted() string {
	u := *d.raw
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// parseDSN reads mysql://user:pass@host:port (mariadb:// too) and
// postgres://user:pass@host:port/db (postgresql:// too).
func parseDSN(s string) (dsn, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return dsn{}, fmt.Errorf("engine %q is not a database address: write mysql://user:password@host:port or postgres://user:password@host:port/database", redactRaw(s))
	}
	d := dsn{raw: u, query: u.Query()}
	if u.User != nil {
		d.user = u.User.Username()
		d.password, _ = u.User.Password()
	}
	host, port := u.Hostname(), u.Port()
	switch strings.ToLower(u.Scheme) {
	case "mysql", "mariadb":
		d.dialect = sqlscript.MySQL
		if port == "" {
			port = "3306"
		}
		if p := strings.Trim(u.Path, "/"); p != "" {
			return dsn{}, fmt.Errorf("engine %s names database %q, but a MySQL-family engine answers each seeded database from the database of the same name: leave the path out (mysql://user:password@host:port)", d.redacted(), p)
		}
		for k := range d.query {
			if k != "tls" {
				return dsn{}, fmt.Errorf("engine %s: parameter %q is not one dmsticket passes to MySQL (only tls is)", d.redacted(), k)
			}
		}
	case "postgres", "postgresql":
		d.dialect = sqlscript.PostgreSQL
		if port == "" {
			port = "5432"
		}
		d.database = strings.Trim(u.Path, "/")
		if d.database == "" {
			return dsn{}, fmt.Errorf("engine %s names no database: write postgres://user:password@host:port/database", d.redacted())
		}
	default:
		return dsn{}, fmt.Errorf("engine %s: the scheme %q is neither mysql:// (MySQL family) nor postgres:// (PostgreSQL)", d.redacted(), u.Scheme)
	}
	if d.user == "" {
		return dsn{}, fmt.Errorf("engine %s names no user: write %s://user:password@%s", d.redacted(), u.Scheme, u.Host)
	}
	d.addr = net.JoinHostPort(host, port)
	return d, nil
}

// redactRaw hides what looks like a password in an address that did not
// parse.
func redactRaw(s string) string {
	at := strings.LastIndex(s, "@")
	start := 0
	if i := strings.Index(s, "://"); i >= 0 && i < at {
		start = i + 3
	}
	if at < 0 {
		return s
	}
	if i := strings.Index(s[start:at], ":"); i >= 0 {
		return s[:start+i] + ":xxxxx" + s[at:]
	}
	return s
}
