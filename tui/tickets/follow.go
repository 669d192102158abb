package tickets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"dmsticket/dms"
	"dmsticket/tui/wizard"
)

// DefaultTimeout is how long submit, download and create --submit wait for
// the ticket, the precheck included, unless --timeout says otherwise.
const DefaultTimeout = 30 * time.Minute

// maxSends is how many times one command sends a write (SubmitOrderApproval,
// ExecuteDataExport) whose answer was lost while the state read afterwards
// says it did not happen. A throttled write is not counted: the gateway
// refused it before DMS saw it.
const maxSends = 3

// Clock is the time the commands wait by. The zero Clock is the real one;
// tests give a clock that Sleep moves on, so nothing really waits.
type Clock struct {
	// Now is the time; nil: time.Now.
	Now func() time.Time
	// Sleep waits d, or until ctx ends (then it returns ctx's error); nil:
	// dms.Sleep.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (c Clock) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c Clock) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	return dms.Sleep(ctx, d)
}

// Goal is what a command waits for.
type Goal struct {
	// Want is the state to wait for: "" for none (submit returns once the
	// ticket is submitted), dms.StateApproved, or dms.StateDone (an
	// approved export is then run, once, for FileType, and an approved data
	// change whose ExecMode is COMMITOR, once; AUTO and LAST_AUDITOR ones
	// are waited for; a type that DMS does not run, a schema design, is
	// done when approved).
	Want dms.State
	// FileType is what an export is run for: CSV, SQL, XLSX or JSON; "":
	// CSV.
	FileType string
	// Timeout bounds the whole wait, the precheck's included; 0:
	// DefaultTimeout.
	Timeout time.Duration
}

// ParseWait reads --wait: approved or done.
func ParseWait(s string) (dms.State, error) {
	switch st := dms.State(strings.ToLower(strings.TrimSpace(s))); st {
	case dms.StateApproved, dms.StateDone:
		return st, nil
	}
	return "", fmt.Errorf("--wait is %q; it is approved or done", s)
}

// ParseFileType reads --file-type: CSV, SQL, XLSX or JSON, in any case;
// "" is CSV.
func ParseFileType(s string) (string, error) {
	ft := strings.ToUpper(strings.TrimSpace(s))
	if ft == "" {
		return "CSV", nil
	}
	for _, t := range dms.ExportFileTypes {
		if t == ft {
			return ft, nil
		}
	}
	return "", fmt.Errorf("--file-type is %q; it is one of %s", s, strings.Join(dms.ExportFileTypes, ", "))
}

// Follow is one ticket followed from the command line: read with
// dms.Watcher at wizard.Poll's pace, every change of state said on
// Narration (stderr), the writes sent once.
type Follow struct {
	Service dms.Service
	Tid, ID int64
	// Narration gets what happens, a line each (stderr); nil: nothing.
	Narration io.Writer
	Clock     Clock
}

// Submit submits the ticket for approval and waits for g.Want, as `dmsticket
// submit` and `create --submit` do. A ticket DMS is still prechecking is
// waited for first; a ticket already submitted is not submitted again (it is
// said, and the wait goes on). SubmitOrderApproval is sent once: after a
// failure or a lost answer the state is read, and the submit is sent again
// only when the state says it did not happen.
//
// It returns the last status read (zero if none was) and nil when the ticket
// is submitted and has reached g.Want, or else a *wizard.ExitError whose code
// says why not (PRODUCT section 13): 1 the ticket ended short of it
// (rejected, failed, closed, the precheck failed) or DMS refused, 3 the
// time-out, 130 interrupted. What happened has been said on Narration.
func (f Follow) Submit(ctx context.Context, g Goal) (dms.Status, error) {
	fl := f.follower(g)
	fl.decide = fl.decideSubmit
	return fl.run(ctx)
}

// Wait waits for g.Want without submitting the ticket: a ticket that needs
// to be submitted first ends the wait (exit 1, saying so). With Want done an
// approved export is run once, for g.FileType. The results are Submit's.
func (f Follow) Wait(ctx context.Context, g Goal) (dms.Status, error) {
	fl := f.follower(g)
	fl.decide = fl.decideWait
	return fl.run(ctx)
}

func (f Follow) follower(g Goal) *follower {
	if g.Timeout <= 0 {
		g.Timeout = DefaultTimeout
	}
	if g.FileType == "" {
		g.FileType = "CSV"
	}
	fl := &follower{Follow: f, g: g, w: dms.NewWatcher(f.Service, f.Tid, f.ID, ""), said: map[string]bool{}}
	fl.deadline = f.Clock.now().Add(g.Timeout)
	return fl
}

// follower is one wait: the watcher, the pace, what has been sent.
type follower struct {
	Follow
	g        Goal
	w        *dms.Watcher
	last     dms.State // the state read last
	poll     wizard.Poll
	deadline time.Time // zero: none (status --watch)
	// pace is the error that sets the next pause (a throttled write).
	pace error
	// decide looks at each status read: stop (with the error to return) or
	// keep waiting; it may send a write (acted: poll again soon).
	decide func(ctx context.Context, st dms.Status) (stop, acted bool, err error)
	// onChange, when set, gets every status whose state differs from the
	// one before, instead of the narration (status --watch prints them).
	onChange func(st dms.Status)
	// submitted says the ticket is known to be submitted; submits and
	// executes count the writes sent.
	submitted, executed bool
	submits, executes   int
	said                map[string]bool
}

// errTimedOut is the error of a wait whose time-out passed.
var errTimedOut = errors.New("timed out")

func (f *follower) say(format string, args ...any) {
	if f.Narration != nil {
		fmt.Fprintf(f.Narration, format+"\n", args...)
	}
}

// once says a line the first time key comes up.
func (f *follower) once(key, format string, args ...any) {
	if !f.said[key] {
		f.said[key] = true
		f.say(format, args...)
	}
}

// run reads the status until decide stops, pausing between reads as the
// poll says, within the deadline.
func (f *follower) run(ctx context.Context) (dms.Status, error) {
	for {
		st, err := f.w.Read(ctx)
		if err != nil {
			if e := f.readFailed(ctx, err); e != nil {
				return f.w.Last(), e
			}
			if e := f.pause(ctx, false, err); e != nil {
				return f.w.Last(), e
			}
			continue
		}
		changed := st.State != f.last
		if changed {
			f.changed(st)
		}
		stop, acted, err := f.decide(ctx, st)
		if stop {
			return f.w.Last(), err
		}
		pace := f.pace
		f.pace = nil
		if e := f.pause(ctx, changed || acted, pace); e != nil {
			return f.w.Last(), e
		}
	}
}

// changed takes a status whose state is new: onChange gets it, or else the
// narration says it.
func (f *follower) changed(st dms.Status) {
	f.last = st.State
	if f.onChange != nil {
		f.onChange(st)
		return
	}
	f.say("%s", stateLine(st))
}

// readFailed decides about a read that failed: nil keeps waiting (DMS is
// throttling, unavailable or unreachable for now), else the error that ends
// the command, said.
func (f *follower) readFailed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return f.interrupted(ctx.Err())
	}
	switch dms.KindOf(err) {
	case dms.KindThrottled, dms.KindUnavailable, dms.KindTransport, dms.KindOutcomeUnknown:
		f.say("Could not read ticket %d's state (%s).", f.ID, wizard.ErrMessage(err))
		return nil
	}
	f.say("dmsticket: could not read ticket %d's state.", f.ID)
	sayError(f.Narration, err)
	sayNotFound(f.Narration, err, f.Tid)
	return wizard.Exit(wizard.CodeFor(ctx, err), err)
}

// pause waits before the next read: the poll's pace, cut short by the
// deadline; past the deadline the wait has timed out.
func (f *follower) pause(ctx context.Context, changed bool, err error) error {
	d := f.poll.Next(changed, err)
	if err != nil && dms.KindOf(err) == dms.KindThrottled {
		f.say("DMS is throttling requests: asking again in %s.", d)
	}
	if !f.deadline.IsZero() {
		left := f.deadline.Sub(f.Clock.now())
		if left <= 0 {
			return f.timedOut()
		}
		d = min(d, left)
	}
	if e := f.Clock.sleep(ctx, d); e != nil {
		return f.interrupted(e)
	}
	return nil
}

func (f *follower) timedOut() error {
	st := f.w.Last()
	f.say("dmsticket stopped waiting after %s: ticket %d's state is still %s (%s). It goes on without dmsticket: dmsticket status %d --watch follows it.",
		f.g.Timeout, f.ID, st.State, st.State.Label(), f.ID)
	return wizard.Exit(wizard.ExitTimedOut, fmt.Errorf("ticket %d: %w after %s", f.ID, errTimedOut, f.g.Timeout))
}

func (f *follower) interrupted(err error) error {
	if st := f.w.Last(); st.State != "" {
		f.say("Interrupted: dmsticket stopped waiting. Ticket %d is %s (%s); it goes on without dmsticket.", f.ID, st.State, st.State.Label())
	} else {
		f.say("Interrupted.")
	}
	return wizard.Exit(wizard.ExitInterrupted, err)
}

// decideSubmit is Submit's: wait out the precheck, submit once, then wait for
// the goal.
func (f *follower) decideSubmit(ctx context.Context, st dms.Status) (stop, acted bool, err error) {
	switch st.State {
	case dms.StatePrecheck:
		f.once("precheck", "DMS is prechecking ticket %d: dmsticket submits it when the precheck passes (waiting up to %s).", f.ID, f.g.Timeout)
		return false, false, nil
	case dms.StateReady:
		if f.submitted {
			// DMS said yes; its state has not caught up yet.
			return false, false, nil
		}
		return f.submit(ctx)
	case dms.StateUnknown:
		if !f.submitted {
			f.say("dmsticket does not know DMS's codes for ticket %d (%s), so it does not submit it: look at the ticket in the DMS console.", f.ID, codesText(st.Codes))
			return true, false, wizard.Exit(wizard.ExitTicketEnded, fmt.Errorf("ticket %d: unknown DMS codes %s", f.ID, codesText(st.Codes)))
		}
	}
	if stop, err := f.ended(st); stop {
		return true, false, err
	}
	if !f.submitted && st.State != dms.StateUnknown {
		f.submitted = true
		if f.submits == 0 {
			f.say("Ticket %d was already submitted for approval: it is not submitted again.", f.ID)
		}
	}
	if f.g.Want == "" {
		return true, false, nil
	}
	return f.toward(ctx, st)
}

// decideWait is Wait's: the goal, without submitting.
func (f *follower) decideWait(ctx context.Context, st dms.Status) (stop, acted bool, err error) {
	if stop, err := f.ended(st); stop {
		return true, false, err
	}
	switch st.State {
	case dms.StatePrecheck, dms.StateReady:
		if f.g.Want == "" {
			return true, false, nil
		}
		f.say("Ticket %d is not submitted for approval yet: run dmsticket submit %d first.", f.ID, f.ID)
		return true, false, wizard.Exit(wizard.ExitTicketEnded, fmt.Errorf("ticket %d is %s, not submitted", f.ID, st.State))
	}
	if f.g.Want == "" {
		return true, false, nil
	}
	return f.toward(ctx, st)
}

// ended stops at a final state short of the goal (exit 1); done is the end
// every goal is reached by.
func (f *follower) ended(st dms.Status) (bool, error) {
	if !st.State.Final() || st.State == dms.StateDone {
		return false, nil
	}
	f.say("Ticket %d ended: %s.", f.ID, st.State.Label())
	for _, r := range st.Reasons {
		f.say("  Reason: %s", cleanLine(r))
	}
	switch st.State {
	case dms.StatePrecheckFailed:
		f.say("Fix what the precheck names and file the ticket again (dmsticket create, or e on the wizard's result screen).")
	case dms.StateRejected:
		f.say("The approvers said no: dmsticket status %d shows what DMS says.", f.ID)
	}
	return true, wizard.Exit(wizard.ExitTicketEnded, fmt.Errorf("ticket %d is %s", f.ID, st.State))
}

// toward waits for the goal from a submitted ticket, running an approved
// export once when the goal is done.
func (f *follower) toward(ctx context.Context, st dms.Status) (stop, acted bool, err error) {
	if reached(st, f.g.Want) {
		return true, false, nil
	}
	if st.State == dms.StateApproved && f.g.Want == dms.StateDone {
		tt, _ := dms.LookupType(st.PluginType)
		switch {
		case tt.Detail == dms.ExportDetail && !f.executed:
			return f.execute(ctx, st)
		case tt.Executable && wizard.Allows(st, "", wizard.ActExecute) && !f.executed:
			// A data change its committer runs (ExecMode COMMITOR).
			return f.execute(ctx, st)
		case tt.Executable && strings.EqualFold(st.ExecMode, "LAST_AUDITOR"):
			f.once("runs-itself", "Ticket %d is approved; waiting for the last approver to run it (ExecMode LAST_AUDITOR).", f.ID)
		case tt.Executable && strings.EqualFold(st.ExecMode, "AUTO"):
			f.once("runs-itself", "Ticket %d is approved; waiting for DMS to run it (ExecMode AUTO).", f.ID)
		case tt.Detail != dms.ExportDetail && !tt.Executable:
			f.once("runs-itself", "Ticket %d is approved; waiting for DMS to run it.", f.ID)
		}
	}
	if st.State == dms.StateApproval && len(st.Handlers) > 0 {
		f.once("handlers:"+wizard.Names(st.Handlers), "Waiting for %s to approve ticket %d.", wizard.Names(st.Handlers), f.ID)
	}
	return false, false, nil
}

// reached reports whether a ticket's status is as far as want: the state
// itself or beyond it (dms.State.Reached), and for a type DMS does not run
// (a schema design, whose job ends at approval) done is approved.
func reached(st dms.Status, want dms.State) bool {
	if st.State.Reached(want) {
		return true
	}
	return want == dms.StateDone && jobEnd(st.PluginType) == dms.StateApproved && st.State.Reached(dms.StateApproved)
}

// jobEnd is the state a ticket type's job ends in: done for a type that runs
// (an export, a data change), approved for one DMS does not run for
// dmsticket (a schema design, or a type dmsticket does not know).
func jobEnd(pluginType string) dms.State {
	tt, ok := dms.LookupType(pluginType)
	if ok && (tt.Detail == dms.ExportDetail || tt.Executable) {
		return dms.StateDone
	}
	return dms.StateApproved
}

// submit sends SubmitOrderApproval once and settles its outcome by the state
// read after it. Without a state to wait for, the command ends there.
func (f *follower) submit(ctx context.Context) (stop, acted bool, err error) {
	f.submits++
	f.say("Submitting ticket %d for approval.", f.ID)
	ok, stop, err := f.send(ctx, "SubmitOrderApproval", f.submits, "submitted", fmt.Sprintf("Submitted ticket %d for approval.", f.ID),
		func(ctx context.Context) error { return f.Service.SubmitForApproval(ctx, f.Tid, f.ID) },
		func(s dms.State) bool {
			return s.Reached(dms.StateApproval) || s == dms.StateRejected || s == dms.StateClosed
		})
	if !ok {
		return stop, false, err
	}
	f.submitted = true
	return f.g.Want == "", true, nil
}

// execute runs the approved ticket once, as its type runs (dms.Execute:
// ExecuteDataExport for an export, ExecuteDataCorrect for a data change),
// and settles its outcome by the state read after it.
func (f *follower) execute(ctx context.Context, st dms.Status) (stop, acted bool, err error) {
	f.executes++
	op, what := "ExecuteDataExport", "export"
	if tt, _ := dms.LookupType(st.PluginType); tt.Detail == dms.DataChangeDetail {
		op, what = "ExecuteDataCorrect", "data change"
		f.say("Running the data change of ticket %d.", f.ID)
	} else {
		f.say("Running the export of ticket %d (%s).", f.ID, f.g.FileType)
	}
	ok, stop, err := f.send(ctx, op, f.executes, "started", fmt.Sprintf("Started the %s of ticket %d.", what, f.ID),
		func(ctx context.Context) error {
			return dms.Execute(ctx, f.Service, f.Tid, f.ID, st.PluginType, f.g.FileType)
		},
		func(s dms.State) bool { return s == dms.StateRunning || s == dms.StateDone || s == dms.StateFailed })
	if !ok {
		return stop, false, err
	}
	f.executed = true
	return false, true, nil
}

// send sends a write once, then reads the state (success is said when DMS
// says yes, done is the effect in a word): ok when DMS said yes, or
// when the answer was lost but the state shows the write's effect (took).
// Otherwise writeFailed decides (stop, err).
func (f *follower) send(ctx context.Context, op string, sent int, done, success string, write func(context.Context) error, took func(dms.State) bool) (ok, stop bool, err error) {
	werr := write(ctx)
	st, rerr := f.w.Read(ctx)
	shows := rerr == nil && took(st.State)
	switch {
	case werr == nil && (shows || rerr != nil):
		f.say("%s", success)
	case werr == nil:
		f.say("DMS took %s for ticket %d; its state has not caught up yet.", op, f.ID)
	case shows:
		f.say("The answer to %s was lost (%s), but DMS now shows ticket %d as %s: it was %s, once.", op, wizard.ErrMessage(werr), f.ID, st.State, done)
	}
	if rerr == nil && st.State != f.last {
		f.changed(st)
	}
	if werr == nil || shows {
		return true, false, nil
	}
	stop, _, err = f.writeFailed(ctx, op, sent, werr)
	return false, stop, err
}

// writeFailed decides about a write that failed and that the state read
// after it does not show as done: a throttled write is sent again after the
// wait, a lost one (the state says it did not happen) at most maxSends
// times; anything else ends the command.
func (f *follower) writeFailed(ctx context.Context, op string, sent int, err error) (stop, acted bool, _ error) {
	if ctx.Err() != nil {
		f.say("Interrupted while %s was on its way: it may have happened. dmsticket status %d says.", op, f.ID)
		return true, false, wizard.Exit(wizard.ExitInterrupted, err)
	}
	switch k := dms.KindOf(err); {
	case k == dms.KindThrottled:
		if op == "SubmitOrderApproval" {
			f.submits--
		} else {
			f.executes--
		}
		f.say("DMS throttled %s for ticket %d: nothing happened, and it is sent again after the wait.", op, f.ID)
		f.pace = err
		return false, false, nil
	case k == dms.KindRefused && op == "SubmitOrderApproval" && precheckRunning(err):
		// A type whose precheck DMS reports in no state of its own (a schema
		// design): the refusal says it is still running. Nothing happened.
		f.submits--
		f.once("precheck-refused", "DMS is still prechecking ticket %d (%s): dmsticket submits it when the precheck passes (waiting up to %s).",
			f.ID, wizard.ErrMessage(err), f.g.Timeout)
		return false, false, nil
	case (k == dms.KindOutcomeUnknown || k == dms.KindTransport || k == dms.KindUnavailable) && sent < maxSends:
		f.say("%s for ticket %d got no answer (%s). dmsticket reads the state before anything else.", op, f.ID, wizard.ErrMessage(err))
		return false, false, nil
	}
	f.say("dmsticket: DMS did not take %s for ticket %d.", op, f.ID)
	sayError(f.Narration, err)
	return true, false, wizard.Exit(wizard.CodeFor(ctx, err), err)
}

// precheckRunning reports whether DMS refused a submit because the
// precheck has not passed yet (DMS documents no code: UNCONFIRMED; the
// simulator says PrecheckNotPassed), rather than because it failed.
func precheckRunning(err error) bool {
	de, ok := dms.AsError(err)
	if !ok {
		return false
	}
	c := strings.ToLower(de.Code)
	return strings.Contains(c, "precheck") && !strings.Contains(c, "fail")
}

// stateLine is a status on one line, for narration: "Ticket 40000001:
// approval (waiting for approval)."
func stateLine(st dms.Status) string {
	line := fmt.Sprintf("Ticket %d: %s (%s).", st.ID, st.State, st.State.Label())
	if st.State.Label() == string(st.State) {
		line = fmt.Sprintf("Ticket %d: %s.", st.ID, st.State)
	}
	if st.State == dms.StateUnknown {
		line += " DMS says " + codesText(st.Codes) + "."
	}
	return line
}

// codesText is DMS's codes on one line, cleaned.
func codesText(c dms.Codes) string {
	var parts []string
	for _, kv := range [][2]string{{"StatusCode", c.StatusCode}, {"JobStatus", c.JobStatus}, {"Status", c.DetailStatus},
		{"task", c.TaskStatus}, {"WorkflowInsCode", c.WorkflowInsCode}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+" "+cleanLine(kv[1]))
		}
	}
	if len(parts) == 0 {
		return "no codes"
	}
	return strings.Join(parts, ", ")
}

// sayError writes an error's plain lines, indented.
func sayError(w io.Writer, err error) {
	if w == nil {
		return
	}
	for _, l := range wizard.ErrorText(err) {
		fmt.Fprintf(w, "  %s\n", l)
	}
}
