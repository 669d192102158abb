package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms"
	"dmsticket/dms/sqlscript"
	"dmsticket/tui/history"
	"dmsticket/tui/wizard"
)

// The wizard's memory of this user (PRODUCT section 15): the databases they
// chose most recently (the database step lists them first), the tenant and
// related users of their last ticket (the next one's defaults), and the
// tickets they filed ("My tickets"). Options.History is the store; nil keeps
// nothing.

// loadHistory reads the user's history at start; a damaged file was set
// aside, which the header says.
func (m *Model) loadHistory() {
	s := m.s
	if s.opts.History == nil {
		return
	}
	h, err := s.opts.History.Load()
	s.hist = h
	if err != nil && m.notice == "" {
		m.notice = err.Error()
	}
}

// remember runs a change to the history and keeps the session's copy in
// step; a failure to write it costs the user nothing but the memory.
func (s *session) remember(change func(h *history.History)) {
	if s.opts.History == nil {
		return
	}
	if err := s.opts.History.Update(change); err == nil {
		if h, err := s.opts.History.Load(); err == nil {
			s.hist = h
		}
	}
}

// rememberDatabases records the databases the user chose.
func (s *session) rememberDatabases(dbs ...dms.Database) {
	tid, now := s.ticket.Tenant.ID, s.now()
	s.remember(func(h *history.History) { h.AddDatabases(tid, now, dbs...) })
}

// rememberFiled records a created ticket: its IDs among the user's tickets,
// its tenant and related users as the next ticket's defaults.
func (s *session) rememberFiled(t dms.Ticket, ids ...int64) {
	if s.opts.History == nil {
		return
	}
	if err := s.opts.History.RecordFiled(t, ids...); err == nil {
		if h, err := s.opts.History.Load(); err == nil {
			s.hist = h
		}
	}
}

// defaultRelated gives a new ticket the related users of the user's last
// ticket in its tenant, once, before the details are first shown.
func (s *session) defaultRelated() {
	if s.relatedDefaulted {
		return
	}
	s.relatedDefaulted = true
	if len(s.ticket.RelatedUsers) == 0 {
		s.ticket.RelatedUsers = s.hist.RelatedUsers(s.ticket.Tenant.ID)
	}
}

// like starts a new ticket filled in from a DMS ticket (My tickets' f, or
// the status screen's), at the review: everything can be changed there, and
// the SQL, new to this ticket, is measured again.
func (m *Model) like(l wizard.Liked) tea.Cmd {
	s := m.s
	*s.ticket = l.Ticket
	s.tenantDefaulted, s.relatedDefaulted = true, true
	s.inflight = nil
	// Filing one like a ticket is a new request on purpose, even when it is
	// the same as one this session filed.
	s.created = map[string]int64{}
	m.reset()
	s.statements = len(sqlscript.Statements(s.ticket.SQL, s.ticket.Database.Dialect()))
	s.changed()
	m.notice = ""
	if text := l.UnreadText(); text != "" {
		m.notice = text
	}
	var cmds []tea.Cmd
	if tt, ok := dms.LookupType(s.ticket.Type); ok && tt.AffectRows && strings.TrimSpace(s.ticket.SQL) != "" {
		cmds = append(cmds, s.rows.start(dms.RowsExplain, s.sqlVersion(), true))
	}
	m.step = StepReview
	m.layout()
	cmds = append(cmds, m.steps[StepReview].enter())
	return tea.Batch(cmds...)
}
