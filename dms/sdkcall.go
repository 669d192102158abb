package dms

import (
	"context"
	"reflect"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	dmssdk "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"
)

// sdkResponse is what every DMS response of the SDK is: a pointer to a
// struct embedding *responses.BaseResponse, with the common fields
// RequestId, Success, ErrorCode and ErrorMessage.
type sdkResponse interface {
	GetHttpStatus() int
	GetHttpContentBytes() []byte
}

// readCall runs one read-only DMS operation through read (retried on
// throttling, 5xx and transport failures; Success checked) and returns its
// response.
func readCall[R sdkResponse](ctx context.Context, c *Client, op string, req requests.AcsRequest, call func(*dmssdk.Client) (R, error)) (R, error) {
	var resp R
	err := c.read(ctx, op, req, func(sc *dmssdk.Client) (baseResponse, error) {
		var err error
		if resp, err = call(sc); err != nil {
			return baseResponse{}, err
		}
		return baseOf(resp), nil
	})
	return resp, err
}

// writeCall sends an operation that changes a ticket, once, through
// sendOnce.
func writeCall[R sdkResponse](ctx context.Context, c *Client, op string, req requests.AcsRequest, call func(*dmssdk.Client) (R, error)) error {
	_, _, err := sendOnce(ctx, c, op, req, call)
	return err
}

// sendOnce sends an operation that writes, once: never retried here or by
// the SDK. It returns the response (nil when none came), its common fields
// and the failure, an *Error: Retryable only when nothing reached DMS, and
// KindOutcomeUnknown after the request was written (a dropped connection, a
// timeout, a 5xx, an unreadable answer).
func sendOnce[R sdkResponse](ctx context.Context, c *Client, op string, req requests.AcsRequest, call func(*dmssdk.Client) (R, error)) (R, baseResponse, error) {
	var resp R
	var br baseResponse
	sent, err := c.call(ctx, req, func(sc *dmssdk.Client) error {
		var err error
		if resp, err = call(sc); err == nil {
			br = baseOf(resp)
		}
		return err
	})
	e := c.classify(ctx, op, sent, br, err)
	if e == nil {
		return resp, br, nil
	}
	e.Retryable = false // never automatically
	switch {
	case !sent && e.Kind == KindTransport:
		e.Retryable = true // nothing reached DMS
	case e.Kind == KindTransport, e.Kind == KindUnavailable && e.HTTPStatus >= 500:
		e.Kind = KindOutcomeUnknown
	}
	return resp, br, e
}

// baseOf reads the common fields of any SDK response.
func baseOf(resp sdkResponse) baseResponse {
	v := reflect.ValueOf(resp)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return baseResponse{Empty: true}
	}
	v = v.Elem()
	str := func(name string) string {
		if f := v.FieldByName(name); f.IsValid() && f.Kind() == reflect.String {
			return f.String()
		}
		return ""
	}
	success := false
	if f := v.FieldByName("Success"); f.IsValid() && f.Kind() == reflect.Bool {
		success = f.Bool()
	}
	return base(str("RequestId"), str("ErrorCode"), str("ErrorMessage"), success, resp.GetHttpStatus(), resp.GetHttpContentBytes())
}
