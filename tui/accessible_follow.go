package tui

import (
	"context"
	"fmt"

	"dmsticket/dms"
	"dmsticket/dms/inert"
	"dmsticket/tui/wizard"
)

// followTicket follows a ticket the run created to the end of the user's
// job, as the result screen does (PRODUCT section 13), in plain prompts:
// it waits for DMS's precheck, offers to submit the ticket for approval,
// to wait for the approval, to run an approved export and to download its
// file, or to run an approved data change whose ExecMode is COMMITOR (the
// others are waited for: DMS runs AUTO ones, the last approver
// LAST_AUDITOR ones). Every write is asked for first and sent once (the state read after
// it settles a lost answer); declining says which command continues later.
func (a *accessible) followTicket(tid, id int64, pluginType string) error {
	p := a.p
	ctx := a.ctx()
	w := dms.NewWatcher(a.svc, tid, id, pluginType)
	accepted := a.t.Rows
	show := func(st dms.Status) { p.say(wizard.StatusText(st, accepted)...) }
	later := func(command string) { p.sayf("Later: dmsticket %s %d", command, id) }
	// watch waits while the state is from; it reports false when the
	// state could not be read (said, with how to go on).
	watch := func(from dms.State) (dms.Status, bool, error) {
		st, err := wizard.Watch(ctx, w, a.opts.PollEvery, func(s dms.Status) bool { return s.State != from }, func(s dms.Status) {
			if s.State != from {
				show(s)
			}
		})
		if err != nil {
			if ctx.Err() != nil {
				return st, false, ctx.Err()
			}
			p.say("Could not read the ticket's state:")
			p.say(wizard.ErrorText(err)...)
			later("status --watch")
			return st, false, nil
		}
		return st, true, nil
	}

	// mode is a data change's ExecMode as filed (who runs it once
	// approved); "" for other types.
	mode := ""
	if tt, _ := dms.LookupType(pluginType); tt.Executable {
		mode = dms.ExecModeOf(a.t)
	}
	p.say("DMS prechecks the ticket first. Waiting for the precheck…")
	st, ok, err := watch(dms.StatePrecheck)
	if !ok || err != nil {
		return err
	}
	for {
		switch {
		case wizard.Allows(st, mode, wizard.ActSubmit):
			yes, err := p.confirm(fmt.Sprintf("Submit ticket %d for approval now?", id), false)
			if err != nil || !yes {
				if err == nil {
					p.say("Not submitted.")
					later("submit")
				}
				return err
			}
			p.say("Sending SubmitOrderApproval. It is sent once.")
			if st, ok, err = a.act(w, wizard.ActSubmit, ""); !ok || err != nil {
				return err
			}
		case mode != "" && wizard.Allows(st, mode, wizard.ActExecute):
			yes, err := p.confirm(fmt.Sprintf("Ticket %d is approved, and you run it (ExecMode %s). Run the change now on %s?", id, mode, databasesPhrase(a.t.Databases())), false)
			if err != nil || !yes {
				if err == nil {
					p.say("Not run.")
					p.sayf("Later: dmsticket submit %d --wait done runs it, or x on the wizard's result screen.", id)
				}
				return err
			}
			p.say("Sending ExecuteDataCorrect. It is sent once.")
			if st, ok, err = a.act(w, wizard.ActExecute, ""); !ok || err != nil {
				return err
			}
		case mode == "" && wizard.Allows(st, mode, wizard.ActExecute):
			opts := []option{}
			for _, t := range dms.ExportFileTypes {
				opts = append(opts, option{label: "Run it now, as a " + t + " file", aliases: []string{t}})
			}
			opts = append(opts, option{label: "Not now", aliases: []string{"n", "no"}})
			i, err := p.choose(fmt.Sprintf("Ticket %d is approved. Run the export?", id), opts, 0)
			if err != nil {
				return err
			}
			if i == len(dms.ExportFileTypes) {
				later("download")
				return nil
			}
			p.say("Sending ExecuteDataExport. It is sent once.")
			if st, ok, err = a.act(w, wizard.ActExecute, dms.ExportFileTypes[i]); !ok || err != nil {
				return err
			}
		case wizard.Allows(st, mode, wizard.ActDownload):
			return a.downloadExport(ctx, tid, id)
		case st.State == dms.StateApproval || st.State == dms.StateRunning || st.State == dms.StatePrecheck || st.State == dms.StateApproved:
			what := map[dms.State]string{dms.StateApproval: "the approval", dms.StateRunning: "the run to end",
				dms.StatePrecheck: "the precheck", dms.StateApproved: "DMS to run it"}[st.State]
			if st.State == dms.StateApproved && mode == "LAST_AUDITOR" {
				what = "the last approver to run it (ExecMode LAST_AUDITOR)"
			} else if st.State == dms.StateApproved && mode == "AUTO" {
				what = "DMS to run it (ExecMode AUTO)"
			}
			yes, err := p.confirm("Wait here for "+what+"? (ctrl+c stops dmsticket; the ticket is not affected)", true)
			if err != nil || !yes {
				if err == nil {
					later("status --watch")
				}
				return err
			}
			if st, ok, err = watch(st.State); !ok || err != nil {
				return err
			}
		default:
			// Final, or a state dmsticket does not know: StatusText said it.
			return nil
		}
	}
}

// act submits or runs the ticket once and says what came of it; ok is false
// when it did not happen (said).
func (a *accessible) act(w *dms.Watcher, act wizard.Action, fileType string) (dms.Status, bool, error) {
	p := a.p
	var st dms.Status
	var done bool
	var err error
	op := "SubmitOrderApproval"
	if act != wizard.ActSubmit {
		op = "the run (ExecuteDataExport or ExecuteDataCorrect)"
	}
	a.actingOp.Store(op)
	a.acting.Store(w.ID())
	if act == wizard.ActSubmit {
		st, done, err = w.Submit(a.ctx())
	} else {
		st, done, err = w.Execute(a.ctx(), fileType)
	}
	a.acting.Store(0)
	if a.ctx().Err() != nil {
		return st, false, a.ctx().Err()
	}
	if !done {
		p.say(wizard.ActionOutcome(act, done, err) + ":")
		p.say(wizard.ErrorText(err)...)
		p.sayf("Nothing was changed. Later: dmsticket status %d", st.ID)
		return st, false, nil
	}
	p.say(wizard.ActionOutcome(act, done, err))
	if st.ID != 0 {
		p.say(wizard.StatusText(st, a.t.Rows)...)
	}
	return st, true, nil
}

// downloadExport offers the finished export's file: saved in the current
// directory locally; over SSH the file would land on the server, so its
// link is given instead.
func (a *accessible) downloadExport(ctx context.Context, tid, id int64) error {
	p := a.p
	if !a.opts.Local {
		d, err := a.svc.DownloadURL(ctx, tid, id)
		if err != nil {
			p.say("Could not get the file's link:")
			p.say(wizard.ErrorText(err)...)
			return nil
		}
		p.say("The file is ready: " + inert.Line(d.URL))
		return nil
	}
	yes, err := p.confirm("Download the exported file to the current directory?", true)
	if err != nil || !yes {
		if err == nil {
			p.sayf("Later: dmsticket download %d", id)
		}
		return err
	}
	d, err := a.svc.DownloadURL(ctx, tid, id)
	if err == nil && !d.Ready {
		p.say("DMS has no file yet: " + inert.Line(d.Tip))
		return nil
	}
	path := ""
	if err == nil {
		path, err = wizard.SaveExport(ctx, d.URL, ".", dms.DownloadName(d.URL, id, ""), nil)
	}
	if err != nil {
		p.say("The download failed:")
		p.say(wizard.ErrorText(err)...)
		p.sayf("Nothing was left half-written. Later: dmsticket download %d", id)
		return nil
	}
	p.say("Saved " + inert.Line(path) + ".")
	return nil
}

// databasesPhrase names a ticket's databases for a question: the one's
// name, or "its 3 databases".
func databasesPhrase(dbs []dms.Database) string {
	if len(dbs) == 1 {
		return inert.Line(dbs[0].Name())
	}
	return fmt.Sprintf("its %d databases", len(dbs))
}
