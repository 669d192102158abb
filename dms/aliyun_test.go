package dms_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	shlex "github.com/anmitsu/go-shlex"

	"dmsticket/dms"
	"dmsticket/internal/aliyuncli"
)

// hostileComments are comments a shell or the aliyun CLI could misread.
var hostileComments = map[string]string{
	"quotes":        `it's "quoted" and 'single'`,
	"newlines":      "first line\nsecond line\n",
	"dollar":        "costs $HOME ${PATH} $(id) $1",
	"backquotes":    "run `date` now",
	"bang":          "urgent!! !! !-1 !$",
	"non-ASCII":     "导出订单 ✓ Ünïcödé",
	"leading dash":  "-- urgent",
	"a lone dash":   "-",
	"shorthand":     "-p",
	"flag itself":   "--insecure",
	"three dashes":  "---BEGIN---",
	"equals first":  "=cmd",
	"colon first":   ":x=y",
	"backslashes":   `C:\path\ and a trailing \`,
	"glob":          "* ? [a-z] ~ ~root {a,b}",
	"semicolons":    "a; rm -rf / # not a comment & | > <",
	"spaces at end": "  padded  ",
}

func exportReq(t *testing.T, comment string) dms.OrderRequest {
	t.Helper()
	tk := dms.Ticket{
		Type: "DATA_EXPORT", Tenant: dms.Tenant{ID: 3000001}, Database: dms.Database{ID: 1100023, DbType: "mysql"},
		SQL:     "SELECT id, 'it''s' FROM orders\nWHERE total > 100 AND note <> '$x' -- `tick` !\n",
		Comment: comment, Text: map[string]string{"classify": "-- a reason & <more>"}, RelatedUsers: []int64{2000002, 2000003},
		AttachmentKey: "upload/a&b.sql", Rows: dms.RowFigure{Source: dms.RowsExplain, Total: 42},
	}
	req, err := tk.Request()
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// wantParams is what the CLI must send for the request.
func wantParams(r dms.OrderRequest) map[string]string {
	return map[string]string{
		"Tid": "3000001", "PluginType": r.PluginType, "PluginParam": dms.PluginParamJSON(r.PluginParam),
		"Comment": r.Comment, "RelatedUserList": r.RelatedUserList, "AttachmentKey": r.AttachmentKey,
	}
}

// shellWords runs the command in a real shell with a stand-in aliyun on
// PATH and returns the words it was run with, preceded by what
// ALIBABA_CLOUD_IGNORE_PROFILE was. interactive feeds the command on stdin
// to an interactive shell, as a paste would be (bash then does history
// expansion on !).
func shellWords(t *testing.T, shell string, interactive bool, cmd string) []string {
	t.Helper()
	path, err := exec.LookPath(shell)
	if err != nil {
		t.Skipf("%s not installed", shell)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "args")
	stub := "#!/bin/sh\nprintf '%s\\0' \"IGNORE=${ALIBABA_CLOUD_IGNORE_PROFILE-}\" \"$@\" > \"$ALIYUN_ARGS_OUT\"\n"
	if err := os.WriteFile(filepath.Join(dir, "aliyun"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	var c *exec.Cmd
	if interactive {
		c = exec.Command(path, "--norc", "--noprofile", "-i")
		c.Stdin = strings.NewReader(cmd + "\n")
	} else {
		c = exec.Command(path, "-c", cmd)
	}
	c.Env = []string{"PATH=" + dir + ":/usr/bin:/bin", "HOME=" + dir, "HISTFILE=/dev/null", "PS1=", "ALIYUN_ARGS_OUT=" + out}
	var stderr bytes.Buffer
	c.Stderr = &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", shell, err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("%s did not run aliyun: %v\n%s", shell, err, stderr.String())
	}
	return strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
}

// checkInvocation parses words as the aliyun CLI does and compares every
// API parameter with the request.
func checkInvocation(t *testing.T, words []string, r dms.OrderRequest) aliyuncli.Invocation {
	t.Helper()
	inv, err := aliyuncli.Parse(words)
	if err != nil {
		t.Fatalf("the aliyun CLI would refuse it: %v\nwords %q", err, words)
	}
	want := wantParams(r)
	for k, v := range want {
		if got, ok := inv.Params[k]; !ok || got != v {
			t.Errorf("--%s reaches the CLI as %q (present %v), want %q", k, got, ok, v)
		}
	}
	for k := range inv.Params {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected API parameter --%s %q", k, inv.Params[k])
		}
	}
	if inv.Args[0] != "dms-enterprise" || inv.Args[1] != "CreateOrder" {
		t.Errorf("product and API %q", inv.Args)
	}
	return inv
}

// TestAliyunCommandRunsAsPrintedInRealShells pastes the one-line command and
// the one-flag-per-line layout into bash (interactive, so ! is expanded
// where it can be) and dash, splits the one-line command with go-shlex too,
// and reads each word list as the aliyun CLI does: every parameter is the
// request's, for every hostile comment.
func TestAliyunCommandRunsAsPrintedInRealShells(t *testing.T) {
	to := dms.Target{Region: "cn-shanghai", Endpoint: "http://127.0.0.1:18080",
		Credentials: dms.CredentialOrigin{Kind: dms.CredEnv}}
	for name, comment := range hostileComments {
		t.Run(name, func(t *testing.T) {
			r := exportReq(t, comment)
			line := dms.AliyunCommand(r, to)
			lines := dms.AliyunCommandLines(r, to)
			words, err := shlex.Split(line, true)
			if err != nil {
				t.Fatal(err)
			}
			if len(words) == 0 || words[0] != "ALIBABA_CLOUD_IGNORE_PROFILE=TRUE" {
				t.Errorf("environment keys without ALIBABA_CLOUD_IGNORE_PROFILE=TRUE first: %q", line)
			}
			checkInvocation(t, words, r)
			for _, run := range []struct {
				shell       string
				interactive bool
				cmd         string
			}{{"bash", true, line}, {"bash", true, lines}, {"dash", false, line}, {"dash", false, lines}} {
				got := shellWords(t, run.shell, run.interactive, run.cmd)
				if got[0] != "IGNORE=TRUE" {
					t.Errorf("%s: the CLI ran with %s", run.shell, got[0])
				}
				checkInvocation(t, append([]string{"aliyun"}, got[1:]...), r)
			}
		})
	}
}

// TestAliyunCommandNamesTheEndpointRegionAndIdentity: --region always,
// --endpoint always (--insecure for a loopback http:// one), --profile for a
// CLI profile, ALIBABA_CLOUD_IGNORE_PROFILE=TRUE for environment keys,
// nothing for sources the CLI cannot name; the model of the CLI then sends
// to dmsticket's endpoint and region.
func TestAliyunCommandNamesTheEndpointRegionAndIdentity(t *testing.T) {
	home := t.TempDir()
	writeFile(t, filepath.Join(home, ".aliyun", "config.json"), `{"current":"default","profiles":[
		{"name":"default","mode":"AK","access_key_id":"cli-default-key","access_key_secret":"s","region_id":"cn-beijing"},
		{"name":"ci","mode":"AK","access_key_id":"cli-ci-key","access_key_secret":"s","region_id":"cn-shenzhen"},
		{"name":"-odd","mode":"AK","access_key_id":"cli-odd-key","access_key_secret":"s","region_id":"cn-shenzhen"}]}`)
	env := map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "env-key", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret"}
	r := exportReq(t, "-- urgent")
	cases := []struct {
		name                    string
		to                      dms.Target
		scheme, host, region    string
		key                     string
		wantProfile, wantIgnore bool
		note                    string
	}{
		{"env keys, simulator", dms.Target{Region: "cn-hangzhou", Endpoint: "http://127.0.0.1:18080", Credentials: dms.CredentialOrigin{Kind: dms.CredEnv}},
			"http", "127.0.0.1:18080", "cn-hangzhou", "env-key", false, true, "ALIBABA_CLOUD_IGNORE_PROFILE=TRUE"},
		{"CLI profile, default endpoint", dms.Target{Region: "cn-shenzhen", Credentials: dms.CredentialOrigin{Kind: dms.CredCLIProfile, Profile: "ci"}},
			"https", "dms-enterprise.cn-shenzhen.aliyuncs.com", "cn-shenzhen", "cli-ci-key", true, false, "--profile ci"},
		{"CLI profile named with a dash", dms.Target{Region: "cn-shenzhen", Endpoint: "http://localhost:9", Credentials: dms.CredentialOrigin{Kind: dms.CredCLIProfile, Profile: "-odd"}},
			"http", "localhost:9", "cn-shenzhen", "cli-odd-key", true, false, "-odd"},
		{"credentials file", dms.Target{Region: "ap-southeast-1", Endpoint: "https://dms-enterprise.ap-southeast-1.aliyuncs.com", Credentials: dms.CredentialOrigin{Kind: dms.CredFile, Profile: "other", File: "~/.alibabacloud/credentials"}},
			"https", "dms-enterprise.ap-southeast-1.aliyuncs.com", "ap-southeast-1", "cli-default-key", false, false, "does not read"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			line := dms.AliyunCommand(r, c.to)
			words, err := shlex.Split(line, true)
			if err != nil {
				t.Fatal(err)
			}
			inv := checkInvocation(t, words, r)
			_, hasProfile := inv.Flags["profile"]
			_, ignore := inv.Env["ALIBABA_CLOUD_IGNORE_PROFILE"]
			if hasProfile != c.wantProfile || ignore != c.wantIgnore {
				t.Errorf("--profile %v, ALIBABA_CLOUD_IGNORE_PROFILE %v; want %v, %v: %s", hasProfile, ignore, c.wantProfile, c.wantIgnore, line)
			}
			got, err := inv.Resolve(env, home)
			if err != nil {
				t.Fatalf("the CLI would not run it: %v\n%s", err, line)
			}
			if got.Scheme != c.scheme || got.Host != c.host || got.Region != c.region || got.AccessKeyID != c.key {
				t.Errorf("the CLI sends to %s://%s in %s signed by %s; want %s://%s in %s signed by %s\n%s",
					got.Scheme, got.Host, got.Region, got.AccessKeyID, c.scheme, c.host, c.region, c.key, line)
			}
			if note := dms.AliyunCredentialsNote(c.to); !strings.Contains(note, c.note) {
				t.Errorf("note %q does not say %q", note, c.note)
			}
		})
	}
}

// TestAliyunCLIModelRefusesWhatTheCLIRefuses shows the model catches the
// command the CLI refused (--Comment '-- urgent') and the one that spoke
// HTTPS to the simulator (no --insecure).
func TestAliyunCLIModelRefusesWhatTheCLIRefuses(t *testing.T) {
	// Each is refused, or does not reach the CLI as the comment meant.
	for _, c := range []struct {
		words []string
		meant string
	}{
		{[]string{"aliyun", "dms-enterprise", "CreateOrder", "--Comment", "-- urgent"}, "-- urgent"}, // the flag " urgent"
		{[]string{"aliyun", "dms-enterprise", "CreateOrder", "--Comment", "-p"}, "-p"},               // --profile
		{[]string{"aliyun", "dms-enterprise", "CreateOrder", "--Comment", "-"}, "-"},
		{[]string{"aliyun", "dms-enterprise", "CreateOrder", "--Comment=", "x"}, ""}, // takes x
		{[]string{"aliyun", "dms-enterprise", "CreateOrder", "--region", "--Comment", "x"}, "x"},
		{[]string{"aliyun", "dms-enterprise", "CreateOrder", "--Comment", "x", "stray"}, "x"},
		{[]string{"aliyun", "dms-enterprise", "CreateOrder", "--Coment", "x"}, "x"},
	} {
		inv, err := aliyuncli.Parse(c.words)
		if got, ok := inv.Params["Comment"]; err == nil && ok && got == c.meant && len(inv.Params) == 1 {
			t.Errorf("%q read as meant: the model misses the CLI's reading (%+v)", c.words, inv)
		}
	}
	inv, err := aliyuncli.Parse([]string{"aliyun", "dms-enterprise", "CreateOrder", "--region", "cn-hangzhou", "--endpoint", "127.0.0.1:18080", "--Comment=-- urgent"})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Params["Comment"] != "-- urgent" {
		t.Errorf("--Comment=-- urgent read as %q", inv.Params["Comment"])
	}
	got, err := inv.Resolve(map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "k", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s"}, t.TempDir())
	if err != nil || got.Scheme != "https" {
		t.Errorf("without --insecure the CLI speaks %q (%v)", got.Scheme, err)
	}
}

// TestAliyunCommandLinesKeepEachFlagWithItsValue: one flag and its value per
// line, continued with " \", the same words as the one-line command.
func TestAliyunCommandLinesKeepEachFlagWithItsValue(t *testing.T) {
	to := dms.Target{Region: "cn-hangzhou", Endpoint: "http://127.0.0.1:18080", Credentials: dms.CredentialOrigin{Kind: dms.CredCLIProfile, Profile: "ci"}}
	r := exportReq(t, "one line")
	lines := strings.Split(dms.AliyunCommandLines(r, to), "\n")
	if lines[0] != "aliyun dms-enterprise CreateOrder \\" {
		t.Errorf("first line %q", lines[0])
	}
	for i, l := range lines[1:] {
		if !strings.HasPrefix(l, "  --") {
			t.Errorf("line %d %q is not one flag", i+2, l)
		}
		if i < len(lines)-2 && !strings.HasSuffix(l, " \\") {
			t.Errorf("line %d %q does not continue", i+2, l)
		}
	}
	joined := strings.ReplaceAll(dms.AliyunCommandLines(r, to), " \\\n ", "")
	if joined != dms.AliyunCommand(r, to) {
		t.Errorf("the lines join to\n%s\nnot\n%s", joined, dms.AliyunCommand(r, to))
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
