package tickets

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"dmsticket/dms"
	"dmsticket/tui/wizard"
)

// NewStatusCommand builds `dmsticket status ID`.
func NewStatusCommand(deps Deps) *cobra.Command {
	var watch bool
	var output string
	cmd := &cobra.Command{
		Use:   "status ID",
		Short: "A ticket's state, precheck and approval",
		Long: `status reads where a ticket stands: its state in dmsticket's words (precheck, precheck-failed,
ready, approval, approved, rejected, running, done, failed, closed), DMS's own codes, DMS's
precheck figure per statement, why it failed or was rejected, the approval chain before it is
submitted and who holds the approval after, and what to run next.

--output json prints the status as one JSON object: "state" is the word above, "dms" holds
DMS's raw codes beside it.

--watch follows the ticket, reading it every 2 s at first and slowing to every 30 s while
nothing changes (up to 2 min while DMS throttles), and prints the status again each time its
state changes (with --output json, one JSON object a line). It stops when nothing more happens
without you: the ticket is done, has ended (rejected, failed, closed, the precheck failed), or
waits for you (ready: submit it; an approved export: download runs it). ctrl+c stops watching;
the ticket is not affected.

Exit codes: 0 the status was read (--watch: the ticket is done or waits for you), 1 DMS
refused (an unknown ticket, no permission) or, with --watch, the ticket ended rejected,
failed, closed or with its precheck failed, 2 usage error, 3 DMS unavailable or throttled
(try again), 130 interrupted.`,
		Example: `  dmsticket status 40000001
  dmsticket status 40000001 --output json | jq -r .state
  dmsticket status 40000001 --watch`,
		Args: oneID(deps, "status"),
		RunE: runE(deps, "status", func(_ *cobra.Command, args []string) (action, error) {
			id, err := outputAndID(output, args)
			if err != nil {
				return nil, err
			}
			return func(ctx context.Context, r *runner) error {
				if watch {
					return r.watch(ctx, id, output)
				}
				return r.status(ctx, id, output)
			}, nil
		}),
	}
	cmd.Flags().BoolVar(&watch, "watch", false, "follow the ticket until it is done, has ended or waits for you, printing each change")
	outputFlag(cmd, &output)
	reportErrors(cmd, deps)
	return cmd
}

// status reads the ticket once and prints it.
func (r *runner) status(ctx context.Context, id int64, output string) error {
	st, err := dms.NewWatcher(r.be.Service, r.tid, id, "").Read(ctx)
	if err != nil {
		return r.dmsError(ctx, fmt.Sprintf("could not read ticket %d", id), err)
	}
	return r.printStatus(st, output, true)
}

// printStatus writes a status on stdout: the plain lines, what to run next
// and the console link (text), or the JSON object.
func (r *runner) printStatus(st dms.Status, output string, link bool) error {
	out := r.deps.Stdout
	if output == "json" {
		if err := writeJSON(out, st); err != nil {
			return wizard.Exit(wizard.ExitRetryable, err)
		}
		return nil
	}
	for _, l := range r.statusLines(st, link) {
		fmt.Fprintln(out, l)
	}
	return nil
}

// statusLines are a status as text: wizard.StatusText with the type and the
// comment after its first line, then what to run next and the console link.
func (r *runner) statusLines(st dms.Status, link bool) []string {
	text := wizard.StatusText(st, dms.RowFigure{})
	lines := []string{text[0], "Type: " + typeText(st.PluginType) + "."}
	if st.Comment != "" {
		lines = append(lines, "Comment: "+cleanLine(st.Comment))
	}
	lines = append(lines, text[1:]...)
	if n := nextStep(st); n != "" {
		lines = append(lines, "Next: "+n)
	}
	if link {
		lines = append(lines, "Console: "+wizard.ConsoleLink(r.be.ConsoleURL, r.be.Region, r.tid, st.ID))
	}
	return lines
}

// typeText is a PluginType in words: "Export data (DATA_EXPORT)".
func typeText(pluginType string) string {
	if tt, ok := dms.LookupType(pluginType); ok {
		return tt.Title + " (" + pluginType + ")"
	}
	if pluginType == "" {
		return "not reported"
	}
	return cleanLine(pluginType)
}

// nextStep is what to run next for a ticket in its state, "" when nothing.
func nextStep(st dms.Status) string {
	export := false
	if tt, ok := dms.LookupType(st.PluginType); ok && tt.Detail == dms.ExportDetail {
		export = true
	}
	id := st.ID
	// Who filed it may submit it, and an administrator; DMS refuses others.
	by := ""
	if c := wizard.CommitterText(st); c != "" {
		by = "; " + c + ", who filed it, or a DMS administrator may"
	}
	switch st.State {
	case dms.StatePrecheck:
		return fmt.Sprintf("dmsticket submit %d (waits for the precheck to pass, then submits the ticket for approval%s).", id, by)
	case dms.StateReady:
		return fmt.Sprintf("dmsticket submit %d submits the ticket for approval%s.", id, strings.Replace(by, "; ", " (", 1)+map[bool]string{true: ")", false: ""}[by != ""])
	case dms.StateApproval:
		return fmt.Sprintf("wait for the approvers: dmsticket status %d --watch follows the ticket.", id)
	case dms.StateApproved:
		if export {
			return fmt.Sprintf("dmsticket download %d runs the export, waits for it and downloads the file.", id)
		}
	case dms.StateRunning:
		if export {
			return fmt.Sprintf("dmsticket download %d waits for the export and downloads the file.", id)
		}
		return fmt.Sprintf("dmsticket status %d --watch follows it to the end.", id)
	case dms.StateDone:
		if export {
			return fmt.Sprintf("dmsticket download %d downloads the file.", id)
		}
	case dms.StatePrecheckFailed:
		return "fix what the precheck names and file the ticket again (dmsticket create, or e on the wizard's result screen)."
	}
	return ""
}

// watch follows the ticket until it is done, has ended or waits for the
// user, printing each change of state on stdout; stderr says why it
// stopped, and what went wrong on the way.
func (r *runner) watch(ctx context.Context, id int64, output string) error {
	fl := r.follow(id).follower(Goal{})
	fl.deadline = time.Time{} // until it stops, or ctrl+c
	printed, announced := 0, false
	var werr error
	fl.onChange = func(st dms.Status) {
		defer func() { printed++ }()
		if output == "json" {
			b, err := json.Marshal(st)
			if err == nil {
				_, err = fmt.Fprintf(r.deps.Stdout, "%s\n", b)
			}
			if err != nil && werr == nil {
				werr = err
			}
			return
		}
		if printed > 0 {
			fmt.Fprintln(r.deps.Stdout)
		}
		for _, l := range r.statusLines(st, printed == 0) {
			fmt.Fprintln(r.deps.Stdout, l)
		}
	}
	fl.decide = func(ctx context.Context, st dms.Status) (bool, bool, error) {
		if werr != nil {
			return true, false, wizard.Exit(wizard.ExitRetryable, werr)
		}
		if stop, err := r.watchStop(fl, st); stop {
			return true, false, err
		}
		if !announced {
			announced = true
			r.say("Watching ticket %d until it is done, has ended or waits for you; ctrl+c stops watching (the ticket is not affected).", id)
		}
		return false, false, nil
	}
	_, err := fl.run(ctx)
	return err
}

// watchStop says whether status --watch stops at a status: the ticket is
// done, has ended (exit 1), or nothing more happens to it without the user.
func (r *runner) watchStop(fl *follower, st dms.Status) (bool, error) {
	if stop, err := fl.ended(st); stop {
		return true, err
	}
	id := st.ID
	switch st.State {
	case dms.StateDone:
		r.say("Ticket %d is done.", id)
		return true, nil
	case dms.StateReady:
		r.say("Ticket %d waits for you: dmsticket submit %d submits it for approval.", id, id)
		return true, nil
	case dms.StateApproved:
		if jobEnd(st.PluginType) == dms.StateApproved {
			r.say("Ticket %d is approved: that is the end of its job for dmsticket.", id)
			return true, nil
		}
		if tt, _ := dms.LookupType(st.PluginType); tt.Detail == dms.ExportDetail {
			r.say("Ticket %d waits for you: dmsticket download %d runs the export and downloads the file.", id, id)
			return true, nil
		}
	}
	return false, nil
}
