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
	reqKey   string // the request's JSON: what "this review" is
	problems dms.Problems
	stale    bool // the row figure was measured for other SQL (computed in refresh, not per frame)
	// jsonFor and jsonView cache the highlighted JSON: it is drawn once per
	// review, not per frame.
	jsonFor  string
	jsonView string
	confirm  textinput.Model
	path     textinput.Model
	notice   string
	noticeOK bool
}

func newReviewStep(s *session) *reviewStep {
	return &reviewStep{
		s: s, vp: reviewViewport(),
		confirm: newInput(s, "Schema name: ", ""),
		path:    newInput(s, "Save to: ", "path of the ticket file"),
	}
}

// reviewViewport scrolls the JSON (and the aliyun command) up and down and,
// for the command's long lines, sideways.
func reviewViewport() viewport.Model {
	vp := viewport.New(0, 0)
	vp.SetHorizontalStep(8)
	return vp
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
	r.stale = t.Rows.Known() && t.Rows.SQLHash != "" && t.Rows.SQLHash != dms.SQLHash(t.SQL)
	r.req = dms.OrderRequest{
		Tid: t.Tenant.ID, PluginType: t.Type, PluginParam: t.PluginParam(),
		RelatedUserList: dms.FormatUserIDs(r.relatedUsers()), AttachmentKey: t.AttachmentKey, Comment: t.Comment,
	}
	pretty := dms.PluginParamPretty(r.req.PluginParam)
	r.reqKey = reviewKey(r.req)
	if key := pretty + "\x00" + itoa(r.s.width); key != r.jsonFor {
		// Highlighted once per review (and width): long values such as the
		// SQL wrap, so every byte of the request is on screen.
		r.jsonFor = key
		r.jsonView = ansi.Hardwrap(highlightJSON(r.s, pretty), max(20, r.s.width), true)
	}
	r.layout()
	r.vp.SetContent(r.jsonView)
}

// reviewKey is what "this review" is: the request's hash. One review
// creates at most one ticket.
func reviewKey(req dms.OrderRequest) string { return dms.RequestHash(req) }

// relatedUsers is the ticket's related users plus, over SSH, the signed-in
// user's DMS ID.
func (r *reviewStep) relatedUsers() []int64 {
	ids := r.s.ticket.RelatedUsers
	if u := r.s.opts.User; u != nil && u.DMSUserID != 0 {
		ids = dms.WithUser(ids, u.DMSUserID)
	}
	return ids
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
		lines = append(lines, row("Database", st.Value.Render(inert.Line(t.Database.Name()))+" "+envBadge(st, t.Database.Env)))
	}
	if tt.Has(dms.StepSQL) {
		n := len(q(r.s).stmts)
		lc := strings.Count(strings.TrimRight(t.SQL, "\n"), "\n") + 1
		sql := st.Value.Render(plural(n, "statement") + ", " + plural(lc, "line"))
		if tt.AffectRows {
			sql += sep + st.Subtle.Render("rows ") + r.rowsValue()
		}
		lines = append(lines, row("SQL", sql))
	}
	lines = append(lines, row("Comment", st.Value.Render(inert.Line(t.Comment))))
	rel := r.req.RelatedUserList
	if rel == "" {
		rel = "none"
	}
	extra := ""
	if t.AttachmentKey != "" {
		extra = sep + st.Subtle.Render("attachment ") + st.Value.Render(inert.Line(t.AttachmentKey))
	}
	lines = append(lines, row("Related", st.Value.Render(strings.ReplaceAll(rel, ",", ", "))+extra))
	return lines
}

// plural is "1 line", "2 lines".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return itoa(n) + " " + word + "s"
}

func (r *reviewStep) rowsValue() string {
	st := r.s.st
	t := r.s.ticket
	sq := q(r.s)
	switch {
	case t.IgnoreAffectRows:
		return st.Warn.Render("check ignored: ") + st.Value.Render(inert.Line(t.IgnoreAffectRowsReason))
	case sq.est.running:
		return st.Info.Render("measuring… (enter waits for it)")
	case !t.Rows.Known():
		return st.Error.Render("no figure")
	}
	v := st.Value.Render(Thousands(t.Rows.Total)) + st.Subtle.Render(" · "+t.Rows.Source.Label())
	if !t.Rows.At.IsZero() {
		v += st.Faint.Render(" at " + t.Rows.At.Local().Format("15:04:05"))
	}
	if r.stale {
		v += " " + st.Warn.Render("stale")
	}
	return v
}

// q is the session's SQL step.
func q(s *session) *sqlStep { return s.sql }

func (r *reviewStep) layout() {
	used := len(r.summaryLines()) + 4 + r.extraLines()
	r.vp.Width = r.s.width
	r.vp.Height = max(1, r.s.height-used)
}

// extraLines is how many lines the problems, notices and dialogs take.
func (r *reviewStep) extraLines() int {
	n := 1
	if len(r.problems) > 0 {
		n += min(len(r.problems), 3) + 1
	}
	if r.mode != reviewNormal && r.mode != reviewCommand {
		n += 2
	}
	return n
}

func (r *reviewStep) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case savedMsg:
		if msg.err != nil {
			r.notice, r.noticeOK = "Not saved: "+inert.Line(msg.err.Error()), false
		} else {
			r.notice, r.noticeOK = "Saved "+inert.Line(msg.path)+" (mode 0600); submit it later with dmsticket create --from.", true
		}
		return nil
	case tea.WindowSizeMsg:
		r.refresh()
		return nil
	case tea.KeyMsg:
		return r.key(msg)
	}
	return nil
}

func (r *reviewStep) key(msg tea.KeyMsg) tea.Cmd {
	k := r.s.keys
	switch r.mode {
	case reviewConfirm:
		switch msg.String() {
		case "esc":
			r.mode = reviewNormal
			r.layout()
			return nil
		case "enter":
			// The name as the screen shows it (cleaned of escapes, its
			// invisible characters spelled out) is what the user can type.
			if typed := r.confirm.Value(); typed != inert.Line(r.s.ticket.Database.SchemaName) && typed != r.s.ticket.Database.SchemaName {
				r.notice, r.noticeOK = "That is not the schema name; type it exactly, or esc to cancel.", false
				return nil
			}
			r.mode = reviewNormal
			return r.submit()
		}
		var cmd tea.Cmd
		r.confirm, cmd = r.confirm.Update(msg)
		return cmd
	case reviewSave:
		switch msg.String() {
		case "esc":
			r.mode = reviewNormal
			r.layout()
			return nil
		case "enter":
			r.mode = reviewNormal
			r.layout()
			return r.save(strings.TrimSpace(r.path.Value()))
		}
		var cmd tea.Cmd
		r.path, cmd = r.path.Update(msg)
		return cmd
	case reviewStale:
		switch msg.String() {
		case "y", "Y":
			r.s.ticket.Rows.SQLHash = dms.SQLHash(r.s.ticket.SQL)
			r.mode = reviewNormal
			r.refresh()
			return nil
		case "n", "N", "esc":
			r.mode = reviewNormal
			r.s.goTo(StepDetails)
			return nil
		}
		return nil
	case reviewCommand:
		switch {
		case key.Matches(msg, k.Command), msg.String() == "esc", msg.String() == "q":
			r.mode = reviewNormal
			r.vp.SetContent(r.jsonView)
			r.vp.GotoTop()
			return nil
		}
		var cmd tea.Cmd
		r.vp, cmd = r.vp.Update(msg)
		return cmd
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
		text, exact := ShellCommandText(dms.AliyunCommandLines(r.req, to))
		note := dms.AliyunCredentialsNote(to)
		if !exact {
			note += " The comment or SQL holds control characters, removed here for display: this command is not exact; a ticket file keeps them."
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
		r.layout()
		return r.path.Focus()
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
	path string
	err  error
}

func (savedMsg) owner() Step { return StepReview }

// save writes the request as a ticket file, in a command: disk work stays out
// of Update.
func (r *reviewStep) save(path string) tea.Cmd {
	if path == "" {
		r.notice, r.noticeOK = "No path given; nothing saved.", false
		return nil
	}
	t := *r.s.ticket
	t.RelatedUsers = r.relatedUsers()
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
	sq := q(r.s)
	if len(r.problems) > 0 {
		r.notice, r.noticeOK = "Fix the problems above first (the step numbers take you there).", false
		return nil
	}
	if r.s.dbChecking {
		r.notice, r.noticeOK = "DMS is confirming the draft's database and its environment; press enter again in a moment.", false
		return nil
	}
	if id, ok := r.s.created[r.reqKey]; ok {
		r.notice, r.noticeOK = fmt.Sprintf("This exact request already created ticket %d. Change something, or press n on the result for a new ticket.", id), false
		return nil
	}
	tt, _ := dms.LookupType(t.Type)
	if tt.AffectRows && !t.IgnoreAffectRows {
		if sq.est.running {
			r.notice, r.noticeOK = "The row figure is still being measured; press enter again when it shows.", false
			return nil
		}
		if t.Rows.Source == dms.RowsManual && t.Rows.SQLHash != "" && t.Rows.SQLHash != dms.SQLHash(t.SQL) {
			r.mode = reviewStale
			r.layout()
			return nil
		}
		if t.Rows.StaleFor(t.SQL) {
			r.notice, r.noticeOK = "The SQL changed since the rows were measured: measuring again, then press enter to submit.", false
			return sq.startEstimate(t.Rows.Source)
		}
	}
	if t.Database.Env.Online() {
		r.mode = reviewConfirm
		r.confirm.SetValue("")
		r.notice = ""
		r.layout()
		return r.confirm.Focus()
	}
	return r.submit()
}

// submit hands the request to the result step, which sends it once.
func (r *reviewStep) submit() tea.Cmd {
	r.s.submitRequest(submitMsg{req: r.req, key: r.reqKey})
	return nil
}

func (r *reviewStep) view() string {
	st := r.s.st
	w := r.s.width
	var b strings.Builder
	b.WriteString(st.Title.Render("Review") + st.Subtle.Render(" · the request exactly as it will be sent") + "\n")
	for _, l := range r.summaryLines() {
		b.WriteString(l + "\n")
	}
	if len(r.problems) > 0 {
		b.WriteString(st.Error.Bold(true).Render("Not ready:") + "\n")
		for i, p := range r.problems {
			if i == 3 {
				break
			}
			b.WriteString(st.Error.Render(truncate("  ✗ "+inert.Line(p.String()), w)) + "\n")
		}
	}
	title := "PluginParam"
	if r.mode == reviewCommand {
		title = "aliyun command · sent to the clipboard (OSC 52) if the terminal allows"
	}
	pct := ""
	if r.vp.TotalLineCount() > r.vp.Height {
		pct = fmt.Sprintf(" %3.0f%%", r.vp.ScrollPercent()*100)
	}
	rule := max(0, w-lipgloss.Width(title)-lipgloss.Width(pct)-4)
	b.WriteString(st.PanelTitle.Render("── "+title+" ") + st.Rule.Render(strings.Repeat("─", rule)) + st.Faint.Render(pct) + "\n")
	b.WriteString(r.vp.View() + "\n")
	switch r.mode {
	case reviewConfirm:
		b.WriteString(st.Warning.Render(truncate(fmt.Sprintf("%s database: type its schema name, %s, to submit.",
			capitalize(r.s.ticket.Database.Env.Label()), inert.Line(r.s.ticket.Database.SchemaName)), w)) + "\n")
		b.WriteString(r.confirm.View() + "\n")
	case reviewSave:
		b.WriteString(st.Subtle.Render("Save the request as a ticket file (mode 0600):") + "\n" + r.path.View() + "\n")
	case reviewStale:
		b.WriteString(st.Warn.Render(truncate(fmt.Sprintf("The figure you entered (%s rows) was for earlier SQL. Keep it? y keeps it, n goes to Details.", Thousands(r.s.ticket.Rows.Total)), w)) + "\n\n")
	}
	if r.notice != "" {
		style := st.Error
		if r.noticeOK {
			style = st.Success
		}
		b.WriteString(style.Render(truncate(r.notice, w)))
	}
	return b.String()
}

func (r *reviewStep) help() helpKeys {
	k := r.s.keys
	switch r.mode {
	case reviewConfirm:
		return helpKeys{short: []key.Binding{with(k.Enter, "enter", "submit"), with(k.Back, "esc", "cancel")}}
	case reviewSave:
		return helpKeys{short: []key.Binding{with(k.Enter, "enter", "save"), with(k.Back, "esc", "cancel")}}
	case reviewStale:
		return helpKeys{short: []key.Binding{key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "keep")), key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "change it"))}}
	case reviewCommand:
		return helpKeys{short: []key.Binding{with(k.Command, "c/esc", "close"), with(k.Up, "↑/↓/←/→", "scroll")}}
	}
	short := []key.Binding{with(k.Enter, "enter", "submit"), with(k.Edit, "e", "edit"), k.GoToStep, k.Command}
	if r.s.opts.Local {
		short = append(short, k.Save)
	}
	short = append(short, with(k.Up, "↑/↓", "scroll"))
	return helpKeys{short: short}
}

func (r *reviewStep) typing() bool { return r.mode == reviewConfirm || r.mode == reviewSave }
func (r *reviewStep) modal() bool  { return r.mode != reviewNormal }
