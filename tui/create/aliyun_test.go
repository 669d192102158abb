package create

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	shlex "github.com/anmitsu/go-shlex"
)

// TestAliyunCommandSendsExactlyTheRequest parses the dry run's aliyun command
// back with a shell-word parser and compares every parameter with the
// request the simulator receives when the same flags run for real.
func TestAliyunCommandSendsExactlyTheRequest(t *testing.T) {
	w := newWorld(t)
	comment := "Q3 \"export\" for finance's $HOME `date` $(id)\nsecond line\\n; rm -rf / #"
	sql := "SELECT id, 'it''s' AS s, total FROM orders\nWHERE total < 100 AND note <> '$x' -- `tick`\n  AND status = \"ok\";\n"
	args := export("--comment", comment, "--sql", sql, "--related-users", "2000002,2000003",
		"--attachment-key", "upload/a&b.sql", "--affect-rows", "42")

	dry := w.run(append(args, "--dry-run")...)
	dry.want(t, ExitOK)
	i := strings.Index(dry.stdout, "aliyun dms-enterprise CreateOrder")
	if i < 0 {
		t.Fatalf("no aliyun command in the dry run:\n%s", dry.stdout)
	}
	words, err := shlex.Split(strings.TrimSuffix(dry.stdout[i:], "\n"), true)
	if err != nil {
		t.Fatalf("the command does not parse as shell words: %v", err)
	}
	if len(words) < 3 || words[0] != "aliyun" || words[1] != "dms-enterprise" || words[2] != "CreateOrder" {
		t.Fatalf("command starts %q", words[:min(3, len(words))])
	}
	params := map[string]string{}
	for j := 3; j < len(words); j += 2 {
		if !strings.HasPrefix(words[j], "--") || j+1 >= len(words) {
			t.Fatalf("word %d %q is not a --Name value pair; words: %q", j, words[j], words)
		}
		params[strings.TrimPrefix(words[j], "--")] = words[j+1]
	}

	w.run(args...).want(t, ExitOK)
	calls := w.sim.Server.RequestsFor("CreateOrder")
	if len(calls) != 1 {
		t.Fatalf("%d CreateOrder requests", len(calls))
	}
	sent := calls[0].Params
	for _, k := range []string{"Tid", "PluginType", "Comment", "RelatedUserList", "AttachmentKey"} {
		if params[k] != sent.Get(k) {
			t.Errorf("--%s %q, but the request carries %q", k, params[k], sent.Get(k))
		}
	}
	if params["Comment"] != comment {
		t.Errorf("--Comment %q, want %q", params["Comment"], comment)
	}
	// PluginParam: the same JSON value (the SDK escapes <, > and & as
	// \u003c…, the command keeps them readable).
	var fromCmd, fromReq map[string]any
	if err := json.Unmarshal([]byte(params["PluginParam"]), &fromCmd); err != nil {
		t.Fatalf("--PluginParam is not JSON: %v", err)
	}
	if err := json.Unmarshal([]byte(sent.Get("PluginParam")), &fromReq); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromCmd, fromReq) {
		t.Errorf("--PluginParam %v\nrequest      %v", fromCmd, fromReq)
	}
	if fromCmd["exeSQL"] != sql {
		t.Errorf("exeSQL %q, want %q", fromCmd["exeSQL"], sql)
	}
	if params["region"] != "cn-hangzhou" || params["endpoint"] != w.sim.Host() {
		t.Errorf("--region %q --endpoint %q", params["region"], params["endpoint"])
	}
	for k := range params {
		switch k {
		case "region", "endpoint", "Tid", "PluginType", "PluginParam", "Comment", "RelatedUserList", "AttachmentKey":
		default:
			t.Errorf("unexpected parameter --%s", k)
		}
	}
}
