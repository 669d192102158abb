package wizard

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"dmsticket/dms"
	"dmsticket/dms/inert"
)

// estimateCalls bounds the databases measured at once.
const estimateCalls = 4

// Estimate measures the ticket's SQL on every database it acts on (one, or
// a data change's several, at most four at a time), by method, and sums
// them: each statement's figure over the databases, and the total. A
// database that could not be measured makes the estimate incomplete, its
// error naming the database; the others' figures are kept.
func Estimate(ctx context.Context, svc dms.Service, t dms.Ticket, method dms.RowSource) (dms.RowEstimate, error) {
	dbs := t.Databases()
	if len(dbs) <= 1 {
		est, err := svc.Estimate(ctx, dms.EstimateRequest{Tid: t.Tenant.ID, Database: t.Database, SQL: t.SQL, Method: method})
		est.Database = t.Database // the figure is this database's (RowsStale)
		return est, err
	}
	type answer struct {
		est dms.RowEstimate
		err error
	}
	answers := make([]answer, len(dbs))
	var wg sync.WaitGroup
	slots := make(chan struct{}, estimateCalls)
	for i, d := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			est, err := svc.Estimate(ctx, dms.EstimateRequest{Tid: t.Tenant.ID, Database: d, SQL: t.SQL, Method: method})
			answers[i] = answer{est, err}
		}()
	}
	wg.Wait()
	out := dms.RowEstimate{Method: method, Complete: true, At: time.Now(), SQLHash: dms.SQLHash(t.SQL)}
	var failed []string
	var firstErr error
	for i, a := range answers {
		de := dms.DatabaseEstimate{Database: dbs[i], Statements: a.est.Statements, Total: a.est.Total, Complete: a.err == nil && a.est.Complete}
		out.Databases = append(out.Databases, de)
		if out.RequestID == "" {
			out.RequestID = a.est.RequestID
		}
		if !de.Complete {
			out.Complete = false
			msg := "not measured"
			if a.err != nil {
				msg = ErrMessage(a.err)
				if firstErr == nil {
					firstErr = a.err
				}
			}
			failed = append(failed, inert.Line(dbs[i].Name())+": "+msg)
			continue
		}
		out.Total = satAdd(out.Total, a.est.Total)
		for j, s := range a.est.Statements {
			if j >= len(out.Statements) {
				out.Statements = append(out.Statements, dms.StatementRows{Number: s.Number})
			}
			out.Statements[j].Rows = satAdd(out.Statements[j].Rows, s.Rows)
			out.Statements[j].Capped = out.Statements[j].Capped || s.Capped
		}
	}
	if !out.Complete {
		e := &dms.Error{Op: "ExecuteScript", Kind: dms.KindOf(firstErr), Message: strings.Join(failed, "; ")}
		if firstErr == nil {
			e.Kind = dms.KindRefused
		}
		return out, e
	}
	return out, nil
}

// satAdd adds without wrapping past the largest int64.
func satAdd(a, b int64) int64 {
	if b > 0 && a > (1<<63-1)-b {
		return 1<<63 - 1
	}
	return a + b
}

// PerDatabaseText is a figure over several databases in words:
// "orders_shard_00 1,200 · orders_shard_01 1,180"; names from dbs.
func PerDatabaseText(f dms.RowFigure, dbs []dms.Database) string {
	// Two databases of one schema name (orders in production and in
	// pre-release) are told apart by their full names and environments.
	count := map[string]int{}
	for _, d := range dbs {
		count[d.SchemaName]++
	}
	names := map[int64]string{}
	for _, d := range dbs {
		names[d.ID] = d.SchemaName
		if count[d.SchemaName] > 1 {
			names[d.ID] = d.Name() + " (" + d.Env.Label() + ")"
		}
	}
	var parts []string
	for _, p := range f.PerDatabase {
		name := names[p.ID]
		if name == "" {
			name = fmt.Sprint(p.ID)
		}
		parts = append(parts, inert.Line(name)+" "+Thousands(p.Total))
	}
	return strings.Join(parts, " · ")
}
