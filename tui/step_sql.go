package tui

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"dmsticket/dms"
	"dmsticket/dms/inert"
	"dmsticket/dms/sqlscript"
	"dmsticket/tui/editor"
	"dmsticket/tui/wizard"
)

// checkDelay is how long typing must pause before the statement checks run.
const checkDelay = 120 * time.Millisecond

type (
	checkTickMsg   struct{ ofSQL }
	checkResultMsg struct {
		ofSQL
		from     *sqlStep // the step that asked: a new ticket's has another editor
		version  uint64
		key      string // checkKey when it was asked for
		sql      string
		stmts    []sqlscript.Statement
		problems dms.Problems
		hash     string // dms.SQLHash(sql), for stale()
	}
	// rollbackCountMsg is the rollback script's statement count and
	// problems.
	rollbackCountMsg struct {
		ofSQL
		from     *sqlStep
		version  uint64
		key      string // checkKey when it was asked for
		sql      string
		stmts    []sqlscript.Statement
		problems dms.Problems
	}
	fileLoadedMsg struct {
		ofSQL
		path string
		text string
		err  error
		// edited says the text is the editor's own SQL, edited in
		// $EDITOR: it replaces the buffer without asking.
		edited bool
	}
)

// sqlStep is the SQL editor with live statement checks and the affected-row
// panel.
type sqlStep struct {
	s        *session
	ed       editor.Model
	checked  uint64 // editor version the checks are for
	stmts    []sqlscript.Statement
	problems dms.Problems
	// checkedFor is what the checks were run for besides the text (the
	// dialect and the type), checkedText the text and checkedHash its
	// dms.SQLHash.
	checkedFor  string
	checkedText string
	checkedHash string
	notice      string // a one-line message (file loaded, refused to continue, …)
	noticeErr   bool
	opening     bool // the ctrl+o path prompt is open
	path        textinput.Model
	// pendingFile is a file read by ctrl+o, waiting for the user to agree
	// to replace the editor's SQL with it.
	pendingFile *fileLoadedMsg
	loadedFor   string // the dialect the editor was set up for
	loaded      bool   // the editor holds the ticket's SQL
	// staleVal caches stale() for the checked text (staleFor) and the
	// figure (staleHash).
	staleFor  uint64
	staleHash string
	staleVal  bool
	pause     debouncer
	// rb is the rollback script's editor, for a type that carries one
	// (ctrl+b switches to it and back); rollback says it is the one shown.
	// fileForRollback says which editor a file being opened or edited
	// outside goes to.
	rb              editor.Model
	rollback        bool
	fileForRollback bool
	// rbStatements is the rollback script's statement count, and
	// rbProblems its statements of kinds the type does not take, counted in
	// the background for the editor's version rbCounted and checkKey
	// rbCountedFor (in the first database's dialect, as the change's).
	rbStatements int
	rbProblems   dms.Problems
	rbCounted    uint64
	rbCountedFor string
}

// active is the editor shown: the change's, or the rollback script's.
func (q *sqlStep) active() *editor.Model {
	if q.rollback {
		return &q.rb
	}
	return &q.ed
}

func newSQLStep(s *session) *sqlStep {
	st := s.st
	styles := editor.Styles{
		Text: st.EditorText, LineNumber: st.LineNumber, CursorLineNumber: st.CursorLineNumber,
		Cursor: st.EditorCursor, Placeholder: st.Placeholder, Gutter: st.EditorGutter, Mark: st.EditorMark,
		Syntax: st.Syntax,
	}
	ed, rb := editor.New(styles), editor.New(styles)
	// Either holds what a ticket can: over SSH a session's text is the
	// server's memory.
	ed.SetLimit(dms.MaxSQLBytes)
	rb.SetLimit(dms.MaxSQLBytes)
	rb.SetPlaceholder("optional: the statements that undo the change, e.g. UPDATE … SET status = 'paid' WHERE …;")
	return &sqlStep{s: s, ed: ed, rb: rb, path: newInput(s, "Open: ", "path to a .sql file"),
		pause: debouncer{wait: checkDelay, msg: checkTickMsg{}}}
}

func (q *sqlStep) ticketType() dms.TicketType {
	tt, _ := dms.LookupType(q.s.ticket.Type)
	return tt
}

func (q *sqlStep) enter() tea.Cmd {
	// Text typed just before the step was left (esc) may not be in the
	// ticket yet: it is, before the editors are compared with the ticket.
	q.sync()
	d := q.s.ticket.Database.Dialect().Name()
	if q.loadedFor != d {
		q.ed.SetDialect(q.s.ticket.Database.Dialect())
		q.loadedFor = d
	}
	if q.ed.Value() != q.s.ticket.SQL {
		q.ed.SetValue(q.s.ticket.SQL)
	}
	q.ed.SetPlaceholder(cmp.Or(q.ticketType().SQLShape, "SELECT … FROM … WHERE …;") + "   (ctrl+o opens a .sql file)")
	if q.ticketType().Rollback {
		q.rb.SetDialect(q.s.ticket.Database.Dialect())
		if q.rb.Value() != q.s.ticket.RollbackSQL {
			q.rb.SetValue(q.s.ticket.RollbackSQL)
		}
	}
	q.rollback = false // the change first, each time the step is entered
	q.staleHash = ""   // the databases may have changed since: stale() asks again
	q.loaded = true
	q.resize()
	q.active().Focus()
	return q.scheduleCheck()
}

// wide reports whether the panel goes beside the editor rather than below.
func (q *sqlStep) wide() bool { return q.s.width >= 110 }

func (q *sqlStep) panelWidth() int { return min(46, q.s.width/3) }

// maxPanelLines bounds the panel below the editor on narrow screens.
const maxPanelLines = 8

func (q *sqlStep) resize() {
	w, h := q.s.width, q.s.height
	if q.wide() {
		q.ed.SetSize(w-q.panelWidth()-1, max(3, h-2))
		q.rb.SetSize(w-q.panelWidth()-1, max(3, h-2))
		return
	}
	ph := q.panelHeight() // the panel drawn once to measure it, not once per editor
	q.ed.SetSize(w, max(3, h-2-ph))
	q.rb.SetSize(w, max(3, h-2-ph))
}

// panelHeight is how many lines the panel takes below the editor: what it
// has to say, within bounds, leaving the editor at least five lines.
func (q *sqlStep) panelHeight() int { return q.heightOf(q.panel(q.s.width)) }

// heightOf is panelHeight for the panel as drawn.
func (q *sqlStep) heightOf(panel string) int {
	return max(0, min(lipgloss.Height(panel), maxPanelLines, q.s.height-2-5))
}

func (q *sqlStep) scheduleCheck() tea.Cmd { return q.pause.touch() }

// check splits and checks the script in the background, and counts the
// rollback script's statements, each only if it changed since. Nothing of
// it grows with the text on the program's goroutine: the text is taken as
// an editor.Text and joined in the command, where splitting, checking and
// hashing 4 MiB cost no keystroke.
func (q *sqlStep) check() tea.Cmd {
	if !q.loaded {
		// The editor does not hold the ticket's SQL (it is given it on
		// entering the step): a timer of the last ticket's, nothing to
		// check, and nothing of the editor's to copy into this ticket.
		return nil
	}
	var cmds []tea.Cmd
	if v := q.ed.Version(); v != q.checked || q.checkedFor != q.checkKey() {
		text, d, dbs, tt, key := q.ed.Text(), q.s.ticket.Database.Dialect(), q.s.ticket.Databases(), q.ticketType(), q.checkKey()
		cmds = append(cmds, func() tea.Msg {
			sql := text.String()
			stmts := sqlscript.Statements(sql, d)
			return checkResultMsg{from: q, version: v, key: key, sql: sql, stmts: stmts, problems: tt.CheckSplit(sql, stmts, dbs), hash: dms.SQLHash(sql)}
		})
	}
	if v := q.rb.Version(); q.ticketType().Rollback && (v != q.rbCounted || q.rbCountedFor != q.checkKey()) {
		text, d, dbs, tt, key := q.rb.Text(), q.s.ticket.Database.Dialect(), q.s.ticket.Databases(), q.ticketType(), q.checkKey()
		cmds = append(cmds, func() tea.Msg {
			sql := text.String()
			return rollbackCountMsg{from: q, version: v, key: key, sql: sql, stmts: sqlscript.Statements(sql, d),
				problems: tt.CheckRollback(sql, dbs)}
		})
	}
	return tea.Batch(cmds...)
}

// checkKey is what the checks depend on besides the text: the type, and
// the dialect of each database the script runs on (it is read by each).
func (q *sqlStep) checkKey() string {
	key := q.s.ticket.Type
	for _, db := range q.s.ticket.Databases() {
		key += " " + db.Dialect().Name()
	}
	return key
}

// recheck runs the statement checks now, on the text the ticket holds: when
// the wizard moves on it must not wait for the debounced check. Checks
// already run for this text are kept.
func (q *sqlStep) recheck() {
	d := q.s.ticket.Database.Dialect()
	if q.checked != q.ed.Version() || q.checkedFor != q.checkKey() || q.checkedText != q.s.ticket.SQL {
		q.stmts = sqlscript.Statements(q.s.ticket.SQL, d)
		q.problems = q.ticketType().CheckSplit(q.s.ticket.SQL, q.stmts, q.s.ticket.Databases())
		q.checked, q.checkedFor, q.checkedText, q.checkedHash = q.ed.Version(), q.checkKey(), q.s.ticket.SQL, dms.SQLHash(q.s.ticket.SQL)
	}
	q.s.statements = len(q.stmts)
	if q.ticketType().Rollback && (q.rbCounted != q.rb.Version() || q.rbCountedFor != q.checkKey()) {
		sql := q.rb.Value()
		stmts := sqlscript.Statements(sql, d)
		q.rbStatements, q.rbProblems = len(stmts), q.ticketType().CheckRollback(sql, q.s.ticket.Databases())
		q.rbCounted, q.rbCountedFor = q.rb.Version(), q.checkKey()
		q.rb.SetMarks(problemMarks(q.rbProblems))
	}
}

// sync copies the editor's text into the ticket, once the editor holds the
// ticket's SQL (it is loaded on entering the step).
func (q *sqlStep) sync() {
	if !q.loaded {
		return
	}
	if v := q.ed.Value(); v != q.s.ticket.SQL {
		q.s.ticket.SQL = v
	}
	if q.ticketType().Rollback {
		if v := q.rb.Value(); v != q.s.ticket.RollbackSQL {
			q.s.ticket.RollbackSQL = v
			q.s.changed()
		}
	}
}

// stale reports whether the ticket's figure was obtained for other SQL.
func (q *sqlStep) stale() bool {
	r := q.s.ticket.Rows
	if !r.Known() {
		return false
	}
	if q.ed.Version() != q.checked {
		return true
	}
	// Hashing the script is not for every frame: the checks hashed it in
	// the background; cache the answer per figure and text.
	if q.staleFor != q.checked || q.staleHash != r.SQLHash {
		q.staleFor, q.staleHash = q.checked, r.SQLHash
		q.staleVal = rowsStale(*q.s.ticket, q.checkedHash)
	}
	return q.staleVal
}

// rowsStale is t.RowsStale() for SQL whose dms.SQLHash is sqlHash, without
// hashing t.SQL again.
func rowsStale(t dms.Ticket, sqlHash string) bool {
	if r := t.Rows; r.Known() && r.Source != dms.RowsManual && r.SQLHash != sqlHash {
		return true
	}
	// The figure is for this SQL: what is left to compare is the databases.
	t.SQL, t.Rows.SQLHash = "", emptySQLHash
	return t.RowsStale()
}

// emptySQLHash is dms.SQLHash("").
var emptySQLHash = dms.SQLHash("")

// leaving is called when the wizard moves on from the SQL step: the ticket
// gets the text, and a missing or stale estimate is started in the background.
func (q *sqlStep) leaving() tea.Cmd {
	q.sync()
	q.recheck()
	t := q.s.ticket
	if !q.ticketType().AffectRows || t.IgnoreAffectRows || q.s.rows.running() {
		return nil
	}
	if !t.Rows.Known() || rowsStale(*t, q.checkedHash) {
		method := dms.RowsExplain
		if t.Rows.Source == dms.RowsCount {
			method = dms.RowsCount
		}
		return q.s.rows.start(method, q.ed.Version(), true)
	}
	return nil
}

// measure measures the editor's SQL in the background (ctrl+r, ctrl+t).
func (q *sqlStep) measure(method dms.RowSource) tea.Cmd {
	q.sync()
	return q.s.rows.start(method, q.ed.Version(), false)
}

// refuseToMeasure keeps statements the ticket type does not accept away from
// the database: they are named instead of measured.
func (q *sqlStep) refuseToMeasure() bool {
	q.sync()
	q.recheck()
	if len(q.problems) == 0 {
		return false
	}
	q.s.rows.refuse(q.problems[0], q.ed.Version())
	return true
}

func (q *sqlStep) update(msg tea.Msg) tea.Cmd {
	if _, ok := msg.(checkTickMsg); ok {
		if ready, again := q.pause.fire(); !ready {
			return again // typing goes on: nothing changed, no panel to measure
		}
	}
	cmd := q.handle(msg)
	q.resize() // the panel below the editor grows and shrinks with what it says
	return cmd
}

func (q *sqlStep) handle(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		return nil
	case checkTickMsg:
		return q.check() // the pause is over (update)
	case checkResultMsg:
		if msg.from != q || !q.loaded || msg.version != q.ed.Version() || msg.key != q.checkKey() {
			// For other text, or other databases or another type since:
			// the check asked for them (check) is the one to take.
			return nil
		}
		q.checked, q.stmts, q.problems = msg.version, msg.stmts, msg.problems
		q.checkedFor, q.checkedText, q.checkedHash = msg.key, msg.sql, msg.hash
		q.s.statements = len(msg.stmts)
		if q.s.ticket.SQL != msg.sql {
			q.s.ticket.SQL = msg.sql
			q.s.changed()
		}
		q.ed.SetMarks(problemMarks(q.problems))
		return nil
	case rollbackCountMsg:
		if msg.from != q || !q.loaded || msg.version != q.rb.Version() || msg.key != q.checkKey() {
			return nil
		}
		q.rbStatements, q.rbProblems, q.rbCounted, q.rbCountedFor = len(msg.stmts), msg.problems, msg.version, msg.key
		q.rb.SetMarks(problemMarks(msg.problems))
		if q.s.ticket.RollbackSQL != msg.sql {
			q.s.ticket.RollbackSQL = msg.sql
			q.s.changed()
		}
		return nil
	case estimateMsg:
		q.s.rows.answer(msg, q.ed.Version())
		return nil
	case fileLoadedMsg:
		if msg.err != nil {
			q.notice, q.noticeErr = msg.err.Error(), true
			return nil
		}
		q.rollback = q.fileForRollback // the file goes to the editor it was opened for
		ed := q.active()
		if strings.TrimSpace(ed.Value()) != "" && !msg.edited {
			// Replacing what was typed with a file is asked first.
			q.pendingFile = &msg
			q.notice, q.noticeErr = fmt.Sprintf("Replace the %s in the editor with %s (%s)?",
				wizard.Count(ed.LineCount(), "line"), inert.Line(msg.path), wizard.Count(strings.Count(msg.text, "\n")+1, "line")), true
			ed.Blur()
			return nil
		}
		return q.loadFile(msg)
	case editor.LimitMsg:
		q.notice, q.noticeErr = limitNotice(msg, q.rollback), true
		return nil
	case tea.KeyMsg:
		return q.key(msg)
	}
	var cmd tea.Cmd
	q.ed, cmd = q.ed.Update(msg)
	return cmd
}

// limitNotice says why the editor refused an edit: it would pass what a
// ticket holds.
func limitNotice(msg editor.LimitMsg, rollback bool) string {
	what := "SQL"
	if rollback {
		what = "rollback script"
	}
	most := dms.HumanBytes(int64(msg.Limit))
	if msg.Adding > 16 { // a paste, or text that came faster than typing
		return fmt.Sprintf("Not pasted (%s): a ticket holds at most %s of %s.", dms.HumanBytes(int64(msg.Adding)), most, what)
	}
	return fmt.Sprintf("At %s, the most %s a ticket holds: delete some to type more.", most, what)
}

// loadFile puts a file's SQL in the editor, as one edit ctrl+z undoes.
func (q *sqlStep) loadFile(msg fileLoadedMsg) tea.Cmd {
	q.pendingFile = nil
	ed := q.active()
	ed.ReplaceAll(msg.text)
	q.sync()
	q.s.changed()
	ed.Focus()
	q.notice, q.noticeErr = fmt.Sprintf("Loaded %s (%s); ctrl+z brings back what was there.", inert.Line(msg.path), wizard.Count(ed.LineCount(), "line")), false
	return q.scheduleCheck()
}

func (q *sqlStep) key(msg tea.KeyMsg) tea.Cmd {
	k := q.s.keys
	if f := q.pendingFile; f != nil {
		switch {
		case key.Matches(msg, k.Enter):
			return q.loadFile(*f)
		case key.Matches(msg, k.Back):
			q.pendingFile = nil
			q.active().Focus()
			q.notice, q.noticeErr = "Kept the editor's SQL; the file was not loaded.", false
		}
		return nil
	}
	if q.opening {
		switch {
		case key.Matches(msg, k.Back):
			q.opening = false
			q.active().Focus()
			return nil
		case key.Matches(msg, k.Enter):
			q.opening = false
			q.active().Focus()
			q.fileForRollback = q.rollback
			return loadFile(strings.TrimSpace(q.path.Value()))
		}
		var cmd tea.Cmd
		q.path, cmd = q.path.Update(msg)
		return cmd
	}
	switch {
	case key.Matches(msg, k.Rollback) && q.ticketType().Rollback:
		q.sync()
		q.active().Blur()
		q.rollback = !q.rollback
		q.notice = ""
		q.active().Focus()
		return nil
	case key.Matches(msg, k.NextFromSQL):
		q.sync()
		q.recheck()
		if len(q.problems) > 0 {
			q.notice, q.noticeErr = "Not yet: "+q.problems[0].Message, true
			return nil
		}
		if p := q.rbProblems; q.ticketType().Rollback && len(p) > 0 {
			what := "the rollback script " // "is 5 MiB; …"
			if p[0].Statement > 0 {
				what = "in the rollback script, " // "statement 2 (line 2) is …"
			}
			q.notice, q.noticeErr = "Not yet: "+what+p[0].Message, true
			return nil
		}
		q.notice = ""
		q.s.next()
		return nil
	case key.Matches(msg, k.Estimate):
		if !q.ticketType().AffectRows || q.refuseToMeasure() {
			return nil
		}
		return q.measure(dms.RowsExplain)
	case key.Matches(msg, k.Count):
		if !q.ticketType().AffectRows {
			return nil
		}
		if q.s.rows.counting() {
			q.s.rows.stop()
			q.notice, q.noticeErr = "Count cancelled.", false
			return nil
		}
		if q.refuseToMeasure() {
			return nil
		}
		return q.measure(dms.RowsCount)
	case key.Matches(msg, k.ExternalEditor):
		if !q.s.opts.Local {
			q.notice, q.noticeErr = "The external editor is not available over SSH.", true
			return nil
		}
		q.sync()
		q.fileForRollback = q.rollback
		if q.rollback {
			return externalEdit(q.s.opts.tty, q.s.ticket.RollbackSQL)
		}
		return externalEdit(q.s.opts.tty, q.s.ticket.SQL)
	case key.Matches(msg, k.Open):
		if !q.s.opts.Local {
			q.notice, q.noticeErr = "Opening files is not available over SSH: paste the SQL instead.", true
			return nil
		}
		q.opening = true
		q.active().Blur()
		q.path.SetValue("") // a path that failed before is not kept to be appended to
		return q.path.Focus()
	}
	// The change's editor or the rollback script's: either gives the
	// ticket its text when typing pauses (the check) or the editor is left.
	ed := &q.ed
	if q.rollback {
		ed = &q.rb
	}
	before := ed.Version()
	var cmd tea.Cmd
	*ed, cmd = ed.Update(msg)
	if ed.Version() != before {
		q.notice = ""
		return tea.Batch(cmd, q.scheduleCheck())
	}
	return cmd
}

func (q *sqlStep) view() string {
	st := q.s.st
	w := q.s.width
	title := st.Title.Render("SQL") + st.Subtle.Render(" · "+q.ticketType().AcceptsText)
	if q.ticketType().Rollback {
		title += st.Faint.Render(" · ctrl+b rollback script")
		if q.rollback {
			title = st.Title.Render("Rollback script") + st.Subtle.Render(" · optional, sent as RollbackSQL · ctrl+b back to the change")
		}
	}
	top := truncate(title, w)
	if q.opening {
		top = q.path.View()
	}
	ed := q.active()
	if q.wide() {
		pw := q.panelWidth()
		panel := fit(q.panel(pw), pw, q.s.height-2)
		// The panel at a fixed column, not after the longest line shown.
		body := q.s.widths.joinColumns(ed.View(), " ", panel, ed.Width())
		return top + "\n" + body + "\n" + q.statusLine(w)
	}
	panel := q.panel(w) // drawn once a frame: its height is measured on it
	return top + "\n" + ed.View() + "\n" + q.statusLine(w) + "\n" + fit(panel, w, q.heightOf(panel))
}

// statusLine is the statement count, cursor position and notices.
func (q *sqlStep) statusLine(w int) string {
	st := q.s.st
	if q.notice != "" {
		if q.noticeErr {
			return st.Error.Render(truncate(q.notice, w))
		}
		return st.Success.Render(truncate(q.notice, w))
	}
	if q.rollback {
		line, col := q.rb.Cursor()
		s := fmt.Sprintf("rollback: %s · line %d, col %d · %s", wizard.Count(q.rollbackStatements(), "statement"), line+1, col+1, q.s.ticket.Database.Dialect().Name())
		if q.rb.Version() != q.rbCounted {
			s += " · checking…"
		}
		return st.Faint.Render(truncate(s, w))
	}
	line, col := q.ed.Cursor()
	n := len(q.stmts)
	word := "statements"
	if n == 1 {
		word = "statement"
	}
	s := fmt.Sprintf("%d %s · line %d, col %d · %s", n, word, line+1, col+1, q.s.ticket.Database.Dialect().Name())
	if q.ed.Version() != q.checked {
		s += " · checking…"
	}
	if q.ticketType().Rollback && strings.TrimSpace(q.s.ticket.RollbackSQL) != "" {
		s += " · rollback: " + wizard.Count(q.rollbackStatements(), "statement")
		if n := len(q.rbProblems); n > 0 {
			s += ", " + wizard.Count(n, "problem")
		}
	}
	return st.Faint.Render(truncate(s, w))
}

// problemMarks are the editor's gutter marks of problems: each on the
// first line of its statement.
func problemMarks(problems dms.Problems) map[int]string {
	marks := map[int]string{}
	for _, p := range problems {
		if _, ok := marks[p.Line-1]; !ok && p.Line > 0 {
			marks[p.Line-1] = p.Message
		}
	}
	return marks
}

// rollbackStatements is the rollback script's statement count, as last
// counted (in the background when typing pauses, see check).
func (q *sqlStep) rollbackStatements() int { return q.rbStatements }

// panel is the checks and the affected-row figure.
func (q *sqlStep) panel(w int) string {
	st := q.s.st
	var lines []string
	if q.rollback {
		for _, p := range q.rbProblems[:min(len(q.rbProblems), 2)] {
			lines = append(lines, wrap(st.Error, "✗ "+p.Message, w)...)
		}
		if len(q.rbProblems) > 2 {
			lines = append(lines, st.Error.Render(fmt.Sprintf("… and %d more", len(q.rbProblems)-2)))
		}
		lines = append(lines, st.Subtle.Render(truncate("The change (ctrl+b shows it):", w)))
	}
	if len(q.problems) > 0 {
		for i, p := range q.problems {
			if i == 2 && len(q.problems) > 3 {
				lines = append(lines, st.Error.Render(fmt.Sprintf("… and %d more", len(q.problems)-2)))
				break
			}
			lines = append(lines, wrap(st.Error, "✗ "+p.Message, w)...)
		}
	} else if len(q.stmts) > 0 && q.ed.Version() == q.checked {
		lines = append(lines, st.Success.Render("✓ ")+st.Subtle.Render(truncate("every statement is allowed", w-2)))
	}
	if q.ticketType().AffectRows {
		lines = append(lines, q.s.rows.lines(w, q.ed.Version(), q.stale(), len(q.stmts))...)
	}
	return strings.Join(lines, "\n")
}

func (q *sqlStep) help() helpKeys {
	k := q.s.keys
	if q.pendingFile != nil {
		return helpKeys{short: []key.Binding{with(k.Enter, "enter", "replace"), with(k.Back, "esc", "keep")}}
	}
	if q.opening {
		return helpKeys{short: []key.Binding{with(k.Enter, "enter", "open"), with(k.Back, "esc", "cancel")}}
	}
	short := []key.Binding{k.NextFromSQL}
	if q.ticketType().Rollback {
		rb := k.Rollback
		if q.rollback {
			rb = with(k.Rollback, "ctrl+b", "back to the change")
		}
		short = append(short, rb)
	}
	if q.ticketType().AffectRows {
		count := k.Count
		if q.s.rows.counting() {
			count = with(k.Count, "ctrl+t", "cancel count")
		}
		short = append(short, k.Estimate, count)
	}
	files := []key.Binding{}
	if q.s.opts.Local {
		files = append(files, k.ExternalEditor, k.Open)
		short = append(short, k.Open)
	}
	short = append(short, with(k.Back, "esc", "back"))
	full := [][]key.Binding{short, files, editor.DefaultKeyMap().ShortHelp()}
	return helpKeys{short: short, full: full}
}

func (q *sqlStep) typing() bool { return true }
func (q *sqlStep) modal() bool  { return q.opening || q.pendingFile != nil }
