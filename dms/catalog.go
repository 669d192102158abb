package dms

import (
	"fmt"
	"strings"

	"dmsticket/dms/sqlscript"
)

// JSONType is the JSON type of a PluginParam value.
type JSONType string

// The JSON types PluginParam values take.
const (
	JSONString      JSONType = "string"
	JSONNumber      JSONType = "number"
	JSONBool        JSONType = "bool"
	JSONNumberArray JSONType = "array of numbers"
	// JSONDatabaseList is CreateDataCorrectOrder's DbItemList: an array of
	// {"DbId": number, "Logic": bool}, one or more.
	JSONDatabaseList JSONType = "array of {DbId, Logic}"
)

// DbItem is one database of a data change's DbItemList.
type DbItem struct {
	DbId  int64 `json:"DbId"` //nolint:revive // DMS's spelling
	Logic bool  `json:"Logic"`
}

// The DMS operations that create tickets.
const (
	// OpCreateOrder takes PluginType and the type's PluginParam.
	OpCreateOrder = "CreateOrder"
	// OpCreateDataCorrectOrder creates a data change (DC_COMMON) from its
	// Param, sent as one JSON string.
	OpCreateDataCorrectOrder = "CreateDataCorrectOrder"
)

// Source says where a PluginParam value comes from in the wizard.
type Source string

// The places a PluginParam value comes from.
const (
	FromDatabase     Source = "the chosen database"
	FromSQL          Source = "the SQL step"
	FromEstimate     Source = "the affected-row figure"
	FromDetails      Source = "the details form"
	FromRelatedUsers Source = "the related users"
	FromRollback     Source = "the rollback script"
	Fixed            Source = "a fixed value"
)

// Step is a wizard step a ticket type uses beyond the ones every type has
// (type, review, result).
type Step string

// The optional wizard steps.
const (
	StepDatabase Step = "database"
	StepSQL      Step = "sql"
	StepDetails  Step = "details"
)

// Field is one key of a ticket type's PluginParam: its JSON key and type,
// whether it is required, where its value comes from, how it is read from and
// written into a Ticket, and how it is validated.
type Field struct {
	Key   string
	Type  JSONType
	Label string // the field in a user's words
	// Required says the key must be present. RequiredWhen, if set, replaces it
	// with a condition on the ticket, described by RequiredWhenText.
	Required         bool
	RequiredWhen     func(t *Ticket) bool
	RequiredWhenText string
	Source           Source
	// Get returns the value to send and whether to send it at all.
	Get func(t *Ticket) (any, bool)
	// Put writes a value decoded from a PluginParam (already checked to have
	// Type) into the ticket: the reverse of Get, for ticket files.
	Put func(t *Ticket, v any)
	// Missing says what to do when a required value is absent.
	Missing string
	// Check validates the value on the ticket beyond presence and type.
	Check func(t *Ticket) Problems
	// Policy is dmsticket's own check of the value, beyond what DMS is
	// known to check: Ticket.Validate runs it, the simulator does not.
	Policy func(t *Ticket) Problems
	// Accept, when set, checks a value decoded from a ticket file or a
	// request beyond its JSON type (a fixed value, say).
	Accept func(v any) error
	// ReadBack reads the value back from what the type's detail call
	// reports of a ticket, for the lookup after a lost answer; reported is
	// false when the detail call does not report it. Nil: not reported.
	ReadBack func(d TicketDetail) (v any, reported bool)
}

// problem is a Problem about the field.
func (f Field) problem(msg string) Problem { return Problem{Field: f.Label, Key: f.Key, Message: msg} }

// required reports whether the field must be present for ticket t.
func (f Field) required(t *Ticket) bool {
	if f.RequiredWhen != nil {
		return f.RequiredWhen(t)
	}
	return f.Required
}

// Input is one of a ticket type's own text fields in the details form. Its value
// lives in Ticket.Text under ID.
type Input struct {
	ID          string
	Label       string
	Help        string
	Placeholder string
	Multiline   bool
	Required    bool
	MaxLen      int // in characters
	// Choices, when set, are the only values the input takes (a choice in
	// the form, a flag checked against them); Default is the value of a new
	// ticket.
	Choices []string
	Default string
}

// Value is the input's value on the ticket: its text, or Default.
func (in Input) Value(t *Ticket) string {
	if v, ok := t.Text[in.ID]; ok && v != "" {
		return v
	}
	return in.Default
}

// TicketType is one entry of the catalog: everything the wizard, the create
// command and the simulator need to know about a PluginType.
type TicketType struct {
	PluginType string
	Title      string
	Help       string // one line
	Steps      []Step
	// Accepts lists the statement kinds the SQL step allows; AcceptsText says
	// the same in words. Empty for types without SQL.
	Accepts     []sqlscript.Kind
	AcceptsText string
	// SQLShape is the shape of a statement the type takes, for an empty
	// editor: "SELECT … FROM … WHERE …;".
	SQLShape string
	// Inputs are the type's own details fields, in form order.
	Inputs []Input
	// AffectRows says the type carries an affected-row figure.
	AffectRows bool
	// IgnoreRows says the type offers to ignore DMS's affected-row check
	// (with a reason): exports.
	IgnoreRows bool
	// Operation is the DMS operation that creates the type's tickets:
	// OpCreateOrder (also when empty), whose PluginParam the Fields are, or
	// the type's own (OpCreateDataCorrectOrder), whose Param they are.
	Operation string
	// MultiDatabase says one ticket may act on several databases (the same
	// change on each: shards, regions).
	MultiDatabase bool
	// Rollback says the type carries an optional rollback script.
	Rollback bool
	Fields   []Field
	// Detail is the DMS call that reports a ticket's contents (its fields'
	// ReadBack read it); NoDetail when DMS has none for the type.
	Detail DetailOp
	// Executable says an approved ticket of the type is run by the one who
	// filed it (a data change whose ExecMode is COMMITOR); an export is run
	// by ExecuteDataExport whatever this says.
	Executable bool
}

// Op is the DMS operation that creates the type's tickets.
func (tt TicketType) Op() string { return opOr(tt.Operation) }

// ParamName is the name of the parameter object the Fields make:
// PluginParam for CreateOrder, Param for CreateDataCorrectOrder.
func (tt TicketType) ParamName() string { return paramName(tt.Op()) }

// opOr is operation, or CreateOrder when it is empty (a type, or a request,
// with no operation of its own).
func opOr(operation string) string {
	if operation == "" {
		return OpCreateOrder
	}
	return operation
}

// paramName is the name of op's parameter object: PluginParam for
// CreateOrder, Param for the others (CreateDataCorrectOrder).
func paramName(op string) string {
	if op == OpCreateOrder {
		return "PluginParam"
	}
	return "Param"
}

// Has reports whether the type uses the step.
func (tt TicketType) Has(s Step) bool {
	for _, x := range tt.Steps {
		if x == s {
			return true
		}
	}
	return false
}

// Accept reports whether the SQL step allows a statement of kind k.
func (tt TicketType) Accept(k sqlscript.Kind) bool {
	for _, a := range tt.Accepts {
		if a == k {
			return true
		}
	}
	return false
}

// Field returns the PluginParam field with the JSON key.
func (tt TicketType) Field(key string) (Field, bool) {
	for _, f := range tt.Fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// Input returns the details input with the ID.
func (tt TicketType) Input(id string) (Input, bool) {
	for _, in := range tt.Inputs {
		if in.ID == id {
			return in, true
		}
	}
	return Input{}, false
}

// Catalog returns the ticket types dmsticket can file, in the order the wizard
// lists them.
func Catalog() []TicketType { return append([]TicketType(nil), catalog...) }

// LookupType returns the catalog entry for a PluginType (case-sensitive, as DMS
// is).
func LookupType(pluginType string) (TicketType, bool) {
	for _, tt := range catalog {
		if tt.PluginType == pluginType {
			return tt, true
		}
	}
	return TicketType{}, false
}

// PluginTypes lists the catalog's PluginType values.
func PluginTypes() []string {
	out := make([]string, len(catalog))
	for i, tt := range catalog {
		out[i] = tt.PluginType
	}
	return out
}

// Input limits. DMS publishes none for these fields; the limits keep a pasted
// file out of a one-line field and the request URL (Comment travels in the
// query string) a sane length.
const (
	MaxCommentLen     = 2000
	MaxShortTextLen   = 200
	MaxLongTextLen    = 4000
	MaxSQLBytes       = 4 << 20
	MaxRelatedUsers   = 50
	MaxDatabases      = 100
	MaxAttachmentKeys = 256
)

// catalog is built in init: its fields' checks look entries up in it.
var catalog []TicketType

func init() { catalog = builtinTypes() }

// builtinTypes are the ticket types whose PluginParam the CreateOrder
// documentation defines, with exactly its keys and JSON types.
func builtinTypes() []TicketType {
	return []TicketType{
		{
			PluginType:  "DATA_EXPORT",
			Title:       "Export data",
			Help:        "Export the result of read-only SQL from one database, after approval.",
			Steps:       []Step{StepDatabase, StepSQL, StepDetails},
			Accepts:     []sqlscript.Kind{sqlscript.Select},
			AcceptsText: "read-only statements only (SELECT, WITH … SELECT)",
			SQLShape:    "SELECT … FROM … WHERE …;",
			Inputs: []Input{{
				ID:          "classify",
				Label:       "Reason",
				Help:        "Why the data is needed (sent as the reason category, classify).",
				Placeholder: "e.g. monthly revenue report for finance",
				Required:    true,
				MaxLen:      MaxShortTextLen,
			}},
			AffectRows: true,
			IgnoreRows: true,
			Detail:     ExportDetail,
			Fields: []Field{
				readBack(textField("classify", "Reason", true), func(d TicketDetail) (any, bool) { return d.Classify, true }),
				dbIDField(),
				sqlField("exeSQL"),
				logicField(),
				{
					Key: "ignoreAffectRows", Type: JSONBool, Label: "Ignore the affected-row check",
					Required: true, Source: FromDetails,
					Get:      func(t *Ticket) (any, bool) { return t.IgnoreAffectRows, true },
					Put:      func(t *Ticket, v any) { t.IgnoreAffectRows = v.(bool) },
					ReadBack: func(d TicketDetail) (any, bool) { return d.IgnoreAffectRows, true },
				},
				{
					Key: "affectRows", Type: JSONNumber, Label: "Affected rows",
					RequiredWhen:     func(t *Ticket) bool { return !t.IgnoreAffectRows },
					RequiredWhenText: "unless the affected-row check is ignored",
					Source:           FromEstimate,
					Missing:          "run the estimate (ctrl+r), count the rows, enter the figure, or ignore the check with a reason",
					// Sent every time but one: the check kept and no figure,
					// which validation refuses. With the check ignored it is
					// the accepted figure, or 0 without one.
					Get: func(t *Ticket) (any, bool) {
						switch {
						case t.Rows.Known():
							return t.Rows.Total, true
						case t.IgnoreAffectRows:
							return int64(0), true
						}
						return nil, false
					},
					Put: func(t *Ticket, v any) {
						t.Rows.Total = v.(int64)
						if t.Rows.Source == "" {
							t.Rows.Source = RowsManual
						}
					},
					Check: func(t *Ticket) Problems {
						if t.Rows.Known() && t.Rows.Total < 0 {
							return Problems{{Field: "Affected rows", Key: "affectRows", Message: "cannot be negative"}}
						}
						return nil
					},
				},
				{
					Key: "ignoreAffectRowsReason", Type: JSONString, Label: "Reason to ignore the affected-row check",
					RequiredWhen:     func(t *Ticket) bool { return t.IgnoreAffectRows },
					RequiredWhenText: "when the affected-row check is ignored",
					Source:           FromDetails,
					// Always sent, "" while the check is kept, as in the
					// CreateOrder documentation's example.
					Get: func(t *Ticket) (any, bool) {
						if !t.IgnoreAffectRows {
							return "", true
						}
						return t.IgnoreAffectRowsReason, true
					},
					Put:      func(t *Ticket, v any) { t.IgnoreAffectRowsReason = v.(string) },
					ReadBack: func(d TicketDetail) (any, bool) { return d.IgnoreAffectRowsReason, true },
					Check: func(t *Ticket) Problems {
						p := func(msg string) Problems {
							return Problems{{Field: "Reason to ignore the affected-row check", Key: "ignoreAffectRowsReason", Message: msg}}
						}
						if t.IgnoreAffectRows && strings.TrimSpace(t.IgnoreAffectRowsReason) == "" {
							return p("is required when the check is ignored: say why it can be skipped")
						}
						if n := runeCount(t.IgnoreAffectRowsReason); n > MaxShortTextLen {
							return p(fmt.Sprintf("is %d characters; at most %d", n, MaxShortTextLen))
						}
						return nil
					},
				},
			},
		},
		{
			PluginType: "NDDL",
			Title:      "Change a schema design",
			Help:       "Open a schema-design ticket to design, review and publish table changes.",
			Steps:      []Step{StepDatabase, StepDetails},
			Inputs: []Input{
				{
					ID:          "title",
					Label:       "Title",
					Help:        "The ticket's name in DMS.",
					Placeholder: "e.g. add index on orders.created_at",
					Required:    true,
					MaxLen:      MaxShortTextLen,
				},
				{
					ID:          "description",
					Label:       "Description",
					Help:        "What changes and why.",
					Placeholder: "the design, the tables involved, the rollout",
					Multiline:   true,
					MaxLen:      MaxLongTextLen,
				},
			},
			Fields: []Field{
				textField("title", "Title", true),
				textField("description", "Description", false),
				dbIDField(),
				logicField(),
				{
					Key: "relatedIds", Type: JSONNumberArray, Label: "Related users",
					Required: true, Source: FromRelatedUsers,
					Get: func(t *Ticket) (any, bool) {
						ids := append([]int64{}, t.RelatedUsers...)
						return ids, true
					},
					Put: func(t *Ticket, v any) { t.RelatedUsers = v.([]int64) },
				},
			},
		},
		dataChangeType(),
	}
}

// InlineSQLNote is what the review says when a data change's SQL is longer
// than the inline size DMS's Chinese documentation gives (1 KB; the English
// one says 15 MB): dmsticket sends it inline all the same, and DMS may
// refuse it. Empty when the SQL is short enough or the type is not sent by
// its own operation.
func InlineSQLNote(t Ticket) string {
	tt, _ := LookupType(t.Type)
	if tt.Op() == OpCreateOrder {
		return ""
	}
	n := len(t.SQL) + len(t.RollbackSQL)
	if n <= InlineSQLSafe {
		return ""
	}
	return fmt.Sprintf("The SQL goes inline (%s): DMS's Chinese documentation caps inline data-change SQL at 1 KB (the English one at 15 MB), so DMS may refuse it; nothing is created then.", HumanBytes(int64(n)))
}

// InlineSQLSafe is the inline SQL size DMS's documentation agrees on.
const InlineSQLSafe = 1024

// ExecModes are a data change's ExecMode values: who runs it once approved.
var ExecModes = []string{"COMMITOR", "AUTO", "LAST_AUDITOR"}

// dataChangeType is DC_COMMON, created by CreateDataCorrectOrder from its
// Param (dms-lifecycle-api.md section 5.1).
func dataChangeType() TicketType {
	return TicketType{
		PluginType:    "DC_COMMON",
		Title:         "Change data",
		Help:          "INSERT, UPDATE, DELETE or REPLACE rows on one or several databases.",
		Steps:         []Step{StepDatabase, StepSQL, StepDetails},
		Accepts:       []sqlscript.Kind{sqlscript.Insert, sqlscript.Update, sqlscript.Delete},
		AcceptsText:   "data changes only (INSERT, UPDATE, DELETE, REPLACE)",
		SQLShape:      "UPDATE … SET … WHERE …;",
		Operation:     OpCreateDataCorrectOrder,
		MultiDatabase: true,
		Rollback:      true,
		AffectRows:    true,
		Executable:    true,
		Detail:        DataChangeDetail,
		Inputs: []Input{
			{
				ID:          "classify",
				Label:       "Reason",
				Help:        "Why the data changes (sent as Classify; DMS refuses a data change without it).",
				Placeholder: "e.g. fix orders stuck in paid after the 11-30 outage",
				Required:    true,
				MaxLen:      MaxShortTextLen,
			},
			{
				ID:      "exec-mode",
				Label:   "Run by",
				Help:    "COMMITOR: you run it once approved (x on the result screen); AUTO: DMS runs it when approved; LAST_AUDITOR: the last approver runs it.",
				Choices: ExecModes,
				Default: "COMMITOR",
			},
		},
		Fields: []Field{
			{
				Key: "DbItemList", Type: JSONDatabaseList, Label: "Databases", Required: true, Source: FromDatabase,
				Missing: "choose a database",
				Get: func(t *Ticket) (any, bool) {
					var items []DbItem
					for _, d := range t.Databases() {
						items = append(items, DbItem{DbId: d.ID, Logic: d.Logic})
					}
					return items, len(items) > 0
				},
				Put: func(t *Ticket, v any) {
					// The names the ticket knows (a ticket file's) are kept
					// for the IDs it names again.
					known := map[int64]Database{}
					for _, d := range t.Databases() {
						known[d.ID] = d
					}
					items := v.([]DbItem)
					t.Database, t.More = Database{}, nil
					for i, it := range items {
						d := known[it.DbId]
						d.ID, d.Logic = it.DbId, it.Logic
						if i == 0 {
							t.Database = d
						} else {
							t.More = append(t.More, d)
						}
					}
				},
				ReadBack: func(d TicketDetail) (any, bool) {
					if len(d.Databases) == 0 {
						return nil, false
					}
					return append([]DbItem{}, d.Databases...), true
				},
				Check: func(t *Ticket) Problems {
					p := func(msg string) Problems { return Problems{{Field: "Databases", Key: "DbItemList", Message: msg}} }
					seen := map[int64]bool{}
					for _, d := range t.Databases() {
						switch {
						case d.ID <= 0:
							return p("choose a database")
						case seen[d.ID]:
							return p(fmt.Sprintf("lists database %d twice", d.ID))
						}
						seen[d.ID] = true
					}
					if n := len(t.Databases()); n > MaxDatabases {
						return p(fmt.Sprintf("lists %d databases; at most %d", n, MaxDatabases))
					}
					if msg := SpanProblem(t.Databases()); msg != "" {
						return p(msg)
					}
					return nil
				},
			},
			constField("SqlType", "SQL type", "TEXT", func(*Ticket) bool { return true }),
			sqlField("ExecSQL"),
			{
				Key: "EstimateAffectRows", Type: JSONNumber, Label: "Affected rows", Required: true, Source: FromEstimate,
				Missing: "run the estimate (ctrl+r), count the rows, or enter the figure",
				Get: func(t *Ticket) (any, bool) {
					if !t.Rows.Known() {
						return nil, false
					}
					return t.Rows.Total, true
				},
				Put: func(t *Ticket, v any) {
					t.Rows.Total = v.(int64)
					if t.Rows.Source == "" {
						t.Rows.Source = RowsManual
					}
				},
				ReadBack: func(d TicketDetail) (any, bool) { return d.EstimateAffectRows, true },
				Check: func(t *Ticket) Problems {
					if t.Rows.Known() && t.Rows.Total < 0 {
						return Problems{{Field: "Affected rows", Key: "EstimateAffectRows", Message: "cannot be negative"}}
					}
					return nil
				},
			},
			readBack(textField("classify", "Reason", true), func(d TicketDetail) (any, bool) { return d.Classify, true }, "Classify"),
			{
				Key: "RollbackSQL", Type: JSONString, Label: "Rollback SQL", Source: FromRollback,
				Get:      func(t *Ticket) (any, bool) { return t.RollbackSQL, strings.TrimSpace(t.RollbackSQL) != "" },
				Put:      func(t *Ticket, v any) { t.RollbackSQL = v.(string) },
				ReadBack: func(d TicketDetail) (any, bool) { return d.RollbackSQL, true },
				Check: func(t *Ticket) Problems {
					if len(t.RollbackSQL) > MaxSQLBytes {
						return Problems{rollbackTooLong(len(t.RollbackSQL))}
					}
					return nil
				},
				// DMS documents no check of RbSQL's statements: refused
				// here, as the change's are, not in the simulator.
				Policy: func(t *Ticket) Problems {
					if len(t.RollbackSQL) > MaxSQLBytes {
						return nil // Check says so
					}
					tt, _ := LookupType(t.Type)
					return tt.CheckRollback(t.RollbackSQL, t.Databases())
				},
			},
			constField("RollbackSqlType", "Rollback SQL type", "TEXT", func(t *Ticket) bool { return strings.TrimSpace(t.RollbackSQL) != "" }),
			{
				Key: "ExecMode", Type: JSONString, Label: "Run by", Required: true, Source: FromDetails,
				Get: func(t *Ticket) (any, bool) { return ExecModeOf(t), true },
				Put: func(t *Ticket, v any) { t.SetText("exec-mode", v.(string)) },
				ReadBack: func(d TicketDetail) (any, bool) {
					return d.ExecMode, d.ExecMode != ""
				},
				Check: func(t *Ticket) Problems {
					m := ExecModeOf(t)
					for _, x := range ExecModes {
						if m == x {
							return nil
						}
					}
					return Problems{{Field: "Run by", Key: "ExecMode", Message: fmt.Sprintf("is %q; it is one of %s", m, strings.Join(ExecModes, ", "))}}
				},
			},
		},
	}
}

// ExecModeOf is a data change's ExecMode: its details input, else COMMITOR.
func ExecModeOf(t *Ticket) string {
	if m := strings.TrimSpace(t.Text["exec-mode"]); m != "" {
		return m
	}
	return "COMMITOR"
}

// constField is a string key with one value, sent when when says so: the
// value is fixed (SqlType TEXT: dmsticket sends the SQL inline).
func constField(key, label, value string, when func(*Ticket) bool) Field {
	return Field{
		Key: key, Type: JSONString, Label: label, Source: Fixed,
		RequiredWhen: when, RequiredWhenText: "with its SQL",
		Get:   func(t *Ticket) (any, bool) { return value, when(t) },
		Put:   func(t *Ticket, v any) {},
		Check: func(t *Ticket) Problems { return nil },
		Accept: func(v any) error {
			if s, _ := v.(string); !strings.EqualFold(s, value) {
				return fmt.Errorf("is %q; dmsticket sends %q (the SQL inline)", s, value)
			}
			return nil
		},
	}
}

// readBack gives a field its ReadBack, and the key it is sent under when
// that is not its input's ID (Classify for a data change's classify).
func readBack(f Field, rb func(d TicketDetail) (any, bool), key ...string) Field {
	f.ReadBack = rb
	if len(key) > 0 {
		f.Key = key[0]
	}
	return f
}

// textField is a string PluginParam key whose value is the details input of
// the same ID.
func textField(key, label string, required bool) Field {
	return Field{
		Key: key, Type: JSONString, Label: label, Required: required, Source: FromDetails,
		// Sent every time, "" when empty: every documented key is (PRODUCT
		// section 4); a required one left empty is refused by Check.
		Get: func(t *Ticket) (any, bool) { return t.Text[key], true },
		Put: func(t *Ticket, v any) { t.SetText(key, v.(string)) },
		Check: func(t *Ticket) Problems {
			tt, _ := LookupType(t.Type)
			in, ok := tt.Input(key)
			v := t.Text[key]
			p := func(msg string) Problems { return Problems{{Field: label, Key: key, Message: msg}} }
			if required && strings.TrimSpace(v) == "" {
				return p("is required")
			}
			if ok && in.MaxLen > 0 && runeCount(v) > in.MaxLen {
				return p(fmt.Sprintf("is %d characters; at most %d", runeCount(v), in.MaxLen))
			}
			return nil
		},
	}
}

func dbIDField() Field {
	return Field{
		Key: "dbId", Type: JSONNumber, Label: "Database", Required: true, Source: FromDatabase,
		Get:      func(t *Ticket) (any, bool) { return t.Database.ID, true },
		Put:      func(t *Ticket, v any) { t.Database.ID = v.(int64) },
		ReadBack: func(d TicketDetail) (any, bool) { return d.DatabaseID, true },
		Missing:  "choose a database",
		Check: func(t *Ticket) Problems {
			if t.Database.ID <= 0 {
				return Problems{{Field: "Database", Key: "dbId", Message: "choose a database"}}
			}
			return nil
		},
	}
}

func logicField() Field {
	return Field{
		Key: "logic", Type: JSONBool, Label: "Logical database", Required: true, Source: FromDatabase,
		Get:      func(t *Ticket) (any, bool) { return t.Database.Logic, true },
		Put:      func(t *Ticket, v any) { t.Database.Logic = v.(bool) },
		ReadBack: func(d TicketDetail) (any, bool) { return d.Logic, true },
	}
}

func sqlField(key string) Field {
	return Field{
		Key: key, Type: JSONString, Label: "SQL", Required: true, Source: FromSQL,
		Get:      func(t *Ticket) (any, bool) { return t.SQL, true },
		Put:      func(t *Ticket, v any) { t.SQL = v.(string) },
		ReadBack: func(d TicketDetail) (any, bool) { return d.SQL, true },
		Check: func(t *Ticket) Problems {
			tt, _ := LookupType(t.Type)
			return tt.CheckScript(t.SQL, t.Databases())
		},
	}
}

// CheckScript validates a script for the type in the dialect of every
// database it will run on (a data change on MySQL and PostgreSQL alike is
// read by both), each problem said once; with no database, in the generic
// dialect.
func (tt TicketType) CheckScript(script string, dbs []Database) Problems {
	return onEachDialect(dbs, func(d sqlscript.Dialect) Problems { return tt.CheckSQL(script, d) })
}

// CheckSplit is CheckScript for a script already split in the dialect of
// the first of dbs (stmts): it is not split again in that dialect.
func (tt TicketType) CheckSplit(script string, stmts []sqlscript.Statement, dbs []Database) Problems {
	first := Database{}.Dialect()
	if len(dbs) > 0 {
		first = dbs[0].Dialect()
	}
	return onEachDialect(dbs, func(d sqlscript.Dialect) Problems {
		if d == first {
			return tt.CheckStatements(script, stmts)
		}
		return tt.CheckSQL(script, d)
	})
}

// CheckRollback validates a data change's rollback script as CheckScript
// does its change: it may be empty, and each of its statements is of a kind
// the type accepts (DMS runs it as a data change on the same databases).
func (tt TicketType) CheckRollback(script string, dbs []Database) Problems {
	if len(script) > MaxSQLBytes {
		return Problems{rollbackTooLong(len(script))}
	}
	if strings.TrimSpace(script) == "" {
		return nil
	}
	return onEachDialect(dbs, func(d sqlscript.Dialect) Problems {
		var ps Problems
		for _, s := range sqlscript.Statements(script, d) {
			if !tt.Accept(s.Kind) {
				ps = append(ps, Problem{Field: "Rollback SQL", Key: "RollbackSQL", Statement: s.Number, Line: s.StartLine,
					Message: fmt.Sprintf("statement %d (line %d) is %s; a rollback script, run as a data change, takes %s", s.Number, s.StartLine, KindPhrase(s.Kind), tt.AcceptsText)})
			}
		}
		return ps
	})
}

// rollbackTooLong is the problem of a rollback script of n bytes, more than
// a ticket holds.
func rollbackTooLong(n int) Problem {
	size, most := OverBy(int64(n), MaxSQLBytes)
	return Problem{Field: "Rollback SQL", Key: "RollbackSQL", Message: fmt.Sprintf("is %s; at most %s fits in one ticket", size, most)}
}

// onEachDialect gathers check's problems in the dialect of each of dbs (the
// generic one when there are none), each message once.
func onEachDialect(dbs []Database, check func(sqlscript.Dialect) Problems) Problems {
	if len(dbs) == 0 {
		dbs = []Database{{}}
	}
	var ps Problems
	seen := map[sqlscript.Dialect]bool{}
	said := map[string]bool{}
	for _, d := range dbs {
		if seen[d.Dialect()] {
			continue
		}
		seen[d.Dialect()] = true
		for _, p := range check(d.Dialect()) {
			if !said[p.Message] {
				said[p.Message] = true
				ps = append(ps, p)
			}
		}
	}
	return ps
}

// CheckSQL validates a script for the type: not empty, not too large, and every
// statement of a kind the type accepts, each problem naming its statement number.
func (tt TicketType) CheckSQL(script string, d sqlscript.Dialect) Problems {
	if len(script) > MaxSQLBytes {
		return tt.CheckStatements(script, nil)
	}
	return tt.CheckStatements(script, sqlscript.Statements(script, d))
}

// CheckStatements is CheckSQL for a script already split: stmts are
// sqlscript.Statements of script (a caller that needs them too splits a
// 4 MiB script once, not twice).
func (tt TicketType) CheckStatements(script string, stmts []sqlscript.Statement) Problems {
	var ps Problems
	add := func(s sqlscript.Statement, msg string) {
		ps = append(ps, Problem{Field: "SQL", Key: "sql", Statement: s.Number, Line: s.StartLine, Message: msg})
	}
	if len(script) > MaxSQLBytes {
		size, most := OverBy(int64(len(script)), MaxSQLBytes)
		add(sqlscript.Statement{}, fmt.Sprintf("is %s; at most %s fits in one ticket", size, most))
		return ps
	}
	if len(stmts) == 0 {
		add(sqlscript.Statement{}, "write at least one statement")
		return ps
	}
	for _, s := range stmts {
		if !tt.Accept(s.Kind) {
			add(s, fmt.Sprintf("statement %d (line %d) is %s; %s accepts %s",
				s.Number, s.StartLine, KindPhrase(s.Kind), strings.ToLower(tt.Title[:1])+tt.Title[1:], tt.AcceptsText))
		}
	}
	return ps
}

// KindPhrase names a statement kind with its article: "an UPDATE".
func KindPhrase(k sqlscript.Kind) string {
	switch k {
	case sqlscript.Select:
		return "a SELECT"
	case sqlscript.Insert:
		return "an INSERT"
	case sqlscript.Update:
		return "an UPDATE"
	case sqlscript.Delete:
		return "a DELETE"
	case sqlscript.DDL:
		return "a schema change (DDL)"
	}
	return "not a plain query"
}

func runeCount(s string) int { return len([]rune(s)) }

// OverBy says how large n is beside the most it may be: both as HumanBytes,
// or in bytes where those read the same ("4.0 MiB; at most 4.0 MiB" said
// nothing).
func OverBy(n, most int64) (size, limit string) {
	size, limit = HumanBytes(n), HumanBytes(most)
	if size == limit {
		size, limit = thousands(n)+" bytes", thousands(most)+" bytes"
	}
	return size, limit
}

// HumanBytes is a size for people: "4.0 MiB", "12.5 KiB", "300 bytes".
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
