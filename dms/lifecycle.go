package dms

import (
	"context"
	"strconv"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	dmssdk "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"
)

// State is where a ticket stands, in our words (PRODUCT section 13). DMS
// spreads it over several codes (GetOrderBaseInfo's StatusCode, an export's
// JobStatus, a data change's Status, the workflow's WorkflowInsCode); StateOf
// reads them all.
type State string

// The states of a ticket.
const (
	StatePrecheck       State = "precheck"        // DMS is checking it
	StatePrecheckFailed State = "precheck-failed" // the check failed: fix and file again
	StateReady          State = "ready"           // checked, not submitted for approval
	StateApproval       State = "approval"        // waiting for the approvers
	StateApproved       State = "approved"        // approved, not run yet
	StateRejected       State = "rejected"
	StateRunning        State = "running" // being executed or exported
	StateDone           State = "done"
	StateFailed         State = "failed"
	StateClosed         State = "closed"
	// StateUnknown is a combination of DMS codes dmsticket does not know:
	// the raw codes are shown.
	StateUnknown State = "unknown"
)

// States lists every state, in lifecycle order.
var States = []State{StatePrecheck, StatePrecheckFailed, StateReady, StateApproval, StateApproved, StateRejected,
	StateRunning, StateDone, StateFailed, StateClosed, StateUnknown}

// Final reports whether nothing more happens to a ticket in this state.
func (s State) Final() bool {
	switch s {
	case StatePrecheckFailed, StateRejected, StateDone, StateFailed, StateClosed:
		return true
	}
	return false
}

// Label is the state in a sentence's words.
func (s State) Label() string {
	switch s {
	case StatePrecheck:
		return "DMS is prechecking it"
	case StatePrecheckFailed:
		return "the precheck failed"
	case StateReady:
		return "prechecked, ready to submit for approval"
	case StateApproval:
		return "waiting for approval"
	case StateApproved:
		return "approved, not run yet"
	case StateRejected:
		return "an approver rejected it"
	case StateRunning:
		return "DMS is running it"
	case StateDone:
		return "finished"
	case StateFailed:
		return "the run failed"
	case StateClosed:
		return "closed; nothing more happens to it"
	}
	return "in a state dmsticket does not know"
}

// Reached reports whether a ticket in state s has got at least as far as
// want on the way to it (for --wait): approved is reached by running and
// done too.
func (s State) Reached(want State) bool {
	order := map[State]int{StatePrecheck: 1, StateReady: 2, StateApproval: 3, StateApproved: 4, StateRunning: 5, StateDone: 6}
	a, ok1 := order[s]
	b, ok2 := order[want]
	return ok1 && ok2 && a >= b || s == want
}

// Codes are DMS's own codes behind a state, as DMS spelled them.
type Codes struct {
	StatusCode      string `json:"statusCode,omitempty"`      // GetOrderBaseInfo
	JobStatus       string `json:"jobStatus,omitempty"`       // an export's KeyInfo.JobStatus
	DetailStatus    string `json:"detailStatus,omitempty"`    // a data change's Status
	TaskStatus      string `json:"taskStatus,omitempty"`      // a data change's task jobStatus
	WorkflowInsCode string `json:"workflowInsCode,omitempty"` // GetApprovalDetail
}

// StateOf is the one reading of DMS's codes as our state. Codes are
// compared case-insensitively, in their documented spellings and the known
// variants (APPLY_AUDIT_SUCESS, precheck_fail); an unknown combination is
// StateUnknown, and the caller shows the codes.
func StateOf(c Codes) State {
	status := strings.ToLower(strings.TrimSpace(c.StatusCode))
	job := strings.ToUpper(strings.TrimSpace(c.JobStatus))
	detail := strings.ToLower(strings.TrimSpace(c.DetailStatus))
	task := strings.ToUpper(strings.TrimSpace(c.TaskStatus))
	wf := strings.ToUpper(strings.TrimSpace(c.WorkflowInsCode))
	switch {
	case status == "closed" || wf == "CANCEL" || task == "DELETE":
		// A deleted task (jobStatus DELETE) runs no more: UNCONFIRMED
		// that DMS then reports the ticket closed.
		return StateClosed
	case status == "reject" || status == "rejected" || wf == "REJECT" || detail == "reject":
		return StateRejected
	case job == "EXPORT_FAIL" || task == "FAIL" || detail == "fail" || detail == "failed" || status == "fail" || status == "failed":
		return StateFailed
	case status == "success" || job == "EXPORT_SUCCESS" || detail == "success" || task == "SUCCESS":
		return StateDone
	case status == "processing" || job == "DOING_EXPORT" || job == "WAITING_EXPORT" || detail == "processing" || detail == "waiting" ||
		task == "RUNNING" || task == "PENDING" || task == "BE_SCHEDULED" || task == "INIT" || task == "PAUSE":
		return StateRunning
	case status == "approved" || job == "ENABLE_EXPORT" || detail == "approved" || wf == "APPROVED":
		return StateApproved
	case status == "toaudit" || status == "auditing" || job == "APPLY_AUDIT_SUCCESS" || job == "APPLY_AUDIT_SUCESS" || detail == "toaudit" || wf == "AUDITING":
		return StateApproval
	case job == "PRE_CHECK_FAIL" || strings.Contains(detail, "fail") && strings.Contains(detail, "precheck"):
		return StatePrecheckFailed
	case job == "PRE_CHECKING" || detail == "precheck" || detail == "new" && status == "new" && c.DetailStatus != "":
		return StatePrecheck
	case job == "PRE_CHECK_SUCCESS" || job == "WAITING_APPLY_AUDIT" || detail == "precheck_success":
		return StateReady
	case status == "new" && job == "" && c.DetailStatus == "":
		// A type without a precheck of its own (a schema design): new is
		// ready to submit.
		return StateReady
	}
	return StateUnknown
}

// PrecheckLine is one statement as DMS's precheck saw it (on one of its
// databases, for a data change).
type PrecheckLine struct {
	SQL        string `json:"sql"`
	AffectRows int64  `json:"affectRows"`
	// DbID is the database, for a data change; Number the statement's
	// number on it (its place in the SQL), from 1.
	DbID   int64 `json:"dbId,omitempty"`
	Number int   `json:"statement,omitempty"`
	// SQLType, Tables and Review are a data change's: the statement's kind
	// (UPDATE, DELETE, …), the tables it names, and DMS's SQL review status
	// (WAITING, RUNNING, IGNORE, PASS, BLOCK).
	SQLType string `json:"sqlType,omitempty"`
	Tables  string `json:"tables,omitempty"`
	Review  string `json:"reviewStatus,omitempty"`
}

// Approver is a person in an approval chain.
type Approver struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// WorkflowStep is one node of an approval chain.
type WorkflowStep struct {
	Name      string     `json:"name"`
	Approvers []Approver `json:"approvers,omitempty"`
	// Done says the node has acted (approval detail only), and Code how.
	Code string `json:"code,omitempty"`
	// Comment is what the node's approver wrote when acting (approval
	// detail only).
	Comment string `json:"comment,omitempty"`
}

// Approval is a ticket's approval as GetApprovalDetail reports it.
type Approval struct {
	Code     string         `json:"workflowInsCode"`
	Steps    []WorkflowStep `json:"steps"`
	Handlers []Approver     `json:"currentHandlers"`
	// Reasons are what the approvers who rejected it wrote (the rejecting
	// nodes' OperateComment). ReasonList is not read for them: it carries
	// the ticket's own reason category (its classify).
	Reasons []string `json:"reasons,omitempty"`
}

// Download is where an export's file is.
type Download struct {
	Ready bool   `json:"ready"`
	URL   string `json:"url,omitempty"`
	Tip   string `json:"tip,omitempty"`
}

// ExportFileTypes are the file types an export can be run for.
var ExportFileTypes = []string{"CSV", "SQL", "XLSX", "JSON"}

// Workflow implements Service: the approval chain a ticket will go through
// (PreviewWorkflow).
func (c *Client) Workflow(ctx context.Context, tenant, id int64) ([]WorkflowStep, error) {
	req := dmssdk.CreatePreviewWorkflowRequest()
	req.Tid, req.OrderId = tid(tenant), requests.NewInteger64(id)
	resp, err := readCall(ctx, c, "PreviewWorkflow", req, func(sc *dmssdk.Client) (*dmssdk.PreviewWorkflowResponse, error) { return sc.PreviewWorkflow(req) })
	if err != nil {
		return nil, err
	}
	var steps []WorkflowStep
	for _, n := range resp.WorkflowDetail.WorkflowNodeList.WorkflowNode {
		steps = append(steps, nodeStep(n))
	}
	return steps, nil
}

// nodeStep reads a workflow node; the SDK maps the approvers under several
// names.
func nodeStep(n dmssdk.WorkflowNode) WorkflowStep {
	st := WorkflowStep{Name: n.NodeName, Code: n.WorkflowInsCode, Comment: strings.TrimSpace(n.OperateComment)}
	seen := map[int64]bool{}
	for _, list := range [][]dmssdk.AuditUser{n.AuditUserList.AuditUser, n.AuditUsers.AuditUser} {
		for _, u := range list {
			if !seen[u.UserId] {
				seen[u.UserId] = true
				name := u.NickName
				if name == "" {
					name = u.RealName
				}
				st.Approvers = append(st.Approvers, Approver{ID: u.UserId, Name: name})
			}
		}
	}
	for _, s := range n.AuditUserIdList.AuditUserIds {
		if id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil && !seen[id] {
			seen[id] = true
			st.Approvers = append(st.Approvers, Approver{ID: id})
		}
	}
	return st
}

// Approval implements Service: GetApprovalDetail of a ticket's workflow.
func (c *Client) Approval(ctx context.Context, tenant, workflowID int64) (Approval, error) {
	req := dmssdk.CreateGetApprovalDetailRequest()
	req.Tid, req.WorkflowInstanceId = tid(tenant), requests.NewInteger64(workflowID)
	resp, err := readCall(ctx, c, "GetApprovalDetail", req, func(sc *dmssdk.Client) (*dmssdk.GetApprovalDetailResponse, error) { return sc.GetApprovalDetail(req) })
	if err != nil {
		return Approval{}, err
	}
	d := resp.ApprovalDetail
	a := Approval{Code: d.WorkflowInsCode}
	for _, n := range d.WorkflowNodes.WorkflowNode {
		step := nodeStep(n)
		a.Steps = append(a.Steps, step)
		if strings.EqualFold(step.Code, "REJECT") && step.Comment != "" {
			a.Reasons = append(a.Reasons, step.Comment)
		}
	}
	for _, h := range d.CurrentHandlers.CurrentHandler {
		a.Handlers = append(a.Handlers, Approver{ID: h.Id, Name: h.NickName})
	}
	return a, nil
}

// Precheck implements Service: DMS's precheck figure per statement of the
// ticket's type: an export's (GetDataExportPreCheckDetail), a data change's
// per statement on each of its databases (ListDataCorrectPreCheckSQL, every
// page, in DMS's order). Nil for a type without SQL.
func (c *Client) Precheck(ctx context.Context, tenant, id int64, pluginType string) ([]PrecheckLine, error) {
	tt, _ := LookupType(pluginType)
	switch tt.Detail {
	case ExportDetail:
		return c.exportPrecheck(ctx, tenant, id)
	case DataChangeDetail:
		return c.dataChangePrecheck(ctx, tenant, id)
	}
	return nil, nil
}

func (c *Client) exportPrecheck(ctx context.Context, tenant, id int64) ([]PrecheckLine, error) {
	req := dmssdk.CreateGetDataExportPreCheckDetailRequest()
	req.Tid, req.OrderId = tid(tenant), requests.NewInteger64(id)
	resp, err := readCall(ctx, c, "GetDataExportPreCheckDetail", req, func(sc *dmssdk.Client) (*dmssdk.GetDataExportPreCheckDetailResponse, error) {
		return sc.GetDataExportPreCheckDetail(req)
	})
	if err != nil {
		return nil, err
	}
	var out []PrecheckLine
	for i, it := range resp.PreCheckResult.PreCheckDetailList.PreCheckDetailListItem {
		out = append(out, PrecheckLine{SQL: it.SQL, AffectRows: it.AffectRows, Number: i + 1})
	}
	return out, nil
}

// Precheck pages: ListDataCorrectPreCheckSQL's PageSize (DMS documents no
// maximum: UNCONFIRMED) and how many pages are read at most.
const (
	precheckPageSize = 100
	precheckPages    = 100
)

// MaxPrecheckLines is how many of a data change's precheck figures are read
// at most (precheckPages of precheckPageSize): a status read asks no more
// than a hundred pages.
const MaxPrecheckLines = precheckPages * precheckPageSize

func (c *Client) dataChangePrecheck(ctx context.Context, tenant, id int64) ([]PrecheckLine, error) {
	var out []PrecheckLine
	numbers := map[int64]int{}
	for page := 1; page <= precheckPages; page++ {
		req := dmssdk.CreateListDataCorrectPreCheckSQLRequest()
		req.Tid, req.OrderId = tid(tenant), requests.NewInteger64(id)
		req.PageNumber, req.PageSize = requests.NewInteger(page), requests.NewInteger(precheckPageSize)
		resp, err := readCall(ctx, c, "ListDataCorrectPreCheckSQL", req, func(sc *dmssdk.Client) (*dmssdk.ListDataCorrectPreCheckSQLResponse, error) {
			return sc.ListDataCorrectPreCheckSQL(req)
		})
		if err != nil {
			return nil, err
		}
		for _, it := range resp.PreCheckSQLList {
			numbers[it.DbId]++
			out = append(out, PrecheckLine{SQL: it.CheckSQL, AffectRows: it.AffectRows, DbID: it.DbId, Number: numbers[it.DbId],
				SQLType: it.SqlType, Tables: it.TableNames, Review: it.SqlReviewStatus})
		}
		if len(resp.PreCheckSQLList) < precheckPageSize {
			break
		}
	}
	return out, nil
}

// DownloadURL implements Service: where a finished export's file is
// (GetDataExportDownloadURL).
func (c *Client) DownloadURL(ctx context.Context, tenant, id int64) (Download, error) {
	req := dmssdk.CreateGetDataExportDownloadURLRequest()
	req.Tid, req.OrderId = tid(tenant), requests.NewInteger64(id)
	resp, err := readCall(ctx, c, "GetDataExportDownloadURL", req, func(sc *dmssdk.Client) (*dmssdk.GetDataExportDownloadURLResponse, error) {
		return sc.GetDataExportDownloadURL(req)
	})
	if err != nil {
		return Download{}, err
	}
	r := resp.DownloadURLResult
	return Download{Ready: r.HasResult && r.URL != "", URL: r.URL, Tip: r.TipMessage}, nil
}

// SubmitForApproval implements Service: SubmitOrderApproval, sent once. A
// failure after the request was sent is KindOutcomeUnknown: the submit may
// have happened; read the state before doing anything else.
func (c *Client) SubmitForApproval(ctx context.Context, tenant, id int64) error {
	req := dmssdk.CreateSubmitOrderApprovalRequest()
	req.Tid, req.OrderId = tid(tenant), requests.NewInteger64(id)
	return writeCall(ctx, c, "SubmitOrderApproval", req, func(sc *dmssdk.Client) (*dmssdk.SubmitOrderApprovalResponse, error) {
		return sc.SubmitOrderApproval(req)
	})
}

// ExecuteExport implements Service: ExecuteDataExport for a file type
// (CSV by default), sent once.
func (c *Client) ExecuteExport(ctx context.Context, tenant, id int64, fileType string) error {
	if fileType == "" {
		fileType = "CSV"
	}
	req := dmssdk.CreateExecuteDataExportRequest()
	req.Tid, req.OrderId = tid(tenant), requests.NewInteger64(id)
	// The SDK sends the map as one JSON value (keys sorted).
	req.ActionDetail = map[string]any{"fileType": strings.ToUpper(fileType), "encoding": "UTF8", "mode": "FAST"}
	return writeCall(ctx, c, "ExecuteDataExport", req, func(sc *dmssdk.Client) (*dmssdk.ExecuteDataExportResponse, error) { return sc.ExecuteDataExport(req) })
}

// ExecuteDataChange implements Service: ExecuteDataCorrect of an approved
// data change, sent once, with ActionDetail {"backupData":true,
// "transaction":false} as the documented sequence sends it (DMS's defaults
// for them are UNCONFIRMED). Tid is a string parameter of this operation.
func (c *Client) ExecuteDataChange(ctx context.Context, tenant, id int64) error {
	req := dmssdk.CreateExecuteDataCorrectRequest()
	if tenant != 0 {
		req.Tid = strconv.FormatInt(tenant, 10)
	}
	req.OrderId = requests.NewInteger64(id)
	req.ActionDetail = map[string]any{"backupData": true, "transaction": false}
	return writeCall(ctx, c, "ExecuteDataCorrect", req, func(sc *dmssdk.Client) (*dmssdk.ExecuteDataCorrectResponse, error) { return sc.ExecuteDataCorrect(req) })
}

// CloseTicket implements Service: CloseOrder with a reason, sent once.
func (c *Client) CloseTicket(ctx context.Context, tenant, id int64, reason string) error {
	req := dmssdk.CreateCloseOrderRequest()
	req.Tid, req.OrderId, req.CloseReason = tid(tenant), requests.NewInteger64(id), reason
	return writeCall(ctx, c, "CloseOrder", req, func(sc *dmssdk.Client) (*dmssdk.CloseOrderResponse, error) { return sc.CloseOrder(req) })
}
