package tui

import (
	"dmsticket/tui/history"
	"dmsticket/tui/wizard"

	tea "github.com/charmbracelet/bubbletea"
)

// navKind is a change of step a step asks the root for.
type navKind int

const (
	navNext navKind = iota + 1
	navBack
	navGoto
	navSubmit
	navNewTicket
	navShow
	navLike
)

// navRequest is one change of step. Steps ask for it through the session
// (next, back, goTo, submit, newTicket); the root applies it inside the same
// Update, so the keys that follow (type-ahead, a burst of input) reach the
// step the user is on by then, not the one they left. A change sent as a
// message would arrive after those keys.
type navRequest struct {
	kind   navKind
	step   Step
	submit submitMsg
	ticket history.Ticket // navShow
	liked  wizard.Liked   // navLike
}

func (s *session) navigate(r navRequest) { s.nav = append(s.nav, r) }

// next asks for the step after the current one.
func (s *session) next() { s.navigate(navRequest{kind: navNext}) }

// back asks for the step before the current one.
func (s *session) back() { s.navigate(navRequest{kind: navBack}) }

// goTo asks for a step.
func (s *session) goTo(step Step) { s.navigate(navRequest{kind: navGoto, step: step}) }

// newTicket asks for a new ticket, keeping the tenant.
func (s *session) newTicket() { s.navigate(navRequest{kind: navNewTicket}) }

// submitRequest asks the result step to send a reviewed request.
func (s *session) submitRequest(m submitMsg) { s.navigate(navRequest{kind: navSubmit, submit: m}) }

// showTicket asks for a ticket's status screen (from My tickets).
func (s *session) showTicket(t history.Ticket) { s.navigate(navRequest{kind: navShow, ticket: t}) }

// fileLike asks for a new ticket like a DMS ticket: filled in from it, at
// the review.
func (s *session) fileLike(l wizard.Liked) { s.navigate(navRequest{kind: navLike, liked: l}) }

// applyNav carries out the changes of step asked for since the last call.
func (m *Model) applyNav() tea.Cmd {
	if len(m.s.nav) == 0 {
		return nil
	}
	following := m.steps[StepResult].(*resultStep)
	defer func() {
		// A ticket is followed only while its result screen is on.
		if m.step != StepResult || m.steps[StepResult] != following {
			following.follow.stop()
		}
	}()
	var cmds []tea.Cmd
	for len(m.s.nav) > 0 {
		r := m.s.nav[0]
		m.s.nav = m.s.nav[1:]
		m.s.changed()
		switch r.kind {
		case navNext:
			cmds = append(cmds, m.forward())
		case navBack:
			cmds = append(cmds, m.back())
		case navGoto:
			cmds = append(cmds, m.enter(r.step))
		case navNewTicket:
			m.draft.off = false
			cmds = append(cmds, m.newTicket())
		case navShow:
			res := m.steps[StepResult].(*resultStep)
			m.step = StepResult
			m.layout()
			cmds = append(cmds, res.viewTicket(r.ticket))
		case navLike:
			cmds = append(cmds, m.like(r.liked))
		case navSubmit:
			res := m.steps[StepResult].(*resultStep)
			if res.busy() {
				continue // one submit at a time, however often enter is pressed
			}
			m.step = StepResult
			m.layout()
			cmds = append(cmds, res.start(r.submit))
		}
	}
	if m.s.recheckDatabases {
		m.s.recheckDatabases = false
		cmds = append(cmds, m.checkDatabase())
	}
	return tea.Batch(cmds...)
}

// updateStep hands msg to a step and applies the changes of step it asked for.
func (m *Model) updateStep(s Step, msg tea.Msg) tea.Cmd {
	cmd := m.steps[s].update(msg)
	return tea.Batch(cmd, m.applyNav())
}

// A step's own messages (its commands' answers and ticks) embed the step's
// mark: the root hands such a message to that step, whichever step is on
// the screen, so an answer that comes after the user moved on still reaches
// the step that asked.
type (
	ofDatabase struct{}
	ofSQL      struct{}
	ofReview   struct{}
	ofResult   struct{}
	ofTickets  struct{}
)

func (ofDatabase) owner() Step { return StepDatabase }
func (ofSQL) owner() Step      { return StepSQL }
func (ofReview) owner() Step   { return StepReview }
func (ofResult) owner() Step   { return StepResult }
func (ofTickets) owner() Step  { return StepTickets }
