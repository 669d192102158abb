package dms_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
)

// The key pairs of the credential tests: each source holds its own, so the
// simulator's record names the source that signed.
var (
	envKey     = dmssim.Credential{AccessKeyID: "env-key", AccessKeySecret: "env-secret", UserID: 2000001}
	cliDefault = dmssim.Credential{AccessKeyID: "cli-default-key", AccessKeySecret: "cli-default-secret", UserID: 2000001}
	cliCI      = dmssim.Credential{AccessKeyID: "cli-ci-key", AccessKeySecret: "cli-ci-secret", UserID: 2000001}
	iniOther   = dmssim.Credential{AccessKeyID: "ini-other-key", AccessKeySecret: "ini-other-secret", UserID: 2000001}
	iniDefault = dmssim.Credential{AccessKeyID: "ini-default-key", AccessKeySecret: "ini-default-secret", UserID: 2000001}
	stsKey     = dmssim.Credential{AccessKeyID: "STS.sts-key", AccessKeySecret: "sts-secret", SecurityToken: "sts-token-1", UserID: 2000001}
	cliSTS     = dmssim.Credential{AccessKeyID: "STS.cli-sts-key", AccessKeySecret: "cli-sts-secret", SecurityToken: "cli-sts-token", UserID: 2000001}
)

// credentialVars are every variable the SDK's chain (and the aliyun CLI)
// reads.
var credentialVars = []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
	"ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_CREDENTIALS_FILE", "ALIBABA_CLOUD_CREDENTIALS_URI", "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
	"ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_REGION_ID", "ALIBABA_CLOUD_CLI_PROFILE_DISABLED",
	"ALIBABA_CLOUD_IGNORE_PROFILE", "ALIBABA_CLOUD_ECS_METADATA"}

// credHome gives the test an empty home directory and an environment with
// none of the credential variables (and no ECS metadata, never reached for
// in a test). It returns the home directory.
func credHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, k := range credentialVars {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	return home
}

const cliConfig = `{"current":"default","profiles":[
	{"name":"default","mode":"AK","access_key_id":"cli-default-key","access_key_secret":"cli-default-secret","region_id":"cn-beijing"},
	{"name":"ci","mode":"AK","access_key_id":"cli-ci-key","access_key_secret":"cli-ci-secret","region_id":"cn-shenzhen"},
	{"name":"sts","mode":"StsToken","access_key_id":"STS.cli-sts-key","access_key_secret":"cli-sts-secret","sts_token":"cli-sts-token","region_id":"cn-shanghai"}]}`

const iniCredentials = "[default]\ntype = access_key\naccess_key_id = ini-default-key\naccess_key_secret = ini-default-secret\n\n" +
	"[other]\ntype = access_key\naccess_key_id = ini-other-key\naccess_key_secret = ini-other-secret\n"

func writeCLIConfig(t *testing.T, home string) {
	writeFile(t, filepath.Join(home, ".aliyun", "config.json"), cliConfig)
}

func writeINI(t *testing.T, home string) {
	writeFile(t, filepath.Join(home, ".alibabacloud", "credentials"), iniCredentials)
}

func setEnvKeys(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", envKey.AccessKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", envKey.AccessKeySecret)
}

// credSim is a simulator that accepts every key pair above.
func credSim(t *testing.T) *dmssim.Running {
	t.Helper()
	seed, err := dmssim.LoadSeedFile("../testdata/sim/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	sim, err := dmssim.Start(dmssim.Options{Seed: seed, Credentials: []dmssim.Credential{envKey, cliDefault, cliCI, iniOther, iniDefault, stsKey, cliSTS}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

// signed makes one call with a client built from cfg and returns the call as
// the simulator recorded it: which key signed, which SDK provider it came
// from, the region sent.
func signed(t *testing.T, sim *dmssim.Running, cfg dms.Config) (dmssim.Call, *dms.Client) {
	t.Helper()
	cfg.Endpoint = sim.Endpoint
	c, err := dms.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckCredentials(); err != nil {
		t.Fatalf("no credentials: %v", err)
	}
	if _, err := c.ActiveTenant(ctx(t)); err != nil {
		t.Fatalf("the call was refused: %v", err)
	}
	calls := sim.Server.RequestsFor("GetUserActiveTenant")
	return calls[len(calls)-1], c
}

func TestCredentialsFollowTheSDKChain(t *testing.T) {
	cases := []struct {
		name       string
		setup      func(t *testing.T, home string)
		profile    string // --profile
		key        string
		provider   string
		kind       dms.CredentialKind
		origin     string // CredentialOrigin.Profile
		region     string
		regionFrom string
	}{
		{"environment keys only", func(t *testing.T, home string) { setEnvKeys(t) },
			"", envKey.AccessKeyID, "default/env", dms.CredEnv, "", "cn-hangzhou", "the default"},
		{"aliyun CLI profile only", func(t *testing.T, home string) { writeCLIConfig(t, home) },
			"", cliDefault.AccessKeyID, "default/cli_profile/static_ak", dms.CredCLIProfile, "default", "cn-beijing", `region_id of the aliyun CLI profile "default"`},
		{"ALIBABA_CLOUD_PROFILE picks the CLI profile", func(t *testing.T, home string) { writeCLIConfig(t, home); t.Setenv("ALIBABA_CLOUD_PROFILE", "ci") },
			"", cliCI.AccessKeyID, "default/cli_profile/static_ak", dms.CredCLIProfile, "ci", "cn-shenzhen", `region_id of the aliyun CLI profile "ci"`},
		{"credentials file only, ALIBABA_CLOUD_PROFILE=other", func(t *testing.T, home string) { writeINI(t, home); t.Setenv("ALIBABA_CLOUD_PROFILE", "other") },
			"", iniOther.AccessKeyID, "default/profile/static_ak", dms.CredFile, "other", "cn-hangzhou", "the default"},
		{"credentials file only, its [default]", func(t *testing.T, home string) { writeINI(t, home) },
			"", iniDefault.AccessKeyID, "default/profile/static_ak", dms.CredFile, "default", "cn-hangzhou", "the default"},
		{"environment keys and ALIBABA_CLOUD_PROFILE=ci, no config: the keys", func(t *testing.T, home string) { setEnvKeys(t); t.Setenv("ALIBABA_CLOUD_PROFILE", "ci") },
			"", envKey.AccessKeyID, "default/env", dms.CredEnv, "", "cn-hangzhou", "the default"},
		{"environment keys and a profile config, no --profile: the keys", func(t *testing.T, home string) {
			setEnvKeys(t)
			writeCLIConfig(t, home)
			t.Setenv("ALIBABA_CLOUD_PROFILE", "ci")
		},
			"", envKey.AccessKeyID, "default/env", dms.CredEnv, "", "cn-hangzhou", "the default"},
		{"environment keys and a profile config, --profile ci: the profile", func(t *testing.T, home string) { setEnvKeys(t); writeCLIConfig(t, home) },
			"ci", cliCI.AccessKeyID, "cli_profile/static_ak", dms.CredCLIProfile, "ci", "cn-shenzhen", `region_id of the aliyun CLI profile "ci"`},
		{"--profile other, only in the credentials file", func(t *testing.T, home string) { setEnvKeys(t); writeCLIConfig(t, home); writeINI(t, home) },
			"other", iniOther.AccessKeyID, "profile/static_ak", dms.CredFile, "other", "cn-hangzhou", "the default"},
		{"STS key in the environment", func(t *testing.T, home string) {
			t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", stsKey.AccessKeyID)
			t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", stsKey.AccessKeySecret)
			t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", stsKey.SecurityToken)
		}, "", stsKey.AccessKeyID, "default/env", dms.CredEnv, "", "cn-hangzhou", "the default"},
		{"STS profile", func(t *testing.T, home string) { writeCLIConfig(t, home) },
			"sts", cliSTS.AccessKeyID, "cli_profile/static_sts", dms.CredCLIProfile, "sts", "cn-shanghai", `region_id of the aliyun CLI profile "sts"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			home := credHome(t)
			c.setup(t, home)
			sim := credSim(t)
			call, client := signed(t, sim, dms.Config{Profile: c.profile})
			if got := call.Params.Get("AccessKeyId"); got != c.key || call.CredentialsProvider != c.provider {
				t.Errorf("signed by %s via %s, want %s via %s", got, call.CredentialsProvider, c.key, c.provider)
			}
			if o := client.CredentialOrigin(); o.Kind != c.kind || o.Profile != c.origin || o.Provider != c.provider {
				t.Errorf("origin %+v, want kind %v profile %q provider %s", o, c.kind, c.origin, c.provider)
			}
			if got := call.Params.Get("RegionId"); got != c.region || client.Region() != c.region || client.RegionFrom() != c.regionFrom {
				t.Errorf("region sent %s, client %s from %q; want %s from %q", got, client.Region(), client.RegionFrom(), c.region, c.regionFrom)
			}
			if tok := call.Params.Get("SecurityToken"); (tok != "") != strings.HasPrefix(c.key, "STS.") {
				t.Errorf("SecurityToken %q sent with %s", tok, c.key)
			}
		})
	}
}

// TestRegionPrecedence: --region, else ALIBABA_CLOUD_REGION_ID, else the
// region_id of the profile the credentials come from, else cn-hangzhou.
func TestRegionPrecedence(t *testing.T) {
	home := credHome(t)
	writeCLIConfig(t, home)
	sim := credSim(t)
	call, c := signed(t, sim, dms.Config{})
	if c.Region() != "cn-beijing" || call.Params.Get("RegionId") != "cn-beijing" {
		t.Errorf("profile region_id: %s, sent %s", c.Region(), call.Params.Get("RegionId"))
	}
	t.Setenv("ALIBABA_CLOUD_REGION_ID", "ap-southeast-1")
	if call, c = signed(t, sim, dms.Config{}); c.Region() != "ap-southeast-1" || c.RegionFrom() != "ALIBABA_CLOUD_REGION_ID" || call.Params.Get("RegionId") != "ap-southeast-1" {
		t.Errorf("ALIBABA_CLOUD_REGION_ID: %s from %s", c.Region(), c.RegionFrom())
	}
	if call, c = signed(t, sim, dms.Config{Region: "cn-qingdao", Profile: "ci"}); c.Region() != "cn-qingdao" || c.RegionFrom() != "--region" || call.Params.Get("RegionId") != "cn-qingdao" {
		t.Errorf("--region: %s from %s", c.Region(), c.RegionFrom())
	}
	// The demo's own key pair never takes a profile's region.
	os.Unsetenv("ALIBABA_CLOUD_REGION_ID")
	given, err := dms.NewClient(dms.Config{Endpoint: sim.Endpoint, Credentials: dms.StaticCredentials("k", "s")})
	if err != nil || given.Region() != "cn-hangzhou" || given.CredentialOrigin().Kind != dms.CredGiven {
		t.Errorf("given credentials: region %s, origin %+v, %v", given.Region(), given.CredentialOrigin(), err)
	}
}

// TestNoCredentialsFixesNameOnlyWhatWasGiven: dropping --profile is offered
// only when --profile was given; an ALIBABA_CLOUD_PROFILE that names no
// profile is named as the cause.
func TestNoCredentialsFixesNameOnlyWhatWasGiven(t *testing.T) {
	home := credHome(t)
	writeCLIConfig(t, home)
	t.Setenv("ALIBABA_CLOUD_PROFILE", "nosuch")
	check := func(profile string) *dms.CredentialsError {
		t.Helper()
		c, err := dms.NewClient(dms.Config{Endpoint: "http://127.0.0.1:9", Profile: profile})
		if err != nil {
			t.Fatal(err)
		}
		var ce *dms.CredentialsError
		if err := c.CheckCredentials(); !errors.As(err, &ce) {
			t.Fatalf("--profile %q: %v", profile, err)
		}
		return ce
	}
	env := check("")
	fixes := strings.Join(env.Fixes(), "\n")
	if strings.Contains(fixes, "drop --profile") || !strings.Contains(fixes, "ALIBABA_CLOUD_PROFILE=nosuch") {
		t.Errorf("without --profile the fixes say:\n%s", fixes)
	}
	tried := strings.Join(env.Tried, "\n")
	if !strings.Contains(tried, `"nosuch", from ALIBABA_CLOUD_PROFILE`) || !strings.Contains(tried, "[nosuch]") {
		t.Errorf("sources tried do not name the profile looked for:\n%s", tried)
	}
	flag := check("alsomissing")
	fixes = strings.Join(flag.Fixes(), "\n")
	if !strings.Contains(fixes, "drop --profile") || !strings.Contains(fixes, "aliyun configure --profile alsomissing") {
		t.Errorf("with --profile the fixes say:\n%s", fixes)
	}
	tried = strings.Join(flag.Tried, "\n")
	if !strings.Contains(tried, `"alsomissing" in ~/.aliyun/config.json`) || !strings.Contains(tried, "[alsomissing]") {
		t.Errorf("--profile sources:\n%s", tried)
	}
}

// TestUnreadableCLIConfigDoesNotLeakItsSecrets: v1.63 quotes a config.json
// it cannot parse in its error; the no-credentials screen must not show it.
func TestUnreadableCLIConfigDoesNotLeakItsSecrets(t *testing.T) {
	home := credHome(t)
	writeFile(t, filepath.Join(home, ".aliyun", "config.json"), `{"profiles":[{"name":"default","access_key_secret":"TOP-SECRET-VALUE",}]}`)
	c, err := dms.NewClient(dms.Config{Endpoint: "http://127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	var ce *dms.CredentialsError
	if err := c.CheckCredentials(); !errors.As(err, &ce) {
		t.Fatalf("%v", err)
	}
	if strings.Contains(ce.Detail, "TOP-SECRET-VALUE") || strings.Contains(ce.Error(), "TOP-SECRET-VALUE") {
		t.Errorf("the secret is in the error: %s", ce.Detail)
	}
	if !strings.Contains(ce.Detail, "config.json") {
		t.Errorf("the detail no longer says which file: %s", ce.Detail)
	}
}
