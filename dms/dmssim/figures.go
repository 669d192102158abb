package dmssim

import (
	"hash/fnv"
	"math"
	"regexp"
	"strings"

	"dmsticket/dms/sqlscript"
)

// This file turns a query into row figures. The seed's row counts are the
// planner's statistics:
//   - the base is the row count of the largest table the query names (1 when
//     it names none);
//   - each WHERE predicate multiplies it by a selectivity in [0.01, 0.6]
//     derived from a hash of the predicate's normalised text;
//   - the exact COUNT is the estimate off by 5 to 35 per cent, up or down,
//     derived from a hash of the whole query, as real planners are off;
//   - LIMIT n caps both.
// The same SQL, however laid out, always gives the same figures.

// hash64 is FNV-1a over the parts, NUL-separated.
func hash64(parts ...string) uint64 {
	h := fnv.New64a()
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{0})
		}
		h.Write([]byte(p))
	}
	return h.Sum64()
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// selectivity is the fraction of rows a predicate keeps: [0.01, 0.6].
func selectivity(pred string) float64 { return 0.01 + 0.59*unit(hash64("selectivity", pred)) }

// deviation is how far the exact count is from the estimate: ±[0.05, 0.35].
func deviation(norm string) float64 {
	h := hash64("deviation", norm)
	d := 0.05 + 0.30*unit(h)
	if h&1 == 1 {
		return -d
	}
	return d
}

// figures are a query's row numbers.
type figures struct {
	base     int64 // rows of the largest table
	estimate int64 // what EXPLAIN says, capped by LIMIT
	rawEst   int64 // the estimate before LIMIT
	exact    int64 // what COUNT says, capped by LIMIT
}

// tableError checks that every table the query names exists in the database,
// returning the database's own error text for the first that does not.
func tableError(d *database, q query) string {
	for _, t := range q.tables {
		if t.schema != "" && !strings.EqualFold(t.schema, d.schema) &&
			!(d.dialect() == sqlscript.PostgreSQL && strings.EqualFold(t.schema, "public")) {
			return missingTable(d, t)
		}
		if _, ok := d.table(t.name); !ok {
			return missingTable(d, t)
		}
	}
	return ""
}

// missingTable is the error a database of d's dialect gives for table t.
func missingTable(d *database, t tableRef) string {
	switch d.dialect() {
	case sqlscript.MySQL:
		schema := t.schema
		if schema == "" {
			schema = d.schema
		}
		return "Table '" + schema + "." + t.name + "' doesn't exist"
	case sqlscript.PostgreSQL:
		name := t.name
		if t.schema != "" {
			name = t.schema + "." + t.name
		}
		return `ERROR: relation "` + name + `" does not exist`
	}
	return "ORA-00942: table or view does not exist"
}

// compute returns the query's figures on database d (whose tables exist).
func compute(d *database, q query) figures {
	f := figures{base: 1}
	if len(q.tables) > 0 {
		f.base = 0
		for _, t := range q.tables {
			tb, _ := d.table(t.name)
			f.base = max(f.base, tb.rows)
		}
	}
	est := float64(f.base)
	keyed := int64(-1) // rows a primary-key predicate names, when one does
	for _, p := range q.preds {
		if n, ok := keyRows(p.norm); ok && f.base > 0 {
			keyed = min(n, f.base)
			continue
		}
		est *= selectivity(p.norm)
	}
	if keyed >= 0 {
		// id = 7 or id IN (1, 2, 3): the primary key names the rows, as a
		// planner knows from the unique index; the other predicates can
		// only keep fewer.
		est = math.Min(est, float64(keyed))
	}
	f.rawEst = int64(math.Round(est))
	if f.base > 0 && f.rawEst < 1 && keyed != 0 {
		f.rawEst = 1
	}
	f.exact = max(0, int64(math.Round(est*(1+deviation(q.norm)))))
	if keyed >= 0 {
		f.exact = f.rawEst
	}
	f.estimate = f.rawEst
	if q.limited {
		f.estimate = min(f.estimate, q.limit)
		f.exact = min(f.exact, q.limit)
	}
	return f
}

// keyPredicate is a primary-key predicate as normalise writes it: id = 7,
// o . id = 7, id in ( 1 , 2 , 3 ).
var keyPredicate = regexp.MustCompile(`^(?:[a-z_][a-z0-9_]* \. )?id (?:= (\d+)|in \( (\d+(?: , \d+)*) \))$`)

// keyRows is how many rows a primary-key predicate names: 1 for id = n,
// the distinct values listed for id IN (…).
func keyRows(norm string) (int64, bool) {
	m := keyPredicate.FindStringSubmatch(norm)
	if m == nil {
		return 0, false
	}
	if m[1] != "" {
		return 1, true
	}
	seen := map[string]bool{}
	for _, v := range strings.Split(m[2], " , ") {
		seen[v] = true
	}
	return int64(len(seen)), true
}
