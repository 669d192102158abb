package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"dmsticket/dms"
	"dmsticket/dms/inert"
	"dmsticket/tui/history"
	"dmsticket/tui/wizard"
)

// Database search paging: a page of results, fetched again when the cursor
// comes within prefetchRows of the end of what is loaded.
const (
	searchPageSize = 100
	prefetchRows   = 15
	// maxAutoPages bounds the pages loaded on their own to fill a filtered
	// list, so a filter that matches nothing never walks all of DMS.
	maxAutoPages = 10
)

type (
	searchTickMsg   struct{ ofDatabase }
	searchResultMsg struct {
		ofDatabase
		seq  int
		page dms.DatabasePage
		err  error
	}
)

// databaseStep searches DMS as the user types (debounced, in the
// background, stale answers dropped) and lists the results with badges.
type databaseStep struct {
	s      *session
	input  textinput.Model
	filter dms.EnvFilter
	seq    int // generation of the query; answers for older ones are dropped
	query  string
	tenant int64 // the tenant the results are for
	// answered is the text the results answer; when the search box holds
	// other text, the list is out of date and enter waits (heldEnter) for
	// the answer, unless one shown row matches the text exactly.
	answered  string
	heldEnter bool
	// heldSpace is a space (mark) pressed while the list was out of date:
	// it marks a row of the answer, as a held enter picks one, never a
	// row of the older list (two spaces cancel out).
	heldSpace bool
	results   []dms.Database
	total     int64
	page      int
	more      bool
	loading   bool
	err       error
	cursor    int
	offset    int
	cancel    context.CancelFunc
	auto      int // pages loaded on their own for the current query
	started   bool
	pause     debouncer
	// marked are the databases space marked, in the order marked, for a
	// type that acts on several (a data change); they outlive a search.
	marked []dms.Database
}

// multi reports whether the ticket's type acts on several databases.
func (d *databaseStep) multi() bool {
	tt, _ := dms.LookupType(d.s.ticket.Type)
	return tt.MultiDatabase
}

// markedAt is the index of db among the marked, or -1.
func (d *databaseStep) markedAt(db dms.Database) int {
	for i, m := range d.marked {
		if m.ID == db.ID && m.Logic == db.Logic {
			return i
		}
	}
	return -1
}

// toggle marks the row under the cursor, or unmarks it.
// toggleHeld applies a space held for the answer: it marks the row that is
// exactly what was typed, else the first.
func (d *databaseStep) toggleHeld(vis []dms.Database) {
	if i, ok := d.exactMatch(vis); ok {
		d.cursor = i
	}
	d.toggle(vis)
}

func (d *databaseStep) toggle(vis []dms.Database) {
	if len(vis) == 0 {
		return
	}
	db := vis[min(d.cursor, len(vis)-1)]
	if i := d.markedAt(db); i >= 0 {
		d.marked = append(d.marked[:i:i], d.marked[i+1:]...)
		return
	}
	if len(d.marked) >= dms.MaxDatabases {
		return
	}
	d.marked = append(d.marked, db)
}

func newDatabaseStep(s *session) *databaseStep {
	wait := s.opts.SearchDebounce
	if wait <= 0 {
		wait = 150 * time.Millisecond
	}
	return &databaseStep{s: s, input: newInput(s, "Search: ", "schema name, alias or host — empty lists all"),
		pause: debouncer{wait: wait, msg: searchTickMsg{}}}
}

func (d *databaseStep) enter() tea.Cmd {
	cmd := d.input.Focus()
	if d.multi() {
		// Back at the step: the ticket's databases are the marks.
		if dbs := d.s.ticket.Databases(); len(dbs) > 1 {
			d.marked = dbs
		}
	} else {
		d.marked = nil
	}
	if !d.started {
		d.started = true
		return tea.Batch(cmd, d.search(1))
	}
	if d.tenant != d.s.ticket.Tenant.ID {
		// Another tenant: the list was the last one's databases. It is
		// emptied and asked for again; enter waits for the answer.
		d.results, d.total, d.page, d.more, d.err = nil, 0, 0, false, nil
		d.cursor, d.offset, d.marked = 0, 0, nil
		d.answered = "\x00" // no text: out of date until the answer
		return tea.Batch(cmd, d.search(1))
	}
	return cmd
}

// visible is the loaded results that pass the environment filter and the
// user's policy; before anything is typed, the databases the user chose
// most recently come first (recent), then the rest of the results.
func (d *databaseStep) visible() []dms.Database {
	out := make([]dms.Database, 0, len(d.results)+history.MaxDatabases)
	pass := func(db dms.Database) bool { return d.filter.Match(db.Env) && d.s.opts.User.AllowsEnv(db.Env) }
	recent := d.recent()
	for _, db := range recent {
		// DMS's answer holds the database: its row is DMS's (the history
		// file's environment may be out of date), marked recent.
		if r, ok := d.result(db); ok {
			db = r
		}
		if pass(db) {
			out = append(out, db)
		}
	}
	for _, db := range d.results {
		if pass(db) && !d.isRecent(db, recent) {
			out = append(out, db)
		}
	}
	return out
}

// recent are the databases this user chose most recently in the tenant,
// while the search box is empty.
func (d *databaseStep) recent() []dms.Database {
	if strings.TrimSpace(d.input.Value()) != "" || !d.started {
		return nil
	}
	return d.s.hist.Databases(d.s.ticket.Tenant.ID)
}

func (d *databaseStep) isRecent(db dms.Database, recent []dms.Database) bool {
	for _, r := range recent {
		if r.ID == db.ID && r.Logic == db.Logic {
			return true
		}
	}
	return false
}

// search sends one page of the current query in the background.
func (d *databaseStep) search(page int) tea.Cmd {
	if d.cancel != nil && page == 1 {
		d.cancel()
	}
	if page == 1 {
		d.seq++
		d.query = d.input.Value()
		d.auto = 0
		d.tenant = d.s.ticket.Tenant.ID
	}
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	d.cancel = cancel
	d.loading = true
	seq, q := d.seq, dms.SearchQuery{Tid: d.s.ticket.Tenant.ID, Key: strings.TrimSpace(d.query), Page: page, PageSize: searchPageSize}
	svc := d.s.svc
	return func() tea.Msg {
		defer cancel()
		p, err := svc.SearchDatabases(ctx, q)
		return searchResultMsg{seq: seq, page: p, err: err}
	}
}

// debounce waits for a pause in typing before searching; answers to what was
// asked before this key are dropped from now on.
func (d *databaseStep) debounce() tea.Cmd {
	d.seq++
	return d.pause.touch()
}

func (d *databaseStep) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case searchTickMsg:
		if ready, again := d.pause.fire(); !ready {
			return again // more typing came: wait for the pause
		}
		return d.search(1)
	case searchResultMsg:
		if msg.seq != d.seq {
			return nil // an answer for an older query
		}
		d.loading = false
		d.err = msg.err
		if msg.err != nil {
			d.heldEnter, d.heldSpace = false, false // the error is the answer; the keys typed since go on
			return nil
		}
		if msg.page.Page <= 1 {
			d.results = msg.page.Databases
			d.cursor, d.offset = 0, 0
			d.answered = d.query
		} else {
			d.results = append(d.results, msg.page.Databases...)
		}
		// A page may come back empty while more exist (a policy filters it on
		// the server); the automatic paging is bounded by maxAutoPages.
		d.total, d.page, d.more = msg.page.Total, msg.page.Page, msg.page.More()
		if d.heldSpace && !d.outOfDate() {
			d.heldSpace = false
			d.toggleHeld(d.visible())
		}
		if d.heldEnter && !d.outOfDate() {
			d.heldEnter = false
			if len(d.marked) > 0 {
				d.takeMarked()
				return nil
			}
			d.choose(d.visible(), true)
			return nil
		}
		return d.maybeMore()
	case tea.KeyMsg:
		k := d.s.keys
		vis := d.visible()
		if delta, ok := k.listMove(msg, d.rows()); ok {
			d.move(delta, len(vis))
			if key.Matches(msg, k.PageUp) {
				return nil
			}
			return d.maybeMore()
		}
		switch {
		case key.Matches(msg, k.Filter):
			d.filter = d.filter.Next()
			d.cursor, d.offset, d.auto = 0, 0, 0
			return d.maybeMore()
		case msg.Type == tea.KeySpace && d.multi():
			// Space marks the row (a typed space in a burst is text: a
			// paste arrives as runes, not as this key). While the rows
			// answer older text, it marks a row of the answer to come
			// (or the row that is exactly what was typed), as enter does.
			switch {
			case d.heldEnter:
			case !d.outOfDate():
				d.toggle(vis)
			default:
				if i, ok := d.exactMatch(vis); ok {
					d.cursor = i
					d.toggle(vis)
				} else {
					d.heldSpace = !d.heldSpace
				}
			}
			return nil
		case key.Matches(msg, k.Enter) && d.heldSpace:
			d.heldEnter = true // after the held space, in order
			return nil
		case key.Matches(msg, k.Enter) && len(d.marked) > 0:
			d.takeMarked()
			return nil
		case key.Matches(msg, k.Enter):
			if d.err != nil && len(vis) == 0 {
				return d.search(1)
			}
			if d.outOfDate() {
				// The rows shown answer older text: pick only a row that is
				// exactly what was typed, else wait for the answer.
				if i, ok := d.exactMatch(vis); ok {
					d.cursor = i
					d.choose(vis, false)
					return nil
				}
				if strings.TrimSpace(d.input.Value()) == "" && len(vis) == 0 {
					// Nothing typed and no row shown: an enter now would
					// take the first row of a list not yet seen (an enter
					// meant for the step before, which moved on by itself).
					// It waits for the user to see the list.
					return nil
				}
				d.heldEnter = true
				return nil
			}
			d.choose(vis, false)
			return nil
		}
		before := d.input.Value()
		var cmd tea.Cmd
		d.input, cmd = d.input.Update(msg)
		if d.input.Value() != before {
			return tea.Batch(cmd, d.debounce())
		}
		return cmd
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	return cmd
}

// outOfDate reports whether the list answers other text than the search
// box holds (a search is on its way, or waits for typing to pause).
func (d *databaseStep) outOfDate() bool {
	return !d.started || strings.TrimSpace(d.input.Value()) != strings.TrimSpace(d.answered) || d.loading && d.page == 0
}

// exactMatch finds the one shown row whose schema name or search name is
// exactly the typed text (ignoring case); none or several: not found.
func (d *databaseStep) exactMatch(vis []dms.Database) (int, bool) {
	typed := strings.TrimSpace(d.input.Value())
	found := -1
	for i, db := range vis {
		if typed != "" && (strings.EqualFold(db.SchemaName, typed) || strings.EqualFold(db.SearchName, typed)) {
			if found >= 0 {
				return 0, false
			}
			found = i
		}
	}
	return found, found >= 0
}

// choose takes the row under the cursor and moves on; held says the enter
// was pressed before the answer came, which then prefers an exact match.
func (d *databaseStep) choose(vis []dms.Database, held bool) {
	if len(vis) == 0 {
		return
	}
	i := min(d.cursor, len(vis)-1)
	if held {
		if j, ok := d.exactMatch(vis); ok {
			i = j
		}
	}
	d.s.ticket.Database, d.s.ticket.More = vis[i], nil
	d.s.dbChecking = false // chosen from DMS's own answer
	if d.isRecent(vis[i], d.recent()) && !d.inResults(vis[i]) {
		// From the history file, not from DMS's answer: its environment
		// is DMS's word before anything is filed on it.
		d.s.recheckDatabases = true
	}
	d.s.rememberDatabases(vis[i])
	d.s.changed()
	d.s.next()
}

// inResults reports whether db is in DMS's answer to the search.
func (d *databaseStep) inResults(db dms.Database) bool {
	_, ok := d.result(db)
	return ok
}

// result is DMS's answer's copy of db, if the answer holds it.
func (d *databaseStep) result(db dms.Database) (dms.Database, bool) {
	for _, r := range d.results {
		if r.ID == db.ID && r.Logic == db.Logic {
			return r, true
		}
	}
	return dms.Database{}, false
}

// takeMarked makes the marked databases the ticket's, in the order marked,
// and moves on.
func (d *databaseStep) takeMarked() {
	t := d.s.ticket
	t.Database, t.More = d.marked[0], append([]dms.Database(nil), d.marked[1:]...)
	d.s.dbChecking = false
	for _, m := range d.marked {
		if !d.inResults(m) || m.Logic && len(d.marked) > 1 && m.Members == nil {
			// Not from this answer, or a logical database among several:
			// DMS says which databases it includes (dms.SpanProblem).
			d.s.recheckDatabases = true
		}
	}
	d.s.rememberDatabases(d.marked...)
	d.s.changed()
	d.s.next()
}

// holding reports that an enter waits for the search answer; the root keeps
// the keys typed meanwhile for the step that comes next.
func (d *databaseStep) holding() bool { return d.heldEnter }

// releaseHold forgets a held enter (esc while waiting).
func (d *databaseStep) releaseHold() { d.heldEnter, d.heldSpace = false, false }

func (d *databaseStep) move(delta, n int) {
	if n == 0 {
		d.cursor = 0
		return
	}
	d.cursor, d.offset = scrolled(d.cursor, d.offset, delta, n, d.rows())
}

// scrolled is a list's cursor moved by delta within its n rows (n > 0),
// and the offset of the window of rows rows that keeps the cursor in view.
func scrolled(cursor, offset, delta, n, rows int) (int, int) {
	cursor = max(0, min(n-1, cursor+delta))
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+rows {
		offset = cursor - rows + 1
	}
	return cursor, offset
}

// maybeMore loads the next page when the cursor nears the end of what is
// loaded, or when the filter leaves too few rows to fill the screen.
func (d *databaseStep) maybeMore() tea.Cmd {
	if !d.more || d.loading {
		return nil
	}
	vis := len(d.visible())
	if d.cursor >= vis-prefetchRows {
		if vis < d.rows() {
			if d.auto >= maxAutoPages {
				return nil
			}
			d.auto++
		}
		return d.search(d.page + 1)
	}
	return nil
}

// rows is how many result rows fit.
func (d *databaseStep) rows() int { return max(1, d.s.height-6) }

func (d *databaseStep) view() string {
	st := d.s.st
	w := d.s.width
	var b strings.Builder
	b.WriteString(st.Title.Render("Which database?") + "\n")
	b.WriteString(d.input.View() + "\n")
	vis := d.visible()
	status := fmt.Sprintf("filter: %s", d.filter)
	stale := d.started && d.outOfDate() && len(d.results) > 0
	switch {
	case d.heldEnter:
		status = "searching for “" + inert.Line(strings.TrimSpace(d.input.Value())) + "”… enter waits for the answer · esc cancels"
	case d.heldSpace:
		status = "searching for “" + inert.Line(strings.TrimSpace(d.input.Value())) + "”… space marks a row of the answer · esc cancels"
	case stale:
		status = "searching for “" + inert.Line(strings.TrimSpace(d.input.Value())) + "”… the rows below are for " + answeredPhrase(d.answered)
	case d.loading && len(d.results) == 0:
		status = "searching… · " + status
	case d.total > 0:
		status = fmt.Sprintf("%s shown · %s found in DMS · %s", wizard.Thousands(int64(len(vis))), wizard.Thousands(d.total), status)
		if d.loading {
			status += " · loading more…"
		}
	}
	if d.multi() {
		switch n := len(d.marked); {
		case n > 0:
			online := 0
			for _, m := range d.marked {
				if m.Env.Online() {
					online++
				}
			}
			status = fmt.Sprintf("%s marked (%d online) · enter takes them · ", wizard.Count(n, "database"), online) + status
		default:
			status = "space marks several · " + status
		}
	}
	if u := d.s.opts.User; u != nil && len(u.Envs) > 0 {
		envs := make([]string, len(u.Envs))
		for i, e := range u.Envs {
			envs[i] = string(e)
		}
		status += " · you may use: " + strings.Join(envs, ", ")
	}
	b.WriteString(st.Faint.Render(truncate(status, w)) + "\n")
	if d.err != nil {
		b.WriteString(errorLines(st, d.err, w) + "\n" + st.Faint.Render("Type to search again, or press enter to retry.") + "\n")
		return b.String()
	}
	if len(vis) == 0 && !d.loading && !d.outOfDate() {
		msg := "No database matches."
		if d.query != "" {
			msg = "No database matches “" + inert.Line(d.query) + "”."
		}
		if d.filter != dms.FilterAll {
			msg += " The filter shows " + d.filter.String() + " environments only (tab changes it)."
		}
		b.WriteString(st.Subtle.Render(msg) + "\n")
		return b.String()
	}
	multi := d.multi()
	head := "  "
	recent := d.recent()
	cols := dbColumns(w, len(recent) > 0)
	if multi {
		cols.schema -= 2 // the mark's column
		head = "    "
	}
	b.WriteString(st.TableHeader.Render(cols.row(head, "SCHEMA", "WHERE", "TYPE", "ALIAS", "ENV")) + "\n")
	end := min(len(vis), d.offset+d.rows())
	for i := d.offset; i < end; i++ {
		db := vis[i]
		loc := db.Location()
		mark := ""
		if multi {
			mark = "  "
			if d.markedAt(db) >= 0 {
				mark = "✓ "
			}
		}
		line := cols.row("", inert.Line(db.SchemaName), inert.Line(loc), inert.Line(db.DbType), inert.Line(db.Alias), "")
		badge := envBadge(st, db.Env)
		switch {
		case stale && i == d.cursor:
			line = st.Faint.Render("▌ " + mark + line)
		case stale:
			line = st.Faint.Render("  " + mark + line)
		case i == d.cursor:
			line = st.Cursor.Render("▌ ") + st.RowSelected.Render(mark+line)
		default:
			line = st.Row.Render("  " + mark + line)
		}
		if d.isRecent(db, recent) {
			badge += st.Faint.Render(" recent")
		}
		b.WriteString(line + " " + badge + "\n")
	}
	return b.String()
}

// truncateMiddle cuts s to w cells with "…" in place of its middle, the
// end given half the cells.
func truncateMiddle(s string, w int) string {
	if lipgloss.Width(s) <= w {
		return s
	}
	if w < 3 {
		return truncate(s, w)
	}
	r := []rune(s)
	i, tw := len(r), 0 // r[i:] is the end kept, tw cells wide
	for i > 0 {
		cw := lipgloss.Width(string(r[i-1]))
		if tw+cw > w/2 {
			break
		}
		i, tw = i-1, tw+cw
	}
	return ansi.Truncate(string(r[:i]), w-1-tw, "") + "…" + string(r[i:])
}

// dbColumns lays the result table out for a width, with room for the
// "recent" mark when rows carry it.
type columns struct{ schema, loc, typ, alias int }

func dbColumns(w int, recent bool) columns {
	badge, gaps := 12, 5
	if recent {
		badge += len(" recent") // after PRODUCTION too, not cut at 80 columns
	}
	typ := 11
	loc := min(24, max(16, w/5)) // "10.20.1.31:3306" whole at 80 columns
	rest := max(10, w-2-badge-gaps-typ-loc)
	schema := rest * 3 / 5
	return columns{schema: schema, loc: loc, typ: typ, alias: rest - schema}
}

// row lays out one line of the table; the environment badge is added after
// it, outside the row's own style.
func (c columns) row(prefix, schema, loc, typ, alias, env string) string {
	cell := func(s string, n int) string {
		s = truncate(s, n)
		return s + strings.Repeat(" ", max(0, n-lipgloss.Width(s)))
	}
	// A schema name too long for its column loses its middle, not its end:
	// order_shard_00 and order_shard_01 (orders_dev and orders_devops) must
	// not look alike.
	name := truncateMiddle(schema, c.schema)
	name += strings.Repeat(" ", max(0, c.schema-lipgloss.Width(name)))
	line := prefix + strings.Join([]string{name, cell(loc, c.loc), cell(typ, c.typ), cell(alias, c.alias)}, " ")
	if env != "" {
		line += " " + env
	}
	return line
}

func (d *databaseStep) help() helpKeys {
	k := d.s.keys
	short := []key.Binding{with(k.Enter, "enter", "choose"), with(k.Up, "↑/↓", "move"), with(k.Filter, "tab", "show "+d.filter.Next().String()), with(k.Back, "esc", "back")}
	if d.multi() {
		choose := "choose"
		if len(d.marked) > 0 {
			choose = "take " + wizard.Count(len(d.marked), "marked database")
		}
		short = append([]key.Binding{with(k.Enter, "enter", choose), with(k.Mark, "space", "mark")}, short[1:]...)
	}
	full := [][]key.Binding{short, {k.PageUp, k.PageDown}}
	return helpKeys{short: short, full: full}
}

func (d *databaseStep) typing() bool { return d.input.Value() != "" }
func (d *databaseStep) modal() bool  { return false }

// answeredPhrase names the text the shown rows answer.
func answeredPhrase(q string) string {
	if strings.TrimSpace(q) == "" {
		return "all databases"
	}
	return "“" + inert.Line(strings.TrimSpace(q)) + "”"
}
