package dms

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzPluginParam: whatever the text of a ticket (SQL, comment, reason,
// title, rollback script, attachment key, the figure, the ignore flag and
// its reason), for each type, the builder never panics, and a ticket it
// accepts gives a request whose parameter object
//   - is valid JSON, compact, keys sorted, with <, > and & as they are,
//   - carries the SQL, the reason and the figure exactly as the ticket holds
//     them,
//   - is what the pretty form compacts back to (the review shows that),
//   - passes the catalog's own check of a PluginParam read back
//     (ValidatePluginParam, as `create --from` reads a ticket file),
//   - and comes back byte for byte from a ticket file written and read.
//
// A ticket it refuses is refused with at least one problem, never an empty
// error.
func FuzzPluginParam(f *testing.F) {
	f.Add(uint8(0), "SELECT id FROM orders WHERE note <> 'a&b' AND x < 1;\n", "Q1 <export>", "finance & ops", "idx", "", "", int64(42), false, "")
	f.Add(uint8(1), "", "index for login", "", "add index on users.email", "", "key-1", int64(0), false, "")
	f.Add(uint8(2), "UPDATE orders SET s = 'x' WHERE id = 1;", "fix", "incident", "", "UPDATE orders SET s = 'y' WHERE id = 1;", "", int64(1), false, "")
	f.Add(uint8(0), "SELECT 1", "c", "r", "", "", "", int64(-1), true, "the estimate is wrong")
	f.Add(uint8(0), "SELECT '\u202e' /* \x1b[2J */", "\x00", "\u200b", "", "", "a b", int64(1<<62), false, "")
	types := []string{"DATA_EXPORT", "NDDL", "DC_COMMON"}
	f.Fuzz(func(t *testing.T, typ uint8, sql, comment, reason, title, rollback, attachment string, rows int64, ignore bool, ignoreReason string) {
		tk := Ticket{
			Type:          types[int(typ)%len(types)],
			Tenant:        Tenant{ID: 3000001},
			Database:      Database{ID: 1100023, SchemaName: "orders", Host: "10.0.0.1", Port: 3306, DbType: "mysql", Env: EnvDev},
			SQL:           sql,
			RollbackSQL:   rollback,
			Comment:       comment,
			AttachmentKey: attachment,
			Text:          map[string]string{"classify": reason, "title": title, "description": reason},
			Rows:          RowFigure{Source: RowsManual, Total: rows, SQLHash: SQLHash(sql)},
		}
		tk.IgnoreAffectRows, tk.IgnoreAffectRowsReason = ignore, ignoreReason
		req, err := tk.Request()
		if err != nil {
			ps, ok := err.(Problems)
			if !ok || len(ps) == 0 {
				t.Fatalf("refused without a problem: %#v", err)
			}
			return
		}
		params := req.Params()
		raw := PluginParamJSON(params)
		if raw == "" || !json.Valid([]byte(raw)) {
			t.Fatalf("not JSON: %q", raw)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, []byte(raw)); err != nil || compact.String() != raw {
			t.Fatalf("not compact: %q", raw)
		}
		for _, esc := range []string{`\u003c`, `\u003e`, `\u0026`} {
			if strings.Contains(raw, esc) && !strings.Contains(sql+comment+reason+title+rollback+ignoreReason, esc) {
				t.Fatalf("HTML-escaped %s in %s", esc, raw)
			}
		}
		compact.Reset()
		if err := json.Compact(&compact, []byte(PluginParamPretty(params))); err != nil || compact.String() != raw {
			t.Fatalf("the pretty form does not compact to what is sent:\n%s\n%s", PluginParamPretty(params), raw)
		}
		var back map[string]any
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&back); err != nil {
			t.Fatal(err)
		}
		sqlKey, reasonKey, rowsKey := "exeSQL", "classify", "affectRows"
		if tk.Type == "DC_COMMON" {
			sqlKey, reasonKey, rowsKey = "ExecSQL", "Classify", "EstimateAffectRows"
		}
		if tk.Type != "NDDL" {
			if back[sqlKey] != tk.SQL {
				t.Fatalf("%s = %q, the ticket's SQL is %q", sqlKey, back[sqlKey], tk.SQL)
			}
			if back[reasonKey] != reason {
				t.Fatalf("%s = %q, the ticket's reason is %q", reasonKey, back[reasonKey], reason)
			}
			if n, ok := back[rowsKey].(json.Number); ok && n.String() != itoa64(rows) {
				t.Fatalf("%s = %s, the ticket's figure is %d", rowsKey, n, rows)
			}
		}
		if tk.Type == "DATA_EXPORT" {
			// As the simulator and a ticket file read it: numbers kept whole.
			if ps := ValidatePluginParam(tk.Type, back, tk.Database.DbType); len(ps) > 0 {
				t.Fatalf("a PluginParam the builder made is refused read back: %v\n%s", ps, raw)
			}
		}
		file, err := NewTicketFile(tk)
		if err != nil {
			t.Fatalf("a valid ticket has no ticket file: %v", err)
		}
		again, err := ReadTicketFile(bytes.NewReader(file.JSON()))
		if err != nil {
			t.Fatalf("the ticket file does not read back: %v\n%s", err, file.JSON())
		}
		req2, err := again.Request()
		if err != nil {
			t.Fatalf("the ticket read back is refused: %v", err)
		}
		if got := PluginParamJSON(req2.Params()); got != raw || req2.Comment != req.Comment || req2.AttachmentKey != req.AttachmentKey {
			t.Fatalf("the ticket file changed the request:\n%s\n%s", got, raw)
		}
	})
}

func itoa64(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
