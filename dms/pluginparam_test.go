package dms

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

// exportKeys are the seven keys the CreateOrder documentation gives an export.
var exportKeys = []string{"affectRows", "classify", "dbId", "exeSQL", "ignoreAffectRows", "ignoreAffectRowsReason", "logic"}

func decodedKeys(t *testing.T, pp map[string]any) (map[string]any, []string) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(PluginParamJSON(pp)), &m); err != nil {
		t.Fatalf("PluginParam %q is not JSON: %v", PluginParamJSON(pp), err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return m, keys
}

// TestExportPluginParamAlwaysCarriesTheSevenDocumentedKeys: with the check
// kept, ignoreAffectRowsReason is sent as ""; with it ignored, affectRows is
// sent as the accepted figure, or 0 without one.
func TestExportPluginParamAlwaysCarriesTheSevenDocumentedKeys(t *testing.T) {
	kept := exportTicket()
	kept.IgnoreAffectRowsReason = "typed, then the check was kept after all"
	ignoredNoFigure := exportTicket()
	ignoredNoFigure.Rows = RowFigure{}
	ignoredNoFigure.IgnoreAffectRows, ignoredNoFigure.IgnoreAffectRowsReason = true, "append-only table"
	ignoredWithFigure := exportTicket()
	ignoredWithFigure.IgnoreAffectRows, ignoredWithFigure.IgnoreAffectRowsReason = true, "append-only table"
	cases := []struct {
		name       string
		t          Ticket
		rows       float64
		reason     string
		ignoreFlag bool
	}{
		{"check kept", kept, 4200, "", false},
		{"ignored, no figure", ignoredNoFigure, 0, "append-only table", true},
		{"ignored, figure known", ignoredWithFigure, 4200, "append-only table", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := c.t.Request()
			if err != nil {
				t.Fatalf("Request: %v", err)
			}
			m, keys := decodedKeys(t, req.PluginParam)
			if strings.Join(keys, ",") != strings.Join(exportKeys, ",") {
				t.Fatalf("keys %v, want all of %v", keys, exportKeys)
			}
			if m["affectRows"] != c.rows || m["ignoreAffectRowsReason"] != c.reason || m["ignoreAffectRows"] != c.ignoreFlag {
				t.Errorf("affectRows %v, ignoreAffectRows %v, ignoreAffectRowsReason %q; want %v, %v, %q",
					m["affectRows"], m["ignoreAffectRows"], m["ignoreAffectRowsReason"], c.rows, c.ignoreFlag, c.reason)
			}
			if ps := ValidatePluginParam("DATA_EXPORT", m, "mysql"); len(ps) > 0 {
				t.Errorf("the PluginParam sent does not validate: %v", ps)
			}
		})
	}
}

// TestPluginParamJSONLeavesHTMLCharactersAlone: <, > and & are sent as they
// are, and the pretty preview is the same bytes, indented.
func TestPluginParamJSONLeavesHTMLCharactersAlone(t *testing.T) {
	tk := exportTicket()
	tk.SQL = "SELECT a FROM t WHERE b > 1 AND c < 2 AND d <> 'x&y' AND e = '\u2028';\n"
	pp := tk.PluginParam()
	compact := PluginParamJSON(pp)
	for _, esc := range []string{`\u003c`, `\u003e`, `\u0026`} {
		if strings.Contains(compact, esc) {
			t.Errorf("PluginParamJSON escapes HTML (%s): %s", esc, compact)
		}
	}
	if !strings.Contains(compact, `b > 1 AND c < 2 AND d <> 'x&y'`) {
		t.Errorf("the SQL is not in the JSON as typed: %s", compact)
	}
	var back map[string]any
	if err := json.Unmarshal([]byte(compact), &back); err != nil || back["exeSQL"] != tk.SQL {
		t.Fatalf("the JSON does not decode to the SQL: %v %q", err, back["exeSQL"])
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(PluginParamPretty(pp))); err != nil {
		t.Fatal(err)
	}
	if buf.String() != compact {
		t.Errorf("the preview compacts to other bytes than are sent:\npreview %s\nsent    %s", buf.String(), compact)
	}
}

// TestTicketFileKeepsThePluginParamBytesAndReadsBack: the file's pluginParam
// compacts to the bytes that are sent, and files with every documented key
// (an empty reason with the check kept; a figure with the check ignored)
// read back to the same request.
func TestTicketFileKeepsThePluginParamBytesAndReadsBack(t *testing.T) {
	kept := exportTicket()
	ignored := exportTicket()
	ignored.IgnoreAffectRows, ignored.IgnoreAffectRowsReason = true, "append-only & <huge>"
	ignoredNoFigure := ignored
	ignoredNoFigure.Rows = RowFigure{}
	for name, tk := range map[string]Ticket{"kept": kept, "ignored": ignored, "ignored, no figure": ignoredNoFigure} {
		t.Run(name, func(t *testing.T) {
			req, err := tk.Request()
			if err != nil {
				t.Fatal(err)
			}
			f, err := NewTicketFile(tk)
			if err != nil {
				t.Fatal(err)
			}
			data := f.JSON()
			var raw struct {
				PluginParam json.RawMessage `json:"pluginParam"`
			}
			if err := json.Unmarshal(data, &raw); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := json.Compact(&buf, raw.PluginParam); err != nil {
				t.Fatal(err)
			}
			if buf.String() != PluginParamJSON(req.PluginParam) {
				t.Errorf("file's pluginParam %s\nsent               %s", buf.String(), PluginParamJSON(req.PluginParam))
			}
			back, err := ReadTicketFile(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("the file does not read back: %v\n%s", err, data)
			}
			again, err := back.Request()
			if err != nil {
				t.Fatal(err)
			}
			if PluginParamJSON(again.PluginParam) != PluginParamJSON(req.PluginParam) {
				t.Errorf("read back as %s\nwritten as   %s", PluginParamJSON(again.PluginParam), PluginParamJSON(req.PluginParam))
			}
		})
	}
	// A file written by hand (or by an older dmsticket) with the documented
	// example's empty reason.
	hand := `{"version":1,"type":"DATA_EXPORT","tenant":{"tid":3000001},"database":{"id":1001,"dbType":"mysql"},
	 "comment":"c","relatedUsers":[],"pluginParam":{"classify":"r","dbId":1001,"exeSQL":"SELECT 1 WHERE 2 > 1",
	 "logic":false,"ignoreAffectRows":false,"affectRows":3,"ignoreAffectRowsReason":""}}`
	if _, err := ReadTicketFile(strings.NewReader(hand)); err != nil {
		t.Fatalf("a file with \"ignoreAffectRowsReason\": \"\" is refused: %v", err)
	}
	// The file's database logical, its pluginParam's not: the same ID, two
	// databases, and the problem says which (it read "(1001) differs from
	// PluginParam's (1001)").
	flipped := strings.Replace(hand, `"database":{"id":1001,`, `"database":{"id":1001,"logic":true,`, 1)
	_, err := ReadTicketFile(strings.NewReader(flipped))
	if err == nil || !strings.Contains(err.Error(), "(1001, logical) differs from PluginParam's (1001, not logical)") {
		t.Errorf("a file whose database is logical and whose pluginParam's is not: %v", err)
	}
}

// TestSchemaDesignPluginParamAlwaysCarriesItsFiveDocumentedKeys: an empty
// description is sent as "", like the export's reason.
func TestSchemaDesignPluginParamAlwaysCarriesItsFiveDocumentedKeys(t *testing.T) {
	tk := Ticket{Type: "NDDL", Database: Database{ID: 1100024}, Comment: "c", Text: map[string]string{"title": "index users.email"}}
	m, keys := decodedKeys(t, tk.PluginParam())
	if got := strings.Join(keys, ","); got != "dbId,description,logic,relatedIds,title" {
		t.Fatalf("keys %s", got)
	}
	if m["description"] != "" {
		t.Fatalf("description %v, want \"\"", m["description"])
	}
	if ps := tk.Validate(); len(ps) != 0 {
		t.Fatalf("an empty description is valid: %v", ps)
	}
}
