package dmssim

import (
	"errors"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	dmse "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"
)

// TestRefusalHostIdIsTheRegionsEndpoint: HostId names the regional DMS
// endpoint of the request's RegionId, as DMS does, not the simulator's
// loopback host.
func TestRefusalHostIdIsTheRegionsEndpoint(t *testing.T) {
	r := startSim(t, Options{})
	for region, want := range map[string]string{
		"cn-shanghai":    "dms-enterprise.cn-shanghai.aliyuncs.com",
		"ap-southeast-1": "dms-enterprise.ap-southeast-1.aliyuncs.com",
	} {
		c, err := dmse.NewClientWithOptions(region, sdk.NewConfig().WithScheme("HTTP"),
			credentials.NewStaticAKCredentialsProvider("no-such-key", "x"))
		if err != nil {
			t.Fatal(err)
		}
		c.Domain = r.Host()
		_, err = c.GetUserActiveTenant(dmse.CreateGetUserActiveTenantRequest())
		var se *sdkerrors.ServerError
		if !errors.As(err, &se) || se.ErrorCode() != "InvalidAccessKeyId.NotFound" {
			t.Fatalf("%s: %v", region, err)
		}
		if se.HostId() != want {
			t.Errorf("%s: HostId %q, want %q", region, se.HostId(), want)
		}
		c.Shutdown()
	}
	call := rawCall{action: "GetUserActiveTenant", keyID: "no-such-key", secret: "x",
		mutate: func(p map[string]string) { delete(p, "RegionId") }}
	status, body, _ := call.send(t, r.Endpoint) // no RegionId at all
	if status != 404 || body["HostId"] != "dms-enterprise.aliyuncs.com" {
		t.Errorf("without RegionId: %d HostId %v, want the central endpoint", status, body["HostId"])
	}
}

// TestSTSKeyNeedsItsToken: an STS credential is accepted with its token and
// refused without it or with another.
func TestSTSKeyNeedsItsToken(t *testing.T) {
	sts := Credential{AccessKeyID: "STS.key", AccessKeySecret: "sts-secret", SecurityToken: "tok-123", UserID: userDemo}
	r := startSim(t, Options{Credentials: []Credential{sts}})
	if resp, err := sdkClient(t, r, sts).GetUserActiveTenant(dmse.CreateGetUserActiveTenantRequest()); err != nil || !resp.Success {
		t.Fatalf("STS key with its token refused: %v", err)
	}
	for name, cred := range map[string]Credential{
		"no token":      {AccessKeyID: sts.AccessKeyID, AccessKeySecret: sts.AccessKeySecret, UserID: userDemo},
		"another token": {AccessKeyID: sts.AccessKeyID, AccessKeySecret: sts.AccessKeySecret, SecurityToken: "tok-999", UserID: userDemo},
	} {
		_, err := sdkClient(t, r, cred).GetUserActiveTenant(dmse.CreateGetUserActiveTenantRequest())
		var se *sdkerrors.ServerError
		if !errors.As(err, &se) || se.HttpStatus() != 400 {
			t.Errorf("%s: %v, want a 400 refusal", name, err)
		}
	}
	calls := r.Server.RequestsFor("GetUserActiveTenant")
	if len(calls) == 0 || calls[0].CredentialsProvider != "static_sts" {
		t.Errorf("recorded x-acs-credentials-provider %q, want static_sts", calls[0].CredentialsProvider)
	}
}
