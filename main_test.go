package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/termquery"
)

// Each credential source holds its own key pair, so the simulator's record
// names the source that signed.
var (
	envKey     = dmssim.Credential{AccessKeyID: "env-key", AccessKeySecret: "env-secret", UserID: 2000001}
	cliDefault = dmssim.Credential{AccessKeyID: "cli-default-key", AccessKeySecret: "cli-default-secret", UserID: 2000001}
	cliCI      = dmssim.Credential{AccessKeyID: "cli-ci-key", AccessKeySecret: "cli-ci-secret", UserID: 2000001}
	iniOther   = dmssim.Credential{AccessKeyID: "ini-other-key", AccessKeySecret: "ini-other-secret", UserID: 2000001}
	stsKey     = dmssim.Credential{AccessKeyID: "STS.env-key", AccessKeySecret: "sts-secret", SecurityToken: "sts-token", UserID: 2000001}
)

const cliConfigJSON = `{"current":"default","profiles":[
	{"name":"default","mode":"AK","access_key_id":"cli-default-key","access_key_secret":"cli-default-secret","region_id":"cn-beijing"},
	{"name":"ci","mode":"AK","access_key_id":"cli-ci-key","access_key_secret":"cli-ci-secret","region_id":"cn-shenzhen"}]}`

const iniFile = "[other]\ntype = access_key\naccess_key_id = ini-other-key\naccess_key_secret = ini-other-secret\n"

// cleanHome points HOME at an empty directory and unsets every variable the
// credential chain reads (and the ECS metadata, never reached for in a
// test).
func cleanHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, k := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
		"ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_REGION_ID", "ALIBABA_CLOUD_CREDENTIALS_FILE", "ALIBABA_CLOUD_CREDENTIALS_URI",
		"ALIBABA_CLOUD_OIDC_TOKEN_FILE", "ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "DEBUG"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	return home
}

func put(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func startSim(t *testing.T, creds ...dmssim.Credential) *dmssim.Running {
	t.Helper()
	seed, err := dmssim.LoadSeed(demoSeed)
	if err != nil {
		t.Fatal(err)
	}
	sim, err := dmssim.Start(dmssim.Options{Seed: seed, Credentials: creds})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

// dmsticket runs the command line and returns the exit code and streams.
func dmsticket(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func exportArgs(endpoint string, extra ...string) []string {
	return append([]string{"create", "--endpoint", endpoint, "--type", "DATA_EXPORT", "--db", "orders_dev@10.40.1.11:3306",
		"--sql", "SELECT id FROM orders WHERE total > 100", "--comment", "credentials test", "--classify", "test", "--affect-rows", "1"}, extra...)
}

// TestCredentialsFromTheCommandLine runs `dmsticket create` for each way of
// holding credentials and names the source that signed the CreateOrder the
// simulator received: its key pair, the SDK's x-acs-credentials-provider,
// and the region sent.
func TestCredentialsFromTheCommandLine(t *testing.T) {
	cases := []struct {
		name               string
		setup              func(t *testing.T, home string)
		flags              []string
		key, provider, reg string
	}{
		{"environment keys only", func(t *testing.T, home string) {
			t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", envKey.AccessKeyID)
			t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", envKey.AccessKeySecret)
		}, nil, envKey.AccessKeyID, "default/env", "cn-hangzhou"},
		{"aliyun CLI profile only: its region_id is the region", func(t *testing.T, home string) {
			put(t, filepath.Join(home, ".aliyun", "config.json"), cliConfigJSON)
		}, nil, cliDefault.AccessKeyID, "default/cli_profile/static_ak", "cn-beijing"},
		{"credentials file only, ALIBABA_CLOUD_PROFILE=other", func(t *testing.T, home string) {
			put(t, filepath.Join(home, ".alibabacloud", "credentials"), iniFile)
			t.Setenv("ALIBABA_CLOUD_PROFILE", "other")
		}, nil, iniOther.AccessKeyID, "default/profile/static_ak", "cn-hangzhou"},
		{"environment keys and ALIBABA_CLOUD_PROFILE=ci, no config: the keys", func(t *testing.T, home string) {
			t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", envKey.AccessKeyID)
			t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", envKey.AccessKeySecret)
			t.Setenv("ALIBABA_CLOUD_PROFILE", "ci")
		}, nil, envKey.AccessKeyID, "default/env", "cn-hangzhou"},
		{"environment keys, ALIBABA_CLOUD_PROFILE=ci and its config: the keys", func(t *testing.T, home string) {
			t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", envKey.AccessKeyID)
			t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", envKey.AccessKeySecret)
			t.Setenv("ALIBABA_CLOUD_PROFILE", "ci")
			put(t, filepath.Join(home, ".aliyun", "config.json"), cliConfigJSON)
		}, nil, envKey.AccessKeyID, "default/env", "cn-hangzhou"},
		{"environment keys and a config, --profile ci: the profile", func(t *testing.T, home string) {
			t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", envKey.AccessKeyID)
			t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", envKey.AccessKeySecret)
			put(t, filepath.Join(home, ".aliyun", "config.json"), cliConfigJSON)
		}, []string{"--profile", "ci"}, cliCI.AccessKeyID, "cli_profile/static_ak", "cn-shenzhen"},
		{"--profile other, a section of the credentials file", func(t *testing.T, home string) {
			put(t, filepath.Join(home, ".aliyun", "config.json"), cliConfigJSON)
			put(t, filepath.Join(home, ".alibabacloud", "credentials"), iniFile)
		}, []string{"--profile", "other"}, iniOther.AccessKeyID, "profile/static_ak", "cn-hangzhou"},
		{"ALIBABA_CLOUD_REGION_ID over the profile's region_id", func(t *testing.T, home string) {
			put(t, filepath.Join(home, ".aliyun", "config.json"), cliConfigJSON)
			t.Setenv("ALIBABA_CLOUD_REGION_ID", "ap-southeast-1")
		}, nil, cliDefault.AccessKeyID, "default/cli_profile/static_ak", "ap-southeast-1"},
		{"--region over both", func(t *testing.T, home string) {
			put(t, filepath.Join(home, ".aliyun", "config.json"), cliConfigJSON)
			t.Setenv("ALIBABA_CLOUD_REGION_ID", "ap-southeast-1")
		}, []string{"--region", "cn-qingdao"}, cliDefault.AccessKeyID, "default/cli_profile/static_ak", "cn-qingdao"},
		{"an STS key in the environment", func(t *testing.T, home string) {
			t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", stsKey.AccessKeyID)
			t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", stsKey.AccessKeySecret)
			t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", stsKey.SecurityToken)
		}, nil, stsKey.AccessKeyID, "default/env", "cn-hangzhou"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			home := cleanHome(t)
			c.setup(t, home)
			sim := startSim(t, envKey, cliDefault, cliCI, iniOther, stsKey)
			code, stdout, stderr := dmsticket(exportArgs(sim.Endpoint, c.flags...)...)
			if code != 0 {
				t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
			}
			calls := sim.Server.RequestsFor("CreateOrder")
			if len(calls) != 1 {
				t.Fatalf("%d CreateOrder requests", len(calls))
			}
			p := calls[0].Params
			if p.Get("AccessKeyId") != c.key || calls[0].CredentialsProvider != c.provider || p.Get("RegionId") != c.reg {
				t.Errorf("signed by %s via %s in %s; want %s via %s in %s",
					p.Get("AccessKeyId"), calls[0].CredentialsProvider, p.Get("RegionId"), c.key, c.provider, c.reg)
			}
			if strings.HasPrefix(c.key, "STS.") && p.Get("SecurityToken") != stsKey.SecurityToken {
				t.Errorf("SecurityToken %q", p.Get("SecurityToken"))
			}
		})
	}
}

// TestNoCredentialsNeverSuggestsDroppingAFlagNotGiven: ALIBABA_CLOUD_PROFILE
// naming no profile is the cause the fixes name, not --profile.
func TestNoCredentialsNeverSuggestsDroppingAFlagNotGiven(t *testing.T) {
	cleanHome(t)
	t.Setenv("ALIBABA_CLOUD_PROFILE", "other")
	code, _, stderr := dmsticket(exportArgs("http://127.0.0.1:9")...)
	if code != 1 || strings.Contains(stderr, "drop --profile") || !strings.Contains(stderr, "ALIBABA_CLOUD_PROFILE=other") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	code, _, stderr = dmsticket(exportArgs("http://127.0.0.1:9", "--profile", "other")...)
	if code != 1 || !strings.Contains(stderr, "drop --profile") {
		t.Errorf("with --profile: exit %d, stderr:\n%s", code, stderr)
	}
}

// TestDryRunCommandNamesTheIdentity: the printed command carries --profile
// and the profile's region for a profile, ALIBABA_CLOUD_IGNORE_PROFILE=TRUE
// for the environment keys, and the line under it says which.
func TestDryRunCommandNamesTheIdentity(t *testing.T) {
	home := cleanHome(t)
	put(t, filepath.Join(home, ".aliyun", "config.json"), cliConfigJSON)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", envKey.AccessKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", envKey.AccessKeySecret)
	sim := startSim(t, envKey, cliCI)
	host := strings.TrimPrefix(sim.Endpoint, "http://")
	code, stdout, stderr := dmsticket(exportArgs(sim.Endpoint, "--profile", "ci", "--dry-run")...)
	if code != 0 || !strings.Contains(stdout, "aliyun dms-enterprise CreateOrder --profile ci --region cn-shenzhen --endpoint "+host+" --insecure ") ||
		!strings.Contains(stdout, `profile "ci" (--profile ci)`) {
		t.Errorf("--profile ci: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	code, stdout, stderr = dmsticket(exportArgs(sim.Endpoint, "--dry-run")...)
	if code != 0 || !strings.Contains(stdout, "\nALIBABA_CLOUD_IGNORE_PROFILE=TRUE aliyun dms-enterprise CreateOrder --region cn-hangzhou --endpoint "+host+" --insecure ") ||
		!strings.Contains(stdout, "environment variables") {
		t.Errorf("environment keys: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
}

// syncBuffer is a bytes.Buffer safe to read while a command writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestSimWithSecurityTokenAcceptsOnlyTheSTSKey runs `dmsticket sim
// --security-token` and files a ticket against it with the STS key from the
// environment, as a person would from the command line; the pair without
// its token is refused.
func TestSimWithSecurityTokenAcceptsOnlyTheSTSKey(t *testing.T) {
	cleanHome(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	root := newRoot(strings.NewReader(""), &stdout, &stderr)
	root.SetArgs([]string{"sim", "--listen", "127.0.0.1:0", "--access-key-id", "STS.cli-key", "--access-key-secret", "cli-secret", "--security-token", "tok-from-sts"})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("sim: %v", err)
		}
	})
	endpoint := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	var m []string
	for deadline := time.Now().Add(10 * time.Second); m == nil; time.Sleep(10 * time.Millisecond) {
		if m = endpoint.FindStringSubmatch(stdout.String()); m == nil && time.Now().After(deadline) {
			t.Fatalf("sim did not start:\n%s\n%s", stdout.String(), stderr.String())
		}
	}
	if !strings.Contains(stdout.String(), "ALIBABA_CLOUD_SECURITY_TOKEN=tok-from-sts") {
		t.Errorf("sim does not print the token to use:\n%s", stdout.String())
	}

	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.cli-key")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "cli-secret")
	t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "tok-from-sts")
	if code, out, errOut := dmsticket(exportArgs(m[1])...); code != 0 {
		t.Fatalf("create with the STS key: exit %d\n%s\n%s", code, out, errOut)
	}
	for name, p := range map[string]dms.Config{
		"no token":    {Credentials: dms.StaticCredentials("STS.cli-key", "cli-secret")},
		"other token": {Credentials: dms.StaticSTSCredentials("STS.cli-key", "cli-secret", "tok-forged")},
	} {
		p.Endpoint = m[1]
		c, err := dms.NewClient(p)
		if err != nil {
			t.Fatal(err)
		}
		cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err = c.ActiveTenant(cctx)
		ccancel()
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// A negative --tenant is a usage error (exit 2) before anything is sent:
// it reached DMS, whose TenantNotExist made it exit 1, as a refused ticket
// does (found by an adversarial run).
func TestANegativeTenantIsAUsageError(t *testing.T) {
	cleanHome(t)
	for _, args := range [][]string{
		{"--demo", "--tenant", "-1", "list"},
		{"--demo", "--tenant", "-3000001", "status", "40000001"},
	} {
		code, _, stderr := dmsticket(args...)
		if code != 2 || !strings.Contains(stderr, "a DMS tenant ID is a positive number") {
			t.Errorf("%v: exit %d, stderr:\n%s", args, code, stderr)
		}
	}
}

// termquery knows every subcommand: one it does not know would ask the
// terminal its background before it starts (termquery's doc).
func TestTermqueryKnowsEverySubcommand(t *testing.T) {
	root := newRoot(nil, io.Discard, io.Discard)
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if !termquery.Subcommands[c.Name()] {
			t.Errorf("termquery.Subcommands lacks %q", c.Name())
		}
	}
	for args, want := range map[string]bool{
		"--demo":                    false,
		"--region cn-shanghai":      false,
		"--demo create --type NDDL": true,
		"status 40000001":           true,
		"-- create":                 false,
		"--version":                 true,
		"-h":                        true,
		"--demo --accessible":       true,
	} {
		if got := termquery.ForCommand(strings.Fields(args)); got != want {
			t.Errorf("ForCommand(%q) = %v, want %v", args, got, want)
		}
	}
}
