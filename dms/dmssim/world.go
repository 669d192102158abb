package dmssim

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"dmsticket/dms/sqlscript"
)

// world is the seed turned into linked, indexed records. It is built once by
// New and never changes afterwards, so it is read without locks.
type world struct {
	tenants      []*tenant
	tenantByID   map[int64]*tenant
	users        map[int64]*user
	instances    map[string]*instance
	dbs          map[int64]*database // physical and logical
	orderIDStart int64
}

type user struct {
	id         int64
	name, nick string
	tenants    []*tenant // the first is the active one
}

// display is the user's name as DMS shows it in tickets.
func (u *user) display() string {
	if u.nick != "" {
		return u.nick
	}
	return u.name
}

// member reports whether the user belongs to tenant t.
func (u *user) member(t *tenant) bool {
	for _, x := range u.tenants {
		if x == t {
			return true
		}
	}
	return false
}

type tenant struct {
	id        int64
	name      string
	instances []*instance
	dbs       []*database // physical and logical, in search order
	logic     []*database
	search    searchIndex
}

type instance struct {
	id     string
	tenant *tenant
	alias  string
	host   string
	port   int
	sid    string
	dbType string
	env    string
	dba    *user
	secure bool
	dbs    []*database
}

type table struct {
	name  string
	lower string
	rows  int64
}

type database struct {
	id       int64
	tenant   *tenant
	inst     *instance // nil for a logical database
	logic    bool
	schema   string
	catalog  string
	alias    string
	encoding string
	dbType   string
	env      string
	// searchName is schema@host:port, or the schema for a logical database.
	searchName string
	owners     []*user
	secure     bool
	denied     []int64
	tables     []table // sorted by lower-cased name
	members    []*database
}

func (d *database) idString() string { return strconv.FormatInt(d.id, 10) }

func (d *database) host() string {
	if d.inst == nil {
		return ""
	}
	return d.inst.host
}

func (d *database) port() int {
	if d.inst == nil {
		return 0
	}
	return d.inst.port
}

func (d *database) sid() string {
	if d.inst == nil {
		return ""
	}
	return d.inst.sid
}

func (d *database) dialect() sqlscript.Dialect { return sqlscript.DialectFor(d.dbType) }

// table finds a table by name, ignoring case.
func (d *database) table(name string) (table, bool) {
	l := strings.ToLower(name)
	i := sort.Search(len(d.tables), func(i int) bool { return d.tables[i].lower >= l })
	if i < len(d.tables) && d.tables[i].lower == l {
		return d.tables[i], true
	}
	return table{}, false
}

// canQuery reports whether user uid has query permission on the database.
func (d *database) canQuery(uid int64) bool {
	for _, id := range d.denied {
		if id == uid {
			return false
		}
	}
	for _, m := range d.members {
		if !m.canQuery(uid) {
			return false
		}
	}
	return true
}

// secureHosted reports whether ExecuteScript may run on the database: its
// instance (every member's, for a logical database) is in Security
// Collaboration mode.
func (d *database) secureHosted() bool {
	if !d.logic {
		return d.secure
	}
	for _, m := range d.members {
		if !m.secure {
			return false
		}
	}
	return true
}

func (d *database) ownerIDs() []string {
	out := make([]string, len(d.owners))
	for i, u := range d.owners {
		out[i] = strconv.FormatInt(u.id, 10)
	}
	return out
}

func (d *database) ownerNames() []string {
	out := make([]string, len(d.owners))
	for i, u := range d.owners {
		out[i] = u.display()
	}
	return out
}

// dbaID and dbaName describe the instance's DBA, if any.
func (d *database) dbaID() string {
	if d.inst == nil || d.inst.dba == nil {
		return ""
	}
	return strconv.FormatInt(d.inst.dba.id, 10)
}

func (d *database) dbaName() string {
	if d.inst == nil || d.inst.dba == nil {
		return ""
	}
	return d.inst.dba.display()
}

// buildWorld links a validated seed.
func buildWorld(s *Seed) *world {
	w := &world{
		tenantByID:   map[int64]*tenant{},
		users:        map[int64]*user{},
		instances:    map[string]*instance{},
		dbs:          map[int64]*database{},
		orderIDStart: s.OrderIDStart,
	}
	if w.orderIDStart == 0 {
		w.orderIDStart = DefaultOrderIDStart
	}
	for _, st := range s.Tenants {
		t := &tenant{id: st.Tid, name: st.Name}
		w.tenants = append(w.tenants, t)
		w.tenantByID[t.id] = t
	}
	for _, su := range s.Users {
		u := &user{id: su.ID, name: su.Name, nick: su.NickName}
		for _, tid := range su.Tenants {
			u.tenants = append(u.tenants, w.tenantByID[tid])
		}
		w.users[u.id] = u
	}
	for _, si := range s.Instances {
		in := &instance{
			id: si.ID, tenant: w.tenantByID[si.Tid], alias: si.Alias, host: si.Host, port: si.Port,
			sid: si.Sid, dbType: si.DbType, env: strings.ToLower(si.Env), dba: w.users[si.Dba],
			secure: si.SecureHosting == nil || *si.SecureHosting,
		}
		if in.alias == "" {
			in.alias = fmt.Sprintf("%s:%d", in.host, in.port)
		}
		w.instances[in.id] = in
		in.tenant.instances = append(in.tenant.instances, in)
	}
	for _, sd := range s.Databases {
		in := w.instances[sd.Instance]
		d := &database{
			id: sd.ID, tenant: in.tenant, inst: in, schema: sd.Schema, catalog: sd.Catalog,
			alias: sd.Alias, encoding: sd.Encoding, dbType: in.dbType, env: in.env,
			secure: in.secure, denied: sd.QueryDeniedUsers, owners: w.lookupUsers(sd.Owners),
		}
		if sd.SecureHosting != nil {
			d.secure = *sd.SecureHosting
		}
		for name, rows := range sd.Tables {
			d.tables = append(d.tables, table{name: name, lower: strings.ToLower(name), rows: rows})
		}
		w.addPhysical(d)
	}
	for _, sl := range s.LogicDatabases {
		d := &database{
			id: sl.ID, tenant: w.tenantByID[sl.Tid], logic: true, schema: sl.Schema, alias: sl.Alias,
			dbType: sl.DbType, env: strings.ToLower(sl.Env), searchName: sl.Schema,
			denied: sl.QueryDeniedUsers, owners: w.lookupUsers(sl.Owners), secure: true,
		}
		sums := map[string]*table{}
		for _, id := range sl.Members {
			m := w.dbs[id]
			d.members = append(d.members, m)
			for _, t := range m.tables {
				if x, ok := sums[t.lower]; ok {
					x.rows += t.rows
				} else {
					c := t
					sums[t.lower] = &c
				}
			}
		}
		for _, t := range sums {
			d.tables = append(d.tables, *t)
		}
		sortTables(d.tables)
		w.dbs[d.id] = d
		d.tenant.dbs = append(d.tenant.dbs, d)
		d.tenant.logic = append(d.tenant.logic, d)
	}
	return w
}

// addPhysical completes a physical database's derived fields and files it
// under its tenant and instance.
func (w *world) addPhysical(d *database) {
	d.searchName = d.schema + "@" + d.inst.host + ":" + strconv.Itoa(d.inst.port)
	if d.catalog == "" {
		switch {
		case d.dialect() == sqlscript.MySQL:
			d.catalog = "def"
		case d.dialect() == sqlscript.PostgreSQL:
			d.catalog = d.schema
		default:
			d.catalog = d.inst.sid
		}
	}
	if d.encoding == "" {
		d.encoding = defaultEncoding(d.dialect())
	}
	sortTables(d.tables)
	w.dbs[d.id] = d
	d.inst.dbs = append(d.inst.dbs, d)
	d.tenant.dbs = append(d.tenant.dbs, d)
}

func defaultEncoding(dl sqlscript.Dialect) string {
	switch dl {
	case sqlscript.MySQL:
		return "utf8mb4"
	case sqlscript.PostgreSQL:
		return "UTF8"
	}
	return "AL32UTF8"
}

func sortTables(ts []table) {
	sort.Slice(ts, func(i, j int) bool { return ts[i].lower < ts[j].lower })
}

func (w *world) lookupUsers(ids []int64) []*user {
	out := make([]*user, 0, len(ids))
	for _, id := range ids {
		out = append(out, w.users[id])
	}
	return out
}

// index builds every tenant's search index; call it once all databases are in.
func (w *world) index() {
	for _, t := range w.tenants {
		t.search = buildSearchIndex(t.dbs)
	}
}
