package dmssim

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"sort"
	"strconv"
	"strings"
	"time"

	"dmsticket/dms"
)

// Order is a ticket CreateOrder or CreateDataCorrectOrder stored.
type Order struct {
	OrderID    int64
	Tid        int64
	PluginType string
	// Operation is the action that created it: CreateOrder, or
	// CreateDataCorrectOrder for a data change.
	Operation string
	// PluginParam is the parameter object exactly as received: CreateOrder's
	// PluginParam form value, or CreateDataCorrectOrder's Param when it came
	// as one JSON string. For Param sent flattened (Param.X fields, as the
	// Go SDK v1.63 sends its typed Param), it is the object the simulator
	// rebuilt from them, as compact JSON.
	PluginParam string
	// ParamForm says how the parameter object arrived: "json" (one JSON
	// string) or "flattened" (Param.X fields).
	ParamForm string
	// Param is the parameter object decoded, numbers as json.Number.
	Param map[string]any
	// DatabaseID and Logic are the database the parameter object names (a
	// data change's first).
	DatabaseID int64
	Logic      bool
	// Databases are every database a data change names (DbItemList), in
	// order; for other types, the one database.
	Databases []dms.DbItem
	// ExecMode is a data change's ExecMode (COMMITOR when not sent); empty
	// for other types.
	ExecMode string
	Comment  string
	// RelatedUserList is the parameter as received; RelatedUsers the IDs in
	// it.
	RelatedUserList string
	RelatedUsers    []int64
	AttachmentKey   string
	// CloseReason is CloseOrder's reason, once closed.
	CloseReason string
	CommitterID int64
	// Status is the ticket's StatusCode now (GetOrderBaseInfo's): new,
	// toaudit, Approved, reject, processing, success, fail or closed.
	Status string
	// JobStatus is the state the type's detail call reports now: an
	// export's KeyInfo.JobStatus, a data change's Status; empty for other
	// types.
	JobStatus string
	// WorkflowInstanceID is the approval process SubmitOrderApproval
	// started; 0 before.
	WorkflowInstanceID int64
	CreateTime         time.Time
	// RequestID is the RequestId of the CreateOrder call that stored it.
	RequestID string

	life *life // guarded by Server.mu; nil in the copies Orders returns
}

// chinaTime is UTC+8, the zone DMS writes and reads ticket times in.
var chinaTime = time.FixedZone("UTC+8", 8*60*60)

// dmsTimeLayout is DMS's "yyyy-MM-dd HH:mm:ss".
const dmsTimeLayout = "2006-01-02 15:04:05"

func dmsTime(t time.Time) string { return t.In(chinaTime).Format(dmsTimeLayout) }

// Orders returns the stored tickets in creation order, as they are now.
func (s *Server) Orders() []Order {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Order, len(s.orders))
	for i, o := range s.orders {
		s.settle(o, now)
		c := *o
		c.life = nil
		c.Param = maps.Clone(o.Param)
		c.RelatedUsers = append([]int64(nil), o.RelatedUsers...)
		c.Databases = append([]dms.DbItem(nil), o.Databases...)
		out[i] = c
	}
	return out
}

// orderProblem is one reason CreateOrder refuses a ticket.
type orderProblem struct{ code, msg string }

// opCreateOrder answers CreateOrder. Everything is checked before anything is
// stored: the PluginType against the catalog, PluginParam as a JSON object
// valid for the type (keys, JSON types, SQL statement kinds in the dialect of
// the database it names), the database in the tenant with a matching logic
// flag, the comment, and every related user. A refusal lists every problem.
func opCreateOrder(x *exchange) (any, *apiError) {
	t := x.tenant()
	if x.bad != nil {
		return nil, x.bad
	}
	var ps []orderProblem
	add := func(code, format string, args ...any) {
		ps = append(ps, orderProblem{code, fmt.Sprintf(format, args...)})
	}
	pluginType := x.str("PluginType")
	tt, known := dms.LookupType(pluginType)
	switch {
	case pluginType == "":
		add("InvalidPluginType", "PluginType is required: one of %s.", strings.Join(createOrderTypes(), ", "))
	case !known:
		add("InvalidPluginType", "PluginType %q is not supported by CreateOrder; use one of %s.", pluginType, strings.Join(createOrderTypes(), ", "))
	case tt.Op() != dms.OpCreateOrder:
		// The CreateOrder documentation sends this type to its own
		// operation; what DMS answers here is UNCONFIRMED.
		add("InvalidPluginType", "PluginType %s is not filed through CreateOrder: use %s, with its %s.", pluginType, tt.Op(), tt.ParamName())
		known = false
	}
	raw := x.str("PluginParam")
	param, perr := decodePluginParam(raw)
	if perr != "" {
		add("InvalidPluginParam", "%s", perr)
	}
	o := &Order{Tid: t.id, PluginType: pluginType, Operation: dms.OpCreateOrder, PluginParam: raw, ParamForm: "json", Param: param}
	if known && param != nil {
		dbType := ""
		if id, ok := wholeNumber(param["dbId"]); ok {
			o.DatabaseID = id
			d := x.s.world.dbs[id]
			if d == nil || d.tenant != t {
				add("DatabaseNotExist", "PluginParam dbId %d: no database with this ID exists in tenant %d.", id, t.id)
			} else {
				dbType = d.dbType
				if logic, ok := param["logic"].(bool); ok && logic != d.logic {
					add("InvalidPluginParam", "PluginParam logic is %t, but database %d is a %s database.", logic, id, map[bool]string{true: "logical", false: "physical"}[d.logic])
				}
			}
		}
		o.Logic, _ = param["logic"].(bool)
		for _, p := range dms.ValidatePluginParam(pluginType, param, dbType) {
			add("InvalidPluginParam", "%s", p.String())
		}
		if ids, ok := param["relatedIds"].([]any); ok {
			for _, v := range ids {
				if id, ok := wholeNumber(v); ok && x.s.world.users[id] == nil {
					add("UserNotExist", "PluginParam relatedIds: user %d does not exist.", id)
				}
			}
		}
	}
	o.Comment = x.str("Comment")
	if strings.TrimSpace(o.Comment) == "" {
		add("MissingComment", "Comment is required: say what the ticket is for.")
	}
	o.RelatedUserList = x.str("RelatedUserList")
	for _, part := range strings.Split(o.RelatedUserList, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		switch {
		case err != nil || id <= 0:
			add("InvalidParam", "RelatedUserList: %q is not a DMS user ID; give comma-separated user IDs such as 2000002,2000003.", part)
		case x.s.world.users[id] == nil:
			add("UserNotExist", "RelatedUserList: user %d does not exist.", id)
		default:
			o.RelatedUsers = append(o.RelatedUsers, id)
		}
	}
	if len(ps) > 0 {
		return nil, orderRefusal(ps)
	}
	o.AttachmentKey = x.str("AttachmentKey")
	o.CommitterID = x.user.id
	o.CreateTime = x.s.now()
	o.RequestID = x.requestID
	db := x.s.world.dbs[o.DatabaseID]
	o.Databases = []dms.DbItem{{DbId: o.DatabaseID, Logic: o.Logic}}
	o.life = newLife(pluginType, []*database{db}, runPrecheck(db, param), o.CreateTime)
	x.s.store(o)
	return map[string]list[int64]{"CreateOrderResult": listOf("OrderIds", []int64{o.OrderID})}, nil
}

// store gives a new ticket its ID and keeps it.
func (s *Server) store(o *Order) {
	o.sync()
	s.mu.Lock()
	defer s.mu.Unlock()
	o.OrderID = s.nextOrderID
	s.nextOrderID++
	s.orders = append(s.orders, o)
	s.ordersByID[o.OrderID] = o
}

// createOrderTypes are the catalog's types CreateOrder files.
func createOrderTypes() []string {
	var out []string
	for _, tt := range dms.Catalog() {
		if tt.Op() == dms.OpCreateOrder {
			out = append(out, tt.PluginType)
		}
	}
	return out
}

// dbs are the ticket's databases the world knows, in order.
func (s *Server) dbs(o *Order) []*database {
	var out []*database
	for _, it := range o.Databases {
		if d := s.world.dbs[it.DbId]; d != nil {
			out = append(out, d)
		}
	}
	return out
}

// classify is the ticket's reason category: an export's classify, a data
// change's Classify.
func (o *Order) classify() string {
	if c, ok := o.Param["classify"].(string); ok {
		return c
	}
	c, _ := o.Param["Classify"].(string)
	return c
}

// orderRefusal is one business failure listing every problem. The code is
// the problems' common code, or InvalidParam when they differ.
func orderRefusal(ps []orderProblem) *apiError {
	code := ps[0].code
	for _, p := range ps[1:] {
		if p.code != code {
			code = "InvalidParam"
		}
	}
	if len(ps) == 1 {
		return fail(code, "%s", ps[0].msg)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems:", len(ps))
	for i, p := range ps {
		fmt.Fprintf(&b, " (%d) %s", i+1, p.msg)
	}
	return fail(code, "%s", b.String())
}

// decodePluginParam decodes PluginParam as one JSON object, numbers as
// json.Number. It returns a problem in words when it is not one.
func decodePluginParam(raw string) (map[string]any, string) {
	if strings.TrimSpace(raw) == "" {
		return nil, "PluginParam is required: a JSON object with the ticket type's keys, sent in the form body."
	}
	return decodeObject("PluginParam", raw)
}

// decodeObject decodes parameter name's value as one JSON object, numbers
// as json.Number, or says in words why it is not one.
func decodeObject(name, raw string) (map[string]any, string) {
	v, problem := decodeJSON(name, raw)
	if problem != "" {
		return nil, problem
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, name + " must be a JSON object, not " + dms.JSONKind(v) + "."
	}
	return m, ""
}

// decodeJSON decodes parameter name's value as one JSON value, numbers as
// json.Number, or says in words why it is not one.
func decodeJSON(name, raw string) (any, string) {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Sprintf("%s is not valid JSON: %v.", name, strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, name + " is not valid JSON: there is more after the value."
	}
	return v, ""
}

// wholeNumber reads a JSON number that is a whole number.
func wholeNumber(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

// orderBaseInfoJSON is the SDK's OrderBaseInfo struct: an Order's fields
// (first, in its order) and more.
type orderBaseInfoJSON struct {
	orderJSON
	WorkflowInstanceID   int64        `json:"WorkflowInstanceId"`
	WorkflowStatusDesc   string       `json:"WorkflowStatusDesc"`
	AttachmentKey        string       `json:"AttachmentKey"`
	OriginAttachmentName string       `json:"OriginAttachmentName"`
	RelatedUserList      list[string] `json:"RelatedUserList"`
	RelatedUserNickList  list[string] `json:"RelatedUserNickList"`
}

// orderJSON is the SDK's Order struct (a ListOrders item).
type orderJSON struct {
	OrderID        int64  `json:"OrderId"`
	PluginType     string `json:"PluginType"`
	StatusCode     string `json:"StatusCode"`
	StatusDesc     string `json:"StatusDesc"`
	Comment        string `json:"Comment"`
	Committer      string `json:"Committer"`
	CommitterID    int64  `json:"CommitterId"`
	CreateTime     string `json:"CreateTime"`
	LastModifyTime string `json:"LastModifyTime"`
}

// orderItem is ticket o as ListOrders lists it, and as GetOrderBaseInfo
// begins. Called with x.s.mu held.
func (x *exchange) orderItem(o *Order) orderJSON {
	return orderJSON{
		OrderID: o.OrderID, PluginType: o.PluginType, StatusCode: o.Status, StatusDesc: o.life.statusDesc(),
		Comment: o.Comment, Committer: x.s.committerName(o), CommitterID: o.CommitterID,
		CreateTime: dmsTime(o.CreateTime), LastModifyTime: dmsTime(o.life.since),
	}
}

func (s *Server) committerName(o *Order) string {
	if u := s.world.users[o.CommitterID]; u != nil {
		return u.display()
	}
	return ""
}

// workflowStatusDescs is WorkflowStatusDesc per process state (free text in
// DMS).
var workflowStatusDescs = map[string]string{
	wfAuditing: "Auditing", wfApproved: "Approved", wfRejected: "Rejected", wfCanceled: "Canceled",
}

// opGetOrderBaseInfo answers GetOrderBaseInfo: one ticket of the tenant, its
// StatusCode as the lifecycle has it (StatusDesc carries the precheck's
// reason when it failed), its approval process once submitted.
func opGetOrderBaseInfo(x *exchange) (any, *apiError) {
	return x.ticket(func(c *Order, _ time.Time) (any, *apiError) {
		info := orderBaseInfoJSON{orderJSON: x.orderItem(c), AttachmentKey: c.AttachmentKey}
		if wf := c.life.wf; wf != nil {
			info.WorkflowInstanceID, info.WorkflowStatusDesc = wf.id, workflowStatusDescs[wf.code]
		}
		var ids, nicks []string
		for _, uid := range c.RelatedUsers {
			ids = append(ids, strconv.FormatInt(uid, 10))
			if u := x.s.world.users[uid]; u != nil {
				nicks = append(nicks, u.display())
			}
		}
		info.RelatedUserList, info.RelatedUserNickList = listOf("UserIds", ids), listOf("UserNicks", nicks)
		return struct {
			OrderBaseInfo orderBaseInfoJSON `json:"OrderBaseInfo"`
		}{info}, nil
	})
}

// opCloseOrder answers CloseOrder: the ticket is closed, whatever it was
// doing (a running export stops and fails, an approval process still open
// is canceled), except a finished one. Only the committer (or the approver
// credential) may close it; CloseReason is required.
func opCloseOrder(x *exchange) (any, *apiError) {
	reason := x.need("CloseReason")
	return x.ticket(x.byCommitter("close it", func(o *Order, now time.Time) (any, *apiError) {
		switch o.life.phase {
		case phaseClosed:
			return nil, errState("OrderClosed", o, "It was closed already.")
		case phaseDone:
			return nil, errState("OrderFinished", o, "A ticket that has run to the end cannot be closed.")
		}
		if wf := o.life.wf; wf != nil && wf.code == wfAuditing {
			wf.end(wfCanceled, x.user, now, "Closed: "+reason)
		}
		o.CloseReason = reason
		o.enter(phaseClosed, now)
		return nil, nil
	}))
}

// parseDMSTime reads "yyyy-MM-dd HH:mm:ss" (or "yyyy-MM-dd") in UTC+8.
func parseDMSTime(s string) (time.Time, bool) {
	for _, layout := range []string{dmsTimeLayout, "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), chinaTime); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// opListOrders answers ListOrders: the tenant's tickets in the user's role
// (OrderResultType, default AS_COMMITTER), filtered by status, plugin type,
// a creation-time window and a comment substring, newest first, paged.
func opListOrders(x *exchange) (any, *apiError) {
	t := x.tenant()
	offset, size := x.page()
	if x.bad != nil {
		return nil, x.bad
	}
	role := strings.ToUpper(x.str("OrderResultType"))
	switch role {
	case "":
		role = "AS_COMMITTER"
	case "AS_ADMIN", "AS_COMMITTER", "AS_HANDLER", "AS_OWNER", "AS_RELATED":
	default:
		return nil, fail("InvalidParam", "OrderResultType %q is not one of AS_ADMIN, AS_COMMITTER, AS_HANDLER, AS_OWNER, AS_Related.", x.str("OrderResultType"))
	}
	status := strings.ToUpper(x.str("OrderStatus"))
	switch status {
	case "", "ALL", "RUNNING", "FINISHED":
	default:
		return nil, fail("InvalidParam", "OrderStatus %q is not one of ALL, RUNNING, FINISHED.", x.str("OrderStatus"))
	}
	switch dt := strings.ToUpper(x.str("SearchDateType")); dt {
	case "", "CREATE_TIME", "MODIFY_TIME":
	default:
		return nil, fail("InvalidParam", "SearchDateType %q is not one of CREATE_TIME, MODIFY_TIME.", x.str("SearchDateType"))
	}
	var from, to time.Time
	var hasFrom, hasTo bool
	if v := x.str("StartTime"); v != "" {
		if from, hasFrom = parseDMSTime(v); !hasFrom {
			return nil, fail("InvalidParam", "StartTime %q is not a time like 2024-01-31 08:00:00 (UTC+8).", v)
		}
	}
	if v := x.str("EndTime"); v != "" {
		if to, hasTo = parseDMSTime(v); !hasTo {
			return nil, fail("InvalidParam", "EndTime %q is not a time like 2024-01-31 18:00:00 (UTC+8).", v)
		}
	}
	content := strings.ToLower(x.str("SearchContent"))
	pluginType := x.str("PluginType")
	uid := x.user.id

	now := x.s.now()
	x.s.mu.Lock()
	var matched []*Order
	for _, o := range x.s.orders {
		if o.Tid != t.id {
			continue
		}
		x.s.settle(o, now)
		created := o.CreateTime.Truncate(time.Second)
		switch {
		case !x.s.inRole(o, role, uid),
			status == "FINISHED" && !o.life.finished(),
			status == "RUNNING" && o.life.finished(),
			pluginType != "" && o.PluginType != pluginType,
			hasFrom && created.Before(from),
			hasTo && created.After(to),
			content != "" && !strings.Contains(strings.ToLower(o.Comment), content) && content != strconv.FormatInt(o.OrderID, 10):
			continue
		}
		matched = append(matched, o)
	}
	sort.SliceStable(matched, func(i, j int) bool {
		if !matched[i].CreateTime.Equal(matched[j].CreateTime) {
			return matched[i].CreateTime.After(matched[j].CreateTime)
		}
		return matched[i].OrderID > matched[j].OrderID
	})
	page := paged(matched, offset, size, x.orderItem)
	x.s.mu.Unlock()
	return pageOf(len(matched), "Orders", "Order", page), nil
}

// inRole reports whether user uid sees ticket o as role. Called with s.mu
// held.
func (s *Server) inRole(o *Order, role string, uid int64) bool {
	switch role {
	case "AS_ADMIN":
		return true
	case "AS_COMMITTER":
		return o.CommitterID == uid
	case "AS_RELATED":
		for _, id := range o.RelatedUsers {
			if id == uid {
				return true
			}
		}
	case "AS_OWNER":
		for _, d := range s.dbs(o) {
			for _, u := range d.owners {
				if u.id == uid {
					return true
				}
			}
		}
	case "AS_HANDLER":
		if wf := o.life.wf; wf != nil {
			for _, u := range wf.handlers() {
				if u.id == uid {
					return true
				}
			}
		}
	}
	return false
}
