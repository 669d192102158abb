package dmssim

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	dmse "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"
)

// serverError asserts err is the SDK's ServerError with the code and status.
func serverError(t *testing.T, err error, status int, code string) *sdkerrors.ServerError {
	t.Helper()
	var se *sdkerrors.ServerError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v (%T), want an SDK ServerError %s", err, err, code)
	}
	if se.HttpStatus() != status || se.ErrorCode() != code {
		t.Fatalf("ServerError = %d %s (%s), want %d %s", se.HttpStatus(), se.ErrorCode(), se.Message(), status, code)
	}
	// The SDK replaces Recommend for signature mismatches with its own hint.
	recommendOK := code == "SignatureDoesNotMatch" || strings.Contains(se.Recommend(), "q="+code)
	if se.RequestId() == "" || se.HostId() == "" || !recommendOK {
		t.Errorf("ServerError lacks RequestId/HostId/Recommend: %q %q %q", se.RequestId(), se.HostId(), se.Recommend())
	}
	return se
}

// businessFailure asserts an HTTP 200 answer with Success=false and the code.
func businessFailure(t *testing.T, err error, success bool, code, gotCode, msg string) {
	t.Helper()
	if err != nil {
		t.Fatalf("error = %v, want a business failure %s (HTTP 200, Success=false)", err, code)
	}
	if success || gotCode != code {
		t.Fatalf("Success=%v ErrorCode=%q (%s), want false %q", success, gotCode, msg, code)
	}
}

func TestActiveTenantIsTheUsersFirstTenant(t *testing.T) {
	_, c := demo(t)
	resp, err := c.GetUserActiveTenant(dmse.CreateGetUserActiveTenantRequest())
	if err != nil || !resp.Success {
		t.Fatalf("GetUserActiveTenant: %v %+v", err, resp)
	}
	if resp.Tenant.Tid != tenantRetail || resp.Tenant.TenantName != "Acme Retail" || resp.Tenant.Status != "ACTIVE" {
		t.Errorf("Tenant = %+v", resp.Tenant)
	}
	if resp.RequestId == "" || resp.GetHttpHeaders()["X-Acs-Request-Id"][0] != resp.RequestId {
		t.Errorf("RequestId %q, header %v", resp.RequestId, resp.GetHttpHeaders()["X-Acs-Request-Id"])
	}
}

func TestListUserTenantsListsBothTenantsActiveFirst(t *testing.T) {
	_, c := demo(t)
	resp, err := c.ListUserTenants(dmse.CreateListUserTenantsRequest())
	if err != nil || !resp.Success {
		t.Fatalf("ListUserTenants: %v %+v", err, resp)
	}
	if len(resp.TenantList) != 2 || resp.TenantList[0].Tid != tenantRetail || resp.TenantList[0].Status != "ACTIVE" ||
		resp.TenantList[1].Tid != tenantLab || resp.TenantList[1].Status != "IN_ACTIVE" {
		t.Errorf("TenantList = %+v", resp.TenantList)
	}
}

func TestUnknownTenantIsTenantNotExist(t *testing.T) {
	_, c := demo(t)
	req := dmse.CreateSearchDatabaseRequest()
	req.Tid = requests.NewInteger(4242)
	resp, err := c.SearchDatabase(req)
	businessFailure(t, err, resp.Success, "TenantNotExist", resp.ErrorCode, resp.ErrorMessage)
	if resp.ErrorMessage != "The specified tenant does not exist." {
		t.Errorf("ErrorMessage = %q", resp.ErrorMessage)
	}
}

func TestRequestIDsAreUniqueAndUUIDLike(t *testing.T) {
	r, c := demo(t)
	for range 20 {
		if _, err := c.GetUserActiveTenant(dmse.CreateGetUserActiveTenantRequest()); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for _, call := range r.Server.Requests() {
		id := call.RequestID
		if len(id) != 36 || strings.Count(id, "-") != 4 || strings.ToUpper(id) != id || seen[id] {
			t.Fatalf("request ID %q is not a fresh upper-case UUID", id)
		}
		seen[id] = true
	}
}

func search(t *testing.T, c *dmse.Client, set func(*dmse.SearchDatabaseRequest)) *dmse.SearchDatabaseResponse {
	t.Helper()
	req := dmse.CreateSearchDatabaseRequest()
	set(req)
	resp, err := c.SearchDatabase(req)
	if err != nil || !resp.Success {
		t.Fatalf("SearchDatabase: %v %s", err, resp.GetHttpContentString())
	}
	return resp
}

func TestSearchDatabaseMatchesNameAndAliasIgnoringCase(t *testing.T) {
	_, c := demo(t)
	resp := search(t, c, func(r *dmse.SearchDatabaseRequest) { r.SearchKey = "PAYMENTS" })
	// payments (product, pre), payments_test, payments_uat, payments_stag.
	if resp.TotalCount != 5 || len(resp.SearchDatabaseList.SearchDatabase) != 5 {
		t.Fatalf("TotalCount = %d, %d items", resp.TotalCount, len(resp.SearchDatabaseList.SearchDatabase))
	}
	first := resp.SearchDatabaseList.SearchDatabase[0]
	if first.DatabaseId != "1100002" || first.SearchName != "payments@10.20.1.11:3306" || first.Host != "10.20.1.11" ||
		first.Port != 3306 || first.DbType != "mysql" || first.EnvType != "product" || first.CatalogName != "def" ||
		first.Logic || first.Encoding != "utf8mb4" || first.Alias != "Payments (production)" ||
		len(first.OwnerIdList.OwnerIds) != 1 || first.OwnerIdList.OwnerIds[0] != "2000003" ||
		first.OwnerNameList.OwnerNames[0] != "Bob Li" {
		t.Errorf("first = %+v", first)
	}
	byAlias := search(t, c, func(r *dmse.SearchDatabaseRequest) { r.SearchKey = "performance test" })
	if byAlias.TotalCount != 3 {
		t.Errorf("alias search TotalCount = %d, want 3", byAlias.TotalCount)
	}
}

func TestSearchDatabasePagesInAStableOrder(t *testing.T) {
	_, c := demo(t)
	all := search(t, c, func(r *dmse.SearchDatabaseRequest) { r.PageSize = requests.NewInteger(1000) })
	if all.TotalCount != 53 { // 50 physical + 3 logical in the first tenant
		t.Fatalf("TotalCount = %d, want 53", all.TotalCount)
	}
	var paged []string
	for page := 1; ; page++ {
		resp := search(t, c, func(r *dmse.SearchDatabaseRequest) {
			r.PageNumber = requests.NewInteger(page)
			r.PageSize = requests.NewInteger(7)
		})
		if resp.TotalCount != 53 {
			t.Fatalf("page %d TotalCount = %d", page, resp.TotalCount)
		}
		if len(resp.SearchDatabaseList.SearchDatabase) == 0 {
			break
		}
		for _, d := range resp.SearchDatabaseList.SearchDatabase {
			paged = append(paged, d.DatabaseId)
		}
	}
	if len(paged) != 53 {
		t.Fatalf("paged through %d databases, want 53", len(paged))
	}
	for i, d := range all.SearchDatabaseList.SearchDatabase {
		if paged[i] != d.DatabaseId {
			t.Fatalf("item %d: paged %s, all-at-once %s", i, paged[i], d.DatabaseId)
		}
	}
	def := search(t, c, func(r *dmse.SearchDatabaseRequest) {})
	if len(def.SearchDatabaseList.SearchDatabase) != 20 {
		t.Errorf("default page size gave %d items, want 20", len(def.SearchDatabaseList.SearchDatabase))
	}
}

func TestSearchDatabaseFilters(t *testing.T) {
	_, c := demo(t)
	cases := []struct {
		name string
		set  func(*dmse.SearchDatabaseRequest)
		want int64
	}{
		{"env product", func(r *dmse.SearchDatabaseRequest) { r.EnvType = "product" }, 16},
		{"env test", func(r *dmse.SearchDatabaseRequest) { r.EnvType = "test" }, 9},
		{"db type oracle", func(r *dmse.SearchDatabaseRequest) { r.DbType = "oracle" }, 4},
		{"db type postgresql", func(r *dmse.SearchDatabaseRequest) { r.DbType = "PostgreSQL" }, 6},
		{"logical only", func(r *dmse.SearchDatabaseRequest) { r.SearchTarget = "LOGIC_DB" }, 3},
		{"physical only", func(r *dmse.SearchDatabaseRequest) { r.SearchTarget = "SINGLE_DB" }, 50},
		{"key and env", func(r *dmse.SearchDatabaseRequest) { r.SearchKey = "orders"; r.EnvType = "pre" }, 1},
		{"owner", func(r *dmse.SearchDatabaseRequest) { r.SearchRange = "OWNER" }, 0},
		{"has permission", func(r *dmse.SearchDatabaseRequest) { r.SearchRange = "HAS_PERMSSION" }, 52},
		{"second tenant", func(r *dmse.SearchDatabaseRequest) { r.Tid = requests.NewInteger(tenantLab) }, 5},
		{"second tenant key", func(r *dmse.SearchDatabaseRequest) {
			r.Tid = requests.NewInteger(tenantLab)
			r.SearchKey = "orders"
		}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := search(t, c, tc.set)
			if resp.TotalCount != tc.want {
				t.Errorf("TotalCount = %d, want %d", resp.TotalCount, tc.want)
			}
		})
	}
}

func TestSearchFindsLogicalDatabasesByName(t *testing.T) {
	_, c := demo(t)
	resp := search(t, c, func(r *dmse.SearchDatabaseRequest) { r.SearchKey = "orders_sharded" })
	if resp.TotalCount != 1 {
		t.Fatalf("TotalCount = %d", resp.TotalCount)
	}
	d := resp.SearchDatabaseList.SearchDatabase[0]
	if d.DatabaseId != "1900001" || !d.Logic || d.SearchName != "orders_sharded" || d.Host != "" || d.Port != 0 || d.EnvType != "product" {
		t.Errorf("logical database = %+v", d)
	}
}

func TestHostileSchemaNameIsServedVerbatim(t *testing.T) {
	_, c := demo(t)
	resp := search(t, c, func(r *dmse.SearchDatabaseRequest) { r.SearchKey = "audit"; r.EnvType = "test" })
	if resp.TotalCount != 1 {
		t.Fatalf("TotalCount = %d", resp.TotalCount)
	}
	d := resp.SearchDatabaseList.SearchDatabase[0]
	for _, seq := range []string{"\x1b[2J", "\x1b]0;pwned\a", "\u009b", "\u202e"} {
		if !strings.Contains(d.SchemaName, seq) {
			t.Errorf("schema name %q lacks %q", d.SchemaName, seq)
		}
	}
	if !strings.Contains(d.Alias, "\x1b]52;c;") {
		t.Errorf("alias %q lacks the OSC 52 clipboard sequence", d.Alias)
	}
	if d.DatabaseId != "1100034" {
		t.Errorf("DatabaseId = %s", d.DatabaseId)
	}
}

func TestListDatabasesOfAnInstance(t *testing.T) {
	_, c := demo(t)
	req := dmse.CreateListDatabasesRequest()
	req.InstanceId = instOrdersProd
	req.PageSize = requests.NewInteger(3)
	resp, err := c.ListDatabases(req)
	if err != nil || !resp.Success {
		t.Fatalf("ListDatabases: %v %s", err, resp.GetHttpContentString())
	}
	if resp.TotalCount != 4 || len(resp.DatabaseList.Database) != 3 {
		t.Fatalf("TotalCount %d, %d items", resp.TotalCount, len(resp.DatabaseList.Database))
	}
	d := resp.DatabaseList.Database[0]
	if d.DatabaseId != "1100001" || d.InstanceId != instOrdersProd || d.SchemaName != "orders" || d.State != "NORMAL" || d.DbaId != "2000004" {
		t.Errorf("database = %+v", d)
	}
	req.PageNumber = requests.NewInteger(2)
	resp, _ = c.ListDatabases(req)
	if len(resp.DatabaseList.Database) != 1 || resp.DatabaseList.Database[0].SchemaName != "payroll" {
		t.Errorf("page 2 = %+v", resp.DatabaseList.Database)
	}

	missing := dmse.CreateListDatabasesRequest()
	_, err = c.ListDatabases(missing)
	se := serverError(t, err, 400, "MissingParameter")
	if !strings.Contains(se.Message(), "InstanceId") {
		t.Errorf("message %q does not name InstanceId", se.Message())
	}

	unknown := dmse.CreateListDatabasesRequest()
	unknown.InstanceId = "999"
	resp, err = c.ListDatabases(unknown)
	businessFailure(t, err, resp.Success, "InstanceNotExist", resp.ErrorCode, resp.ErrorMessage)
}

func TestListLogicDatabasesListsMembers(t *testing.T) {
	_, c := demo(t)
	resp, err := c.ListLogicDatabases(dmse.CreateListLogicDatabasesRequest())
	if err != nil || !resp.Success {
		t.Fatalf("ListLogicDatabases: %v %s", err, resp.GetHttpContentString())
	}
	if resp.TotalCount != 3 || len(resp.LogicDatabaseList.LogicDatabase) != 3 {
		t.Fatalf("TotalCount %d", resp.TotalCount)
	}
	l := resp.LogicDatabaseList.LogicDatabase[0]
	if l.DatabaseId != "1900001" || !l.Logic || l.SchemaName != "orders_sharded" || len(l.DatabaseIds.DatabaseIds) != 4 || l.DatabaseIds.DatabaseIds[0] != 1100012 {
		t.Errorf("logical database = %+v", l)
	}
}

func TestGetDatabaseByHostPortSchema(t *testing.T) {
	_, c := demo(t)
	req := dmse.CreateGetDatabaseRequest()
	req.Host = "10.20.1.11"
	req.Port = requests.NewInteger(3306)
	req.SchemaName = "payments"
	resp, err := c.GetDatabase(req)
	if err != nil || !resp.Success {
		t.Fatalf("GetDatabase: %v %s", err, resp.GetHttpContentString())
	}
	d := resp.Database
	if d.DatabaseId != "1100002" || d.DbId != 1100002 || d.InstanceId != instOrdersProd || d.InstanceAlias != "orders-prod-primary" || d.DbaName != "Carol Wang" {
		t.Errorf("Database = %+v", d)
	}
	req.SchemaName = "nope"
	resp, err = c.GetDatabase(req)
	businessFailure(t, err, resp.Success, "DatabaseNotExist", resp.ErrorCode, resp.ErrorMessage)

	noPort := dmse.CreateGetDatabaseRequest()
	noPort.Host, noPort.SchemaName = "10.20.1.11", "payments"
	_, err = c.GetDatabase(noPort)
	serverError(t, err, 400, "MissingParameter")
}

func TestGetPhysicalAndLogicDatabaseByID(t *testing.T) {
	_, c := demo(t)
	p := dmse.CreateGetPhysicalDatabaseRequest()
	p.DbId = requests.NewInteger(dbERPFinance)
	pr, err := c.GetPhysicalDatabase(p)
	if err != nil || !pr.Success {
		t.Fatalf("GetPhysicalDatabase: %v %s", err, pr.GetHttpContentString())
	}
	if pr.Database.SchemaName != "ERP_FINANCE" || pr.Database.Sid != "ERPPRD" || pr.Database.CatalogName != "ERPPRD" || pr.Database.Port != 1521 {
		t.Errorf("Database = %+v", pr.Database)
	}
	p.DbId = requests.NewInteger(logicOrders) // a logical ID is not a physical database
	pr, err = c.GetPhysicalDatabase(p)
	businessFailure(t, err, pr.Success, "DatabaseNotExist", pr.ErrorCode, pr.ErrorMessage)

	l := dmse.CreateGetLogicDatabaseRequest()
	l.DbId = "1900001"
	lr, err := c.GetLogicDatabase(l)
	if err != nil || !lr.Success {
		t.Fatalf("GetLogicDatabase: %v %s", err, lr.GetHttpContentString())
	}
	if lr.LogicDatabase.SchemaName != "orders_sharded" || len(lr.LogicDatabase.DatabaseIds.DatabaseIds) != 4 || lr.LogicDatabase.OwnerNameList.OwnerNames[0] != "Alice Zhang" {
		t.Errorf("LogicDatabase = %+v", lr.LogicDatabase)
	}

	other := dmse.CreateGetPhysicalDatabaseRequest() // another tenant's database, from the active tenant
	other.DbId = requests.NewInteger(dbWarehouseLab)
	pr, err = c.GetPhysicalDatabase(other)
	businessFailure(t, err, pr.Success, "DatabaseNotExist", pr.ErrorCode, pr.ErrorMessage)
	other.Tid = requests.NewInteger(tenantLab)
	pr, err = c.GetPhysicalDatabase(other)
	if err != nil || !pr.Success || pr.Database.SchemaName != "warehouse" {
		t.Errorf("with its Tid: %v %s", err, pr.GetHttpContentString())
	}
}

func TestUnknownActionIsNotFound(t *testing.T) {
	_, c := demo(t)
	_, err := c.ListInstances(dmse.CreateListInstancesRequest())
	serverError(t, err, 404, "InvalidAction.NotFound")
}

func TestRequestsRecordsParamsWithoutSignature(t *testing.T) {
	r, c := demo(t)
	req := dmse.CreateSearchDatabaseRequest()
	req.SearchKey = "orders"
	if _, err := c.SearchDatabase(req); err != nil {
		t.Fatal(err)
	}
	calls := r.Server.RequestsFor("SearchDatabase")
	if len(calls) != 1 {
		t.Fatalf("%d calls", len(calls))
	}
	call := calls[0]
	if call.Params.Get("SearchKey") != "orders" || call.Params.Has("Signature") || call.Params.Get("AccessKeyId") != DefaultCredential.AccessKeyID ||
		call.Status != 200 || call.UserID != userDemo || call.Time.IsZero() || call.Seq != 1 {
		t.Errorf("call = %+v", call)
	}
}

// answerError sends action with params as the SDK sends any call and
// returns the error it is answered with: a refusal's Code and Message, or a
// business failure's ErrorCode and ErrorMessage.
func answerError(t *testing.T, r *Running, c *dmse.Client, action string, params map[string]string) (code, msg string) {
	t.Helper()
	req := requests.NewCommonRequest()
	req.Method, req.Scheme, req.Domain = "POST", "HTTP", r.Host()
	req.Version, req.ApiName = apiVersion, action
	for k, v := range params {
		req.QueryParams[k] = v
	}
	resp, err := c.ProcessCommonRequest(req)
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		return se.ErrorCode(), se.Message()
	}
	if err != nil {
		t.Fatalf("%s: %v", action, err)
	}
	var body struct {
		Success      bool
		ErrorCode    string
		ErrorMessage string
	}
	if err := json.Unmarshal(resp.GetHttpContentBytes(), &body); err != nil || body.Success {
		t.Fatalf("%s %v: %v %s, want an error", action, params, err, resp.GetHttpContentString())
	}
	return body.ErrorCode, body.ErrorMessage
}

// TestTheFirstParameterErrorIsAnswered pins the order the operations check
// their parameters in: a request with two problems is answered the first.
func TestTheFirstParameterErrorIsAnswered(t *testing.T) {
	r, c := demo(t)
	cases := []struct {
		action string
		params map[string]string
		code   string
		names  string // a part of the message
	}{
		{"GetDatabase", map[string]string{"Port": "x"}, "MissingParameter", `"Host"`},
		{"GetDatabase", map[string]string{"Host": "h", "Port": "x"}, "InvalidParameter", `"Port"`},
		{"GetDatabase", map[string]string{"Tid": "4242"}, "TenantNotExist", "tenant"},
		{"GetPhysicalDatabase", map[string]string{"Tid": "4242"}, "TenantNotExist", "tenant"},
		{"GetPhysicalDatabase", map[string]string{"DbId": "4242", "Tid": "x"}, "InvalidParameter", `"Tid"`},
		{"GetLogicDatabase", map[string]string{"Tid": "x"}, "InvalidParameter", `"Tid"`},
		{"GetLogicDatabase", map[string]string{"DbId": "x", "Tid": "4242"}, "TenantNotExist", "tenant"},
		{"ExecuteScript", map[string]string{"Logic": "maybe"}, "MissingParameter", `"DbId"`},
		{"ExecuteScript", map[string]string{"DbId": "1100001", "Logic": "maybe"}, "InvalidParameter", `"Logic"`},
		{"ExecuteScript", map[string]string{"DbId": "4242", "Logic": "false"}, "MissingParameter", `"Script"`},
		{"ListDatabases", map[string]string{"PageSize": "x"}, "MissingParameter", `"InstanceId"`},
		{"ListDatabases", map[string]string{"InstanceId": "999", "PageSize": "x"}, "InvalidParameter", `"PageSize"`},
		{"ListLogicDatabases", map[string]string{"Tid": "4242", "PageNumber": "x"}, "TenantNotExist", "tenant"},
		{"ListOrders", map[string]string{"PageNumber": "x", "PageSize": "y"}, "InvalidParameter", `"PageNumber"`},
		{"SearchDatabase", map[string]string{"Tid": "x", "PageNumber": "y"}, "InvalidParameter", `"Tid"`},
		{"ListUserTenants", map[string]string{"Tid": "4242"}, "TenantNotExist", "tenant"},
		{"GetUserActiveTenant", map[string]string{"Tid": "x"}, "InvalidParameter", `"Tid"`},
		{"CreateOrder", map[string]string{"Tid": "4242"}, "TenantNotExist", "tenant"},
		{"CreateDataCorrectOrder", map[string]string{"Tid": "4242"}, "TenantNotExist", "tenant"},
		{"CreateDataCorrectOrder", map[string]string{"Param": "[]", "Param.ExecSQL": "x"}, "InvalidParam", "twice"},
		{"GetOrderBaseInfo", map[string]string{"Tid": "x"}, "InvalidParameter", `"Tid"`},
		{"GetOrderBaseInfo", map[string]string{"OrderId": "x", "Tid": "4242"}, "TenantNotExist", "tenant"},
		{"ListDataCorrectPreCheckSQL", map[string]string{"PageNumber": "x", "DbId": "y"}, "InvalidParameter", `"PageNumber"`},
		{"ListDataCorrectPreCheckSQL", map[string]string{"DbId": "y", "Tid": "x"}, "InvalidParameter", `"DbId"`},
		{"ListDataCorrectPreCheckDB", map[string]string{"PageSize": "x", "Tid": "4242"}, "InvalidParameter", `"PageSize"`},
		{"CloseOrder", map[string]string{"Tid": "4242"}, "MissingParameter", `"CloseReason"`},
		{"ExecuteDataExport", map[string]string{"ActionDetail": "nope", "Tid": "4242"}, "InvalidParam", "ActionDetail"},
		{"ExecuteDataCorrect", map[string]string{"ActionDetail": "[]", "Tid": "4242"}, "InvalidParam", "ActionDetail"},
		{"ApproveOrder", map[string]string{"Tid": "4242"}, "MissingParameter", `"ApprovalType"`},
		{"ApproveOrder", map[string]string{"ApprovalType": "MAYBE", "Tid": "4242"}, "InvalidParam", "ApprovalType"},
		{"GetApprovalDetail", map[string]string{"WorkflowInstanceId": "x", "Tid": "4242"}, "TenantNotExist", "tenant"},
		{"GetApprovalDetail", map[string]string{"WorkflowInstanceId": "x"}, "InvalidParameter", `"WorkflowInstanceId"`},
	}
	for _, tc := range cases {
		code, msg := answerError(t, r, c, tc.action, tc.params)
		if code != tc.code || !strings.Contains(msg, tc.names) {
			t.Errorf("%s %v: %s %q, want %s naming %s", tc.action, tc.params, code, msg, tc.code, tc.names)
		}
	}
	// Each request is checked on its own: none of those errors stays.
	if resp, err := c.GetUserActiveTenant(dmse.CreateGetUserActiveTenantRequest()); err != nil || !resp.Success {
		t.Errorf("GetUserActiveTenant after them: %v %s", err, resp.GetHttpContentString())
	}
}
