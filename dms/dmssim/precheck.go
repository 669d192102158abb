package dmssim

import (
	"fmt"
	"time"

	"dmsticket/dms/sqlscript"
)

// precheck is what a ticket's precheck finds. The world never changes, so it
// is computed when the ticket is created; it is revealed once the precheck
// has run (Options.PrecheckDelay).
type precheck struct {
	// statements are the SQL's statements in order (none for a type
	// without SQL).
	statements []checkedStatement
	// failure is why the precheck fails, naming the statement; "" when it
	// passes.
	failure string
}

// checkedStatement is one statement as the precheck read it.
type checkedStatement struct {
	sql string
	q   query
	// rows is the statement's affected-row figure: what COUNT answers.
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
		c := checkedStatement{sql: st.SQL}
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
		if c.problem != "" && pc.failure == "" {
			pc.failure = fmt.Sprintf("statement %d: %s", st.Number, c.problem)
		}
		pc.statements = append(pc.statements, c)
	}
	return pc
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
	return x.ticket(func(o *Order, _ time.Time) (any, *apiError) {
		if err := exportOnly(o); err != nil {
			return nil, err
		}
		items := []preCheckItemJSON{}
		if o.life.phase != phasePrecheck {
			for _, st := range o.life.precheck.statements {
				items = append(items, preCheckItemJSON{SQL: st.sql, AffectRows: st.rows})
			}
		}
		type list struct {
			Items []preCheckItemJSON `json:"PreCheckDetailList"`
		}
		type result struct {
			IgnoreAffectRows   bool `json:"IgnoreAffectRows"`
			PreCheckDetailList list `json:"PreCheckDetailList"`
		}
		ignore, _ := o.Param["ignoreAffectRows"].(bool)
		return struct {
			PreCheckResult result `json:"PreCheckResult"`
		}{result{IgnoreAffectRows: ignore, PreCheckDetailList: list{items}}}, nil
	})
}
