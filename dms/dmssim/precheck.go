package dmssim

import (
	"fmt"
	"strings"
	"time"

	"dmsticket/dms/sqlscript"
)

// precheck is what a ticket's precheck finds. The world never changes, so it
// is computed when the ticket is created; it is revealed once the precheck
// has run (Options.PrecheckDelay).
type precheck struct {
	// statements are the SQL's statements in order, on each database in
	// turn for a data change (none for a type without SQL).
	statements []checkedStatement
	// failure is why the precheck fails, naming the statement (and the
	// database, for a data change); "" when it passes. It is the first of
	// failures, every reason.
	failure  string
	failures []checkFailure
}

// checkFailure is one reason a precheck fails: the check that failed (a
// data change's TaskCheckDO CheckStep) and what it says.
type checkFailure struct {
	step string // SQL_PARSE or PERMISSION_CHECK
	tip  string
}

// fail records a reason the precheck fails.
func (pc *precheck) fail(step, tip string) {
	pc.failures = append(pc.failures, checkFailure{step, tip})
	if pc.failure == "" {
		pc.failure = tip
	}
}

// checkedStatement is one statement as the precheck read it.
type checkedStatement struct {
	// db is the database it was checked on, number its number in the SQL.
	db     *database
	number int
	sql    string
	q      query
	// kind is the statement's kind, sqlType its first keyword in capitals
	// (SELECT, INSERT, REPLACE, UPDATE, DELETE) and tables the tables it
	// names.
	kind    sqlscript.Kind
	sqlType string
	tables  []string
	// rows is the statement's affected-row figure: what COUNT answers (for
	// a data change, the rows it changes).
	rows int64
	// problem is the database's error for the statement, "" when it can
	// run.
	problem string
}

// runPrecheck checks the SQL a ticket carries (an export's exeSQL) on its
// database, as ExecuteScript would run it: a statement the planner cannot
// read, or one that names a table the database does not have, fails the
// precheck. A type without SQL always passes.
func runPrecheck(d *database, param map[string]any) precheck {
	sql, _ := param["exeSQL"].(string)
	if d == nil || sql == "" {
		return precheck{}
	}
	var pc precheck
	dl := d.dialect()
	for _, st := range sqlscript.Statements(sql, dl) {
		c := checkedStatement{db: d, number: st.Number, sql: st.SQL, kind: st.Kind, sqlType: "SELECT"}
		q, perr := readQuery(st.SQL, dl)
		switch {
		case perr != "":
			c.problem = syntaxError(dl, perr)
		default:
			c.q = q
			if c.problem = tableError(d, q); c.problem == "" {
				c.rows = compute(d, q).exact
			}
		}
		c.tables = tableNames(q.tables)
		if c.problem != "" {
			pc.fail("SQL_PARSE", fmt.Sprintf("statement %d: %s", st.Number, c.problem))
		}
		pc.statements = append(pc.statements, c)
	}
	return pc
}

// runChangePrecheck checks a data change's SQL on each of its databases, in
// each one's dialect: the committer's permission on the database, then each
// statement as EXPLAIN would read it (a statement the planner cannot read,
// or one that names a table the database lacks, fails the precheck). A
// statement's figure is the rows it changes.
func runChangePrecheck(dbs []*database, sql string, committer int64) precheck {
	var pc precheck
	for _, d := range dbs {
		if !d.canQuery(committer) {
			pc.fail("PERMISSION_CHECK", fmt.Sprintf("database %s (%d): you have no change permission on it; apply for it (a PERM_APPLY ticket) or ask its owner.", d.searchName, d.id))
		}
		dl := d.dialect()
		for _, st := range sqlscript.Statements(sql, dl) {
			c := checkedStatement{db: d, number: st.Number, sql: st.SQL, kind: st.Kind, sqlType: strings.ToUpper(st.Kind.String())}
			ch, perr := readChange(st.SQL, dl)
			switch {
			case perr != "":
				c.problem = syntaxError(dl, perr)
			default:
				c.sqlType = ch.verb
				if ch.source != nil {
					c.q = *ch.source
				}
				c.tables = tableNames(ch.tables())
				if c.problem = tableError(d, query{tables: ch.tables()}); c.problem == "" {
					c.rows = ch.figures(d).exact
				}
			}
			if c.problem != "" {
				pc.fail("SQL_PARSE", fmt.Sprintf("database %s (%d), statement %d: %s", d.searchName, d.id, st.Number, c.problem))
			}
			pc.statements = append(pc.statements, c)
		}
	}
	return pc
}

// tableNames are the tables' names, each once, in order.
func tableNames(refs []tableRef) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range refs {
		if k := strings.ToLower(r.name); !seen[k] {
			seen[k] = true
			out = append(out, r.name)
		}
	}
	return out
}

// preCheckItemJSON is the SDK's PreCheckDetailListItem.
type preCheckItemJSON struct {
	SQL        string `json:"SQL"`
	AffectRows int64  `json:"AffectRows"`
}

// opGetDataExportPreCheckDetail answers GetDataExportPreCheckDetail: once
// the precheck has run, each statement with its affected rows (the COUNT
// figure; 0 for a statement that failed). While it runs the list is empty.
func opGetDataExportPreCheckDetail(x *exchange) (any, *apiError) {
	return x.exportTicket(func(o *Order, _ time.Time) (any, *apiError) {
		items := []preCheckItemJSON{}
		if o.life.phase != phasePrecheck {
			for _, st := range o.life.precheck.statements {
				items = append(items, preCheckItemJSON{SQL: st.sql, AffectRows: st.rows})
			}
		}
		type result struct {
			IgnoreAffectRows   bool                   `json:"IgnoreAffectRows"`
			PreCheckDetailList list[preCheckItemJSON] `json:"PreCheckDetailList"`
		}
		ignore, _ := o.Param["ignoreAffectRows"].(bool)
		return struct {
			PreCheckResult result `json:"PreCheckResult"`
		}{result{IgnoreAffectRows: ignore, PreCheckDetailList: listOf("PreCheckDetailList", items)}}, nil
	})
}
