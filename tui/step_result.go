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
	// watermarkMsg is the newest of the caller's tickets, read just before
	// the request is sent (0 when it could not be read).
	watermarkMsg struct {
		seq int
		wm  int64
	}
	createdMsg struct {
		seq     int
		created dms.Created
		err     error
		// unsent is set when the request was not sent because the
		// submission could not be written down first.
		unsent error
	}
	lookupMsg struct {
		seq    int
		lookup dms.Lookup
		err    error
	}
	// SubmittedMsg reports a finished submission to whoever hosts the
	// program (drafts, audit): the ticket ID, or the error.
	SubmittedMsg struct {
		Request dms.OrderRequest
		OrderID int64
		Err     error
	}
)

func (watermarkMsg) owner() Step { return StepResult }
func (createdMsg) owner() Step   { return StepResult }
func (lookupMsg) owner() Step    { return StepResult }

// resultPhase is where a submission stands.
type resultPhase int

const (
	phaseIdle      resultPhase = iota
	phasePreparing             // reading the watermark, writing the submission down
	phaseSending
	phaseCreated
	phaseFailed
	phaseChecking // outcome unknown: looking the ticket up
	phaseFound    // outcome unknown, then found: created
	phaseNotFound // outcome unknown, then not found: may submit again
	phaseSeveral  // outcome unknown, then several tickets match: none is picked
	phaseCheckFailed
)

// resultStep sends CreateOrder once and shows what came of it.
type resultStep struct {
	s         *session
	phase     resultPhase
	seq       int
	req       dms.OrderRequest
	reqKey    string
	sub       dms.Submission
	resumed   bool // the submission was found in flight in a draft at start
	created   dms.Created
	found     dms.Order
	lookup    dms.Lookup
	err       error
	lookupErr error
	spin      spinner.Model
	// quitAsked is set by a first ctrl+c while the request is on its way.
	quitAsked bool
}

func newResultStep(s *session) *resultStep {
	sp := spinner.New(spinner.WithSpinner(spinner.Dot))
	sp.Style = s.st.Spinner
	return &resultStep{s: s, spin: sp}
}

// busy reports that a request is on its way or being looked up: no second
// submit may start.
func (r *resultStep) busy() bool {
	return r.phase == phasePreparing || r.phase == phaseSending || r.phase == phaseChecking
}

// sending reports that CreateOrder may be on its way: quitting now leaves
// its outcome to the next start's lookup.
func (r *resultStep) sending() bool { return r.phase == phasePreparing || r.phase == phaseSending }

func (r *resultStep) enter() tea.Cmd {
	if r.busy() {
		return r.spin.Tick
	}
	return nil
}

// start prepares the request: the newest ticket ID is read first (a
// ticket this request creates is newer), then the submission is written
// down, then it is sent. It is the only way CreateOrder is called.
func (r *resultStep) start(m submitMsg) tea.Cmd {
	if r.busy() {
		return nil
	}
	r.seq++
	r.phase, r.req, r.reqKey, r.err, r.lookupErr, r.resumed, r.quitAsked = phasePreparing, m.req, m.key, nil, nil, false, false
	seq, tid, svc := r.seq, m.req.Tid, r.s.svc
	return tea.Batch(r.spin.Tick, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		wm, _ := dms.WatermarkOf(ctx, svc, tid) // 0 when unknown: the contents decide
		return watermarkMsg{seq: seq, wm: wm}
	})
}

// send records the submission (in the draft) and sends CreateOrder.
func (r *resultStep) send(wm int64) tea.Cmd {
	r.sub = dms.NewSubmission(r.req, r.s.now(), wm)
	sub := r.sub
	r.s.inflight = &sub
	r.s.changed()
	record := r.s.recordSubmission()
	r.phase = phaseSending
	seq, req, svc := r.seq, r.req, r.s.svc
	return func() tea.Msg {
		if err := record(); err != nil {
			return createdMsg{seq: seq, unsent: err}
		}
		c, err := svc.CreateOrder(context.Background(), req)
		return createdMsg{seq: seq, created: c, err: err}
	}
}

// resume looks up a submission a draft found in flight at start.
func (r *resultStep) resume(sub dms.Submission) tea.Cmd {
	r.seq++
	r.sub, r.req, r.resumed = sub, sub.Request, true
	r.reqKey = reviewKey(sub.Request)
	r.err = &dms.Error{Op: "CreateOrder", Kind: dms.KindOutcomeUnknown,
		Message: "dmsticket stopped while this ticket was on its way to DMS (sent " + sub.SentAt.Local().Format("2006-01-02 15:04:05") + ")"}
	return r.lookUp()
}

func (r *resultStep) lookUp() tea.Cmd {
	r.phase = phaseChecking
	r.seq++
	seq, sub, svc := r.seq, r.sub, r.s.svc
	return tea.Batch(r.spin.Tick, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		l, err := dms.LookUp(ctx, svc, sub)
		return lookupMsg{seq: seq, lookup: l, err: err}
	})
}

// settled forgets the submission in flight: its outcome is known.
func (r *resultStep) settled() {
	r.s.inflight = nil
	r.s.changed()
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
	case watermarkMsg:
		if msg.seq != r.seq || r.phase != phasePreparing {
			return nil
		}
		return r.send(msg.wm)
	case createdMsg:
		if msg.seq != r.seq {
			return nil
		}
		r.quitAsked = false
		if msg.unsent != nil {
			r.settled()
			r.phase = phaseFailed
			r.err = &dms.Error{Op: "CreateOrder", Kind: dms.KindInvalid,
				Message: "nothing was sent: the submission could not be written down first, so a crash could have filed it twice (" + msg.unsent.Error() + ")"}
			return nil
		}
		if msg.err == nil {
			r.settled()
			r.phase, r.created = phaseCreated, msg.created
			r.s.created[r.reqKey] = msg.created.OrderIDs[0]
			return r.report(msg.created.OrderIDs[0], nil)
		}
		r.err = msg.err
		if dms.KindOf(msg.err) == dms.KindOutcomeUnknown {
			return r.lookUp()
		}
		r.settled()
		r.phase = phaseFailed
		return r.report(0, msg.err)
	case lookupMsg:
		if msg.seq != r.seq {
			return nil
		}
		r.lookup = msg.lookup
		switch o, found := msg.lookup.Found(); {
		case msg.err != nil:
			r.phase, r.lookupErr = phaseCheckFailed, msg.err
		case found:
			r.settled()
			r.phase, r.found = phaseFound, o
			r.s.created[r.reqKey] = o.ID
			return r.report(o.ID, nil)
		case msg.lookup.Several():
			r.phase = phaseSeveral
		default:
			r.settled()
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
		case key.Matches(msg, k.Lookup) && (r.phase == phaseCheckFailed || r.phase == phaseNotFound || r.phase == phaseSeveral):
			return r.lookUp()
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
	lost := "? The answer to CreateOrder was lost"
	if r.resumed {
		lost = "? dmsticket stopped while this ticket was being sent"
	}
	switch r.phase {
	case phasePreparing, phaseSending:
		lines = append(lines, r.spin.View()+" "+st.Title.Render("Sending CreateOrder to DMS…"), "",
			st.Subtle.Render("It is sent once; pressing enter again does nothing."))
		if r.quitAsked {
			lines = append(lines, "", st.Warn.Bold(true).Render("The ticket is on its way to DMS."))
			lines = append(lines, wrap(st.Warn, "Quitting now leaves its outcome unknown: it may be created. "+
				"The draft keeps the request, and the next start looks the ticket up before anything can be sent again. "+
				"ctrl+c again quits; any other key waits for the answer.", w)...)
		}
	case phaseCreated, phaseFound:
		id, reqID := int64(0), ""
		head := "✓ Ticket created"
		if r.phase == phaseCreated {
			id, reqID = r.created.OrderIDs[0], r.created.RequestID
		} else {
			id, reqID = r.found.ID, r.found.RequestID
			head = "✓ Ticket created (found after the answer was lost)"
			if r.resumed {
				head = "✓ Ticket created (found after dmsticket stopped while sending it)"
			}
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
			lines = append(lines, wrap(st.Faint, "Matched on "+strings.Join(r.lookup.Compared, ", ")+".", w)...)
		}
		lines = append(lines, "", st.Subtle.Render("DMS now prechecks the ticket; then it waits for approval."))
	case phaseFailed:
		head := "✗ DMS did not create the ticket"
		if dms.KindOf(r.err) == dms.KindPolicy {
			head = "✗ This server's policy refused the ticket"
		} else if dms.KindOf(r.err) == dms.KindInvalid {
			head = "✗ The ticket was not sent"
		}
		lines = append(lines, st.Error.Bold(true).Render(head), "", errorLines(st, r.err, w), "")
		lines = append(lines, wrap(st.Subtle, "Nothing was created. e goes back to the review with everything kept; enter there submits again.", w)...)
	case phaseChecking:
		lines = append(lines, st.Warn.Bold(true).Render(lost), "",
			wrap(st.Subtle, "The request may have reached DMS, so the ticket may exist. "+
				"Looking it up before anything is sent again:", w)[0],
			r.spin.View()+" "+st.Info.Render("ListOrders: your tickets with this comment since "+r.sub.SentAt.Add(-2*time.Minute).Local().Format("15:04:05")+", each read back and compared…"))
	case phaseNotFound:
		lines = append(lines, st.Warn.Bold(true).Render(lost), "",
			errorLines(st, r.err, w), "",
			st.Value.Render("No ticket matching this request was created since it was sent."))
		lines = append(lines, wrap(st.Faint, "Compared: "+strings.Join(r.lookup.Compared, ", ")+".", w)...)
		lines = append(lines, wrap(st.Subtle, "It is safe to send it again: r submits again now, l looks once more.", w)...)
	case phaseSeveral:
		lines = append(lines, st.Warn.Bold(true).Render(lost), "",
			st.Warn.Render(fmt.Sprintf("%d tickets match this request exactly; dmsticket cannot tell which one, if any, is this submission's:", len(r.lookup.Matches))))
		for _, o := range r.lookup.Matches {
			created := ""
			if !o.Created.IsZero() {
				created = " · created " + o.Created.Local().Format("2006-01-02 15:04:05")
			}
			lines = append(lines, st.Value.Render(fmt.Sprintf("  %d", o.ID))+st.Faint.Render(created+" · "+ConsoleLink(r.s.opts.ConsoleURL, r.s.opts.Region, r.req.Tid, o.ID)))
		}
		lines = append(lines, "")
		lines = append(lines, wrap(st.Subtle, "Check them in the DMS console before filing it again; l looks once more.", w)...)
	case phaseCheckFailed:
		lines = append(lines, st.Warn.Bold(true).Render(lost), "",
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
	case phaseCheckFailed, phaseSeveral:
		short = append([]key.Binding{k.Lookup}, short...)
	}
	return helpKeys{short: short}
}

func (r *resultStep) typing() bool { return false }
func (r *resultStep) modal() bool  { return r.busy() }
