package dmssim

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// operation answers one Action. It returns the operation's fields (a struct
// or map marshalled into the answer next to RequestId and Success) or an
// error to answer instead.
type operation func(x *exchange) (any, *apiError)

// operations are the Actions the simulator answers.
var operations = map[string]operation{
	"GetUserActiveTenant": opGetUserActiveTenant,
	"ListUserTenants":     opListUserTenants,
	"SearchDatabase":      opSearchDatabase,
	"ListDatabases":       opListDatabases,
	"ListLogicDatabases":  opListLogicDatabases,
	"GetDatabase":         opGetDatabase,
	"GetPhysicalDatabase": opGetPhysicalDatabase,
	"GetLogicDatabase":    opGetLogicDatabase,
	"ExecuteScript":       opExecuteScript,
	"CreateOrder":         opCreateOrder,
	"GetOrderBaseInfo":    opGetOrderBaseInfo,
	"ListOrders":          opListOrders,
	"CloseOrder":          opCloseOrder,

	"PreviewWorkflow":     opPreviewWorkflow,
	"SubmitOrderApproval": opSubmitOrderApproval,
	"GetApprovalDetail":   opGetApprovalDetail,
	"ApproveOrder":        opApproveOrder,

	"GetDataExportOrderDetail":    opGetDataExportOrderDetail,
	"GetDataExportPreCheckDetail": opGetDataExportPreCheckDetail,
	"ExecuteDataExport":           opExecuteDataExport,
	"GetDataExportDownloadURL":    opGetDataExportDownloadURL,

	"CreateDataCorrectOrder":     opCreateDataCorrectOrder,
	"GetDataCorrectOrderDetail":  opGetDataCorrectOrderDetail,
	"ListDataCorrectPreCheckSQL": opListDataCorrectPreCheckSQL,
	"ListDataCorrectPreCheckDB":  opListDataCorrectPreCheckDB,
	"ExecuteDataCorrect":         opExecuteDataCorrect,
	"GetDataCorrectTaskDetail":   opGetDataCorrectTaskDetail,
}

// exchange is one request being answered.
type exchange struct {
	s         *Server
	w         http.ResponseWriter
	r         *http.Request
	params    url.Values
	requestID string
	seq       int
	user      *user
	// cred is the key pair the request was signed with.
	cred Credential
	// mangle, when set, rewrites the answer body (the MalformedJSON fault).
	mangle func([]byte) []byte
	// dropAfter, when set, closes the connection instead of answering, after
	// the operation ran (the DropAfterCreate fault).
	dropAfter bool
	// slowAnswer, when set, holds the answer that long after the operation
	// ran (the SlowAnswer fault).
	slowAnswer time.Duration
	// failJob, when set, makes the job the request starts fail (the FailJob
	// fault).
	failJob bool
	// bad is the first error met reading the request (see setBad and the
	// readers after it); nil while there is none.
	bad *apiError
}

// reply answers the request with result or err and records the outcome.
func (x *exchange) reply(result any, err *apiError) {
	status, code := http.StatusOK, ""
	var body []byte
	switch {
	case err != nil && err.Status != http.StatusOK:
		status, code = err.Status, err.Code
		body = mustJSON(refusalBody{
			RequestID: x.requestID, HostID: x.hostID(), Code: err.Code, Message: err.Message,
			Recommend: recommendURL(err.Code, x.requestID),
		})
	case err != nil:
		code = err.Code
		body = mustJSON(failureBody{RequestID: x.requestID, Success: false, ErrorCode: err.Code, ErrorMessage: err.Message})
	default:
		body = successBody(x.requestID, result)
	}
	if x.dropAfter {
		x.drop()
		return
	}
	if x.slowAnswer > 0 {
		t := time.NewTimer(x.slowAnswer)
		select {
		case <-t.C:
		case <-x.r.Context().Done():
			t.Stop()
			x.s.update(x.seq, func(c *Call) { c.Status = 0 })
			return
		}
	}
	if x.mangle != nil {
		body = x.mangle(body)
	}
	h := x.w.Header()
	h.Set("Content-Type", "application/json;charset=utf-8")
	h.Set("x-acs-request-id", x.requestID)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	x.w.WriteHeader(status)
	_, _ = x.w.Write(body)
	x.s.update(x.seq, func(c *Call) { c.Status, c.Code = status, code })
}

// drop closes the connection without an answer.
func (x *exchange) drop() {
	x.s.update(x.seq, func(c *Call) { c.Status = 0 })
	if hj, ok := x.w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = conn.Close()
			return
		}
	}
	// HTTP/2 or a wrapped writer: abort the handler, which resets the stream
	// or closes the connection without a response.
	panic(http.ErrAbortHandler)
}

// hostID is the HostId DMS puts in an error body: the regional endpoint of
// the request's RegionId (whatever host the client addressed, the simulator
// included), or the central one without a usable RegionId.
func (x *exchange) hostID() string {
	region := x.params.Get("RegionId")
	if region == "" || len(region) > 64 || strings.Trim(region, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return "dms-enterprise.aliyuncs.com"
	}
	return "dms-enterprise." + region + ".aliyuncs.com"
}

// successBody is {"RequestId":…,"Success":true, …result's fields}.
func successBody(requestID string, result any) []byte {
	var b bytes.Buffer
	b.WriteString(`{"RequestId":`)
	b.Write(mustJSON(requestID))
	b.WriteString(`,"Success":true`)
	if result != nil {
		fields := mustJSON(result)
		if len(fields) > 2 { // not "{}"
			b.WriteByte(',')
			b.Write(fields[1 : len(fields)-1])
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("dmssim: cannot encode an answer: " + err.Error())
	}
	return b
}

// str is a parameter's value, "" when absent.
func (x *exchange) str(name string) string { return x.params.Get(name) }

// The parameter readers below follow one pattern: the first error met
// reading the request (a parameter missing or malformed, or the tenant or
// database it names not there) is kept in x.bad, and once it is set every
// reader returns zero values and records nothing more. An operation reads
// all it needs in the order DMS checks it, then answers x.bad if it is set:
// the first error, the one DMS would name. The exchange, and so x.bad, is
// the request's own: ServeHTTP makes a new one for each.

// setBad records err as the request's error unless one is recorded already;
// a nil err records nothing.
func (x *exchange) setBad(err *apiError) {
	if x.bad == nil {
		x.bad = err
	}
}

// need is a parameter that must be present and not empty.
func (x *exchange) need(name string) string {
	if x.bad != nil {
		return ""
	}
	v := x.params.Get(name)
	if v == "" {
		x.setBad(errMissingParameter(name))
	}
	return v
}

// int64Param reads an integer parameter; ok is false when it is absent (or
// not an integer, or an error was recorded before).
func (x *exchange) int64Param(name string) (n int64, ok bool) {
	if x.bad != nil {
		return 0, false
	}
	v := strings.TrimSpace(x.params.Get(name))
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		x.setBad(errInvalidParameter(name, v, "an integer"))
		return 0, false
	}
	return n, true
}

// needInt64 reads an integer parameter that must be present.
func (x *exchange) needInt64(name string) int64 {
	n, ok := x.int64Param(name)
	if !ok {
		x.setBad(errMissingParameter(name)) // kept only when nothing was before
	}
	return n
}

// needBool reads a boolean parameter that must be present.
func (x *exchange) needBool(name string) bool {
	v := x.need(name)
	if x.bad != nil {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		x.setBad(errInvalidParameter(name, v, "true or false"))
	}
	return b
}

// Paging bounds: PageNumber counts from 1; PageSize is clamped to 1..1000.
const (
	defaultPageSize = 20
	maxPageSize     = 1000
)

// page reads PageNumber and PageSize and returns the offset and size.
func (x *exchange) page() (offset, size int) {
	number, ok := x.int64Param("PageNumber")
	if !ok || number < 1 {
		number = 1
	}
	ps, ok := x.int64Param("PageSize")
	switch {
	case x.bad != nil:
		return 0, 0
	case !ok:
		ps = defaultPageSize
	case ps < 1:
		ps = 1
	case ps > maxPageSize:
		ps = maxPageSize
	}
	if number > int64(1<<31)/ps {
		number = int64(1<<31) / ps // far past the end: an empty page
	}
	return int((number - 1) * ps), int(ps)
}

// tenant is the tenant the request acts in: Tid, or the user's active tenant
// when Tid is absent or 0. A tenant the user does not belong to does not
// exist, as far as the user can tell (TenantNotExist, recorded; the tenant
// is nil then, as after an error recorded before).
func (x *exchange) tenant() *tenant {
	tid, ok := x.int64Param("Tid")
	switch {
	case x.bad != nil:
		return nil
	case !ok || tid == 0:
		return x.user.tenants[0]
	}
	t := x.s.world.tenantByID[tid]
	if t == nil || !x.user.member(t) {
		x.setBad(errTenantNotExist)
		return nil
	}
	return t
}
