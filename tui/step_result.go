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
	"dmsticket/tui/history"
	"dmsticket/tui/wizard"
)

type (
	// submitMsg asks the result step to send a reviewed request.
	submitMsg struct {
		req dms.OrderRequest
		key string
	}
	// preparedMsg is a submission ready to go: its watermark was read.
	preparedMsg struct {
		ofResult
		seq int
		sub dms.Submission
	}
	// sentMsg is what CreateOrder answered, or that the submission could
	// not be written down first (unsent: then nothing was sent).
	sentMsg struct {
		ofResult
		seq    int
		res    wizard.Result
		unsent error
	}
	// resolvedMsg is what the lookup after a lost answer found.
	resolvedMsg struct {
		ofResult
		seq int
		res wizard.Result
	}
	// SubmittedMsg reports a finished submission to whoever hosts the
	// program (drafts, audit): the ticket ID, or the error.
	SubmittedMsg struct {
		Request dms.OrderRequest
		OrderID int64
		Err     error
	}
)

// resultPhase is where the result step stands.
type resultPhase int

const (
	phaseIdle      resultPhase = iota
	phasePreparing             // reading the watermark
	phaseSending               // the submission written down, CreateOrder on its way
	phaseChecking              // the answer was lost: looking the ticket up
	phaseDone                  // res says what became of it
	phaseUnsent                // nothing was sent: the submission could not be written down
	phaseViewing               // a ticket from My tickets, followed
)

// resultStep sends a reviewed request once (wizard.Prepare, wizard.Send),
// looks it up when its answer is lost (wizard.Resolve), and shows what came
// of it.
type resultStep struct {
	s      *session
	phase  resultPhase
	seq    int
	req    dms.OrderRequest
	reqKey string
	res    wizard.Result
	unsent error
	// resumed: the submission was found in flight in a draft at start.
	resumed bool
	spin    spinner.Model
	// quitAsked is set by a first ctrl+c while the request is on its way.
	quitAsked bool
	// follow reads the created ticket's status while the screen is on.
	follow follow
	// viewed is the ticket shown from My tickets (phaseViewing); liking
	// says it is being read back to file one like it.
	viewed  history.Ticket
	liking  bool
	likeErr error
}

// likedOnResultMsg is the viewed ticket rebuilt, to file one like it.
type likedOnResultMsg struct {
	ofResult
	id    int64
	liked wizard.Liked
	err   error
}

// viewing reports that the screen shows a ticket from My tickets rather
// than this submission's.
func (r *resultStep) viewing() bool { return r.phase == phaseViewing }

// viewTicket shows a ticket from My tickets and follows it.
func (r *resultStep) viewTicket(t history.Ticket) tea.Cmd {
	r.seq++
	r.follow.stop()
	r.phase, r.viewed, r.liking, r.likeErr = phaseViewing, t, false, nil
	r.req = dms.OrderRequest{Tid: t.Tid, PluginType: t.Type}
	r.res = wizard.Result{}
	return r.startFollowing(t.ID)
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

// outcome is what became of the submission, once known.
func (r *resultStep) outcome() wizard.Outcome {
	if r.phase != phaseDone {
		return 0
	}
	return r.res.Outcome
}

func (r *resultStep) enter() tea.Cmd {
	if r.busy() {
		return r.spin.Tick
	}
	return nil
}

// start prepares the request: the newest ticket ID is read first (a ticket
// this request creates is newer); then the submission is written down and
// sent. It is the only way CreateOrder is called.
func (r *resultStep) start(m submitMsg) tea.Cmd {
	if r.busy() {
		return nil
	}
	r.seq++
	r.follow.stop()
	r.phase, r.req, r.reqKey, r.res, r.unsent, r.resumed, r.quitAsked = phasePreparing, m.req, m.key, wizard.Result{}, nil, false, false
	seq, req, svc := r.seq, m.req, r.s.svc
	return tea.Batch(r.spin.Tick, func() tea.Msg {
		return preparedMsg{seq: seq, sub: wizard.Prepare(context.Background(), svc, req)}
	})
}

// send writes the submission down (in the draft) and sends it.
func (r *resultStep) send(sub dms.Submission) tea.Cmd {
	r.res.Sub = sub
	r.s.inflight = &sub
	r.s.changed()
	record := r.s.recordSubmission()
	r.phase = phaseSending
	seq, svc := r.seq, r.s.svc
	return func() tea.Msg {
		if err := record(); err != nil {
			return sentMsg{seq: seq, unsent: err}
		}
		return sentMsg{seq: seq, res: wizard.Send(context.Background(), svc, sub)}
	}
}

// resume looks up a submission a draft found in flight at start.
func (r *resultStep) resume(sub dms.Submission) tea.Cmd {
	r.seq++
	r.follow.stop()
	r.req, r.reqKey, r.resumed = sub.Request, wizard.Key(sub.Request), true
	r.res = wizard.Stopped(sub)
	return r.lookUp()
}

func (r *resultStep) lookUp() tea.Cmd {
	r.phase = phaseChecking
	r.seq++
	seq, res, svc := r.seq, r.res, r.s.svc
	return tea.Batch(r.spin.Tick, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		return resolvedMsg{seq: seq, res: wizard.Resolve(ctx, svc, res)}
	})
}

// settle takes a result whose outcome is known or unknown.
func (r *resultStep) settle(res wizard.Result) tea.Cmd {
	r.res, r.phase, r.quitAsked = res, phaseDone, false
	if res.Outcome == wizard.Unknown {
		return r.lookUp()
	}
	if res.Outcome.Known() {
		r.s.inflight = nil // the draft keeps no submission whose outcome is known
		r.s.changed()
	}
	if id, ok := res.TicketID(); ok {
		r.s.created[r.reqKey] = id
		r.s.rememberFiled(*r.s.ticket, res.TicketIDs()...)
		return tea.Batch(r.report(id, nil), r.startFollowing(id))
	}
	if res.Outcome == wizard.Refused {
		return r.report(0, res.Err)
	}
	return nil
}

func (r *resultStep) update(msg tea.Msg) tea.Cmd {
	if cmd, ok := r.updateFollow(msg); ok {
		return cmd
	}
	if r.viewing() {
		return r.updateViewing(msg)
	}
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if !r.busy() {
			return nil
		}
		var cmd tea.Cmd
		r.spin, cmd = r.spin.Update(msg)
		return cmd
	case preparedMsg:
		if msg.seq != r.seq || r.phase != phasePreparing {
			return nil
		}
		return r.send(msg.sub)
	case sentMsg:
		if msg.seq != r.seq {
			return nil
		}
		if msg.unsent != nil {
			r.s.inflight = nil
			r.s.changed()
			r.phase, r.unsent, r.quitAsked = phaseUnsent, msg.unsent, false
			return nil
		}
		return r.settle(msg.res)
	case resolvedMsg:
		if msg.seq != r.seq {
			return nil
		}
		return r.settle(msg.res)
	case tea.KeyMsg:
		k := r.s.keys
		if r.busy() {
			return nil
		}
		o := r.outcome()
		if o == wizard.Created || o == wizard.Found {
			if cmd, ok := r.followKey(msg); ok {
				return cmd
			}
		}
		switch {
		case key.Matches(msg, k.Edit):
			r.s.goTo(StepReview)
		case key.Matches(msg, k.NewTicket):
			r.s.newTicket()
		case key.Matches(msg, k.QuitWord):
			return tea.Quit
		case key.Matches(msg, k.Lookup) && (o == wizard.LookupFailed || o == wizard.NotFound || o == wizard.Several):
			return r.lookUp()
		case key.Matches(msg, k.Retry) && r.settling():
			// Not yet: the request may still reach DMS (the text says until when).
		case key.Matches(msg, k.Retry) && (o == wizard.NotFound || o == wizard.Refused || r.phase == phaseUnsent):
			r.s.submitRequest(submitMsg{req: r.req, key: r.reqKey})
		}
	}
	return nil
}

// updateViewing is the status screen of a ticket from My tickets: the
// following's keys, f files one like it, n a new ticket, q quits (esc, the
// root's, goes back to the list).
func (r *resultStep) updateViewing(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case likedOnResultMsg:
		if msg.id != r.viewed.ID || !r.liking {
			return nil
		}
		r.liking, r.likeErr = false, msg.err
		if msg.err == nil {
			if !r.s.opts.User.AllowsType(msg.liked.Ticket.Type) {
				r.likeErr = fmt.Errorf("you may not file %s tickets on this server", inert.Line(msg.liked.Ticket.Type))
				return nil
			}
			r.s.fileLike(msg.liked)
		}
		return nil
	case tea.KeyMsg:
		k := r.s.keys
		if cmd, ok := r.followKey(msg); ok {
			return cmd
		}
		switch {
		case key.Matches(msg, k.FileLike) && !r.liking:
			r.liking, r.likeErr = true, nil
			x, svc := r.viewed, r.s.svc
			return func() tea.Msg {
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				l, err := wizard.Like(ctx, svc, x.Tid, x.ID)
				return likedOnResultMsg{id: x.ID, liked: l, err: err}
			}
		case key.Matches(msg, k.NewTicket):
			r.s.newTicket()
		case key.Matches(msg, k.QuitWord):
			return tea.Quit
		}
	}
	return nil
}

// viewLines is the status screen of a ticket from My tickets.
func (r *resultStep) viewLines() []string {
	st := r.s.st
	w := r.s.width
	x := r.viewed
	title := "Export data"
	if tt, ok := dms.LookupType(x.Type); ok {
		title = tt.Title
	} else {
		title = x.Type
	}
	lines := []string{st.Title.Render(fmt.Sprintf("Ticket %d", x.ID)) + st.Subtle.Render(" · "+inert.Line(title)), "",
		"   " + st.Big.Render(fmt.Sprintf("%d", x.ID)), ""}
	if c := strings.TrimSpace(x.Comment); c != "" {
		lines = append(lines, truncate(row(st, "Comment", inert.Shown(c)), w))
	}
	if f := &r.follow; f.have && (len(f.status.Databases) > 1 || len(f.status.Databases) == 1 && x.Database == "") {
		// DMS's own list, in place of what the history kept (nothing, for
		// a ticket known only from ListOrders).
		lines = append(lines, truncate(row(st, wizard.Plural(len(f.status.Databases), "Database"), wizard.DatabasesText(f.status)), w))
	} else if x.Database != "" {
		lines = append(lines, truncate(row(st, "Database", inert.Line(x.Database)), w))
	}
	if !x.Created.IsZero() {
		lines = append(lines, row(st, "Created", x.Created.Local().Format("2006-01-02 15:04")))
	}
	lines = append(lines, row(st, "Console", wizard.ConsoleLink(r.s.opts.ConsoleURL, r.s.opts.Region, x.Tid, x.ID)), "")
	lines = append(lines, r.followLines()...)
	switch {
	case r.liking:
		lines = append(lines, "", st.Info.Render("Reading the ticket from DMS to file one like it…"))
	case r.likeErr != nil:
		lines = append(lines, "")
		lines = append(lines, wrap(st.Error, "Could not file one like it: "+errMessage(r.likeErr), w)...)
	}
	return lines
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
	res := r.res
	switch {
	case r.viewing():
		lines = r.viewLines()
	case r.sending():
		lines = append(lines, r.spin.View()+" "+st.Title.Render("Sending CreateOrder to DMS…"), "",
			st.Subtle.Render("It is sent once; pressing enter again does nothing."))
		if r.quitAsked {
			lines = append(lines, "", st.Warn.Bold(true).Render("The ticket is on its way to DMS."))
			lines = append(lines, wrap(st.Warn, "Quitting now leaves its outcome unknown: it may be created. "+
				"The draft keeps the request, and the next start looks the ticket up before anything can be sent again. "+
				"ctrl+c again quits; any other key waits for the answer.", w)...)
		}
	case r.phase == phaseUnsent:
		lines = append(lines, st.Error.Bold(true).Render("✗ The ticket was not sent"), "",
			wrap(st.Error, "The submission could not be written down first, so a crash could have filed it twice: "+inert.Line(r.unsent.Error()), w)[0], "")
		lines = append(lines, wrap(st.Subtle, "Nothing was sent. r tries again; e goes back to the review with everything kept.", w)...)
	case r.phase == phaseChecking:
		lines = append(lines, st.Warn.Bold(true).Render(lost), "",
			wrap(st.Subtle, "The request may have reached DMS, so the ticket may exist. "+
				"Looking it up before anything is sent again:", w)[0],
			r.spin.View()+" "+st.Info.Render("ListOrders: your tickets with this comment since "+res.Sub.SentAt.Add(-2*time.Minute).Local().Format("15:04:05")+", each read back and compared…"))
	case res.Outcome == wizard.Created || res.Outcome == wizard.Found:
		lines = append(lines, r.createdLines(lost)...)
	case res.Outcome == wizard.Refused:
		head := "✗ DMS did not create the ticket"
		if dms.KindOf(res.Err) == dms.KindPolicy {
			head = "✗ This server's policy refused the ticket"
		}
		lines = append(lines, st.Error.Bold(true).Render(head), "", errorLines(st, res.Err, w), "")
		lines = append(lines, wrap(st.Subtle, "Nothing was created. e goes back to the review with everything kept; enter there submits again.", w)...)
	case res.Outcome == wizard.NotFound:
		lines = append(lines, st.Warn.Bold(true).Render(lost), "",
			errorLines(st, res.Err, w), "",
			st.Value.Render("No ticket matching this request was created since it was sent."))
		lines = append(lines, wrap(st.Faint, "Compared: "+strings.Join(res.Lookup.Compared, ", ")+".", w)...)
		if r.settling() {
			lines = append(lines, wrap(st.Warn, fmt.Sprintf("Its request may still reach DMS until %s (a read timeout, or a connection cut once it was sent): l looks again; from then, r submits it again.",
				res.Sub.SentAt.Add(wizard.SendSettles).Local().Format("15:04:05")), w)...)
		} else {
			lines = append(lines, wrap(st.Subtle, "It is safe to send it again: r submits again now, l looks once more.", w)...)
		}
	case res.Outcome == wizard.Several:
		lines = append(lines, st.Warn.Bold(true).Render(lost), "",
			st.Warn.Render(wizard.CannotTell(res.Lookup, "this submission")))
		for _, o := range res.Lookup.Matches {
			created := ""
			if !o.Created.IsZero() {
				created = " · created " + o.Created.Local().Format("2006-01-02 15:04:05")
			}
			lines = append(lines, st.Value.Render(fmt.Sprintf("  %d", o.ID))+st.Faint.Render(created+" · "+wizard.ConsoleLink(r.s.opts.ConsoleURL, r.s.opts.Region, r.req.Tid, o.ID)))
		}
		lines = append(lines, "")
		lines = append(lines, wrap(st.Subtle, "Check "+wizard.ThemOrIt(len(res.Lookup.Matches))+" in the DMS console before filing it again; l looks once more.", w)...)
	case res.Outcome == wizard.LookupFailed:
		lines = append(lines, st.Warn.Bold(true).Render(lost), "",
			errorLines(st, res.Err, w), "", st.Error.Render(wizard.LookupTrouble(res.LookupErr)), errorLines(st, res.LookupErr, w), "")
		lines = append(lines, wrap(st.Subtle, "The ticket may exist: l looks again. Check the DMS console before sending it again.", w)...)
	}
	return strings.Join(lines, "\n")
}

// createdLines is the result screen of a ticket that exists.
func (r *resultStep) createdLines(lost string) []string {
	st := r.s.st
	w := r.s.width
	res := r.res
	id, _ := res.TicketID()
	head, reqID := "✓ Ticket created", res.Created.RequestID
	found, _ := res.Lookup.Found()
	if res.Outcome == wizard.Found {
		reqID = found.RequestID
		head = "✓ Ticket created (found after the answer was lost)"
		if r.resumed {
			head = "✓ Ticket created (found after dmsticket stopped while sending it)"
		}
	}
	lines := []string{st.Success.Render(head), "", "   " + st.Big.Render(fmt.Sprintf("%d", id)), ""}
	if ids := res.TicketIDs(); len(ids) > 1 {
		var more []string
		for _, x := range ids[1:] {
			more = append(more, fmt.Sprint(x))
		}
		lines = append(lines, row(st, "Also", strings.Join(more, ", ")))
	}
	if reqID != "" {
		lines = append(lines, row(st, "Request ID", inert.Line(reqID)))
	}
	lines = append(lines, row(st, "Console", wizard.ConsoleLink(r.s.opts.ConsoleURL, r.s.opts.Region, r.req.Tid, id)))
	if res.Outcome == wizard.Found {
		status := found.StatusDesc
		if status == "" {
			status = found.Status
		}
		lines = append(lines, row(st, "Status", inert.Line(status)))
		lines = append(lines, wrap(st.Faint, "Matched on "+strings.Join(res.Lookup.Compared, ", ")+".", w)...)
	}
	return append(append(lines, ""), r.followLines()...)
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
	if r.viewing() {
		return helpKeys{short: append(r.followHelp(), with(k.FileLike, "f", "file one like it"), with(k.Back, "esc", "my tickets"), k.NewTicket, k.QuitWord)}
	}
	short := []key.Binding{with(k.Edit, "e", "back to review"), k.NewTicket, k.QuitWord}
	switch r.outcome() {
	case wizard.Created, wizard.Found:
		short = append(r.followHelp(), short...)
	case wizard.NotFound:
		if r.settling() {
			short = append([]key.Binding{k.Lookup}, short...)
		} else {
			short = append([]key.Binding{k.Retry, k.Lookup}, short...)
		}
	case wizard.LookupFailed, wizard.Several:
		short = append([]key.Binding{k.Lookup}, short...)
	}
	if r.phase == phaseUnsent {
		short = append([]key.Binding{with(k.Retry, "r", "try again")}, short...)
	}
	return helpKeys{short: short}
}

// settling reports that no ticket was found for a lost answer whose
// request may still reach DMS (wizard.SendSettles after it was sent): r
// does not send it again yet.
func (r *resultStep) settling() bool {
	return r.outcome() == wizard.NotFound && r.s.now().Before(r.res.Sub.SentAt.Add(wizard.SendSettles))
}

func (r *resultStep) typing() bool { return false }
func (r *resultStep) modal() bool  { return r.busy() }
