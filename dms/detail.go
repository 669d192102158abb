package dms

import (
	"cmp"
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	dmssdk "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"
)

// DetailOp names a ticket type's detail call: the DMS operation that reports
// what a ticket of the type holds (its database, its SQL), beyond
// GetOrderBaseInfo.
type DetailOp string

// The detail calls dmsticket reads.
const (
	// NoDetail: DMS has no detail call for the type (NDDL).
	NoDetail DetailOp = ""
	// ExportDetail is GetDataExportOrderDetail.
	ExportDetail DetailOp = "GetDataExportOrderDetail"
	// DataChangeDetail is GetDataCorrectOrderDetail.
	DataChangeDetail DetailOp = "GetDataCorrectOrderDetail"
)

// ErrNoDetail is Detail's answer for a type without a detail call.
var ErrNoDetail = errors.New("DMS has no detail call for this ticket type")

// TicketDetail is what a ticket's detail call reports: the request's contents
// as DMS stored them, and the state of its job.
type TicketDetail struct {
	Op                     DetailOp
	DatabaseID             int64
	Logic                  bool
	SQL                    string
	Classify               string
	IgnoreAffectRows       bool
	IgnoreAffectRowsReason string
	EstimateAffectRows     int64
	ActualAffectRows       int64
	// Databases are a data change's databases (DatabaseList), Names their
	// names there by DbId (SchemaName, else SearchName), RollbackSQL its
	// rollback script (RbSQL) and ExecMode who runs it.
	Databases   []DbItem
	Names       map[int64]string
	RollbackSQL string
	ExecMode    string
	// JobStatus is the export's KeyInfo.JobStatus as DMS spells it.
	JobStatus string
	// Status is a data change's Status, and TaskStatus its execution's
	// jobStatus, as DMS spells them.
	Status, TaskStatus string
	// Tips are DMS's words about failed checks (a data change's
	// PreCheckDetail UserTip).
	Tips      []string
	RequestID string
}

// Detail implements Service: the detail call of the ticket's type.
func (c *Client) Detail(ctx context.Context, tenant, id int64, pluginType string) (TicketDetail, error) {
	tt, ok := LookupType(pluginType)
	if !ok || tt.Detail == NoDetail {
		return TicketDetail{}, ErrNoDetail
	}
	switch tt.Detail {
	case ExportDetail:
		req := dmssdk.CreateGetDataExportOrderDetailRequest()
		req.Tid = tid(tenant)
		req.OrderId = requests.NewInteger64(id)
		resp, err := readCall(ctx, c, string(ExportDetail), req, func(sc *dmssdk.Client) (*dmssdk.GetDataExportOrderDetailResponse, error) {
			return sc.GetDataExportOrderDetail(req)
		})
		if err != nil {
			return TicketDetail{}, err
		}
		d := resp.DataExportOrderDetail
		return TicketDetail{
			Op: ExportDetail, DatabaseID: int64(d.OrderDetail.DbId), Logic: d.OrderDetail.Logic, SQL: d.OrderDetail.ExeSQL,
			Classify: d.OrderDetail.Classify, IgnoreAffectRows: d.OrderDetail.IgnoreAffectRows,
			IgnoreAffectRowsReason: d.OrderDetail.IgnoreAffectRowsReason, EstimateAffectRows: d.OrderDetail.EstimateAffectRows,
			ActualAffectRows: d.OrderDetail.ActualAffectRows, JobStatus: d.KeyInfo.JobStatus, RequestID: resp.RequestId,
		}, nil
	case DataChangeDetail:
		return c.dataChangeDetail(ctx, tenant, id)
	}
	return TicketDetail{}, ErrNoDetail
}

// dataChangeDetail reads a data change: GetDataCorrectOrderDetail (what was
// filed, its databases, its Status and ExecMode, the reasons of failed
// precheck steps) and, once its Status says it runs or has run,
// GetDataCorrectTaskDetail (the run's jobStatus and the rows it changed).
// Before the run DMS may have no task to report (UNCONFIRMED), so the task
// is not asked for then; a failed task read fails the detail, as any read
// does, to be read again.
func (c *Client) dataChangeDetail(ctx context.Context, tenant, id int64) (TicketDetail, error) {
	req := dmssdk.CreateGetDataCorrectOrderDetailRequest()
	req.Tid = tid(tenant)
	req.OrderId = requests.NewInteger64(id)
	resp, err := readCall(ctx, c, string(DataChangeDetail), req, func(sc *dmssdk.Client) (*dmssdk.GetDataCorrectOrderDetailResponse, error) {
		return sc.GetDataCorrectOrderDetail(req)
	})
	if err != nil {
		return TicketDetail{}, err
	}
	d := resp.DataCorrectOrderDetail
	od := d.OrderDetail
	td := TicketDetail{
		Op: DataChangeDetail, DatabaseID: int64(od.DbId), Logic: od.Logic, SQL: od.ExeSQL, Classify: od.Classify,
		EstimateAffectRows: od.EstimateAffectRows, ActualAffectRows: od.ActualAffectRows, RollbackSQL: od.RbSQL,
		ExecMode: d.ExecMode, Status: d.Status, RequestID: resp.RequestId,
	}
	for _, db := range d.DatabaseList.Database {
		dbID := int64(db.DbId)
		if dbID == 0 {
			dbID, _ = strconv.ParseInt(strings.TrimSpace(db.DatabaseId), 10, 64)
		}
		if dbID != 0 {
			td.Databases = append(td.Databases, DbItem{DbId: dbID, Logic: db.Logic})
			if name := cmp.Or(strings.TrimSpace(db.SchemaName), strings.TrimSpace(db.SearchName)); name != "" {
				if td.Names == nil {
					td.Names = map[int64]string{}
				}
				td.Names[dbID] = name
			}
		}
	}
	for _, ch := range d.PreCheckDetail.TaskCheckDO {
		if strings.EqualFold(strings.TrimSpace(ch.CheckStatus), "FAIL") && strings.TrimSpace(ch.UserTip) != "" {
			td.Tips = append(td.Tips, ch.UserTip)
		}
	}
	switch StateOf(Codes{DetailStatus: d.Status}) {
	case StateRunning, StateDone, StateFailed:
		treq := dmssdk.CreateGetDataCorrectTaskDetailRequest()
		treq.Tid = tid(tenant)
		treq.OrderId = requests.NewInteger64(id)
		tresp, err := readCall(ctx, c, "GetDataCorrectTaskDetail", treq, func(sc *dmssdk.Client) (*dmssdk.GetDataCorrectTaskDetailResponse, error) {
			return sc.GetDataCorrectTaskDetail(treq)
		})
		if err != nil {
			return TicketDetail{}, err
		}
		task := tresp.DataCorrectTaskDetail
		td.TaskStatus = task.JobStatus
		td.ActualAffectRows = max(td.ActualAffectRows, task.ActualAffectRows)
	}
	return td, nil
}
