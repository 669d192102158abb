package dmssim

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	dmse "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"
)

// testClock is a settable clock; it starts at the real time so that the
// SDK's timestamps stay inside the window.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Now().Truncate(time.Second)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func exportRequest() *dmse.CreateOrderRequest {
	req := dmse.CreateCreateOrderRequest()
	req.PluginType = "DATA_EXPORT"
	req.Comment = "monthly revenue export"
	req.RelatedUserList = "2000002,2000003"
	req.PluginParam = map[string]interface{}{
		"classify":         "finance report",
		"dbId":             dbOrdersProd,
		"exeSQL":           "SELECT id, total FROM orders WHERE created_at >= '2024-01-01' AND total > 100",
		"logic":            false,
		"ignoreAffectRows": false,
		"affectRows":       1234,
	}
	return req
}

func createOrder(t *testing.T, c *dmse.Client, req *dmse.CreateOrderRequest) *dmse.CreateOrderResponse {
	t.Helper()
	resp, err := c.CreateOrder(req)
	if err != nil {
		t.Fatalf("CreateOrder: %v", err)
	}
	return resp
}

func TestCreateOrderStoresTheTicketAsSent(t *testing.T) {
	r, c := demo(t)
	req := exportRequest()
	req.AttachmentKey = "upload/abc123"
	resp := createOrder(t, c, req)
	if !resp.Success || len(resp.CreateOrderResult.OrderIds) != 1 || resp.CreateOrderResult.OrderIds[0] != 40000001 {
		t.Fatalf("CreateOrder = %s", resp.GetHttpContentString())
	}
	orders := r.Server.Orders()
	if len(orders) != 1 {
		t.Fatalf("%d orders stored", len(orders))
	}
	o := orders[0]
	wantRaw, _ := json.Marshal(req.PluginParam) // what the SDK puts in the form body
	if o.PluginParam != string(wantRaw) {
		t.Errorf("stored PluginParam\n %s\nwant\n %s", o.PluginParam, wantRaw)
	}
	if !strings.Contains(o.PluginParam, `\u003e=`) {
		t.Errorf("the raw PluginParam should keep the SDK's HTML escaping: %s", o.PluginParam)
	}
	if o.Param["exeSQL"] != req.PluginParam["exeSQL"] || o.Param["dbId"].(json.Number).String() != "1100001" || o.Param["logic"] != false {
		t.Errorf("decoded Param = %#v", o.Param)
	}
	if o.OrderID != 40000001 || o.Tid != tenantRetail || o.PluginType != "DATA_EXPORT" || o.Comment != req.Comment ||
		o.RelatedUserList != "2000002,2000003" || len(o.RelatedUsers) != 2 || o.RelatedUsers[1] != 2000003 ||
		o.AttachmentKey != "upload/abc123" || o.CommitterID != userDemo || o.Status != "new" ||
		o.DatabaseID != dbOrdersProd || o.Logic || o.CreateTime.IsZero() || o.RequestID != resp.RequestId {
		t.Errorf("order = %+v", o)
	}
	call := r.Server.RequestsFor("CreateOrder")[0]
	if call.Params.Get("PluginParam") != string(wantRaw) || call.Params.Get("Comment") != req.Comment || call.Params.Get("PluginType") != "DATA_EXPORT" {
		t.Errorf("recorded params = %v", call.Params)
	}

	second := createOrder(t, c, exportRequest())
	if second.CreateOrderResult.OrderIds[0] != 40000002 {
		t.Errorf("second ticket ID = %v, want 40000002", second.CreateOrderResult.OrderIds)
	}
}

func TestCreateOrderNDDLWithRelatedIDs(t *testing.T) {
	r, c := demo(t)
	req := dmse.CreateCreateOrderRequest()
	req.PluginType = "NDDL"
	req.Comment = "add an index"
	req.PluginParam = map[string]interface{}{
		"title": "index orders.created_at", "description": "slow report", "dbId": logicOrders, "logic": true,
		"relatedIds": []int64{userAlice},
	}
	resp := createOrder(t, c, req)
	if !resp.Success {
		t.Fatalf("CreateOrder = %s", resp.GetHttpContentString())
	}
	if o := r.Server.Orders()[0]; !o.Logic || o.DatabaseID != logicOrders {
		t.Errorf("order = %+v", o)
	}
}

func TestCreateOrderRefusals(t *testing.T) {
	cases := []struct {
		name     string
		change   func(*dmse.CreateOrderRequest)
		code     string
		mentions []string
	}{
		{"missing key", func(r *dmse.CreateOrderRequest) { delete(r.PluginParam, "exeSQL") },
			"InvalidPluginParam", []string{`"exeSQL"`, "missing"}},
		{"dbId as a string", func(r *dmse.CreateOrderRequest) { r.PluginParam["dbId"] = "1100001" },
			"InvalidPluginParam", []string{`"dbId"`, "number", "string"}},
		{"unknown key", func(r *dmse.CreateOrderRequest) { r.PluginParam["execSQL"] = "SELECT 1" },
			"InvalidPluginParam", []string{`"execSQL"`}},
		{"non-SELECT statement", func(r *dmse.CreateOrderRequest) {
			r.PluginParam["exeSQL"] = "SELECT * FROM orders;\nDELETE FROM orders WHERE id = 1"
		}, "InvalidPluginParam", []string{"statement 2", "DELETE"}},
		{"unknown related user", func(r *dmse.CreateOrderRequest) { r.RelatedUserList = "2000002,2999999" },
			"UserNotExist", []string{"2999999"}},
		{"related user not an ID", func(r *dmse.CreateOrderRequest) { r.RelatedUserList = `["2000002"]` },
			"InvalidParam", []string{"RelatedUserList"}},
		{"missing comment", func(r *dmse.CreateOrderRequest) { r.Comment = "" },
			"MissingComment", []string{"Comment"}},
		{"unknown plugin type", func(r *dmse.CreateOrderRequest) { r.PluginType = "DC_CHUNK" },
			"InvalidPluginType", []string{"DC_CHUNK", "DATA_EXPORT"}},
		{"unknown database", func(r *dmse.CreateOrderRequest) { r.PluginParam["dbId"] = 424242 },
			"DatabaseNotExist", []string{"424242"}},
		{"another tenant's database", func(r *dmse.CreateOrderRequest) { r.PluginParam["dbId"] = dbWarehouseLab },
			"DatabaseNotExist", []string{"1200001"}},
		{"logic flag wrong", func(r *dmse.CreateOrderRequest) { r.PluginParam["logic"] = true },
			"InvalidPluginParam", []string{"physical"}},
		{"no PluginParam", func(r *dmse.CreateOrderRequest) { r.PluginParam = nil },
			"InvalidPluginParam", []string{"PluginParam is required"}},
		{"several problems at once", func(r *dmse.CreateOrderRequest) {
			r.Comment = ""
			r.PluginParam["bogus"] = 1
			r.RelatedUserList = "2999999"
		}, "InvalidParam", []string{"3 problems", "Comment", `"bogus"`, "2999999"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, c := demo(t)
			req := exportRequest()
			tc.change(req)
			resp, err := c.CreateOrder(req)
			businessFailure(t, err, resp.Success, tc.code, resp.ErrorCode, resp.ErrorMessage)
			for _, m := range tc.mentions {
				if !strings.Contains(resp.ErrorMessage, m) {
					t.Errorf("ErrorMessage %q does not mention %q", resp.ErrorMessage, m)
				}
			}
			if n := len(r.Server.Orders()); n != 0 {
				t.Errorf("%d orders stored after a refusal", n)
			}
		})
	}
}

func TestCreateOrderChecksSQLInTheDatabasesDialect(t *testing.T) {
	_, c := demo(t)
	req := exportRequest()
	req.PluginParam["dbId"] = dbAnalytics // PostgreSQL: a dollar-quoted ';' does not split
	req.PluginParam["exeSQL"] = "SELECT $$a;b$$ AS x FROM page_views"
	if resp := createOrder(t, c, req); !resp.Success {
		t.Errorf("CreateOrder = %s", resp.GetHttpContentString())
	}
}

func TestGetOrderBaseInfo(t *testing.T) {
	clock := newTestClock()
	r := startSim(t, Options{Now: clock.Now})
	c := sdkClient(t, r, r.Credential)
	created := createOrder(t, c, exportRequest())
	id := created.CreateOrderResult.OrderIds[0]

	req := dmse.CreateGetOrderBaseInfoRequest()
	req.OrderId = requests.NewInteger64(id)
	resp, err := c.GetOrderBaseInfo(req)
	if err != nil || !resp.Success {
		t.Fatalf("GetOrderBaseInfo: %v %s", err, resp.GetHttpContentString())
	}
	info := resp.OrderBaseInfo
	wantTime := clock.Now().In(time.FixedZone("", 8*3600)).Format("2006-01-02 15:04:05")
	if info.OrderId != id || info.PluginType != "DATA_EXPORT" || info.StatusCode != "new" || info.Comment != "monthly revenue export" ||
		info.Committer != "Demo User" || info.CommitterId != userDemo || info.CreateTime != wantTime || info.LastModifyTime != wantTime {
		t.Errorf("OrderBaseInfo = %+v (want time %s)", info, wantTime)
	}
	if ids := info.RelatedUserList.UserIds; len(ids) != 2 || ids[0] != "2000002" || ids[1] != "2000003" {
		t.Errorf("RelatedUserList = %v", ids)
	}
	if nicks := info.RelatedUserNickList.UserNicks; len(nicks) != 2 || nicks[0] != "Alice Zhang" {
		t.Errorf("RelatedUserNickList = %v", nicks)
	}

	req.OrderId = requests.NewInteger64(id + 100)
	resp, err = c.GetOrderBaseInfo(req)
	businessFailure(t, err, resp.Success, "OrderNotExist", resp.ErrorCode, resp.ErrorMessage)
}

func TestListOrdersWindowsAndFilters(t *testing.T) {
	clock := newTestClock()
	r := startSim(t, Options{Now: clock.Now})
	c := sdkClient(t, r, r.Credential)
	t0 := clock.Now()
	var ids []int64
	for i, comment := range []string{"export A", "export B", "Schema change C"} {
		req := exportRequest()
		req.Comment = comment
		if i == 2 {
			req.PluginType = "NDDL"
			req.PluginParam = map[string]interface{}{"title": "t", "dbId": dbOrdersTest, "logic": false, "relatedIds": []int64{}}
		}
		resp := createOrder(t, c, req)
		if !resp.Success {
			t.Fatalf("CreateOrder: %s", resp.GetHttpContentString())
		}
		ids = append(ids, resp.CreateOrderResult.OrderIds[0])
		clock.Advance(2 * time.Minute)
	}
	cst := time.FixedZone("", 8*3600)
	at := func(d time.Duration) string { return t0.Add(d).In(cst).Format("2006-01-02 15:04:05") }
	list := func(set func(*dmse.ListOrdersRequest)) *dmse.ListOrdersResponse {
		t.Helper()
		req := dmse.CreateListOrdersRequest()
		req.OrderResultType = "AS_COMMITTER"
		set(req)
		resp, err := c.ListOrders(req)
		if err != nil || !resp.Success {
			t.Fatalf("ListOrders: %v %s", err, resp.GetHttpContentString())
		}
		return resp
	}
	orderIDs := func(resp *dmse.ListOrdersResponse) []int64 {
		var out []int64
		for _, o := range resp.Orders.Order {
			out = append(out, o.OrderId)
		}
		return out
	}
	all := list(func(*dmse.ListOrdersRequest) {})
	if got := orderIDs(all); all.TotalCount != 3 || len(got) != 3 || got[0] != ids[2] || got[2] != ids[0] {
		t.Fatalf("all (newest first) = %v total %d", got, all.TotalCount)
	}
	if o := all.Orders.Order[2]; o.Comment != "export A" || o.Committer != "Demo User" || o.CreateTime != at(0) || o.StatusCode != "new" {
		t.Errorf("oldest = %+v", o)
	}
	window := list(func(r *dmse.ListOrdersRequest) {
		r.SearchDateType = "CREATE_TIME"
		r.StartTime = at(time.Minute)
		r.EndTime = at(4 * time.Minute)
	})
	if got := orderIDs(window); window.TotalCount != 2 || got[0] != ids[2] || got[1] != ids[1] {
		t.Errorf("window [1m, 4m] = %v", got)
	}
	edge := list(func(r *dmse.ListOrdersRequest) {
		r.SearchDateType = "CREATE_TIME"
		r.StartTime = at(0)
		r.EndTime = at(0)
	})
	if got := orderIDs(edge); len(got) != 1 || got[0] != ids[0] {
		t.Errorf("window [0, 0] is inclusive: %v", got)
	}
	content := list(func(r *dmse.ListOrdersRequest) { r.SearchContent = "EXPORT" })
	if content.TotalCount != 2 {
		t.Errorf("SearchContent export: %d", content.TotalCount)
	}
	typed := list(func(r *dmse.ListOrdersRequest) { r.PluginType = "NDDL" })
	if got := orderIDs(typed); len(got) != 1 || got[0] != ids[2] {
		t.Errorf("PluginType NDDL: %v", got)
	}
	finished := list(func(r *dmse.ListOrdersRequest) { r.OrderStatus = "FINISHED" })
	if finished.TotalCount != 0 {
		t.Errorf("FINISHED: %d", finished.TotalCount)
	}
	paged := list(func(r *dmse.ListOrdersRequest) {
		r.PageNumber = requests.NewInteger(2)
		r.PageSize = requests.NewInteger(2)
	})
	if got := orderIDs(paged); paged.TotalCount != 3 || len(got) != 1 || got[0] != ids[0] {
		t.Errorf("page 2 of 2 = %v", got)
	}
	related := list(func(r *dmse.ListOrdersRequest) { r.OrderResultType = "AS_Related" })
	if related.TotalCount != 0 {
		t.Errorf("AS_Related for the committer: %d", related.TotalCount)
	}

	req := dmse.CreateListOrdersRequest()
	req.StartTime = "yesterday"
	resp, err := c.ListOrders(req)
	businessFailure(t, err, resp.Success, "InvalidParam", resp.ErrorCode, resp.ErrorMessage)
}

func TestListOrdersSeesOnlyTheTenantsTickets(t *testing.T) {
	_, c := demo(t)
	createOrder(t, c, exportRequest())
	req := dmse.CreateListOrdersRequest()
	req.Tid = requests.NewInteger(tenantLab)
	resp, err := c.ListOrders(req)
	if err != nil || !resp.Success || resp.TotalCount != 0 {
		t.Errorf("other tenant: %v %s", err, resp.GetHttpContentString())
	}
}

func TestConcurrentCreateOrdersGetDistinctIDs(t *testing.T) {
	r := startSim(t, Options{})
	const clients, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan string, clients*each)
	for range clients {
		c := sdkClient(t, r, r.Credential)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				resp, err := c.CreateOrder(exportRequest())
				if err != nil || !resp.Success {
					errs <- fmt.Sprint(err, resp.GetHttpContentString())
				}
				search := dmse.CreateSearchDatabaseRequest()
				search.SearchKey = "orders"
				if _, err := c.SearchDatabase(search); err != nil {
					errs <- err.Error()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	seen := map[int64]bool{}
	for _, o := range r.Server.Orders() {
		if seen[o.OrderID] {
			t.Errorf("ticket ID %d given twice", o.OrderID)
		}
		seen[o.OrderID] = true
	}
	if len(seen) != clients*each || len(r.Server.Requests()) != 2*clients*each {
		t.Errorf("%d tickets, %d requests", len(seen), len(r.Server.Requests()))
	}
}

func TestRequestLogKeepsTheMostRecent(t *testing.T) {
	r := startSim(t, Options{RequestLog: 4})
	c := sdkClient(t, r, r.Credential)
	for range 9 {
		if _, err := activeTenant(c); err != nil {
			t.Fatal(err)
		}
	}
	calls := r.Server.Requests()
	if len(calls) > 4 || calls[len(calls)-1].Seq != 9 || calls[len(calls)-1].Status != 200 {
		t.Errorf("calls = %+v", calls)
	}
}
