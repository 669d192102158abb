package dms

import (
	"strings"
	"testing"

	"dmsticket/dms/sqlscript"
)

func TestDataChangesAreMeasuredThroughTheSelectOfTheRowsTheyWrite(t *testing.T) {
	my, pg, generic := sqlscript.MySQL, sqlscript.PostgreSQL, sqlscript.Generic
	for _, c := range []struct {
		d      sqlscript.Dialect
		sql    string
		form   string
		joined bool
	}{
		{my, "UPDATE orders SET amount = amount + 1 WHERE status = 'void'", "SELECT 1 FROM orders WHERE status = 'void'", false},
		{my, "update orders set amount = 0", "SELECT 1 FROM orders", false},
		{my, "UPDATE LOW_PRIORITY IGNORE shop.orders AS o SET o.amount = 0 WHERE o.id < 5", "SELECT 1 FROM shop.orders AS o WHERE o.id < 5", false},
		// A WHERE in a string, a SET and a WHERE in comments, names quoted.
		{my, "UPDATE orders SET note = 'x WHERE id = 1' WHERE id = 2", "SELECT 1 FROM orders WHERE id = 2", false},
		{my, "UPDATE orders SET note = \"WHERE \\\" id = 1\" WHERE id = 2", "SELECT 1 FROM orders WHERE id = 2", false},
		{my, "UPDATE orders /* SET amount = 1 WHERE 1 */ SET note = NULL -- WHERE id = 1\nWHERE id = 2 # ORDER BY x", "SELECT 1 FROM orders WHERE id = 2", false},
		{my, "UPDATE `set` SET `where` = 1 WHERE `limit` = 2 ORDER BY `order` LIMIT 3", "SELECT 1 FROM `set` WHERE `limit` = 2 ORDER BY `order` LIMIT 3", false},
		{my, "UPDATE orders SET amount = 1 /*!50000 WHERE id = 7 */", "SELECT 1 FROM orders WHERE id = 7", false},
		{pg, `UPDATE "where" AS w SET "set" = 'WHERE' WHERE w."from" = $$ WHERE $$`, `SELECT 1 FROM "where" AS w WHERE w."from" = $$ WHERE $$`, false},
		{pg, "UPDATE ONLY orders SET note = E'\\' WHERE' WHERE id = 1::bigint RETURNING id", "SELECT 1 FROM ONLY orders WHERE id = 1::bigint", false},
		// A subquery in SET, its WHERE not the statement's.
		{my, "UPDATE orders o SET amount = (SELECT MAX(amount) FROM refunds r WHERE r.order_id = o.id) WHERE o.status = 'void'", "SELECT 1 FROM orders o WHERE o.status = 'void'", false},
		{pg, "UPDATE orders SET (amount, note) = (SELECT 1, 'a' FROM refunds WHERE refunds.id = orders.id) WHERE id IN (SELECT order_id FROM refunds WHERE amount > 3)",
			"SELECT 1 FROM orders WHERE id IN (SELECT order_id FROM refunds WHERE amount > 3)", false},
		{my, "UPDATE orders SET amount = 0 WHERE status = 'void' ORDER BY id DESC LIMIT 10", "SELECT 1 FROM orders WHERE status = 'void' ORDER BY id DESC LIMIT 10", false},
		{my, "UPDATE orders SET amount = 0 LIMIT 10", "SELECT 1 FROM orders LIMIT 10", false},
		{my, "DELETE FROM orders WHERE amount < 50", "SELECT 1 FROM orders WHERE amount < 50", false},
		{my, "DELETE LOW_PRIORITY QUICK FROM orders PARTITION (p1) WHERE note = 'USING x' LIMIT 5", "SELECT 1 FROM orders PARTITION (p1) WHERE note = 'USING x' LIMIT 5", false},
		{my, "DELETE FROM orders", "SELECT 1 FROM orders", false},
		{pg, "DELETE FROM orders AS o WHERE o.amount < 50 RETURNING *", "SELECT 1 FROM orders AS o WHERE o.amount < 50", false},
		{generic, "DELETE FROM gl WHERE period = '2024-01'", "SELECT 1 FROM gl WHERE period = '2024-01'", false},
		{generic, "UPDATE gl SET amount = 0 WHERE period = '2024-01'", "SELECT 1 FROM gl WHERE period = '2024-01'", false},
		// A WITH clause stays in front.
		{pg, "WITH v AS (SELECT id FROM orders WHERE status = 'void') UPDATE orders SET amount = 1 WHERE id IN (SELECT id FROM v)",
			"WITH v AS (SELECT id FROM orders WHERE status = 'void') SELECT 1 FROM orders WHERE id IN (SELECT id FROM v)", false},
		// Over a join: the rows of the table changed that the others match.
		{my, "UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.amount = 0 WHERE c.region = 'r1'",
			"SELECT 1 FROM orders o WHERE EXISTS (SELECT 1 FROM customers c WHERE (c.id = o.customer_id) AND (c.region = 'r1'))", true},
		{my, "UPDATE customers c INNER JOIN orders o ON o.customer_id = c.id STRAIGHT_JOIN refunds r ON r.order_id = o.id SET c.email = NULL",
			"SELECT 1 FROM customers c WHERE EXISTS (SELECT 1 FROM orders o, refunds r WHERE (o.customer_id = c.id) AND (r.order_id = o.id))", true},
		{my, "UPDATE orders, customers SET orders.amount = customers.id WHERE customers.id = orders.customer_id",
			"SELECT 1 FROM orders WHERE EXISTS (SELECT 1 FROM customers WHERE (customers.id = orders.customer_id))", true},
		{my, "UPDATE orders o JOIN (SELECT id FROM customers WHERE region = 'r1') c ON c.id = o.customer_id SET o.amount = 0",
			"SELECT 1 FROM orders o WHERE EXISTS (SELECT 1 FROM (SELECT id FROM customers WHERE region = 'r1') c WHERE (c.id = o.customer_id))", true},
		{my, "DELETE o FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.region = 'r1'",
			"SELECT 1 FROM orders o WHERE EXISTS (SELECT 1 FROM customers c WHERE (c.id = o.customer_id) AND (c.region = 'r1'))", true},
		{my, "DELETE shop.o.* FROM orders AS o CROSS JOIN customers AS c WHERE c.id = o.customer_id",
			"SELECT 1 FROM orders AS o WHERE EXISTS (SELECT 1 FROM customers AS c WHERE (c.id = o.customer_id))", true},
		{my, "DELETE FROM o USING orders o JOIN customers c ON c.id = o.customer_id",
			"SELECT 1 FROM orders o WHERE EXISTS (SELECT 1 FROM customers c WHERE (c.id = o.customer_id))", true},
		{pg, "UPDATE orders o SET amount = 0 FROM customers c WHERE c.id = o.customer_id AND c.region = 'r1'",
			"SELECT 1 FROM orders o WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id AND c.region = 'r1')", true},
		{pg, "DELETE FROM orders o USING customers c, refunds r WHERE c.id = o.customer_id RETURNING o.id",
			"SELECT 1 FROM orders o WHERE EXISTS (SELECT 1 FROM customers c, refunds r WHERE c.id = o.customer_id)", true},
		// INSERT … SELECT: the SELECT, without what follows it.
		{my, "INSERT INTO archive SELECT * FROM orders WHERE customer_id <= 10", "SELECT * FROM orders WHERE customer_id <= 10", false},
		{my, "INSERT LOW_PRIORITY archive (id, note) SELECT id, 'VALUES (1)' FROM orders", "SELECT id, 'VALUES (1)' FROM orders", false},
		{my, "INSERT INTO archive (SELECT * FROM orders LIMIT 5)", "(SELECT * FROM orders LIMIT 5)", false},
		{my, "INSERT INTO archive WITH v AS (SELECT * FROM orders) SELECT * FROM v", "WITH v AS (SELECT * FROM orders) SELECT * FROM v", false},
		{pg, "WITH v AS (SELECT * FROM orders) INSERT INTO archive AS a (id) SELECT id FROM v ON CONFLICT (id) DO UPDATE SET id = a.id RETURNING a.id",
			"WITH v AS (SELECT * FROM orders) SELECT id FROM v", false},
		{pg, "INSERT INTO archive OVERRIDING SYSTEM VALUE SELECT * FROM orders", "SELECT * FROM orders", false},
		{pg, "INSERT INTO archive VALUES (1), (2) ORDER BY 1 LIMIT 1", "VALUES (1), (2) ORDER BY 1 LIMIT 1", false},
	} {
		dc := dataChangeOf(c.sql, c.d)
		if dc.selectForm != c.form || dc.joined != c.joined || dc.refuse != "" || dc.listed != -1 {
			t.Errorf("%s %q:\n got form %q joined %v listed %d refuse %q\nwant form %q joined %v", c.d, c.sql, dc.selectForm, dc.joined, dc.listed, dc.refuse, c.form, c.joined)
		}
	}
}

func TestInsertValuesCountsTheRowsItLists(t *testing.T) {
	my, pg := sqlscript.MySQL, sqlscript.PostgreSQL
	for _, c := range []struct {
		d    sqlscript.Dialect
		sql  string
		rows int64
	}{
		{my, "INSERT INTO t VALUES (1)", 1},
		{my, "INSERT t VALUE (1), (2)", 2},
		{my, "INSERT INTO t (a, b) VALUES (1, '),('), (2, CONCAT('(', ')')), (3, \"'),(\")", 3},
		{my, "INSERT INTO t VALUES (1, 'a') /* , (2, 'b') */, (3, 'c') -- , (4, 'd')\n", 2},
		{my, "INSERT INTO t VALUES ROW(1, 2), ROW(3, 4), ROW(5, 6)", 3},
		{my, "INSERT INTO t (a) VALUES (?), (?)", 2},
		{my, "INSERT INTO t SET a = 1, b = (SELECT 2)", 1},
		{my, "REPLACE INTO t SET a = 1", 1},
		{pg, "INSERT INTO t DEFAULT VALUES", 1},
		{pg, "INSERT INTO t VALUES ($1, E'\\'), ('), ($$),($$, 2) RETURNING id", 2},
		{pg, `INSERT INTO "values" ("values") VALUES ('VALUES'), ('(')`, 2},
	} {
		dc := dataChangeOf(c.sql, c.d)
		if dc.listed != c.rows || dc.selectForm != "" || dc.refuse != "" {
			t.Errorf("%q: listed %d form %q refuse %q; want %d rows listed", c.sql, dc.listed, dc.selectForm, dc.refuse, c.rows)
		}
	}
}

func TestDataChangesWhoseRowsCannotBeCountedSayWhy(t *testing.T) {
	my, pg, generic := sqlscript.MySQL, sqlscript.PostgreSQL, sqlscript.Generic
	for _, c := range []struct {
		d   sqlscript.Dialect
		sql string
		why string
	}{
		{my, "UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.amount = 0, c.email = NULL", "changes rows of 2 tables (o, c)"},
		{my, "DELETE o, c FROM orders o JOIN customers c ON c.id = o.customer_id", "changes rows of 2 tables"},
		{my, "UPDATE orders o JOIN customers c ON c.id = o.customer_id SET amount = 0", "sets column amount without naming its table"},
		{my, "UPDATE orders o LEFT JOIN customers c ON c.id = o.customer_id SET o.amount = 0 WHERE c.id IS NULL", "outer or natural join"},
		{my, "UPDATE orders o NATURAL JOIN customers c SET o.amount = 0", "outer or natural join"},
		{my, "UPDATE orders o JOIN customers c USING (id) SET o.amount = 0", "JOIN … USING"},
		{my, "UPDATE (orders o JOIN customers c ON c.id = o.customer_id) SET o.amount = 0", "parenthesised join"},
		{my, "UPDATE orders o JOIN customers c ON c.id = o.customer_id SET x.amount = 0", "does not find among its tables"},
		{pg, "UPDATE orders SET amount = 0 WHERE CURRENT OF c1", "WHERE CURRENT OF"},
		{pg, "DELETE FROM orders WHERE CURRENT OF c1", "WHERE CURRENT OF"},
		{pg, "WITH d AS (DELETE FROM orders RETURNING *) INSERT INTO archive SELECT * FROM d", "changes data too (DELETE in a WITH)"},
		{pg, "WITH d AS (UPDATE orders SET amount = 0 RETURNING *) SELECT * FROM d", "changes data too (UPDATE in a WITH)"},
		{generic, "UPDATE t SET a = 1 FROM t JOIN u ON u.id = t.id", "PostgreSQL only"},
		{generic, "DELETE t FROM t JOIN u ON u.id = t.id", "cannot find the table"},
		{my, "UPDATE orders", "cannot find the table and SET clause"},
		{my, "INSERT INTO t", "cannot find the rows"},
	} {
		dc := dataChangeOf(c.sql, c.d)
		if !strings.Contains(dc.refuse, c.why) || dc.selectForm != "" {
			t.Errorf("%q: refuse %q form %q; want the reason to say %q", c.sql, dc.refuse, dc.selectForm, c.why)
		}
	}
}

func TestRowsGivenThatAreNotTheRowsWrittenLeaveNoFigure(t *testing.T) {
	my, pg := sqlscript.MySQL, sqlscript.PostgreSQL
	for _, c := range []struct {
		d      sqlscript.Dialect
		sql    string
		bound  string // "" for none: the rows given are the figure
		listed int64
	}{
		{my, "REPLACE INTO t SELECT * FROM u", "REPLACE writes the 40 rows its SELECT gives and first deletes", -1},
		{my, "REPLACE t VALUES (1), (2)", "REPLACE writes the 40 rows it lists", 2},
		{my, "INSERT INTO t SELECT * FROM u ON DUPLICATE KEY UPDATE a = VALUES(a)", "(40 to 80)", -1},
		{my, "INSERT INTO t VALUES (1), (2) AS new ON DUPLICATE KEY UPDATE a = new.a", "(40 to 80)", 2},
		{my, "INSERT IGNORE INTO t VALUES (1)", "INSERT IGNORE writes the 40 rows it lists except those whose key is taken", 1},
		{my, "UPDATE IGNORE t SET a = 1 WHERE b = 2", "UPDATE IGNORE matches 40 rows", -1},
		{my, "DELETE IGNORE FROM t WHERE b = 2", "DELETE IGNORE matches 40 rows", -1},
		{pg, "INSERT INTO t SELECT * FROM u ON CONFLICT DO NOTHING", "(at most 40)", -1},
		{pg, "INSERT INTO t VALUES (1) ON CONFLICT (a) WHERE a > 0 DO UPDATE SET b = 1 WHERE t.b <> 1", "(at most 40)", 1},
		{pg, "INSERT INTO t VALUES (1), (2) ON CONFLICT (a) WHERE a > 0 DO UPDATE SET b = EXCLUDED.b RETURNING a", "", 2},
		{my, "INSERT INTO t SELECT * FROM u JOIN v ON duplicate_flag = 1", "", -1},
	} {
		dc := dataChangeOf(c.sql, c.d)
		got := ""
		if dc.bound != nil {
			got = dc.bound(40)
		}
		if (c.bound == "") != (got == "") || !strings.Contains(got, c.bound) || dc.listed != c.listed || dc.refuse != "" {
			t.Errorf("%q: bound %q listed %d refuse %q; want bound containing %q, listed %d", c.sql, got, dc.listed, dc.refuse, c.bound, c.listed)
		}
	}
}
