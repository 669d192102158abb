package tui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"dmsticket/dms"
	"dmsticket/dms/inert"
)

// detailsValues is what the form edits. huh writes through pointers, so it
// lives on the heap, owned by the step (STYLE.md trap 5).
type detailsValues struct {
	comment    string
	text       map[string]*string
	related    string
	attachment string
	ignore     bool
	reason     string
	rows       string
}

// detailsStep is the huh form for the ticket's details, in the fixed order:
// Comment, the type's own fields, related users, AttachmentKey, and for
// exports last the choice to ignore the affected-row check (then its reason,
// or the figure by hand when DMS could not measure one).
type detailsStep struct {
	s    *session
	v    *detailsValues
	form *huh.Form
}

func newDetailsStep(s *session) *detailsStep {
	return &detailsStep{s: s, v: &detailsValues{text: map[string]*string{}}}
}

func (d *detailsStep) ticketType() dms.TicketType {
	tt, _ := dms.LookupType(d.s.ticket.Type)
	return tt
}

// load fills the values from the ticket.
func (d *detailsStep) load() {
	t := d.s.ticket
	d.v.comment = t.Comment
	for _, in := range d.ticketType().Inputs {
		v := t.Text[in.ID]
		d.v.text[in.ID] = &v
	}
	if ids, err := dms.ParseUserIDs(d.v.related); err != nil || dms.FormatUserIDs(ids) != dms.FormatUserIDs(t.RelatedUsers) {
		d.v.related = strings.ReplaceAll(dms.FormatUserIDs(t.RelatedUsers), ",", ", ")
	}
	d.v.attachment = t.AttachmentKey
	d.v.ignore = t.IgnoreAffectRows
	d.v.reason = t.IgnoreAffectRowsReason
	if t.Rows.Source == dms.RowsManual {
		d.v.rows = strconv.FormatInt(t.Rows.Total, 10)
	}
}

// apply copies the values into the ticket; values that do not parse yet are
// left for the form's validation to point out.
func (d *detailsStep) apply() {
	t := d.s.ticket
	t.Comment = d.v.comment
	for id, p := range d.v.text {
		t.SetText(id, *p)
	}
	if ids, err := dms.ParseUserIDs(d.v.related); err == nil {
		t.RelatedUsers = ids
	}
	t.AttachmentKey = strings.TrimSpace(d.v.attachment)
	if d.ticketType().AffectRows {
		t.IgnoreAffectRows = d.v.ignore
		t.IgnoreAffectRowsReason = d.v.reason
		if n, err := parseRows(d.v.rows); err == nil && d.v.rows != "" && d.needManualRows() {
			t.Rows = dms.RowFigure{Source: dms.RowsManual, Total: n, At: d.s.now(), SQLHash: dms.SQLHash(t.SQL)}
		}
	}
}

// needManualRows reports whether the form asks for the figure by hand: the
// check is not ignored, no measured figure is there, and none is on its way.
func (d *detailsStep) needManualRows() bool {
	r := d.s.ticket.Rows
	if d.s.sql != nil && d.s.sql.est.running {
		return r.Source == dms.RowsManual // let the estimate answer; the review waits for it
	}
	return !d.v.ignore && (!r.Known() || r.Source == dms.RowsManual)
}

func parseRows(s string) (int64, error) {
	s = strings.NewReplacer(",", "", "_", "", " ", "").Replace(strings.TrimSpace(s))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, errors.New("a whole number of rows, 0 or more")
	}
	return n, nil
}

func (d *detailsStep) build() *huh.Form {
	tt := d.ticketType()
	v := d.v
	fields := []huh.Field{
		huh.NewInput().Key("comment").Title("Comment").
			Description("What the ticket is for; approvers read this first.").
			Placeholder("in a sentence: what, and why now").
			CharLimit(dms.MaxCommentLen).Value(&v.comment).
			Validate(func(s string) error {
				if strings.TrimSpace(s) == "" {
					return errors.New("a comment is required")
				}
				return nil
			}),
	}
	for _, in := range tt.Inputs {
		p := v.text[in.ID]
		validate := func(s string) error {
			if in.Required && strings.TrimSpace(s) == "" {
				return fmt.Errorf("%s is required", strings.ToLower(in.Label))
			}
			return nil
		}
		if in.Multiline {
			fields = append(fields, huh.NewText().Key(in.ID).Title(in.Label).Description(in.Help).
				Placeholder(in.Placeholder).CharLimit(in.MaxLen).Lines(4).
				ExternalEditor(d.s.opts.Local).Value(p).Validate(validate))
			continue
		}
		fields = append(fields, huh.NewInput().Key(in.ID).Title(in.Label).Description(in.Help).
			Placeholder(in.Placeholder).CharLimit(in.MaxLen).Value(p).Validate(validate))
	}
	relDesc := "DMS user IDs, comma-separated; may be empty."
	if u := d.s.opts.User; u != nil && u.DMSUserID != 0 {
		relDesc += fmt.Sprintf(" You (%d) are added automatically.", u.DMSUserID)
	}
	fields = append(fields,
		huh.NewInput().Key("related").Title("Related users").Description(relDesc).
			Placeholder("e.g. 2000002, 2000003").Value(&v.related).
			Validate(func(s string) error { _, err := dms.ParseUserIDs(s); return err }),
		huh.NewInput().Key("attachment").Title("Attachment key").
			Description("Optional: the key of a file uploaded to DMS.").Value(&v.attachment).
			Validate(func(s string) error {
				if strings.ContainsAny(strings.TrimSpace(s), " \t") {
					return errors.New("one key, without spaces")
				}
				return nil
			}),
	)
	groups := []*huh.Group{}
	if tt.AffectRows {
		fields = append(fields, huh.NewConfirm().Key("ignore").
			Title("Ignore the affected-row check?").
			// A static description: huh evaluates *Func values in command
			// goroutines, which must not read the ticket.
			Description(d.rowsDescription()).
			Affirmative("Yes, with a reason").Negative("No").Value(&v.ignore))
		groups = append(groups, huh.NewGroup(fields...),
			huh.NewGroup(huh.NewInput().Key("reason").Title("Why may DMS skip the affected-row check?").
				Description("Required when the check is ignored; approvers see it.").
				CharLimit(dms.MaxShortTextLen).Value(&v.reason).
				Validate(func(s string) error {
					if strings.TrimSpace(s) == "" {
						return errors.New("a reason is required")
					}
					return nil
				})).WithHideFunc(func() bool { return !v.ignore }),
			huh.NewGroup(huh.NewInput().Key("rows").Title("Affected rows").
				Description("The rows could not be measured (see above): enter the figure from your own count.").
				Placeholder("e.g. 12500").Value(&v.rows).
				Validate(func(s string) error { _, err := parseRows(s); return err })).
				WithHideFunc(func() bool { return !d.needManualRows() }),
		)
	} else {
		groups = append(groups, huh.NewGroup(fields...))
	}
	// Errors are drawn by the step, under its title (view): huh's footer,
	// below a form sized to the screen, was cut off.
	f := huh.NewForm(groups...).WithTheme(d.s.st.Huh()).WithShowHelp(false).WithShowErrors(false).
		WithWidth(min(d.s.width, 100)).WithHeight(d.formHeight())
	// The form's end is seen in update (its State), not through a message
	// that would arrive after keys typed meanwhile.
	f.SubmitCmd = nil
	f.CancelCmd = nil
	return f
}

// rowsDescription explains the choice. It is fixed when the form is built,
// and an estimate may still be on its way then, so it names no figure: the
// review shows the figure and where it came from.
func (d *detailsStep) rowsDescription() string {
	return "No keeps DMS's check of the affected rows; the review shows the figure the ticket carries."
}

func (d *detailsStep) enter() tea.Cmd {
	d.load()
	d.form = d.build()
	return d.form.Init()
}

func (d *detailsStep) update(msg tea.Msg) tea.Cmd {
	if ws, ok := msg.(tea.WindowSizeMsg); ok && d.form != nil {
		d.form = d.form.WithWidth(min(ws.Width, 100)).WithHeight(d.formHeight())
		return nil
	}
	if d.form == nil {
		return nil
	}
	errs := len(d.errorText()) + len(d.rowsText())
	m, cmd := d.form.Update(msg)
	d.form, cmd = settleForm(m.(*huh.Form), cmd)
	if len(d.errorText())+len(d.rowsText()) != errs {
		d.form = d.form.WithHeight(d.formHeight()) // the error takes room, or gives it back
	}
	d.apply()
	if d.form.State == huh.StateCompleted {
		d.s.next()
	}
	return cmd
}

// fieldErrorLines is the most lines under the title the focused field's
// validation error takes.
const fieldErrorLines = 2

// formHeight is the room the form has: the body less the title and the
// error, if any.
func (d *detailsStep) formHeight() int {
	return max(5, d.s.height-1-len(d.errorText())-len(d.rowsText()))
}

// errorText is the focused field's validation error, wrapped to the width,
// in at most fieldErrorLines lines; none when the fields are fine.
func (d *detailsStep) errorText() []string {
	if d.form == nil {
		return nil
	}
	st := d.s.st
	var msg []string
	if f := d.form.GetFocusedField(); f != nil && f.Error() != nil {
		msg = wrap(st.Error, "✗ "+d.label(f.GetKey())+": "+inert.Line(f.Error().Error()), d.s.width)
	} else if errs := d.form.Errors(); len(errs) > 0 {
		msg = wrap(st.Error, "✗ "+inert.Line(errs[0].Error()), d.s.width)
	}
	if len(msg) > fieldErrorLines {
		msg = append(msg[:fieldErrorLines-1], truncate(msg[fieldErrorLines-1]+" …", d.s.width))
	}
	return msg
}

// fitForm gives the form the room left by what is drawn above it.
func (d *detailsStep) fitForm() {
	if d.form != nil {
		d.form = d.form.WithHeight(d.formHeight())
	}
}

func (d *detailsStep) view() string {
	if d.form == nil {
		return ""
	}
	lines := append([]string{d.s.st.Title.Render("Details")}, d.errorText()...)
	lines = append(lines, d.rowsText()...)
	return strings.Join(append(lines, d.form.View()), "\n")
}

// rowsText says, when the affected rows could not be measured, why (DMS's
// own words) and what to do: fix the SQL when DMS refused a statement, else
// enter the figure or ignore the check.
func (d *detailsStep) rowsText() []string {
	t := d.s.ticket
	if !d.ticketType().AffectRows || t.IgnoreAffectRows || t.Rows.Known() || d.s.sql == nil {
		return nil
	}
	err := d.s.sql.estimateError()
	if err == nil {
		return nil
	}
	st := d.s.st
	lines := bounded(wrap(st.Warn, "Rows not measured: "+errMessage(err), d.s.width), 2, d.s.width)
	return append(lines, wrap(st.Subtle, estimateAdvice(err), d.s.width)...)
}

// estimateAdvice is what to do about a failed measurement.
func estimateAdvice(err error) string {
	switch dms.KindOf(err) {
	case dms.KindInvalid:
		return "Fix the SQL first: esc goes back to it."
	case dms.KindRefused:
		return "DMS refused the statement: esc goes back to the SQL to fix it, or enter the figure from your own count below, or ignore the check with a reason."
	case dms.KindPermission, dms.KindPolicy:
		return "You may not query this database: enter the figure from your own count below, or ignore the check with a reason."
	}
	return "Enter the figure from your own count below, or ignore the check with a reason; ctrl+r in the SQL step tries again."
}

// label is a details field's name for an error message.
func (d *detailsStep) label(key string) string {
	switch key {
	case "comment":
		return "Comment"
	case "related":
		return "Related users"
	case "attachment":
		return "Attachment key"
	case "reason":
		return "Reason to ignore the check"
	case "rows":
		return "Affected rows"
	}
	if in, ok := d.ticketType().Input(key); ok {
		return in.Label
	}
	return key
}

func (d *detailsStep) help() helpKeys {
	k := d.s.keys
	short := []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next field")),
		key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		with(k.Back, "esc", "back"),
	}
	return helpKeys{short: short}
}

func (d *detailsStep) typing() bool { return true }
func (d *detailsStep) modal() bool  { return false }
