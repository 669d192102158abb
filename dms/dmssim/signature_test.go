package dmssim

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	dmse "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"
)

// This file signs requests itself, from Alibaba Cloud's public description of
// signature version 1.0, with plain net/http: an implementation independent of
// both the SDK and the simulator.

// popEncode is the documented encoding: URL-encode as UTF-8, then write +
// as %20, * as %2A and keep ~.
func popEncode(s string) string {
	e := url.QueryEscape(s)
	e = strings.ReplaceAll(e, "+", "%20")
	e = strings.ReplaceAll(e, "*", "%2A")
	return strings.ReplaceAll(e, "%7E", "~")
}

func popStringToSign(method string, params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pairs := make([]string, len(keys))
	for i, k := range keys {
		pairs[i] = popEncode(k) + "=" + popEncode(params[k])
	}
	return method + "&" + popEncode("/") + "&" + popEncode(strings.Join(pairs, "&"))
}

func popSign(sts, secret string) string {
	m := hmac.New(sha1.New, []byte(secret+"&"))
	io.WriteString(m, sts)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

var nonceSeq atomic.Int64

// rawCall is one hand-signed request.
type rawCall struct {
	method    string
	action    string
	query     map[string]string // business parameters in the query
	form      map[string]string // parameters in the form body
	keyID     string
	secret    string
	timestamp time.Time
	nonce     string
	mutate    func(params map[string]string) // after signing
	sendForm  map[string]string              // sent instead of form, if set
}

// send signs and sends c, returning the status and decoded JSON body.
func (c rawCall) send(t *testing.T, endpoint string) (int, map[string]any, string) {
	t.Helper()
	if c.method == "" {
		c.method = http.MethodPost
	}
	if c.timestamp.IsZero() {
		c.timestamp = time.Now()
	}
	if c.nonce == "" {
		c.nonce = fmt.Sprintf("test-nonce-%d-%d", time.Now().UnixNano(), nonceSeq.Add(1))
	}
	q := map[string]string{
		"Action": c.action, "Version": "2018-11-01", "Format": "JSON", "AccessKeyId": c.keyID,
		"SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": c.nonce,
		"Timestamp": c.timestamp.UTC().Format("2006-01-02T15:04:05Z"), "RegionId": "cn-hangzhou",
	}
	for k, v := range c.query {
		q[k] = v
	}
	all := map[string]string{}
	for k, v := range q {
		all[k] = v
	}
	for k, v := range c.form {
		all[k] = v
	}
	q["Signature"] = popSign(popStringToSign(c.method, all), c.secret)
	if c.mutate != nil {
		c.mutate(q)
	}
	qv := url.Values{}
	for k, v := range q {
		qv.Set(k, v)
	}
	fv := url.Values{}
	if c.sendForm != nil {
		c.form = c.sendForm
	}
	for k, v := range c.form {
		fv.Set(k, v)
	}
	req, err := http.NewRequest(c.method, endpoint+"/?"+qv.Encode(), strings.NewReader(fv.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.form) > 0 {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("answer is not JSON: %q", raw)
	}
	if resp.Header.Get("x-acs-request-id") != body["RequestId"] {
		t.Errorf("x-acs-request-id %q, RequestId %v", resp.Header.Get("x-acs-request-id"), body["RequestId"])
	}
	return resp.StatusCode, body, string(raw)
}

func demoCall(action string) rawCall {
	return rawCall{action: action, keyID: DefaultCredential.AccessKeyID, secret: DefaultCredential.AccessKeySecret}
}

// refusal asserts a gateway refusal body.
func refusal(t *testing.T, status int, body map[string]any, wantStatus int, code string) {
	t.Helper()
	if status != wantStatus || body["Code"] != code {
		t.Fatalf("answer %d %v, want %d %s", status, body, wantStatus, code)
	}
	for _, k := range []string{"RequestId", "HostId", "Code", "Message", "Recommend"} {
		if s, _ := body[k].(string); s == "" {
			t.Errorf("refusal lacks %s: %v", k, body)
		}
	}
	want := "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(code) + "&product=dms-enterprise&requestId=" + body["RequestId"].(string)
	if body["Recommend"] != want {
		t.Errorf("Recommend = %v, want %s", body["Recommend"], want)
	}
}

func TestIndependentlySignedRequestIsAccepted(t *testing.T) {
	r := startSim(t, Options{})
	status, body, raw := demoCall("GetUserActiveTenant").send(t, r.Endpoint)
	if status != 200 || body["Success"] != true {
		t.Fatalf("answer %d %s", status, raw)
	}
	get := demoCall("SearchDatabase")
	get.method = http.MethodGet
	get.query = map[string]string{"SearchKey": "pay ments*~ünï", "PageSize": "5"}
	if status, body, raw := get.send(t, r.Endpoint); status != 200 || body["Success"] != true {
		t.Fatalf("GET with awkward characters: %d %s", status, raw)
	}
}

func TestIndependentlySignedFormBodyIsPartOfTheSignature(t *testing.T) {
	r := startSim(t, Options{})
	call := demoCall("CreateOrder")
	call.query = map[string]string{"PluginType": "NDDL", "Comment": "a comment with spaces & symbols *~"}
	call.form = map[string]string{"PluginParam": `{"dbId":1100001,"logic":false,"relatedIds":[],"title":"x < y"}`}
	status, body, raw := call.send(t, r.Endpoint)
	if status != 200 || body["Success"] != true {
		t.Fatalf("answer %d %s", status, raw)
	}
	if o := r.Server.Orders()[0]; o.PluginParam != call.form["PluginParam"] || o.Comment != call.query["Comment"] {
		t.Errorf("order = %+v", o)
	}
	// Sign one body, send another.
	tampered := call
	tampered.nonce = ""
	tampered.sendForm = map[string]string{"PluginParam": `{"dbId":1100002,"logic":false,"relatedIds":[],"title":"x < y"}`}
	status, body, _ = tampered.send(t, r.Endpoint)
	refusal(t, status, body, 400, "SignatureDoesNotMatch")
	if len(r.Server.Orders()) != 1 {
		t.Error("a request with a tampered body stored a ticket")
	}
}

func TestWrongSecretIsSignatureDoesNotMatch(t *testing.T) {
	r := startSim(t, Options{})
	call := demoCall("GetUserActiveTenant")
	call.secret = "not-the-secret"
	call.nonce = "fixed-nonce-1"
	status, body, _ := call.send(t, r.Endpoint)
	refusal(t, status, body, 400, "SignatureDoesNotMatch")
	msg := body["Message"].(string)
	const marker = "server string to sign is:"
	i := strings.Index(msg, marker)
	if i < 0 {
		t.Fatalf("Message %q does not carry the server's StringToSign", msg)
	}
	got := msg[i+len(marker):]
	if !strings.HasPrefix(got, "POST&%2F&AccessKeyId%3Ddmssim-demo-key%26Action%3DGetUserActiveTenant%26") ||
		!strings.Contains(got, "SignatureNonce%3Dfixed-nonce-1") {
		t.Errorf("server StringToSign = %q", got)
	}
	if r.Server.Requests()[0].UserID != 0 {
		t.Error("a refused request was attributed to a user")
	}
}

func TestStaleOrFutureTimestampIsExpired(t *testing.T) {
	r := startSim(t, Options{})
	for _, d := range []time.Duration{-20 * time.Minute, 20 * time.Minute} {
		call := demoCall("GetUserActiveTenant")
		call.timestamp = time.Now().Add(d)
		status, body, _ := call.send(t, r.Endpoint)
		refusal(t, status, body, 400, "InvalidTimeStamp.Expired")
	}
	call := demoCall("GetUserActiveTenant")
	call.timestamp = time.Now().Add(-14 * time.Minute)
	if status, _, raw := call.send(t, r.Endpoint); status != 200 {
		t.Errorf("14 minutes old should pass: %s", raw)
	}
	bad := demoCall("GetUserActiveTenant")
	bad.mutate = func(p map[string]string) { p["Timestamp"] = "yesterday" }
	status, body, _ := bad.send(t, r.Endpoint)
	refusal(t, status, body, 400, "InvalidTimeStamp.Format")
}

func TestReusedNonceIsRefused(t *testing.T) {
	r := startSim(t, Options{})
	call := demoCall("GetUserActiveTenant")
	call.nonce = "once-only"
	if status, _, raw := call.send(t, r.Endpoint); status != 200 {
		t.Fatalf("first use: %s", raw)
	}
	status, body, _ := call.send(t, r.Endpoint)
	refusal(t, status, body, 400, "SignatureNonceUsed")
}

func TestUnknownAccessKeyIsNotFound(t *testing.T) {
	r := startSim(t, Options{})
	call := demoCall("GetUserActiveTenant")
	call.keyID = "nobody"
	status, body, _ := call.send(t, r.Endpoint)
	refusal(t, status, body, 404, "InvalidAccessKeyId.NotFound")
}

func TestMissingCommonParametersAreNamed(t *testing.T) {
	r := startSim(t, Options{})
	for _, name := range []string{"SignatureNonce", "Timestamp", "AccessKeyId", "Signature", "Action", "Version"} {
		call := demoCall("GetUserActiveTenant")
		call.mutate = func(p map[string]string) { delete(p, name) }
		status, body, _ := call.send(t, r.Endpoint)
		refusal(t, status, body, 400, "MissingParameter")
		if !strings.Contains(body["Message"].(string), `"`+name+`"`) {
			t.Errorf("message %q does not name %s", body["Message"], name)
		}
	}
	call := demoCall("GetUserActiveTenant")
	call.mutate = func(p map[string]string) { p["Version"] = "2015-01-01" }
	status, body, _ := call.send(t, r.Endpoint)
	refusal(t, status, body, 400, "InvalidVersion")
	call = demoCall("NoSuchThing")
	status, body, _ = call.send(t, r.Endpoint)
	refusal(t, status, body, 404, "InvalidAction.NotFound")
}

func TestSecurityTokenMustMatchAnSTSCredential(t *testing.T) {
	sts := Credential{AccessKeyID: "STS.key", AccessKeySecret: "sts-secret", SecurityToken: "token-123", UserID: userDemo}
	r := startSim(t, Options{Credentials: []Credential{sts, DefaultCredential}})
	if resp, err := sdkClient(t, r, sts).GetUserActiveTenant(dmse.CreateGetUserActiveTenantRequest()); err != nil || !resp.Success {
		t.Fatalf("STS through the SDK: %v", err)
	}
	noToken := Credential{AccessKeyID: sts.AccessKeyID, AccessKeySecret: sts.AccessKeySecret}
	_, err := sdkClient(t, r, noToken).GetUserActiveTenant(dmse.CreateGetUserActiveTenantRequest())
	serverError(t, err, 400, "MissingSecurityToken")
	wrong := sts
	wrong.SecurityToken = "token-456"
	_, err = sdkClient(t, r, wrong).GetUserActiveTenant(dmse.CreateGetUserActiveTenantRequest())
	serverError(t, err, 400, "InvalidSecurityToken.MismatchWithAccessKey")
	stray := DefaultCredential
	stray.SecurityToken = "token-123"
	_, err = sdkClient(t, r, stray).GetUserActiveTenant(dmse.CreateGetUserActiveTenantRequest())
	serverError(t, err, 400, "InvalidSecurityToken.MismatchWithAccessKey")
}

func TestSignatureMatchesTheSDKsOwnForAwkwardValues(t *testing.T) {
	_, c := demo(t)
	for _, key := range []string{"a b", "a+b", "x*y", "~tilde", "100%", "中文", "'\"<>&=?/"} {
		resp := search(t, c, func(r *dmse.SearchDatabaseRequest) { r.SearchKey = key })
		if resp.TotalCount != 0 {
			t.Errorf("%q matched %d databases", key, resp.TotalCount)
		}
	}
}

func TestNoncesArePrunedOnceTheirWindowHasPassed(t *testing.T) {
	c := newNonceCache()
	now := time.Now()
	for i := range 5000 {
		if !c.use(fmt.Sprint("n", i), now.Add(timestampWindow), now) {
			t.Fatal("a fresh nonce was refused")
		}
	}
	if c.use("n42", now.Add(timestampWindow), now.Add(time.Minute)) {
		t.Error("a nonce was accepted twice inside the window")
	}
	later := now.Add(timestampWindow + 2*time.Minute)
	c.use("fresh", later.Add(timestampWindow), later)
	if n := c.size(); n != 1 {
		t.Errorf("%d nonces remembered after the window passed, want 1", n)
	}
}

func TestPercentEncodeFollowsRFC3986(t *testing.T) {
	for in, want := range map[string]string{
		"a b": "a%20b", "*": "%2A", "~": "~", "-_.": "-_.", "+": "%2B", "/": "%2F", "é": "%C3%A9", "=&": "%3D%26",
	} {
		if got := percentEncode(in); got != want || got != popEncode(in) {
			t.Errorf("percentEncode(%q) = %q, popEncode %q, want %q", in, got, popEncode(in), want)
		}
	}
}
