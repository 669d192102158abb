package dmssim

import (
	"strconv"
	"strings"
)

// dbFieldsJSON are the fields the SDK's Database (GetDatabase,
// GetPhysicalDatabase, a ListDatabases item) and SearchDatabase structs
// share.
type dbFieldsJSON struct {
	DatabaseID    string       `json:"DatabaseId"`
	Host          string       `json:"Host"`
	Port          int          `json:"Port"`
	SchemaName    string       `json:"SchemaName"`
	CatalogName   string       `json:"CatalogName"`
	DbType        string       `json:"DbType"`
	EnvType       string       `json:"EnvType"`
	Logic         bool         `json:"Logic"`
	SearchName    string       `json:"SearchName"`
	Sid           string       `json:"Sid"`
	Encoding      string       `json:"Encoding"`
	DbaID         string       `json:"DbaId"`
	OwnerIDList   list[string] `json:"OwnerIdList"`
	OwnerNameList list[string] `json:"OwnerNameList"`
}

func dbFields(d *database) dbFieldsJSON {
	return dbFieldsJSON{
		DatabaseID: d.idString(), Host: d.host(), Port: d.port(), SchemaName: d.schema,
		CatalogName: d.catalog, DbType: d.dbType, EnvType: d.env, Logic: d.logic,
		SearchName: d.searchName, Sid: d.sid(), Encoding: d.encoding, DbaID: d.dbaID(),
		OwnerIDList: listOf("OwnerIds", d.ownerIDs()), OwnerNameList: listOf("OwnerNames", d.ownerNames()),
	}
}

// databaseJSON is the SDK's Database struct (GetDatabase, GetPhysicalDatabase)
// and, without DbId and InstanceAlias, its ListDatabases item.
type databaseJSON struct {
	dbFieldsJSON
	DbID          int64  `json:"DbId,omitempty"`
	InstanceID    string `json:"InstanceId"`
	InstanceAlias string `json:"InstanceAlias,omitempty"`
	State         string `json:"State"`
	DbaName       string `json:"DbaName"`
}

func physicalJSON(d *database, detail bool) databaseJSON {
	out := databaseJSON{dbFieldsJSON: dbFields(d), InstanceID: d.inst.id, State: "NORMAL", DbaName: d.dbaName()}
	if detail {
		out.DbID = d.id
		out.InstanceAlias = d.inst.alias
	}
	return out
}

// logicDatabaseJSON is the SDK's LogicDatabase struct.
type logicDatabaseJSON struct {
	DatabaseID    string       `json:"DatabaseId"`
	Logic         bool         `json:"Logic"`
	SchemaName    string       `json:"SchemaName"`
	SearchName    string       `json:"SearchName"`
	Alias         string       `json:"Alias"`
	DbType        string       `json:"DbType"`
	EnvType       string       `json:"EnvType"`
	DatabaseIDs   list[int64]  `json:"DatabaseIds"`
	OwnerIDList   list[string] `json:"OwnerIdList"`
	OwnerNameList list[string] `json:"OwnerNameList"`
}

func logicJSON(d *database) logicDatabaseJSON {
	ids := make([]int64, len(d.members))
	for i, m := range d.members {
		ids[i] = m.id
	}
	return logicDatabaseJSON{
		DatabaseID: d.idString(), Logic: true, SchemaName: d.schema, SearchName: d.searchName,
		Alias: d.alias, DbType: d.dbType, EnvType: d.env, DatabaseIDs: listOf("DatabaseIds", ids),
		OwnerIDList: listOf("OwnerIds", d.ownerIDs()), OwnerNameList: listOf("OwnerNames", d.ownerNames()),
	}
}

// database finds a database of tenant t by ID; logic says which kind. Like
// the parameter readers, it records DatabaseNotExist as the request's error
// when there is none such, and is nil then; after an error recorded before,
// it does not look and is nil.
func (x *exchange) database(t *tenant, id int64, logic bool) *database {
	if x.bad != nil {
		return nil
	}
	d := x.s.world.dbs[id]
	if d == nil || d.tenant != t || d.logic != logic {
		kind := "physical database"
		if logic {
			kind = "logical database"
		}
		x.setBad(errDatabaseNotExist("The %s %d does not exist in tenant %d.", kind, id, t.id))
		return nil
	}
	return d
}

// opListDatabases answers ListDatabases: the databases of one instance.
func opListDatabases(x *exchange) (any, *apiError) {
	t := x.tenant()
	id := x.need("InstanceId")
	offset, size := x.page()
	if x.bad != nil {
		return nil, x.bad
	}
	in := x.s.world.instances[id]
	if in == nil || in.tenant != t {
		return nil, fail("InstanceNotExist", "The instance %s does not exist in tenant %d.", id, t.id)
	}
	page := paged(in.dbs, offset, size, func(d *database) databaseJSON { return physicalJSON(d, false) })
	return pageOf(len(in.dbs), "DatabaseList", "Database", page), nil
}

// opListLogicDatabases answers ListLogicDatabases: the tenant's logical
// databases.
func opListLogicDatabases(x *exchange) (any, *apiError) {
	t := x.tenant()
	offset, size := x.page()
	if x.bad != nil {
		return nil, x.bad
	}
	page := paged(t.logic, offset, size, logicJSON)
	return pageOf(len(t.logic), "LogicDatabaseList", "LogicDatabase", page), nil
}

// opGetDatabase answers GetDatabase: a physical database by host, port and
// schema name (and SID for Oracle).
func opGetDatabase(x *exchange) (any, *apiError) {
	t := x.tenant()
	host := x.need("Host")
	port := x.needInt64("Port")
	schema := x.need("SchemaName")
	if x.bad != nil {
		return nil, x.bad
	}
	sid := x.str("Sid")
	for _, in := range t.instances {
		if !strings.EqualFold(in.host, host) || int64(in.port) != port || (sid != "" && !strings.EqualFold(sid, in.sid)) {
			continue
		}
		for _, d := range in.dbs {
			if d.schema == schema {
				return struct {
					Database databaseJSON `json:"Database"`
				}{physicalJSON(d, true)}, nil
			}
		}
	}
	return nil, errDatabaseNotExist("The database %s@%s:%d does not exist in tenant %d.", schema, host, port, t.id)
}

// opGetPhysicalDatabase answers GetPhysicalDatabase: a physical database by
// ID.
func opGetPhysicalDatabase(x *exchange) (any, *apiError) {
	t := x.tenant()
	id := x.needInt64("DbId")
	d := x.database(t, id, false)
	if x.bad != nil {
		return nil, x.bad
	}
	return struct {
		Database databaseJSON `json:"Database"`
	}{physicalJSON(d, true)}, nil
}

// opGetLogicDatabase answers GetLogicDatabase: a logical database by ID.
func opGetLogicDatabase(x *exchange) (any, *apiError) {
	t := x.tenant()
	raw := x.need("DbId")
	if x.bad != nil {
		return nil, x.bad
	}
	id, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
	if err != nil {
		return nil, errInvalidParameter("DbId", raw, "a database ID")
	}
	d := x.database(t, id, true)
	if x.bad != nil {
		return nil, x.bad
	}
	return struct {
		LogicDatabase logicDatabaseJSON `json:"LogicDatabase"`
	}{logicJSON(d)}, nil
}

// window is the page [offset, offset+size) of list.
func window[T any](list []T, offset, size int) []T {
	if offset >= len(list) {
		return nil
	}
	return list[offset:min(offset+size, len(list))]
}

// paged is the page [offset, offset+size) of list, each item as item
// renders it: an empty list, not nil, past the end (JSON [], not null).
func paged[T, J any](list []T, offset, size int, item func(T) J) []J {
	out := []J{}
	for _, v := range window(list, offset, size) {
		out = append(out, item(v))
	}
	return out
}
