package dms

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	dmssdk "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"
)

// DefaultRegion is the region used when none is configured.
const DefaultRegion = "cn-hangzhou"

// Default timeouts. The SDK's own read timeout (10 s) is short for DMS, and
// ExecuteScript counts may take a while; COUNT is time-boxed separately.
const (
	DefaultConnectTimeout = 5 * time.Second
	DefaultReadTimeout    = 30 * time.Second
	DefaultCountTimeout   = 60 * time.Second
)

// Retry bounds the automatic retries of read calls. CreateOrder is never
// retried.
type Retry struct {
	Attempts int           // total attempts, at least 1
	Base     time.Duration // first backoff ceiling; doubles each attempt
	Max      time.Duration // backoff ceiling
}

// DefaultRetry is four attempts with jittered backoff from 250 ms to 3 s.
var DefaultRetry = Retry{Attempts: 4, Base: 250 * time.Millisecond, Max: 3 * time.Second}

// Config says how to reach DMS and as whom.
type Config struct {
	// Region is --region. Empty: ALIBABA_CLOUD_REGION_ID, else the region_id
	// of the aliyun CLI profile the credentials come from, else
	// DefaultRegion.
	Region string
	// Profile is --profile: the aliyun CLI profile, else the credentials
	// file's section, of that name. Empty: the SDK's default chain.
	Profile  string
	Endpoint string // URL; default https://dms-enterprise.<region>.aliyuncs.com
	// Credentials overrides the credential chain (the demo's static pair, a
	// served user's profile).
	Credentials credentials.CredentialsProvider
	Version     string // dmsticket's version, for the User-Agent
	// Timeouts; zero means the defaults above.
	ConnectTimeout, ReadTimeout, CountTimeout time.Duration
	Retry                                     Retry
	// Transport replaces the HTTP transport (tests). Nil: a pooled transport
	// honouring HTTP(S)_PROXY.
	Transport http.RoundTripper
	// Concurrency is how many calls may run at once (default 8).
	Concurrency int
}

// Client talks to DMS through the official SDK. It is built once per process
// (or per identity) and is safe for concurrent use; connections are reused.
type Client struct {
	cfg        Config
	regionFrom string
	scheme     string
	domain     string
	provider   *lockedProvider
	pool       chan *dmssdk.Client
	calls      sync.Map // call ID -> *callState
	nextCall   atomic.Uint64
	sleep      func(ctx context.Context, d time.Duration) error
}

// ParseEndpoint checks an endpoint URL and returns its scheme and host[:port].
// HTTPS is required except for loopback hosts, so keys never cross a network in
// clear text.
func ParseEndpoint(raw, region string) (scheme, host string, err error) {
	if raw == "" {
		if region == "" {
			region = DefaultRegion
		}
		return "HTTPS", "dms-enterprise." + region + ".aliyuncs.com", nil
	}
	u, perr := url.Parse(raw)
	if perr != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", "", fmt.Errorf("endpoint %q is not a URL like https://dms-enterprise.cn-hangzhou.aliyuncs.com", raw)
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.User != nil {
		return "", "", fmt.Errorf("endpoint %q must be just scheme://host[:port], without path, query or user", raw)
	}
	if u.Scheme == "http" && !IsLoopbackHost(u.Hostname()) {
		return "", "", fmt.Errorf("endpoint %q uses plain http:// to a host that is not on this machine; the AccessKey signature would cross the network unencrypted: use https://", raw)
	}
	return strings.ToUpper(u.Scheme), u.Host, nil
}

// IsLoopbackHost reports whether host is localhost or a loopback IP address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// sdkEndpoints makes the SDK's endpoint map before any client is built:
// the SDK makes it on first use without a lock (GetEndpointMap), and two
// clients built at once (two profiles' first sessions over SSH) raced on it.
var sdkEndpoints sync.Once

// NewClient builds a client. It does not contact DMS; call CheckCredentials to
// find out early whether credentials are there.
func NewClient(cfg Config) (*Client, error) {
	var regionFrom string
	cfg.Region, regionFrom = resolveRegion(cfg)
	scheme, host, err := ParseEndpoint(cfg.Endpoint, cfg.Region)
	if err != nil {
		return nil, &Error{Kind: KindInvalid, Message: err.Error(), Err: err}
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	if cfg.CountTimeout <= 0 {
		cfg.CountTimeout = DefaultCountTimeout
	}
	if cfg.Retry.Attempts <= 0 {
		cfg.Retry = DefaultRetry
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	base := cfg.Transport
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.DialContext = (&net.Dialer{Timeout: cfg.ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext
		t.MaxIdleConnsPerHost = cfg.Concurrency
		t.TLSHandshakeTimeout = cfg.ConnectTimeout
		base = t
	}
	c := &Client{
		cfg:        cfg,
		regionFrom: regionFrom,
		scheme:     scheme,
		domain:     host,
		provider:   newProvider(cfg),
		pool:       make(chan *dmssdk.Client, cfg.Concurrency),
		sleep:      Sleep,
	}
	rt := &callTransport{base: base, client: c}
	sdkEndpoints.Do(func() { dmssdk.GetEndpointMap() })
	// One SDK client per concurrent call: the SDK writes per-call timeouts into
	// its shared http.Client, so an SDK client must not serve two calls at once.
	// All of them share one transport, so connections are reused.
	for range cfg.Concurrency {
		sdkCfg := sdk.NewConfig().WithScheme(scheme).WithAutoRetry(false)
		sdkCfg.Transport = rt
		sc, err := dmssdk.NewClientWithOptions(cfg.Region, sdkCfg, c.provider)
		if err != nil {
			return nil, &Error{Kind: KindInvalid, Message: "building the DMS client: " + err.Error(), Err: err}
		}
		sc.Domain = host
		sc.SetConnectTimeout(cfg.ConnectTimeout)
		sc.SetReadTimeout(cfg.ReadTimeout)
		sc.AppendUserAgent("dmsticket", cfg.Version)
		c.pool <- sc
	}
	return c, nil
}

// Endpoint is the URL the client talks to.
func (c *Client) Endpoint() string { return strings.ToLower(c.scheme) + "://" + c.domain }

// Region is the client's region.
func (c *Client) Region() string { return c.cfg.Region }

// RegionFrom says where the region came from, in words: "--region",
// "ALIBABA_CLOUD_REGION_ID", `region_id of the aliyun CLI profile "ci"` or
// "the default".
func (c *Client) RegionFrom() string { return c.regionFrom }

// Profile is the --profile the client was built with, if any.
func (c *Client) Profile() string { return c.cfg.Profile }

// Target is where and as whom the client sends requests, for the aliyun
// command. Its credentials are known once they were asked for
// (CheckCredentials, or any call).
func (c *Client) Target() Target {
	return Target{Region: c.cfg.Region, Endpoint: c.Endpoint(), Credentials: c.CredentialOrigin()}
}

// callHeader carries a call's ID from the SDK request to our transport, which
// removes it before sending; headers are not part of the RPC signature.
const callHeader = "X-Dmsticket-Call"

// callState is what the transport knows about one call.
type callState struct {
	ctx  context.Context
	sent atomic.Bool // the whole request was written to a connection
}

// callTransport gives SDK requests, which carry no context, the context of
// the call they belong to, and records whether a request was fully sent.
type callTransport struct {
	base   http.RoundTripper
	client *Client
}

// RoundTrip implements http.RoundTripper.
func (t *callTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	id := r.Header.Get(callHeader)
	v, ok := t.client.calls.Load(id)
	if !ok {
		return nil, errors.New("dmsticket: request outside a call")
	}
	st := v.(*callState)
	trace := &httptrace.ClientTrace{WroteRequest: func(info httptrace.WroteRequestInfo) {
		if info.Err == nil {
			st.sent.Store(true)
		}
	}}
	r2 := r.Clone(httptrace.WithClientTrace(st.ctx, trace))
	r2.Header.Del(callHeader)
	return t.base.RoundTrip(r2)
}

// call runs one SDK call with ctx: it borrows an SDK client, tags the request
// so the transport can apply ctx, and reports whether the request was sent.
func (c *Client) call(ctx context.Context, req requests.AcsRequest, do func(*dmssdk.Client) error) (sent bool, err error) {
	var sc *dmssdk.Client
	select {
	case sc = <-c.pool:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { c.pool <- sc }()
	id := strconv.FormatUint(c.nextCall.Add(1), 10)
	st := &callState{ctx: ctx}
	c.calls.Store(id, st)
	defer c.calls.Delete(id)
	req.GetHeaders()[callHeader] = id
	err = do(sc)
	return st.sent.Load(), err
}

// baseResponse is what every DMS answer carries.
type baseResponse struct {
	RequestID, ErrorCode, ErrorMessage string
	Success                            bool
	HTTPStatus                         int
	Empty                              bool
}

// read runs a read-only call with retries on throttling, 5xx and transport
// failures. get extracts the common fields from the SDK response.
func (c *Client) read(ctx context.Context, op string, req requests.AcsRequest, do func(*dmssdk.Client) (baseResponse, error)) error {
	var last *Error
	for attempt := 0; attempt < c.cfg.Retry.Attempts; attempt++ {
		if attempt > 0 {
			if err := c.sleep(ctx, c.backoff(attempt)); err != nil {
				return last
			}
		}
		var br baseResponse
		sent, err := c.call(ctx, req, func(sc *dmssdk.Client) error {
			var err error
			br, err = do(sc)
			return err
		})
		e := c.classify(ctx, op, sent, br, err)
		if e == nil {
			return nil
		}
		last = e
		if !e.Retryable || ctx.Err() != nil {
			return e
		}
	}
	return last
}

func (c *Client) backoff(attempt int) time.Duration {
	ceil := c.cfg.Retry.Base << (attempt - 1)
	if ceil > c.cfg.Retry.Max || ceil <= 0 {
		ceil = c.cfg.Retry.Max
	}
	// Full jitter, but never less than a tenth of the ceiling.
	return ceil/10 + time.Duration(rand.Int64N(int64(ceil-ceil/10)+1))
}

// Sleep waits d, or less when ctx ends first: it returns ctx's error then,
// nil otherwise.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// classify turns the outcome of one SDK call into nil or an *Error. ctx is
// the call's own context: its end is a cancellation, while the HTTP client's
// read timeout is a timeout.
func (c *Client) classify(ctx context.Context, op string, sent bool, br baseResponse, err error) *Error {
	if err == nil {
		switch {
		case br.Success:
			return nil
		case br.Empty:
			return &Error{Op: op, Kind: KindTransport, Message: "DMS answered with an empty or unreadable body", HTTPStatus: br.HTTPStatus, Retryable: true}
		}
		return &Error{
			Op: op, Kind: classifyCode(br.ErrorCode, 0, br.ErrorMessage),
			Code: br.ErrorCode, Message: br.ErrorMessage, RequestID: br.RequestID, HTTPStatus: br.HTTPStatus,
			Retryable: strings.HasPrefix(strings.ToLower(br.ErrorCode), "throttling"),
		}
	}
	if e, ok := AsError(err); ok {
		return e
	}
	if ctx.Err() != nil {
		msg := "cancelled"
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			msg = "gave up waiting for DMS at " + c.Endpoint()
		}
		return &Error{Op: op, Kind: KindTransport, Message: msg, Retryable: true, Err: err}
	}
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		kind := classifyCode(se.ErrorCode(), se.HttpStatus(), se.Message())
		e := &Error{
			Op: op, Kind: kind, Code: se.ErrorCode(), Message: firstLine(se.Message()),
			RequestID: se.RequestId(), HostID: se.HostId(), HTTPStatus: se.HttpStatus(), Recommend: se.Recommend(),
			Retryable: kind == KindThrottled || kind == KindUnavailable, Err: err,
		}
		if e.TooLong() {
			// The server did not read the request: nothing was done, and
			// the same request fails the same way.
			e.Kind, e.Retryable = KindRefused, false
			e.Message = fmt.Sprintf("DMS did not read a request this long (HTTP %d %s)", e.HTTPStatus, http.StatusText(e.HTTPStatus))
		}
		return e
	}
	var ce *sdkerrors.ClientError
	if errors.As(err, &ce) {
		switch ce.ErrorCode() {
		case sdkerrors.JsonUnmarshalErrorCode:
			return &Error{Op: op, Kind: KindTransport, Code: ce.ErrorCode(), Message: "DMS answered with malformed JSON", Retryable: true, Err: err}
		case sdkerrors.TimeoutErrorCode:
			return &Error{Op: op, Kind: KindTransport, Code: ce.ErrorCode(), Message: "timed out waiting for DMS", Retryable: true, Err: err}
		case sdkerrors.UnsupportedCredentialErrorCode:
			return &Error{Op: op, Kind: KindCredentials, Code: ce.ErrorCode(), Message: ce.Message(), Err: err}
		}
	}
	msg := err.Error()
	if isCredentialError(msg) {
		return &Error{Op: op, Kind: KindCredentials, Message: credentialMessage(msg), Err: err}
	}
	var ne net.Error
	timeout := errors.As(err, &ne) && ne.Timeout()
	m := "could not reach DMS at " + c.Endpoint() + ": " + shortNetError(err)
	if timeout {
		m = "timed out waiting for DMS at " + c.Endpoint()
	}
	return &Error{Op: op, Kind: KindTransport, Message: m, Retryable: true, Err: err}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// shortNetError strips Go's "Post \"url\": " prefix from transport errors.
func shortNetError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// tid turns a tenant ID into the SDK's optional integer: zero is "not set",
// which makes DMS use the caller's active tenant.
func tid(id int64) requests.Integer {
	if id == 0 {
		return ""
	}
	return requests.NewInteger64(id)
}
