package dms

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dmsticket/dms/inert"
)

// RowSource says where an affected-row figure came from.
type RowSource string

// The sources of an affected-row figure. An empty source means there is none.
const (
	RowsExplain RowSource = "explain"
	RowsCount   RowSource = "count"
	RowsManual  RowSource = "manual"
)

// Label is the source as the review shows it.
func (s RowSource) Label() string {
	switch s {
	case RowsExplain:
		return "estimate (EXPLAIN)"
	case RowsCount:
		return "exact (COUNT)"
	case RowsManual:
		return "entered by hand"
	}
	return "none"
}

// RowFigure is the affected-row figure a ticket carries and where it came from.
type RowFigure struct {
	Source RowSource `json:"source,omitempty"`
	Total  int64     `json:"total"`
	// Statements holds the per-statement figures when they were measured.
	Statements []int64   `json:"statements,omitempty"`
	At         time.Time `json:"at,omitzero"`
	// SQLHash is the SHA-256 of the SQL the figure was obtained for; a figure
	// for other SQL is stale.
	SQLHash string `json:"sqlSha256,omitempty"`
	// PerDatabase is the figure on each database when the ticket acts on
	// several (Total is their sum).
	PerDatabase []DatabaseRows `json:"perDatabase,omitempty"`
	// DatabaseID is the database a figure on one database was measured on
	// (zero in figures recorded before it was kept; -1 for such a figure
	// resumed from a draft: measured on a database not known).
	DatabaseID int64 `json:"dbId,omitempty"`
}

// DatabaseRows is one database's part of a figure over several.
type DatabaseRows struct {
	ID    int64 `json:"dbId"`
	Total int64 `json:"total"`
}

// Known reports whether there is a figure at all.
func (r RowFigure) Known() bool { return r.Source != "" }

// StaleFor reports whether a measured figure was obtained for SQL other than
// sql. A figure typed by hand is never stale: the user vouched for it.
func (r RowFigure) StaleFor(sql string) bool {
	if !r.Known() || r.Source == RowsManual {
		return false
	}
	return r.SQLHash != SQLHash(sql)
}

// RowsStale reports whether the ticket's measured figure was obtained for
// other SQL, or for other databases than it acts on now (a data change's
// figure is per database). A figure typed by hand is never stale.
func (t *Ticket) RowsStale() bool {
	r := t.Rows
	if r.StaleFor(t.SQL) {
		return true
	}
	if !r.Known() || r.Source == RowsManual {
		return false
	}
	dbs := t.Databases()
	if len(dbs) <= 1 && len(r.PerDatabase) == 0 {
		// Measured on one database: stale on another (a database chosen
		// again after measuring: a dev figure must not go to production).
		return r.DatabaseID != 0 && len(dbs) == 1 && dbs[0].ID != r.DatabaseID
	}
	if len(dbs) != len(r.PerDatabase) {
		return true
	}
	for i, d := range dbs {
		if d.ID != r.PerDatabase[i].ID {
			return true
		}
	}
	return false
}

// SQLHash is the hex SHA-256 of a script, as figures and the audit log record it.
func SQLHash(sql string) string {
	sum := sha256.Sum256([]byte(sql))
	return hex.EncodeToString(sum[:])
}

// Ticket is the request being built: everything a CreateOrder call needs, in
// the wizard's terms. Secrets never live here.
type Ticket struct {
	Type     string   `json:"type"`
	Tenant   Tenant   `json:"tenant"`
	Database Database `json:"database"`
	// More are the databases beyond Database that a multi-database type (a
	// data change) acts on, in the order they were chosen.
	More []Database `json:"moreDatabases,omitempty"`
	SQL  string     `json:"sql,omitempty"`
	// RollbackSQL is a data change's optional rollback script.
	RollbackSQL   string            `json:"rollbackSql,omitempty"`
	Comment       string            `json:"comment"`
	RelatedUsers  []int64           `json:"relatedUsers"`
	AttachmentKey string            `json:"attachmentKey,omitempty"`
	Text          map[string]string `json:"fields,omitempty"`
	Rows          RowFigure         `json:"affectRows"`
	// IgnoreAffectRows skips DMS's affected-row check; the reason is required.
	IgnoreAffectRows       bool   `json:"ignoreAffectRows,omitempty"`
	IgnoreAffectRowsReason string `json:"ignoreAffectRowsReason,omitempty"`
}

// Databases are the databases the ticket acts on: Database, then More; none
// before one is chosen.
func (t Ticket) Databases() []Database {
	if t.Database.ID == 0 && len(t.More) == 0 {
		return nil
	}
	return append([]Database{t.Database}, t.More...)
}

// SetText sets a details input value.
func (t *Ticket) SetText(id, v string) {
	if t.Text == nil {
		t.Text = map[string]string{}
	}
	t.Text[id] = v
}

// TicketType is the catalog entry of the ticket's type.
func (t *Ticket) TicketType() (TicketType, bool) { return LookupType(t.Type) }

// Validate returns every problem with the ticket at once.
func (t *Ticket) Validate() Problems {
	tt, ok := LookupType(t.Type)
	if !ok {
		return Problems{{Field: "Ticket type", Key: "type",
			Message: fmt.Sprintf("%q is not a ticket type dmsticket files; use one of %s", t.Type, strings.Join(PluginTypes(), ", "))}}
	}
	var ps Problems
	add := func(field, key, msg string) { ps = append(ps, Problem{Field: field, Key: key, Message: msg}) }
	switch c := strings.TrimSpace(t.Comment); {
	case c == "":
		add("Comment", "comment", "is required: say what the ticket is for")
	case runeCount(t.Comment) > MaxCommentLen:
		add("Comment", "comment", fmt.Sprintf("is %d characters; at most %d", runeCount(t.Comment), MaxCommentLen))
	}
	if len(t.RelatedUsers) > MaxRelatedUsers {
		add("Related users", "relatedUsers", fmt.Sprintf("has %d users; at most %d", len(t.RelatedUsers), MaxRelatedUsers))
	}
	for _, id := range t.RelatedUsers {
		if id <= 0 {
			add("Related users", "relatedUsers", fmt.Sprintf("%d is not a DMS user ID", id))
		}
	}
	if len(t.AttachmentKey) > MaxAttachmentKeys || strings.ContainsAny(t.AttachmentKey, " \t\r\n") {
		add("Attachment key", "attachmentKey", "must be one key from DMS's upload (no spaces, at most 256 characters)")
	}
	for _, f := range tt.Fields {
		if _, ok := f.Get(t); !ok && f.required(t) {
			msg := f.Missing
			if msg == "" {
				msg = "is required"
			}
			ps = append(ps, f.problem(msg))
			continue
		}
		if f.Check != nil {
			ps = append(ps, f.Check(t)...)
		}
		if f.Policy != nil {
			ps = append(ps, f.Policy(t)...)
		}
	}
	return append(ps, t.notUTF8(tt)...)
}

// notUTF8 refuses text that is not UTF-8 (a flag or a pipe in another
// encoding): JSON cannot carry the bytes, so DMS would get U+FFFD for each;
// and SQL with a NUL byte (a ticket file's "\u0000"), as a .sql file is.
func (t *Ticket) notUTF8(tt TicketType) Problems {
	var ps Problems
	check := func(field, key, v string) {
		if utf8.ValidString(v) {
			return
		}
		at := invalidUTF8(v)
		ps = append(ps, Problem{Field: field, Key: key, Message: fmt.Sprintf(
			"is not UTF-8 text (byte 0x%02X at offset %d): DMS would get U+FFFD in its place; give the text in UTF-8", v[at], at)})
	}
	nul := func(field, key, v string) {
		if at := strings.IndexByte(v, 0); at >= 0 {
			ps = append(ps, Problem{Field: field, Key: key, Message: fmt.Sprintf(
				"contains a NUL byte (offset %d): it looks binary, not like SQL text", at)})
		}
	}
	nul("SQL", "sql", t.SQL)
	nul("Rollback SQL", "RollbackSQL", t.RollbackSQL)
	check("Comment", "comment", t.Comment)
	check("SQL", "sql", t.SQL)
	check("Rollback SQL", "RollbackSQL", t.RollbackSQL)
	check("Attachment key", "attachmentKey", t.AttachmentKey)
	check("Reason to ignore the affected-row check", "ignoreAffectRowsReason", t.IgnoreAffectRowsReason)
	for _, in := range tt.Inputs {
		check(in.Label, in.ID, t.Text[in.ID])
	}
	return ps
}

// invalidUTF8 is the offset of the first byte of s that is not UTF-8 (s
// is not valid UTF-8).
func invalidUTF8(s string) int {
	at := 0
	for at < len(s) {
		r, n := utf8.DecodeRuneInString(s[at:])
		if r == utf8.RuneError && n == 1 {
			break
		}
		at += n
	}
	return at
}

// PluginParam is the ticket's PluginParam as it will be sent: the catalog's
// keys with values of their JSON types (numbers as int64, arrays as []int64).
func (t *Ticket) PluginParam() map[string]any {
	tt, ok := LookupType(t.Type)
	if !ok {
		return nil
	}
	m := make(map[string]any, len(tt.Fields))
	for _, f := range tt.Fields {
		if v, ok := f.Get(t); ok {
			m[f.Key] = v
		}
	}
	return m
}

// OrderRequest is the call that creates a ticket, independent of the SDK:
// CreateOrder with the type's PluginParam, or the type's own operation
// (CreateDataCorrectOrder) with its Param.
type OrderRequest struct {
	Tid        int64  `json:"Tid,omitempty"`
	PluginType string `json:"PluginType"`
	// Operation is the type's own operation; empty for CreateOrder.
	Operation   string         `json:"Operation,omitempty"`
	PluginParam map[string]any `json:"PluginParam,omitempty"`
	// Param is the parameter object of the type's own operation (nil for
	// CreateOrder), sent as one JSON string.
	Param           map[string]any `json:"Param,omitempty"`
	RelatedUserList string         `json:"RelatedUserList,omitempty"`
	AttachmentKey   string         `json:"AttachmentKey,omitempty"`
	Comment         string         `json:"Comment"`
}

// Request validates the ticket and turns it into a CreateOrder call. A ticket
// with problems returns them all as Problems.
func (t *Ticket) Request() (OrderRequest, error) {
	if ps := t.Validate(); len(ps) > 0 {
		return OrderRequest{}, ps
	}
	r := OrderRequest{
		Tid:             t.Tenant.ID,
		PluginType:      t.Type,
		RelatedUserList: FormatUserIDs(t.RelatedUsers),
		AttachmentKey:   t.AttachmentKey,
		Comment:         t.Comment,
	}
	r.SetParams(t.PluginParam())
	return r, nil
}

// Op is the DMS operation the request is: CreateOrder, or its type's own.
func (r OrderRequest) Op() string { return opOr(r.Operation) }

// ParamName is the name of the request's parameter object: PluginParam, or
// Param for CreateDataCorrectOrder.
func (r OrderRequest) ParamName() string { return paramName(r.Op()) }

// Params is the request's parameter object (PluginParam or Param).
func (r OrderRequest) Params() map[string]any {
	if r.Op() == OpCreateOrder {
		return r.PluginParam
	}
	return r.Param
}

// Databases are the databases the request names, whatever JSON number
// representation they arrive in: a CreateOrder PluginParam's dbId and logic,
// or a data change's DbItemList. Nil when it names none it can read.
func (r OrderRequest) Databases() []DbItem {
	p := r.Params()
	if list, ok := p["DbItemList"]; ok {
		items, err := coerce(JSONDatabaseList, list)
		if err != nil {
			return nil
		}
		return items.([]DbItem)
	}
	id, err := wholeNumber(p["dbId"])
	if err != nil {
		if s, ok := p["dbId"].(string); ok {
			n, perr := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if perr != nil {
				return nil
			}
			id = n
		} else {
			return nil
		}
	}
	logic, _ := p["logic"].(bool)
	return []DbItem{{DbId: id.(int64), Logic: logic}}
}

// SQL is the SQL the request carries: the value of its type's field that
// comes from the SQL step.
func (r OrderRequest) SQL() (string, bool) {
	tt, ok := LookupType(r.PluginType)
	if !ok {
		return "", false
	}
	for _, f := range tt.Fields {
		if f.Source == FromSQL {
			s, ok := r.Params()[f.Key].(string)
			return s, ok
		}
	}
	return "", false
}

// RelatedUsers are the related user IDs as strings, in order.
func (r OrderRequest) RelatedUsers() []string {
	out := []string{}
	for _, s := range strings.Split(r.RelatedUserList, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// RelatedUserJSON is RelatedUserList as CreateDataCorrectOrder takes it: a
// JSON array of the IDs as strings ("[]" for none).
func (r OrderRequest) RelatedUserJSON() string {
	b, _ := json.Marshal(r.RelatedUsers())
	return string(b)
}

// SetParams sets the parameter object, and the operation, as the request's
// type says: PluginParam for CreateOrder, Param for the type's own.
func (r *OrderRequest) SetParams(m map[string]any) {
	r.Operation, r.PluginParam, r.Param = "", nil, nil
	tt, _ := LookupType(r.PluginType)
	if tt.Op() == OpCreateOrder {
		r.PluginParam = m
		return
	}
	r.Operation, r.Param = tt.Op(), m
}

// PluginParamJSON is the PluginParam as compact JSON: keys sorted, <, > and &
// as they are (not \u003c…), and every character a terminal would not show
// as it is (DEL, a C1 or bidi control, an invisible one) as a \u escape
// (inert.JSON), which DMS reads as the same character. These are the bytes
// CreateOrder sends (see setPluginParam), the aliyun command carries and,
// indented, the preview shows: what is reviewed is what is sent.
func PluginParamJSON(pp map[string]any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(pp); err != nil {
		return ""
	}
	return inert.JSON(strings.TrimSuffix(buf.String(), "\n"))
}

// PluginParamPretty is the PluginParam pretty-printed for people:
// PluginParamJSON indented, so that json.Compact of it gives back exactly the
// bytes that are sent.
func PluginParamPretty(pp map[string]any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(pp); err != nil {
		return ""
	}
	return inert.JSON(strings.TrimRight(buf.String(), "\n"))
}

// FromPluginParam rebuilds the ticket fields a PluginParam carries, checking
// every key against the catalog: unknown keys, missing required keys and values
// of the wrong JSON type are problems. t supplies what PluginParam does not
// carry (type, tenant, comment, …); t.Type selects the catalog entry.
func FromPluginParam(t Ticket, raw map[string]any) (Ticket, Problems) {
	tt, ok := LookupType(t.Type)
	if !ok {
		return t, Problems{{Field: "Ticket type", Key: "PluginType", Message: fmt.Sprintf("%q is not a known PluginType", t.Type)}}
	}
	var ps Problems
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := tt.Field(k); !ok {
			ps = append(ps, Problem{Field: tt.ParamName(), Key: k, Message: fmt.Sprintf("%q is not a %s key of %s (expected %s)", k, tt.ParamName(), tt.PluginType, strings.Join(fieldKeys(tt), ", "))})
		}
	}
	// Booleans first: other keys' requirements depend on them.
	order := append([]Field(nil), tt.Fields...)
	sort.SliceStable(order, func(i, j int) bool { return order[i].Type == JSONBool && order[j].Type != JSONBool })
	for _, f := range order {
		v, present := raw[f.Key]
		if !present || v == nil {
			if f.required(&t) {
				ps = append(ps, Problem{Field: f.Label, Key: f.Key, Message: fmt.Sprintf("%s key %q (%s) is missing", tt.ParamName(), f.Key, f.Type)})
			}
			continue
		}
		cv, err := coerce(f.Type, v)
		if err == nil && f.Accept != nil {
			err = f.Accept(cv)
		}
		if err != nil {
			ps = append(ps, Problem{Field: f.Label, Key: f.Key, Message: fmt.Sprintf("%s key %q must be a JSON %s: %v", tt.ParamName(), f.Key, f.Type, err)})
			continue
		}
		f.Put(&t, cv)
	}
	return t, ps
}

// ValidatePluginParam checks a decoded PluginParam against the catalog entry
// for pluginType the way DMS would: known keys only, required keys present,
// JSON types right, values valid (SQL statements of accepted kinds, named by
// number, split in the dialect of dbType).
func ValidatePluginParam(pluginType string, raw map[string]any, dbType string) Problems {
	t, ps := FromPluginParam(Ticket{Type: pluginType, Database: Database{DbType: dbType}}, raw)
	if len(ps) > 0 {
		return ps
	}
	tt, _ := LookupType(pluginType)
	for _, f := range tt.Fields {
		if _, present := raw[f.Key]; !present || f.Check == nil {
			continue
		}
		for _, p := range f.Check(&t) {
			p.Key = f.Key // name the PluginParam key, as DMS would
			ps = append(ps, p)
		}
	}
	return ps
}

func fieldKeys(tt TicketType) []string {
	out := make([]string, len(tt.Fields))
	for i, f := range tt.Fields {
		out[i] = f.Key
	}
	return out
}

// coerce checks that a decoded JSON value has the JSON type and converts it to
// the Go type the catalog uses (int64, bool, string, []int64).
func coerce(typ JSONType, v any) (any, error) {
	switch typ {
	case JSONString:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("got %s", JSONKind(v))
		}
		return s, nil
	case JSONBool:
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("got %s", JSONKind(v))
		}
		return b, nil
	case JSONNumber:
		return wholeNumber(v)
	case JSONNumberArray:
		return listOf(v, func(n int, it any) (int64, error) {
			id, err := wholeNumber(it)
			if err != nil {
				return 0, fmt.Errorf("item %d: %v", n, err)
			}
			return id.(int64), nil
		})
	case JSONDatabaseList:
		if a, ok := v.([]any); ok && len(a) == 0 {
			return nil, errors.New("lists no database")
		}
		return listOf(v, func(n int, it any) (DbItem, error) {
			m, ok := it.(map[string]any)
			if !ok {
				return DbItem{}, fmt.Errorf("item %d: got %s, want {DbId, Logic}", n, JSONKind(it))
			}
			for k := range m {
				if k != "DbId" && k != "Logic" {
					return DbItem{}, fmt.Errorf("item %d: %q is not a key of a DbItemList item (DbId, Logic)", n, k)
				}
			}
			id, err := wholeNumber(m["DbId"])
			if err != nil {
				return DbItem{}, fmt.Errorf("item %d: DbId: %v", n, err)
			}
			logic, ok := m["Logic"].(bool)
			if _, present := m["Logic"]; present && !ok {
				return DbItem{}, fmt.Errorf("item %d: Logic: got %s", n, JSONKind(m["Logic"]))
			}
			return DbItem{DbId: id.(int64), Logic: logic}, nil
		})
	}
	return nil, fmt.Errorf("unknown type %s", typ)
}

// listOf is v as a []T: a decoded JSON array, each item read by read (n is
// its number, from 1), or a []T, copied.
func listOf[T any](v any, read func(n int, it any) (T, error)) (any, error) {
	switch a := v.(type) {
	case []T:
		return append([]T{}, a...), nil
	case []any:
		out := make([]T, 0, len(a))
		for i, it := range a {
			x, err := read(i+1, it)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, nil
	}
	return nil, fmt.Errorf("got %s", JSONKind(v))
}

func wholeNumber(v any) (any, error) {
	switch n := v.(type) {
	case float64:
		switch {
		case n != math.Trunc(n) || math.IsInf(n, 0):
			return nil, fmt.Errorf("%v is not a whole number", n)
		case math.Abs(n) > 1<<53:
			// Read as a float (json.Unmarshal without UseNumber), a number
			// this large may have lost its last digits.
			return nil, fmt.Errorf("%v is too large to be read exactly as a float; decode with UseNumber", n)
		}
		return int64(n), nil
	case json.Number:
		i, err := n.Int64()
		if err != nil {
			return nil, fmt.Errorf("%s is not a whole number in the 64-bit range", n)
		}
		return i, nil
	case int64:
		return n, nil
	case int:
		return int64(n), nil
	}
	return nil, fmt.Errorf("got %s", JSONKind(v))
}

// JSONKind names the JSON type of a decoded value with its article, for
// messages: "a string", "an array".
func JSONKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a bool"
	case float64, json.Number, int, int64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// ParseUserIDs reads a comma-separated list of DMS user IDs (spaces allowed,
// duplicates dropped, order kept). An empty string is an empty list.
func ParseUserIDs(s string) ([]int64, error) {
	var out []int64
	seen := map[int64]bool{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("%q is not a DMS user ID (a positive whole number); separate IDs with commas", part)
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if len(out) > MaxRelatedUsers {
		return nil, fmt.Errorf("%d users; at most %d", len(out), MaxRelatedUsers)
	}
	return out, nil
}

// FormatUserIDs is the comma-separated form RelatedUserList takes.
func FormatUserIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// WithUser returns ids with id added at the end unless already present.
func WithUser(ids []int64, id int64) []int64 {
	for _, x := range ids {
		if x == id {
			return ids
		}
	}
	return append(append([]int64{}, ids...), id)
}
