package dms

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func exportTicket() Ticket {
	return Ticket{
		Type:     "DATA_EXPORT",
		Tenant:   Tenant{ID: 3000001, Name: "Acme"},
		Database: Database{ID: 1001, SchemaName: "orders", Host: "10.0.0.1", Port: 3306, DbType: "mysql", Env: EnvProduct},
		SQL:      "SELECT id, total FROM orders WHERE created_at >= '2026-01-01' AND total > 100;\n",
		Comment:  "Q1 revenue export",
		Text:     map[string]string{"classify": "finance report"},
		Rows:     RowFigure{Source: RowsExplain, Total: 4200, SQLHash: SQLHash("x")},
	}
}

func schemaTicket() Ticket {
	return Ticket{
		Type:         "NDDL",
		Tenant:       Tenant{ID: 3000001},
		Database:     Database{ID: 1002, SchemaName: "users", DbType: "postgresql", Env: EnvDev},
		Comment:      "index for the login query",
		RelatedUsers: []int64{2000002, 2000003},
		Text:         map[string]string{"title": "add index on users.email", "description": "unique index, built concurrently"},
	}
}

// TestPluginParamMatchesTheDocumentedKeysAndTypes locks each type's PluginParam
// JSON, byte for byte as it is sent, in a golden file.
func TestPluginParamMatchesTheDocumentedKeysAndTypes(t *testing.T) {
	cases := map[string]Ticket{"DATA_EXPORT": exportTicket(), "NDDL": schemaTicket()}
	ignoring := exportTicket()
	ignoring.IgnoreAffectRows = true
	ignoring.IgnoreAffectRowsReason = "table is append-only; the precheck times out"
	ignoring.Rows = RowFigure{}
	cases["DATA_EXPORT_ignore_affect_rows"] = ignoring
	for name, tk := range cases {
		t.Run(name, func(t *testing.T) {
			req, err := tk.Request()
			if err != nil {
				t.Fatalf("Request: %v", err)
			}
			got := PluginParamJSON(req.PluginParam) + "\n"
			path := filepath.Join("testdata", "pluginparam", name+".json")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("golden: %v (run go test ./dms -run PluginParam -update)", err)
			}
			if got != string(want) {
				t.Errorf("PluginParam changed:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// TestPluginParamKeysAndJSONTypesAreTheDocumentedOnes checks the decoded JSON
// of each type against the table in PRODUCT section 4, independently of the
// golden files.
func TestPluginParamKeysAndJSONTypesAreTheDocumentedOnes(t *testing.T) {
	documented := map[string]map[string]string{
		"DATA_EXPORT": {"classify": "string", "dbId": "number", "exeSQL": "string", "logic": "bool",
			"ignoreAffectRows": "bool", "affectRows": "number", "ignoreAffectRowsReason": "string"},
		"NDDL": {"title": "string", "description": "string", "dbId": "number", "logic": "bool", "relatedIds": "array"},
	}
	ignoring := exportTicket()
	ignoring.IgnoreAffectRows, ignoring.IgnoreAffectRowsReason = true, "reason"
	for _, tk := range []Ticket{exportTicket(), ignoring, schemaTicket()} {
		var decoded map[string]any
		if err := json.Unmarshal([]byte(PluginParamJSON(tk.PluginParam())), &decoded); err != nil {
			t.Fatal(err)
		}
		for k, v := range decoded {
			want, ok := documented[tk.Type][k]
			if !ok {
				t.Errorf("%s: undocumented key %q", tk.Type, k)
				continue
			}
			var got string
			switch v.(type) {
			case string:
				got = "string"
			case float64:
				got = "number"
			case bool:
				got = "bool"
			case []any:
				got = "array"
				for _, it := range v.([]any) {
					if _, ok := it.(float64); !ok {
						t.Errorf("%s.%s: array item %v is not a number", tk.Type, k, it)
					}
				}
			}
			if got != want {
				t.Errorf("%s.%s is a JSON %s, documented as %s", tk.Type, k, got, want)
			}
		}
	}
}

func TestExportWithoutFigureOrIgnoreIsRefusedWithAllProblemsAtOnce(t *testing.T) {
	tk := exportTicket()
	tk.Rows = RowFigure{}
	tk.Comment = "  "
	tk.Text = nil
	tk.SQL = "SELECT 1; UPDATE orders SET total = 0; DELETE FROM orders"
	ps := tk.Validate()
	keys := map[string]bool{}
	for _, p := range ps {
		keys[p.Key] = true
	}
	for _, want := range []string{"comment", "classify", "affectRows", "sql"} {
		if !keys[want] {
			t.Errorf("no problem reported for %s; got %v", want, ps)
		}
	}
	var sqlMsgs []string
	for _, p := range ps.For("sql") {
		sqlMsgs = append(sqlMsgs, p.Message)
	}
	joined := strings.Join(sqlMsgs, "\n")
	if !strings.Contains(joined, "statement 2") || !strings.Contains(joined, "statement 3") || strings.Contains(joined, "statement 1 ") {
		t.Errorf("SQL problems should name statements 2 and 3 only:\n%s", joined)
	}
}

func TestIgnoringTheAffectedRowCheckNeedsAReason(t *testing.T) {
	tk := exportTicket()
	tk.IgnoreAffectRows = true
	if ps := tk.Validate().For("ignoreAffectRowsReason"); len(ps) != 1 {
		t.Fatalf("want one problem for the missing reason, got %v", tk.Validate())
	}
	tk.IgnoreAffectRowsReason = "append-only table"
	if ps := tk.Validate(); len(ps) != 0 {
		t.Fatalf("valid ticket refused: %v", ps)
	}
}

func TestSchemaDesignNeedsNoSQLButATitle(t *testing.T) {
	tk := schemaTicket()
	tk.SQL = ""
	if ps := tk.Validate(); len(ps) != 0 {
		t.Fatalf("valid NDDL ticket refused: %v", ps)
	}
	tk.Text["title"] = ""
	if ps := tk.Validate().For("title"); len(ps) != 1 {
		t.Fatalf("missing title not reported: %v", tk.Validate())
	}
}

func TestPluginParamRoundTripsThroughFromPluginParam(t *testing.T) {
	for _, tk := range []Ticket{exportTicket(), schemaTicket()} {
		var raw map[string]any
		if err := json.Unmarshal([]byte(PluginParamJSON(tk.PluginParam())), &raw); err != nil {
			t.Fatal(err)
		}
		back, ps := FromPluginParam(Ticket{Type: tk.Type, Database: Database{DbType: tk.Database.DbType}}, raw)
		if len(ps) > 0 {
			t.Fatalf("%s: %v", tk.Type, ps)
		}
		if PluginParamJSON(back.PluginParam()) != PluginParamJSON(tk.PluginParam()) {
			t.Errorf("%s: round trip changed PluginParam:\n%s\n%s", tk.Type, PluginParamJSON(back.PluginParam()), PluginParamJSON(tk.PluginParam()))
		}
	}
}

func TestValidatePluginParamRefusesMissingMistypedAndUnknownKeys(t *testing.T) {
	cases := []struct {
		name, json, key string
	}{
		{"missing exeSQL", `{"classify":"r","dbId":1,"logic":false,"ignoreAffectRows":false,"affectRows":1}`, "exeSQL"},
		{"dbId as string", `{"classify":"r","dbId":"1","exeSQL":"select 1","logic":false,"ignoreAffectRows":false,"affectRows":1}`, "dbId"},
		{"misspelt execSQL", `{"classify":"r","dbId":1,"execSQL":"select 1","exeSQL":"select 1","logic":false,"ignoreAffectRows":false,"affectRows":1}`, "execSQL"},
		{"fractional rows", `{"classify":"r","dbId":1,"exeSQL":"select 1","logic":false,"ignoreAffectRows":false,"affectRows":1.5}`, "affectRows"},
		{"update in export", `{"classify":"r","dbId":1,"exeSQL":"select 1; update t set a=1","logic":false,"ignoreAffectRows":false,"affectRows":1}`, "exeSQL"},
		{"ignore without reason", `{"classify":"r","dbId":1,"exeSQL":"select 1","logic":false,"ignoreAffectRows":true}`, "ignoreAffectRowsReason"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var raw map[string]any
			if err := json.Unmarshal([]byte(c.json), &raw); err != nil {
				t.Fatal(err)
			}
			ps := ValidatePluginParam("DATA_EXPORT", raw, "mysql")
			if len(ps.For(c.key)) == 0 {
				t.Fatalf("no problem for %s: %v", c.key, ps)
			}
		})
	}
	var ok map[string]any
	_ = json.Unmarshal([]byte(`{"classify":"r","dbId":1,"exeSQL":"select 1","logic":false,"ignoreAffectRows":false,"affectRows":0}`), &ok)
	if ps := ValidatePluginParam("DATA_EXPORT", ok, "mysql"); len(ps) > 0 {
		t.Fatalf("valid PluginParam refused: %v", ps)
	}
}

func TestParseUserIDs(t *testing.T) {
	got, err := ParseUserIDs(" 2000001, 2000002 ,2000001,, ")
	if err != nil || FormatUserIDs(got) != "2000001,2000002" {
		t.Fatalf("got %v %v", got, err)
	}
	for _, bad := range []string{"abc", "12 34", "-5", "0", "1;2"} {
		if _, err := ParseUserIDs(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if ids, err := ParseUserIDs(""); err != nil || len(ids) != 0 {
		t.Errorf("empty: %v %v", ids, err)
	}
}

func TestMeasuredFigureGoesStaleWhenTheSQLChanges(t *testing.T) {
	f := RowFigure{Source: RowsExplain, Total: 3, SQLHash: SQLHash("select 1")}
	if f.StaleFor("select 1") || !f.StaleFor("select 2") {
		t.Fatal("staleness wrong")
	}
	if (RowFigure{Source: RowsManual, Total: 3}).StaleFor("anything") {
		t.Fatal("a figure typed by hand is the user's word, not stale")
	}
}

func TestEndpointRefusesPlainHTTPBeyondLoopback(t *testing.T) {
	for _, ok := range []string{"", "https://dms-enterprise.cn-shanghai.aliyuncs.com", "http://127.0.0.1:18080", "http://localhost:1", "http://[::1]:9"} {
		if _, _, err := ParseEndpoint(ok, "cn-hangzhou"); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://10.0.0.1:80", "http://dms.example.com", "ftp://x", "https://x/path", "dms-enterprise.cn-hangzhou.aliyuncs.com"} {
		if _, _, err := ParseEndpoint(bad, "cn-hangzhou"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	s, h, _ := ParseEndpoint("", "ap-southeast-1")
	if s != "HTTPS" || h != "dms-enterprise.ap-southeast-1.aliyuncs.com" {
		t.Errorf("default endpoint %s %s", s, h)
	}
}

func TestInlineSQLNoteIsForADataChangeLongerThanOneKilobyte(t *testing.T) {
	short := Ticket{Type: "DC_COMMON", SQL: "UPDATE t SET a = 1 WHERE id = 7;"}
	long := Ticket{Type: "DC_COMMON", SQL: strings.Repeat("UPDATE t SET a = 1 WHERE id = 7;\n", 40)}
	export := Ticket{Type: "DATA_EXPORT", SQL: long.SQL}
	if InlineSQLNote(short) != "" || InlineSQLNote(export) != "" {
		t.Errorf("a note for a short change or an export")
	}
	if n := InlineSQLNote(long); !strings.Contains(n, "1 KB") || !strings.Contains(n, "1.3 KiB") {
		t.Errorf("note = %q", n)
	}
	withRollback := Ticket{Type: "DC_COMMON", SQL: short.SQL, RollbackSQL: strings.Repeat("x", 1000)}
	if InlineSQLNote(withRollback) == "" {
		t.Errorf("the rollback script counts too")
	}
}

// Text that is not UTF-8 (a flag or a pipe in GBK, say) is refused where it
// is, not sent with U+FFFD in place of its bytes (FuzzPluginParam found the
// reason going out as "\ufffd").
func TestTextThatIsNotUTF8IsRefused(t *testing.T) {
	tk := exportTicket()
	tk.Comment = "Q1 \xc4\xe3\xba\xc3" // 你好 in GBK
	tk.Text["classify"] = "ok"
	ps := tk.Validate()
	if len(ps.For("comment")) != 1 || !strings.Contains(ps.For("comment")[0].Message, "byte 0xC4 at offset 3") {
		t.Fatalf("problems = %v", ps)
	}
	tk.Comment = "Q1 你好"
	tk.Text["classify"] = "\xdb"
	if ps := tk.Validate(); len(ps.For("classify")) != 1 {
		t.Fatalf("problems = %v", ps)
	}
	tk.Text["classify"] = "finance"
	if ps := tk.Validate(); len(ps) != 0 {
		t.Fatalf("valid UTF-8 refused: %v", ps)
	}
}

// A size just over the limit says by how much: "4.0 MiB; at most 4.0 MiB"
// said nothing (found by an adversarial run).
func TestOverBySaysBytesWhereTheRoundedSizesAgree(t *testing.T) {
	if s, m := OverBy(4194342, MaxSQLBytes); s != "4,194,342 bytes" || m != "4,194,304 bytes" {
		t.Errorf("just over: %s, %s", s, m)
	}
	if s, m := OverBy(5<<20, MaxSQLBytes); s != "5.0 MiB" || m != "4.0 MiB" {
		t.Errorf("well over: %s, %s", s, m)
	}
}
