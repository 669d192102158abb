package create

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"dmsticket/dms"
	"dmsticket/dms/inert"
	"dmsticket/tui/wizard"
)

// A ticket file submits once (PRODUCT section 7): `create --from FILE`
// writes into the file that it is sending the ticket before CreateOrder goes
// out, and the ticket's ID once DMS answered. A second run of the same file
// refuses with that ID unless --again; a run that finds the file was being
// sent when an earlier run stopped looks the ticket up first.

// recordable reports whether the run keeps a record in a ticket file.
// A --demo run records nothing: its ticket IDs are the embedded
// simulator's, and a run of the file against DMS would refuse with one.
func (r *runner) recordable() bool {
	return r.file != nil && r.o.from != "" && r.o.from != "-" && !r.be.Demo
}

// checkRecord looks at what an earlier run wrote into the ticket file about
// this request. done is true when the run ends here (with err saying how).
func (r *runner) checkRecord(ctx context.Context, req dms.OrderRequest) (done bool, err error) {
	if r.be.Demo && r.file != nil && r.o.from != "-" {
		r.say("Note: --demo files the ticket in the embedded simulator, and records nothing in the ticket file (nor reads its record).")
		return false, nil
	}
	if r.file == nil || r.file.Submitted == nil {
		if r.o.from == "-" {
			r.say("Note: the ticket file comes from standard input, so nothing records that it was sent; running this again files it again.")
		}
		return false, nil
	}
	rec := r.file.Submitted
	if rec.RequestSHA256 != dms.RequestHash(req) {
		return false, nil // the file was changed since: another request
	}
	if r.o.again {
		r.say("--again: filing it once more, although %s.", recordPhrase(rec))
		return false, nil
	}
	switch rec.State {
	case dms.FileCreated:
		ids := make([]string, len(rec.OrderIDs))
		for i, id := range rec.OrderIDs {
			ids[i] = fmt.Sprint(id)
		}
		msg := fmt.Sprintf("this ticket file already created ticket %s on %s", strings.Join(ids, ", "), rec.SentAt.Local().Format("2006-01-02 15:04:05"))
		r.say("dmsticket create: %s; nothing was sent. Pass --again to file it once more.", msg)
		return true, exit(ExitUsage, errors.New(msg))
	case dms.FileSending:
		r.say("An earlier run was sending this ticket (at %s) when it stopped: looking the ticket up before anything is sent…", rec.SentAt.Local().Format("2006-01-02 15:04:05"))
		sub := dms.Submission{Request: req, SHA256: rec.RequestSHA256, SentAt: rec.SentAt, Watermark: rec.Watermark}
		l, lerr := dms.LookUp(ctx, r.be.Service, sub)
		o, found := l.Found()
		switch {
		case ctx.Err() != nil:
			r.say("dmsticket create: interrupted while looking the ticket up. Nothing was sent.")
			return true, exit(ExitInterrupted, ctx.Err())
		case lerr != nil:
			r.say("dmsticket create: the earlier run's ticket may exist, and the lookup failed:")
			r.sayError(lerr)
			r.say("Nothing was sent. Check the DMS console, then run this again (or pass --again).")
			return true, exit(ExitRetryable, lerr)
		case l.Several():
			r.say("dmsticket create: %s", wizard.CannotTell(l, "the earlier run"))
			for _, m := range l.Matches {
				r.say("  %d, created %s", m.ID, m.Created.Local().Format("2006-01-02 15:04:05"))
			}
			r.say("Nothing was sent. Check %s in the DMS console; --again files it regardless.", wizard.ThemOrIt(len(l.Matches)))
			return true, exit(ExitRetryable, fmt.Errorf("%d tickets match the request", len(l.Matches)))
		case found:
			r.say("The earlier run created it: ticket %d (matched on %s). Nothing was sent now.", o.ID, strings.Join(l.Compared, ", "))
			r.recordCreated(sub, []int64{o.ID}, "")
			return true, r.created(ctx, []int64{o.ID}, "", req.Tid, true)
		}
		if settles := rec.SentAt.Add(wizard.SendSettles); time.Now().Before(settles) {
			// The earlier run was killed with its request on the wire:
			// DMS may not have it yet, and would create it after this one.
			msg := fmt.Sprintf("the earlier run sent this ticket at %s and DMS has no ticket for it yet, but its request may still be on its way", rec.SentAt.Local().Format("15:04:05"))
			r.say("dmsticket create: %s. Nothing was sent. Run this again after %s: it looks the ticket up again then, and sends it if DMS still has none.", msg, settles.Local().Format("15:04:05"))
			return true, exit(ExitRetryable, errors.New(msg))
		}
		r.say("The earlier run did not create it (compared: %s): sending it now.", strings.Join(l.Compared, ", "))
	}
	return false, nil
}

func recordPhrase(rec *dms.FileSubmission) string {
	if rec.State == dms.FileCreated && len(rec.OrderIDs) > 0 {
		return fmt.Sprintf("the file already created ticket %d", rec.OrderIDs[0])
	}
	return "an earlier run was sending it"
}

// recordSending writes into the ticket file that the ticket is being sent.
// A file that cannot be written stops the run (nothing is sent) unless
// --again: a second run could not know the first one sent it.
func (r *runner) recordSending(sub dms.Submission) error {
	if !r.recordable() {
		return nil
	}
	f := r.current()
	f.Submitted = &dms.FileSubmission{State: dms.FileSending, RequestSHA256: sub.SHA256, SentAt: sub.SentAt.UTC(), Watermark: sub.Watermark}
	err := writable(r.filePath())
	if err == nil {
		err = dms.WriteFileAtomic(r.filePath(), f.JSON())
	}
	if err != nil {
		if r.o.again {
			r.say("Note: %s cannot be written (%v); sending without recording it (--again).", inert.Line(r.o.from), err)
			return nil
		}
		msg := fmt.Sprintf("%s cannot be written (%v), so nothing would record that this run sent it and a second run would file it again", inert.Line(r.o.from), err)
		r.say("dmsticket create: %s. Nothing was sent. Make the file writable, or pass --again to send without the record.", msg)
		return exit(ExitUsage, errors.New(msg))
	}
	r.file = &f
	return nil
}

// recordCreated writes the created ticket's IDs into the ticket file. The
// ticket exists whatever the disk says: a failure is only reported.
func (r *runner) recordCreated(sub dms.Submission, ids []int64, requestID string) {
	if !r.recordable() {
		return
	}
	f := r.current()
	f.Submitted = &dms.FileSubmission{State: dms.FileCreated, RequestSHA256: sub.SHA256, SentAt: sub.SentAt.UTC(), Watermark: sub.Watermark,
		OrderIDs: ids, RequestID: requestID}
	err := writable(r.filePath())
	if err == nil {
		err = dms.WriteFileAtomic(r.filePath(), f.JSON())
	}
	if err != nil {
		r.say("Note: the ticket was created, but %s could not record it (%v): running this file again would file it again.", inert.Line(r.o.from), err)
		return
	}
	r.file = &f
	r.say("Recorded ticket %d in %s: running it again refuses unless --again.", ids[0], inert.Line(r.o.from))
}

// forgetRecord removes the "sending" record: DMS said no, nothing exists.
func (r *runner) forgetRecord() {
	if !r.recordable() || r.file.Submitted == nil || r.file.Submitted.State != dms.FileSending {
		return
	}
	f := r.current()
	f.Submitted = nil
	if err := dms.WriteFileAtomic(r.filePath(), f.JSON()); err == nil {
		r.file = &f
	}
}

// current is the ticket file as it is on disk now, for a record to be
// written into: edited during the run (the lock keeps other runs out, not
// an editor), the edit is kept rather than written over with the copy the
// run read (found by an adversarial run). A file that no longer reads as
// a ticket file is written back as the run read it, and said so.
func (r *runner) current() dms.TicketFile {
	b, err := os.ReadFile(r.filePath())
	if err == nil {
		var f dms.TicketFile
		if f, err = dms.DecodeTicketFile(bytes.NewReader(b)); err == nil {
			return f
		}
	}
	r.say("Note: %s no longer reads as a ticket file (%v): it is written back as this run read it, with its record.", inert.Line(r.o.from), err)
	return *r.file
}

// sayError narrates an error, indented.
func (r *runner) sayError(err error) {
	for _, l := range wizard.ErrorText(err) {
		r.say("  %s", l)
	}
}

// writable refuses a ticket file made read-only: its owner meant it not to
// change, and replacing it (a rename over it) would.
func writable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o200 == 0 {
		return fmt.Errorf("it is read-only (mode %04o)", fi.Mode().Perm())
	}
	return nil
}
