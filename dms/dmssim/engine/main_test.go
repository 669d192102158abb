package engine_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	dmse "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/dms/dmssim/dmssimtest"
	"dmsticket/dms/dmssim/engine/enginetest"
)

// The servers this package's tests run against, each started once.
var servers struct {
	maria, pg       *enginetest.Server
	mariaErr, pgErr error
}

func TestMain(m *testing.M) {
	ctx := context.Background()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if servers.maria, servers.mariaErr = enginetest.StartMariaDB(ctx); servers.mariaErr == nil {
			servers.mariaErr = load(ctx, servers.maria)
		}
	}()
	go func() {
		defer wg.Done()
		if servers.pg, servers.pgErr = enginetest.StartPostgres(ctx); servers.pgErr == nil {
			servers.pgErr = load(ctx, servers.pg)
		}
	}()
	wg.Wait()
	code := m.Run()
	for _, s := range []*enginetest.Server{servers.maria, servers.pg} {
		if s != nil {
			s.Stop()
		}
	}
	os.Exit(code)
}

// need returns the running server, or skips the test saying what is missing
// (fails it when DMSTICKET_ENGINE_TESTS=required).
func need(t *testing.T, s *enginetest.Server, err error, engine string) *enginetest.Server {
	t.Helper()
	if err == nil {
		return s
	}
	if enginetest.Missing(err) && !enginetest.Required() {
		t.Skipf("%v (%s=required makes this a failure)", err, enginetest.RequiredEnv)
	}
	t.Fatalf("%s: %v", engine, err)
	return nil
}

func mariadb(t *testing.T) *enginetest.Server {
	return need(t, servers.maria, servers.mariaErr, "MariaDB")
}

func postgres(t *testing.T) *enginetest.Server {
	return need(t, servers.pg, servers.pgErr, "PostgreSQL")
}

// The data: a model the tests count from, loaded into schema shop of both
// engines. orders and orders_noidx hold the same rows; orders has indexes on
// customer_id and status, orders_noidx none but its primary key.
const (
	nCustomers = 1000
	nOrders    = 20000
)

type customer struct {
	id     int64
	region string
	email  *string // NULL for every fourth
}

type order struct {
	id, customer, amount int64
	status               string
	note                 *string // NULL for every third
}

func customers() []customer {
	out := make([]customer, nCustomers)
	for i := range out {
		id := int64(i + 1)
		c := customer{id: id, region: fmt.Sprintf("r%d", id%10)}
		if id%4 != 0 {
			e := fmt.Sprintf("c%d@example.com", id)
			c.email = &e
		}
		out[i] = c
	}
	return out
}

func orders() []order {
	out := make([]order, nOrders)
	for i := range out {
		id := int64(i + 1)
		o := order{id: id, customer: 1 + id%nCustomers, amount: id % 500}
		switch {
		case id%10 < 5:
			o.status = "paid"
		case id%10 < 8:
			o.status = "new"
		default:
			o.status = "void"
		}
		if id%3 != 0 {
			n := "n"
			o.note = &n
		}
		out[i] = o
	}
	return out
}

// count counts the model's orders that match.
func count(match func(order) bool) int64 {
	var n int64
	for _, o := range orders() {
		if match(o) {
			n++
		}
	}
	return n
}

func countCustomers(match func(customer) bool) int64 {
	var n int64
	for _, c := range customers() {
		if match(c) {
			n++
		}
	}
	return n
}

func sqlText(p *string) string {
	if p == nil {
		return "NULL"
	}
	return "'" + strings.ReplaceAll(*p, "'", "''") + "'"
}

// huge holds the numbers that do not fit a float64 exactly, and a NULL.
const hugeBig = "9223372036854775807"

// load creates schema shop with the model's rows and ANALYZEs it.
func load(ctx context.Context, s *enginetest.Server) error {
	maria := s.Engine == "MariaDB"
	var stmts []string
	text, bigint := "TEXT", "BIGINT"
	if maria {
		text = "VARCHAR(64)"
		stmts = append(stmts, "CREATE DATABASE shop", "USE shop")
	} else {
		stmts = append(stmts, "CREATE SCHEMA shop", "SET search_path TO shop")
	}
	stmts = append(stmts,
		"CREATE TABLE customers (id "+bigint+" PRIMARY KEY, region "+text+" NOT NULL, email "+text+" NULL)",
		"CREATE TABLE orders (id "+bigint+" PRIMARY KEY, customer_id "+bigint+" NOT NULL, status "+text+" NOT NULL, amount "+bigint+" NOT NULL, note "+text+" NULL)",
		"CREATE INDEX orders_customer ON orders (customer_id)",
		"CREATE INDEX orders_status ON orders (status)",
		"CREATE TABLE orders_noidx (id "+bigint+" PRIMARY KEY, customer_id "+bigint+" NOT NULL, status "+text+" NOT NULL, amount "+bigint+" NOT NULL, note "+text+" NULL)",
		"CREATE TABLE orders_archive (id "+bigint+" PRIMARY KEY, customer_id "+bigint+" NOT NULL, status "+text+" NOT NULL, amount "+bigint+" NOT NULL, note "+text+" NULL)",
		"CREATE TABLE huge (id "+bigint+" PRIMARY KEY, big "+bigint+" NULL, label "+text+" NULL)",
		"INSERT INTO huge VALUES (1, "+hugeBig+", 'max'), (2, -"+hugeBig+" - 1, 'min'), (3, NULL, NULL), (4, 0, 'it''s \"quoted\" ✓')",
	)
	var vals []string
	for _, c := range customers() {
		vals = append(vals, fmt.Sprintf("(%d, '%s', %s)", c.id, c.region, sqlText(c.email)))
	}
	stmts = append(stmts, "INSERT INTO customers VALUES "+strings.Join(vals, ", "))
	all := orders()
	for start := 0; start < len(all); start += 2000 {
		vals = vals[:0]
		for _, o := range all[start:min(start+2000, len(all))] {
			vals = append(vals, fmt.Sprintf("(%d, %d, '%s', %d, %s)", o.id, o.customer, o.status, o.amount, sqlText(o.note)))
		}
		stmts = append(stmts, "INSERT INTO orders VALUES "+strings.Join(vals, ", "))
	}
	stmts = append(stmts, "INSERT INTO orders_noidx SELECT * FROM orders")
	if maria {
		// PERSISTENT FOR ALL: histograms, so that filtered means something
		// for columns without an index, as on a server whose DBA runs it.
		stmts = append(stmts, "ANALYZE TABLE customers, orders, orders_noidx, orders_archive, huge PERSISTENT FOR ALL")
	} else {
		stmts = append(stmts, "ANALYZE")
	}
	conn, err := s.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, st := range stmts {
		if _, err := conn.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("%s: load the test data: %.80s: %w", s.Engine, st, err)
		}
	}
	return nil
}

// The simulator's world for these tests: one tenant, one user, and for each
// engine the database shop, one it lacks, and (MySQL family) shop again
// under DB type mysql, which MariaDB answers without the filtered column
// unless asked.
const (
	tid        = 3100001
	uid        = 2100001
	dbMariaDB  = 4100001 // mariadb shop
	dbMySQL    = 4100002 // mysql shop, answered by MariaDB
	dbMissing  = 4100003 // mariadb no_such_db
	dbPostgres = 4100004 // postgresql shop
	dbPgNoSch  = 4100005 // postgresql no_such_schema
	dbPgOracle = 4100006 // oracle: answered from the seed
)

func seed() *dmssim.Seed {
	tables := map[string]int64{"orders": nOrders, "orders_noidx": nOrders, "customers": nCustomers, "orders_archive": 0, "huge": 4}
	return &dmssim.Seed{
		Tenants: []dmssim.SeedTenant{{Tid: tid, Name: "Engines"}},
		Users:   []dmssim.SeedUser{{ID: uid, Name: "tester", Tenants: []int64{tid}}},
		Instances: []dmssim.SeedInstance{
			{ID: "5100001", Tid: tid, Host: "127.0.0.1", Port: 3306, DbType: "mariadb", Env: "dev"},
			{ID: "5100002", Tid: tid, Host: "127.0.0.2", Port: 3306, DbType: "mysql", Env: "dev"},
			{ID: "5100003", Tid: tid, Host: "127.0.0.1", Port: 5432, DbType: "postgresql", Env: "dev"},
			{ID: "5100004", Tid: tid, Host: "127.0.0.1", Port: 1521, Sid: "ORCL", DbType: "oracle", Env: "dev"},
		},
		Databases: []dmssim.SeedDatabase{
			{ID: dbMariaDB, Instance: "5100001", Schema: "shop", Tables: tables},
			{ID: dbMySQL, Instance: "5100002", Schema: "shop", Tables: tables},
			{ID: dbMissing, Instance: "5100001", Schema: "no_such_db", Tables: tables},
			{ID: dbPostgres, Instance: "5100003", Schema: "shop", Tables: tables},
			{ID: dbPgNoSch, Instance: "5100003", Schema: "no_such_schema", Tables: tables},
			{ID: dbPgOracle, Instance: "5100004", Schema: "SHOP", Tables: tables},
		},
	}
}

// world is the simulator with the given engines and the real SDK client on
// it, over loopback HTTP.
type world struct {
	*dmssimtest.World
	t *testing.T
}

func newWorld(t *testing.T, engines dmssim.Engines) *world {
	t.Helper()
	w := dmssimtest.New(t, dmssimtest.Options{UserID: uid, Seed: seed(), Sim: dmssim.Options{Engines: engines},
		Client: dms.Config{ReadTimeout: 60 * time.Second, CountTimeout: 60 * time.Second}})
	return &world{World: w, t: t}
}

// openEngines opens the simulator's engines for the servers and closes them
// when the test ends.
func openEngines(t *testing.T, ss ...*enginetest.Server) dmssim.Engines {
	t.Helper()
	var dsns []string
	for _, s := range ss {
		dsns = append(dsns, s.DSN)
	}
	es, err := dmssim.OpenEngines(ctx(t), dsns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { es.Close() })
	return es
}

func (w *world) database(id int64) dms.Database {
	w.t.Helper()
	d, err := w.Client.Database(ctx(w.t), tid, id, false)
	if err != nil {
		w.t.Fatal(err)
	}
	return d
}

func (w *world) estimate(id int64, sql string, m dms.RowSource) (dms.RowEstimate, error) {
	return w.Client.Estimate(ctx(w.t), dms.EstimateRequest{Tid: tid, Database: w.database(id), SQL: sql, Method: m})
}

// sdk is the official SDK client on the simulator, for raw ExecuteScript
// answers.
func (w *world) sdk() *dmse.Client {
	w.t.Helper()
	c, err := dmse.NewClientWithOptions("cn-hangzhou", sdk.NewConfig().WithScheme("HTTP"),
		credentials.NewStaticAKCredentialsProvider(w.Credential.AccessKeyID, w.Credential.AccessKeySecret))
	if err != nil {
		w.t.Fatal(err)
	}
	c.Domain = w.Sim.Host()
	c.SetReadTimeout(60 * time.Second)
	w.t.Cleanup(c.Shutdown)
	return c
}

func (w *world) execute(id int64, script string) []dmse.Result {
	w.t.Helper()
	req := dmse.CreateExecuteScriptRequest()
	req.Tid = requests.NewInteger64(tid)
	req.DbId = requests.NewInteger64(id)
	req.Logic = requests.NewBoolean(false)
	req.Script = script
	resp, err := w.sdk().ExecuteScript(req)
	if err != nil || !resp.Success {
		w.t.Fatalf("ExecuteScript: %v %+v", err, resp)
	}
	return resp.Results
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}
