package create

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	shlex "github.com/anmitsu/go-shlex"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/internal/aliyuncli"
)

// signerParams are the parameters the SDK's signer adds to every request:
// the aliyun CLI adds its own, so they are compared apart (RegionId,
// AccessKeyId, SecurityToken) or not at all.
var signerParams = map[string]bool{"Action": true, "Version": true, "Format": true, "Timestamp": true, "SignatureMethod": true,
	"SignatureVersion": true, "SignatureNonce": true, "SignatureType": true, "AccessKeyId": true, "RegionId": true, "SecurityToken": true}

// comments a shell or the aliyun CLI could misread.
var comments = []string{
	"Q3 \"export\" for finance's $HOME `date` $(id)\nsecond line\\n; rm -rf / #",
	"urgent!! !! !-1 !$ for ${USER}",
	"导出订单 ✓ für Ünïcödé",
	"-- urgent",
	"-p",
	"--insecure",
	"=cmd ~root * ?",
}

// runWith runs `dmsticket create args…` against a backend.
func runWith(t *testing.T, be Backend, args ...string) outcome {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := NewCommand(Deps{
		Connect: func() (Backend, error) { be.ConsoleURL = consoleURL; return be, nil },
		Tenant:  func() int64 { return 0 },
		Stdout:  &stdout, Stderr: &stderr,
		IsTerminal: func() bool { return false },
	})
	cmd.SetArgs(args)
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	err := cmd.ExecuteContext(context.Background())
	o := outcome{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*ExitError); ok {
		o.code = ee.Code
	} else if err != nil {
		t.Fatalf("create returned %v\n%s", err, o.stderr)
	}
	return o
}

// printedCommand is the aliyun command of a dry run, as shell words.
func printedCommand(t *testing.T, stdout string) []string {
	t.Helper()
	i := strings.Index(stdout, "aliyun dms-enterprise CreateOrder")
	if i < 0 {
		t.Fatalf("no aliyun command in the dry run:\n%s", stdout)
	}
	if p := "ALIBABA_CLOUD_IGNORE_PROFILE=TRUE "; strings.HasSuffix(stdout[:i], p) {
		i -= len(p)
	}
	if j := strings.LastIndexByte(stdout[:i], '\n'); j != i-1 && i > 0 {
		t.Fatalf("the command does not start a line: %q", stdout[max(0, i-40):i+40])
	}
	cmd := stdout[i:]
	if j := strings.LastIndex(cmd, "\nCredentials: "); j >= 0 {
		cmd = cmd[:j] // the line under the command says whose credentials it uses
	}
	words, err := shlex.Split(strings.TrimSuffix(cmd, "\n"), true)
	if err != nil {
		t.Fatalf("the command does not parse as shell words: %v", err)
	}
	return words
}

// credentialsCase is a way dmsticket finds its credentials, set up in a
// fresh home directory and environment, with the simulator's key pair.
type credentialsCase struct {
	name    string
	setup   func(t *testing.T, home string, cred dmssim.Credential) dms.Config
	shell   map[string]string // the environment the pasted command runs in
	profile bool              // --profile expected
}

func credentialCases(cred dmssim.Credential) []credentialsCase {
	envKeys := map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": cred.AccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": cred.AccessKeySecret}
	return []credentialsCase{
		{"environment keys", func(t *testing.T, home string, cred dmssim.Credential) dms.Config {
			for k, v := range envKeys {
				t.Setenv(k, v)
			}
			// An aliyun CLI whose current profile is another identity: the
			// pasted command must not use it.
			writeConfig(t, home, `{"current":"other","profiles":[{"name":"other","mode":"AK","access_key_id":"someone-else","access_key_secret":"x","region_id":"cn-hangzhou"}]}`)
			return dms.Config{}
		}, envKeys, false},
		{"aliyun CLI profile", func(t *testing.T, home string, cred dmssim.Credential) dms.Config {
			writeConfig(t, home, `{"current":"other","profiles":[
				{"name":"other","mode":"AK","access_key_id":"someone-else","access_key_secret":"x","region_id":"cn-hangzhou"},
				{"name":"sim","mode":"AK","access_key_id":"`+cred.AccessKeyID+`","access_key_secret":"`+cred.AccessKeySecret+`","region_id":"cn-shanghai"}]}`)
			return dms.Config{Profile: "sim"}
		}, envKeys, true}, // the shell's keys must not win over --profile
	}
}

func writeConfig(t *testing.T, home, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(home, ".aliyun"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aliyun", "config.json"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestAliyunCommandSendsExactlyTheRequest prints the dry run's aliyun
// command, parses it back as a shell and then the aliyun CLI would (the
// model in internal/aliyuncli, after the CLI's source), works out where the
// CLI would send it and with which key, and compares all of it with the
// request the simulator receives when the same flags run for real:
// parameter by parameter, the endpoint (an http:// loopback one, so
// --insecure), the region (a profile's region_id), and the key that signed,
// for comments with quotes, newlines, $, backquotes, !, non-ASCII text and a
// leading -, with environment keys and with a profile.
func TestAliyunCommandSendsExactlyTheRequest(t *testing.T) {
	seedOnce.Do(func() { seed, seedErr = dmssim.LoadSeedFile(seedPath) })
	if seedErr != nil {
		t.Fatal(seedErr)
	}
	cred := dmssim.Credential{AccessKeyID: "create-cli-key", AccessKeySecret: "create-cli-secret", UserID: 2000001}
	sql := "SELECT id, 'it''s' AS s, total FROM orders\nWHERE total < 100 AND note <> '$x' -- `tick` !\n  AND status = \"ok\";\n"
	for _, cc := range credentialCases(cred) {
		for _, comment := range comments {
			t.Run(cc.name+"/"+comment, func(t *testing.T) {
				home := t.TempDir()
				t.Setenv("HOME", home)
				for _, k := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
					"ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_REGION_ID", "ALIBABA_CLOUD_CREDENTIALS_FILE", "ALIBABA_CLOUD_OIDC_TOKEN_FILE"} {
					t.Setenv(k, "")
					os.Unsetenv(k)
				}
				t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
				cfg := cc.setup(t, home, cred)
				sim, err := dmssim.Start(dmssim.Options{Seed: seed, Credentials: []dmssim.Credential{cred}})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { sim.Close() })
				cfg.Endpoint, cfg.ReadTimeout = sim.Endpoint, 5*time.Second
				c, err := dms.NewClient(cfg)
				if err != nil {
					t.Fatal(err)
				}
				if err := c.CheckCredentials(); err != nil {
					t.Fatal(err)
				}
				be := Backend{Service: c, Client: c, Region: c.Region(), Endpoint: c.Endpoint(), Credentials: c.CredentialOrigin()}
				args := []string{"--type", "DATA_EXPORT", "--db", "orders_dev@10.40.1.11:3306", "--sql", sql,
					"--comment=" + comment, "--classify=-- " + comment, "--related-users", "2000002,2000003",
					"--attachment-key", "upload/a&b.sql", "--affect-rows", "42"}

				dry := runWith(t, be, append(args, "--dry-run")...)
				dry.want(t, ExitOK)
				words := printedCommand(t, dry.stdout)
				inv, err := aliyuncli.Parse(words)
				if err != nil {
					t.Fatalf("the aliyun CLI would refuse the command: %v\n%q", err, words)
				}
				if _, ok := inv.Flags["profile"]; ok != cc.profile {
					t.Errorf("--profile given %v, want %v: %q", ok, cc.profile, words)
				}
				if !strings.Contains(dry.stdout, "\nCredentials: ") {
					t.Errorf("the dry run does not say which credentials the command uses:\n%s", dry.stdout)
				}
				cli, err := inv.Resolve(cc.shell, home)
				if err != nil {
					t.Fatalf("the aliyun CLI would not send it: %v", err)
				}

				runWith(t, be, args...).want(t, ExitOK)
				calls := sim.Server.RequestsFor("CreateOrder")
				if len(calls) != 1 {
					t.Fatalf("%d CreateOrder requests", len(calls))
				}
				sent := calls[0].Params
				for k := range sent {
					if !signerParams[k] {
						if got, ok := inv.Params[k]; !ok || got != sent.Get(k) {
							t.Errorf("--%s %q (given %v), but the request carries %q", k, got, ok, sent.Get(k))
						}
					}
				}
				for k, v := range inv.Params {
					if !sent.Has(k) {
						t.Errorf("the command sends --%s %q, which the request does not carry", k, v)
					}
				}
				if inv.Params["Comment"] != comment {
					t.Errorf("--Comment %q, want %q", inv.Params["Comment"], comment)
				}
				if !strings.Contains(inv.Params["PluginParam"], "total < 100") || !strings.Contains(inv.Params["PluginParam"], `"ignoreAffectRowsReason":""`) {
					t.Errorf("--PluginParam %s", inv.Params["PluginParam"])
				}
				if cli.Scheme+"://"+cli.Host != sim.Endpoint || cli.Region != sent.Get("RegionId") || cli.AccessKeyID != sent.Get("AccessKeyId") {
					t.Errorf("the CLI would send to %s://%s in %s signed by %s; dmsticket sent to %s in %s signed by %s",
						cli.Scheme, cli.Host, cli.Region, cli.AccessKeyID, sim.Endpoint, sent.Get("RegionId"), sent.Get("AccessKeyId"))
				}
			})
		}
	}
}
