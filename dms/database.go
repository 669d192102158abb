package dms

import (
	"fmt"
	"strconv"
	"strings"

	"dmsticket/dms/sqlscript"
)

// Tenant is a DMS tenant the user belongs to.
type Tenant struct {
	ID     int64  `json:"tid"`
	Name   string `json:"name,omitempty"`
	Status string `json:"status,omitempty"`
}

// Label is the tenant as a person reads it: "Acme (3000001)".
func (t Tenant) Label() string {
	switch {
	case t.ID == 0 && t.Name == "":
		return "default tenant"
	case t.Name == "":
		return strconv.FormatInt(t.ID, 10)
	case t.ID == 0:
		return t.Name
	}
	return fmt.Sprintf("%s (%d)", t.Name, t.ID)
}

// Database is a DMS database a ticket targets: a physical schema on an instance,
// or a logical database spread over several.
type Database struct {
	ID         int64  `json:"id"`
	Logic      bool   `json:"logic"`
	SchemaName string `json:"schemaName"`
	SearchName string `json:"searchName,omitempty"`
	Host       string `json:"host,omitempty"`
	Port       int    `json:"port,omitempty"`
	DbType     string `json:"dbType,omitempty"`
	Env        Env    `json:"envType,omitempty"`
	Alias      string `json:"alias,omitempty"`
	InstanceID string `json:"instanceId,omitempty"`
	// Members are a logical database's physical databases (GetLogicDatabase's
	// DatabaseIds), once DMS was asked: nil when not known. A data change
	// may not name a logical database and one of its members too.
	Members []int64 `json:"members,omitempty"`
}

// SpanProblem says how dbs, a ticket's databases, name one physical
// database twice through a logical database's members (a change on a
// logical database runs on each member: with the member named too, it runs
// there twice), or "" when they do not, as far as the members are known.
func SpanProblem(dbs []Database) string {
	by := map[int64]Database{} // a physical database -> the first that names it
	for _, d := range dbs {
		if !d.Logic {
			if prev, ok := by[d.ID]; ok && prev.Logic {
				return fmt.Sprintf("names %s, which the logical database %s (%d) includes: the change would run on it twice; name the logical database or its members, not both", d.Name(), prev.Name(), prev.ID)
			}
			by[d.ID] = d
			continue
		}
		for _, m := range d.Members {
			prev, ok := by[m]
			switch {
			case ok && prev.Logic:
				return fmt.Sprintf("names the logical databases %s (%d) and %s (%d), which both include database %d: the change would run on it twice", prev.Name(), prev.ID, d.Name(), d.ID, m)
			case ok:
				return fmt.Sprintf("names %s, which the logical database %s (%d) includes: the change would run on it twice; name the logical database or its members, not both", prev.Name(), d.Name(), d.ID)
			}
			by[m] = d
		}
	}
	return ""
}

// Location is where the database lives: "host:port", or "logical".
func (d Database) Location() string {
	if d.Logic {
		return "logical"
	}
	if d.Host == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", d.Host, d.Port)
}

// Name is the database's search name when DMS gave one, else schema@location.
func (d Database) Name() string {
	if d.SearchName != "" {
		return d.SearchName
	}
	if loc := d.Location(); loc != "" && !d.Logic {
		return d.SchemaName + "@" + loc
	}
	return d.SchemaName
}

// Dialect is the SQL dialect the database speaks, for splitting and highlighting.
func (d Database) Dialect() sqlscript.Dialect { return sqlscript.DialectFor(d.DbType) }

// IsZero reports whether no database has been chosen.
func (d Database) IsZero() bool { return d.ID == 0 }

// ParseDatabaseID reads a DMS database ID, which the API sometimes returns as a
// string.
func ParseDatabaseID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%q is not a DMS database ID (a positive whole number)", s)
	}
	return id, nil
}

// Confirmed is database had as DMS just answered it (GetPhysicalDatabase,
// GetLogicDatabase): DMS's word for everything, but the alias, which
// GetPhysicalDatabase does not carry (its InstanceAlias names the
// instance), stays the one the search or the file gave, when that named
// the database as DMS does (a ticket file that called production orders
// orders_dev had its alias, "Orders (dev)", shown beside DMS's production:
// found by an adversarial run).
func Confirmed(had, answer Database) Database {
	if answer.Alias == "" && had.SchemaName == answer.SchemaName && had.Host == answer.Host {
		answer.Alias = had.Alias
	}
	return answer
}
