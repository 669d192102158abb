package wizard

import (
	"context"
	"fmt"
	"time"

	"dmsticket/dms"
)

// A submission goes in four moves, whichever front end makes them:
//
//  1. Prepare reads the watermark (the newest ticket the caller can see):
//     a ticket this request creates is newer.
//  2. The front end writes the submission down (the draft, the ticket
//     file) before anything is sent; if it cannot, nothing is sent.
//  3. Send calls CreateOrder once; it is never retried.
//  4. When the answer is lost, Resolve looks the ticket up (and again, on
//     the user's word, while the outcome is unknown).

// Outcome is what became of a submission.
type Outcome int

// The outcomes of a submission.
const (
	// Created: DMS answered with the ticket.
	Created Outcome = iota + 1
	// Refused: DMS (or the server's policy) said no, or nothing reached it:
	// no ticket exists.
	Refused
	// Unknown: the request was sent and no usable answer came back; the
	// ticket may exist. Resolve finds out.
	Unknown
	// Found: the answer was lost and the lookup found the ticket.
	Found
	// NotFound: the answer was lost and no ticket matches the request: it
	// may be sent again.
	NotFound
	// Several: the answer was lost and several tickets match the request:
	// none is claimed.
	Several
	// LookupFailed: the answer was lost and the lookup failed too.
	LookupFailed
)

// Known reports whether the outcome says for sure whether the ticket exists.
func (o Outcome) Known() bool { return o == Created || o == Refused || o == Found || o == NotFound }

// Result is a submission and what became of it.
type Result struct {
	Outcome Outcome
	Sub     dms.Submission
	// Created is CreateOrder's answer (Outcome Created).
	Created dms.Created
	// Err is CreateOrder's error (every outcome but Created).
	Err error
	// Lookup is the lookup's finding and LookupErr its failure (outcomes
	// after a lost answer).
	Lookup    dms.Lookup
	LookupErr error
	// stopped marks a submission a program that stopped sent (Stopped).
	stopped bool
}

// SendSettles is how long after a send its request may still reach DMS:
// the client's connect and read timeouts, and a margin. A program killed
// with its request on the wire leaves it on its way.
const SendSettles = dms.DefaultConnectTimeout + dms.DefaultReadTimeout + 10*time.Second

// StillOnItsWay is the lookup's answer for a stopped program's submission
// that DMS has no ticket for yet, sent less than SendSettles ago: its
// request may still reach DMS and create one, so it is not sent again
// before Until (found by an adversarial run: a run right after a kill sent
// the ticket again, and the killed run's request then created a second).
type StillOnItsWay struct{ SentAt, Until time.Time }

func (e *StillOnItsWay) Error() string {
	return fmt.Sprintf("DMS has no ticket for it yet, but the program that stopped sent it at %s, and its request may still reach DMS until %s: look again then",
		e.SentAt.Local().Format("15:04:05"), e.Until.Local().Format("15:04:05"))
}

// TicketID is the ticket the submission created, when one is known.
func (r Result) TicketID() (int64, bool) {
	switch r.Outcome {
	case Created:
		return r.Created.OrderIDs[0], true
	case Found:
		o, _ := r.Lookup.Found()
		return o.ID, true
	}
	return 0, false
}

// TicketIDs are all the tickets the submission created.
func (r Result) TicketIDs() []int64 {
	if r.Outcome == Created {
		return r.Created.OrderIDs
	}
	if id, ok := r.TicketID(); ok {
		return []int64{id}
	}
	return nil
}

// watermarkTimeout bounds the read before the send: the submit does not wait
// long for it, and without it the request's contents still decide a lookup.
const watermarkTimeout = 10 * time.Second

// Prepare is the submission of req, about to be sent: the watermark is read
// first (dms.NoWatermark when it cannot be). Its time is the wall clock's, whatever clock
// the front end draws with: a lookup compares it with DMS's ticket times.
func Prepare(ctx context.Context, svc dms.Service, req dms.OrderRequest) dms.Submission {
	wctx, cancel := context.WithTimeout(ctx, watermarkTimeout)
	defer cancel()
	wm, err := dms.WatermarkOf(wctx, svc, req.Tid)
	if err != nil {
		wm = dms.NoWatermark
	}
	return dms.NewSubmission(req, time.Now(), wm)
}

// Send calls CreateOrder once for a prepared submission.
func Send(ctx context.Context, svc dms.Service, sub dms.Submission) Result {
	r := Result{Sub: sub}
	c, err := svc.CreateOrder(ctx, sub.Request)
	switch {
	case err == nil:
		r.Outcome, r.Created = Created, c
	case dms.KindOf(err) == dms.KindOutcomeUnknown:
		r.Outcome, r.Err = Unknown, err
	default:
		r.Outcome, r.Err = Refused, err
	}
	return r
}

// Resolve looks up a submission whose outcome is unknown (r.Outcome is
// Unknown, or a lookup that failed, found none or several is asked again).
func Resolve(ctx context.Context, svc dms.Service, r Result) Result {
	l, err := dms.LookUp(ctx, svc, r.Sub)
	r.Lookup, r.LookupErr = l, err
	_, found := l.Found()
	switch {
	case err != nil:
		r.Outcome = LookupFailed
	case found:
		r.Outcome = Found
	case l.Several():
		r.Outcome = Several
	case r.stopped && time.Now().Before(r.Sub.SentAt.Add(SendSettles)):
		r.Outcome, r.LookupErr = LookupFailed, &StillOnItsWay{SentAt: r.Sub.SentAt, Until: r.Sub.SentAt.Add(SendSettles)}
	default:
		r.Outcome = NotFound
	}
	return r
}

// Stopped is the result a submission written down in a draft or ticket file
// starts from when the program that sent it stopped before its answer: the
// outcome is unknown until Resolve.
func Stopped(sub dms.Submission) Result {
	return Result{Outcome: Unknown, Sub: sub, stopped: true, Err: &dms.Error{Op: "CreateOrder", Kind: dms.KindOutcomeUnknown,
		Message: "dmsticket stopped while this ticket was on its way to DMS (sent " + sub.SentAt.Local().Format("2006-01-02 15:04:05") + ")"}}
}
