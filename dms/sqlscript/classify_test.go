package sqlscript

import "testing"

func TestClassify(t *testing.T) {
	tests := []struct {
		name    string
		dialect Dialect
		stmt    string
		want    Kind
	}{
		// Reads.
		{"select", MySQL, "SELECT * FROM t", Select},
		{"lower case", MySQL, "select 1", Select},
		{"mixed case", PostgreSQL, "SeLeCt 1", Select},
		{"leading comments and blanks", MySQL, "  -- why\n# and\n/* how */\n\tSELECT 1", Select},
		{"parenthesised union", MySQL, "(SELECT a FROM t) UNION (SELECT b FROM u)", Select},
		{"double parentheses", PostgreSQL, "((SELECT 1))", Select},
		{"values", PostgreSQL, "VALUES (1, 'a'), (2, 'b')", Select},
		{"table", PostgreSQL, "TABLE users", Select},
		{"select for update still reads", MySQL, "SELECT * FROM t WHERE id = 1 FOR UPDATE", Select},
		{"mysql insert function", MySQL, "SELECT INSERT('Quadratic', 3, 4, 'What')", Select},
		{"mysql insert function in parentheses", MySQL, "SELECT (INSERT('abc', 1, 1, 'x'))", Select},
		{"into inside a string", MySQL, "SELECT 'INTO OUTFILE' FROM t", Select},
		{"into inside a comment", MySQL, "SELECT a /* INTO @x */ FROM t -- into", Select},
		{"into as a qualified name", MySQL, "SELECT t.into FROM t", Select},
		{"into as a quoted identifier", PostgreSQL, `SELECT "into" FROM t`, Select},
		{"into as a bracketed identifier", Generic, "SELECT [into] FROM t", Select},
		{"into as a column label", PostgreSQL, "SELECT 1 AS into", Select},
		{"into_ is another word", MySQL, "SELECT into_date FROM t", Select},
		{"trailing semicolon", MySQL, "SELECT 1;", Select},
		{"trailing semicolon and comment", MySQL, "SELECT 1; -- done", Select},
		{"byte order mark", MySQL, "\uFEFFSELECT 1", Select},

		// Common table expressions.
		{"with select", MySQL, "WITH a AS (SELECT 1), b AS (SELECT 2) SELECT * FROM a, b", Select},
		{"with recursive", PostgreSQL, "WITH RECURSIVE t(n) AS (VALUES (1) UNION ALL SELECT n+1 FROM t WHERE n < 5) SELECT n FROM t", Select},
		{"with column list", MySQL, "WITH a (x, y) AS (SELECT 1, 2) SELECT x FROM a", Select},
		{"with materialized", PostgreSQL, "WITH a AS MATERIALIZED (SELECT 1), b AS NOT MATERIALIZED (SELECT 2) SELECT 1", Select},
		{"with quoted name", PostgreSQL, `WITH "my cte" AS (SELECT 1) SELECT * FROM "my cte"`, Select},
		{"with search and cycle", PostgreSQL, "WITH RECURSIVE g(id, link) AS (SELECT 1, 2) SEARCH DEPTH FIRST BY id SET ord CYCLE id, link SET is_cycle USING path, h AS (SELECT 3) SELECT * FROM g", Select},
		{"with then parenthesised select", PostgreSQL, "WITH a AS (SELECT 1) (SELECT * FROM a)", Select},
		{"with delete", PostgreSQL, "WITH old AS (SELECT id FROM t WHERE x) DELETE FROM t USING old WHERE t.id = old.id", Delete},
		{"with update", MySQL, "WITH a AS (SELECT 1 AS id) UPDATE t JOIN a USING (id) SET t.x = 1", Update},
		{"with insert", PostgreSQL, "WITH a AS (SELECT 1) INSERT INTO t SELECT * FROM a", Insert},
		{"data-modifying cte makes a select a delete", PostgreSQL, "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", Delete},
		{"data-modifying cte after a reading one", PostgreSQL, "WITH a AS (SELECT 1), u AS (UPDATE t SET x = 1 RETURNING *) SELECT * FROM u", Update},
		{"data-modifying cte insert", PostgreSQL, "WITH i AS (INSERT INTO log VALUES (1) RETURNING id) SELECT id FROM i", Insert},
		{"data-modifying cte merge", PostgreSQL, "WITH m AS (MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE RETURNING *) SELECT 1", Other},
		{"malformed with", MySQL, "WITH a SELECT 1", Other},
		{"with and nothing else", MySQL, "WITH", Other},

		// Selects that write.
		{"into outfile", MySQL, "SELECT * FROM t INTO OUTFILE '/tmp/t.csv'", Other},
		{"into dumpfile", MySQL, "SELECT x FROM t LIMIT 1 INTO DUMPFILE '/tmp/x'", Other},
		{"into variable", MySQL, "SELECT COUNT(*) INTO @n FROM t", Other},
		{"into lower case", MySQL, "select a into @a from t", Other},
		{"into after union", MySQL, "(SELECT a FROM t) UNION (SELECT b FROM u) INTO OUTFILE '/tmp/x'", Other},
		{"postgresql select into table", PostgreSQL, "SELECT * INTO new_table FROM t", Other},
		{"into in a cte", MySQL, "WITH a AS (SELECT 1) SELECT * FROM a INTO @x", Other},
		{"into in an executable comment", MySQL, "SELECT 1 /*!50000 INTO @x */", Other},

		// Writes and schema changes.
		{"insert", MySQL, "INSERT INTO t VALUES (1)", Insert},
		{"insert select", MySQL, "INSERT INTO t SELECT * FROM u", Insert},
		{"replace", MySQL, "REPLACE INTO t VALUES (1)", Insert},
		{"update", PostgreSQL, "UPDATE t SET a = 1", Update},
		{"delete", Generic, "DELETE FROM t WHERE id = 1", Delete},
		{"parenthesised delete stays a delete", Generic, "(DELETE FROM t)", Delete},
		{"create", MySQL, "CREATE TABLE t (id int)", DDL},
		{"create table as select", PostgreSQL, "CREATE TABLE t AS SELECT 1", DDL},
		{"alter", MySQL, "ALTER TABLE t ADD COLUMN c int", DDL},
		{"drop", MySQL, "DROP TABLE t", DDL},
		{"truncate", MySQL, "TRUNCATE TABLE t", DDL},
		{"rename", MySQL, "RENAME TABLE a TO b", DDL},
		{"comment on", PostgreSQL, "COMMENT ON TABLE t IS 'x'", DDL},
		{"comment without on", MySQL, "COMMENT 'x'", Other},
		{"ddl in an executable comment", MySQL, "/*!50001 CREATE ALGORITHM=UNDEFINED */ /*!50001 VIEW v AS SELECT 1 */", DDL},

		// Everything else.
		{"set", MySQL, "SET NAMES utf8mb4", Other},
		{"set in an executable comment", MySQL, "/*!40101 SET NAMES utf8 */", Other},
		{"show", MySQL, "SHOW TABLES", Other},
		{"explain", MySQL, "EXPLAIN SELECT 1", Other},
		{"explain analyze delete", PostgreSQL, "EXPLAIN ANALYZE DELETE FROM t", Other},
		{"describe", MySQL, "DESC t", Other},
		{"call", MySQL, "CALL p()", Other},
		{"grant", MySQL, "GRANT SELECT ON t TO u", Other},
		{"lock", MySQL, "LOCK TABLES t WRITE", Other},
		{"use", MySQL, "USE shop", Other},
		{"do", PostgreSQL, "DO $$ BEGIN DELETE FROM t; END $$", Other},
		{"merge", PostgreSQL, "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", Other},
		{"load data", MySQL, "LOAD DATA INFILE '/tmp/x' INTO TABLE t", Other},
		{"copy", PostgreSQL, "COPY t TO '/tmp/t.csv'", Other},
		{"empty", MySQL, "", Other},
		{"only a comment", MySQL, "-- SELECT 1", Other},
		{"only parentheses", MySQL, "((", Other},
		{"starts with a string", MySQL, "'SELECT'", Other},
		{"two statements", MySQL, "SELECT 1; DELETE FROM t", Other},
		{"two selects", MySQL, "SELECT 1; SELECT 2", Other},
		{"hash hides nothing in postgresql", PostgreSQL, "SELECT 1 # 2", Select},
		{"hash hides the rest in mysql", MySQL, "SELECT 1 # ; DELETE FROM t", Select},
		{"double minus hides nothing in mysql", MySQL, "SELECT 1 --1; DELETE FROM t", Other},
		{"unclosed string", MySQL, "SELECT 'abc", Select},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.stmt, tt.dialect); got != tt.want {
				t.Errorf("Classify(%q, %v) = %v, want %v", tt.stmt, tt.dialect, got, tt.want)
			}
		})
	}
}

func TestKindZeroValueIsOtherSoItNeverPassesForARead(t *testing.T) {
	var k Kind
	if k != Other {
		t.Errorf("zero Kind is %v, want other", k)
	}
}

func TestKindNames(t *testing.T) {
	want := map[Kind]string{Select: "select", Insert: "insert", Update: "update", Delete: "delete", DDL: "ddl", Other: "other", Kind(99): "other"}
	for k, s := range want {
		if k.String() != s {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), k.String(), s)
		}
	}
}

func TestDialectForDMSDbTypes(t *testing.T) {
	tests := map[string]Dialect{
		"mysql": MySQL, "MySQL": MySQL, "MYSQL": MySQL, " polardb ": MySQL, "mariadb": MySQL,
		"drds": MySQL, "adb_mysql": MySQL, "ADB_MYSQL": MySQL, "oceanbasex": MySQL,
		"postgresql": PostgreSQL, "polardb-pg": PostgreSQL, "polardb_pg": PostgreSQL,
		"POLARDB_POSTGRESQL": PostgreSQL, "adb_postgresql": PostgreSQL,
		"oracle": Generic, "ob_for_oracle": Generic, "polardb-o": Generic, "POLARDB_ORACLE": Generic,
		"sqlserver": Generic, "clickhouse": Generic, "dm": Generic, "": Generic,
	}
	for dbType, want := range tests {
		if got := DialectFor(dbType); got != want {
			t.Errorf("DialectFor(%q) = %v, want %v", dbType, got, want)
		}
	}
}

func TestDialectNames(t *testing.T) {
	tests := []struct {
		d           Dialect
		name, words string
	}{
		{MySQL, "mysql", "MySQL"},
		{PostgreSQL, "postgresql", "PostgreSQL"},
		{Generic, "sql", "generic SQL"},
		{Dialect(42), "sql", "generic SQL"},
	}
	for _, tt := range tests {
		if tt.d.Name() != tt.name || tt.d.String() != tt.name || tt.d.Words() != tt.words {
			t.Errorf("Dialect(%d): Name %q, String %q, Words %q; want %q, %q, %q",
				int(tt.d), tt.d.Name(), tt.d.String(), tt.d.Words(), tt.name, tt.name, tt.words)
		}
	}
}
