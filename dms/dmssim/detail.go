package dmssim

import "time"

// ticketFunc is what an operation on one ticket does with it, at now, with
// the server's lock held.
type ticketFunc func(o *Order, now time.Time) (any, *apiError)

// ticket runs f on the ticket the request's OrderId names in the request's
// tenant, its timed steps settled, with the server's lock held (f must not
// take it). Its answer is f's, or the first error reading the request: one
// the operation recorded before (x.bad), or the tenant's or OrderId's.
func (x *exchange) ticket(f ticketFunc) (any, *apiError) {
	t := x.tenant()
	id := x.needInt64("OrderId")
	if x.bad != nil {
		return nil, x.bad
	}
	return x.settled(x.s.ordersByID, id, t,
		fail("OrderNotExist", "The ticket %d does not exist in tenant %d.", id, t.id), f)
}

// settled runs f on byID's ticket id, its timed steps settled, with the
// server's lock held; a ticket that is not there or not in tenant t is
// missing.
func (x *exchange) settled(byID map[int64]*Order, id int64, t *tenant, missing *apiError, f ticketFunc) (any, *apiError) {
	now := x.s.now()
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	o := byID[id]
	if o == nil || o.Tid != t.id {
		return nil, missing
	}
	x.s.settle(o, now)
	return f(o, now)
}

// exportTicket is ticket for the operations on a data export: it refuses
// any other ticket.
func (x *exchange) exportTicket(f ticketFunc) (any, *apiError) {
	return x.ticket(only("DATA_EXPORT", "a data export", f))
}

// dataChangeTicket is ticket for the operations on a data change: it
// refuses any other ticket.
func (x *exchange) dataChangeTicket(f ticketFunc) (any, *apiError) {
	return x.ticket(only("DC_COMMON", "a data change (DC_COMMON)", f))
}

// only is f for a ticket of pluginType (what names it in the error) and
// InvalidParam for any other.
func only(pluginType, what string, f ticketFunc) ticketFunc {
	return func(o *Order, now time.Time) (any, *apiError) {
		if o.PluginType != pluginType {
			return nil, fail("InvalidParam", "The ticket %d is a %s ticket, not %s.", o.OrderID, o.PluginType, what)
		}
		return f(o, now)
	}
}

// byCommitter is f for the ticket's committer (or the approver credential)
// and, for anyone else, mayCommit's refusal to do what.
func (x *exchange) byCommitter(what string, f ticketFunc) ticketFunc {
	return func(o *Order, now time.Time) (any, *apiError) {
		if err := x.mayCommit(o, what); err != nil {
			return nil, err
		}
		return f(o, now)
	}
}

// orderDetailJSON is the SDK's OrderDetail struct (shared by the export and
// the data-change detail calls).
type orderDetailJSON struct {
	DbID                   int64  `json:"DbId"`
	Database               string `json:"Database"`
	EnvType                string `json:"EnvType"`
	Logic                  bool   `json:"Logic"`
	ExeSQL                 string `json:"ExeSQL"`
	Classify               string `json:"Classify"`
	ActualAffectRows       int64  `json:"ActualAffectRows"`
	EstimateAffectRows     int64  `json:"EstimateAffectRows"`
	IgnoreAffectRows       bool   `json:"IgnoreAffectRows"`
	IgnoreAffectRowsReason string `json:"IgnoreAffectRowsReason"`
	SQLType                string `json:"SqlType"`
	// A data change's rollback script and its type.
	RbSQL     string `json:"RbSQL"`
	RbSQLType string `json:"RbSQLType"`
}

// keyInfoJSON is the part of the SDK's KeyInfo struct a SQL export fills.
type keyInfoJSON struct {
	DbID       int64  `json:"DbId"`
	JobID      int64  `json:"JobId"`
	PreCheckID int64  `json:"PreCheckId"`
	JobStatus  string `json:"JobStatus"`
	AuditDate  string `json:"AuditDate"`
}

// opGetDataExportOrderDetail answers GetDataExportOrderDetail for an export
// ticket: its database and SQL as stored (OrderId comes in the form body,
// as the SDK sends it), and the job's state: KeyInfo.JobStatus as the
// lifecycle has it, JobId from ExecuteDataExport on, AuditDate once
// approved, ActualAffectRows (the statements' COUNT figures summed) once
// exported.
func opGetDataExportOrderDetail(x *exchange) (any, *apiError) {
	return x.exportTicket(func(o *Order, _ time.Time) (any, *apiError) {
		d := orderDetailJSON{DbID: o.DatabaseID, Logic: o.Logic}
		d.ExeSQL, _ = o.Param["exeSQL"].(string)
		d.Classify, _ = o.Param["classify"].(string)
		d.IgnoreAffectRows, _ = o.Param["ignoreAffectRows"].(bool)
		d.IgnoreAffectRowsReason, _ = o.Param["ignoreAffectRowsReason"].(string)
		if db := x.s.world.dbs[o.DatabaseID]; db != nil {
			d.EnvType = db.env
			d.Database = db.searchName
		}
		l := o.life
		k := keyInfoJSON{DbID: o.DatabaseID, PreCheckID: o.OrderID, JobStatus: l.detail()}
		if l.job != nil {
			k.JobID = l.job.id
			d.ActualAffectRows = l.actualRows()
		}
		if l.wf != nil && l.wf.code == wfApproved {
			k.AuditDate = dmsTime(l.wf.decided)
		}
		type detail struct {
			KeyInfo     keyInfoJSON     `json:"KeyInfo"`
			OrderDetail orderDetailJSON `json:"OrderDetail"`
		}
		return struct {
			DataExportOrderDetail detail `json:"DataExportOrderDetail"`
		}{detail{KeyInfo: k, OrderDetail: d}}, nil
	})
}
