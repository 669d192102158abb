package tui

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"dmsticket/dms"
	"dmsticket/dms/inert"
	"dmsticket/dms/sqlscript"
	"dmsticket/tui/wizard"
)

// reviewMode is what the review screen is doing.
type reviewMode int

const (
	reviewNormal  reviewMode = iota
	reviewConfirm            // typing the schema name of an online database
	reviewCommand            // showing the aliyun command
	reviewSave               // asking where to save the ticket file
	reviewStale              // asking whether to keep a hand-entered figure for changed SQL
)

// reviewStep shows the summary and the exact PluginParam JSON, and submits.
type reviewStep struct {
	s        *session
	mode     reviewMode
	vp       viewport.Model
	req      dms.OrderRequest
	reqKey   string // what "this review" is (wizard.Key)
	problems dms.Problems
	stale    bool // the row figure was measured for other SQL (computed in refresh, not per frame)
	// jsonFor and jsonView cache the highlighted JSON: it is drawn once per
	// review, not per frame.
	jsonFor  string
	jsonView string
	confirm  textinput.Model
	// toConfirm are the online databases whose schema names are typed
	// before a submit (one per distinct name), confirmAt the one asked now.
	toConfirm []dms.Database
	confirmAt int
	path      textinput.Model
	notice    string
	noticeOK  bool
}

func newReviewStep(s *session) *reviewStep {
	vp := viewport.New(0, 0)
	vp.SetHorizontalStep(8) // the aliyun command's long lines scroll sideways
	return &reviewStep{
		s: s, vp: vp,
		confirm: newInput(s, "Schema name: ", ""),
		path:    newInput(s, "Save to: ", "path of the ticket file"),
	}
}

func (r *reviewStep) enter() tea.Cmd {
	r.mode = reviewNormal
	r.notice = ""
	r.refresh()
	return nil
}

// refresh rebuilds the request and its JSON from the ticket.
func (r *reviewStep) refresh() {
	t := r.s.ticket
	r.problems = t.Validate()
	r.stale = t.Rows.Known() && t.Rows.SQLHash != "" && (t.Rows.SQLHash != dms.SQLHash(t.SQL) || t.RowsStale())
	r.req = wizard.Request(*t, r.s.opts.User)
	r.reqKey = wizard.Key(r.req)
	pretty := dms.PluginParamPretty(r.req.Params())
	if key := pretty + "\x00" + itoa(r.s.width); key != r.jsonFor {
		// Highlighted once per review (and width): long values such as the
		// SQL wrap, so every byte of the request is on screen.
		r.jsonFor = key
		r.jsonView = ansi.Hardwrap(highlightJSON(r.s, pretty), max(20, r.s.width), true)
	}
	if r.mode != reviewCommand {
		r.vp.SetContent(r.jsonView)
	}
	r.layout()
}

// highlightJSON draws the JSON with the theme's chroma style and the
// formatter for the colour profile; plain when there is no colour.
func highlightJSON(s *session, src string) string {
	src = inert.Text(src)
	f := s.st.Formatter()
	if f == nil {
		return src
	}
	it, err := chroma.Coalesce(lexers.Get("json")).Tokenise(nil, src)
	if err != nil {
		return src
	}
	var b bytes.Buffer
	if err := f.Format(&b, s.st.ChromaStyle(), it); err != nil {
		return src
	}
	return b.String()
}

func (r *reviewStep) summaryLines() []string {
	st := r.s.st
	t := r.s.ticket
	tt, _ := dms.LookupType(t.Type)
	w := r.s.width
	row := func(label, value string) string {
		return truncate(st.Label.Render(fmt.Sprintf("%-9s", label))+" "+value, w)
	}
	sep := st.Faint.Render(" · ")
	lines := []string{row("Type", st.Value.Render(tt.Title)+st.Faint.Render(" "+t.Type)+sep+st.Subtle.Render("tenant ")+st.Value.Render(inert.Line(t.Tenant.Label())))}
	if tt.Has(dms.StepDatabase) {
		dbs := t.Databases()
		if len(dbs) > 1 {
			// Every database the change acts on, each with its badge.
			// Every database the change acts on, each with its badge,
			// packed into as few lines as the width allows.
			label, cur := "Databases", ""
			for _, d := range dbs {
				part := st.Value.Render(inert.Line(d.Name())) + " " + envBadge(st, d.Env)
				if cur != "" && lipgloss.Width(cur)+lipgloss.Width(sep)+lipgloss.Width(part) > w-10 {
					lines = append(lines, row(label, cur))
					label, cur = "", ""
				}
				if cur != "" {
					cur += sep
				}
				cur += part
			}
			lines = append(lines, row(label, cur))
		} else {
			lines = append(lines, row("Database", st.Value.Render(inert.Line(t.Database.Name()))+" "+envBadge(st, t.Database.Env)))
		}
	}
	if tt.Has(dms.StepSQL) {
		lc := strings.Count(strings.TrimRight(t.SQL, "\n"), "\n") + 1
		sql := st.Value.Render(wizard.Count(r.s.statements, "statement") + ", " + wizard.Count(lc, "line"))
		if tt.AffectRows {
			sql += sep + st.Subtle.Render("rows ") + r.rowsValue()
		}
		lines = append(lines, row("SQL", sql))
		if len(t.Rows.PerDatabase) > 1 && !r.stale {
			lines = append(lines, row("", st.Faint.Render("per database: "+wizard.PerDatabaseText(t.Rows, t.Databases()))))
		}
		if tt.Rollback {
			rb := st.Subtle.Render("none")
			if strings.TrimSpace(t.RollbackSQL) != "" {
				n := len(sqlscript.Statements(t.RollbackSQL, t.Database.Dialect()))
				lc := strings.Count(strings.TrimRight(t.RollbackSQL, "\n"), "\n") + 1
				rb = st.Value.Render(wizard.Count(n, "statement") + ", " + wizard.Count(lc, "line"))
			}
			if m, _ := r.req.Params()["ExecMode"].(string); m != "" {
				// Who runs the change once approved: you, DMS, or the last
				// approver (a choice of Details' that only the JSON showed).
				rb += sep + st.Subtle.Render("run by ") + st.Value.Render(inert.Line(wizard.ChoiceText("exec-mode", m)))
			}
			lines = append(lines, row("Rollback", rb))
		}
	}
	lines = append(lines, row("Comment", st.Value.Render(inert.Shown(t.Comment))))
	rel := r.req.RelatedUserList
	if rel == "" {
		rel = "none"
	}
	extra := ""
	if t.AttachmentKey != "" {
		extra = sep + st.Subtle.Render("attachment ") + st.Value.Render(inert.Shown(t.AttachmentKey))
	}
	lines = append(lines, row("Related", st.Value.Render(strings.ReplaceAll(rel, ",", ", "))+extra))
	return lines
}

func (r *reviewStep) rowsValue() string {
	st := r.s.st
	t := r.s.ticket
	switch {
	case t.IgnoreAffectRows:
		return st.Warn.Render("check ignored: ") + st.Value.Render(inert.Shown(t.IgnoreAffectRowsReason))
	case r.s.rows.running():
		return st.Info.Render("measuring… (enter once it shows)")
	case !t.Rows.Known():
		return st.Error.Render("no figure")
	}
	v := st.Value.Render(wizard.Thousands(t.Rows.Total)) + st.Subtle.Render(" · "+t.Rows.Source.Label())
	if !t.Rows.At.IsZero() {
		v += st.Faint.Render(" at " + t.Rows.At.Local().Format("15:04:05"))
	}
	if r.stale {
		v += " " + st.Warn.Render("stale")
	}
	return v
}

// top is what the review draws above the JSON: the title, the summary, the
// problems and the rule with the box's title.
func (r *reviewStep) top() string {
	st := r.s.st
	w := r.s.width
	lines := []string{st.Title.Render("Review") + st.Subtle.Render(" · the request exactly as it will be sent")}
	lines = append(lines, r.summaryLines()...)
	if len(r.problems) > 0 {
		lines = append(lines, st.Error.Bold(true).Render("Not ready:"))
		for i, p := range r.problems {
			if i == 3 {
				lines = append(lines, st.Error.Render(truncate(fmt.Sprintf("  … and %d more", len(r.problems)-3), w)))
				break
			}
			lines = append(lines, st.Error.Render(truncate("  ✗ "+inert.Line(p.String()), w)))
		}
	}
	if note := dms.InlineSQLNote(*r.s.ticket); note != "" && len(r.problems) == 0 {
		lines = append(lines, bounded(wrap(st.Warn, note, w), 2, w)...)
	}
	title := r.req.ParamName()
	if op := r.req.Op(); op != dms.OpCreateOrder {
		title += " · " + op
	}
	if r.mode == reviewCommand {
		title = "aliyun command · sent to the clipboard (OSC 52) if the terminal allows"
	}
	pct := ""
	if r.vp.TotalLineCount() > r.vp.Height {
		pct = fmt.Sprintf(" %3.0f%%", r.vp.ScrollPercent()*100)
	}
	rule := max(0, w-lipgloss.Width(title)-lipgloss.Width(pct)-4)
	lines = append(lines, truncate(st.PanelTitle.Render("── "+title+" ")+st.Rule.Render(strings.Repeat("─", rule))+st.Faint.Render(pct), w))
	return strings.Join(lines, "\n")
}

// bottom is what the review draws below the JSON: the dialog of the mode
// and the notice.
func (r *reviewStep) bottom() string {
	st := r.s.st
	w := r.s.width
	var lines []string
	switch r.mode {
	case reviewConfirm:
		db := r.toConfirm[r.confirmAt]
		of := ""
		if len(r.toConfirm) > 1 {
			of = fmt.Sprintf(" %d of %d", r.confirmAt+1, len(r.toConfirm))
		}
		what := fmt.Sprintf("%s database%s: type its schema name, %s, to submit.", capitalize(db.Env.Label()), of, inert.Line(db.SchemaName))
		if both := wizard.SharingText(r.s.ticket.Databases(), db); both != "" {
			what = fmt.Sprintf("Online databases%s, %s: type their schema name, %s, once to submit to all of them.", of, both, inert.Line(db.SchemaName))
		}
		lines = append(lines, wrap(st.Warning, what, w)...)
		lines = append(lines, r.confirm.View())
	case reviewSave:
		lines = append(lines, st.Subtle.Render("Save the request as a ticket file (mode 0600):"), r.path.View())
	case reviewStale:
		lines = append(lines, wrap(st.Warn, fmt.Sprintf("The figure you entered (%s) was for earlier SQL. Keep it? y keeps it, n goes to Details.",
			wizard.Rows(r.s.ticket.Rows.Total)), w)...)
	}
	if r.notice != "" {
		style := st.Error
		if r.noticeOK {
			style = st.Success
		}
		lines = append(lines, wrap(style, r.notice, w)...)
	}
	return strings.Join(lines, "\n")
}

// layout gives the viewport the height the rest leaves, measured.
func (r *reviewStep) layout() {
	top, bottom := r.parts()
	used := lipgloss.Height(top)
	if bottom != "" {
		used += lipgloss.Height(bottom)
	}
	r.vp.Width = r.s.width
	r.vp.Height = max(1, r.s.height-used)
}

// parts are top and bottom as they fit the window: the dialog below the
// JSON is drawn whole (what is typed in it is always seen), with a line of
// the JSON, and the summary above gives up its last lines, the box's rule
// kept, when there is no room for all of it.
func (r *reviewStep) parts() (top, bottom string) {
	top, bottom = r.top(), r.bottom()
	room := r.s.height - 1 // a line of the JSON
	if bottom != "" {
		room -= lipgloss.Height(bottom)
	}
	if lines := strings.Split(top, "\n"); len(lines) > max(room, 0) {
		switch {
		case room <= 0:
			top = ""
		case room == 1:
			top = lines[len(lines)-1]
		default:
			top = strings.Join(append(lines[:room-1:room-1], lines[len(lines)-1]), "\n")
		}
	}
	return top, bottom
}

func (r *reviewStep) update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case savedMsg:
		if msg.err != nil {
			r.notice, r.noticeOK = "Not saved: "+inert.Line(msg.err.Error()), false
		} else {
			r.notice, r.noticeOK = "Saved "+inert.Line(msg.path)+" (mode 0600); submit it later with dmsticket create --from.", true
		}
	case tea.WindowSizeMsg:
		r.refresh()
	case tea.KeyMsg:
		cmd = r.key(msg)
	}
	r.layout()
	return cmd
}

// typed is a key in a mode that types into an input (the schema name to
// confirm, the path to save to): esc leaves the mode, enter is done, any
// other key is the input's.
func (r *reviewStep) typed(msg tea.KeyMsg, in *textinput.Model, done func() tea.Cmd) tea.Cmd {
	switch {
	case key.Matches(msg, r.s.keys.Back):
		r.mode = reviewNormal
		return nil
	case key.Matches(msg, r.s.keys.Enter):
		return done()
	}
	var cmd tea.Cmd
	*in, cmd = in.Update(msg)
	return cmd
}

// confirmed checks the schema name typed for the database being confirmed
// and moves to the next one, or submits after the last.
func (r *reviewStep) confirmed() tea.Cmd {
	// The name as the screen shows it (cleaned of escapes, its invisible
	// characters spelled out) is what the user can type.
	// White space around it (a pasted line's ending, which the input turns
	// into a space nobody sees) does not make another name.
	want := r.toConfirm[r.confirmAt].SchemaName
	if typed := strings.TrimSpace(r.confirm.Value()); typed != inert.Line(want) && typed != want && r.confirm.Value() != want {
		r.notice, r.noticeOK = "That is not the schema name; type it exactly, or esc to cancel.", false
		return nil
	}
	r.notice = ""
	if r.confirmAt++; r.confirmAt < len(r.toConfirm) {
		r.confirm.SetValue("")
		return nil
	}
	r.mode = reviewNormal
	return r.submit()
}

func (r *reviewStep) key(msg tea.KeyMsg) tea.Cmd {
	k := r.s.keys
	switch r.mode {
	case reviewConfirm:
		return r.typed(msg, &r.confirm, r.confirmed)
	case reviewSave:
		return r.typed(msg, &r.path, func() tea.Cmd {
			r.mode = reviewNormal
			return r.save(strings.TrimSpace(r.path.Value()))
		})
	case reviewStale:
		switch {
		case key.Matches(msg, k.Yes):
			r.s.ticket.Rows.SQLHash = dms.SQLHash(r.s.ticket.SQL)
			r.s.changed()
			r.mode = reviewNormal
			r.refresh()
		case key.Matches(msg, k.No), key.Matches(msg, k.Back):
			r.mode = reviewNormal
			r.s.goTo(StepDetails)
		}
		return nil
	case reviewCommand:
		switch {
		case key.Matches(msg, k.Command), key.Matches(msg, k.Back), key.Matches(msg, k.QuitWord):
			r.mode = reviewNormal
			r.vp.SetContent(r.jsonView)
			r.vp.GotoTop()
			r.vp.SetXOffset(0)
			return nil
		}
		return r.scroll(msg)
	}
	switch {
	case key.Matches(msg, k.Enter):
		return r.trySubmit()
	case key.Matches(msg, k.Edit):
		r.s.back()
		return nil
	case key.Matches(msg, k.GoToStep):
		steps := map[string]Step{"1": StepType, "2": StepDatabase, "3": StepSQL, "4": StepDetails}
		r.s.goTo(steps[msg.String()])
		return nil
	case key.Matches(msg, k.Command):
		r.mode = reviewCommand
		// One flag per line, never wrapped inside a value (a copied command
		// must be the command): long lines scroll sideways.
		to := r.s.opts.Target()
		text, exact := wizard.ShellCommandText(dms.AliyunCommandLines(r.req, to))
		note := dms.AliyunCredentialsNote(to)
		if !exact {
			note += " " + wizard.InexactCommandNote
		}
		r.vp.SetContent(text + "\n\n" + strings.Join(wrap(r.s.st.Faint, inert.Line(note), r.s.width), "\n"))
		r.vp.GotoTop()
		r.vp.SetXOffset(0)
		return copyToClipboard(r.s, dms.AliyunCommand(r.req, to))
	case key.Matches(msg, k.Save):
		if !r.s.opts.Local {
			r.notice, r.noticeOK = "Saving ticket files is not available over SSH; c shows the equivalent command.", false
			return nil
		}
		if len(r.problems) > 0 {
			r.notice, r.noticeOK = "Fix the problems above before saving.", false
			return nil
		}
		r.mode = reviewSave
		r.path.SetValue(defaultTicketPath(r.s.ticket.Type, r.s.now().Format("20060102-150405")))
		r.path.CursorEnd()
		return r.path.Focus()
	}
	return r.scroll(msg)
}

// scroll moves the viewport: arrows, pages, and home/g and end/G for the top
// and the bottom.
func (r *reviewStep) scroll(msg tea.KeyMsg) tea.Cmd {
	k := r.s.keys
	switch {
	case key.Matches(msg, k.Top):
		r.vp.GotoTop()
		return nil
	case key.Matches(msg, k.Bottom):
		r.vp.GotoBottom()
		return nil
	}
	var cmd tea.Cmd
	r.vp, cmd = r.vp.Update(msg)
	return cmd
}

func defaultTicketPath(pluginType, stamp string) string {
	return "dmsticket-" + strings.ToLower(strings.ReplaceAll(pluginType, "_", "-")) + "-" + stamp + ".json"
}

// savedMsg reports a ticket file written (or not) in the background.
type savedMsg struct {
	ofReview
	path string
	err  error
}

// save writes the request as a ticket file, in a command: disk work stays out
// of Update.
func (r *reviewStep) save(path string) tea.Cmd {
	if path == "" {
		r.notice, r.noticeOK = "No path given; nothing saved.", false
		return nil
	}
	t := *r.s.ticket
	t.RelatedUsers = wizard.RelatedUsers(t, r.s.opts.User)
	return func() tea.Msg {
		if err := dms.WriteTicketFile(path, t); err != nil {
			return savedMsg{path: path, err: err}
		}
		shown, _ := filepath.Abs(path)
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, shown); err == nil && !strings.HasPrefix(rel, "..") {
				shown = rel
			}
		}
		return savedMsg{path: shown}
	}
}

// trySubmit checks everything that must hold before CreateOrder is sent.
func (r *reviewStep) trySubmit() tea.Cmd {
	r.refresh()
	t := r.s.ticket
	if len(r.problems) > 0 {
		r.notice, r.noticeOK = "Fix the problems above first (the step numbers take you there).", false
		return nil
	}
	if r.s.dbChecking {
		r.notice, r.noticeOK = dbCheckingNotice, false
		return nil
	}
	if id, ok := r.s.created[r.reqKey]; ok {
		r.notice, r.noticeOK = fmt.Sprintf("This exact request already created ticket %d. Change something, or press n on the result for a new ticket.", id), false
		return nil
	}
	tt, _ := dms.LookupType(t.Type)
	if tt.AffectRows && !t.IgnoreAffectRows {
		if r.s.rows.running() {
			r.notice, r.noticeOK = "The row figure is still being measured; press enter again when it shows.", false
			return nil
		}
		if t.Rows.Source == dms.RowsManual && t.Rows.SQLHash != "" && t.Rows.SQLHash != dms.SQLHash(t.SQL) {
			r.mode = reviewStale
			return nil
		}
		if t.RowsStale() {
			r.notice, r.noticeOK = "The SQL or the database changed since the rows were measured: measuring again, then press enter to submit.", false
			return r.s.rows.start(t.Rows.Source, r.s.sqlVersion(), false)
		}
	}
	r.toConfirm, r.confirmAt = onlineToConfirm(t.Databases()), 0
	if len(r.toConfirm) > 0 {
		r.mode = reviewConfirm
		r.confirm.SetValue("")
		r.notice = ""
		return r.confirm.Focus()
	}
	return r.submit()
}

// dbCheckingNotice is the review's answer to enter while a resumed draft's
// database is looked up in DMS.
const dbCheckingNotice = "DMS is confirming the draft's database and its environment; press enter again in a moment."

// onlineToConfirm are the online databases among dbs whose schema names are
// typed before a submit: each distinct name once, production first.
func onlineToConfirm(dbs []dms.Database) []dms.Database {
	var out []dms.Database
	seen := map[string]bool{}
	for _, env := range []dms.Env{dms.EnvProduct, dms.EnvPre} {
		for _, d := range dbs {
			if d.Env == env && !seen[d.SchemaName] {
				seen[d.SchemaName] = true
				out = append(out, d)
			}
		}
	}
	return out
}

// submit hands the request to the result step, which sends it once.
func (r *reviewStep) submit() tea.Cmd {
	r.s.submitRequest(submitMsg{req: r.req, key: r.reqKey})
	return nil
}

func (r *reviewStep) view() string {
	top, bottom := r.parts()
	var parts []string
	if top != "" {
		parts = append(parts, top)
	}
	parts = append(parts, r.vp.View())
	if bottom != "" {
		parts = append(parts, bottom)
	}
	return strings.Join(parts, "\n")
}

func (r *reviewStep) help() helpKeys {
	k := r.s.keys
	scroll := with(k.Up, "↑/↓", "scroll")
	ends := with(k.Top, "g/G", "top/bottom")
	switch r.mode {
	case reviewConfirm:
		return helpKeys{short: []key.Binding{with(k.Enter, "enter", "submit"), with(k.Back, "esc", "cancel")}}
	case reviewSave:
		return helpKeys{short: []key.Binding{with(k.Enter, "enter", "save"), with(k.Back, "esc", "cancel")}}
	case reviewStale:
		return helpKeys{short: []key.Binding{with(k.Yes, "y", "keep"), with(k.No, "n", "change it")}}
	case reviewCommand:
		short := []key.Binding{with(k.Command, "c/esc", "close"), with(k.Up, "↑/↓/←/→", "scroll"), ends}
		return helpKeys{short: short, full: [][]key.Binding{short, {k.PageUp, k.PageDown, with(k.Top, "home/g", "top"), with(k.Bottom, "end/G", "bottom")}}}
	}
	short := []key.Binding{with(k.Enter, "enter", "submit"), with(k.Edit, "e", "edit"), k.GoToStep, k.Command}
	if r.s.opts.Local {
		short = append(short, k.Save)
	}
	short = append(short, scroll)
	return helpKeys{short: short, full: [][]key.Binding{short, {k.PageUp, k.PageDown, with(k.Top, "home/g", "top"), with(k.Bottom, "end/G", "bottom")}}}
}

func (r *reviewStep) typing() bool { return r.mode == reviewConfirm || r.mode == reviewSave }
func (r *reviewStep) modal() bool  { return r.mode != reviewNormal }
