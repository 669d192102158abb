package dmssim

import (
	"strconv"
	"strings"
	"time"
)

// This file is approval: the chain a ticket's database gives it
// (PreviewWorkflow), the process SubmitOrderApproval starts, ApproveOrder's
// decisions and GetApprovalDetail's report.

// WorkflowInsCode values: the process's state and each node's.
const (
	wfAuditing = "AUDITING"
	wfApproved = "APPROVED"
	wfRejected = "REJECT"
	wfCanceled = "CANCEL"
)

// workflowIDStart is the first WorkflowInstanceId; later ones count up.
const workflowIDStart = 80000001

// workflow is a ticket's approval process.
type workflow struct {
	id int64
	template
	created time.Time
	// decided is when the process ended (approved, rejected or canceled).
	decided time.Time
	code    string
	nodes   []wfNode
	// current is the node that holds the ticket, len(nodes) once decided.
	current int
}

// template is an approval chain: who approves a ticket, in order.
type template struct {
	templateID int64
	name       string
	steps      []wfNode
}

// wfNode is one step of an approval chain.
type wfNode struct {
	id        int64
	name      string
	comment   string
	approvers []*user
	// Once the process runs: the node's code ("" until it is reached), who
	// decided, when and with what comment.
	code      string
	operator  *user
	at        time.Time
	opComment string
}

// The chains: the database's owners, then its DBA; either alone when the
// other is missing; an administrator node (the approver credential's user)
// when the database has neither.
var (
	ownerNode = wfNode{id: 11, name: "Database owner", comment: "An owner of the database approves."}
	dbaNode   = wfNode{id: 12, name: "DBA", comment: "The DBA of the database's instance approves."}
	adminNode = wfNode{id: 13, name: "Administrator", comment: "The database has no owner or DBA: a DMS administrator approves."}
)

// chain is the approval chain of a ticket on databases dbs: their owners,
// then their DBAs (each once, for a data change on several databases).
func (s *Server) chain(dbs []*database) template {
	var owners, dbas []*user
	for _, d := range dbs {
		owners = addUsers(owners, d.owners...)
		dbas = addUsers(dbas, d.dbas()...)
	}
	with := func(n wfNode, us []*user) wfNode {
		n.approvers = us
		return n
	}
	switch {
	case len(owners) > 0 && len(dbas) > 0:
		return template{1, "Owner and DBA approval", []wfNode{with(ownerNode, owners), with(dbaNode, dbas)}}
	case len(dbas) > 0:
		return template{2, "DBA approval", []wfNode{with(dbaNode, dbas)}}
	case len(owners) > 0:
		return template{3, "Owner approval", []wfNode{with(ownerNode, owners)}}
	}
	var admins []*user
	if u := s.world.users[s.approver.UserID]; u != nil {
		admins = []*user{u}
	}
	return template{4, "Administrator approval", []wfNode{with(adminNode, admins)}}
}

// dbas are the DBAs of the database's instance, or of its members'
// instances for a logical database, each once.
func (d *database) dbas() []*user {
	var out []*user
	if d.inst != nil && d.inst.dba != nil {
		out = addUsers(out, d.inst.dba)
	}
	for _, m := range d.members {
		if m.inst != nil && m.inst.dba != nil {
			out = addUsers(out, m.inst.dba)
		}
	}
	return out
}

// addUsers adds to list the users it does not hold yet, in order.
func addUsers(list []*user, us ...*user) []*user {
	for _, u := range us {
		found := false
		for _, x := range list {
			if x == u {
				found = true
			}
		}
		if !found {
			list = append(list, u)
		}
	}
	return list
}

// has reports whether u approves at the node.
func (n *wfNode) has(u *user) bool {
	for _, a := range n.approvers {
		if a == u {
			return true
		}
	}
	return false
}

// newWorkflow starts the approval process of a ticket: its first node holds
// it. Called with s.mu held.
func (s *Server) newWorkflow(o *Order, now time.Time) *workflow {
	tpl := s.chain(s.dbs(o))
	wf := &workflow{id: s.nextWorkflowID, template: tpl, created: now, code: wfAuditing}
	s.nextWorkflowID++
	wf.nodes = append([]wfNode(nil), tpl.steps...)
	wf.nodes[0].code = wfAuditing
	return wf
}

// decide records the current node's decision.
func (wf *workflow) decide(code string, u *user, at time.Time, comment string) {
	n := &wf.nodes[wf.current]
	n.code, n.operator, n.at, n.opComment = code, u, at, comment
}

// agree approves the current node; it reports whether that approved the
// whole process.
func (wf *workflow) agree(u *user, at time.Time, comment string) bool {
	wf.decide(wfApproved, u, at, comment)
	wf.current++
	if wf.current < len(wf.nodes) {
		wf.nodes[wf.current].code = wfAuditing
		return false
	}
	wf.code, wf.decided = wfApproved, at
	return true
}

// end ends the process at its current node: rejected or canceled.
func (wf *workflow) end(code string, u *user, at time.Time, comment string) {
	wf.decide(code, u, at, comment)
	wf.code, wf.decided = code, at
	wf.current = len(wf.nodes)
}

// approveRest is auto approval: every node still open agrees, decided by its
// first approver.
func (wf *workflow) approveRest(at time.Time) {
	for wf.current < len(wf.nodes) {
		var u *user
		if as := wf.nodes[wf.current].approvers; len(as) > 0 {
			u = as[0]
		}
		wf.agree(u, at, "Approved automatically by the DMS simulator.")
	}
}

// handlers are who holds the ticket now: the current node's approvers.
func (wf *workflow) handlers() []*user {
	if wf.code != wfAuditing {
		return nil
	}
	return wf.nodes[wf.current].approvers
}

// auditUserJSON is the SDK's AuditUser.
type auditUserJSON struct {
	UserID   int64  `json:"UserId"`
	NickName string `json:"NickName"`
	RealName string `json:"RealName"`
}

// workflowNodeJSON is the SDK's WorkflowNode, as PreviewWorkflow (the
// chain) and GetApprovalDetail (the chain and its state) fill it.
type workflowNodeJSON struct {
	NodeID          int64               `json:"NodeId"`
	NodeName        string              `json:"NodeName"`
	NodeType        string              `json:"NodeType"`
	Comment         string              `json:"Comment"`
	Position        int                 `json:"Position"`
	TemplateID      int64               `json:"TemplateId"`
	WorkflowInsCode string              `json:"WorkflowInsCode,omitempty"`
	OperatorID      int64               `json:"OperatorId,omitempty"`
	OperateTime     string              `json:"OperateTime,omitempty"`
	OperateComment  string              `json:"OperateComment,omitempty"`
	AuditUserIDList list[string]        `json:"AuditUserIdList"`
	AuditUserList   list[auditUserJSON] `json:"AuditUserList"`
}

// nodesJSON renders nodes; withState adds the process's state per node.
func nodesJSON(tpl int64, nodes []wfNode, withState bool) []workflowNodeJSON {
	out := make([]workflowNodeJSON, len(nodes))
	for i, n := range nodes {
		j := workflowNodeJSON{NodeID: n.id, NodeName: n.name, NodeType: "SYS", Comment: n.comment, Position: i + 1, TemplateID: tpl}
		var ids []string
		var users []auditUserJSON
		for _, u := range n.approvers {
			ids = append(ids, strconv.FormatInt(u.id, 10))
			users = append(users, auditUserJSON{UserID: u.id, NickName: u.display(), RealName: u.name})
		}
		j.AuditUserIDList, j.AuditUserList = listOf("AuditUserIds", ids), listOf("AuditUser", users)
		if withState {
			j.WorkflowInsCode = n.code
			if !n.at.IsZero() {
				j.OperateTime = dmsTime(n.at)
				j.OperateComment = n.opComment
			}
			if n.operator != nil {
				j.OperatorID = n.operator.id
			}
		}
		out[i] = j
	}
	return out
}

// opPreviewWorkflow answers PreviewWorkflow: the approval chain the ticket's
// database gives it (the process's, once submitted).
func opPreviewWorkflow(x *exchange) (any, *apiError) {
	return x.ticket(func(o *Order, _ time.Time) (any, *apiError) {
		tpl := x.s.chain(x.s.dbs(o))
		if wf := o.life.wf; wf != nil {
			tpl = wf.template
		}
		type detail struct {
			WfCateName       string                 `json:"WfCateName"`
			Comment          string                 `json:"Comment"`
			WorkflowNodeList list[workflowNodeJSON] `json:"WorkflowNodeList"`
		}
		return struct {
			WorkflowDetail detail `json:"WorkflowDetail"`
		}{detail{WfCateName: tpl.name, Comment: "Approval chain of the ticket's database, in order.",
			WorkflowNodeList: listOf("WorkflowNode", nodesJSON(tpl.templateID, tpl.steps, false))}}, nil
	})
}

// opSubmitOrderApproval answers SubmitOrderApproval: a prechecked ticket
// goes to approval, its first node holding it. Only once: a ticket whose
// precheck has not passed, or that was submitted already, is refused.
func opSubmitOrderApproval(x *exchange) (any, *apiError) {
	return x.ticket(x.byCommitter("submit it for approval", func(o *Order, now time.Time) (any, *apiError) {
		l := o.life
		switch l.phase {
		case phasePrecheckPassed, phaseReady:
		case phasePrecheck:
			return nil, errState("PrecheckNotPassed", o, "Its precheck is still running; submit it once the precheck has passed.")
		case phasePrecheckFailed:
			return nil, errState("PrecheckNotPassed", o, "Its precheck failed (%s): fix the SQL in a new ticket, and close this one.", l.precheck.failure)
		case phaseClosed:
			return nil, errState("OrderClosed", o, "A closed ticket cannot be submitted.")
		default:
			return nil, errState("OrderAlreadySubmitted", o, "It was submitted for approval already: approval process %d.", l.wf.id)
		}
		l.wf = x.s.newWorkflow(o, now)
		x.s.workflows[l.wf.id] = o
		o.enter(phaseAuditing, now)
		return nil, nil
	}))
}

// mayCommit refuses a user other than the ticket's committer (or the
// approver credential, an administrator) doing what only the committer may.
func (x *exchange) mayCommit(o *Order, what string) *apiError {
	if x.user.id == o.CommitterID || x.admin() {
		return nil
	}
	return fail("NoPermission", "Only the ticket's committer may %s: ticket %d was filed by user %d, not by %s (%d).", what, o.OrderID, o.CommitterID, x.user.display(), x.user.id)
}

// admin reports whether the request is signed with the approver credential.
func (x *exchange) admin() bool {
	return x.s.approver.AccessKeyID != "" && x.cred.AccessKeyID == x.s.approver.AccessKeyID
}

// workflowTicket is ticket for the operations that name a WorkflowInstanceId.
func (x *exchange) workflowTicket(f ticketFunc) (any, *apiError) {
	t := x.tenant()
	id, ok := x.int64Param("WorkflowInstanceId")
	if x.bad != nil {
		return nil, x.bad
	}
	if !ok {
		return nil, fail("MissingWorkflowInstanceId", "WorkflowInstanceId is mandatory for this action.")
	}
	return x.settled(x.s.workflows, id, t,
		fail("WorkflowNotExist", "The approval process %d does not exist in tenant %d; read a ticket's WorkflowInstanceId from GetOrderBaseInfo after SubmitOrderApproval.", id, t.id), f)
}

// currentHandlerJSON is the SDK's CurrentHandler.
type currentHandlerJSON struct {
	ID       int64  `json:"Id"`
	NickName string `json:"NickName"`
}

// orderTypes are ApprovalDetail's OrderType names for PluginTypes.
var orderTypes = map[string]string{"DC_COMMON": "DATA_CORRECT"}

// opGetApprovalDetail answers GetApprovalDetail: the process's state
// (WorkflowInsCode), each node's, and who holds it now.
func opGetApprovalDetail(x *exchange) (any, *apiError) {
	return x.workflowTicket(func(o *Order, _ time.Time) (any, *apiError) {
		wf := o.life.wf
		type detail struct {
			AuditID                   int64                    `json:"AuditId"`
			OrderID                   int64                    `json:"OrderId"`
			TemplateID                int64                    `json:"TemplateId"`
			OrderType                 string                   `json:"OrderType"`
			Title                     string                   `json:"Title"`
			Description               string                   `json:"Description"`
			CreateTime                string                   `json:"CreateTime"`
			WorkflowInsCode           string                   `json:"WorkflowInsCode"`
			ThirdpartyWorkflowURL     string                   `json:"ThirdpartyWorkflowUrl"`
			ThirdpartyWorkflowComment string                   `json:"ThirdpartyWorkflowComment"`
			ReasonList                list[string]             `json:"ReasonList"`
			CurrentHandlers           list[currentHandlerJSON] `json:"CurrentHandlers"`
			WorkflowNodes             list[workflowNodeJSON]   `json:"WorkflowNodes"`
		}
		var reasons []string
		if c := o.classify(); c != "" {
			reasons = []string{c}
		}
		var handlers []currentHandlerJSON
		for _, u := range wf.handlers() {
			handlers = append(handlers, currentHandlerJSON{ID: u.id, NickName: u.display()})
		}
		d := detail{
			AuditID: wf.id, OrderID: o.OrderID, TemplateID: wf.templateID, OrderType: orderTypes[o.PluginType],
			Title: o.Comment, Description: "<p>" + htmlEscaper.Replace(o.Comment) + "</p>", CreateTime: dmsTime(wf.created),
			WorkflowInsCode: wf.code, ReasonList: listOf("Reasons", reasons), CurrentHandlers: listOf("CurrentHandler", handlers),
			WorkflowNodes: listOf("WorkflowNode", nodesJSON(wf.templateID, wf.nodes, true)),
		}
		if d.OrderType == "" {
			d.OrderType = o.PluginType
		}
		return struct {
			ApprovalDetail detail `json:"ApprovalDetail"`
		}{d}, nil
	})
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// opApproveOrder answers ApproveOrder: AGREE approves the node that holds
// the ticket (the ticket is Approved after the last), REJECT rejects it,
// CANCEL withdraws it (the ticket is closed; UNCONFIRMED). The current
// node's approvers, and the approver credential on any node, may agree or
// reject; the committer, or the approver credential, may cancel.
// ApprovalType is read case-insensitively; TRANSFER and ADD_APPROVAL_NODE
// are not modelled.
func opApproveOrder(x *exchange) (any, *apiError) {
	raw := x.need("ApprovalType")
	if x.bad != nil {
		return nil, x.bad
	}
	action := strings.ToUpper(raw)
	switch action {
	case "AGREE", "REJECT", "CANCEL":
	case "TRANSFER", "ADD_APPROVAL_NODE":
		return nil, fail("UnsupportedOperation", "The DMS simulator does not model ApprovalType %s; use AGREE, REJECT or CANCEL.", raw)
	default:
		return nil, fail("InvalidParam", "ApprovalType %q is not one of AGREE, REJECT, CANCEL, TRANSFER, ADD_APPROVAL_NODE.", raw)
	}
	return x.workflowTicket(func(o *Order, now time.Time) (any, *apiError) {
		wf := o.life.wf
		if wf.code != wfAuditing {
			return nil, fail("WorkflowFinished", "The approval process %d of ticket %d has ended (%s); there is nothing to %s.", wf.id, o.OrderID, wf.code, strings.ToLower(action))
		}
		n := &wf.nodes[wf.current]
		comment := x.str("Comment")
		if action == "CANCEL" {
			if err := x.mayCommit(o, "cancel its approval"); err != nil {
				return nil, err
			}
			wf.end(wfCanceled, x.user, now, comment)
			o.enter(phaseClosed, now)
			return nil, nil
		}
		if !n.has(x.user) && !x.admin() {
			names := make([]string, len(n.approvers))
			for i, u := range n.approvers {
				names[i] = u.display() + " (" + strconv.FormatInt(u.id, 10) + ")"
			}
			return nil, fail("NoPermission", "%s (%d) is not an approver of node %q of approval process %d; its approvers: %s.",
				x.user.display(), x.user.id, n.name, wf.id, orString(strings.Join(names, ", "), "none"))
		}
		if action == "REJECT" {
			wf.end(wfRejected, x.user, now, comment)
			o.enter(phaseRejected, now)
			return nil, nil
		}
		if wf.agree(x.user, now, comment) {
			o.enter(phaseApproved, now)
		} else {
			o.life.since = now
		}
		return nil, nil
	})
}
