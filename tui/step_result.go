package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms"
	"dmsticket/dms/inert"
	"dmsticket/theme"
)

type (
	// submitMsg asks the result step to send a reviewed request.
	submitMsg struct {
		req dms.OrderRequest
		key string
	}
	createdMsg struct {
		seq     int
		created dms.Created
		err     error
	}
	lookupMsg struct {
		seq   int
		order dms.Order
		found bool
		err   error
	}
	// SubmittedMsg reports a finished submission to whoever hosts the
	// program (drafts, audit): the ticket ID, or the error.
	SubmittedMsg struct {
		Request dms.OrderRequest
		OrderID int64
		Err     error
	}
)

func (createdMsg) owner() Step { return StepResult }
func (lookupMsg) owner() Step  { return StepResult }

// resultPhase is where a submission stands.
type resultPhase int

const (
	phaseIdle resultPhase = iota
	phaseSending
	phaseCreated
	phaseFailed
	phaseChecking // outcome unknown: looking the ticket up
	phaseFound    // outcome unknown, then found: created
	phaseNotFound // outcome unknown, then not found: may submit again
	phaseCheckFailed
)

// resultStep sends CreateOrder once and shows what came of it.
type resultStep struct {
	s         *session
	phase     resultPhase
	seq       int
	req       dms.OrderRequest
	reqKey    string
	submitted time.Time
	created   dms.Created
	found     dms.Order
	err       error
	lookupErr error
	spin      spinner.Model
}

func newResultStep(s *session) *resultStep {
	sp := spinner.New(spinner.WithSpinner(spinner.Dot))
	sp.Style = s.st.Spinner
	return &resultStep{s: s, spin: sp}
}

// busy reports that a request is on its way or being looked up: no second
// submit may start.
func (r *resultStep) busy() bool { return r.phase == phaseSending || r.phase == phaseChecking }

func (r *resultStep) enter() tea.Cmd {
	if r.busy() {
		return r.spin.Tick
	}
	return nil
}

// start sends the request. It is the only place CreateOrder is called.
func (r *resultStep) start(m submitMsg) tea.Cmd {
	if r.busy() {
		return nil
	}
	r.seq++
	r.phase, r.req, r.reqKey, r.err, r.lookupErr = phaseSending, m.req, m.key, nil, nil
	r.submitted = r.s.now()
	seq, req, svc := r.seq, m.req, r.s.svc
	send := func() tea.Msg {
		c, err := svc.CreateOrder(context.Background(), req)
		return createdMsg{seq: seq, created: c, err: err}
	}
	return tea.Batch(r.spin.Tick, send)
}

func (r *resultStep) lookup() tea.Cmd {
	r.phase = phaseChecking
	r.seq++
	seq, req, svc, since := r.seq, r.req, r.s.svc, r.submitted
	return tea.Batch(r.spin.Tick, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		o, found, err := dms.FindSubmitted(ctx, svc, req, since)
		return lookupMsg{seq: seq, order: o, found: found, err: err}
	})
}

func (r *resultStep) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if !r.busy() {
			return nil
		}
		var cmd tea.Cmd
		r.spin, cmd = r.spin.Update(msg)
		return cmd
	case createdMsg:
		if msg.seq != r.seq {
			return nil
		}
		if msg.err == nil {
			r.phase, r.created = phaseCreated, msg.created
			r.s.created[r.reqKey] = msg.created.OrderIDs[0]
			return r.report(msg.created.OrderIDs[0], nil)
		}
		r.err = msg.err
		if dms.KindOf(msg.err) == dms.KindOutcomeUnknown {
			return r.lookup()
		}
		r.phase = phaseFailed
		return r.report(0, msg.err)
	case lookupMsg:
		if msg.seq != r.seq {
			return nil
		}
		switch {
		case msg.err != nil:
			r.phase, r.lookupErr = phaseCheckFailed, msg.err
		case msg.found:
			r.phase, r.found = phaseFound, msg.order
			r.s.created[r.reqKey] = msg.order.ID
			return r.report(msg.order.ID, nil)
		default:
			r.phase = phaseNotFound
		}
		return nil
	case tea.KeyMsg:
		k := r.s.keys
		if r.busy() {
			return nil
		}
		switch {
		case key.Matches(msg, k.Edit):
			r.s.goTo(StepReview)
			return nil
		case key.Matches(msg, k.NewTicket):
			r.s.newTicket()
			return nil
		case key.Matches(msg, k.QuitWord):
			return tea.Quit
		case key.Matches(msg, k.Lookup) && (r.phase == phaseCheckFailed || r.phase == phaseNotFound):
			return r.lookup()
		case key.Matches(msg, k.Retry) && (r.phase == phaseNotFound || r.phase == phaseFailed):
			r.s.submitRequest(submitMsg{req: r.req, key: r.reqKey})
			return nil
		}
	}
	return nil
}

// report tells the host program how the submission ended.
func (r *resultStep) report(id int64, err error) tea.Cmd {
	req := r.req
	return func() tea.Msg { return SubmittedMsg{Request: req, OrderID: id, Err: err} }
}

func (r *resultStep) view() string {
	st := r.s.st
	w := r.s.width
	var lines []string
	switch r.phase {
	case phaseSending:
		lines = append(lines, r.spin.View()+" "+st.Title.Render("Sending CreateOrder to DMS…"), "",
			st.Subtle.Render("It is sent once; pressing enter again does nothing."))
	case phaseCreated, phaseFound:
		id, reqID := int64(0), ""
		head := "✓ Ticket created"
		if r.phase == phaseCreated {
			id, reqID = r.created.OrderIDs[0], r.created.RequestID
		} else {
			id, reqID = r.found.ID, r.found.RequestID
			head = "✓ Ticket created (found after the answer was lost)"
		}
		lines = append(lines, st.Success.Render(head), "", "   "+st.Big.Render(fmt.Sprintf("%d", id)), "")
		if r.phase == phaseCreated && len(r.created.OrderIDs) > 1 {
			var more []string
			for _, x := range r.created.OrderIDs[1:] {
				more = append(more, fmt.Sprint(x))
			}
			lines = append(lines, row(st, "Also", strings.Join(more, ", ")))
		}
		if reqID != "" {
			lines = append(lines, row(st, "Request ID", inert.Line(reqID)))
		}
		lines = append(lines, row(st, "Console", ConsoleLink(r.s.opts.ConsoleURL, r.s.opts.Region, r.req.Tid, id)))
		if r.phase == phaseFound {
			status := r.found.StatusDesc
			if status == "" {
				status = r.found.Status
			}
			lines = append(lines, row(st, "Status", inert.Line(status)))
		}
		lines = append(lines, "", st.Subtle.Render("DMS now prechecks the ticket; then it waits for approval."))
	case phaseFailed:
		lines = append(lines, st.Error.Bold(true).Render("✗ DMS did not create the ticket"), "", errorLines(st, r.err, w), "")
		lines = append(lines, wrap(st.Subtle, "Nothing was created. e goes back to the review with everything kept; enter there submits again.", w)...)
	case phaseChecking:
		lines = append(lines, st.Warn.Bold(true).Render("? The answer to CreateOrder was lost"), "",
			wrap(st.Subtle, "The request reached DMS but no usable answer came back, so the ticket may exist. "+
				"Looking it up before anything is sent again:", w)[0],
			r.spin.View()+" "+st.Info.Render("ListOrders: your tickets since "+r.submitted.Add(-2*time.Minute).Local().Format("15:04:05")+" with this comment…"))
	case phaseNotFound:
		lines = append(lines, st.Warn.Bold(true).Render("? The answer to CreateOrder was lost"), "",
			errorLines(st, r.err, w), "",
			st.Value.Render("No ticket with this comment was created since the submit."))
		lines = append(lines, wrap(st.Subtle, "It is safe to send it again: r submits again now, l looks once more.", w)...)
	case phaseCheckFailed:
		lines = append(lines, st.Warn.Bold(true).Render("? The answer to CreateOrder was lost"), "",
			errorLines(st, r.err, w), "", st.Error.Render("And the lookup failed too:"), errorLines(st, r.lookupErr, w), "")
		lines = append(lines, wrap(st.Subtle, "The ticket may exist: l looks again. Check the DMS console before sending it again.", w)...)
	}
	return strings.Join(lines, "\n")
}

// row is "Label       value" for the result screen.
func row(st *theme.Styles, label, value string) string {
	return st.Label.Render(fmt.Sprintf("%-11s", label)) + " " + st.Value.Render(value)
}

func (r *resultStep) help() helpKeys {
	k := r.s.keys
	if r.busy() {
		return helpKeys{short: []key.Binding{with(k.Quit, "ctrl+c", "quit")}}
	}
	short := []key.Binding{with(k.Edit, "e", "back to review"), k.NewTicket, k.QuitWord}
	switch r.phase {
	case phaseNotFound:
		short = append([]key.Binding{k.Retry, k.Lookup}, short...)
	case phaseCheckFailed:
		short = append([]key.Binding{k.Lookup}, short...)
	}
	return helpKeys{short: short}
}

func (r *resultStep) typing() bool { return false }
func (r *resultStep) modal() bool  { return r.busy() }
