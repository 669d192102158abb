package tui

import (
	"context"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"dmsticket/dms"
	"dmsticket/theme"
	"dmsticket/tui/wizard"
)

// Step is a screen of the wizard: a step of wizard.Sequence.
type Step = wizard.Step

// The wizard's steps (wizard's, named here for the screens).
const (
	StepType, StepTenant, StepDatabase, StepSQL = wizard.StepType, wizard.StepTenant, wizard.StepDatabase, wizard.StepSQL
	StepDetails, StepReview, StepResult         = wizard.StepDetails, wizard.StepReview, wizard.StepResult
	StepTickets                                 = wizard.StepTickets
)

// Minimum terminal size the wizard draws in.
const (
	MinWidth  = 60
	MinHeight = 16
)

// The most the wizard draws: a window claimed larger (a client may say
// 2,000,000,000 rows) is drawn at this size, so a frame never costs more
// than a large real terminal's.
const (
	MaxWidth  = 1000
	MaxHeight = 500
)

// clampSize bounds a window size to what the wizard draws.
func clampSize(w, h int) (int, int) { return max(0, min(w, MaxWidth)), max(0, min(h, MaxHeight)) }

// step is one screen. Steps mutate themselves (pointer receivers) and ask the
// root for a change of step through the session (next, back, goTo, …), which
// the root applies before the next message.
type step interface {
	enter() tea.Cmd
	update(msg tea.Msg) tea.Cmd
	view() string
	help() helpKeys
	// typing reports that a text input has focus, so `?` is text, not help.
	typing() bool
	// modal reports that a dialog is open and esc belongs to it.
	modal() bool
}

// tenantsMsg carries the caller's tenants, loaded once at start.
type tenantsMsg struct {
	active dms.Tenant
	list   []dms.Tenant
	err    error
}

// NoticeMsg puts a banner above the header, e.g. the SSH server announcing
// that it is shutting down. An empty Text removes it.
type NoticeMsg struct{ Text string }

// Model is the wizard's root model.
type Model struct {
	s *session
	// burstEnters is how many enters of the last burst are still to come
	// (burstMsg).
	burstEnters int
	help        help.Model
	showHelp    bool
	step        Step
	steps       map[Step]step
	width       int
	height      int
	quitting    bool
	notice      string
	// held are keys typed while the step was holding an enter back.
	held  []tea.KeyMsg
	draft draftState
	// The header and footer as last drawn, and what they showed.
	hdrKey  headerKey
	hdrView string
	ftrKey  string
	ftrView string
}

// New builds the wizard. It draws with opts.Renderer (one per SSH session).
func New(opts Options) *Model {
	r := opts.Renderer
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	st := theme.New(r, opts.Mono)
	s := &session{opts: opts, st: st, svc: opts.Service, keys: DefaultKeyMap(), ticket: &dms.Ticket{}, created: map[string]int64{}}
	h := help.New()
	h.Styles = st.Help()
	h.ShortSeparator = " · "
	m := &Model{s: s, help: h, steps: map[Step]step{}, notice: opts.DraftNotice}
	m.draft = draftState{store: opts.Drafts, offer: opts.Draft, resumeYes: true}
	s.recordSubmission = m.submissionRecorder
	m.steps[StepTenant] = newTenantStep(s)
	m.steps[StepTickets] = newTicketsStep(s)
	m.reset()
	m.loadHistory()
	return m
}

// Ticket is the ticket being built (for tests and drafts).
func (m *Model) Ticket() dms.Ticket { return *m.s.ticket }

// CurrentStep is the step on screen.
func (m *Model) CurrentStep() Step { return m.step }

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd {
	if m.s.opts.CredentialsErr != nil {
		return nil
	}
	cmds := []tea.Cmd{m.loadTenants()}
	switch d := m.draft.offer; {
	case d != nil && d.Submission != nil:
		// It stopped while a ticket was on its way to DMS: no question, the
		// ticket is looked up before anything else can happen.
		m.draft.offer = nil
		cmds = append(cmds, m.resume(d))
	case d == nil:
		cmds = append(cmds, m.steps[m.step].enter())
	}
	return tea.Batch(cmds...)
}

func (m *Model) loadTenants() tea.Cmd { return loadTenants(m.s.svc) }

// loadTenants asks DMS for the active tenant and the list.
func loadTenants(svc dms.Service) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		active, err := svc.ActiveTenant(ctx)
		if err != nil {
			return tenantsMsg{err: err}
		}
		list, err := svc.Tenants(ctx)
		if err != nil {
			return tenantsMsg{active: active, err: err}
		}
		return tenantsMsg{active: active, list: list}
	}
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if b, ok := msg.(burstMsg); ok {
		m.burstEnters = b.enters
		return m, nil
	}
	msg = pastedEnter(asText(msg), &m.burstEnters)
	if k, ok := msg.(tea.KeyMsg); ok && m.tooSmallForKeys() && !key.Matches(k, m.s.keys.Quit) {
		// The screen says only that the window is too small: nothing is
		// done blind (a whole ticket could be typed and submitted unseen).
		return m, nil
	}
	if k, ok := msg.(tea.KeyMsg); ok && m.holding() && !key.Matches(k, m.s.keys.Quit) {
		// A step waits for an answer before it acts on an enter (the
		// database search): what is typed meanwhile is for what comes next;
		// esc gives the enter up.
		if key.Matches(k, m.s.keys.Back) {
			m.steps[m.step].(holder).releaseHold()
			m.held = nil
			return m, nil
		}
		m.held = append(m.held, k)
		return m, nil
	}
	rev := m.s.rev
	_, cmd := m.route(msg)
	if _, ok := msg.(tea.KeyMsg); ok {
		m.s.changed()
	}
	cmds := []tea.Cmd{cmd, m.replayHeld()}
	if m.s.rev != rev {
		// A key, or an answer that changed the ticket (each bumps the
		// revision where it writes): keep the draft (written only if it
		// differs from the last one).
		cmds = append(cmds, m.scheduleDraft())
	}
	return m, tea.Batch(cmds...)
}

// holder is a step that can hold an enter back until an answer arrives.
type holder interface {
	holding() bool
	releaseHold()
}

// holding reports whether the current step holds back an enter until an
// answer arrives; keys typed meanwhile are kept for after it.
func (m *Model) holding() bool {
	h, ok := m.steps[m.step].(holder)
	return ok && h.holding()
}

// replayHeld hands the keys kept while a step was holding to the program, in
// order, once it no longer holds.
func (m *Model) replayHeld() tea.Cmd {
	if m.tooSmallForKeys() && !m.holding() {
		m.held = nil // nothing is done blind (the window shrank meanwhile)
		return nil
	}
	var cmds []tea.Cmd
	for len(m.held) > 0 && !m.holding() {
		k := m.held[0]
		m.held = m.held[1:]
		_, cmd := m.route(k)
		m.s.changed()
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// route handles one message; Update adds the draft's bookkeeping.
func (m *Model) route(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case draftTickMsg:
		return m, m.writeDraft()
	case draftSavedMsg:
		if msg.err != nil && m.draft.err == nil {
			m.draft.err = msg.err
			m.notice = "The draft could not be saved: " + msg.err.Error()
			m.layout()
		}
		return m, nil
	case SubmittedMsg:
		if msg.OrderID != 0 {
			return m, m.removeDraft()
		}
		return m, nil
	case tea.WindowSizeMsg:
		msg.Width, msg.Height = clampSize(msg.Width, msg.Height)
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, m.updateStep(m.step, msg)
	case tea.KeyMsg:
		if msg.Type == tea.KeyCtrlV && !m.s.opts.Local {
			// bubbles' text inputs paste on ctrl+v from the clipboard of
			// the machine the program runs on (atotto/clipboard runs
			// xclip, xsel or wl-paste): over SSH, the server's, one process
			// a key. The client's own paste arrives as text.
			return m, nil
		}
		if key.Matches(msg, m.s.keys.Quit) {
			if res := m.steps[StepResult].(*resultStep); m.step == StepResult && res.sending() && !res.quitAsked {
				// Say what quitting means for the ticket first.
				res.quitAsked = true
				return m, nil
			}
			m.quitting = true
			_ = m.SaveDraft() // ctrl+c keeps the draft (and a submission in flight)
			return m, tea.Quit
		}
		if res := m.steps[StepResult].(*resultStep); res.quitAsked {
			res.quitAsked = false // any other key: wait for the answer
		}
		if m.draft.offer != nil {
			return m, m.updateResume(msg)
		}
		if m.s.opts.CredentialsErr != nil {
			if key.Matches(msg, m.s.keys.Close) {
				m.quitting = true
				return m, tea.Quit
			}
			return m, nil
		}
		cur := m.steps[m.step]
		if key.Matches(msg, m.s.keys.HelpAlways) || (key.Matches(msg, m.s.keys.Help) && !cur.typing()) {
			m.showHelp = !m.showHelp
			m.layout()
			return m, nil
		}
		if key.Matches(msg, m.s.keys.Back) && m.showHelp {
			// esc closes the help the screen shows, and only that: the
			// step is not left behind it.
			m.showHelp = false
			m.layout()
			return m, nil
		}
		if key.Matches(msg, m.s.keys.Back) && !cur.modal() {
			m.s.changed()
			return m, m.back()
		}
		return m, m.updateStep(m.step, msg)
	case tenantsMsg:
		m.s.tenantsLoaded = true
		m.s.tenantsErr = msg.err
		m.s.tenants = msg.list
		remembered := false // the tenant is the last ticket's, found in this list
		if m.s.ticket.Tenant.ID == 0 {
			m.s.tenantDefaulted = false // no tenant yet: none remembered, until pickTenant finds it
			m.s.ticket.Tenant = m.pickTenant(msg.active, msg.list)
			remembered = m.s.tenantDefaulted
			m.s.changed()
		}
		cmd := m.updateStep(StepTenant, msg)
		if m.step == StepTickets {
			cmd = tea.Batch(cmd, m.steps[StepTickets].enter()) // the tenant is known now
		}
		if m.step == StepTenant && (!m.needTenantStep() || remembered) {
			// The user was waiting on the tenant step for a single tenant,
			// or for the list to find the last ticket's tenant in it (the
			// header says which; esc from the database step changes it).
			m.step = StepType
			return m, m.enter(StepDatabase)
		}
		return m, cmd
	case NoticeMsg:
		m.notice = msg.Text
		m.layout()
		return m, nil
	case dbCheckedMsg:
		cmd := m.databaseChecked(msg)
		if m.step == StepReview {
			m.steps[StepReview].(*reviewStep).refresh()
		}
		return m, cmd
	}
	// Everything else (async answers, huh's internal messages, spinner
	// ticks) goes to the step that owns it, or the current one.
	if owner, ok := msg.(interface{ owner() Step }); ok {
		cmd := m.updateStep(owner.owner(), msg)
		switch m.step {
		case StepReview:
			m.steps[StepReview].(*reviewStep).refresh()
		case StepDetails:
			m.steps[StepDetails].(*detailsStep).fitForm() // an estimate's outcome takes room
		}
		return m, cmd
	}
	return m, m.updateStep(m.step, msg)
}

// pickTenant chooses the tenant to start with: --tenant, else the active one.
func (m *Model) pickTenant(active dms.Tenant, list []dms.Tenant) dms.Tenant {
	if id := m.s.opts.Tenant; id != 0 {
		for _, t := range list {
			if t.ID == id {
				return t
			}
		}
		return dms.Tenant{ID: id}
	}
	// The tenant of the user's last ticket, when they still belong to it.
	if d, ok := m.s.hist.Defaults(); ok {
		for _, t := range list {
			if t.ID == d.Tenant.ID {
				m.s.tenantDefaulted = len(list) > 1
				return t
			}
		}
	}
	return active
}

// needTenantStep reports whether the user must pick a tenant: more than one,
// and no --tenant.
// Until the tenants have loaded the step is kept, showing that it waits, and
// it moves on by itself if there turns out to be only one.
func (m *Model) needTenantStep() bool {
	return m.s.opts.Tenant == 0 && (!m.s.tenantsLoaded || m.s.tenantsErr != nil || len(m.s.tenants) > 1)
}

// sequence is the steps this ticket type walks through, in order.
func (m *Model) sequence() []Step { return wizard.Sequence(m.s.ticket.Type, m.needTenantStep()) }

func (m *Model) indexOf(s Step) int {
	for i, x := range m.sequence() {
		if x == s {
			return i
		}
	}
	return -1
}

func (m *Model) forward() tea.Cmd {
	seq := m.sequence()
	i := m.indexOf(m.step)
	if i < 0 || i+1 >= len(seq) {
		return nil
	}
	var cmds []tea.Cmd
	if m.step == StepSQL {
		cmds = append(cmds, m.steps[StepSQL].(*sqlStep).leaving())
	}
	next := seq[i+1]
	if next == StepTenant && m.s.tenantDefaulted && m.s.ticket.Tenant.ID != 0 && i+2 < len(seq) {
		// The tenant is the last ticket's (the header says which); esc
		// from the database step changes it.
		next = seq[i+2]
	}
	cmds = append(cmds, m.enter(next))
	return tea.Batch(cmds...)
}

func (m *Model) back() tea.Cmd {
	seq := m.sequence()
	i := m.indexOf(m.step)
	if m.step == StepResult {
		if m.steps[StepResult].(*resultStep).viewing() {
			return m.enter(StepTickets)
		}
		return m.enter(StepReview)
	}
	if m.step == StepTickets {
		return m.enter(StepType)
	}
	if i <= 0 {
		return nil
	}
	return m.enter(seq[i-1])
}

// enter makes s the current step. Steps a type does not use are skipped.
func (m *Model) enter(s Step) tea.Cmd {
	if m.indexOf(s) < 0 && s != StepTickets && !(s == StepResult && m.steps[StepResult].(*resultStep).viewing()) {
		return nil
	}
	m.step = s
	m.showHelp = false
	m.layout()
	return m.steps[s].enter()
}

// newTicket starts over, keeping the tenant.
func (m *Model) newTicket() tea.Cmd {
	tenant := m.s.ticket.Tenant
	*m.s.ticket = dms.Ticket{Tenant: tenant}
	// The tenant stays; the tenant step is not asked again.
	m.s.tenantDefaulted = tenant.ID != 0 && len(m.s.tenants) > 1
	m.s.relatedDefaulted = false
	// A new ticket is a new intention: the same request again is another
	// ticket (the guard is against one review filing twice).
	m.s.created = map[string]int64{}
	m.reset()
	return m.enter(StepType)
}

// reset builds fresh steps for a new ticket (the tenant step keeps its list).
func (m *Model) reset() {
	s := m.s
	m.steps[StepType] = newTypeStep(s)
	m.steps[StepDatabase] = newDatabaseStep(s)
	q := newSQLStep(s)
	m.steps[StepSQL] = q
	if s.rows != nil && s.rows.cancel != nil {
		s.rows.cancel() // the last ticket's measurement is nobody's now
	}
	s.rows = newRowsEstimate(s)
	s.statements = 0
	s.sqlVersion = q.ed.Version
	m.steps[StepDetails] = newDetailsStep(s)
	m.steps[StepReview] = newReviewStep(s)
	m.steps[StepResult] = newResultStep(s)
}

// layout gives the body its size: the window less header and footer.
func (m *Model) layout() {
	m.help.Width = m.width
	m.s.width = m.width
	m.s.height = max(0, m.height-lipgloss.Height(m.header())-lipgloss.Height(m.footer()))
	if d, ok := m.steps[StepDetails].(*detailsStep); ok && m.step == StepDetails {
		d.fitForm() // the help or a notice took room, or gave it back
	}
}

// View implements tea.Model.
func (m *Model) View() string {
	if m.quitting {
		return ""
	}
	if m.width == 0 {
		return ""
	}
	if m.width < MinWidth || m.height < MinHeight {
		return m.tooSmall()
	}
	if e := m.s.opts.CredentialsErr; e != nil {
		return fit(m.noCredentials(e), m.width, m.height)
	}
	m.s.widths.frame()
	if m.draft.offer != nil {
		return m.s.widths.stack(m.header(), m.resumeView(), m.footer(), m.width, m.s.height)
	}
	return m.s.widths.stack(m.header(), m.steps[m.step].view(), m.footer(), m.width, m.s.height)
}

// stack is the screen: the header, the body fit to exactly h lines of at
// most w cells, and the footer, every line padded with spaces to the widest
// — what lipgloss.JoinVertical(lipgloss.Left, header, fit(body, w, h),
// footer) gives, with each line measured once instead of three times (a
// frame's largest cost after the step's own view, in every SSH session).
func (c *lineWidths) stack(header, body, footer string, w, h int) string {
	lines := strings.Split(header, "\n")
	top := len(lines)
	b := strings.Split(body, "\n")
	if len(b) > h {
		b = b[:h]
	}
	lines = append(lines, b...)
	for i := len(b); i < h; i++ {
		lines = append(lines, "")
	}
	if len(b) == 0 && h == 0 {
		lines = append(lines, "") // JoinVertical's one line for an empty block
	}
	bottom := len(lines)
	lines = append(lines, strings.Split(footer, "\n")...)
	widths := make([]int, len(lines))
	widest, size := 0, 0
	for i, l := range lines {
		lw := c.width(l)
		if i >= top && i < bottom && lw > w {
			lines[i] = truncate(l, w)
			lw = c.width(lines[i])
		}
		widths[i], widest = lw, max(widest, lw)
		size += len(lines[i]) + 1
	}
	var out strings.Builder
	out.Grow(size + len(lines)*widest/4)
	for i, l := range lines {
		if i > 0 {
			out.WriteByte('\n')
		}
		out.WriteString(l)
		pad(&out, widest-widths[i])
	}
	return out.String()
}

// spaces pads lines (stack).
var spaces = strings.Repeat(" ", 256)

// tooSmallForKeys reports whether the window is too small to draw the
// wizard, or its size is not known yet (nothing is drawn): keys other than
// ctrl+c are then dropped, as nothing on screen says what they would do.
func (m *Model) tooSmallForKeys() bool {
	return m.width < MinWidth || m.height < MinHeight
}

func (m *Model) tooSmall() string {
	msg := []string{
		m.s.st.Title.Render("dmsticket needs a larger window"),
		"",
		m.s.st.Subtle.Render("at least " + itoa(MinWidth) + "×" + itoa(MinHeight) + ";"),
		m.s.st.Subtle.Render("this one is " + itoa(m.width) + "×" + itoa(m.height)),
		"",
		m.s.st.Faint.Render("keys do nothing until it is larger;"),
		m.s.st.Faint.Render("ctrl+c quits (the draft is kept)"),
	}
	return fit(lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center,
		lipgloss.JoinVertical(lipgloss.Center, clipLines(msg, m.width)...)), m.width, m.height)
}

// footer is the keys that work here; drawn again only when they change.
func (m *Model) footer() string {
	keys := m.footerKeys()
	var kb strings.Builder
	kb.WriteString(itoa(m.width))
	if m.showHelp {
		kb.WriteString("?")
	}
	put := func(b key.Binding) {
		h := b.Help()
		kb.WriteByte(0)
		kb.WriteString(h.Key)
		kb.WriteByte(1)
		kb.WriteString(h.Desc)
	}
	for _, g := range keys.FullHelp() {
		for _, b := range g {
			put(b)
		}
		kb.WriteByte(2)
	}
	for _, b := range keys.short {
		put(b)
	}
	if k := kb.String(); k != m.ftrKey || m.ftrView == "" {
		m.ftrKey, m.ftrView = k, m.drawFooter(keys)
	}
	return m.ftrView
}

func (m *Model) footerKeys() helpKeys {
	keys := m.steps[m.step].help()
	if m.draft.offer != nil {
		keys = resumeKeys(m.s.keys)
	}
	helpKey := "?"
	if m.steps[m.step].typing() {
		helpKey = "f1" // where `?` is text
	}
	keys.short = append(keys.short, with(m.s.keys.Help, helpKey, "help"))
	return keys
}

func (m *Model) drawFooter(keys helpKeys) string {
	if m.showHelp {
		full := keys.FullHelp()
		common := []key.Binding{m.s.keys.Quit, with(m.s.keys.Help, "?/f1", "close help")}
		if !hasKey(full, "esc") {
			common = append([]key.Binding{m.s.keys.Back}, common...)
		}
		full = dedupe(append(full, common))
		return strings.Join(clipLines(strings.Split(m.help.FullHelpView(full), "\n"), m.width), "\n")
	}
	// bubbles' help does not always cut a line that is too long: cut it here.
	return truncate(m.help.ShortHelpView(keys.short), m.width)
}

func hasKey(groups [][]key.Binding, k string) bool {
	for _, g := range groups {
		for _, b := range g {
			for _, x := range b.Keys() {
				if x == k {
					return true
				}
			}
		}
	}
	return false
}

// fit pads or cuts s to exactly h lines of at most w cells.
func fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(clipLines(lines, w), "\n")
}

func clipLines(lines []string, w int) []string {
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = truncate(l, w)
		}
	}
	return lines
}
