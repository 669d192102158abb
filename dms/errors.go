package dms

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Kind sorts DMS failures by what the user can do about them.
type Kind int

// The kinds of failure.
const (
	// KindRefused: DMS understood the request and said no (HTTP 4xx, or HTTP
	// 200 with Success=false). Retrying the same request will not help.
	KindRefused Kind = iota
	// KindCredentials: no credentials were found, or DMS rejected them
	// (unknown AccessKey, bad signature, expired STS token).
	KindCredentials
	// KindPermission: the identity is known but lacks the right.
	KindPermission
	// KindThrottled: too many requests; retry later.
	KindThrottled
	// KindUnavailable: DMS failed on its side (HTTP 5xx, ServiceUnavailable).
	KindUnavailable
	// KindTransport: the request did not get an answer (DNS, connect, TLS,
	// timeout, a malformed answer). For reads a retry is safe.
	KindTransport
	// KindOutcomeUnknown: a ticket-creating request was sent but no usable
	// answer came back; the ticket may or may not exist.
	KindOutcomeUnknown
	// KindInvalid: dmsticket refused to send the request (bad input or
	// configuration); nothing reached DMS.
	KindInvalid
	// KindPolicy: the server dmsticket runs on refused the request by its
	// own policy (the SSH server's users file); nothing reached DMS. DMS's
	// own permission errors are KindPermission.
	KindPolicy
)

// kindNames are each kind's words for people (String) and its code for
// logs and records (Code), one row a kind.
var kindNames = [...]struct{ text, code string }{
	KindRefused:        {"refused by DMS", "Refused"},
	KindCredentials:    {"credentials", "Credentials"},
	KindPermission:     {"permission", "Permission"},
	KindThrottled:      {"throttled", "Throttled"},
	KindUnavailable:    {"DMS unavailable", "Unavailable"},
	KindTransport:      {"transport", "Transport"},
	KindOutcomeUnknown: {"outcome unknown", "OutcomeUnknown"},
	KindInvalid:        {"invalid request", "Invalid"},
	KindPolicy:         {"refused by this server's policy", PolicyRefusedCode},
}

// PolicyRefusedCode is the error code of a request the policy of the
// server dmsticket runs on refused (KindPolicy).
const PolicyRefusedCode = "Policy.Refused"

// String names the kind.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "unknown"
	}
	return kindNames[k].text
}

// Code is the kind as an error code, for a failure DMS gave no code for
// (the audit log's): "Throttled", "Transport".
func (k Kind) Code() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "Refused"
	}
	return kindNames[k].code
}

// Error is the one error type every DMS call returns.
type Error struct {
	Op         string // the DMS action, e.g. "CreateOrder"
	Kind       Kind
	Code       string // DMS's error code, e.g. "Throttling.User"
	Message    string // DMS's message, or ours for client-side failures
	RequestID  string
	HostID     string
	HTTPStatus int    // 0 when no HTTP answer arrived
	Recommend  string // DMS's troubleshooting link
	// Retryable says sending the same request again is safe and may succeed.
	Retryable bool
	// Unmeasured marks an estimate DMS answered but that gives no figure
	// for some statements (their own messages say why): nothing failed.
	Unmeasured bool
	Err        error // the underlying error, if any
}

// Error implements error: "CreateOrder: refused by DMS: InvalidParam: … (request ID …)".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(e.Kind.String())
	if e.Code != "" {
		b.WriteString(": ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request ID %s)", e.RequestID)
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// TooLong says the server refused the request for its length before
// reading it (HTTP 413, 414, 431): a data change's SQL travels in the URL.
func (e *Error) TooLong() bool {
	switch e.HTTPStatus {
	case http.StatusRequestEntityTooLarge, http.StatusRequestURITooLong, http.StatusRequestHeaderFieldsTooLarge:
		return true
	}
	return false
}

// Advice says, in a sentence, what the user can do next.
func (e *Error) Advice() string {
	if e.TooLong() {
		if e.Op == OpCreateDataCorrectOrder {
			return "Nothing was created: CreateDataCorrectOrder carries the SQL (and the rollback script) in the request's URL. Split the script into smaller tickets, or file this one in the DMS console with the script as an attachment."
		}
		return "Nothing was done: shorten what the request carries (the SQL, the comment) and send it again."
	}
	switch e.Kind {
	case KindCredentials:
		return "Check the AccessKey pair or profile (aliyun configure, or ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET); an STS token may have expired."
	case KindPermission:
		return "Ask a DMS administrator for the permission named above, or pick another database."
	case KindThrottled:
		return "DMS is throttling requests: wait a few seconds and try again."
	case KindUnavailable:
		return "DMS failed on its side: try again in a moment."
	case KindTransport:
		return "Check the network path to the DMS endpoint and try again."
	case KindOutcomeUnknown:
		return "The request was sent but no answer came back: look the ticket up before sending it again."
	case KindInvalid:
		return "Correct the request and try again."
	case KindPolicy:
		return "This server's users file does not allow it; ask the team that runs the server."
	}
	again := "try again"
	if e.Op == OpCreateOrder || e.Op == OpCreateDataCorrectOrder {
		again = "submit again"
	}
	if e.Recommend != "" {
		return "Fix what DMS names above and " + again + "; the troubleshooting link explains the code."
	}
	return "Fix what DMS names above and " + again + "."
}

// NotFound says DMS answered that what the request names (a ticket, a
// database, an instance) does not exist, which in DMS is also what another
// tenant's looks like.
func (e *Error) NotFound() bool {
	c := strings.ToLower(e.Code)
	return strings.Contains(c, "notexist") || strings.Contains(c, "notfound")
}

// AsError returns err as an *Error if it is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// KindOf is the kind of err, or KindTransport for errors of other types.
func KindOf(err error) Kind {
	if e, ok := AsError(err); ok {
		return e.Kind
	}
	return KindTransport
}

// classifyCode maps a DMS or gateway error code (and HTTP status) to a kind.
func classifyCode(code string, status int, message string) Kind {
	c := strings.ToLower(code)
	switch {
	case strings.HasPrefix(c, "throttling") || c == "rejected.throttling" || strings.Contains(c, "throttl") || status == 429:
		return KindThrottled
	case c == "serviceunavailable" || strings.HasPrefix(c, "serviceunavailable") || c == "internalerror" || status >= 500:
		return KindUnavailable
	case strings.HasPrefix(c, "invalidaccesskeyid") || strings.HasPrefix(c, "signaturedoesnotmatch") ||
		strings.HasPrefix(c, "incompletesignature") || strings.HasPrefix(c, "invalidsecuritytoken") ||
		strings.HasPrefix(c, "missingsecuritytoken") || strings.HasPrefix(c, "invalidtimestamp") ||
		strings.HasPrefix(c, "signaturenonceused") || c == "missingaccesskeyid" || status == 401:
		return KindCredentials
	case strings.HasPrefix(c, "forbidden") || strings.HasPrefix(c, "noperm") || strings.Contains(c, "permission") ||
		strings.HasPrefix(c, "accessdenied") || status == 403:
		return KindPermission
	}
	m := strings.ToLower(message)
	if strings.Contains(m, "no permission") || strings.Contains(m, "not authorized") || strings.Contains(m, "permission denied") {
		return KindPermission
	}
	return KindRefused
}
