package dms

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// resolvePages bounds the SearchDatabase pages ResolveDatabase reads for one
// name, so a name that matches half of DMS as a substring stays cheap.
const resolvePages = 10

// DatabaseRefError says why a database reference (`create --db`) names no
// single database: nothing matches it, or several do (Candidates lists them).
type DatabaseRefError struct {
	Ref        string
	Tid        int64
	Candidates []Database
}

// Error implements error.
func (e *DatabaseRefError) Error() string {
	if len(e.Candidates) == 0 {
		if _, err := strconv.ParseInt(strings.TrimSpace(e.Ref), 10, 64); err == nil {
			return fmt.Sprintf("no database with ID %s in %s", strings.TrimSpace(e.Ref), tenantPhrase(e.Tid))
		}
		return fmt.Sprintf("no database is named %q in %s; give its ID or its search name, schema@host:port (a logical database: its name)", e.Ref, tenantPhrase(e.Tid))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%q matches %d databases; give the ID or the full search name of one:", e.Ref, len(e.Candidates))
	for _, d := range e.Candidates {
		b.WriteString("\n  ")
		b.WriteString(DescribeDatabase(d))
	}
	return b.String()
}

// Ambiguous reports whether several databases matched.
func (e *DatabaseRefError) Ambiguous() bool { return len(e.Candidates) > 1 }

func tenantPhrase(tid int64) string {
	if tid == 0 {
		return "the active tenant"
	}
	return fmt.Sprintf("tenant %d", tid)
}

// DescribeDatabase is a database on one line for people and logs:
// "orders@10.20.1.11:3306 (ID 1100001, production, mysql)". The name and type
// come from DMS: callers that draw it to a terminal clean it with package
// inert.
func DescribeDatabase(d Database) string {
	var parts []string
	parts = append(parts, "ID "+strconv.FormatInt(d.ID, 10))
	if d.Logic {
		parts = append(parts, "logical")
	}
	parts = append(parts, d.Env.Label())
	if d.DbType != "" {
		parts = append(parts, d.DbType)
	}
	return d.Name() + " (" + strings.Join(parts, ", ") + ")"
}

// ResolveDatabase finds the one database ref names in tenant tid (0: the
// active tenant):
//
//   - a number is a database ID: the physical database with that ID, else the
//     logical one;
//   - anything else is a search name, schema@host:port (a logical database's
//     is its name), matched exactly and case-insensitively against
//     SearchDatabase's answers; when none matches exactly, a bare schema name
//     matches databases with that schema name.
//
// When nothing or more than one database matches, the error is a
// *DatabaseRefError (with the candidates). DMS's own failures are returned as
// they came (*Error).
func ResolveDatabase(ctx context.Context, s Service, tid int64, ref string) (Database, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return Database{}, &DatabaseRefError{Ref: ref, Tid: tid}
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return databaseByID(ctx, s, tid, id, ref)
	}
	matches, err := searchExact(ctx, s, tid, ref, func(d Database) bool { return strings.EqualFold(d.SearchName, ref) })
	if err != nil {
		return Database{}, err
	}
	if len(matches) == 0 {
		if schema, _, ok := strings.Cut(ref, "@"); ok && schema != "" {
			// DMS may not match a whole search name as a search key: look
			// for the schema and compare the search names.
			matches, err = searchExact(ctx, s, tid, schema, func(d Database) bool { return strings.EqualFold(d.SearchName, ref) })
		} else {
			matches, err = searchExact(ctx, s, tid, ref, func(d Database) bool { return strings.EqualFold(d.SchemaName, ref) })
		}
		if err != nil {
			return Database{}, err
		}
	}
	if len(matches) != 1 {
		return Database{}, &DatabaseRefError{Ref: ref, Tid: tid, Candidates: matches}
	}
	return matches[0], nil
}

// databaseByID looks an ID up as a physical database, then as a logical one.
func databaseByID(ctx context.Context, s Service, tid, id int64, ref string) (Database, error) {
	if id <= 0 {
		return Database{}, &DatabaseRefError{Ref: ref, Tid: tid}
	}
	d, err := s.Database(ctx, tid, id, false)
	if err == nil {
		return d, nil
	}
	if KindOf(err) != KindRefused {
		return Database{}, err
	}
	d, lerr := s.Database(ctx, tid, id, true)
	if lerr == nil {
		return d, nil
	}
	if KindOf(lerr) != KindRefused {
		return Database{}, lerr
	}
	return Database{}, &DatabaseRefError{Ref: ref, Tid: tid}
}

// searchExact runs SearchDatabase for key, page by page, and keeps the
// databases match accepts, each once.
func searchExact(ctx context.Context, s Service, tid int64, key string, match func(Database) bool) ([]Database, error) {
	var out []Database
	seen := map[[2]int64]bool{}
	for page := 1; page <= resolvePages; page++ {
		p, err := s.SearchDatabases(ctx, SearchQuery{Tid: tid, Key: key, Page: page, PageSize: 100})
		if err != nil {
			return nil, err
		}
		for _, d := range p.Databases {
			k := [2]int64{d.ID, map[bool]int64{false: 0, true: 1}[d.Logic]}
			if match(d) && !seen[k] {
				seen[k] = true
				out = append(out, d)
			}
		}
		if !p.More() || len(p.Databases) == 0 {
			break
		}
	}
	return out, nil
}
