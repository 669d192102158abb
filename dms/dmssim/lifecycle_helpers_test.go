package dmssim

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	dmse "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"
)

// More IDs of testdata/sim/seed.json.
const (
	userCarol = 2000004 // the DBA of every instance of the first tenant but dev-mysql and dev-pg
	dbSandbox = 1100025 // mysql, dev (offline), no owner, DBA Alice; scratch 12 rows
)

var (
	aliceKey = Credential{AccessKeyID: "alice-key", AccessKeySecret: "alice-secret", UserID: userAlice}
	carolKey = Credential{AccessKeyID: "carol-key", AccessKeySecret: "carol-secret", UserID: userCarol}
)

// lifeSim is a simulator on a test clock with the lifecycle's default delays
// (unless opts sets them), an SDK client for the demo user (the committer)
// and ones for Alice and Carol.
type lifeSim struct {
	t     *testing.T
	r     *Running
	clock *testClock
	c     *dmse.Client // the demo user, who files the tickets
	alice *dmse.Client
	carol *dmse.Client
}

func newLifeSim(t *testing.T, opts Options) *lifeSim {
	t.Helper()
	clock := newTestClock()
	opts.Now = clock.Now
	opts.Credentials = []Credential{DefaultCredential, aliceKey, carolKey}
	r := startSim(t, opts)
	return &lifeSim{t: t, r: r, clock: clock, c: sdkClient(t, r, DefaultCredential),
		alice: sdkClient(t, r, aliceKey), carol: sdkClient(t, r, carolKey)}
}

// export files an export of sql on database db and returns its ID.
func (l *lifeSim) export(db int64, sql string) int64 {
	l.t.Helper()
	req := exportRequest()
	req.PluginParam["dbId"] = db
	req.PluginParam["exeSQL"] = sql
	resp := createOrder(l.t, l.c, req)
	if !resp.Success {
		l.t.Fatalf("CreateOrder: %s", resp.GetHttpContentString())
	}
	return resp.CreateOrderResult.OrderIds[0]
}

func (l *lifeSim) base(id int64) dmse.OrderBaseInfo {
	l.t.Helper()
	req := dmse.CreateGetOrderBaseInfoRequest()
	req.OrderId = requests.NewInteger64(id)
	resp, err := l.c.GetOrderBaseInfo(req)
	if err != nil || !resp.Success {
		l.t.Fatalf("GetOrderBaseInfo: %v %s", err, resp.GetHttpContentString())
	}
	return resp.OrderBaseInfo
}

func (l *lifeSim) detail(id int64) dmse.DataExportOrderDetail {
	l.t.Helper()
	req := dmse.CreateGetDataExportOrderDetailRequest()
	req.OrderId = requests.NewInteger64(id)
	resp, err := l.c.GetDataExportOrderDetail(req)
	if err != nil || !resp.Success {
		l.t.Fatalf("GetDataExportOrderDetail: %v %s", err, resp.GetHttpContentString())
	}
	return resp.DataExportOrderDetail
}

// state asserts the ticket's StatusCode and JobStatus.
func (l *lifeSim) state(id int64, status, job string) {
	l.t.Helper()
	if got := l.base(id).StatusCode; got != status {
		l.t.Errorf("StatusCode = %q, want %q", got, status)
	}
	if got := l.detail(id).KeyInfo.JobStatus; got != job {
		l.t.Errorf("JobStatus = %q, want %q", got, job)
	}
}

func (l *lifeSim) submit(c *dmse.Client, id int64) (*dmse.SubmitOrderApprovalResponse, error) {
	req := dmse.CreateSubmitOrderApprovalRequest()
	req.OrderId = requests.NewInteger64(id)
	return c.SubmitOrderApproval(req)
}

func (l *lifeSim) mustSubmit(id int64) int64 {
	l.t.Helper()
	resp, err := l.submit(l.c, id)
	if err != nil || !resp.Success {
		l.t.Fatalf("SubmitOrderApproval: %v %s", err, resp.GetHttpContentString())
	}
	wf := l.base(id).WorkflowInstanceId
	if wf == 0 {
		l.t.Fatal("no WorkflowInstanceId after SubmitOrderApproval")
	}
	return wf
}

func (l *lifeSim) approve(c *dmse.Client, wf int64, typ string) (*dmse.ApproveOrderResponse, error) {
	req := dmse.CreateApproveOrderRequest()
	req.WorkflowInstanceId = requests.NewInteger64(wf)
	req.ApprovalType = typ
	req.Comment = "checked"
	return c.ApproveOrder(req)
}

func (l *lifeSim) mustApprove(c *dmse.Client, wf int64, typ string) {
	l.t.Helper()
	resp, err := l.approve(c, wf, typ)
	if err != nil || !resp.Success {
		l.t.Fatalf("ApproveOrder %s: %v %s", typ, err, resp.GetHttpContentString())
	}
}

func (l *lifeSim) approval(wf int64) dmse.ApprovalDetail {
	l.t.Helper()
	req := dmse.CreateGetApprovalDetailRequest()
	req.WorkflowInstanceId = requests.NewInteger64(wf)
	resp, err := l.c.GetApprovalDetail(req)
	if err != nil || !resp.Success {
		l.t.Fatalf("GetApprovalDetail: %v %s", err, resp.GetHttpContentString())
	}
	return resp.ApprovalDetail
}

func (l *lifeSim) execute(c *dmse.Client, id int64, fileType string) (*dmse.ExecuteDataExportResponse, error) {
	req := dmse.CreateExecuteDataExportRequest()
	req.OrderId = requests.NewInteger64(id)
	if fileType != "" {
		req.ActionDetail = map[string]interface{}{"fileType": fileType, "encoding": "UTF8", "mode": "FAST"}
	}
	return c.ExecuteDataExport(req)
}

func (l *lifeSim) mustExecute(id int64, fileType string) {
	l.t.Helper()
	resp, err := l.execute(l.c, id, fileType)
	if err != nil || !resp.Success {
		l.t.Fatalf("ExecuteDataExport: %v %s", err, resp.GetHttpContentString())
	}
}

func (l *lifeSim) downloadURL(id int64) dmse.DownloadURLResult {
	l.t.Helper()
	req := dmse.CreateGetDataExportDownloadURLRequest()
	req.OrderId = requests.NewInteger64(id)
	resp, err := l.c.GetDataExportDownloadURL(req)
	if err != nil || !resp.Success {
		l.t.Fatalf("GetDataExportDownloadURL: %v %s", err, resp.GetHttpContentString())
	}
	return resp.DownloadURLResult
}

func (l *lifeSim) preCheckRows(id int64) []dmse.PreCheckDetailListItem {
	l.t.Helper()
	req := dmse.CreateGetDataExportPreCheckDetailRequest()
	req.OrderId = requests.NewInteger64(id)
	resp, err := l.c.GetDataExportPreCheckDetail(req)
	if err != nil || !resp.Success {
		l.t.Fatalf("GetDataExportPreCheckDetail: %v %s", err, resp.GetHttpContentString())
	}
	return resp.PreCheckResult.PreCheckDetailList.PreCheckDetailListItem
}

func (l *lifeSim) closeOrder(id int64) (*dmse.CloseOrderResponse, error) {
	req := dmse.CreateCloseOrderRequest()
	req.OrderId = requests.NewInteger64(id)
	req.CloseReason = "not needed any more"
	return l.c.CloseOrder(req)
}

// exported runs a ticket to EXPORT_SUCCESS (auto approval) and returns it.
func (l *lifeSim) exported(db int64, sql, fileType string) int64 {
	l.t.Helper()
	id := l.export(db, sql)
	l.clock.Advance(DefaultPrecheckDelay)
	l.mustSubmit(id)
	l.clock.Advance(DefaultOnlineApprovalDelay)
	l.mustExecute(id, fileType)
	l.clock.Advance(DefaultExportDelay)
	if got := l.detail(id).KeyInfo.JobStatus; got != "EXPORT_SUCCESS" {
		l.t.Fatalf("JobStatus = %s, want EXPORT_SUCCESS", got)
	}
	return id
}

// fetch downloads a URL, failing on anything but a whole 200 answer.
func fetch(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v %s", url, resp.StatusCode, err, body)
	}
	return resp, body
}

// countFigure is what ExecuteScript's COUNT answers for sql on database db.
func countFigure(t *testing.T, c *dmse.Client, db int64, sql string) string {
	t.Helper()
	req := dmse.CreateExecuteScriptRequest()
	req.DbId = requests.NewInteger64(db)
	req.Logic = requests.NewBoolean(false)
	req.Script = "SELECT COUNT(*) FROM (" + sql + ") t"
	resp, err := c.ExecuteScript(req)
	if err != nil || !resp.Success || len(resp.Results) != 1 || !resp.Results[0].Success {
		t.Fatalf("ExecuteScript: %v %s", err, resp.GetHttpContentString())
	}
	return fmt.Sprint(resp.Results[0].Rows[0]["COUNT(*)"])
}

// scratchRows is the made-up result of SELECT id, email, note FROM scratch:
// each row as its three values.
func scratchRows(n int64) [][3]string {
	out := make([][3]string, n)
	for i := range out {
		r := i + 1
		out[i] = [3]string{fmt.Sprint(r), fmt.Sprintf("user%d@example.com", r), fmt.Sprintf("note %d", r)}
	}
	return out
}

func lines(s string) int { return strings.Count(s, "\n") }
