package sqlscript

import "strings"

// Dialect selects the lexical rules used to read SQL: which
// quotes exist, which comments exist and whether they nest. A value other
// than the constants below behaves as Generic.
type Dialect int

const (
	// MySQL covers the MySQL family: MySQL, MariaDB, PolarDB for MySQL,
	// PolarDB-X (DRDS), AnalyticDB for MySQL and OceanBase in MySQL mode.
	// Strings take backslash escapes in both '…' and "…"; `…` quotes
	// identifiers; "#" and "-- " (dashes and a blank) start line comments;
	// "/*!…*/" and "/*M!…*/" are executable comments, read as SQL. This is
	// the server's default sql_mode; NO_BACKSLASH_ESCAPES and ANSI_QUOTES
	// are not modelled.
	MySQL Dialect = iota
	// PostgreSQL covers PostgreSQL, PolarDB for PostgreSQL and AnalyticDB
	// for PostgreSQL: standard strings ('' doubling, no backslash escapes),
	// E'…' escape strings, "…" identifiers, $tag$…$tag$ dollar quoting, "--"
	// line comments and nesting block comments. '#' is an operator. This is
	// standard_conforming_strings on, the default since PostgreSQL 9.1.
	PostgreSQL
	// Generic is standard SQL for every other database: '…' strings with ''
	// doubling, "…" and `…` quoted identifiers, SQL Server's […] quoted
	// identifiers ("]]" for a "]"), Oracle's alternative quoting (q'[…]',
	// q'{…}', q'(…)', q'<…>', q'X…X', and nq'…'), "--" line comments and
	// non-nesting block comments; "#" is an ordinary byte (SQL Server's
	// #temp tables).
	// It does not understand procedural blocks (Oracle PL/SQL, T-SQL
	// batches).
	Generic
)

// Name returns the dialect's name: "mysql", "postgresql" or "sql". It is the
// name of the chroma lexer that highlights the dialect and what the SQL
// step's status line shows.
func (d Dialect) Name() string {
	switch d {
	case MySQL:
		return "mysql"
	case PostgreSQL:
		return "postgresql"
	default:
		return "sql"
	}
}

// Words returns the dialect's name for a sentence: "MySQL", "PostgreSQL" or
// "generic SQL" ("…, in the MySQL dialect of orders").
func (d Dialect) Words() string {
	switch d {
	case MySQL:
		return "MySQL"
	case PostgreSQL:
		return "PostgreSQL"
	default:
		return "generic SQL"
	}
}

// String returns Name.
func (d Dialect) String() string { return d.Name() }

// DialectFor maps a DMS DbType to the dialect its SQL is written in. The
// comparison ignores case, surrounding blanks and the difference between '-'
// and '_', so both the current spellings ("polardb-pg") and the older ones
// ("POLARDB_POSTGRESQL") work. Types that are not SQL databases of the MySQL
// or PostgreSQL family (Oracle, SQL Server, OceanBase in Oracle mode, …) get
// Generic.
func DialectFor(dbType string) Dialect {
	t := strings.ToLower(strings.TrimSpace(dbType))
	t = strings.ReplaceAll(t, "-", "_")
	switch t {
	case "mysql", "polardb", "polardb_mysql", "mariadb", "drds", "polardbx", "polardb_x",
		"adb_mysql", "ads", "oceanbasex", "oceanbase":
		// "oceanbasex" is DMS's name for OceanBase in MySQL mode; Oracle mode
		// is "ob_for_oracle".
		return MySQL
	case "postgresql", "postgres", "polardb_pg", "polardb_postgresql",
		"adb_postgresql", "adb_pg", "gpdb":
		return PostgreSQL
	default:
		return Generic
	}
}
