package dms

import (
	"context"
	"errors"
	"strings"
	"sync"
)

// Status is a ticket as dmsticket follows it after CreateOrder: its state,
// DMS's codes behind it, and what the state needs shown.
type Status struct {
	ID         int64  `json:"orderId"`
	Tid        int64  `json:"tid,omitempty"`
	PluginType string `json:"pluginType"`
	State      State  `json:"state"`
	Codes      Codes  `json:"dms"`
	// Committer is who filed the ticket, as DMS names them (only they may
	// submit it for approval).
	Committer   string `json:"committer,omitempty"`
	CommitterID int64  `json:"committerId,omitempty"`
	// Desc is DMS's own words for the status (StatusDesc).
	Desc    string `json:"statusDesc,omitempty"`
	Comment string `json:"comment,omitempty"`
	// Precheck is DMS's figure per statement, once the precheck has run.
	Precheck []PrecheckLine `json:"precheck,omitempty"`
	// PrecheckCut says Precheck holds the first MaxPrecheckLines figures
	// of a data change, as many as are read: DMS may have more.
	PrecheckCut bool `json:"precheckCut,omitempty"`
	// Reasons say why the precheck failed, or why the ticket was rejected.
	Reasons []string `json:"reasons,omitempty"`
	// Workflow is the approval chain (before the submit, from
	// PreviewWorkflow; after it, the approval's own steps).
	Workflow []WorkflowStep `json:"workflow,omitempty"`
	// Handlers hold the approval now.
	Handlers []Approver `json:"currentHandlers,omitempty"`
	// WorkflowID is the approval's workflow instance, once submitted.
	WorkflowID int64 `json:"workflowInstanceId,omitempty"`
	// ActualRows is the rows the execution touched or exported, once done.
	ActualRows int64 `json:"actualAffectRows,omitempty"`
	// ExecMode is a data change's ExecMode as DMS reports it (COMMITOR,
	// AUTO, LAST_AUDITOR): who runs it once approved.
	ExecMode string `json:"execMode,omitempty"`
	// Databases are a data change's databases as its detail lists them,
	// in its order.
	Databases []StatusDatabase `json:"databases,omitempty"`
}

// StatusDatabase is a database a ticket acts on, as DMS names it; Name is
// empty when DMS gave none.
type StatusDatabase struct {
	ID    int64  `json:"dbId"`
	Logic bool   `json:"logic,omitempty"`
	Name  string `json:"name,omitempty"`
}

// DatabaseName is the name DMS gave database id of the ticket, or "".
func (st Status) DatabaseName(id int64) string {
	for _, d := range st.Databases {
		if d.ID == id {
			return d.Name
		}
	}
	return ""
}

// Watcher reads one ticket's status, again and again, asking DMS each time
// only what can have changed: the base info and the type's detail call on
// every read; the approval chain once before the submit; the precheck
// figures once they exist; the approval detail while it is under way.
//
// A Watcher may be used from several goroutines (a read on its way when an
// action starts): its calls take turns.
type Watcher struct {
	mu         sync.Mutex
	svc        Service
	tid, id    int64
	pluginType string
	last       Status
	workflow   []WorkflowStep
	precheck   []PrecheckLine
}

// NewWatcher follows ticket id of tenant tid; pluginType may be empty when
// it is not known (it is read from DMS then).
func NewWatcher(svc Service, tid, id int64, pluginType string) *Watcher {
	return &Watcher{svc: svc, tid: tid, id: id, pluginType: pluginType}
}

// Last is the status the last Read returned.
func (w *Watcher) Last() Status {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}

// ID is the ticket the watcher follows.
func (w *Watcher) ID() int64 { return w.id }

// Read asks DMS where the ticket stands now.
func (w *Watcher) Read(ctx context.Context) (Status, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.read(ctx)
}

func (w *Watcher) read(ctx context.Context) (Status, error) {
	o, err := w.svc.Order(ctx, w.tid, w.id)
	if err != nil {
		return w.last, err
	}
	if o.PluginType != "" {
		w.pluginType = o.PluginType
	}
	st := Status{ID: w.id, Tid: w.tid, PluginType: w.pluginType, Desc: o.StatusDesc, Comment: o.Comment, WorkflowID: o.WorkflowID,
		Committer: o.Committer, CommitterID: o.CommitterID}
	st.Codes.StatusCode = o.Status
	d, err := w.svc.Detail(ctx, w.tid, w.id, w.pluginType)
	switch {
	case errors.Is(err, ErrNoDetail):
	case err != nil:
		return w.last, err
	default:
		st.Codes.JobStatus, st.Codes.DetailStatus, st.Codes.TaskStatus = d.JobStatus, d.Status, d.TaskStatus
		st.ActualRows, st.ExecMode = d.ActualAffectRows, d.ExecMode
		for _, db := range d.Databases {
			st.Databases = append(st.Databases, StatusDatabase{ID: db.DbId, Logic: db.Logic, Name: d.Names[db.DbId]})
		}
		st.Reasons = append(st.Reasons, d.Tips...)
	}
	st.State = StateOf(st.Codes)
	if st.State == StateApproval || st.State == StateRejected {
		if o.WorkflowID != 0 {
			a, err := w.svc.Approval(ctx, w.tid, o.WorkflowID)
			if err != nil {
				return w.last, err
			}
			st.Codes.WorkflowInsCode = a.Code
			st.Workflow, st.Handlers = a.Steps, a.Handlers
			if st.State == StateRejected {
				st.Reasons = append(st.Reasons, a.Reasons...)
			}
			st.State = StateOf(st.Codes)
		}
	}
	if st.State == StateReady || st.State == StatePrecheck {
		if w.workflow == nil && st.State == StateReady {
			steps, err := w.svc.Workflow(ctx, w.tid, w.id)
			if err != nil {
				return w.last, err
			}
			w.workflow = append([]WorkflowStep{}, steps...)
		}
		st.Workflow = w.workflow
	}
	if tt, ok := LookupType(w.pluginType); ok && tt.Has(StepSQL) && tt.Detail != NoDetail && st.State != StatePrecheck && w.precheck == nil {
		if lines, err := w.svc.Precheck(ctx, w.tid, w.id, w.pluginType); err == nil && len(lines) > 0 {
			w.precheck = lines
		}
	}
	st.Precheck = w.precheck
	st.PrecheckCut = len(st.Precheck) >= MaxPrecheckLines
	if st.State == StatePrecheckFailed && len(st.Reasons) == 0 && strings.TrimSpace(o.StatusDesc) != "" {
		st.Reasons = []string{o.StatusDesc}
	}
	w.last = st
	return st, nil
}

// Submit submits the ticket for approval once, and then reads where it
// stands. A submit that failed or whose answer was lost may have happened:
// the state read after it says. submitted is true when the ticket is in
// approval or beyond; err is the submit's own failure, so submitted with a
// non-nil err is a submission whose answer was lost.
func (w *Watcher) Submit(ctx context.Context) (st Status, submitted bool, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	serr := w.svc.SubmitForApproval(ctx, w.tid, w.id)
	return w.settle(ctx, serr, func(s State) bool { return s.Reached(StateApproval) || s == StateRejected })
}

// Execute runs an approved ticket once, as its type runs (Execute: an
// export for fileType, a data change), and then reads where it stands; as
// Submit, a lost answer is settled by the state (started with a non-nil
// err).
func (w *Watcher) Execute(ctx context.Context, fileType string) (st Status, started bool, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pluginType == "" {
		if _, err := w.read(ctx); err != nil {
			return w.last, false, err
		}
	}
	eerr := Execute(ctx, w.svc, w.tid, w.id, w.pluginType, fileType)
	return w.settle(ctx, eerr, func(s State) bool { return s == StateRunning || s == StateDone || s == StateFailed })
}

// Execute runs an approved ticket of the type once: ExecuteDataExport for
// an export (for fileType, CSV by default), ExecuteDataCorrect for a data
// change (whose ExecMode is COMMITOR: DMS runs AUTO ones itself, and the
// last approver LAST_AUDITOR ones). Its failures are ExecuteExport's and
// ExecuteDataChange's: after a failed or lost answer, read the state before
// anything else.
func Execute(ctx context.Context, svc Service, tid, id int64, pluginType, fileType string) error {
	tt, ok := LookupType(pluginType)
	switch {
	case ok && tt.Detail == ExportDetail:
		return svc.ExecuteExport(ctx, tid, id, fileType)
	case ok && tt.Detail == DataChangeDetail:
		return svc.ExecuteDataChange(ctx, tid, id)
	}
	return &Error{Op: "Execute", Kind: KindInvalid, Message: "dmsticket runs exports and data changes, not " + orUnknown(pluginType) + " tickets"}
}

func orUnknown(pluginType string) string {
	if pluginType == "" {
		return "unknown"
	}
	return pluginType
}

// settle reads the state after a write that answered werr: it happened when
// the state says so, or when DMS answered and the read failed (the state
// comes at the next read).
func (w *Watcher) settle(ctx context.Context, werr error, happened func(State) bool) (Status, bool, error) {
	st, rerr := w.read(ctx)
	if rerr != nil {
		return st, werr == nil, werr
	}
	return st, happened(st.State), werr
}
