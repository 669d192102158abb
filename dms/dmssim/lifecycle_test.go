package dmssim

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	dmse "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"
)

const scratchSQL = "SELECT id, email, note FROM scratch"

func TestAnExportWalksEveryStateWithAutoApproval(t *testing.T) {
	l := newLifeSim(t, Options{})
	id := l.export(dbSandbox, scratchSQL)
	created := l.base(id).CreateTime

	// Precheck running: StatusCode new, no figures yet, no submitting.
	l.state(id, "new", "PRE_CHECKING")
	if rows := l.preCheckRows(id); len(rows) != 0 {
		t.Errorf("precheck figures before the precheck ran: %+v", rows)
	}
	resp, err := l.submit(l.c, id)
	businessFailure(t, err, resp.Success, "PrecheckNotPassed", resp.ErrorCode, resp.ErrorMessage)

	// Passed: PRE_CHECK_SUCCESS, then WAITING_APPLY_AUDIT; StatusCode stays new.
	l.clock.Advance(DefaultPrecheckDelay)
	l.state(id, "new", "PRE_CHECK_SUCCESS")
	rows := l.preCheckRows(id)
	if len(rows) != 1 || rows[0].SQL != scratchSQL || strconv.FormatInt(rows[0].AffectRows, 10) != countFigure(t, l.c, dbSandbox, scratchSQL) {
		t.Errorf("precheck figures = %+v, want the COUNT figure %s", rows, countFigure(t, l.c, dbSandbox, scratchSQL))
	}
	l.clock.Advance(DefaultPrecheckDelay / 2)
	l.state(id, "new", "WAITING_APPLY_AUDIT")
	if info := l.base(id); info.LastModifyTime == created || info.WorkflowInstanceId != 0 {
		t.Errorf("after the precheck: %+v", info)
	}
	ex, err := l.execute(l.c, id, "CSV")
	businessFailure(t, err, ex.Success, "OrderNotApproved", ex.ErrorCode, ex.ErrorMessage)

	// Submitted: toaudit, APPLY_AUDIT_SUCCESS, a workflow instance; once only.
	wf := l.mustSubmit(id)
	l.state(id, "toaudit", "APPLY_AUDIT_SUCCESS")
	resp, err = l.submit(l.c, id)
	businessFailure(t, err, resp.Success, "OrderAlreadySubmitted", resp.ErrorCode, resp.ErrorMessage)
	if !strings.Contains(resp.ErrorMessage, strconv.FormatInt(wf, 10)) {
		t.Errorf("the refusal does not name the approval process: %s", resp.ErrorMessage)
	}
	ad := l.approval(wf)
	if ad.WorkflowInsCode != "AUDITING" || ad.OrderId != id || ad.AuditId != wf || ad.OrderType != "DATA_EXPORT" ||
		len(ad.CurrentHandlers.CurrentHandler) != 1 || ad.CurrentHandlers.CurrentHandler[0].Id != userAlice {
		t.Errorf("approval = %+v", ad)
	}
	if info := l.base(id); info.WorkflowStatusDesc != "Auditing" {
		t.Errorf("WorkflowStatusDesc = %q", info.WorkflowStatusDesc)
	}

	// Auto approval of an offline database: 2 s after the submission.
	l.clock.Advance(DefaultOfflineApprovalDelay - time.Second)
	l.state(id, "toaudit", "APPLY_AUDIT_SUCCESS")
	l.clock.Advance(time.Second)
	l.state(id, "Approved", "ENABLE_EXPORT")
	ad = l.approval(wf)
	if ad.WorkflowInsCode != "APPROVED" || len(ad.CurrentHandlers.CurrentHandler) != 0 ||
		ad.WorkflowNodes.WorkflowNode[0].WorkflowInsCode != "APPROVED" || ad.WorkflowNodes.WorkflowNode[0].OperatorId != userAlice {
		t.Errorf("approval after approval = %+v", ad)
	}
	if d := l.detail(id); d.KeyInfo.AuditDate == "" || d.KeyInfo.JobId != 0 {
		t.Errorf("KeyInfo once approved = %+v", d.KeyInfo)
	}
	if u := l.downloadURL(id); u.HasResult || u.URL != "" || !strings.Contains(u.TipMessage, "ExecuteDataExport") {
		t.Errorf("download URL before the export = %+v", u)
	}

	// Executed: WAITING_EXPORT, DOING_EXPORT, EXPORT_SUCCESS; processing, success.
	l.mustExecute(id, "CSV")
	l.state(id, "processing", "WAITING_EXPORT")
	ex, err = l.execute(l.c, id, "CSV")
	businessFailure(t, err, ex.Success, "ExportAlreadyExecuted", ex.ErrorCode, ex.ErrorMessage)
	if u := l.downloadURL(id); u.HasResult || !strings.Contains(u.TipMessage, "WAITING_EXPORT") {
		t.Errorf("download URL while waiting = %+v", u)
	}
	l.clock.Advance(DefaultExportDelay / 2)
	l.state(id, "processing", "DOING_EXPORT")
	l.clock.Advance(DefaultExportDelay / 2)
	l.state(id, "success", "EXPORT_SUCCESS")
	d := l.detail(id)
	if d.KeyInfo.JobId == 0 || d.OrderDetail.ActualAffectRows != rows[0].AffectRows {
		t.Errorf("detail once exported = %+v", d)
	}

	// The download: the CSV the ticket's SQL describes, byte for byte.
	u := l.downloadURL(id)
	if !u.HasResult || !strings.HasPrefix(u.URL, l.r.DownloadBase) || len(u.URL) != len(l.r.DownloadBase)+32 {
		t.Fatalf("download URL = %+v (base %s)", u, l.r.DownloadBase)
	}
	httpResp, body := fetch(t, u.URL)
	want := "id,email,note\n"
	for _, r := range scratchRows(rows[0].AffectRows) {
		want += strings.Join(r[:], ",") + "\n"
	}
	if string(body) != want {
		t.Errorf("download =\n%s\nwant\n%s", body, want)
	}
	if httpResp.ContentLength != int64(len(want)) || httpResp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.Contains(httpResp.Header.Get("Content-Disposition"), strconv.FormatInt(id, 10)+".csv") {
		t.Errorf("download headers = %d %v", httpResp.ContentLength, httpResp.Header)
	}
	if f, ok := l.r.Server.ExportFile(id); !ok || string(f.Data) != want {
		t.Errorf("ExportFile = %v %q", ok, f.Data)
	}
	if calls := l.r.Server.RequestsFor(DownloadAction); len(calls) != 1 || calls[0].Status != 200 || calls[0].Params.Get("OrderId") != strconv.FormatInt(id, 10) {
		t.Errorf("download calls = %+v", calls)
	}

	// A finished ticket cannot be closed; it is FINISHED for ListOrders.
	cl, err := l.closeOrder(id)
	businessFailure(t, err, cl.Success, "OrderFinished", cl.ErrorCode, cl.ErrorMessage)
	if o := l.r.Server.Orders()[0]; o.Status != "success" || o.JobStatus != "EXPORT_SUCCESS" || o.WorkflowInstanceID != wf {
		t.Errorf("Orders()[0] = %+v", o)
	}
}

func TestOnlineTicketsWaitForTheOnlineApprovalDelay(t *testing.T) {
	l := newLifeSim(t, Options{OnlineApprovalDelay: 10 * time.Second, OfflineApprovalDelay: 5 * time.Second})
	online := l.export(dbOrdersProd, "SELECT id FROM orders")
	offline := l.export(dbOrdersTest, "SELECT id FROM orders")
	l.clock.Advance(DefaultPrecheckDelay)
	l.mustSubmit(online)
	l.mustSubmit(offline)
	l.clock.Advance(5 * time.Second)
	l.state(offline, "Approved", "ENABLE_EXPORT")
	l.state(online, "toaudit", "APPLY_AUDIT_SUCCESS")
	l.clock.Advance(5 * time.Second)
	l.state(online, "Approved", "ENABLE_EXPORT")
	// The approval is dated when it was due, not when it was read.
	l.clock.Advance(10 * time.Minute)
	ad := l.approval(l.base(online).WorkflowInstanceId)
	if len(ad.WorkflowNodes.WorkflowNode) != 2 {
		t.Fatalf("nodes = %+v", ad.WorkflowNodes)
	}
	submitted, _ := parseDMSTime(ad.CreateTime)
	approved, _ := parseDMSTime(ad.WorkflowNodes.WorkflowNode[1].OperateTime)
	if approved.Sub(submitted) != 10*time.Second {
		t.Errorf("approved %s after submission, want 10s", approved.Sub(submitted))
	}
}

func TestZeroDelaysMakeTheLifecycleImmediate(t *testing.T) {
	l := newLifeSim(t, Options{PrecheckDelay: NoDelay, OfflineApprovalDelay: NoDelay, OnlineApprovalDelay: NoDelay, ExportDelay: NoDelay})
	id := l.export(dbOrdersProd, "SELECT id FROM orders")
	l.state(id, "new", "WAITING_APPLY_AUDIT")
	l.mustSubmit(id)
	l.state(id, "Approved", "ENABLE_EXPORT")
	l.mustExecute(id, "")
	l.state(id, "success", "EXPORT_SUCCESS")
	if f, ok := l.r.Server.ExportFile(id); !ok || !strings.HasSuffix(f.Name, ".csv") {
		t.Errorf("without a fileType the export is CSV: %v %s", ok, f.Name)
	}
}

func TestAPrecheckFailsForATableTheDatabaseDoesNotHave(t *testing.T) {
	l := newLifeSim(t, Options{})
	sql := "SELECT id FROM orders; SELECT * FROM nope"
	id := l.export(dbOrdersProd, sql)
	l.clock.Advance(DefaultPrecheckDelay)
	l.state(id, "new", "PRE_CHECK_FAIL")
	info := l.base(id)
	if !strings.Contains(info.StatusDesc, "statement 2: Table 'orders.nope' doesn't exist") {
		t.Errorf("StatusDesc = %q", info.StatusDesc)
	}
	rows := l.preCheckRows(id)
	if len(rows) != 2 || rows[0].SQL != "SELECT id FROM orders" || rows[0].AffectRows == 0 || rows[1].SQL != "SELECT * FROM nope" || rows[1].AffectRows != 0 {
		t.Errorf("precheck figures = %+v", rows)
	}
	resp, err := l.submit(l.c, id)
	businessFailure(t, err, resp.Success, "PrecheckNotPassed", resp.ErrorCode, resp.ErrorMessage)
	if !strings.Contains(resp.ErrorMessage, "doesn't exist") {
		t.Errorf("the refusal does not say why: %s", resp.ErrorMessage)
	}
	l.clock.Advance(10 * time.Minute)
	l.state(id, "new", "PRE_CHECK_FAIL")
	// PostgreSQL's wording for PostgreSQL databases.
	pg := l.export(dbAnalytics, "SELECT * FROM public.missing")
	l.clock.Advance(DefaultPrecheckDelay)
	if desc := l.base(pg).StatusDesc; !strings.Contains(desc, `relation "public.missing" does not exist`) {
		t.Errorf("PostgreSQL StatusDesc = %q", desc)
	}
}

func TestManualApprovalGoesOwnerThenDBA(t *testing.T) {
	l := newLifeSim(t, Options{Approve: ApproveManual})
	id := l.export(dbOrdersProd, "SELECT id FROM orders")

	pr := dmse.CreatePreviewWorkflowRequest()
	pr.OrderId = requests.NewInteger64(id)
	preview, err := l.c.PreviewWorkflow(pr)
	if err != nil || !preview.Success {
		t.Fatalf("PreviewWorkflow: %v %s", err, preview.GetHttpContentString())
	}
	nodes := preview.WorkflowDetail.WorkflowNodeList.WorkflowNode
	if len(nodes) != 2 || nodes[0].NodeName != "Database owner" || nodes[1].NodeName != "DBA" || nodes[0].NodeType != "SYS" ||
		nodes[0].AuditUserList.AuditUser[0].UserId != userAlice || nodes[0].AuditUserList.AuditUser[0].NickName != "Alice Zhang" ||
		nodes[1].AuditUserList.AuditUser[0].UserId != userCarol || nodes[0].WorkflowInsCode != "" {
		t.Errorf("chain = %+v", nodes)
	}

	l.clock.Advance(DefaultPrecheckDelay)
	wf := l.mustSubmit(id)
	l.clock.Advance(10 * time.Minute) // manual: nothing happens by itself
	l.state(id, "toaudit", "APPLY_AUDIT_SUCCESS")

	// Neither the committer nor the DBA may act on the owner's node.
	for _, c := range []*dmse.Client{l.c, l.carol} {
		resp, err := l.approve(c, wf, "AGREE")
		businessFailure(t, err, resp.Success, "NoPermission", resp.ErrorCode, resp.ErrorMessage)
	}
	l.mustApprove(l.alice, wf, "agree") // ApprovalType in any case
	ad := l.approval(wf)
	if ad.WorkflowInsCode != "AUDITING" || ad.CurrentHandlers.CurrentHandler[0].Id != userCarol ||
		ad.WorkflowNodes.WorkflowNode[0].WorkflowInsCode != "APPROVED" || ad.WorkflowNodes.WorkflowNode[0].OperatorId != userAlice ||
		ad.WorkflowNodes.WorkflowNode[0].OperateComment != "checked" || ad.WorkflowNodes.WorkflowNode[1].WorkflowInsCode != "AUDITING" {
		t.Errorf("after the owner = %+v", ad)
	}
	l.state(id, "toaudit", "APPLY_AUDIT_SUCCESS")
	resp, err := l.approve(l.alice, wf, "AGREE")
	businessFailure(t, err, resp.Success, "NoPermission", resp.ErrorCode, resp.ErrorMessage)
	l.mustApprove(l.carol, wf, "AGREE")
	l.state(id, "Approved", "ENABLE_EXPORT")
	if ad := l.approval(wf); ad.WorkflowInsCode != "APPROVED" || len(ad.CurrentHandlers.CurrentHandler) != 0 {
		t.Errorf("after the DBA = %+v", ad)
	}
	resp, err = l.approve(l.carol, wf, "AGREE")
	businessFailure(t, err, resp.Success, "WorkflowFinished", resp.ErrorCode, resp.ErrorMessage)
}

func TestManualRejectionByTheApproverCredential(t *testing.T) {
	l := newLifeSim(t, Options{Approve: ApproveManual})
	if l.r.Approver != DefaultApprover {
		t.Fatalf("Running.Approver = %+v", l.r.Approver)
	}
	approver := sdkClient(t, l.r, l.r.Approver)
	id := l.export(dbOrdersProd, "SELECT id FROM orders")
	l.clock.Advance(DefaultPrecheckDelay)
	wf := l.mustSubmit(id)
	l.mustApprove(approver, wf, "REJECT") // the administrator acts on the owner's node
	l.state(id, "reject", "APPLY_AUDIT_SUCCESS")
	ad := l.approval(wf)
	if ad.WorkflowInsCode != "REJECT" || ad.WorkflowNodes.WorkflowNode[0].WorkflowInsCode != "REJECT" ||
		ad.WorkflowNodes.WorkflowNode[0].OperatorId != userCarol || ad.WorkflowNodes.WorkflowNode[1].WorkflowInsCode != "" {
		t.Errorf("approval = %+v", ad)
	}
	if info := l.base(id); info.WorkflowStatusDesc != "Rejected" {
		t.Errorf("WorkflowStatusDesc = %q", info.WorkflowStatusDesc)
	}
	ex, err := l.execute(l.c, id, "CSV")
	businessFailure(t, err, ex.Success, "OrderNotApproved", ex.ErrorCode, ex.ErrorMessage)
	resp, err := l.approve(approver, wf, "AGREE")
	businessFailure(t, err, resp.Success, "WorkflowFinished", resp.ErrorCode, resp.ErrorMessage)

	list := dmse.CreateListOrdersRequest()
	list.OrderStatus = "FINISHED"
	lr, err := l.c.ListOrders(list)
	if err != nil || lr.TotalCount != 1 || lr.Orders.Order[0].StatusCode != "reject" {
		t.Errorf("FINISHED: %v %s", err, lr.GetHttpContentString())
	}
}

func TestCancelWithdrawsAndClosesTheTicket(t *testing.T) {
	l := newLifeSim(t, Options{Approve: ApproveManual})
	id := l.export(dbOrdersProd, "SELECT id FROM orders")
	l.clock.Advance(DefaultPrecheckDelay)
	wf := l.mustSubmit(id)
	resp, err := l.approve(l.alice, wf, "CANCEL") // an approver is not the committer
	businessFailure(t, err, resp.Success, "NoPermission", resp.ErrorCode, resp.ErrorMessage)
	l.mustApprove(l.c, wf, "CANCEL")
	l.state(id, "closed", "APPLY_AUDIT_SUCCESS")
	if ad := l.approval(wf); ad.WorkflowInsCode != "CANCEL" || ad.WorkflowNodes.WorkflowNode[0].WorkflowInsCode != "CANCEL" {
		t.Errorf("approval = %+v", ad)
	}
}

func TestCloseOrderClosesATicketInAnyUnfinishedState(t *testing.T) {
	l := newLifeSim(t, Options{})
	// While prechecking.
	id := l.export(dbOrdersProd, "SELECT id FROM orders")
	if resp, err := l.closeOrder(id); err != nil || !resp.Success {
		t.Fatalf("CloseOrder: %v %s", err, resp.GetHttpContentString())
	}
	l.state(id, "closed", "PRE_CHECKING")
	l.clock.Advance(time.Minute)
	l.state(id, "closed", "PRE_CHECKING")
	if o := l.r.Server.Orders()[0]; o.CloseReason != "not needed any more" {
		t.Errorf("CloseReason = %q", o.CloseReason)
	}
	cl, err := l.closeOrder(id)
	businessFailure(t, err, cl.Success, "OrderClosed", cl.ErrorCode, cl.ErrorMessage)
	sub, err := l.submit(l.c, id)
	businessFailure(t, err, sub.Success, "OrderClosed", sub.ErrorCode, sub.ErrorMessage)

	// While auditing: the approval process is canceled.
	id = l.export(dbOrdersProd, "SELECT id FROM orders")
	l.clock.Advance(DefaultPrecheckDelay)
	wf := l.mustSubmit(id)
	if _, err := l.closeOrder(id); err != nil {
		t.Fatal(err)
	}
	l.clock.Advance(time.Minute) // auto approval does not reopen it
	l.state(id, "closed", "APPLY_AUDIT_SUCCESS")
	if ad := l.approval(wf); ad.WorkflowInsCode != "CANCEL" {
		t.Errorf("WorkflowInsCode = %s", ad.WorkflowInsCode)
	}

	// While exporting: the job stops and fails.
	id = l.export(dbOrdersProd, "SELECT id FROM orders")
	l.clock.Advance(DefaultPrecheckDelay)
	l.mustSubmit(id)
	l.clock.Advance(DefaultOnlineApprovalDelay)
	l.mustExecute(id, "JSON")
	if _, err := l.closeOrder(id); err != nil {
		t.Fatal(err)
	}
	l.clock.Advance(time.Minute)
	l.state(id, "closed", "EXPORT_FAIL")
	if u := l.downloadURL(id); u.HasResult || !strings.Contains(u.TipMessage, "closed") {
		t.Errorf("download URL of a closed ticket = %+v", u)
	}

	// Someone else's ticket; no reason.
	alice := dmse.CreateCloseOrderRequest()
	alice.OrderId = requests.NewInteger64(id)
	alice.CloseReason = "mine now"
	ar, err := l.alice.CloseOrder(alice)
	businessFailure(t, err, ar.Success, "NoPermission", ar.ErrorCode, ar.ErrorMessage)
	bare := dmse.CreateCloseOrderRequest()
	bare.OrderId = requests.NewInteger64(id)
	_, err = l.c.CloseOrder(bare)
	serverError(t, err, 400, "MissingParameter")
}

// TestASchemaDesignTicketCanBeSubmittedAtOnceAndIsApprovedButDoesNotExport:
// DMS reports no precheck state for a schema design that a client could
// wait for, so the simulator runs none: it is new and can be submitted as
// soon as it is created.
func TestASchemaDesignTicketCanBeSubmittedAtOnceAndIsApprovedButDoesNotExport(t *testing.T) {
	l := newLifeSim(t, Options{})
	req := dmse.CreateCreateOrderRequest()
	req.PluginType = "NDDL"
	req.Comment = "add an index"
	req.PluginParam = map[string]interface{}{"title": "index", "dbId": dbOrdersTest, "logic": false, "relatedIds": []int64{}}
	id := createOrder(t, l.c, req).CreateOrderResult.OrderIds[0]
	if s := l.base(id).StatusCode; s != "new" {
		t.Errorf("StatusCode = %s", s)
	}
	l.mustSubmit(id) // no precheck to wait for
	l.clock.Advance(DefaultOfflineApprovalDelay)
	if s := l.base(id).StatusCode; s != "Approved" {
		t.Errorf("StatusCode = %s", s)
	}
	ex, err := l.execute(l.c, id, "CSV")
	businessFailure(t, err, ex.Success, "InvalidParam", ex.ErrorCode, ex.ErrorMessage)
	if ad := l.approval(l.base(id).WorkflowInstanceId); ad.OrderType != "NDDL" || ad.TemplateId != 2 { // orders_test has no owner: DBA only
		t.Errorf("approval = %+v", ad)
	}
}

func TestApproveOrderRefusals(t *testing.T) {
	l := newLifeSim(t, Options{Approve: ApproveManual})
	req := dmse.CreateApproveOrderRequest()
	req.ApprovalType = "AGREE"
	resp, err := l.c.ApproveOrder(req)
	businessFailure(t, err, resp.Success, "MissingWorkflowInstanceId", resp.ErrorCode, resp.ErrorMessage)
	if resp.ErrorMessage != "WorkflowInstanceId is mandatory for this action." {
		t.Errorf("message = %q", resp.ErrorMessage)
	}
	gr, err := l.c.GetApprovalDetail(dmse.CreateGetApprovalDetailRequest())
	businessFailure(t, err, gr.Success, "MissingWorkflowInstanceId", gr.ErrorCode, gr.ErrorMessage)
	resp, err = l.approve(l.c, 4242, "AGREE")
	businessFailure(t, err, resp.Success, "WorkflowNotExist", resp.ErrorCode, resp.ErrorMessage)
	for typ, code := range map[string]string{"TRANSFER": "UnsupportedOperation", "MAYBE": "InvalidParam"} {
		resp, err = l.approve(l.c, 4242, typ)
		businessFailure(t, err, resp.Success, code, resp.ErrorCode, resp.ErrorMessage)
	}
	noType := dmse.CreateApproveOrderRequest()
	noType.WorkflowInstanceId = requests.NewInteger(1)
	_, err = l.c.ApproveOrder(noType)
	serverError(t, err, 400, "MissingParameter")
	// A workflow of another tenant's ticket does not exist here.
	id := l.export(dbOrdersProd, "SELECT id FROM orders")
	l.clock.Advance(DefaultPrecheckDelay)
	wf := l.mustSubmit(id)
	other := dmse.CreateGetApprovalDetailRequest()
	other.WorkflowInstanceId = requests.NewInteger64(wf)
	other.Tid = requests.NewInteger(tenantLab)
	or, err := l.c.GetApprovalDetail(other)
	businessFailure(t, err, or.Success, "WorkflowNotExist", or.ErrorCode, or.ErrorMessage)
}

func TestListOrdersAsHandlerFollowsTheApproval(t *testing.T) {
	l := newLifeSim(t, Options{Approve: ApproveManual})
	id := l.export(dbOrdersProd, "SELECT id FROM orders")
	handled := func(c *dmse.Client) int64 {
		t.Helper()
		req := dmse.CreateListOrdersRequest()
		req.OrderResultType = "AS_HANDLER"
		resp, err := c.ListOrders(req)
		if err != nil || !resp.Success {
			t.Fatalf("ListOrders: %v %s", err, resp.GetHttpContentString())
		}
		return resp.TotalCount
	}
	l.clock.Advance(DefaultPrecheckDelay)
	wf := l.mustSubmit(id)
	if handled(l.alice) != 1 || handled(l.carol) != 0 {
		t.Errorf("owner node: Alice %d, Carol %d", handled(l.alice), handled(l.carol))
	}
	l.mustApprove(l.alice, wf, "AGREE")
	if handled(l.alice) != 0 || handled(l.carol) != 1 {
		t.Errorf("DBA node: Alice %d, Carol %d", handled(l.alice), handled(l.carol))
	}
	running := dmse.CreateListOrdersRequest()
	running.OrderStatus = "RUNNING"
	if resp, _ := l.c.ListOrders(running); resp.TotalCount != 1 {
		t.Errorf("RUNNING = %d", resp.TotalCount)
	}
}

func TestExecuteDataExportRefusesABadActionDetail(t *testing.T) {
	l := newLifeSim(t, Options{})
	id := l.exported(dbSandbox, scratchSQL, "CSV")
	for name, ad := range map[string]map[string]interface{}{
		"file type": {"fileType": "PDF"},
		"encoding":  {"fileType": "CSV", "encoding": "EBCDIC"},
		"mode":      {"mode": "SLOW"},
		"start":     {"startTime": "tomorrow"},
		"not text":  {"fileType": 3},
	} {
		req := dmse.CreateExecuteDataExportRequest()
		req.OrderId = requests.NewInteger64(id)
		req.ActionDetail = ad
		resp, err := l.c.ExecuteDataExport(req)
		if err != nil || resp.Success || resp.ErrorCode != "InvalidParam" {
			t.Errorf("%s: %v %s", name, err, resp.GetHttpContentString())
		}
	}
}

func TestAnExportStartsAtItsStartTime(t *testing.T) {
	l := newLifeSim(t, Options{})
	id := l.export(dbSandbox, scratchSQL)
	l.clock.Advance(DefaultPrecheckDelay)
	l.mustSubmit(id)
	l.clock.Advance(DefaultOfflineApprovalDelay)
	req := dmse.CreateExecuteDataExportRequest()
	req.OrderId = requests.NewInteger64(id)
	req.ActionDetail = map[string]interface{}{"fileType": "CSV", "startTime": dmsTime(l.clock.Now().Add(10 * time.Minute))}
	if resp, err := l.c.ExecuteDataExport(req); err != nil || !resp.Success {
		t.Fatalf("ExecuteDataExport: %v %s", err, resp.GetHttpContentString())
	}
	l.clock.Advance(5 * time.Minute)
	l.state(id, "processing", "WAITING_EXPORT")
	l.clock.Advance(5*time.Minute + DefaultExportDelay)
	l.state(id, "success", "EXPORT_SUCCESS")
}

func TestLifecycleOptionsAreChecked(t *testing.T) {
	seed := testSeed(t)
	noCarol := *seed
	noCarol.Users = nil
	for _, u := range seed.Users {
		if u.ID != userCarol {
			noCarol.Users = append(noCarol.Users, u)
		}
	}
	noCarol.Instances = nil
	for _, in := range seed.Instances {
		if in.Dba == userCarol {
			in.Dba = 0
		}
		noCarol.Instances = append(noCarol.Instances, in)
	}
	noCarol.Databases = nil
	for _, d := range seed.Databases {
		var owners []int64
		for _, o := range d.Owners {
			if o != userCarol {
				owners = append(owners, o)
			}
		}
		d.Owners = owners
		noCarol.Databases = append(noCarol.Databases, d)
	}
	cases := map[string]Options{
		"unknown mode":          {Seed: seed, Approve: "sometimes"},
		"approver not a user":   {Seed: seed, Approver: Credential{AccessKeyID: "a", AccessKeySecret: "b", UserID: 42}},
		"approver without keys": {Seed: seed, Approver: Credential{UserID: userCarol}},
		"approver reuses a key": {Seed: seed, Approver: Credential{AccessKeyID: DefaultCredential.AccessKeyID, AccessKeySecret: "x", UserID: userCarol}},
		"manual, no approver":   {Seed: &noCarol, Approve: ApproveManual},
	}
	for name, opts := range cases {
		if _, err := New(opts); err == nil {
			t.Errorf("%s: New accepted %+v", name, opts)
		}
	}
	// Auto approval has no approver unless given one.
	if s, err := New(Options{Seed: &noCarol}); err != nil || s.approver != (Credential{}) {
		t.Errorf("auto without the default approver's user: %v %+v", err, s)
	}
	auto := startSim(t, Options{})
	if auto.Approver != (Credential{}) {
		t.Errorf("auto approval's Running.Approver = %+v", auto.Approver)
	}
	_, err := activeTenant(sdkClient(t, auto, DefaultApprover))
	serverError(t, err, 404, "InvalidAccessKeyId.NotFound")
	given := Credential{AccessKeyID: "mine", AccessKeySecret: "secret", UserID: userAlice}
	if s, err := New(Options{Seed: seed, Approver: given}); err != nil || s.approver != given {
		t.Errorf("auto with an approver: %v", err)
	}
	if _, err := ParseApproveMode("manual"); err != nil {
		t.Error(err)
	}
	if _, err := ParseApproveMode("Manual"); err == nil {
		t.Error("ParseApproveMode accepted Manual")
	}
	// The world without a seed has the default approver's user.
	if _, err := New(Options{Approve: ApproveManual}); err != nil {
		t.Errorf("manual approval without a seed: %v", err)
	}
	r := startSim(t, Options{Seed: &Seed{Tenants: []SeedTenant{{Tid: 1, Name: "x"}}, Users: []SeedUser{{ID: 2000001, Name: "demo", Tenants: []int64{1}}, {ID: userCarol, Name: "carol", NickName: "Carol Wang", Tenants: []int64{1}}}}, Approve: ApproveManual})
	var b strings.Builder
	if err := r.WriteApprover(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Carol Wang (DMS user 2000004)", "ALIBABA_CLOUD_ACCESS_KEY_ID=" + DefaultApprover.AccessKeyID,
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET=" + DefaultApprover.AccessKeySecret, "ApproveOrder", "--endpoint " + r.Host()} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("WriteApprover lacks %q:\n%s", want, b.String())
		}
	}
}
