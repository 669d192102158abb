package wizard

import (
	"context"
	"fmt"
	"strings"
	"time"

	"dmsticket/dms"
	"dmsticket/dms/inert"
)

// Following a ticket after CreateOrder (PRODUCT section 13): how often its
// status is read, which actions its state allows, and the status in plain
// words. The result screen, the accessible prompts and the status, submit,
// list and download commands all follow tickets through this.

// Poll paces the reads of a ticket's status: every 2 s at first, slowing
// (doubling) to 30 s while nothing changes, back to 2 s when something does,
// and slower still, up to 2 min, while DMS throttles.
type Poll struct {
	delay time.Duration
}

// Poll bounds.
const (
	PollFirst     = 2 * time.Second
	PollMax       = 30 * time.Second
	PollThrottled = 2 * time.Minute
)

// Next is the wait before the next read, after a read that changed the
// state or not, or failed with err.
func (p *Poll) Next(changed bool, err error) time.Duration {
	switch {
	case err != nil && dms.KindOf(err) == dms.KindThrottled:
		p.delay = min(max(2*p.delay, PollMax), PollThrottled)
	case changed || p.delay == 0:
		p.delay = PollFirst
	default:
		p.delay = min(2*p.delay, PollMax)
	}
	return p.delay
}

// Action is something the user can do to a ticket in its state.
type Action string

// The actions.
const (
	ActSubmit   Action = "submit"   // submit for approval (a)
	ActExecute  Action = "execute"  // run an approved export or a data change (x)
	ActDownload Action = "download" // download a finished export (d)
)

// Title names the action as the screens and prompts do.
func (a Action) Title() string {
	switch a {
	case ActSubmit:
		return "Submit for approval"
	case ActExecute:
		return "Run"
	case ActDownload:
		return "Download"
	}
	return string(a)
}

// ActionOutcome says what came of an action: done, or done although DMS's answer
// was lost (done with err: the ticket's state shows it happened), or
// "<action> failed", for the front end to follow with the error as it
// shows errors.
func ActionOutcome(a Action, done bool, err error) string {
	switch {
	case done && err != nil:
		return a.Title() + ": DMS's answer was lost, but the ticket's state shows it happened."
	case done:
		return a.Title() + ": done."
	}
	return a.Title() + " failed"
}

// Actions are what the ticket's state allows now. execMode is a data
// change's ExecMode ("": the one DMS reports in st, else COMMITOR): only
// COMMITOR changes are run by the one who filed them.
func Actions(st dms.Status, execMode string) []Action {
	tt, _ := dms.LookupType(st.PluginType)
	if execMode == "" {
		execMode = st.ExecMode
	}
	var out []Action
	switch st.State {
	case dms.StateReady:
		out = append(out, ActSubmit)
	case dms.StateApproved:
		if tt.Detail == dms.ExportDetail || tt.Executable && (execMode == "" || strings.EqualFold(execMode, "COMMITOR")) {
			out = append(out, ActExecute)
		}
	case dms.StateDone:
		if tt.Detail == dms.ExportDetail {
			out = append(out, ActDownload)
		}
	}
	return out
}

// Allows reports whether the state allows the action.
func Allows(st dms.Status, execMode string, a Action) bool {
	for _, x := range Actions(st, execMode) {
		if x == a {
			return true
		}
	}
	return false
}

// Names are people's names, cleaned, comma-separated: "Carol Wang (2000004)".
func Names(people []dms.Approver) string {
	var parts []string
	for _, p := range people {
		switch {
		case p.Name != "" && p.ID != 0:
			parts = append(parts, fmt.Sprintf("%s (%d)", inert.Line(p.Name), p.ID))
		case p.Name != "":
			parts = append(parts, inert.Line(p.Name))
		default:
			parts = append(parts, fmt.Sprintf("user %d", p.ID))
		}
	}
	return strings.Join(parts, ", ")
}

// StatusText is a ticket's status in plain lines, for the commands and the
// accessible prompts: the state in words, DMS's codes, the precheck figure
// per statement beside the one the ticket carries (accepted; zero Source:
// none known), why it failed or was rejected, and who holds the approval.
func StatusText(st dms.Status, accepted dms.RowFigure) []string {
	lines := []string{fmt.Sprintf("Ticket %d: %s (%s).", st.ID, st.State, st.State.Label())}
	var codes []string
	for _, kv := range [][2]string{{"StatusCode", st.Codes.StatusCode}, {"JobStatus", st.Codes.JobStatus},
		{"Status", st.Codes.DetailStatus}, {"task", st.Codes.TaskStatus}, {"WorkflowInsCode", st.Codes.WorkflowInsCode}} {
		if kv[1] != "" {
			codes = append(codes, kv[0]+" "+inert.Line(kv[1]))
		}
	}
	if len(codes) > 0 {
		lines = append(lines, "DMS says: "+strings.Join(codes, ", ")+".")
	}
	if c := CommitterText(st); c != "" {
		lines = append(lines, "Filed by: "+c+".")
	}
	if len(st.Databases) > 0 {
		lines = append(lines, Plural(len(st.Databases), "Database")+": "+DatabasesText(st)+".")
	}
	if d := strings.TrimSpace(st.Desc); d != "" && !strings.EqualFold(d, st.Codes.StatusCode) {
		lines = append(lines, "DMS's words: "+inert.Line(d))
	}
	for _, r := range PrecheckRows(st, accepted) {
		line := fmt.Sprintf("Precheck, %s: DMS counts %s", r.What, Rows(r.DMS))
		if r.HasOurs {
			line += fmt.Sprintf("; the ticket carries %s (%s)", Thousands(r.Ours), accepted.Source.Label())
		}
		lines = append(lines, line+".")
	}
	if len(st.Precheck) > 1 && accepted.Known() {
		var total int64
		for _, p := range st.Precheck {
			total += p.AffectRows
		}
		lines = append(lines, fmt.Sprintf("Precheck total: DMS %s, the ticket %s.", Thousands(total), Thousands(accepted.Total)))
	}
	if st.PrecheckCut {
		lines = append(lines, fmt.Sprintf("Precheck: the figures of the first %s statements, as many as dmsticket reads; DMS may have more (its console lists them all), and the total counts these.",
			Thousands(int64(len(st.Precheck)))))
	}
	for _, r := range st.Reasons {
		lines = append(lines, "Reason: "+inert.Line(r))
	}
	switch st.State {
	case dms.StateReady:
		if len(st.Workflow) > 0 {
			lines = append(lines, "Approval chain: "+ChainText(st.Workflow)+".")
		}
	case dms.StateApproval:
		if len(st.Handlers) > 0 {
			lines = append(lines, "Waiting for: "+Names(st.Handlers)+".")
		}
	}
	if st.ActualRows > 0 && (st.State == dms.StateDone || st.State == dms.StateRunning) {
		lines = append(lines, "Rows: "+Thousands(st.ActualRows)+".")
	}
	return lines
}

// DatabaseLabel names database id of the ticket as DMS names it, with its
// ID: "orders_00 (1100012)"; the ID alone when DMS gave no name.
func DatabaseLabel(st dms.Status, id int64) string {
	if n := inert.Line(st.DatabaseName(id)); n != "" {
		return fmt.Sprintf("%s (%d)", n, id)
	}
	return fmt.Sprint(id)
}

// DatabasesText lists the ticket's databases as DMS names them, on one
// line: "orders_00 (1100012), orders_sharded (1900001, logical)".
func DatabasesText(st dms.Status) string {
	parts := make([]string, len(st.Databases))
	for i, d := range st.Databases {
		name, id := inert.Line(d.Name), fmt.Sprint(d.ID)
		switch {
		case name != "" && d.Logic:
			parts[i] = fmt.Sprintf("%s (%s, logical)", name, id)
		case name != "":
			parts[i] = fmt.Sprintf("%s (%s)", name, id)
		case d.Logic:
			parts[i] = id + " (logical)"
		default:
			parts[i] = id
		}
	}
	return strings.Join(parts, ", ")
}

// ChainText is an approval chain on one line: "owner: Alice Zhang (2000002)
// → DBA: Carol Wang (2000004)".
func ChainText(steps []dms.WorkflowStep) string {
	var parts []string
	for _, s := range steps {
		part := inert.Line(s.Name)
		if n := Names(s.Approvers); n != "" {
			part += ": " + n
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, " → ")
}

// Passing reports whether a failed status read is worth reading again
// (throttled, DMS unavailable, no answer): a ticket being followed is not
// given up for a moment's trouble. A refusal or a permission error is not.
func Passing(err error) bool {
	switch dms.KindOf(err) {
	case dms.KindThrottled, dms.KindUnavailable, dms.KindTransport, dms.KindOutcomeUnknown:
		return true
	}
	return false
}

// Watch reads a ticket's status with Poll's pace (every fixed wait instead,
// when every > 0) until done says so or ctx ends, telling changed of each
// new state (and of the first status read). Reads that fail in passing
// (Passing) are tried again at the throttled pace; any other failure ends
// the watch with its error. The last status read comes back in every case.
func Watch(ctx context.Context, w *dms.Watcher, every time.Duration, done func(dms.Status) bool, changed func(dms.Status)) (dms.Status, error) {
	var p Poll
	var last dms.Status
	have := false
	for {
		st, err := w.Read(ctx)
		moved := false
		switch {
		case err != nil && ctx.Err() != nil:
			return last, ctx.Err()
		case err != nil && !Passing(err):
			return last, err
		case err == nil:
			moved = !have || st.State != last.State
			last, have = st, true
			if moved && changed != nil {
				changed(st)
			}
			if done(st) {
				return st, nil
			}
		}
		wait := p.Next(moved, err)
		if every > 0 {
			wait = every
		}
		if err := dms.Sleep(ctx, wait); err != nil {
			return last, err
		}
	}
}

// PrecheckRow is DMS's precheck figure beside the ticket's: per statement
// on one database, per database on several (the ticket keeps its figure per
// database, not per statement on each).
type PrecheckRow struct {
	What    string // "statement 2", or "database orders_00 (1100012)"
	DbID    int64  // the database, when the rows are per database
	DMS     int64
	Ours    int64
	HasOurs bool
}

// PrecheckRows are the precheck's figures as rows beside the accepted
// figure.
func PrecheckRows(st dms.Status, accepted dms.RowFigure) []PrecheckRow {
	dbs := map[int64]bool{}
	for _, p := range st.Precheck {
		if p.DbID != 0 {
			dbs[p.DbID] = true
		}
	}
	var out []PrecheckRow
	if len(dbs) > 1 {
		// Summed per database, in the order DMS lists them.
		index := map[int64]int{}
		for _, p := range st.Precheck {
			i, ok := index[p.DbID]
			if !ok {
				i = len(out)
				index[p.DbID] = i
				out = append(out, PrecheckRow{What: "database " + DatabaseLabel(st, p.DbID), DbID: p.DbID})
				for _, d := range accepted.PerDatabase {
					if d.ID == p.DbID && accepted.Known() {
						out[i].Ours, out[i].HasOurs = d.Total, true
					}
				}
			}
			out[i].DMS += p.AffectRows
		}
		return out
	}
	for i, p := range st.Precheck {
		n := p.Number
		if n == 0 {
			n = i + 1
		}
		r := PrecheckRow{What: fmt.Sprintf("statement %d", n), DMS: p.AffectRows}
		if accepted.Known() && n-1 < len(accepted.Statements) {
			r.Ours, r.HasOurs = accepted.Statements[n-1], true
		}
		out = append(out, r)
	}
	return out
}

// CommitterText names who filed the ticket: "Carol Wang (2000004)"; empty
// when DMS did not say.
func CommitterText(st dms.Status) string {
	name := inert.Line(st.Committer)
	switch {
	case name != "" && st.CommitterID != 0:
		return fmt.Sprintf("%s (%d)", name, st.CommitterID)
	case name != "":
		return name
	case st.CommitterID != 0:
		return fmt.Sprint(st.CommitterID)
	}
	return ""
}
