package dmssim

import (
	"fmt"
	"strconv"

	"dmsticket/dms"
)

// Generated databases (Options.ExtraDatabases) belong to the first tenant,
// twenty to an instance. Their IDs start at generatedDBBase+1 and their
// instance IDs at generatedInstanceBase+1, far from any hand-written seed ID.
const (
	generatedDBBase       = 50_000_000
	generatedInstanceBase = 5_000_000
	generatedPerInstance  = 20
)

// generatedKinds are the application areas generated databases are named
// after, each with its tables.
var generatedKinds = []struct {
	name   string
	tables []string
}{
	{"orders", []string{"orders", "order_items", "refunds"}},
	{"users", []string{"users", "user_profiles", "login_events"}},
	{"billing", []string{"invoices", "payments", "ledger_entries"}},
	{"inventory", []string{"stock_levels", "warehouses", "stock_moves"}},
	{"events", []string{"events", "event_types"}},
	{"audit", []string{"audit_log", "actors"}},
	{"catalog", []string{"products", "categories", "prices"}},
	{"shipping", []string{"shipments", "carriers", "tracking_events"}},
	{"reviews", []string{"reviews", "review_votes"}},
	{"sessions", []string{"sessions", "devices"}},
	{"search", []string{"queries", "clicks"}},
}

// generatedTypes are the DB types generated databases spread over.
var generatedTypes = []struct {
	dbType string
	port   int
}{
	{"mysql", 3306}, {"polardb", 3306}, {"postgresql", 5432},
	{"polardb-pg", 5432}, {"mariadb", 3306}, {"mysql", 3306},
}

// generate adds n deterministic databases to the first tenant: names like
// app_00042_orders, spread over every environment and DB type, with a few
// tables each whose row counts derive from a hash of the name, the first
// (main) table the largest.
func (w *world) generate(n int) {
	if n <= 0 || len(w.tenants) == 0 {
		return
	}
	t := w.tenants[0]
	var in *instance
	// One backing array for all generated tables keeps allocations low.
	backing := make([]table, 0, n*3)
	dbBacking := make([]database, n)
	for i := 1; i <= n; i++ {
		inst := (i - 1) / generatedPerInstance
		if (i-1)%generatedPerInstance == 0 {
			typ := generatedTypes[inst%len(generatedTypes)]
			env := string(dms.Envs[inst%len(dms.Envs)])
			in = &instance{
				id:     strconv.Itoa(generatedInstanceBase + inst + 1),
				tenant: t,
				host:   fmt.Sprintf("10.%d.%d.%d", 200+(inst>>16)%50, (inst>>8)&255, inst&255),
				port:   typ.port,
				dbType: typ.dbType,
				env:    env,
				secure: true,
			}
			in.alias = fmt.Sprintf("app-%s-%05d", env, inst+1)
			w.instances[in.id] = in
			t.instances = append(t.instances, in)
		}
		kind := generatedKinds[(i+2)%len(generatedKinds)] // app_00042_orders
		d := &dbBacking[i-1]
		*d = database{
			id:     int64(generatedDBBase + i),
			tenant: t,
			inst:   in,
			schema: fmt.Sprintf("app_%05d_%s", i, kind.name),
			alias:  fmt.Sprintf("App %d %s (%s)", i, kind.name, in.env),
			dbType: in.dbType,
			env:    in.env,
			secure: true,
		}
		start := len(backing)
		var mainRows int64
		for j, name := range kind.tables {
			h := hash64("gen", d.schema, name)
			rows := h%uint64(max(mainRows, 1)) + 1
			if j == 0 { // the main table: 10^2 to 10^9 rows
				mainRows = 1
				for range 2 + h%8 {
					mainRows *= 10
				}
				mainRows += int64(h>>32) % mainRows
				rows = uint64(mainRows)
			}
			backing = append(backing, table{name: name, lower: name, rows: int64(rows)})
		}
		d.tables = backing[start:len(backing):len(backing)]
		w.addPhysical(d)
	}
}
