package dms

import (
	"context"
	"errors"

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
	// Databases are a data change's databases (DatabaseList), RollbackSQL
	// its rollback script (RbSQL) and ExecMode who runs it.
	Databases   []DbItem
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
	}
	return TicketDetail{}, ErrNoDetail
}
