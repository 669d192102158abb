package dmssim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"dmsticket/dms"
)

// This file is the data change (DC_COMMON): CreateDataCorrectOrder, its
// detail (GetDataCorrectOrderDetail), its precheck's figures
// (ListDataCorrectPreCheckSQL, ListDataCorrectPreCheckDB), its run
// (ExecuteDataCorrect) and the run's state (GetDataCorrectTaskDetail). Its
// lifecycle is dataChangeKind's (lifecycle.go).
//
// Who runs an approved change is its ExecMode: COMMITOR, the committer,
// through ExecuteDataCorrect, once; AUTO, DMS itself as soon as it is
// approved; LAST_AUDITOR, the approver who approved its last approval
// node, through ExecuteDataCorrect with their own key pair (or the approver
// credential). That the last approver calls the same operation is the
// simplest reading of the documentation, which says only "the last approver
// runs it" (UNCONFIRMED).

// The ExecMode values.
const (
	execCommitor    = "COMMITOR"
	execAuto        = "AUTO"
	execLastAuditor = "LAST_AUDITOR"
)

// paramForm names how a data change's Param arrived.
const (
	paramJSON      = "json"
	paramFlattened = "flattened"
)

// opCreateDataCorrectOrder answers CreateDataCorrectOrder. Param comes as
// one JSON string (as the TEA SDK and real callers send it) or flattened
// into Param.X query fields (as the Go SDK v1.63 sends its typed Param:
// every value a string, DbItemList as Param.DbItemList.N.DbId and .Logic);
// which one is recorded on the Order. A missing or empty Classify is
// refused first, with HTTP 403, as DMS answers it (原因分类不能为空; the
// error code is UNCONFIRMED). Then everything is checked before anything is
// stored, as CreateOrder does: Param against the catalog (keys, JSON types,
// the SQL's statement kinds in the dialect of each database), each database
// in the tenant with a matching logic flag, the comment, and the related
// users (a JSON array of user IDs, or null, which v1.63 always sends when
// there are none). The answer's CreateOrderResult is a bare array of IDs.
func opCreateDataCorrectOrder(x *exchange) (any, *apiError) {
	t := x.tenant()
	param, form, raw := x.dataChangeParam()
	if x.bad != nil {
		return nil, x.bad
	}
	switch c, isString := param["Classify"].(string); {
	case param["Classify"] == nil, isString && strings.TrimSpace(c) == "":
		return nil, refuse(http.StatusForbidden, "Forbidden", "原因分类不能为空 (the reason category, Param Classify, is required: say why the data changes).")
	}
	var ps []orderProblem
	add := func(code, format string, args ...any) {
		ps = append(ps, orderProblem{code, fmt.Sprintf(format, args...)})
	}
	const pluginType = "DC_COMMON"
	dbType := func(id int64) string {
		if d := x.s.world.dbs[id]; d != nil && d.tenant == t {
			return d.dbType
		}
		return ""
	}
	for _, p := range dms.ValidateParams(pluginType, param, dbType) {
		msg := p.String()
		if p.Key != "" && !strings.Contains(p.Message, strconv.Quote(p.Key)) {
			msg = "Param " + p.Key + ": " + p.Message // name the key, as DMS would
		}
		add("InvalidParam", "%s", msg)
	}
	o := &Order{Tid: t.id, PluginType: pluginType, Operation: dms.OpCreateDataCorrectOrder, PluginParam: raw, ParamForm: form, Param: param}
	req := dms.OrderRequest{PluginType: pluginType, Operation: dms.OpCreateDataCorrectOrder, Param: param}
	var dbs []*database
	for i, it := range req.Databases() {
		d := x.s.world.dbs[it.DbId]
		switch {
		case d == nil || d.tenant != t:
			add("DatabaseNotExist", "Param DbItemList item %d: no database with ID %d exists in tenant %d.", i+1, it.DbId, t.id)
		case it.Logic != d.logic:
			add("InvalidParam", "Param DbItemList item %d: Logic is %t, but database %d is a %s database.", i+1, it.Logic, it.DbId, map[bool]string{true: "logical", false: "physical"}[d.logic])
		default:
			dbs = append(dbs, d)
		}
		o.Databases = append(o.Databases, it)
	}
	if len(o.Databases) > 0 {
		o.DatabaseID, o.Logic = o.Databases[0].DbId, o.Databases[0].Logic
	}
	o.Comment = x.str("Comment")
	if strings.TrimSpace(o.Comment) == "" {
		add("MissingComment", "Comment is required: say what the ticket is for.")
	}
	o.RelatedUserList = x.str("RelatedUserList")
	ids, problem := relatedUserJSON(o.RelatedUserList)
	if problem != "" {
		add("InvalidParam", "%s", problem)
	}
	for _, id := range ids {
		if x.s.world.users[id] == nil {
			add("UserNotExist", "RelatedUserList: user %d does not exist.", id)
		} else {
			o.RelatedUsers = append(o.RelatedUsers, id)
		}
	}
	if len(ps) > 0 {
		return nil, orderRefusal(ps)
	}
	o.ExecMode, _ = param["ExecMode"].(string)
	if o.ExecMode == "" {
		o.ExecMode = execCommitor
	}
	o.AttachmentKey = x.str("AttachmentKey")
	o.CommitterID = x.user.id
	o.CreateTime = x.s.now()
	o.RequestID = x.requestID
	sql, _ := param["ExecSQL"].(string)
	o.life = newLife(pluginType, dbs, runChangePrecheck(dbs, sql, x.user.id), o.CreateTime)
	o.life.execMode = o.ExecMode
	x.s.store(o)
	return listOf("CreateOrderResult", []int64{o.OrderID}), nil
}

// dataChangeParam reads CreateDataCorrectOrder's Param, in either form: the
// object (numbers as json.Number), the form it came in, and its JSON (as
// received, or rebuilt from the flattened fields). Like the other readers,
// it records its error in x.bad, and returns nothing then or after an error
// recorded before.
func (x *exchange) dataChangeParam() (param map[string]any, form, raw string) {
	if x.bad != nil {
		return nil, "", ""
	}
	raw = x.str("Param")
	var flat []string
	for k := range x.params {
		if strings.HasPrefix(k, "Param.") {
			flat = append(flat, k)
		}
	}
	switch {
	case raw != "" && len(flat) > 0:
		x.setBad(fail("InvalidParam", "Param is given twice: as one JSON string and as %d Param.X fields (%s); send one of them.", len(flat), strings.Join(firstSorted(flat, 3), ", ")))
	case raw != "":
		m, problem := decodeObject("Param", raw)
		if problem == "" {
			return m, paramJSON, raw
		}
		x.setBad(fail("InvalidParam", "%s", problem))
	case len(flat) > 0:
		m, problem := flattenedParam(x.params)
		if problem == "" {
			b, _ := json.Marshal(m)
			return m, paramFlattened, string(b)
		}
		x.setBad(fail("InvalidParam", "%s", problem))
	default:
		x.setBad(errMissingParameter("Param"))
	}
	return nil, "", ""
}

// firstSorted is the first n of keys, sorted.
func firstSorted(keys []string, n int) []string {
	sort.Strings(keys)
	return keys[:min(n, len(keys))]
}

// flattenedParam rebuilds Param from its Param.X fields: each value typed
// as the catalog's field is (a number, a bool, a string; a string it stays
// when it is not one, for validation to name), DbItemList from its 1-based
// Param.DbItemList.N.DbId and .Logic fields.
func flattenedParam(p url.Values) (map[string]any, string) {
	tt, _ := dms.LookupType("DC_COMMON")
	m := map[string]any{}
	items := map[int]map[string]any{}
	for k, vs := range p {
		name, ok := strings.CutPrefix(k, "Param.")
		if !ok {
			continue
		}
		v := vs[len(vs)-1]
		if rest, ok := strings.CutPrefix(name, "DbItemList."); ok {
			num, field, ok := strings.Cut(rest, ".")
			n, err := strconv.Atoi(num)
			if !ok || err != nil || n < 1 || field == "" {
				return nil, fmt.Sprintf("%s is not a DbItemList field: they are Param.DbItemList.N.DbId and Param.DbItemList.N.Logic, N from 1.", k)
			}
			if items[n] == nil {
				items[n] = map[string]any{}
			}
			switch field {
			case "DbId":
				items[n][field] = typedValue(dms.JSONNumber, v)
			case "Logic":
				items[n][field] = typedValue(dms.JSONBool, v)
			default:
				items[n][field] = v
			}
			continue
		}
		typ := dms.JSONString
		if f, ok := tt.Field(name); ok {
			typ = f.Type
		}
		m[name] = typedValue(typ, v)
	}
	if len(items) > 0 {
		list := make([]any, len(items))
		for n, it := range items {
			if n > len(items) {
				return nil, fmt.Sprintf("Param.DbItemList is numbered with a gap: item %d of %d items; number them 1, 2, 3, …", n, len(items))
			}
			list[n-1] = it
		}
		m["DbItemList"] = list
	}
	return m, ""
}

// typedValue is a flattened field's string as the JSON type the catalog
// gives its key, or the string itself when it is not one.
func typedValue(typ dms.JSONType, v string) any {
	switch typ {
	case dms.JSONNumber:
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return json.Number(v)
		}
	case dms.JSONBool:
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	case dms.JSONDatabaseList, dms.JSONNumberArray:
		if val, problem := decodeJSON("", v); problem == "" {
			return val
		}
	}
	return v
}

// relatedUserJSON reads CreateDataCorrectOrder's RelatedUserList: a JSON
// array of user IDs, as strings (v1.63's type) or numbers (the TEA SDK's);
// null or nothing is none (how DMS takes null is UNCONFIRMED).
func relatedUserJSON(raw string) ([]int64, string) {
	if strings.TrimSpace(raw) == "" {
		return nil, ""
	}
	const shape = `a JSON array of DMS user IDs such as ["2000002","2000003"]`
	v, problem := decodeJSON("RelatedUserList", raw)
	if problem != "" {
		return nil, problem + " It is " + shape + "."
	}
	if v == nil {
		return nil, ""
	}
	list, ok := v.([]any)
	if !ok {
		return nil, "RelatedUserList must be " + shape + ", not " + dms.JSONKind(v) + "."
	}
	var ids []int64
	for _, it := range list {
		var s string
		switch x := it.(type) {
		case string:
			s = x
		case json.Number:
			s = x.String()
		}
		id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Sprintf("RelatedUserList: %v is not a DMS user ID; it is %s.", it, shape)
		}
		ids = append(ids, id)
	}
	return ids, ""
}

// taskCheckJSON is the SDK's TaskCheckDO.
type taskCheckJSON struct {
	CheckStep   string `json:"CheckStep"`
	CheckStatus string `json:"CheckStatus"`
	UserTip     string `json:"UserTip"`
}

// checkSteps are a data change's precheck steps, in order.
var checkSteps = []string{"SQL_PARSE", "SQL_TYPE_CHECK", "PERMISSION_CHECK", "ROW_CHECK"}

// taskChecks are the precheck's steps as PreCheckDetail reports them: the
// first RUNNING and the others WAITING while it runs; each failure FAIL with
// its tip (UNCONFIRMED: which step DMS names for a table it cannot find;
// the simulator says SQL_PARSE, and PERMISSION_CHECK for a database the
// committer may not change); every step SUCCESS once it passed.
func (l *life) taskChecks() []taskCheckJSON {
	var out []taskCheckJSON
	switch {
	case l.reported() == phasePrecheck:
		for i, s := range checkSteps {
			status := "WAITING"
			if i == 0 {
				status = "RUNNING"
			}
			out = append(out, taskCheckJSON{CheckStep: s, CheckStatus: status})
		}
	case len(l.precheck.failures) > 0:
		for _, f := range l.precheck.failures {
			out = append(out, taskCheckJSON{CheckStep: f.step, CheckStatus: "FAIL", UserTip: f.tip})
		}
	default:
		for _, s := range checkSteps {
			out = append(out, taskCheckJSON{CheckStep: s, CheckStatus: "SUCCESS"})
		}
	}
	return out
}

// correctDatabaseJSON is the part of the SDK's Database struct a data
// change's DatabaseList fills.
type correctDatabaseJSON struct {
	DbID       int64  `json:"DbId"`
	DatabaseID string `json:"DatabaseId"`
	SchemaName string `json:"SchemaName"`
	SearchName string `json:"SearchName"`
	DbType     string `json:"DbType"`
	EnvType    string `json:"EnvType"`
	Logic      bool   `json:"Logic"`
	Host       string `json:"Host"`
	Port       int    `json:"Port"`
}

// actualRows is the rows a finished run changed (or an export exported):
// its statements' figures summed; 0 before it is done.
func (l *life) actualRows() int64 {
	var n int64
	if l.phase == phaseDone {
		for _, st := range l.precheck.statements {
			n += st.rows
		}
	}
	return n
}

// opGetDataCorrectOrderDetail answers GetDataCorrectOrderDetail for a data
// change: its Status as the lifecycle has it, ExecMode, what was filed
// (OrderDetail: the first database, ExeSQL, EstimateAffectRows, RbSQL,
// Classify; ActualAffectRows once done), the precheck's steps
// (PreCheckDetail.TaskCheckDO, with UserTip on failure) and every database
// (DatabaseList).
func opGetDataCorrectOrderDetail(x *exchange) (any, *apiError) {
	return x.dataChangeTicket(func(o *Order, _ time.Time) (any, *apiError) {
		str := func(k string) string { s, _ := o.Param[k].(string); return s }
		d := orderDetailJSON{DbID: o.DatabaseID, Logic: o.Logic, ExeSQL: str("ExecSQL"), Classify: str("Classify"),
			SQLType: str("SqlType"), RbSQL: str("RollbackSQL"), RbSQLType: str("RollbackSqlType"), ActualAffectRows: o.life.actualRows()}
		d.EstimateAffectRows, _ = wholeNumber(o.Param["EstimateAffectRows"])
		type config struct {
			DetailType string `json:"DetailType"`
		}
		type detail struct {
			Status         string                    `json:"Status"`
			ExecMode       string                    `json:"ExecMode"`
			OrderDetail    orderDetailJSON           `json:"OrderDetail"`
			ConfigDetail   config                    `json:"ConfigDetail"`
			PreCheckDetail list[taskCheckJSON]       `json:"PreCheckDetail"`
			DatabaseList   list[correctDatabaseJSON] `json:"DatabaseList"`
		}
		var dbs []correctDatabaseJSON
		for i, db := range x.s.dbs(o) {
			if i == 0 {
				d.Database, d.EnvType = db.searchName, db.env
			}
			dbs = append(dbs, correctDatabaseJSON{
				DbID: db.id, DatabaseID: db.idString(), SchemaName: db.schema, SearchName: db.searchName, DbType: db.dbType,
				EnvType: db.env, Logic: db.logic, Host: db.host(), Port: db.port(),
			})
		}
		out := detail{Status: o.life.detail(), ExecMode: o.ExecMode, OrderDetail: d, ConfigDetail: config{"COMMON"},
			PreCheckDetail: listOf("TaskCheckDO", o.life.taskChecks()), DatabaseList: listOf("Database", dbs)}
		return struct {
			DataCorrectOrderDetail detail `json:"DataCorrectOrderDetail"`
		}{out}, nil
	})
}

// preCheckSQLJSON is the SDK's PreCheckSQL.
type preCheckSQLJSON struct {
	CheckSQL          string `json:"CheckSQL"`
	AffectRows        int64  `json:"AffectRows"`
	DbID              int64  `json:"DbId"`
	SQLReviewQueryKey string `json:"SQLReviewQueryKey"`
	SQLReviewStatus   string `json:"SqlReviewStatus"`
	SQLType           string `json:"SqlType"`
	TableNames        string `json:"TableNames"`
}

// opListDataCorrectPreCheckSQL answers ListDataCorrectPreCheckSQL: once
// the precheck has run, each statement on each database (only DbId's, when
// given), paged: its figure (the rows it changes, as COUNT of the rows it
// touches says; 0 for one that failed), its kind, its tables, and its
// review status (PASS, or BLOCK for a statement that failed: UNCONFIRMED).
// While the precheck runs the list is empty. PreCheckSQLList is a bare
// array, as v1.63 decodes it.
func opListDataCorrectPreCheckSQL(x *exchange) (any, *apiError) {
	offset, size := x.page()
	dbID, byDB := x.int64Param("DbId")
	return x.dataChangeTicket(func(o *Order, _ time.Time) (any, *apiError) {
		items := []preCheckSQLJSON{}
		if o.life.reported() != phasePrecheck {
			for _, st := range o.life.precheck.statements {
				if byDB && st.db.id != dbID {
					continue
				}
				review := "PASS"
				if st.problem != "" {
					review = "BLOCK"
				}
				items = append(items, preCheckSQLJSON{CheckSQL: st.sql, AffectRows: st.rows, DbID: st.db.id,
					SQLReviewStatus: review, SQLType: st.sqlType, TableNames: strings.Join(st.tables, ",")})
			}
		}
		return listOf("PreCheckSQLList", window(items, offset, size)), nil
	})
}

// preCheckDBJSON is the SDK's PreCheckDB.
type preCheckDBJSON struct {
	DbID       int64  `json:"DbId"`
	SearchName string `json:"SearchName"`
	SQLNum     int64  `json:"SqlNum"`
}

// opListDataCorrectPreCheckDB answers ListDataCorrectPreCheckDB: once the
// precheck has run, each database with its number of statements, paged;
// PreCheckDBList is a bare array.
func opListDataCorrectPreCheckDB(x *exchange) (any, *apiError) {
	offset, size := x.page()
	return x.dataChangeTicket(func(o *Order, _ time.Time) (any, *apiError) {
		items := []preCheckDBJSON{}
		if o.life.reported() != phasePrecheck {
			for _, db := range x.s.dbs(o) {
				it := preCheckDBJSON{DbID: db.id, SearchName: db.searchName}
				for _, st := range o.life.precheck.statements {
					if st.db == db {
						it.SQLNum++
					}
				}
				items = append(items, it)
			}
		}
		return listOf("PreCheckDBList", window(items, offset, size)), nil
	})
}

// correctAction is ExecuteDataCorrect's ActionDetail, read.
type correctAction struct {
	startTime time.Time
}

// readCorrectAction reads ExecuteDataCorrect's ActionDetail, a JSON object:
// startTime and endTime (yyyy-MM-dd HH:mm:ss, UTC+8; a later startTime
// schedules the run then), transaction, backupData and readOnlyCheckEnable
// (bools) and grayType (a string), each checked for its type; other keys are
// ignored. What DMS does with the bools and grayType is UNCONFIRMED: the
// simulator changes no data either way.
func readCorrectAction(raw string) (correctAction, *apiError) {
	var ca correctAction
	m, err := readActionObject(raw, `{"transaction":false,"backupData":true}`)
	if err != nil || m == nil {
		return ca, err
	}
	for _, k := range []string{"transaction", "backupData", "readOnlyCheckEnable"} {
		if v, ok := m[k]; ok && v != nil {
			if _, isBool := v.(bool); !isBool {
				return ca, fail("InvalidParam", "ActionDetail %s must be true or false.", k)
			}
		}
	}
	if v, ok := m["grayType"]; ok && v != nil {
		if _, isString := v.(string); !isString {
			return ca, fail("InvalidParam", "ActionDetail grayType must be a string.")
		}
	}
	for _, k := range []string{"startTime", "endTime"} {
		v, ok := m[k]
		if !ok || v == nil || v == "" {
			continue
		}
		s, isString := v.(string)
		t, parsed := parseDMSTime(s)
		if !isString || !parsed {
			return ca, fail("InvalidParam", "ActionDetail %s %v is not a time like 2024-01-31 08:00:00 (UTC+8).", k, v)
		}
		if k == "startTime" {
			ca.startTime = t
		}
	}
	return ca, nil
}

// opExecuteDataCorrect answers ExecuteDataCorrect: an approved data change
// runs, once: waiting (jobStatus PENDING) until it is scheduled and for the
// first half of Options.DataChangeDelay, processing (RUNNING) for the
// second, then Success (SUCCESS). Its ExecMode says who may run it: the
// committer (COMMITOR), the last approver or the approver credential
// (LAST_AUDITOR); nobody for AUTO, which DMS runs by itself. Only databases
// in Security Collaboration mode can be changed through the API, as DMS
// documents. Everything is checked before it starts; a run that failed is
// not run again (close the ticket and file a new one).
func opExecuteDataCorrect(x *exchange) (any, *apiError) {
	ca, err := readCorrectAction(x.str("ActionDetail"))
	x.setBad(err) // answered before the ticket's own parameters' errors
	return x.dataChangeTicket(func(o *Order, now time.Time) (any, *apiError) {
		l := o.life
		if l.execMode == execAuto {
			return nil, errState("InvalidExecMode", o, "Its ExecMode is AUTO: DMS runs it by itself once approved. ExecuteDataCorrect runs COMMITOR changes (by their committer) and LAST_AUDITOR ones (by their last approver).")
		}
		switch l.phase {
		case phaseApproved:
		case phaseClosed:
			return nil, errState("OrderClosed", o, "A closed ticket cannot run.")
		case phaseQueued, phaseRunning, phaseDone, phaseFailed:
			return nil, errState("DataCorrectAlreadyExecuted", o, "Its change was started already (DBTaskGroupId %d): follow GetDataCorrectTaskDetail's jobStatus.", l.job.id)
		case phaseRejected:
			return nil, errState("OrderNotApproved", o, "A rejected ticket cannot run.")
		default:
			return nil, errState("OrderNotApproved", o, "A data change runs once approved (Status Approved).")
		}
		if err := x.mayRun(o); err != nil {
			return nil, err
		}
		for _, d := range x.s.dbs(o) {
			if !d.secureHosted() {
				return nil, fail("UnsupportedOperation", "The instance of database %s (%d) is not in secure hosting mode: ExecuteDataCorrect runs only on Security Collaboration instances; run the change from the DMS console.", d.searchName, d.id)
			}
		}
		l.job = x.s.newJob(now, x.s.timing.change, x.failJob)
		if ca.startTime.After(now) {
			l.job.start = ca.startTime
		}
		o.enter(phaseQueued, now)
		return nil, nil
	})
}

// mayRun refuses a user whom the ticket's ExecMode does not let run it.
func (x *exchange) mayRun(o *Order) *apiError {
	if o.life.execMode != execLastAuditor {
		if x.user.id == o.CommitterID {
			return nil
		}
		return fail("NoPermission", "Ticket %d's ExecMode is %s: only its committer, user %d, runs it; not %s (%d).", o.OrderID, o.life.execMode, o.CommitterID, x.user.display(), x.user.id)
	}
	var last *user
	if wf := o.life.wf; wf != nil && len(wf.nodes) > 0 {
		last = wf.nodes[len(wf.nodes)-1].operator
	}
	if x.admin() || last != nil && x.user == last {
		return nil
	}
	who := "its last approver"
	if last != nil {
		who = fmt.Sprintf("%s (%d), who approved its last approval node", last.display(), last.id)
	}
	return fail("NoPermission", "Ticket %d's ExecMode is LAST_AUDITOR: %s runs it; not %s (%d).", o.OrderID, who, x.user.display(), x.user.id)
}

// opGetDataCorrectTaskDetail answers GetDataCorrectTaskDetail: the run's
// DBTaskGroupId, its jobStatus (the key spelled with a lowercase j, as the
// SDK decodes it), ActualAffectRows once done, and when it was asked for.
// Before the change runs every field is empty (what DMS answers then is
// UNCONFIRMED).
func opGetDataCorrectTaskDetail(x *exchange) (any, *apiError) {
	return x.dataChangeTicket(func(o *Order, _ time.Time) (any, *apiError) {
		type detail struct {
			DBTaskGroupID    int64  `json:"DBTaskGroupId"`
			JobStatus        string `json:"jobStatus"`
			ActualAffectRows int64  `json:"ActualAffectRows"`
			CreateTime       string `json:"CreateTime"`
		}
		var d detail
		if j := o.life.job; j != nil {
			d = detail{DBTaskGroupID: j.id, JobStatus: o.life.task(), ActualAffectRows: o.life.actualRows(), CreateTime: dmsTime(j.requested)}
		}
		return struct {
			DataCorrectTaskDetail detail `json:"DataCorrectTaskDetail"`
		}{d}, nil
	})
}
