package tui

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/runeutil"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"dmsticket/dms"
	"dmsticket/dms/inert"
	"dmsticket/tui/wizard"
)

// detailsStep is the huh form for the ticket's details: wizard.Fields, in
// their order, on their pages (a page whose first field is hidden is
// skipped).
type detailsStep struct {
	s    *session
	v    *wizard.Details
	typ  string // the type v was made for
	form *huh.Form
	// formH is the height the form was last given: giving it again draws
	// every field to measure it (huh's WithHeight), so it is given only
	// when it changes.
	formH int
	// fields are the form's fields, each keeping its last view (cachedField),
	// and defs their definitions, in the same order.
	fields []*cachedField
	defs   []wizard.Field
	// notice says why the external editor left a field as it was.
	notice string
}

// detailsEditedMsg is what the external editor left for the multi-line
// field key: its text, or why there is none.
type detailsEditedMsg struct {
	key, text string
	err       error
}

func newDetailsStep(s *session) *detailsStep { return &detailsStep{s: s} }

func (d *detailsStep) ticketType() dms.TicketType {
	tt, _ := dms.LookupType(d.s.ticket.Type)
	return tt
}

// load fills the values from the ticket.
func (d *detailsStep) load() {
	if d.v == nil || d.typ != d.s.ticket.Type {
		related := ""
		if d.v != nil {
			related = d.v.Related
		}
		d.v, d.typ = wizard.NewDetails(d.ticketType()), d.s.ticket.Type
		d.v.Related = related
		d.v.Figure = func() dms.RowFigure { return d.s.ticket.Rows }
		d.v.Measuring = func() bool { return d.s.rows.running() }
	}
	d.v.Load(*d.s.ticket)
}

// apply copies the values into the ticket.
func (d *detailsStep) apply() {
	d.v.Apply(d.s.ticket, d.s.now()) // keys change the form: the root counts them
}

func (d *detailsStep) build() *huh.Form {
	var groups []*huh.Group
	var page []huh.Field
	var hide func(*wizard.Details) bool
	var fields []*cachedField
	var defs []wizard.Field
	flush := func() {
		if len(page) == 0 {
			return
		}
		g := huh.NewGroup(page...)
		if h := hide; h != nil {
			v := d.v
			g = g.WithHideFunc(func() bool { return h(v) })
		}
		groups = append(groups, g)
		page, hide = nil, nil
	}
	last := -1
	for _, f := range wizard.Fields(d.ticketType(), d.s.opts.User) {
		if f.Group != last {
			flush()
			last, hide = f.Group, f.Hidden
		}
		c := cached(huhField(f, d.v, d.s.opts.Local))
		fields, defs = append(fields, c), append(defs, f)
		page = append(page, c)
	}
	flush()
	// Errors are drawn by the step, under its title (view): huh's footer,
	// below a form sized to the screen, was cut off.
	f := huh.NewForm(groups...).WithTheme(d.s.st.Huh()).WithShowHelp(false).WithShowErrors(false).
		WithKeyMap(detailsKeyMap()).WithWidth(min(d.s.width, 100)).WithHeight(d.formHeight())
	d.formH, d.fields, d.defs = d.formHeight(), fields, defs
	// The form's end is seen in update (its State), not through a message
	// that would arrive after keys typed meanwhile.
	f.SubmitCmd = nil
	f.CancelCmd = nil
	return f
}

// detailsKeyMap is huh's key map without its multi-line field's ctrl+e
// ($EDITOR): the step runs the editor itself, and only where the wizard
// runs on the user's own machine (editField). huh's ExternalEditor(false)
// turns the key off only in the help it draws (and the form draws none):
// over SSH ctrl+e ran an editor on the server, as the server's user, in the
// session's terminal. huh's own editor is given the program's input, which
// locally is not the terminal (termInput), and reads only $EDITOR.
func detailsKeyMap() *huh.KeyMap {
	km := huh.NewDefaultKeyMap()
	km.Text.Editor.SetEnabled(false)
	return km
}

// editField opens the focused multi-line field in the user's editor, as the
// SQL step's ctrl+e does; nil where there is none to open.
func (d *detailsStep) editField() tea.Cmd {
	def, ok := d.editable()
	if !ok {
		return nil
	}
	return runEditor(d.s.opts.tty, *def.Value(d.v), ".txt", func(ed, path string, err error) tea.Msg {
		if err != nil {
			return detailsEditedMsg{key: def.Key, err: err}
		}
		defer os.Remove(path)
		text, err := readEdited(ed, path, def.MaxLen)
		return detailsEditedMsg{key: def.Key, text: text, err: err}
	})
}

// editable is the focused field when ctrl+e opens it: a multi-line field,
// on the user's own machine.
func (d *detailsStep) editable() (wizard.Field, bool) {
	if d.form == nil || !d.s.opts.Local {
		return wizard.Field{}, false
	}
	if f := d.form.GetFocusedField(); f != nil {
		for _, def := range d.defs {
			if def.Key == f.GetKey() && def.Kind == wizard.Lines {
				return def, true
			}
		}
	}
	return wizard.Field{}, false
}

// edited puts what the editor left in its field; a file too long for the
// field, or not text, leaves the field as it was, and says why.
func (d *detailsStep) edited(msg detailsEditedMsg) {
	for i, def := range d.defs {
		if def.Key != msg.key {
			continue
		}
		if msg.err != nil {
			d.notice = fmt.Sprintf("%s: %v; it is unchanged", def.Title, msg.err)
			return
		}
		v := def.Value(d.v)
		*v = msg.text
		if t, ok := d.fields[i].Field.(*huh.Text); ok {
			t.Value(v) // the field's text is read from v again,
			// and v from the field, which keeps the text as its text area
			// holds it (tabs as spaces, line breaks as "\n", control
			// characters left out): what is sent is what is shown.
			t.Update(nil)
		}
		d.fields[i].valid = false
		d.apply()
		return
	}
}

// readEdited reads the file the editor left at path: text of at most
// maxLen characters (0: no limit) as the field's text area will hold it
// (its sanitizer: line breaks "\n", tabs as four spaces, other control
// characters left out; it would cut what passes its limit without a word),
// its last line break dropped (editors add one).
func readEdited(ed, path string, maxLen int) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("reading back from %s: %v", inert.Line(ed), err)
	}
	defer f.Close()
	limit := int64(1 << 20)
	if maxLen > 0 {
		limit = int64(maxLen)*utf8.UTFMax + 2
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return "", fmt.Errorf("reading back from %s: %v", inert.Line(ed), err)
	}
	if !utf8.Valid(b) {
		return "", errors.New("the file is not UTF-8 text")
	}
	text := strings.TrimSuffix(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	text = string(runeutil.NewSanitizer().Sanitize([]rune(text)))
	if n := utf8.RuneCountInString(text); maxLen > 0 && (int64(len(b)) > limit || n > maxLen) {
		return "", fmt.Errorf("the text is longer than the %s characters the field takes", wizard.Thousands(int64(maxLen)))
	} else if int64(len(b)) > limit {
		return "", fmt.Errorf("the file is larger than %s", dms.HumanBytes(limit))
	}
	return text, nil
}

func (d *detailsStep) enter() tea.Cmd {
	d.s.defaultRelated() // the last ticket's related users, once per ticket
	d.load()
	d.form = d.build()
	d.fitForm() // build measured the room with the last form's error, if any
	return d.form.Init()
}

func (d *detailsStep) update(msg tea.Msg) tea.Cmd {
	if ws, ok := msg.(tea.WindowSizeMsg); ok && d.form != nil {
		d.form, d.formH = d.form.WithWidth(min(ws.Width, 100)).WithHeight(d.formHeight()), d.formHeight()
		return d.relayout()
	}
	if d.form == nil {
		return nil
	}
	switch msg := msg.(type) {
	case detailsEditedMsg:
		d.edited(msg)
		d.fitForm()
		return nil
	case tea.KeyMsg:
		d.notice = ""
		if key.Matches(msg, d.s.keys.ExternalEditor) {
			if cmd := d.editField(); cmd != nil {
				d.apply()
				return cmd
			}
		}
	}
	before := d.form.GetFocusedField()
	m, cmd := d.form.Update(msg)
	d.form, cmd = settleForm(m.(*huh.Form), cmd)
	if k, ok := msg.(tea.KeyMsg); ok && k.Type == tea.KeyShiftTab && d.form.State == huh.StateNormal && d.form.GetFocusedField() == before {
		// huh blurs a field before going back, then refuses to leave a
		// page whose field fails its check: the field had lost the keys
		// and only esc got out. It gets them back, its error shown.
		cmd = tea.Batch(cmd, before.Focus())
	}
	d.apply()
	d.fitForm() // an error, or the rows' warning (read from the ticket apply wrote), takes room or gives it back
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
	if d.notice != "" {
		msg = wrap(st.Error, "✗ "+inert.Line(d.notice), d.s.width)
	} else if f := d.form.GetFocusedField(); f != nil && f.Error() != nil {
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
	if h := d.formHeight(); d.form != nil && h != d.formH {
		d.form, d.formH = d.form.WithHeight(h), h
		d.relayout()
	}
}

// relayout has huh lay the form's group out for the size it was given:
// its WithWidth and WithHeight do not (the group kept the old size's lines
// until the next message). A window-size message, the size already set, is
// left by huh's form to the group, which lays itself out.
func (d *detailsStep) relayout() tea.Cmd {
	m, cmd := d.form.Update(tea.WindowSizeMsg{Width: d.s.width, Height: d.s.height})
	d.form = m.(*huh.Form)
	return cmd
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
	if !d.ticketType().AffectRows || t.IgnoreAffectRows || t.Rows.Known() {
		return nil
	}
	err := d.s.rows.lastError()
	if err == nil {
		return nil
	}
	st := d.s.st
	lines := bounded(wrap(st.Warn, "Rows not measured: "+errMessage(err), d.s.width), 2, d.s.width)
	advice := estimateAdvice(err)
	if !d.ticketType().IgnoreRows {
		// No check to ignore for this type (a data change).
		advice = strings.NewReplacer(", or ignore the check with a reason", "", " or ignore the check with a reason", "").Replace(advice)
	}
	if d.s.rows.examined() {
		advice = "EXPLAIN shows the rows the database examines, not the ones the statement returns: esc goes back to the SQL, where ctrl+t counts them exactly, or enter the figure from your own count below."
	}
	return append(lines, wrap(st.Subtle, advice, d.s.width)...)
}

// label is a details field's name for an error message.
func (d *detailsStep) label(key string) string { return wizard.FieldTitle(d.ticketType(), key) }

func (d *detailsStep) help() helpKeys {
	k := d.s.keys
	short := []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next field")),
		key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		with(k.Back, "esc", "back"),
	}
	if _, ok := d.editable(); ok {
		short = append(short, with(k.ExternalEditor, "ctrl+e", "editor")) // the footer fits 80 columns
	}
	return helpKeys{short: short}
}

func (d *detailsStep) typing() bool { return true }
func (d *detailsStep) modal() bool  { return false }
