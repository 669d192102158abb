package dmssim

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	dmse "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"
)

func activeTenant(c *dmse.Client) (*dmse.GetUserActiveTenantResponse, error) {
	return c.GetUserActiveTenant(dmse.CreateGetUserActiveTenantRequest())
}

func TestThrottleFaultIsAServerErrorWithTheThrottlingCode(t *testing.T) {
	r, c := demo(t)
	r.Server.InjectFault(Fault{Action: "GetUserActiveTenant", Kind: Throttle})
	_, err := activeTenant(c)
	se := serverError(t, err, 400, "Throttling.User")
	if se.Message() != "Request was denied due to user flow control." {
		t.Errorf("message = %q", se.Message())
	}
	if _, err := activeTenant(c); err != nil {
		t.Errorf("the fault should affect one request: %v", err)
	}
	r.Server.InjectFault(Fault{Kind: Throttle, Status: 429, Code: "Throttling.Api", Message: "slow down"})
	_, err = activeTenant(c)
	if se := serverError(t, err, 429, "Throttling.Api"); se.Message() != "slow down" {
		t.Errorf("message = %q", se.Message())
	}
	if got := r.Server.Requests()[0]; got.Fault != Throttle || got.Status != 400 || got.Code != "Throttling.User" {
		t.Errorf("recorded call = %+v", got)
	}
}

func TestServerErrorFault(t *testing.T) {
	r, c := demo(t)
	r.Server.InjectFault(Fault{Kind: ServerError})
	_, err := activeTenant(c)
	serverError(t, err, 503, "ServiceUnavailable")
	r.Server.InjectFault(Fault{Kind: ServerError, Status: 500, Code: "InternalError"})
	_, err = activeTenant(c)
	serverError(t, err, 500, "InternalError")
}

func TestBusinessFailureFaultIsSuccessFalseWithoutAGoError(t *testing.T) {
	r, c := demo(t)
	r.Server.InjectFault(Fault{Action: "CreateOrder", Kind: BusinessFailure})
	resp, err := c.CreateOrder(exportRequest())
	businessFailure(t, err, resp.Success, "UnknownError", resp.ErrorCode, resp.ErrorMessage)
	if len(r.Server.Orders()) != 0 {
		t.Error("a business failure stored a ticket")
	}
}

func TestMalformedJSONFaultIsAnSDKJSONError(t *testing.T) {
	r, c := demo(t)
	r.Server.InjectFault(Fault{Action: "SearchDatabase", Kind: MalformedJSON})
	_, err := c.SearchDatabase(dmse.CreateSearchDatabaseRequest())
	var ce *sdkerrors.ClientError
	if !errors.As(err, &ce) || ce.ErrorCode() != sdkerrors.JsonUnmarshalErrorCode {
		t.Fatalf("error = %v (%T), want the SDK's %s", err, err, sdkerrors.JsonUnmarshalErrorCode)
	}
	// On CreateOrder the ticket exists although the answer is unreadable.
	r.Server.InjectFault(Fault{Action: "CreateOrder", Kind: MalformedJSON})
	if _, err := c.CreateOrder(exportRequest()); !errors.As(err, &ce) {
		t.Fatalf("CreateOrder error = %v", err)
	}
	if len(r.Server.Orders()) != 1 {
		t.Errorf("%d orders stored, want 1", len(r.Server.Orders()))
	}
}

func TestDropAfterCreateStoresTheTicketAndLosesTheAnswer(t *testing.T) {
	r, c := demo(t)
	r.Server.InjectFault(Fault{Action: "CreateOrder", Kind: DropAfterCreate})
	resp, err := c.CreateOrder(exportRequest())
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Fatalf("error = %v (%T), response %v: want a transport error", err, err, resp)
	}
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		t.Fatalf("a dropped connection is not a server answer: %v", se)
	}
	orders := r.Server.Orders()
	if len(orders) != 1 || orders[0].Comment != "monthly revenue export" {
		t.Fatalf("orders = %+v, want the ticket stored", orders)
	}
	call := r.Server.RequestsFor("CreateOrder")[0]
	if call.Status != 0 || call.Fault != DropAfterCreate {
		t.Errorf("recorded call = %+v", call)
	}
	// The client can find it.
	list := dmse.CreateListOrdersRequest()
	list.OrderResultType = "AS_COMMITTER"
	list.SearchContent = "monthly revenue"
	lr, err := c.ListOrders(list)
	if err != nil || lr.TotalCount != 1 || lr.Orders.Order[0].OrderId != orders[0].OrderID {
		t.Errorf("ListOrders after the drop: %v %s", err, lr.GetHttpContentString())
	}
}

func TestDropBeforeHandlingDoesNothing(t *testing.T) {
	r, c := demo(t)
	r.Server.InjectFault(Fault{Action: "CreateOrder", Kind: DropBeforeHandling})
	_, err := c.CreateOrder(exportRequest())
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Fatalf("error = %v (%T), want a transport error", err, err)
	}
	if len(r.Server.Orders()) != 0 {
		t.Error("DropBeforeHandling stored a ticket")
	}
}

func TestDelayFaultAnswersLate(t *testing.T) {
	r, c := demo(t)
	r.Server.InjectFault(Fault{Kind: Delay, Delay: 150 * time.Millisecond})
	start := time.Now()
	resp, err := activeTenant(c)
	if err != nil || !resp.Success {
		t.Fatalf("delayed answer: %v", err)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("answered after %v, want at least 150ms", d)
	}
}

func TestDelayFaultStopsWhenTheClientGivesUp(t *testing.T) {
	r, c := demo(t)
	r.Server.InjectFault(Fault{Kind: Delay, Delay: time.Minute})
	req := dmse.CreateGetUserActiveTenantRequest()
	req.SetReadTimeout(200 * time.Millisecond)
	if _, err := c.GetUserActiveTenant(req); err == nil || !strings.Contains(err.Error(), "Timeout") {
		t.Fatalf("error = %v, want a read timeout", err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		calls := r.Server.Requests()
		if len(calls) == 1 && calls[0].Fault == Delay && calls[0].Status == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the handler is still waiting: %+v", calls)
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	if err := r.Close(); err != nil || time.Since(start) > 5*time.Second {
		t.Errorf("Close took %v: %v", time.Since(start), err)
	}
}

func TestFaultsAreConsumedInOrderPerAction(t *testing.T) {
	r, c := demo(t)
	r.Server.InjectFault(Fault{Action: "CreateOrder", Kind: BusinessFailure, Code: "First"})
	r.Server.InjectFault(Fault{Action: "GetUserActiveTenant", Kind: Throttle, Times: 2})
	r.Server.InjectFault(Fault{Action: "CreateOrder", Kind: BusinessFailure, Code: "Second"})
	for range 2 {
		_, err := activeTenant(c)
		serverError(t, err, 400, "Throttling.User")
	}
	if _, err := activeTenant(c); err != nil {
		t.Errorf("third GetUserActiveTenant: %v", err)
	}
	for _, want := range []string{"First", "Second"} {
		resp, err := c.CreateOrder(exportRequest())
		businessFailure(t, err, resp.Success, want, resp.ErrorCode, resp.ErrorMessage)
	}
	if resp, _ := c.CreateOrder(exportRequest()); !resp.Success {
		t.Errorf("third CreateOrder: %s", resp.GetHttpContentString())
	}
	if r.Server.PendingFaults() != 0 {
		t.Errorf("%d faults pending", r.Server.PendingFaults())
	}
}

func TestClearFaults(t *testing.T) {
	r, c := demo(t)
	r.Server.InjectFault(Fault{Kind: ServerError, Times: 5})
	r.Server.ClearFaults()
	if _, err := activeTenant(c); err != nil {
		t.Errorf("after ClearFaults: %v", err)
	}
}

func TestFaultsApplyOnlyAfterTheSignatureIsVerified(t *testing.T) {
	r, _ := demo(t)
	r.Server.InjectFault(Fault{Kind: ServerError})
	wrong := sdkClient(t, r, Credential{AccessKeyID: DefaultCredential.AccessKeyID, AccessKeySecret: "wrong"})
	_, err := activeTenant(wrong)
	se := serverError(t, err, 400, "SignatureDoesNotMatch")
	// The SDK compares the StringToSign the server reports with its own.
	if se.Recommend() != "InvalidAccessKeySecret: Please check you AccessKeySecret" {
		t.Errorf("Recommend = %q", se.Recommend())
	}
	if r.Server.PendingFaults() != 1 {
		t.Errorf("the fault was consumed by a request that failed authentication")
	}
}
