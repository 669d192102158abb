package engine_test

import (
	"context"
	"io"
	"math"
	"net"
	"strings"
	"sync"
	"testing"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/dms/dmssim/engine"
	"dmsticket/dms/dmssim/engine/enginetest"
)

// bothEngines runs f against each engine that is installed.
func bothEngines(t *testing.T, f func(t *testing.T, s *enginetest.Server, db int64)) {
	t.Run("MariaDB", func(t *testing.T) { f(t, mariadb(t), dbMariaDB) })
	t.Run("PostgreSQL", func(t *testing.T) { f(t, postgres(t), dbPostgres) })
}

func TestAFailingStatementDoesNotStopTheScript(t *testing.T) {
	bothEngines(t, func(t *testing.T, s *enginetest.Server, db int64) {
		w := newWorld(t, openEngines(t, s))
		res := w.execute(db, "SELECT 1 AS one;\nSELECT * FROM no_such_table;\nSELECT COUNT(*) AS n FROM orders")
		if len(res) != 3 {
			t.Fatalf("%d results: %+v", len(res), res)
		}
		if !res[0].Success || res[0].Rows[0]["one"] != "1" {
			t.Errorf("first: %+v", res[0])
		}
		want := map[string]string{"MariaDB": "doesn't exist", "PostgreSQL": `relation "no_such_table" does not exist`}[s.Engine]
		if res[1].Success || !strings.Contains(res[1].Message, want) {
			t.Errorf("second should fail with the engine's %q: %+v", want, res[1])
		}
		if !res[2].Success || res[2].Rows[0]["n"] != "20000" || res[2].ColumnNames[0] != "n" {
			t.Errorf("third, after the failure: %+v", res[2])
		}
	})
}

func TestADatabaseTheEngineLacksFailsEachStatement(t *testing.T) {
	w := newWorld(t, openEngines(t, mariadb(t)))
	res := w.execute(dbMissing, "SELECT 1; SELECT 2")
	for i, r := range res {
		if r.Success || !strings.Contains(r.Message, "Unknown database 'no_such_db'") {
			t.Errorf("statement %d: %+v", i+1, r)
		}
	}
	_, err := w.estimate(dbMissing, "SELECT * FROM orders", dms.RowsExplain)
	if e, ok := dms.AsError(err); !ok || !strings.Contains(e.Message, "Unknown database") {
		t.Fatalf("estimate on a database the engine lacks: %v", err)
	}
}

func TestAPostgresSchemaThatDoesNotExistLeavesTheSearchPathAlone(t *testing.T) {
	w := newWorld(t, openEngines(t, postgres(t)))
	res := w.execute(dbPgNoSch, "SELECT current_schema() AS s; SELECT * FROM orders")
	if !res[0].Success || res[0].Rows[0]["s"] != "public" {
		t.Errorf("search_path: %+v", res[0])
	}
	if res[1].Success || !strings.Contains(res[1].Message, `relation "orders" does not exist`) {
		t.Errorf("orders is in shop, not public: %+v", res[1])
	}
	res = w.execute(dbPostgres, "SELECT current_schema() AS s")
	if res[0].Rows[0]["s"] != "shop" {
		t.Errorf("the seeded schema is the search_path: %+v", res[0])
	}
}

func TestValuesComeBackAsDMSSendsThem(t *testing.T) {
	bothEngines(t, func(t *testing.T, s *enginetest.Server, db int64) {
		w := newWorld(t, openEngines(t, s))
		res := w.execute(db, "SELECT id, big, label FROM huge ORDER BY id")[0]
		if !res.Success || len(res.Rows) != 4 || strings.Join(res.ColumnNames, ",") != "id,big,label" {
			t.Fatalf("%+v", res)
		}
		if res.Rows[0]["big"] != hugeBig || res.Rows[1]["big"] != "-9223372036854775808" {
			t.Errorf("bigints must come back exact, as strings: %#v %#v", res.Rows[0]["big"], res.Rows[1]["big"])
		}
		if res.Rows[2]["big"] != nil || res.Rows[2]["label"] != nil {
			t.Errorf("NULL is null: %#v", res.Rows[2])
		}
		if res.Rows[3]["label"] != `it's "quoted" ✓` || res.Rows[3]["big"] != "0" {
			t.Errorf("text: %#v", res.Rows[3])
		}
		if res.RowCount != 4 {
			t.Errorf("RowCount %d", res.RowCount)
		}
	})
}

func TestAnEstimateBeyondInt64IsClampedNotWrapped(t *testing.T) {
	bothEngines(t, func(t *testing.T, s *enginetest.Server, db int64) {
		w := newWorld(t, openEngines(t, s))
		est, err := w.estimate(db, "SELECT 1 FROM orders a, orders b, orders c, orders d, orders e", dms.RowsExplain)
		if err != nil || !est.Complete || est.Total != math.MaxInt64/2 {
			t.Fatalf("20,000^5 rows: %+v %v", est, err)
		}
	})
}

func TestWhatAScriptChangesIsRolledBack(t *testing.T) {
	bothEngines(t, func(t *testing.T, s *enginetest.Server, db int64) {
		w := newWorld(t, openEngines(t, s))
		res := w.execute(db, "INSERT INTO orders_archive VALUES (777, 1, 'new', 1, NULL);\nSELECT COUNT(*) AS n FROM orders_archive")
		if !res[0].Success || !res[1].Success || res[1].Rows[0]["n"] != "1" {
			t.Fatalf("inside the script the row is there: %+v", res)
		}
		if n := w.execute(db, "SELECT COUNT(*) AS n FROM orders_archive")[0].Rows[0]["n"]; n != "0" {
			t.Fatalf("after it, it is gone: %v", n)
		}
		if s.Engine == "PostgreSQL" {
			w.execute(db, "CREATE TABLE scratch (a int)")
			if r := w.execute(db, "SELECT * FROM scratch")[0]; r.Success {
				t.Fatalf("PostgreSQL's DDL is rolled back too: %+v", r)
			}
		}
	})
}

func TestAWrongPasswordIsClearWhenTheSimulatorStarts(t *testing.T) {
	bothEngines(t, func(t *testing.T, s *enginetest.Server, db int64) {
		bad := strings.Replace(s.DSN, enginetest.Password, "not-the-password", 1)
		_, err := dmssim.OpenEngines(ctx(t), []string{bad})
		want := map[string]string{"MariaDB": "Access denied", "PostgreSQL": "password authentication failed"}[s.Engine]
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "check the address, user and password") {
			t.Fatalf("want the engine's %q and what to check: %v", want, err)
		}
		if strings.Contains(err.Error(), "not-the-password") {
			t.Fatalf("the password is in the message: %v", err)
		}
	})
}

func TestTwoEnginesOfOneFamilyAreRefused(t *testing.T) {
	s := mariadb(t)
	_, err := dmssim.OpenEngines(ctx(t), []string{s.DSN, s.DSN})
	if err == nil || !strings.Contains(err.Error(), "two MySQL engines") {
		t.Fatalf("%v", err)
	}
}

func TestNothingListeningIsClearWhenTheSimulatorStarts(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	for _, dsn := range []string{"mysql://dms:secret@" + addr, "postgres://dms:secret@" + addr + "/x?sslmode=disable"} {
		_, err := dmssim.OpenEngines(ctx(t), []string{dsn})
		if err == nil || !strings.Contains(err.Error(), "cannot reach") || !strings.Contains(err.Error(), "refused") || strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: %v", dsn, err)
		}
	}
}

func TestBadAddressesAreRefusedBeforeConnecting(t *testing.T) {
	for dsn, want := range map[string]string{
		"mysql://dms:pw@127.0.0.1:3306/shop":    "leave the path out",
		"mysql://dms:pw@127.0.0.1:3306?debug=1": `parameter "debug"`,
		"postgres://dms:pw@127.0.0.1:5432":      "names no database",
		"oracle://dms:pw@127.0.0.1:1521/orcl":   "neither mysql:// (MySQL family) nor postgres://",
		"mysql://127.0.0.1:3306":                "names no user",
		"dms:pw@127.0.0.1":                      "is not a database address",
	} {
		_, err := engine.Open(context.Background(), dsn)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), ":pw@") {
			t.Errorf("%s: want %q without the password, got %v", dsn, want, err)
		}
	}
}

func TestAMariaDBRegisteredAsMySQLIsAskedForFiltered(t *testing.T) {
	w := newWorld(t, openEngines(t, mariadb(t)))
	sql := "SELECT * FROM orders_noidx WHERE status = 'void'"
	asMaria, err := w.estimate(dbMariaDB, sql, dms.RowsExplain)
	if err != nil {
		t.Fatal(err)
	}
	before := len(w.Server().RequestsFor("ExecuteScript"))
	asMySQL, err := w.estimate(dbMySQL, sql, dms.RowsExplain)
	if err != nil || asMySQL.Total != asMaria.Total || asMaria.Total >= nOrders {
		t.Fatalf("mysql-typed %+v (%v), mariadb-typed %+v", asMySQL, err, asMaria)
	}
	calls := w.Server().RequestsFor("ExecuteScript")[before:]
	if len(calls) != 2 || !strings.HasPrefix(calls[0].Params.Get("Script"), "EXPLAIN SELECT") || !strings.HasPrefix(calls[1].Params.Get("Script"), "EXPLAIN EXTENDED SELECT") {
		t.Fatalf("want EXPLAIN, then EXPLAIN EXTENDED: %+v", calls)
	}
}

func TestOtherFamiliesStillAnswerFromTheSeed(t *testing.T) {
	w := newWorld(t, openEngines(t, postgres(t)))
	// No MySQL-family engine: the MariaDB database answers from its seeded
	// statistics, as without --engine.
	est, err := w.estimate(dbMariaDB, "SELECT * FROM orders", dms.RowsCount)
	if err != nil || est.Total <= 0 || est.Total == nOrders { // MariaDB would say 20,000; the seed's count deviates
		t.Fatalf("seeded count: %+v %v", est, err)
	}
	if _, err := w.estimate(dbPgOracle, "SELECT * FROM orders", dms.RowsCount); err != nil {
		t.Fatalf("oracle from the seed: %v", err)
	}
}

// proxy forwards loopback connections to an engine until Close, which drops
// them all: the engine going away mid-run.
type proxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go func() { io.Copy(u, c); u.Close() }()
			go func() { io.Copy(c, u); c.Close() }()
		}
	}()
	t.Cleanup(p.Close)
	return p
}

func (p *proxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func TestAnEngineThatGoesAwayFailsEachStatementWithoutHanging(t *testing.T) {
	bothEngines(t, func(t *testing.T, s *enginetest.Server, db int64) {
		p := newProxy(t, s.Addr)
		es, err := dmssim.OpenEngines(ctx(t), []string{strings.Replace(s.DSN, s.Addr, p.ln.Addr().String(), 1)})
		if err != nil {
			t.Fatal(err)
		}
		defer es.Close()
		w := newWorld(t, es)
		if est, err := w.estimate(db, "SELECT * FROM orders", dms.RowsCount); err != nil || est.Total != nOrders {
			t.Fatalf("through the proxy: %+v %v", est, err)
		}
		p.Close()
		est, err := w.estimate(db, "SELECT * FROM orders; SELECT * FROM customers", dms.RowsCount)
		e, ok := dms.AsError(err)
		if !ok || e.Kind != dms.KindRefused || len(est.Statements) != 2 {
			t.Fatalf("want each statement failed: %+v %v", est, err)
		}
		for _, st := range est.Statements {
			if !strings.Contains(st.Err, "did not answer") {
				t.Errorf("statement %d: %q", st.Number, st.Err)
			}
		}
	})
}
