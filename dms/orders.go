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

// CreateOrder implements Service. It is sent once: never retried here or by
// the SDK. A failure after the request was written (a dropped connection, a
// timeout, a 5xx from the gateway, an unreadable answer) is KindOutcomeUnknown:
// the ticket may exist, and FindSubmitted can look for it.
func (c *Client) CreateOrder(ctx context.Context, r OrderRequest) (Created, error) {
	const op = "CreateOrder"
	req := dmssdk.CreateCreateOrderRequest()
	req.Tid = tid(r.Tid)
	req.PluginType = r.PluginType
	setPluginParam(req, r.PluginParam)
	req.RelatedUserList = r.RelatedUserList
	req.AttachmentKey = r.AttachmentKey
	req.Comment = r.Comment
	var resp *dmssdk.CreateOrderResponse
	var br baseResponse
	sent, err := c.call(ctx, req, func(sc *dmssdk.Client) error {
		var err error
		resp, err = sc.CreateOrder(req)
		if err == nil {
			br = base(resp.RequestId, resp.ErrorCode, resp.ErrorMessage, resp.Success, resp.GetHttpStatus(), resp.GetHttpContentBytes())
		}
		return err
	})
	e := c.classify(ctx, op, sent, br, err)
	if e == nil {
		if len(resp.CreateOrderResult.OrderIds) == 0 {
			return Created{RequestID: resp.RequestId}, &Error{Op: op, Kind: KindOutcomeUnknown, RequestID: resp.RequestId,
				Message: "DMS reported success but returned no ticket ID"}
		}
		return Created{OrderIDs: resp.CreateOrderResult.OrderIds, RequestID: resp.RequestId}, nil
	}
	e.Retryable = false // never automatically
	switch {
	case !sent && (e.Kind == KindTransport):
		// Nothing reached DMS: safe to send again.
		e.Retryable = true
	case e.Kind == KindTransport, e.Kind == KindUnavailable && e.HTTPStatus >= 500:
		e.Kind = KindOutcomeUnknown
		if errors.Is(err, context.Canceled) {
			e.Message = "cancelled after the request was sent"
		}
	}
	return Created{}, e
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
