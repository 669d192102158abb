package wizard

import (
	"context"
	"fmt"
	"strings"

	"dmsticket/dms"
	"dmsticket/dms/inert"
	"dmsticket/dms/sqlscript"
)

// A ticket on several databases (a data change's shards or regions): the
// checks, confirmations and figures that cover each of them, for the
// front ends without a screen (accessible mode, create) and the review text.

// KnowMembers asks DMS for the members of each logical database among dbs
// whose members are not known yet, when dbs are several (one database
// cannot name another twice), so that dms.SpanProblem can see a logical
// database named with one of its own members: the change would run on that
// member twice.
func KnowMembers(ctx context.Context, svc dms.Service, tid int64, dbs []dms.Database) error {
	if len(dbs) < 2 {
		return nil
	}
	for i, d := range dbs {
		if !d.Logic || d.Members != nil {
			continue
		}
		full, err := svc.Database(ctx, tid, d.ID, true)
		if err != nil {
			return fmt.Errorf("%s: %w", d.Name(), err)
		}
		dbs[i].Members = append([]int64{}, full.Members...)
	}
	return nil
}

// ToConfirm are the online databases among dbs whose schema names must be
// typed before a submit: one per distinct schema name, in order (two online
// databases of the same name are confirmed by typing it once).
func ToConfirm(dbs []dms.Database) []dms.Database {
	var out []dms.Database
	seen := map[string]bool{}
	for _, d := range dbs {
		if d.Env.Online() && !seen[d.SchemaName] {
			seen[d.SchemaName] = true
			out = append(out, d)
		}
	}
	return out
}

// Sharing are the online databases among dbs whose schema name is d's: the
// ones typing that name once confirms (ToConfirm), d among them.
func Sharing(dbs []dms.Database, d dms.Database) []dms.Database {
	var out []dms.Database
	for _, o := range dbs {
		if o.Env.Online() && o.SchemaName == d.SchemaName {
			out = append(out, o)
		}
	}
	return out
}

// SharingText names the databases a schema name confirms when it is several's
// (Sharing): "orders@10.20.1.11:3306 (production) and orders@10.30.1.11:3306
// (pre-release)"; empty when it is d's alone.
func SharingText(dbs []dms.Database, d dms.Database) string {
	sh := Sharing(dbs, d)
	if len(sh) < 2 {
		return ""
	}
	parts := make([]string, len(sh))
	for i, o := range sh {
		parts[i] = inert.Line(o.Name()) + " (" + o.Env.Label() + ")"
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// Online are the online databases among dbs (product, pre), in order.
func Online(dbs []dms.Database) []dms.Database {
	var out []dms.Database
	for _, d := range dbs {
		if d.Env.Online() {
			out = append(out, d)
		}
	}
	return out
}

// OnlineText is the online databases among dbs in words: "orders@10.20.1.11:3306
// (production)", or for several "3 online databases: order_shard_00@… (production),
// …"; empty when none is online.
func OnlineText(dbs []dms.Database) string {
	on := Online(dbs)
	parts := make([]string, len(on))
	for i, d := range on {
		parts[i] = inert.Line(d.Name()) + " (" + d.Env.Label() + ")"
	}
	switch len(on) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return fmt.Sprintf("%d online databases: %s", len(on), strings.Join(parts, ", "))
}

// EstimateLines are an estimate's figures in plain lines, for the front ends
// without a screen. On one database: each statement's figure (or why there
// is none). On several: each database's total with its statements', or why
// it could not be measured, one line each; the sums are the caller's to say.
func EstimateLines(est dms.RowEstimate) []string {
	if len(est.Databases) == 0 {
		var lines []string
		for _, s := range est.Statements {
			lines = append(lines, statementLine(s))
		}
		return lines
	}
	var lines []string
	for _, d := range est.Databases {
		name := inert.Line(d.Database.Name())
		var failed []string
		for _, s := range d.Statements {
			if s.Err != "" {
				failed = append(failed, fmt.Sprintf("statement %d: %s", s.Number, inert.Line(s.Err)))
			}
		}
		switch {
		case len(failed) > 0:
			lines = append(lines, fmt.Sprintf("On %s: not measured: %s", name, strings.Join(failed, "; ")))
		case !d.Complete:
			lines = append(lines, fmt.Sprintf("On %s: not measured", name))
		case len(d.Statements) > 1:
			per := make([]string, len(d.Statements))
			for i, s := range d.Statements {
				per[i] = fmt.Sprintf("statement %d: %s", s.Number, Thousands(s.Rows))
			}
			lines = append(lines, fmt.Sprintf("On %s: %s (%s)", name, Rows(d.Total), strings.Join(per, ", ")))
		default:
			lines = append(lines, fmt.Sprintf("On %s: %s", name, Rows(d.Total)))
		}
	}
	return lines
}

func statementLine(s dms.StatementRows) string {
	if s.Err != "" {
		return fmt.Sprintf("Statement %d: not measured: %s", s.Number, inert.Line(s.Err))
	}
	line := fmt.Sprintf("Statement %d: %s", s.Number, Rows(s.Rows))
	if s.Capped {
		line += " (capped by its LIMIT: the plan expects more rows than the LIMIT lets through)"
	}
	return line
}

// ChoiceText is a value of a details input with choices, with what it means
// when dmsticket knows: "COMMITOR (you run it once it is approved)".
func ChoiceText(inputID, value string) string {
	if m := ChoiceMeaning(inputID, value); m != "" {
		return value + " (" + m + ")"
	}
	return value
}

// ChoiceMeaning is what a value of a details input with choices means, in
// a few words; empty when dmsticket has none to say.
func ChoiceMeaning(inputID, value string) string {
	if inputID == "exec-mode" {
		return ExecModeMeaning(value)
	}
	return ""
}

// ExecModeMeaning says who runs a data change of the ExecMode once it is
// approved; empty for a value dmsticket does not know.
func ExecModeMeaning(mode string) string {
	switch mode {
	case "COMMITOR":
		return "you run it once it is approved"
	case "AUTO":
		return "DMS runs it as soon as it is approved"
	case "LAST_AUDITOR":
		return "the last approver runs it"
	}
	return ""
}

// ScriptText is a script's size in words: "2 statements, 3 lines".
func ScriptText(sql string, d sqlscript.Dialect) string {
	n := len(sqlscript.Statements(sql, d))
	lc := strings.Count(strings.TrimRight(sql, "\n"), "\n") + 1
	return Count(n, "statement") + ", " + Count(lc, "line")
}

// Unmeasured reports an estimate that DMS answered without a figure for
// some statements: "the rows could not be measured", not "DMS could not".
func Unmeasured(err error) bool {
	e, ok := dms.AsError(err)
	return ok && e.Unmeasured
}

// MeasureFailedText heads a failed estimate, to go on a sentence: "the
// rows could not be measured" or "DMS could not measure the rows".
func MeasureFailedText(err error) string {
	if Unmeasured(err) {
		return "the rows could not be measured"
	}
	return "DMS could not measure the rows"
}

// EstimateErrorText is ErrorText for a failed estimate: over several
// databases the message, which EstimateLines already said database by
// database, is left out; for an estimate DMS answered whose statements'
// lines say why some have no figure (dms.Error.Unmeasured), nothing: it
// is no failure of DMS's.
func EstimateErrorText(est dms.RowEstimate, err error) []string {
	if Unmeasured(err) {
		return nil
	}
	lines := ErrorText(err)
	if len(est.Databases) == 0 {
		return lines
	}
	out := lines[:0:0]
	for _, l := range lines {
		if !strings.HasPrefix(l, "Message: ") {
			out = append(out, l)
		}
	}
	return out
}
