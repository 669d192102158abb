package dmssim

// lookupOrder finds a ticket of the request's tenant by its OrderId.
func (x *exchange) lookupOrder() (Order, *apiError) {
	t, err := x.tenant()
	if err != nil {
		return Order{}, err
	}
	id, err := x.requiredInt64("OrderId")
	if err != nil {
		return Order{}, err
	}
	x.s.mu.Lock()
	o := x.s.ordersByID[id]
	var c Order
	if o != nil {
		c = *o
	}
	x.s.mu.Unlock()
	if o == nil || c.Tid != t.id {
		return Order{}, fail("OrderNotExist", "The ticket %d does not exist in tenant %d.", id, t.id)
	}
	return c, nil
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
}

// opGetDataExportOrderDetail answers GetDataExportOrderDetail for an export
// ticket: its database and SQL as stored (OrderId comes in the form body,
// as the SDK sends it), and the job's state.
func opGetDataExportOrderDetail(x *exchange) (any, *apiError) {
	o, err := x.lookupOrder()
	if err != nil {
		return nil, err
	}
	if o.PluginType != "DATA_EXPORT" {
		return nil, fail("InvalidParam", "The ticket %d is a %s ticket, not a data export.", o.OrderID, o.PluginType)
	}
	d := orderDetailJSON{DbID: o.DatabaseID, Logic: o.Logic}
	d.ExeSQL, _ = o.Param["exeSQL"].(string)
	d.Classify, _ = o.Param["classify"].(string)
	d.IgnoreAffectRows, _ = o.Param["ignoreAffectRows"].(bool)
	d.IgnoreAffectRowsReason, _ = o.Param["ignoreAffectRowsReason"].(string)
	if db := x.s.world.dbs[o.DatabaseID]; db != nil {
		d.EnvType = db.env
		d.Database = db.searchName
	}
	type keyInfo struct {
		JobID      int64  `json:"JobId"`
		PreCheckID int64  `json:"PreCheckId"`
		JobStatus  string `json:"JobStatus"`
	}
	return struct {
		DataExportOrderDetail struct {
			KeyInfo     keyInfo         `json:"KeyInfo"`
			OrderDetail orderDetailJSON `json:"OrderDetail"`
		} `json:"DataExportOrderDetail"`
	}{DataExportOrderDetail: struct {
		KeyInfo     keyInfo         `json:"KeyInfo"`
		OrderDetail orderDetailJSON `json:"OrderDetail"`
	}{KeyInfo: keyInfo{JobID: o.OrderID, PreCheckID: o.OrderID, JobStatus: exportJobStatus(o)}, OrderDetail: d}}, nil
}

// exportJobStatus is an export's KeyInfo.JobStatus.
func exportJobStatus(o Order) string {
	switch o.Status {
	case "new":
		return "WAITING_APPLY_AUDIT"
	}
	return ""
}
