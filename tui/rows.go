package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms"
	"dmsticket/tui/wizard"
)

// estimateMsg is the answer to one measurement.
type estimateMsg struct {
	ofSQL
	from    *rowsEstimate // a new ticket's estimate is another one, its seq counted anew
	seq     int
	sql     string // the SQL measured
	sqlHash string // its dms.SQLHash
	est     dms.RowEstimate
	err     error
}

// rowsEstimate is the affected-row measurement of the ticket's SQL: a
// component of its own in the session. The SQL step drives it (ctrl+r,
// ctrl+t, leaving the step); the details, the review and the result read
// it. It knows which text (the editor's version) each answer and each error
// is about, and drops what is about other text.
type rowsEstimate struct {
	s *session
	// running is set while a measurement is on its way, by method.
	isRunning bool
	method    dms.RowSource
	seq       int
	cancel    context.CancelFunc
	version   uint64 // the editor version being measured
	auto      bool   // started by leaving the step, not by the user's key
	started   time.Time
	last      *dms.RowEstimate // the last answer, for the per-statement figures
	err       error            // DMS's refusal or the failure of the last run
	// errVersion is the editor version err is about, and errDBs the
	// databases (dbKey): an error about other SQL or other databases is not
	// this ticket's.
	errVersion uint64
	errDBs     string
	dbs        string // the databases being measured
}

func newRowsEstimate(s *session) *rowsEstimate { return &rowsEstimate{s: s} }

// running reports a measurement on its way.
func (e *rowsEstimate) running() bool { return e.isRunning }

// counting reports an exact count on its way (ctrl+t cancels it).
func (e *rowsEstimate) counting() bool { return e.isRunning && e.method == dms.RowsCount }

// start measures the ticket's SQL (the editor's text at version) in the
// background; a measurement already on its way is cancelled.
func (e *rowsEstimate) start(method dms.RowSource, version uint64, auto bool) tea.Cmd {
	if e.cancel != nil {
		e.cancel()
	}
	e.seq++
	e.isRunning, e.method, e.err, e.started, e.auto, e.version = true, method, nil, e.s.now(), auto, version
	e.dbs = dbKey(e.s.ticket.Databases())
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	seq, t, svc := e.seq, *e.s.ticket, e.s.svc
	t.More = append([]dms.Database(nil), t.More...) // the goroutine's own copy
	return func() tea.Msg {
		defer cancel()
		hash := dms.SQLHash(t.SQL) // here: 4 MiB are not hashed between two keys
		est, err := wizard.Estimate(ctx, svc, t, method)
		return estimateMsg{from: e, seq: seq, sql: t.SQL, sqlHash: hash, est: est, err: err}
	}
}

// stop cancels the measurement on its way; its answer is dropped.
func (e *rowsEstimate) stop() {
	if e.cancel != nil {
		e.cancel()
	}
	e.seq++
	e.isRunning = false
}

// refuse records a measurement the wizard would not send (the SQL has
// statements the type does not accept), about the text at version.
func (e *rowsEstimate) refuse(problem dms.Problem, version uint64) {
	e.err = &dms.Error{Op: "ExecuteScript", Kind: dms.KindInvalid, Message: "fix the SQL first: " + problem.Message}
	e.errVersion, e.errDBs = version, dbKey(e.s.ticket.Databases())
}

// answer takes a measurement's answer; current is the editor's version now.
// An answer for text that has changed since (the editor's, or the
// ticket's) is dropped; one the wizard started by itself does not replace a
// figure the user has typed since.
func (e *rowsEstimate) answer(msg estimateMsg, current uint64) {
	if msg.from != e || msg.seq != e.seq {
		return // cancelled or superseded, or the last ticket's
	}
	e.isRunning = false
	t := e.s.ticket
	if current != e.version || msg.sql != t.SQL {
		return // the SQL changed while DMS was measuring: the answer is for old text
	}
	est := msg.est
	est.At = e.s.now() // when the answer arrived, by the program's clock
	e.last, e.err, e.errVersion, e.errDBs = &est, msg.err, e.version, e.dbs
	manual := t.Rows.Source == dms.RowsManual && t.Rows.SQLHash == msg.sqlHash
	if msg.err == nil && est.Complete && !(e.auto && manual) {
		t.Rows = est.Figure()
		e.s.changed()
		return
	}
	if msg.err != nil && t.Rows.Known() && t.Rows.Source != dms.RowsManual && (t.Rows.SQLHash != msg.sqlHash || t.RowsStale()) {
		// A figure of other SQL or other databases that could not be
		// measured again is no figure: it could never be sent, and kept it
		// made the review measure again at every enter, failing each time,
		// while Details, seeing a figure, asked for none.
		t.Rows = dms.RowFigure{}
		e.s.changed()
	}
}

// errorFor is the last measurement's failure when it is about the text at
// version and nothing is on its way: an error about other SQL is not shown.
func (e *rowsEstimate) errorFor(version uint64) error {
	if e.err == nil || e.isRunning || e.errVersion != version || e.errDBs != dbKey(e.s.ticket.Databases()) {
		return nil
	}
	return e.err
}

// lastError is the last failure, whatever text it was about (details and
// the review read it after the SQL step has been left, its text then the
// ticket's).
func (e *rowsEstimate) lastError() error { return e.errorFor(e.version) }

// lines is the affected-row panel: the figure, how and when it was
// obtained, whether it is stale, per statement; or why there is none.
func (e *rowsEstimate) lines(w int, version uint64, stale bool, statements int) []string {
	st := e.s.st
	t := e.s.ticket
	var lines []string
	switch {
	case e.isRunning:
		what := "estimating (EXPLAIN)…"
		if e.method == dms.RowsCount {
			what = "counting (COUNT)… ctrl+t cancels"
		}
		lines = append(lines, st.Info.Render(truncate("Rows: "+what, w)))
	case t.Rows.Known():
		s := "Rows: " + wizard.Thousands(t.Rows.Total) + " · " + t.Rows.Source.Label()
		if !t.Rows.At.IsZero() {
			s += " at " + t.Rows.At.Local().Format("15:04:05")
		}
		lines = append(lines, st.Value.Render(truncate(s, w)))
		if stale {
			lines = append(lines, st.Warn.Render(truncate("stale: the SQL or the databases changed — ctrl+r re-estimates", w)))
		} else {
			if len(t.Rows.Statements) > 1 {
				var per []string
				for i, n := range t.Rows.Statements {
					per = append(per, fmt.Sprintf("#%d %s", i+1, wizard.Thousands(n)))
				}
				lines = append(lines, st.Faint.Render(truncate(strings.Join(per, " · "), w)))
			}
			if len(t.Rows.PerDatabase) > 1 {
				lines = append(lines, wrap(st.Faint, "per database: "+wizard.PerDatabaseText(t.Rows, t.Databases()), w)...)
			}
		}
	case t.IgnoreAffectRows:
		lines = append(lines, st.Subtle.Render(truncate("Rows: check ignored (see Details)", w)))
	default:
		lines = append(lines, st.Subtle.Render(truncate("Rows: not measured — ctrl+r estimates, ctrl+t counts", w)))
	}
	if e.last != nil && t.Rows.Known() && !stale {
		var capped []string
		for _, sr := range e.last.Statements {
			if sr.Capped {
				capped = append(capped, fmt.Sprintf("#%d", sr.Number))
			}
		}
		if len(capped) > 0 {
			lines = append(lines, st.Faint.Render(truncate("capped by its LIMIT: "+strings.Join(capped, ", ")+" (the plan expects more rows than the LIMIT lets through)", w)))
		}
	}
	if err := e.errorFor(version); err != nil {
		if e.examined() {
			// DMS answered, but EXPLAIN's rows are rows examined, not the
			// rows the statement returns: no figure rather than a wrong one.
			lines = append(lines, bounded(wrap(st.Warn, "Not measured: "+errMessage(err), w), maxErrorLines, w)...)
			lines = append(lines, wrap(st.Subtle, "ctrl+t counts the rows exactly; or enter the figure yourself in Details.", w)...)
			return lines
		}
		if dms.KindOf(err) == dms.KindInvalid {
			// Our own refusal (nothing to measure, a dialect without EXPLAIN).
			lines = append(lines, bounded(wrap(st.Warn, "Not measured: "+errMessage(err), w), maxErrorLines, w)...)
		} else {
			lines = append(lines, bounded(wrap(st.Error, "DMS could not measure: "+errMessage(err), w), maxErrorLines, w)...)
		}
		if statements > 0 {
			advice := "Enter the figure yourself in Details, or ignore the check there with a reason."
			if tt, _ := dms.LookupType(t.Type); !tt.IgnoreRows {
				advice = "Enter the figure yourself in Details."
			}
			lines = append(lines, wrap(st.Subtle, advice, w)...)
		}
	}
	return lines
}

// examined reports that the last estimate left a statement unmeasured
// because its plan shows rows examined, not returned (GROUP BY, DISTINCT on
// the MySQL family): COUNT is the way to the figure.
func (e *rowsEstimate) examined() bool {
	if e.last == nil {
		return false
	}
	for _, sr := range e.last.Statements {
		if sr.Examined > 0 {
			return true
		}
	}
	return false
}

// maxErrorLines bounds an error in the panel: a refusal naming 10,000
// statements must not push everything else away.
const maxErrorLines = 3

// bounded keeps at most n lines, the last one ending in an ellipsis when
// some were cut.
func bounded(lines []string, n, w int) []string {
	if len(lines) <= n {
		return lines
	}
	out := append([]string(nil), lines[:n]...)
	out[n-1] = truncate(out[n-1]+" …", w)
	return out
}

// estimateAdvice is what to do about a failed measurement.
func estimateAdvice(err error) string {
	switch dms.KindOf(err) {
	case dms.KindInvalid:
		if e, ok := dms.AsError(err); ok && strings.HasPrefix(e.Message, "fix the SQL first") {
			return "esc goes back to the SQL."
		}
		// Not measured here (an engine EXPLAIN does not read, too many
		// statements): the SQL is fine.
		return "ctrl+t in the SQL step counts the rows exactly; or enter the figure from your own count below, or ignore the check with a reason."
	case dms.KindRefused:
		return "DMS refused the statement: esc goes back to the SQL to fix it, or enter the figure from your own count below, or ignore the check with a reason."
	case dms.KindPermission, dms.KindPolicy:
		return "You may not query this database: enter the figure from your own count below, or ignore the check with a reason."
	}
	return "Enter the figure from your own count below, or ignore the check with a reason; ctrl+r in the SQL step tries again."
}
