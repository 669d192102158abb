package wizard

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"dmsticket/dms"
)

// Details is what the details fields edit: the ticket's text fields as
// typed, and the choices. Front ends point their inputs at its fields (huh
// writes through pointers, so it lives on the heap), then Apply writes a
// ticket from it.
type Details struct {
	Comment    string
	Text       map[string]*string // the type's own inputs, by Input.ID
	Related    string
	Attachment string
	Ignore     bool
	Reason     string
	Rows       string
	// Figure is the ticket's affected-row figure now, and Measuring reports
	// an estimate on its way: they decide whether the figure is asked by
	// hand. Nil: none, and none on its way.
	Figure    func() dms.RowFigure
	Measuring func() bool
}

// NewDetails is empty details for a ticket type.
func NewDetails(tt dms.TicketType) *Details {
	d := &Details{Text: map[string]*string{}}
	for _, in := range tt.Inputs {
		v := in.Default
		d.Text[in.ID] = &v
	}
	return d
}

// Load fills the details from the ticket. Related users typed in a form of
// their own (spacing, order) are kept when they mean the ticket's.
func (d *Details) Load(t dms.Ticket) {
	d.Comment = t.Comment
	tt, _ := dms.LookupType(t.Type)
	for id, p := range d.Text {
		*p = t.Text[id]
		if in, ok := tt.Input(id); ok && *p == "" {
			*p = in.Default
		}
	}
	if ids, err := dms.ParseUserIDs(d.Related); err != nil || dms.FormatUserIDs(ids) != dms.FormatUserIDs(t.RelatedUsers) {
		d.Related = strings.ReplaceAll(dms.FormatUserIDs(t.RelatedUsers), ",", ", ")
	}
	d.Attachment = t.AttachmentKey
	d.Ignore = t.IgnoreAffectRows
	d.Reason = t.IgnoreAffectRowsReason
	d.Rows = ""
	if t.Rows.Source == dms.RowsManual {
		d.Rows = strconv.FormatInt(t.Rows.Total, 10)
	}
}

// Apply writes the details into the ticket; values that do not parse yet
// are left for validation to point out.
func (d *Details) Apply(t *dms.Ticket, now time.Time) {
	tt, _ := dms.LookupType(t.Type)
	t.Comment = d.Comment
	for id, p := range d.Text {
		t.SetText(id, *p)
	}
	if ids, err := dms.ParseUserIDs(d.Related); err == nil {
		t.RelatedUsers = ids
	}
	t.AttachmentKey = strings.TrimSpace(d.Attachment)
	if !tt.AffectRows {
		return
	}
	if tt.IgnoreRows {
		t.IgnoreAffectRows = d.Ignore
		t.IgnoreAffectRowsReason = ""
		if d.Ignore {
			t.IgnoreAffectRowsReason = d.Reason
		}
	}
	if n, err := ParseRows(d.Rows); err == nil && d.Rows != "" && d.NeedManualRows() {
		t.Rows = dms.RowFigure{Source: dms.RowsManual, Total: n, At: now, SQLHash: dms.SQLHash(t.SQL)}
	}
}

func (d *Details) figure() dms.RowFigure {
	if d.Figure == nil {
		return dms.RowFigure{}
	}
	return d.Figure()
}

// NeedManualRows reports whether the figure is asked by hand: the check is
// kept, no measured figure is there, and none is on its way.
func (d *Details) NeedManualRows() bool {
	r := d.figure()
	if d.Measuring != nil && d.Measuring() {
		return r.Source == dms.RowsManual // let the estimate answer; the review waits for it
	}
	return !d.Ignore && (!r.Known() || r.Source == dms.RowsManual)
}

// ParseRows reads an affected-row figure typed by hand: a whole number, 0 or
// more, with , _ or spaces between digit groups allowed.
func ParseRows(s string) (int64, error) {
	s = strings.NewReplacer(",", "", "_", "", " ", "").Replace(strings.TrimSpace(s))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, errors.New("a whole number of rows, 0 or more")
	}
	return n, nil
}

// FieldKind is how a details field is answered.
type FieldKind int

// The kinds of field.
const (
	Line  FieldKind = iota // one line of text
	Lines                  // several lines of text
	YesNo                  // a choice between two answers
	Pick                   // one of Options
)

// Field is one details field, defined once for every front end: the TUI's
// form, the accessible prompts and the create command's flags read it.
type Field struct {
	Key         string
	Title       string
	Description string
	Placeholder string
	Kind        FieldKind
	Required    bool
	MaxLen      int    // in characters; 0: none
	Yes, No     string // a YesNo field's answers
	// Options are a Pick field's values, in order (its Description says
	// what each means).
	Options []string
	// Value is where the field's text lives (Line, Lines); Choice, a YesNo
	// field's answer.
	Value  func(d *Details) *string
	Choice func(d *Details) *bool
	// Validate checks the text as typed; nil: anything goes.
	Validate func(string) error
	// Group is the form page the field is on; Hidden, when set on the
	// page's first field, says the page is skipped now.
	Group  int
	Hidden func(d *Details) bool
}

// Fields are the details of a ticket of type tt for user u, in the fixed
// order of PRODUCT section 5: Comment, the type's own fields, related users,
// the attachment key, and for exports last the choice to ignore the
// affected-row check, then its reason, or the figure by hand when there is
// none.
func Fields(tt dms.TicketType, u *User) []Field {
	fields := []Field{{
		Key: "comment", Title: "Comment", Description: "What the ticket is for; approvers read this first.",
		Placeholder: "in a sentence: what, and why now", Required: true, MaxLen: dms.MaxCommentLen,
		Value:    func(d *Details) *string { return &d.Comment },
		Validate: required("a comment", dms.MaxCommentLen),
	}}
	for _, in := range tt.Inputs {
		id := in.ID
		f := Field{
			Key: id, Title: in.Label, Description: in.Help, Placeholder: in.Placeholder, Required: in.Required, MaxLen: in.MaxLen,
			Value: func(d *Details) *string { return d.Text[id] },
		}
		if in.Multiline {
			f.Kind = Lines
		}
		if len(in.Choices) > 0 {
			f.Kind, f.Options = Pick, append([]string(nil), in.Choices...)
			choices := f.Options
			f.Validate = func(s string) error {
				for _, c := range choices {
					if s == c {
						return nil
					}
				}
				return fmt.Errorf("one of %s", strings.Join(choices, ", "))
			}
			fields = append(fields, f)
			continue
		}
		if in.Required {
			f.Validate = required(strings.ToLower(in.Label), in.MaxLen)
		} else {
			f.Validate = atMost(in.MaxLen)
		}
		fields = append(fields, f)
	}
	related := "DMS user IDs, comma-separated; may be empty."
	if u != nil && u.DMSUserID != 0 {
		related += fmt.Sprintf(" You (%d) are added automatically.", u.DMSUserID)
	}
	fields = append(fields,
		Field{Key: "related", Title: "Related users", Description: related, Placeholder: "e.g. 2000002, 2000003",
			Value:    func(d *Details) *string { return &d.Related },
			Validate: func(s string) error { _, err := dms.ParseUserIDs(s); return err }},
		Field{Key: "attachment", Title: "Attachment key", Description: "Optional: the key of a file uploaded to DMS.",
			Value: func(d *Details) *string { return &d.Attachment },
			Validate: func(s string) error {
				if strings.ContainsAny(strings.TrimSpace(s), " \t") {
					return errors.New("one key, without spaces")
				}
				return nil
			}},
	)
	if !tt.AffectRows {
		return fields
	}
	if !tt.IgnoreRows {
		// The figure by hand when none could be measured (a data change
		// has no check to ignore).
		return append(fields, Field{Key: "rows", Title: "Affected rows", Group: 2, Required: true,
			Description: "The rows could not be measured: enter the figure from your own count.", Placeholder: "e.g. 12500",
			Value:    func(d *Details) *string { return &d.Rows },
			Validate: func(s string) error { _, err := ParseRows(s); return err },
			Hidden:   func(d *Details) bool { return !d.NeedManualRows() }})
	}
	return append(fields,
		Field{Key: "ignore", Title: "Ignore the affected-row check?", Kind: YesNo,
			Description: "No keeps DMS's check of the affected rows; the review shows the figure the ticket carries.",
			Yes:         "Yes, with a reason", No: "No",
			Choice: func(d *Details) *bool { return &d.Ignore }},
		Field{Key: "reason", Title: "Why may DMS skip the affected-row check?", Group: 1,
			Description: "Required when the check is ignored; approvers see it.", Required: true, MaxLen: dms.MaxShortTextLen,
			Value:    func(d *Details) *string { return &d.Reason },
			Validate: required("a reason", dms.MaxShortTextLen),
			Hidden:   func(d *Details) bool { return !d.Ignore }},
		Field{Key: "rows", Title: "Affected rows", Group: 2, Required: true,
			Description: "The rows could not be measured: enter the figure from your own count.", Placeholder: "e.g. 12500",
			Value:    func(d *Details) *string { return &d.Rows },
			Validate: func(s string) error { _, err := ParseRows(s); return err },
			Hidden:   func(d *Details) bool { return !d.NeedManualRows() }},
	)
}

// FieldTitle is a details field's name in an error message ("Related
// users: …").
func FieldTitle(tt dms.TicketType, key string) string {
	for _, f := range Fields(tt, nil) {
		if f.Key == key {
			return strings.TrimSuffix(f.Title, "?")
		}
	}
	return key
}

func required(what string, maxLen int) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("%s is required", what)
		}
		return atMost(maxLen)(s)
	}
}

func atMost(maxLen int) func(string) error {
	return func(s string) error {
		if n := len([]rune(s)); maxLen > 0 && n > maxLen {
			return fmt.Errorf("that is %d characters; at most %d", n, maxLen)
		}
		return nil
	}
}
