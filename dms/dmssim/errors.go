package dmssim

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// apiError is a failure answered to the client. Status 200 is a business
// failure (Success=false with ErrorCode and ErrorMessage); any other status is
// a gateway refusal with DMS's error body.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// refuse is a gateway refusal (HTTP 4xx/5xx).
func refuse(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// fail is a business failure (HTTP 200, Success=false).
func fail(code, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusOK, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Gateway refusals, with Alibaba Cloud's codes and messages.
func errMissingParameter(name string) *apiError {
	return refuse(400, "MissingParameter", "The input parameter %q that is mandatory for processing this request is not supplied.", name)
}

func errInvalidParameter(name, value, want string) *apiError {
	return refuse(400, "InvalidParameter", "The specified parameter %q is not valid: %q is not %s.", name, value, want)
}

func errActionNotFound(action string) *apiError {
	return refuse(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method. (Action %q is not an operation of dms-enterprise 2018-11-01 that the simulator answers.)", action)
}

// Business failures.
var errTenantNotExist = fail("TenantNotExist", "The specified tenant does not exist.")

func errDatabaseNotExist(format string, args ...any) *apiError {
	return fail("DatabaseNotExist", format, args...)
}

// newRequestID returns a fresh UUID-like request ID in upper case, as DMS
// returns them.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := strings.ToUpper(hex.EncodeToString(b[:]))
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// recommendURL is the troubleshooting link Alibaba Cloud puts in refusals.
func recommendURL(code, requestID string) string {
	return "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(code) +
		"&product=dms-enterprise&requestId=" + url.QueryEscape(requestID)
}

// refusalBody is the JSON body of a gateway refusal.
type refusalBody struct {
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend"`
}

// failureBody is the JSON body of a business failure.
type failureBody struct {
	RequestID    string `json:"RequestId"`
	Success      bool   `json:"Success"`
	ErrorCode    string `json:"ErrorCode"`
	ErrorMessage string `json:"ErrorMessage"`
}
