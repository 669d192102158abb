package dmssim

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	dmse "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"

	"dmsticket/dms"
)

// More IDs of testdata/sim/seed.json: four production shards without an
// owner (DBA Carol), and two dev databases (no owner, DBA Alice).
const (
	dbShard0      = 1100012
	dbShard1      = 1100013
	dbShard2      = 1100014
	dbEvents0     = 1100026 // mysql, dev, events 1,500,321 rows, event_types
	dbEvents1     = 1100027
	dbAnalyticDev = 1100028 // postgresql, dev: page_views 241,203 rows
)

const scratchUpdate = "UPDATE scratch SET note = 'checked' WHERE id < 5"

// changeParam is a data change's Param on the databases: the keys and
// JSON types of the catalog.
func changeParam(sql string, dbs ...int64) map[string]any {
	items := make([]any, len(dbs))
	for i, id := range dbs {
		items[i] = map[string]any{"DbId": id, "Logic": false}
	}
	return map[string]any{
		"DbItemList": items, "SqlType": "TEXT", "ExecSQL": sql, "EstimateAffectRows": 4,
		"Classify": "fix", "ExecMode": "COMMITOR",
	}
}

// changeRequest is CreateDataCorrectOrder with Param sent as one JSON
// string (the typed Param left zero) and no related users.
func changeRequest(param map[string]any) *dmse.CreateDataCorrectOrderRequest {
	req := dmse.CreateCreateDataCorrectOrderRequest()
	req.Comment = "fix the scratch notes"
	none := []string{}
	req.RelatedUserList = &none
	if param != nil {
		b, _ := json.Marshal(param)
		req.QueryParams["Param"] = string(b)
	}
	return req
}

func createChange(t *testing.T, c *dmse.Client, req *dmse.CreateDataCorrectOrderRequest) *dmse.CreateDataCorrectOrderResponse {
	t.Helper()
	resp, err := c.CreateDataCorrectOrder(req)
	if err != nil {
		t.Fatalf("CreateDataCorrectOrder: %v", err)
	}
	return resp
}

// change files a data change of sql on the databases with the ExecMode and
// returns its ID.
func (l *lifeSim) change(mode, sql string, dbs ...int64) int64 {
	l.t.Helper()
	p := changeParam(sql, dbs...)
	p["ExecMode"] = mode
	resp := createChange(l.t, l.c, changeRequest(p))
	if !resp.Success || len(resp.CreateOrderResult) != 1 {
		l.t.Fatalf("CreateDataCorrectOrder: %s", resp.GetHttpContentString())
	}
	return resp.CreateOrderResult[0]
}

func (l *lifeSim) changeDetail(id int64) dmse.DataCorrectOrderDetail {
	l.t.Helper()
	req := dmse.CreateGetDataCorrectOrderDetailRequest()
	req.OrderId = requests.NewInteger64(id)
	resp, err := l.c.GetDataCorrectOrderDetail(req)
	if err != nil || !resp.Success {
		l.t.Fatalf("GetDataCorrectOrderDetail: %v %s", err, resp.GetHttpContentString())
	}
	return resp.DataCorrectOrderDetail
}

func (l *lifeSim) task(id int64) dmse.DataCorrectTaskDetail {
	l.t.Helper()
	req := dmse.CreateGetDataCorrectTaskDetailRequest()
	req.OrderId = requests.NewInteger64(id)
	resp, err := l.c.GetDataCorrectTaskDetail(req)
	if err != nil || !resp.Success {
		l.t.Fatalf("GetDataCorrectTaskDetail: %v %s", err, resp.GetHttpContentString())
	}
	return resp.DataCorrectTaskDetail
}

func (l *lifeSim) preCheckSQL(id int64, db int64) []dmse.PreCheckSQL {
	l.t.Helper()
	req := dmse.CreateListDataCorrectPreCheckSQLRequest()
	req.OrderId = requests.NewInteger64(id)
	if db != 0 {
		req.DbId = requests.NewInteger64(db)
	}
	resp, err := l.c.ListDataCorrectPreCheckSQL(req)
	if err != nil || !resp.Success {
		l.t.Fatalf("ListDataCorrectPreCheckSQL: %v %s", err, resp.GetHttpContentString())
	}
	return resp.PreCheckSQLList
}

func (l *lifeSim) runChange(c *dmse.Client, id int64) (*dmse.ExecuteDataCorrectResponse, error) {
	req := dmse.CreateExecuteDataCorrectRequest()
	req.OrderId = requests.NewInteger64(id)
	req.Tid = strconv.Itoa(tenantRetail)
	req.ActionDetail = map[string]interface{}{"transaction": false, "backupData": true}
	return c.ExecuteDataCorrect(req)
}

// changeState asserts the ticket's StatusCode, Status and jobStatus.
func (l *lifeSim) changeState(id int64, status, detail, job string) {
	l.t.Helper()
	if got := l.base(id).StatusCode; got != status {
		l.t.Errorf("StatusCode = %q, want %q", got, status)
	}
	if got := l.changeDetail(id).Status; got != detail {
		l.t.Errorf("Status = %q, want %q", got, detail)
	}
	if got := l.task(id).JobStatus; got != job {
		l.t.Errorf("jobStatus = %q, want %q", got, job)
	}
}

// plainCountFigure is what ExecuteScript's SELECT COUNT(*) FROM … answers.
func plainCountFigure(t *testing.T, c *dmse.Client, db int64, sql string) int64 {
	t.Helper()
	resp := execute(t, c, db, false, sql)
	if !resp.Success || len(resp.Results) != 1 || !resp.Results[0].Success {
		t.Fatalf("ExecuteScript %q: %s", sql, resp.GetHttpContentString())
	}
	for _, v := range resp.Results[0].Rows[0] {
		n, _ := strconv.ParseInt(fmt.Sprint(v), 10, 64)
		return n
	}
	return -1
}

func TestCreateDataCorrectOrderTakesParamAsOneJSONString(t *testing.T) {
	r, c := demo(t)
	p := changeParam(scratchUpdate, dbSandbox)
	p["RollbackSQL"], p["RollbackSqlType"] = "UPDATE scratch SET note = '' WHERE id < 5", "TEXT"
	req := changeRequest(p)
	req.RelatedUserList = &[]string{"2000002"}
	resp := createChange(t, c, req)
	if !resp.Success || len(resp.CreateOrderResult) != 1 || resp.CreateOrderResult[0] != 40000001 {
		t.Fatalf("CreateDataCorrectOrder = %s", resp.GetHttpContentString())
	}
	// CreateOrderResult is a bare array on the wire.
	if body := resp.GetHttpContentString(); !strings.Contains(body, `"CreateOrderResult":[40000001]`) {
		t.Errorf("answer = %s", body)
	}
	call := r.Server.RequestsFor("CreateDataCorrectOrder")[0]
	for k := range call.Params {
		if strings.HasPrefix(k, "Param.") {
			t.Errorf("flattened key %s on the wire", k)
		}
	}
	o := r.Server.Orders()[0]
	if o.Operation != "CreateDataCorrectOrder" || o.ParamForm != "json" || o.PluginType != "DC_COMMON" ||
		o.PluginParam != call.Params.Get("Param") || o.ExecMode != "COMMITOR" || o.DatabaseID != dbSandbox ||
		len(o.Databases) != 1 || o.Databases[0] != (dms.DbItem{DbId: dbSandbox}) ||
		len(o.RelatedUsers) != 1 || o.RelatedUsers[0] != userAlice || o.RelatedUserList != `["2000002"]` {
		t.Errorf("stored %+v", o)
	}
	info := r.Server.Orders()[0]
	if info.Status != "new" {
		t.Errorf("StatusCode = %s", info.Status)
	}
}

// TestTheSimulatorTakesARollbackOfAnyKind: DMS documents no check of
// RbSQL's statements; dmsticket refuses a DROP TABLE there (its own policy,
// dms.Field.Policy), the simulator takes it as DMS is known to.
func TestTheSimulatorTakesARollbackOfAnyKind(t *testing.T) {
	_, c := demo(t)
	p := changeParam(scratchUpdate, dbSandbox)
	p["RollbackSQL"], p["RollbackSqlType"] = "DROP TABLE scratch", "TEXT"
	if resp := createChange(t, c, changeRequest(p)); !resp.Success || len(resp.CreateOrderResult) != 1 {
		t.Fatalf("CreateDataCorrectOrder = %s", resp.GetHttpContentString())
	}
}

// TestCreateDataCorrectOrderAcceptsTheFlattenedParam sends Param as the Go
// SDK v1.63 does with its typed Param (Param.X query fields, every value a
// string, RelatedUserList=null): the simulator rebuilds the same object and
// says which form arrived.
func TestCreateDataCorrectOrderAcceptsTheFlattenedParam(t *testing.T) {
	r, c := demo(t)
	req := dmse.CreateCreateDataCorrectOrderRequest()
	req.Comment = "same fix on three shards"
	items := []dmse.CreateDataCorrectOrderParamDbItemListItem{
		{DbId: strconv.Itoa(dbShard0), Logic: "false"}, {DbId: strconv.Itoa(dbShard1), Logic: "false"}, {DbId: strconv.Itoa(dbShard2), Logic: "false"},
	}
	req.Param = dmse.CreateDataCorrectOrderParam{
		DbItemList: &items, SqlType: "TEXT", ExecSQL: "DELETE FROM shard_meta WHERE 1 = 0", EstimateAffectRows: "0",
		Classify: "cleanup", ExecMode: "AUTO",
	}
	resp := createChange(t, c, req)
	if !resp.Success {
		t.Fatalf("CreateDataCorrectOrder = %s", resp.GetHttpContentString())
	}
	p := r.Server.RequestsFor("CreateDataCorrectOrder")[0].Params
	if p.Get("Param") != "" || p.Get("Param.DbItemList.3.DbId") != strconv.Itoa(dbShard2) || p.Get("Param.EstimateAffectRows") != "0" ||
		p.Get("RelatedUserList") != "null" {
		t.Errorf("wire params = %v", p)
	}
	o := r.Server.Orders()[0]
	want := []dms.DbItem{{DbId: dbShard0}, {DbId: dbShard1}, {DbId: dbShard2}}
	if o.ParamForm != "flattened" || fmt.Sprint(o.Databases) != fmt.Sprint(want) || o.ExecMode != "AUTO" ||
		o.Param["EstimateAffectRows"] != json.Number("0") || o.Param["Classify"] != "cleanup" || len(o.RelatedUsers) != 0 {
		t.Errorf("stored %+v", o)
	}
	var rebuilt map[string]any
	if err := json.Unmarshal([]byte(o.PluginParam), &rebuilt); err != nil || len(rebuilt["DbItemList"].([]any)) != 3 {
		t.Errorf("rebuilt Param %s: %v", o.PluginParam, err)
	}
}

func TestCreateDataCorrectOrderRefusals(t *testing.T) {
	cases := []struct {
		name     string
		change   func(p map[string]any, r *dmse.CreateDataCorrectOrderRequest)
		code     string
		mentions []string
	}{
		{"a SELECT among the changes", func(p map[string]any, _ *dmse.CreateDataCorrectOrderRequest) {
			p["ExecSQL"] = scratchUpdate + ";\nSELECT * FROM scratch"
		}, "InvalidParam", []string{"Param ExecSQL", "statement 2", "SELECT"}},
		{"DDL", func(p map[string]any, _ *dmse.CreateDataCorrectOrderRequest) {
			p["ExecSQL"] = "DROP TABLE scratch"
		}, "InvalidParam", []string{"statement 1", "DDL"}},
		{"unknown database", func(p map[string]any, _ *dmse.CreateDataCorrectOrderRequest) {
			p["DbItemList"] = []any{map[string]any{"DbId": dbSandbox, "Logic": false}, map[string]any{"DbId": 424242, "Logic": false}}
		}, "DatabaseNotExist", []string{"item 2", "424242"}},
		{"another tenant's database", func(p map[string]any, _ *dmse.CreateDataCorrectOrderRequest) {
			p["DbItemList"] = []any{map[string]any{"DbId": dbWarehouseLab, "Logic": false}}
		}, "DatabaseNotExist", []string{"1200001"}},
		{"logic flag wrong", func(p map[string]any, _ *dmse.CreateDataCorrectOrderRequest) {
			p["DbItemList"] = []any{map[string]any{"DbId": dbSandbox, "Logic": true}}
		}, "InvalidParam", []string{"physical"}},
		{"no database", func(p map[string]any, _ *dmse.CreateDataCorrectOrderRequest) { p["DbItemList"] = []any{} },
			"InvalidParam", []string{"DbItemList", "no database"}},
		{"a database twice", func(p map[string]any, _ *dmse.CreateDataCorrectOrderRequest) {
			p["DbItemList"] = []any{map[string]any{"DbId": dbSandbox, "Logic": false}, map[string]any{"DbId": dbSandbox, "Logic": false}}
		}, "InvalidParam", []string{"twice"}},
		{"unknown key", func(p map[string]any, _ *dmse.CreateDataCorrectOrderRequest) { p["exeSQL"] = "x" },
			"InvalidParam", []string{`"exeSQL"`, "ExecSQL"}},
		{"the rows as a string", func(p map[string]any, _ *dmse.CreateDataCorrectOrderRequest) { p["EstimateAffectRows"] = "4" },
			"InvalidParam", []string{`"EstimateAffectRows"`, "number"}},
		{"an unknown ExecMode", func(p map[string]any, _ *dmse.CreateDataCorrectOrderRequest) { p["ExecMode"] = "WHENEVER" },
			"InvalidParam", []string{"WHENEVER", "COMMITOR"}},
		{"an attachment", func(p map[string]any, _ *dmse.CreateDataCorrectOrderRequest) { p["SqlType"] = "ATTACHMENT" },
			"InvalidParam", []string{"SqlType", "ATTACHMENT"}},
		{"missing comment", func(_ map[string]any, r *dmse.CreateDataCorrectOrderRequest) { r.Comment = "" },
			"MissingComment", []string{"Comment"}},
		{"unknown related user", func(_ map[string]any, r *dmse.CreateDataCorrectOrderRequest) {
			r.RelatedUserList = &[]string{"2999999"}
		},
			"UserNotExist", []string{"2999999"}},
		{"both forms of Param", func(_ map[string]any, r *dmse.CreateDataCorrectOrderRequest) { r.Param.ExecMode = "AUTO" },
			"InvalidParam", []string{"twice", "Param.ExecMode"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, c := demo(t)
			p := changeParam(scratchUpdate, dbSandbox)
			req := changeRequest(nil)
			tc.change(p, req)
			if _, set := req.QueryParams["Param"]; !set {
				b, _ := json.Marshal(p)
				req.QueryParams["Param"] = string(b)
			}
			resp := createChange(t, c, req)
			businessFailure(t, nil, resp.Success, tc.code, resp.ErrorCode, resp.ErrorMessage)
			for _, m := range tc.mentions {
				if !strings.Contains(resp.ErrorMessage, m) {
					t.Errorf("message %q does not mention %q", resp.ErrorMessage, m)
				}
			}
			if n := len(r.Server.Orders()); n != 0 {
				t.Errorf("%d tickets stored after a refusal", n)
			}
		})
	}
}

// TestADataChangeWithoutClassifyIsForbidden: DMS answers HTTP 403
// (原因分类不能为空) when Classify is missing or empty.
func TestADataChangeWithoutClassifyIsForbidden(t *testing.T) {
	r, c := demo(t)
	for _, classify := range []any{nil, "", "  "} {
		p := changeParam(scratchUpdate, dbSandbox)
		if classify == nil {
			delete(p, "Classify")
		} else {
			p["Classify"] = classify
		}
		_, err := c.CreateDataCorrectOrder(changeRequest(p))
		se := serverError(t, err, 403, "Forbidden")
		if !strings.Contains(se.Message(), "原因分类不能为空") || !strings.Contains(se.Message(), "Classify") {
			t.Errorf("message = %q", se.Message())
		}
	}
	_, err := c.CreateDataCorrectOrder(changeRequest(nil))
	serverError(t, err, 400, "MissingParameter")
	if n := len(r.Server.Orders()); n != 0 {
		t.Errorf("%d tickets stored", n)
	}
}

func TestCreateOrderSendsADataChangeToItsOwnOperation(t *testing.T) {
	_, c := demo(t)
	req := dmse.CreateCreateOrderRequest()
	req.PluginType = "DC_COMMON"
	req.Comment = "fix"
	req.PluginParam = changeParam(scratchUpdate, dbSandbox)
	resp := createOrder(t, c, req)
	businessFailure(t, nil, resp.Success, "InvalidPluginType", resp.ErrorCode, resp.ErrorMessage)
	if !strings.Contains(resp.ErrorMessage, "CreateDataCorrectOrder") {
		t.Errorf("message = %q", resp.ErrorMessage)
	}
}

// TestADataChangeWalksEveryStateToExecuted: COMMITOR, on two databases,
// from creation to Success, its figures those of COUNT, ExecuteDataCorrect
// taken once and from its committer only.
func TestADataChangeWalksEveryStateToExecuted(t *testing.T) {
	l := newLifeSim(t, Options{})
	const update, del = "UPDATE events SET kind = 'x' WHERE id < 1000", "DELETE FROM event_types WHERE name = 'old'"
	id := l.change("COMMITOR", update+";\n"+del, dbEvents0, dbEvents1)

	// Precheck running: Status precheck, its steps under way, no figures,
	// no submitting.
	l.changeState(id, "new", "precheck", "")
	d := l.changeDetail(id)
	if d.ExecMode != "COMMITOR" || len(d.PreCheckDetail.TaskCheckDO) != 4 || d.PreCheckDetail.TaskCheckDO[0].CheckStatus != "RUNNING" {
		t.Errorf("detail while prechecking = %+v", d)
	}
	if got := l.preCheckSQL(id, 0); len(got) != 0 {
		t.Errorf("figures before the precheck ran: %+v", got)
	}
	resp, err := l.submit(l.c, id)
	businessFailure(t, err, resp.Success, "PrecheckNotPassed", resp.ErrorCode, resp.ErrorMessage)

	// Passed: precheck_success; a figure per statement per database, each
	// the COUNT of the rows it touches.
	l.clock.Advance(DefaultPrecheckDelay)
	l.changeState(id, "new", "precheck_success", "")
	d = l.changeDetail(id)
	if d.OrderDetail.ExeSQL != update+";\n"+del || d.OrderDetail.EstimateAffectRows != 4 || d.OrderDetail.Classify != "fix" ||
		d.OrderDetail.DbId != dbEvents0 || len(d.DatabaseList.Database) != 2 || d.DatabaseList.Database[1].DbId != dbEvents1 ||
		d.DatabaseList.Database[1].DbType != "mysql" || d.OrderDetail.RbSQL != "" || d.ConfigDetail.DetailType != "COMMON" {
		t.Errorf("detail = %+v", d)
	}
	for _, c := range d.PreCheckDetail.TaskCheckDO {
		if c.CheckStatus != "SUCCESS" || c.UserTip != "" {
			t.Errorf("check %+v", c)
		}
	}
	figures := l.preCheckSQL(id, 0)
	if len(figures) != 4 {
		t.Fatalf("figures = %+v, want 2 statements on 2 databases", figures)
	}
	var total int64
	for i, f := range figures {
		db := []int64{dbEvents0, dbEvents1}[i/2]
		count := "SELECT COUNT(*) FROM events WHERE id < 1000"
		sqlType, tables := "UPDATE", "events"
		if i%2 == 1 {
			count, sqlType, tables = "SELECT COUNT(*) FROM event_types WHERE name = 'old'", "DELETE", "event_types"
		}
		if f.DbId != db || f.SqlType != sqlType || f.TableNames != tables || f.SqlReviewStatus != "PASS" ||
			f.AffectRows != plainCountFigure(t, l.c, db, count) {
			t.Errorf("figure %d = %+v, want database %d, COUNT %d", i, f, db, plainCountFigure(t, l.c, db, count))
		}
		total += f.AffectRows
	}
	if got := l.preCheckSQL(id, dbEvents1); len(got) != 2 || got[0].DbId != dbEvents1 {
		t.Errorf("figures of one database = %+v", got)
	}
	dbs := dmse.CreateListDataCorrectPreCheckDBRequest()
	dbs.OrderId = requests.NewInteger64(id)
	dr, err := l.c.ListDataCorrectPreCheckDB(dbs)
	if err != nil || !dr.Success || len(dr.PreCheckDBList) != 2 || dr.PreCheckDBList[0].SqlNum != 2 || dr.PreCheckDBList[1].DbId != dbEvents1 {
		t.Errorf("ListDataCorrectPreCheckDB = %v %s", err, dr.GetHttpContentString())
	}
	ex, err := l.runChange(l.c, id)
	businessFailure(t, err, ex.Success, "OrderNotApproved", ex.ErrorCode, ex.ErrorMessage)

	// Submitted, then approved automatically (offline: 2 s).
	wf := l.mustSubmit(id)
	l.changeState(id, "toaudit", "toaudit", "")
	if ad := l.approval(wf); ad.OrderType != "DATA_CORRECT" || len(ad.ReasonList.Reasons) != 1 || ad.ReasonList.Reasons[0] != "fix" {
		t.Errorf("approval = %+v", ad)
	}
	l.clock.Advance(DefaultOfflineApprovalDelay)
	l.changeState(id, "Approved", "Approved", "")
	if task := l.task(id); task.DBTaskGroupId != 0 || task.CreateTime != "" {
		t.Errorf("task before the run = %+v", task)
	}

	// Only the committer runs a COMMITOR change; once.
	ex, err = l.runChange(l.alice, id)
	businessFailure(t, err, ex.Success, "NoPermission", ex.ErrorCode, ex.ErrorMessage)
	ex, err = l.runChange(l.c, id)
	if err != nil || !ex.Success {
		t.Fatalf("ExecuteDataCorrect: %v %s", err, ex.GetHttpContentString())
	}
	l.changeState(id, "processing", "waiting", "PENDING")
	ex, err = l.runChange(l.c, id)
	businessFailure(t, err, ex.Success, "DataCorrectAlreadyExecuted", ex.ErrorCode, ex.ErrorMessage)
	task := l.task(id)
	if task.DBTaskGroupId == 0 || task.CreateTime == "" || task.ActualAffectRows != 0 {
		t.Errorf("task while waiting = %+v", task)
	}
	// The key is jobStatus, with a lowercase j.
	treq := dmse.CreateGetDataCorrectTaskDetailRequest()
	treq.OrderId = requests.NewInteger64(id)
	tr, _ := l.c.GetDataCorrectTaskDetail(treq)
	if body := tr.GetHttpContentString(); !strings.Contains(body, `"jobStatus":"PENDING"`) {
		t.Errorf("task answer = %s", body)
	}
	l.clock.Advance(DefaultDataChangeDelay / 2)
	l.changeState(id, "processing", "processing", "RUNNING")
	l.clock.Advance(DefaultDataChangeDelay / 2)
	l.changeState(id, "success", "Success", "SUCCESS")
	if task := l.task(id); task.ActualAffectRows != total {
		t.Errorf("ActualAffectRows = %d, want the figures' sum %d", task.ActualAffectRows, total)
	}
	if got := l.changeDetail(id).OrderDetail.ActualAffectRows; got != total {
		t.Errorf("OrderDetail.ActualAffectRows = %d, want %d", got, total)
	}
	if n := len(l.r.Server.RequestsFor("ExecuteDataCorrect")); n != 4 {
		t.Errorf("%d ExecuteDataCorrect requests, want the 4 sent", n)
	}
}

// TestAnAutoDataChangeRunsByItselfOnceApproved: ExecMode AUTO is waiting
// as soon as it is approved, with no ExecuteDataCorrect; asking for one is
// refused.
func TestAnAutoDataChangeRunsByItselfOnceApproved(t *testing.T) {
	l := newLifeSim(t, Options{Approve: ApproveManual})
	id := l.change("AUTO", scratchUpdate, dbSandbox)
	l.clock.Advance(DefaultPrecheckDelay)
	wf := l.mustSubmit(id)
	l.clock.Advance(time.Minute) // manual: nothing happens by itself
	l.changeState(id, "toaudit", "toaudit", "")
	l.mustApprove(l.alice, wf, "AGREE") // the sandbox's DBA
	l.changeState(id, "processing", "waiting", "PENDING")
	ex, err := l.runChange(l.c, id)
	businessFailure(t, err, ex.Success, "InvalidExecMode", ex.ErrorCode, ex.ErrorMessage)
	if !strings.Contains(ex.ErrorMessage, "AUTO") {
		t.Errorf("message = %q", ex.ErrorMessage)
	}
	l.clock.Advance(DefaultDataChangeDelay)
	l.changeState(id, "success", "Success", "SUCCESS")
	if n := len(l.r.Server.RequestsFor("ExecuteDataCorrect")); n != 1 {
		t.Errorf("%d ExecuteDataCorrect requests", n)
	}
}

// TestALastAuditorDataChangeIsRunByItsLastApprover: the committer may not
// run it; the approver who approved the last node may.
func TestALastAuditorDataChangeIsRunByItsLastApprover(t *testing.T) {
	l := newLifeSim(t, Options{})
	id := l.change("LAST_AUDITOR", scratchUpdate, dbSandbox)
	l.clock.Advance(DefaultPrecheckDelay)
	l.mustSubmit(id)
	l.clock.Advance(DefaultOfflineApprovalDelay) // auto approval: Alice, the DBA, approves
	ex, err := l.runChange(l.c, id)
	businessFailure(t, err, ex.Success, "NoPermission", ex.ErrorCode, ex.ErrorMessage)
	if !strings.Contains(ex.ErrorMessage, "LAST_AUDITOR") || !strings.Contains(ex.ErrorMessage, strconv.Itoa(userAlice)) {
		t.Errorf("message = %q", ex.ErrorMessage)
	}
	ex, err = l.runChange(l.alice, id)
	if err != nil || !ex.Success {
		t.Fatalf("ExecuteDataCorrect by the last approver: %v %s", err, ex.GetHttpContentString())
	}
	l.changeState(id, "processing", "waiting", "PENDING")
}

// TestADataChangeWhosePrecheckFailsSaysWhereAndWhy: a table one of its
// databases lacks fails the precheck, per statement per database, with
// DMS's tips; it cannot be submitted.
func TestADataChangeWhosePrecheckFailsSaysWhereAndWhy(t *testing.T) {
	l := newLifeSim(t, Options{})
	id := l.change("COMMITOR", "UPDATE events SET kind = 'x' WHERE id = 1;\nDELETE FROM scratch WHERE id = 2", dbEvents0, dbSandbox)
	l.clock.Advance(DefaultPrecheckDelay)
	l.changeState(id, "new", "precheckFailed", "")
	checks := l.changeDetail(id).PreCheckDetail.TaskCheckDO
	if len(checks) != 2 {
		t.Fatalf("checks = %+v, want the two statements that name a missing table", checks)
	}
	wants := [][]string{
		{"events_00", "statement 2", "Table 'events_00.scratch' doesn't exist"},
		{"sandbox", "statement 1", "Table 'sandbox.events' doesn't exist"},
	}
	for i, c := range checks {
		if c.CheckStep != "SQL_PARSE" || c.CheckStatus != "FAIL" {
			t.Errorf("check %d = %+v", i, c)
		}
		for _, w := range wants[i] {
			if !strings.Contains(c.UserTip, w) {
				t.Errorf("tip %q does not mention %q", c.UserTip, w)
			}
		}
	}
	if desc := l.base(id).StatusDesc; !strings.Contains(desc, "precheck failed") || !strings.Contains(desc, "events_00.scratch") {
		t.Errorf("StatusDesc = %q", desc)
	}
	figures := l.preCheckSQL(id, 0)
	if len(figures) != 4 || figures[1].SqlReviewStatus != "BLOCK" || figures[1].AffectRows != 0 || figures[0].SqlReviewStatus != "PASS" {
		t.Errorf("figures = %+v", figures)
	}
	resp, err := l.submit(l.c, id)
	businessFailure(t, err, resp.Success, "PrecheckNotPassed", resp.ErrorCode, resp.ErrorMessage)
}

// TestADataChangeOnADatabaseTheCommitterMayNotChangeFailsItsPermissionCheck.
func TestADataChangeOnADatabaseTheCommitterMayNotChangeFailsItsPermissionCheck(t *testing.T) {
	l := newLifeSim(t, Options{})
	id := l.change("COMMITOR", "DELETE FROM bonuses WHERE id = 1", dbPayrollProd)
	l.clock.Advance(DefaultPrecheckDelay)
	checks := l.changeDetail(id).PreCheckDetail.TaskCheckDO
	if len(checks) != 1 || checks[0].CheckStep != "PERMISSION_CHECK" || !strings.Contains(checks[0].UserTip, "permission") {
		t.Errorf("checks = %+v", checks)
	}
}

// TestADataChangeOnSeveralDatabasesIsApprovedByAllTheirOwnersAndDBAs: the
// chain of a change on the production orders and a shard: the owner of the
// first, then the DBA of both; online, so 6 s.
func TestADataChangeOnSeveralDatabasesIsApprovedByAllTheirOwnersAndDBAs(t *testing.T) {
	l := newLifeSim(t, Options{})
	id := l.change("COMMITOR", "UPDATE orders SET status = 'void' WHERE id = 7", dbOrdersProd, dbShard0)
	l.clock.Advance(DefaultPrecheckDelay)
	wf := l.mustSubmit(id)
	ad := l.approval(wf)
	if ad.TemplateId != 1 || len(ad.WorkflowNodes.WorkflowNode) != 2 || ad.CurrentHandlers.CurrentHandler[0].Id != userAlice {
		t.Errorf("approval = %+v", ad)
	}
	l.clock.Advance(DefaultOfflineApprovalDelay)
	l.changeState(id, "toaudit", "toaudit", "")
	l.clock.Advance(DefaultOnlineApprovalDelay - DefaultOfflineApprovalDelay)
	l.changeState(id, "Approved", "Approved", "")
}

func TestDataChangeOperationsRefuseOtherTickets(t *testing.T) {
	l := newLifeSim(t, Options{})
	export := l.export(dbSandbox, scratchSQL)
	req := dmse.CreateGetDataCorrectOrderDetailRequest()
	req.OrderId = requests.NewInteger64(export)
	resp, err := l.c.GetDataCorrectOrderDetail(req)
	businessFailure(t, err, resp.Success, "InvalidParam", resp.ErrorCode, resp.ErrorMessage)
	ex, err := l.runChange(l.c, export)
	businessFailure(t, err, ex.Success, "InvalidParam", ex.ErrorCode, ex.ErrorMessage)
	change := l.change("COMMITOR", scratchUpdate, dbSandbox)
	dreq := dmse.CreateGetDataExportOrderDetailRequest()
	dreq.OrderId = requests.NewInteger64(change)
	dresp, err := l.c.GetDataExportOrderDetail(dreq)
	businessFailure(t, err, dresp.Success, "InvalidParam", dresp.ErrorCode, dresp.ErrorMessage)
}

// TestDataChangeFaults: a dropped answer on CreateDataCorrectOrder stores
// the ticket; a throttled ExecuteDataCorrect starts nothing; a dropped one
// started the run, once; FailJob fails it.
func TestDataChangeFaults(t *testing.T) {
	l := newLifeSim(t, Options{})
	l.r.Server.InjectFault(Fault{Action: "CreateDataCorrectOrder", Kind: DropAfterCreate})
	_, err := l.c.CreateDataCorrectOrder(changeRequest(changeParam(scratchUpdate, dbSandbox)))
	if err == nil {
		t.Fatal("no error after a dropped answer")
	}
	orders := l.r.Server.Orders()
	if len(orders) != 1 {
		t.Fatalf("%d tickets after a dropped answer, want the one stored", len(orders))
	}
	id := orders[0].OrderID
	l.clock.Advance(DefaultPrecheckDelay)
	l.mustSubmit(id)
	l.clock.Advance(DefaultOfflineApprovalDelay)

	l.r.Server.InjectFault(Fault{Action: "ExecuteDataCorrect", Kind: Throttle})
	_, err = l.runChange(l.c, id)
	serverError(t, err, 400, "Throttling.User")
	l.changeState(id, "Approved", "Approved", "")

	l.r.Server.InjectFault(Fault{Action: "ExecuteDataCorrect", Kind: DropAfterCreate})
	if _, err = l.runChange(l.c, id); err == nil {
		t.Fatal("no error after a dropped answer")
	}
	l.changeState(id, "processing", "waiting", "PENDING")

	second := l.change("COMMITOR", scratchUpdate, dbSandbox)
	l.clock.Advance(DefaultPrecheckDelay)
	l.mustSubmit(second)
	l.clock.Advance(DefaultOfflineApprovalDelay)
	l.r.Server.InjectFault(Fault{Action: "ExecuteDataCorrect", Kind: FailJob})
	if ex, err := l.runChange(l.c, second); err != nil || !ex.Success {
		t.Fatalf("ExecuteDataCorrect: %v", err)
	}
	l.clock.Advance(DefaultDataChangeDelay)
	l.changeState(second, "fail", "fail", "FAIL")
	ex, err := l.runChange(l.c, second)
	businessFailure(t, err, ex.Success, "DataCorrectAlreadyExecuted", ex.ErrorCode, ex.ErrorMessage)
}

// TestExecuteDataCorrectReadsItsActionDetail: a later startTime keeps the
// change waiting until then; a malformed ActionDetail is refused.
func TestExecuteDataCorrectReadsItsActionDetail(t *testing.T) {
	l := newLifeSim(t, Options{})
	id := l.change("COMMITOR", scratchUpdate, dbSandbox)
	l.clock.Advance(DefaultPrecheckDelay)
	l.mustSubmit(id)
	l.clock.Advance(DefaultOfflineApprovalDelay)
	req := dmse.CreateExecuteDataCorrectRequest()
	req.OrderId = requests.NewInteger64(id)
	req.ActionDetail = map[string]interface{}{"backupData": "yes"}
	resp, err := l.c.ExecuteDataCorrect(req)
	businessFailure(t, err, resp.Success, "InvalidParam", resp.ErrorCode, resp.ErrorMessage)
	// The clock stays within the signature's 15 minutes of real time.
	req.ActionDetail = map[string]interface{}{"startTime": l.clock.Now().Add(10 * time.Minute).In(chinaTime).Format(dmsTimeLayout), "backupData": true}
	if resp, err = l.c.ExecuteDataCorrect(req); err != nil || !resp.Success {
		t.Fatalf("ExecuteDataCorrect: %v %s", err, resp.GetHttpContentString())
	}
	l.clock.Advance(5 * time.Minute)
	l.changeState(id, "processing", "waiting", "PENDING")
	l.clock.Advance(5*time.Minute + DefaultDataChangeDelay)
	l.changeState(id, "success", "Success", "SUCCESS")
}

// TestRelatedUserListIsAJSONArray: strings (v1.63) or numbers (TEA), null
// and nothing for none; a comma-separated list is not one.
func TestRelatedUserListIsAJSONArray(t *testing.T) {
	for raw, want := range map[string]string{
		`["2000002","2000003"]`: "[2000002 2000003]", `[2000002]`: "[2000002]", `null`: "[]", ``: "[]", `[]`: "[]",
	} {
		ids, problem := relatedUserJSON(raw)
		if problem != "" || fmt.Sprint(append([]int64{}, ids...)) != want {
			t.Errorf("relatedUserJSON(%q) = %v %q, want %s", raw, ids, problem, want)
		}
	}
	for _, raw := range []string{"2000002,2000003", `{"UserIds":["1"]}`, `["x"]`, `[-1]`} {
		if _, problem := relatedUserJSON(raw); !strings.Contains(problem, "JSON array") {
			t.Errorf("relatedUserJSON(%q) problem = %q", raw, problem)
		}
	}
}
