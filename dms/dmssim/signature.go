package dmssim

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Credential is an AccessKey pair the simulator accepts and the DMS user it
// acts as. SecurityToken, when set, must accompany every request (an STS
// credential); when empty, requests must not carry one.
type Credential struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
	UserID          int64
}

// DefaultCredential is the key pair the simulator accepts when Options names
// none, acting as the demo user 2000001 of the bundled seed. These are the
// documented defaults of `dmsticket sim` and `--demo`; they protect nothing.
var DefaultCredential = Credential{
	AccessKeyID:     "dmssim-demo-key",
	AccessKeySecret: "dmssim-demo-secret",
	UserID:          2000001,
}

// The protocol constants the simulator checks.
const (
	apiVersion = "2018-11-01"
	// timestampWindow is how far a request's Timestamp may be from the
	// simulator's clock, either way; nonces are remembered as long.
	timestampWindow = 15 * time.Minute
)

// percentEncode encodes s the way signature version 1.0 wants: RFC 3986
// unreserved characters (A-Z a-z 0-9 - _ . ~) as they are, every other byte
// of the UTF-8 text as %XX in upper-case hex (so a space is %20 and * is %2A).
func percentEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// canonicalQuery is every parameter but Signature, sorted by key, each key
// and value percent-encoded, joined as k=v with &.
func canonicalQuery(params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(percentEncode(k))
		b.WriteByte('=')
		b.WriteString(percentEncode(params.Get(k)))
	}
	return b.String()
}

// stringToSign is METHOD&%2F&percentEncode(canonicalQuery).
func stringToSign(method string, params url.Values) string {
	return strings.ToUpper(method) + "&" + percentEncode("/") + "&" + percentEncode(canonicalQuery(params))
}

// sign is base64(HMAC-SHA1(secret+"&", stringToSign)).
func sign(stringToSign, secret string) string {
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// parseTimestamp reads the Timestamp parameter: ISO 8601 in UTC,
// 2006-01-02T15:04:05Z, fractions of a second allowed.
func parseTimestamp(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04:05Z", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// authenticate checks the signature-version-1.0 parameters of a request and
// returns the credential it was signed with. The order follows Alibaba
// Cloud's gateway: parameters present, known key, supported method, fresh
// timestamp, matching signature, matching token, unused nonce.
func (s *Server) authenticate(method string, p url.Values) (Credential, *apiError) {
	for _, name := range []string{"AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp", "Signature"} {
		if p.Get(name) == "" {
			return Credential{}, errMissingParameter(name)
		}
	}
	cred, ok := s.creds[p.Get("AccessKeyId")]
	if !ok {
		return Credential{}, refuse(http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
	}
	if m := p.Get("SignatureMethod"); m != "HMAC-SHA1" {
		return Credential{}, refuse(400, "InvalidSignatureMethod", "Specified signature method %q is not supported; use HMAC-SHA1.", m)
	}
	if v := p.Get("SignatureVersion"); v != "1.0" {
		return Credential{}, refuse(400, "InvalidSignatureVersion", "Specified signature version %q is not supported; use 1.0.", v)
	}
	if t := p.Get("SignatureType"); t != "" {
		return Credential{}, refuse(400, "InvalidSignatureType", "Specified signature type %q is not supported; the simulator accepts AccessKey signatures only.", t)
	}
	ts, ok := parseTimestamp(p.Get("Timestamp"))
	if !ok {
		return Credential{}, refuse(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted: %q (use UTC ISO 8601, 2006-01-02T15:04:05Z).", p.Get("Timestamp"))
	}
	now := s.now()
	if d := now.Sub(ts); d > timestampWindow || d < -timestampWindow {
		return Credential{}, refuse(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired: %s is more than 15 minutes from the server time %s.",
			ts.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	sts := stringToSign(method, p)
	want := sign(sts, cred.AccessKeySecret)
	if subtle.ConstantTimeCompare([]byte(want), []byte(p.Get("Signature"))) != 1 {
		return Credential{}, refuse(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation. server string to sign is:%s", sts)
	}
	token := p.Get("SecurityToken")
	switch {
	case cred.SecurityToken != "" && token == "":
		return Credential{}, refuse(400, "MissingSecurityToken", "The SecurityToken of this STS AccessKey is not supplied.")
	case cred.SecurityToken == "" && token != "":
		return Credential{}, refuse(400, "InvalidSecurityToken.MismatchWithAccessKey", "Specified SecurityToken mismatch with the AccessKey: this AccessKey is not an STS key.")
	case subtle.ConstantTimeCompare([]byte(token), []byte(cred.SecurityToken)) != 1:
		return Credential{}, refuse(400, "InvalidSecurityToken.MismatchWithAccessKey", "Specified SecurityToken mismatch with the AccessKey.")
	}
	if !s.nonces.use(cred.AccessKeyID+"\x00"+p.Get("SignatureNonce"), ts.Add(timestampWindow), now) {
		return Credential{}, refuse(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
	}
	return cred, nil
}
