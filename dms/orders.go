package dms

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	dmssdk "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"
)

// dmsZone is the time zone of DMS's "yyyy-MM-dd HH:mm:ss" times. DMS does not
// say; its consoles show China Standard Time, and lookups allow a margin.
var dmsZone = time.FixedZone("UTC+8", 8*3600)

const dmsTimeLayout = "2006-01-02 15:04:05"

// CreateOrder implements Service: the request's operation, CreateOrder or
// the type's own (CreateDataCorrectOrder). It is sent once: never retried
// here or by the SDK. A failure after the request was written (a dropped
// connection, a timeout, a 5xx from the gateway, an unreadable answer) is
// KindOutcomeUnknown: the ticket may exist, and LookUp can look for it.
func (c *Client) CreateOrder(ctx context.Context, r OrderRequest) (Created, error) {
	switch r.Op() {
	case OpCreateOrder:
	case OpCreateDataCorrectOrder:
		return c.createDataCorrectOrder(ctx, r)
	default:
		return Created{}, &Error{Op: r.Op(), Kind: KindInvalid, Message: "dmsticket does not know the operation " + r.Op()}
	}
	const op = OpCreateOrder
	req := dmssdk.CreateCreateOrderRequest()
	req.Tid = tid(r.Tid)
	req.PluginType = r.PluginType
	setPluginParam(req, r.PluginParam)
	req.RelatedUserList = r.RelatedUserList
	req.AttachmentKey = r.AttachmentKey
	req.Comment = r.Comment
	resp, br, err := sendOnce(ctx, c, op, req, func(sc *dmssdk.Client) (*dmssdk.CreateOrderResponse, error) { return sc.CreateOrder(req) })
	var ids []int64
	if resp != nil {
		ids = resp.CreateOrderResult.OrderIds
	}
	return created(op, br, err, ids)
}

// createDataCorrectOrder sends CreateDataCorrectOrder with its Param as one
// JSON string, as the TEA SDK and real callers send it (v1.63 would
// flatten it into Param.X fields: dms-lifecycle-api.md 5.1), and
// RelatedUserList as a JSON array of the IDs as strings (v1.63's type).
func (c *Client) createDataCorrectOrder(ctx context.Context, r OrderRequest) (Created, error) {
	const op = OpCreateDataCorrectOrder
	req := dmssdk.CreateCreateDataCorrectOrderRequest()
	req.Tid = tid(r.Tid)
	setParam(req, r.Param)
	related := r.RelatedUsers()
	req.RelatedUserList = &related
	req.AttachmentKey = r.AttachmentKey
	req.Comment = r.Comment
	resp, br, err := sendOnce(ctx, c, op, req, func(sc *dmssdk.Client) (*dmssdk.CreateDataCorrectOrderResponse, error) {
		return sc.CreateDataCorrectOrder(req)
	})
	var ids []int64
	if resp != nil {
		ids = resp.CreateOrderResult
	}
	return created(op, br, err, ids)
}

// created reads a ticket-creating call's outcome (sendOnce's): the IDs,
// or the failure, a cancellation after the request was written saying so.
func created(op string, br baseResponse, err error, ids []int64) (Created, error) {
	if err != nil {
		if e, ok := AsError(err); ok && e.Kind == KindOutcomeUnknown && errors.Is(e.Err, context.Canceled) {
			e.Message = "cancelled after the request was sent"
		}
		return Created{}, err
	}
	if len(ids) == 0 {
		return Created{RequestID: br.RequestID}, &Error{Op: op, Kind: KindOutcomeUnknown, RequestID: br.RequestID,
			Message: "DMS reported success but returned no ticket ID"}
	}
	return Created{OrderIDs: ids, RequestID: br.RequestID}, nil
}

// FindOrders implements Service.
func (c *Client) FindOrders(ctx context.Context, q OrderQuery) ([]Order, error) {
	if q.PageSize <= 0 {
		q.PageSize = 50
	}
	req := dmssdk.CreateListOrdersRequest()
	req.Tid = tid(q.Tid)
	req.PluginType = q.PluginType
	req.SearchContent = q.Search
	req.OrderStatus = "ALL"
	req.PageNumber = requests.NewInteger(max(1, q.Page))
	req.PageSize = requests.NewInteger(q.PageSize)
	if q.AsCommitter {
		req.OrderResultType = "AS_COMMITTER"
	}
	if !q.Since.IsZero() {
		until := q.Until
		if until.IsZero() {
			until = time.Now().Add(time.Hour)
		}
		req.SearchDateType = "CREATE_TIME"
		req.StartTime = q.Since.In(dmsZone).Format(dmsTimeLayout)
		req.EndTime = until.In(dmsZone).Format(dmsTimeLayout)
	}
	resp, err := readCall(ctx, c, "ListOrders", req, func(sc *dmssdk.Client) (*dmssdk.ListOrdersResponse, error) { return sc.ListOrders(req) })
	if err != nil {
		return nil, err
	}
	out := make([]Order, 0, len(resp.Orders.Order))
	for _, o := range resp.Orders.Order {
		out = append(out, Order{
			ID: o.OrderId, PluginType: o.PluginType, Status: o.StatusCode, StatusDesc: o.StatusDesc, Comment: o.Comment,
			Committer: o.Committer, CommitterID: o.CommitterId, Created: parseDMSTime(o.CreateTime), RequestID: resp.RequestId,
		})
	}
	return out, nil
}

// Order implements Service.
func (c *Client) Order(ctx context.Context, tenant, id int64) (Order, error) {
	req := dmssdk.CreateGetOrderBaseInfoRequest()
	req.Tid = tid(tenant)
	req.OrderId = requests.NewInteger64(id)
	resp, err := readCall(ctx, c, "GetOrderBaseInfo", req, func(sc *dmssdk.Client) (*dmssdk.GetOrderBaseInfoResponse, error) { return sc.GetOrderBaseInfo(req) })
	if err != nil {
		return Order{}, err
	}
	o := resp.OrderBaseInfo
	var related []int64
	for _, s := range o.RelatedUserList.UserIds {
		if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			related = append(related, n)
		}
	}
	return Order{
		ID: o.OrderId, PluginType: o.PluginType, Status: o.StatusCode, StatusDesc: o.StatusDesc, Comment: o.Comment,
		Committer: o.Committer, CommitterID: o.CommitterId, Created: parseDMSTime(o.CreateTime),
		RelatedUsers: related, AttachmentKey: o.AttachmentKey, RequestID: resp.RequestId, WorkflowID: o.WorkflowInstanceId,
	}, nil
}

func parseDMSTime(s string) time.Time {
	t, err := time.ParseInLocation(dmsTimeLayout, strings.TrimSpace(s), dmsZone)
	if err != nil {
		return time.Time{}
	}
	return t
}
