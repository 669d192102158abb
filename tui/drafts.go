package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"dmsticket/dms"
	"dmsticket/dms/inert"
	"dmsticket/tui/draft"
	"dmsticket/tui/editor"
	"dmsticket/tui/wizard"
)

// draftDelay is how long the draft waits after a change before it is
// written: the most typing a killed process can lose.
const draftDelay = 500 * time.Millisecond

type (
	draftTickMsg  struct{}
	draftSavedMsg struct{ err error }
)

// LoadDraft reads the draft a program should offer to resume. notice says,
// when the draft could not be used, what happened to it.
func LoadDraft(store *draft.Store) (d *draft.Draft, notice string) {
	if store == nil {
		return nil, ""
	}
	d, err := store.Load()
	var aside *draft.SetAsideError
	switch {
	case err == nil:
		if d.Empty() {
			return nil, ""
		}
		return d, ""
	case errors.Is(err, draft.ErrNone):
		return nil, ""
	case errors.As(err, &aside):
		return nil, aside.Error()
	}
	return nil, "The draft could not be read: " + err.Error()
}

// OpenDrafts gives a local wizard its draft: it takes the draft's lock, so
// that a second wizard with the same home does not overwrite it, and loads
// the draft to offer. A draft another wizard holds is left alone: this one
// keeps none, and says so. release gives the lock back.
func OpenDrafts(opts *Options, store *draft.Store) (release func()) {
	release, err := store.Lock()
	if err != nil {
		opts.Drafts, opts.Draft = nil, nil
		if draft.IsLocked(err) {
			opts.DraftNotice = "This dmsticket keeps no draft: another is open with the same one (" + err.Error() + ")." // what it means first: the line is cut to the window
		} else {
			opts.DraftNotice = "The draft cannot be kept: " + err.Error()
		}
		return func() {}
	}
	opts.Drafts = store
	opts.Draft, opts.DraftNotice = LoadDraft(store)
	return release
}

// draftState is the root model's part in keeping the draft.
type draftState struct {
	store     *draft.Store
	offer     *draft.Draft // a draft to offer at start, until answered
	resumeYes bool         // the answer highlighted: yes
	pending   bool         // a write is scheduled
	// last is what was last written, without its time and its scripts,
	// and lastSQL its scripts (SQL, rollback): a draft is written again
	// only when one of them differs.
	last    []byte
	lastSQL [2]editor.Text
	off     bool         // the ticket was created: nothing to keep
	err     error        // the last write's failure, shown once
	writes  *draftWrites // the writes in flight, in order
}

// draftWrites keeps the writes of one draft in order: the periodic ones
// run in commands and take a while for a 4 MiB script, and one that
// finishes after a newer draft was written, or after the draft was removed,
// is dropped.
type draftWrites struct {
	mu          sync.Mutex
	seq, newest uint64 // the last write numbered; the newest on disk
}

// writer is the draft's writes.
func (ds *draftState) writer() *draftWrites {
	if ds.writes == nil {
		ds.writes = &draftWrites{}
	}
	return ds.writes
}

// next numbers a write (or a removal) as its draft is taken.
func (w *draftWrites) next() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seq++
	return w.seq
}

// save writes b, the draft as of write seq, unless a newer one is on disk.
func (w *draftWrites) save(store *draft.Store, seq uint64, b []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if seq < w.newest {
		return nil
	}
	if err := store.SaveBytes(b); err != nil {
		return err
	}
	w.newest = seq
	return nil
}

// remove deletes the draft as of seq: writes taken before are dropped.
func (w *draftWrites) remove(store *draft.Store, seq uint64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := store.Remove(); err != nil {
		return err
	}
	w.newest = max(w.newest, seq)
	return nil
}

// sqlStep is the SQL step: the editor runs ahead of the ticket while typing.
func (m *Model) sqlStep() *sqlStep { return m.steps[StepSQL].(*sqlStep) }

// draftSnapshot is the wizard's state as a draft.
func (m *Model) draftSnapshot() draft.Draft {
	d := m.draftWithout()
	sql, rollback := m.draftScripts()
	d.Ticket.SQL, d.Ticket.RollbackSQL = sql.String(), rollback.String()
	return d
}

// draftScripts are the draft's SQL and rollback script, not yet joined:
// the editors' once the SQL step holds the ticket's SQL (they run ahead of
// the ticket while typing), else the ticket's.
func (m *Model) draftScripts() (sql, rollback editor.Text) {
	t := m.s.ticket
	sql, rollback = editor.TextOf(t.SQL), editor.TextOf(t.RollbackSQL)
	if q := m.sqlStep(); q.loaded {
		sql = q.ed.Text()
		if q.ticketType().Rollback {
			rollback = q.rb.Text()
		}
	}
	return sql, rollback
}

// draftWithout is the wizard's state as a draft, its scripts left out.
func (m *Model) draftWithout() draft.Draft {
	t := *m.s.ticket
	t.SQL, t.RollbackSQL = "", ""
	step := m.step
	if step == StepResult {
		step = StepReview
	}
	d := m.steps[StepDatabase].(*databaseStep)
	return draft.Draft{Step: step.String(), Ticket: t, Search: d.input.Value(), Filter: d.filter.String(), Submission: m.s.inflight}
}

// scheduleDraft arranges a write shortly after a change.
func (m *Model) scheduleDraft() tea.Cmd {
	ds := &m.draft
	if ds.store == nil || ds.offer != nil || ds.off || ds.pending {
		return nil
	}
	ds.pending = true
	return tea.Tick(draftDelay, func(time.Time) tea.Msg { return draftTickMsg{} })
}

// writeDraft writes the draft in the background if it changed. Only the
// draft without its scripts is encoded here, to compare it with the last
// one; the scripts (up to 4 MiB each) are compared by version, and joined
// and encoded in the command, which decodes its own copy of the rest
// (nothing the program goes on changing is read there).
func (m *Model) writeDraft() tea.Cmd {
	ds := &m.draft
	ds.pending = false
	if ds.store == nil || ds.off || ds.offer != nil {
		return nil
	}
	snap := m.draftWithout()
	sql, rollback := m.draftScripts()
	if (draft.Draft{Ticket: snap.Ticket}).Empty() && sql.Empty() {
		return nil
	}
	plain, err := draft.Encode(snap)
	if err != nil || string(plain) == string(ds.last) && sql.Same(ds.lastSQL[0]) && rollback.Same(ds.lastSQL[1]) {
		return nil
	}
	ds.last, ds.lastSQL = plain, [2]editor.Text{sql, rollback}
	store, writes, at := ds.store, ds.writer(), m.s.now()
	seq := writes.next()
	return func() tea.Msg {
		b, err := withScripts(plain, [2]string{sql.String(), rollback.String()}, at)
		if err == nil {
			err = writes.save(store, seq, b)
		}
		return draftSavedMsg{err: err}
	}
}

// withScripts is the draft encoded as plain (without its scripts or its
// time) with its scripts and the time it is saved at. Numbers in the
// request's parameters stay as written (json.Number), so the draft is the
// one draft.Encode gives.
func withScripts(plain []byte, scripts [2]string, at time.Time) ([]byte, error) {
	var d draft.Draft
	dec := json.NewDecoder(bytes.NewReader(plain))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		return nil, err
	}
	d.Ticket.SQL, d.Ticket.RollbackSQL, d.SavedAt = scripts[0], scripts[1], at
	return draft.Encode(d)
}

// SaveDraft writes the draft now, synchronously: on quitting, and for hosts
// after the program has ended (an SSH session that dropped).
func (m *Model) SaveDraft() error {
	ds := &m.draft
	if ds.store == nil || ds.off || ds.offer != nil {
		return nil
	}
	snap := m.draftSnapshot()
	if (draft.Draft{Ticket: snap.Ticket}).Empty() {
		return nil
	}
	snap.SavedAt = m.s.now()
	w := ds.writer()
	seq := w.next()
	b, err := draft.Encode(snap)
	if err != nil {
		return err
	}
	return w.save(ds.store, seq, b)
}

// removeDraft deletes the draft: the ticket exists now.
func (m *Model) removeDraft() tea.Cmd {
	ds := &m.draft
	ds.off, ds.pending, ds.last, ds.lastSQL = true, false, nil, [2]editor.Text{}
	if ds.store == nil {
		return nil
	}
	store, w := ds.store, ds.writer()
	seq := w.next()
	return func() tea.Msg { return draftSavedMsg{err: w.remove(store, seq)} }
}

// dbCheckedMsg is DMS's answer about the ticket's databases.
type dbCheckedMsg struct {
	key string // the databases asked about (dbKey)
	dbs []dms.Database
	err error
}

// dbKey names a ticket's databases: an answer for others is dropped.
func dbKey(dbs []dms.Database) string {
	var b strings.Builder
	for _, d := range dbs {
		fmt.Fprintf(&b, "%d/%t ", d.ID, d.Logic)
	}
	return b.String()
}

// checkDatabase looks the ticket's databases up in DMS when they did not
// come from DMS's own answer (a resumed draft, the history's recent ones, a
// ticket filed again): their environments, and so the production
// confirmation and the policy, come from DMS, never from a file. Until the
// answer arrives the environments are unknown and nothing can be submitted.
func (m *Model) checkDatabase() tea.Cmd {
	dbs := m.s.ticket.Databases()
	if len(dbs) == 0 {
		return nil
	}
	m.s.ticket.Database.Env = ""
	for i := range m.s.ticket.More {
		m.s.ticket.More[i].Env = ""
	}
	m.s.dbChecking = true
	tid, svc, key := m.s.ticket.Tenant.ID, m.s.svc, dbKey(dbs)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out := make([]dms.Database, len(dbs))
		for i, db := range dbs {
			got, err := svc.Database(ctx, tid, db.ID, db.Logic)
			if err != nil {
				return dbCheckedMsg{key: key, err: fmt.Errorf("%s: %w", db.Name(), err)}
			}
			out[i] = dms.Confirmed(db, got)
		}
		return dbCheckedMsg{key: key, dbs: out}
	}
}

// databaseChecked takes DMS's word for the ticket's databases.
func (m *Model) databaseChecked(msg dbCheckedMsg) tea.Cmd {
	if dbKey(m.s.ticket.Databases()) != msg.key || !m.s.dbChecking {
		return nil // other databases were chosen meanwhile
	}
	m.s.dbChecking = false
	m.s.changed()
	if msg.err != nil {
		name := inert.Line(m.s.ticket.Database.Name())
		if len(m.s.ticket.More) > 0 {
			name = "databases"
		}
		m.s.ticket.Database, m.s.ticket.More = dms.Database{}, nil
		m.notice = "The ticket's " + name + " could not be confirmed in DMS (" + inert.Line(errMessage(msg.err)) + "): choose again."
		m.layout()
		if m.step == StepResult {
			return nil
		}
		return m.enter(StepDatabase)
	}
	m.s.ticket.Database, m.s.ticket.More = msg.dbs[0], append([]dms.Database(nil), msg.dbs[1:]...)
	m.hdrView = "" // the badges changed
	// The header may have grown (a production line): the body gets the
	// room left, or the screen is a line taller than the window and its
	// first line scrolls away.
	m.layout()
	if r, ok := m.steps[StepReview].(*reviewStep); ok && r.notice == dbCheckingNotice {
		r.notice = "" // answered
	}
	return nil
}

// resume applies an offered draft and goes to the step where it stopped.
func (m *Model) resume(d *draft.Draft) tea.Cmd {
	*m.s.ticket = d.Ticket
	if r := &m.s.ticket.Rows; r.Known() && r.Source != dms.RowsManual && r.DatabaseID == 0 && len(r.PerDatabase) == 0 {
		// A figure saved before figures named their database: which one
		// it was measured on is not known, so it is measured again before
		// a submit (dms.Ticket.RowsStale).
		r.DatabaseID = -1
	}
	check := m.checkDatabase()
	db := m.steps[StepDatabase].(*databaseStep)
	db.input.SetValue(d.Search)
	for _, f := range []dms.EnvFilter{dms.FilterAll, dms.FilterOnline, dms.FilterOffline} {
		if f.String() == d.Filter {
			db.filter = f
		}
	}
	step, _ := wizard.ParseStep(d.Step)
	if step == StepResult {
		step = StepReview
	}
	if m.indexOf(step) < 0 {
		step = StepType
	}
	// The SQL step holds the editor: load it so later steps read the SQL,
	// and check it now, so its statement count is right wherever it resumes.
	// Its timer is kept: enter marked one as on its way, and without it
	// the checks would never run again.
	check = tea.Batch(check, m.sqlStep().enter())
	m.sqlStep().recheck()
	if d.Submission != nil {
		// It stopped while a ticket was on its way: look it up before
		// anything can be submitted again.
		sub := *d.Submission
		m.s.inflight = &sub
		cmd := m.enter(StepReview)
		m.step = StepResult
		m.layout()
		return tea.Batch(check, cmd, m.steps[StepResult].(*resultStep).resume(sub))
	}
	return tea.Batch(check, m.enter(step))
}

// updateResume handles keys while the resume question is open.
func (m *Model) updateResume(msg tea.KeyMsg) tea.Cmd {
	ds := &m.draft
	k := m.s.keys
	switch {
	case key.Matches(msg, k.Switch):
		ds.resumeYes = !ds.resumeYes
		return nil
	case key.Matches(msg, k.Yes):
		ds.resumeYes = true
	case key.Matches(msg, k.No):
		ds.resumeYes = false
	case key.Matches(msg, k.Enter):
	default:
		return nil
	}
	d := ds.offer
	ds.offer = nil
	if ds.resumeYes {
		return tea.Batch(m.resume(d), m.scheduleDraft())
	}
	store := ds.store
	return tea.Batch(m.enter(StepType), func() tea.Msg { return draftSavedMsg{err: store.Discard()} })
}

// resumeView is the question asked at start when a draft was left.
func (m *Model) resumeView() string {
	st := m.s.st
	d := m.draft.offer
	w := m.width
	// The chosen answer is marked in text too, not only by colour.
	yes, no := st.Demo.Render("▸ Yes"), st.Subtle.Render("  No ")
	if !m.draft.resumeYes {
		yes, no = st.Subtle.Render("  Yes"), st.Demo.Render("▸ No ")
	}
	lines := []string{
		st.Title.Render("Resume the unfinished ticket?"), "",
	}
	lines = append(lines, wrap(st.Value, inert.Line(d.Summary()), w-4)...)
	if !d.SavedAt.IsZero() {
		lines = append(lines, st.Faint.Render("saved "+d.SavedAt.Local().Format("2006-01-02 15:04:05")+", at the "+d.Step+" step"))
	}
	lines = append(lines, "", yes+"   "+no, "",
		st.Faint.Render(strings.Join([]string{"enter answers", "←/→ switch", "n starts a new ticket (the draft is kept aside)"}, " · ")))
	return lipgloss.JoinVertical(lipgloss.Left, lines...)
}

func resumeKeys(k KeyMap) helpKeys {
	return helpKeys{short: []key.Binding{
		with(k.Enter, "enter", "answer"),
		with(k.Yes, "y", "resume"),
		with(k.No, "n", "start over"),
	}}
}

// submissionRecorder snapshots the draft now, with the submission in flight,
// and returns the function that writes it, which the result step runs just
// before CreateOrder goes out. When the draft cannot be written, the old one
// is removed instead (a draft without the submission could resume and file
// the ticket again); when neither works, the request is not sent.
func (m *Model) submissionRecorder() func() error {
	ds := &m.draft
	if ds.store == nil || ds.offer != nil {
		return func() error { return nil }
	}
	snap := m.draftSnapshot()
	snap.SavedAt = m.s.now()
	b, err := draft.Encode(snap)
	store, w := ds.store, ds.writer()
	seq := w.next()
	if err == nil {
		ds.last, ds.lastSQL = nil, [2]editor.Text{} // the next periodic write compares afresh
	}
	return func() error {
		if err != nil {
			return err
		}
		if serr := w.save(store, seq, b); serr != nil {
			if rerr := w.remove(store, seq); rerr != nil {
				return fmt.Errorf("the draft %s could not be written (%v) nor removed (%v)", store.Path(), serr, rerr)
			}
		}
		return nil
	}
}
