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
