package dmssim

import (
	"fmt"
	"time"
)

// This file is the ticket lifecycle, the one state machine every ticket
// follows whatever its type:
//
//	created ─► precheck ─┬─► precheck failed
//	                     └─► precheck passed ─► ready
//	ready ─SubmitOrderApproval─► auditing ─┬─► approved ─Execute…─► queued ─► running ─┬─► done
//	                                       ├─► rejected                                └─► failed
//	                                       └─(CANCEL)─► closed
//	any phase but done and closed ─CloseOrder─► closed
//
// A kind without a precheck of its own (a schema design) is created ready:
// DMS reports no precheck state for it that a client could wait for, so
// none stands between it and SubmitOrderApproval.
//
// Timed steps (the precheck, the pause before WAITING_APPLY_AUDIT, auto
// approval, a data change run by DMS once approved (ExecMode AUTO), the
// job's queue and run) are not goroutines or timers: each phase knows when
// it ends (nextTimed), and settle applies every step that is due, at the
// time it was due, before a ticket is read or changed. So the simulator's
// clock (Options.Now) drives them, and a test steps through the lifecycle
// by moving its clock.
//
// What a phase is called on the wire depends on the ticket's kind: every
// kind shares GetOrderBaseInfo's StatusCode (statusCodes), and a kind adds
// the state its own detail call reports (kind.detail: an export's
// KeyInfo.JobStatus, a data change's GetDataCorrectOrderDetail Status) and
// the state of its run (kind.task: a data change's GetDataCorrectTaskDetail
// jobStatus). ExecuteDataExport and ExecuteDataCorrect both enter
// phaseQueued (export.go, datachange.go).

// phase is where a ticket is in its lifecycle.
type phase uint8

const (
	// phasePrecheck: DMS is prechecking the ticket (Options.PrecheckDelay).
	phasePrecheck phase = iota
	// phasePrecheckFailed: the precheck failed; the ticket cannot be
	// submitted.
	phasePrecheckFailed
	// phasePrecheckPassed: the precheck has just passed (an export's
	// PRE_CHECK_SUCCESS); it can be submitted.
	phasePrecheckPassed
	// phaseReady: passed and waiting to be submitted (WAITING_APPLY_AUDIT).
	phaseReady
	// phaseAuditing: submitted; the approval process runs.
	phaseAuditing
	phaseApproved
	phaseRejected
	// phaseQueued: execution requested, waiting to be scheduled.
	phaseQueued
	// phaseRunning: executing.
	phaseRunning
	phaseDone
	phaseFailed
	phaseClosed
	phaseCount
)

// phaseWords name the phases in messages.
var phaseWords = [phaseCount]string{
	phasePrecheck:       "being prechecked",
	phasePrecheckFailed: "a ticket whose precheck failed",
	phasePrecheckPassed: "prechecked and not yet submitted for approval",
	phaseReady:          "prechecked and not yet submitted for approval",
	phaseAuditing:       "waiting for approval",
	phaseApproved:       "approved",
	phaseRejected:       "rejected",
	phaseQueued:         "waiting to run",
	phaseRunning:        "running",
	phaseDone:           "done",
	phaseFailed:         "a ticket whose execution failed",
	phaseClosed:         "closed",
}

func (p phase) String() string { return phaseWords[p] }

// statusCodes is GetOrderBaseInfo's (and ListOrders') StatusCode per phase,
// for every kind, in the spelling DMS documents (Approved with a capital A).
// "fail" is not among the documented values (UNCONFIRMED; real callers test
// for it).
var statusCodes = [phaseCount]string{
	phasePrecheck:       "new",
	phasePrecheckFailed: "new",
	phasePrecheckPassed: "new",
	phaseReady:          "new",
	phaseAuditing:       "toaudit",
	phaseApproved:       "Approved",
	phaseRejected:       "reject",
	phaseQueued:         "processing",
	phaseRunning:        "processing",
	phaseDone:           "success",
	phaseFailed:         "fail",
	phaseClosed:         "closed",
}

// statusDescs is StatusDesc per phase (free text in DMS): the StatusCode in
// words; a failed precheck adds its reason (statusDesc).
var statusDescs = [phaseCount]string{
	phasePrecheck:       "New",
	phasePrecheckFailed: "New: precheck failed",
	phasePrecheckPassed: "New",
	phaseReady:          "New",
	phaseAuditing:       "Waiting for approval",
	phaseApproved:       "Approved",
	phaseRejected:       "Rejected",
	phaseQueued:         "Processing",
	phaseRunning:        "Processing",
	phaseDone:           "Success",
	phaseFailed:         "Failed",
	phaseClosed:         "Closed",
}

// kind is what a ticket type adds to the lifecycle.
type kind struct {
	// detail is the state the type's detail call reports per phase (an
	// export's KeyInfo.JobStatus, a data change's Status); empty for a type
	// without one. A closed ticket reports the state of the phase it was
	// closed in.
	detail [phaseCount]string
	// task is the state of the ticket's run per phase, as the type's task
	// call reports it (a data change's jobStatus); empty before the run.
	task [phaseCount]string
	// executes says an approved ticket runs a job (ExecuteDataExport,
	// ExecuteDataCorrect).
	executes bool
	// prechecks says DMS prechecks the type's tickets before they can be
	// submitted.
	prechecks bool
}

// exportKind is DATA_EXPORT. DMS documents no JobStatus for a rejected
// export (UNCONFIRMED): it stays APPLY_AUDIT_SUCCESS, and StatusCode says
// reject.
var exportKind = kind{
	detail: [phaseCount]string{
		phasePrecheck:       "PRE_CHECKING",
		phasePrecheckFailed: "PRE_CHECK_FAIL",
		phasePrecheckPassed: "PRE_CHECK_SUCCESS",
		phaseReady:          "WAITING_APPLY_AUDIT",
		phaseAuditing:       "APPLY_AUDIT_SUCCESS",
		phaseApproved:       "ENABLE_EXPORT",
		phaseRejected:       "APPLY_AUDIT_SUCCESS",
		phaseQueued:         "WAITING_EXPORT",
		phaseRunning:        "DOING_EXPORT",
		phaseDone:           "EXPORT_SUCCESS",
		phaseFailed:         "EXPORT_FAIL",
	},
	executes:  true,
	prechecks: true,
}

// dataChangeKind is DC_COMMON: GetDataCorrectOrderDetail's Status in the
// spellings DMS documents (precheckFailed, not the precheck_fail a real
// caller tests for: UNCONFIRMED), "fail" for a failed run (not documented:
// UNCONFIRMED), and GetDataCorrectTaskDetail's jobStatus once it runs
// (PENDING while queued, then RUNNING, SUCCESS or FAIL; the documented
// INIT and BE_SCHEDULED are not modelled).
var dataChangeKind = kind{
	detail: [phaseCount]string{
		phasePrecheck:       "precheck",
		phasePrecheckFailed: "precheckFailed",
		phasePrecheckPassed: "precheck_success",
		phaseReady:          "precheck_success",
		phaseAuditing:       "toaudit",
		phaseApproved:       "Approved",
		phaseRejected:       "reject",
		phaseQueued:         "waiting",
		phaseRunning:        "processing",
		phaseDone:           "Success",
		phaseFailed:         "fail",
	},
	task: [phaseCount]string{
		phaseQueued:  "PENDING",
		phaseRunning: "RUNNING",
		phaseDone:    "SUCCESS",
		phaseFailed:  "FAIL",
	},
	executes:  true,
	prechecks: true,
}

// plainKind is every type without a precheck, a detail state or a job of
// its own (NDDL): it is ready to submit once created, and its lifecycle ends
// at approval.
var plainKind = kind{}

// kinds are the kinds by PluginType; a type not listed is plainKind.
var kinds = map[string]*kind{
	"DATA_EXPORT": &exportKind,
	"DC_COMMON":   &dataChangeKind,
}

func kindOf(pluginType string) *kind {
	if k, ok := kinds[pluginType]; ok {
		return k
	}
	return &plainKind
}

// life is a ticket's lifecycle state. It is guarded by Server.mu.
type life struct {
	kind  *kind
	phase phase
	// since is when the ticket entered its phase: its LastModifyTime.
	since time.Time
	// closedIn is the phase a closed ticket was closed in.
	closedIn phase
	// online says a database of the ticket is online (production or
	// pre-release), which sets the auto-approval delay.
	online   bool
	precheck precheck
	// execMode is a data change's ExecMode (COMMITOR, AUTO or
	// LAST_AUDITOR); empty for other types.
	execMode string
	// wf is the approval process, from SubmitOrderApproval on.
	wf *workflow
	// job is the ticket's run, from ExecuteDataExport or ExecuteDataCorrect
	// on (or from approval, for a data change whose ExecMode is AUTO).
	job *ticketJob
}

// ticketJob is one run of a ticket: an export's, or a data change's.
type ticketJob struct {
	id int64
	// fileType is an export's file type (CSV, SQL, XLSX or JSON); empty
	// for a data change.
	fileType string
	// requested is when the run was asked for; start is when the job is
	// scheduled: then, or ActionDetail's later startTime.
	requested, start time.Time
	// length is how long the job runs once started (Options.ExportDelay,
	// Options.DataChangeDelay).
	length time.Duration
	// token is an export's download URL's secret part.
	token string
	// fail makes the job fail (the FailJob fault).
	fail bool
}

// timing is the lifecycle's part of the Options, defaults applied.
type timing struct {
	precheck        time.Duration
	approve         ApproveMode
	offline, online time.Duration
	export          time.Duration
	change          time.Duration
}

// Lifecycle defaults.
const (
	DefaultPrecheckDelay        = 2 * time.Second
	DefaultOfflineApprovalDelay = 2 * time.Second
	DefaultOnlineApprovalDelay  = 6 * time.Second
	DefaultExportDelay          = 2 * time.Second
	DefaultDataChangeDelay      = 2 * time.Second
)

// NoDelay is a delay option meaning "at once" (zero means the default).
const NoDelay time.Duration = -1

// ApproveMode says who approves submitted tickets.
type ApproveMode string

// The approval modes.
const (
	// ApproveAuto approves every submitted ticket after
	// Options.OfflineApprovalDelay or OnlineApprovalDelay; handlers (and the
	// approver) may still act first through ApproveOrder.
	ApproveAuto ApproveMode = "auto"
	// ApproveManual leaves every ticket waiting until ApproveOrder decides:
	// the database's owners and DBA, or the approver credential
	// (Options.Approver), which may act on every node.
	ApproveManual ApproveMode = "manual"
)

// ParseApproveMode reads "auto" or "manual" (`dmsticket sim --approve`).
func ParseApproveMode(s string) (ApproveMode, error) {
	switch m := ApproveMode(s); m {
	case ApproveAuto, ApproveManual:
		return m, nil
	}
	return "", fmt.Errorf("the approval mode is %q; it is auto or manual", s)
}

// delay resolves a delay option: zero is def, negative is none.
func delay(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

// online reports whether an environment is an online one for approval:
// production and pre-release. The others (dev, test, sit, uat, pet, stag)
// are offline.
func online(env string) bool { return env == "product" || env == "pre" }

// approvalDelay is how long auto approval takes for the ticket.
func (tm *timing) approvalDelay(l *life) time.Duration {
	if l.online {
		return tm.online
	}
	return tm.offline
}

// newLife starts a ticket's lifecycle on its databases: its precheck runs
// from now (a kind without a precheck is ready at once).
func newLife(pluginType string, dbs []*database, pc precheck, now time.Time) *life {
	l := &life{kind: kindOf(pluginType), phase: phasePrecheck, since: now, precheck: pc}
	if !l.kind.prechecks {
		l.phase = phaseReady
	}
	for _, d := range dbs {
		if d != nil && online(d.env) {
			l.online = true
		}
	}
	return l
}

// nextTimed is the timed step that ends the ticket's phase, if it has one:
// when it is due and the phase it leads to.
func (s *Server) nextTimed(l *life) (time.Time, phase, bool) {
	tm := &s.timing
	switch l.phase {
	case phasePrecheck:
		if l.precheck.failure != "" {
			return l.since.Add(tm.precheck), phasePrecheckFailed, true
		}
		return l.since.Add(tm.precheck), phasePrecheckPassed, true
	case phasePrecheckPassed:
		return l.since.Add(tm.precheck / 2), phaseReady, true
	case phaseAuditing:
		if tm.approve == ApproveAuto {
			return l.wf.created.Add(tm.approvalDelay(l)), phaseApproved, true
		}
	case phaseApproved:
		if l.execMode == execAuto && l.kind.executes && l.job == nil {
			return l.since, phaseQueued, true // DMS runs it at once
		}
	case phaseQueued:
		return l.job.start.Add(l.job.length / 2), phaseRunning, true
	case phaseRunning:
		if l.job.fail {
			return l.job.start.Add(l.job.length), phaseFailed, true
		}
		return l.job.start.Add(l.job.length), phaseDone, true
	}
	return time.Time{}, 0, false
}

// settle applies the timed steps due by now, each at its due time. Called
// with s.mu held, before a ticket is read or changed.
func (s *Server) settle(o *Order, now time.Time) {
	l := o.life
	for {
		at, to, ok := s.nextTimed(l)
		if !ok || at.After(now) {
			break
		}
		switch {
		case to == phaseApproved: // auto approval: every node still open agrees
			l.wf.approveRest(at)
		case to == phaseQueued && l.job == nil: // ExecMode AUTO
			l.job = s.newJob(at, s.timing.change, false)
		}
		o.enter(to, at)
	}
	o.sync()
}

// newJob starts a run scheduled at start, lasting length. Called with s.mu
// held.
func (s *Server) newJob(start time.Time, length time.Duration, fail bool) *ticketJob {
	j := &ticketJob{id: s.nextJobID, requested: start, start: start, length: length, fail: fail}
	s.nextJobID++
	return j
}

// enter moves the ticket to phase p at time at.
func (o *Order) enter(p phase, at time.Time) {
	l := o.life
	if p == phaseClosed {
		l.closedIn = l.phase
		if l.phase == phaseQueued || l.phase == phaseRunning {
			l.closedIn = phaseFailed // closing stops the job
		}
	}
	l.phase, l.since = p, at
	o.sync()
}

// sync copies the lifecycle's state to the Order's exported fields.
func (o *Order) sync() {
	l := o.life
	o.Status = statusCodes[l.phase]
	o.JobStatus = l.detail()
	if l.wf != nil {
		o.WorkflowInstanceID = l.wf.id
	}
}

// detail is the kind's own state code now.
func (l *life) detail() string { return l.kind.detail[l.reported()] }

// task is the state of the ticket's run now, as its task call reports it;
// empty before the run.
func (l *life) task() string {
	if l.job == nil {
		return ""
	}
	return l.kind.task[l.reported()]
}

// reported is the phase whose codes the ticket reports: its phase, or for a
// closed ticket the phase it was closed in.
func (l *life) reported() phase {
	if l.phase == phaseClosed {
		return l.closedIn
	}
	return l.phase
}

// statusDesc is StatusDesc now: the phase's words, the precheck's reason
// when it failed.
func (l *life) statusDesc() string {
	if l.phase == phasePrecheckFailed {
		return statusDescs[l.phase] + ": " + l.precheck.failure
	}
	return statusDescs[l.phase]
}

// finished reports whether the ticket has ended (ListOrders' FINISHED).
func (l *life) finished() bool {
	switch l.phase {
	case phaseDone, phaseRejected, phaseFailed, phaseClosed:
		return true
	}
	return false
}

// Refusals of an operation in the wrong phase. DMS documents none of these
// codes (UNCONFIRMED): they are the simulator's, one per situation, each
// message naming the ticket, its state and what to do.
func errState(code string, o *Order, format string, args ...any) *apiError {
	return fail(code, "Ticket %d is %s (StatusCode %s). %s", o.OrderID, o.life.phase, o.Status, fmt.Sprintf(format, args...))
}
