package tickets

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"dmsticket/dms"
)

// WaitFlags are --wait, --timeout and --file-type, as submit and create
// --submit take them.
type WaitFlags struct {
	Wait     string
	Timeout  time.Duration
	FileType string
}

// Register adds the flags to a command's flag set.
func (w *WaitFlags) Register(f *pflag.FlagSet) {
	f.StringVar(&w.Wait, "wait", "", "wait until the ticket is `approved|done` (done: an approved export is run, once, for --file-type, and an approved data change whose ExecMode is COMMITOR, once; a schema design is done when approved)")
	f.DurationVar(&w.Timeout, "timeout", DefaultTimeout, "give up waiting after `D` (the precheck included): exit 3, the ticket goes on")
	f.StringVar(&w.FileType, "file-type", "CSV", "with --wait done, the `TYPE` an export is run for: CSV, SQL, XLSX or JSON")
}

// Goal checks the flags and is what they ask to wait for.
func (w *WaitFlags) Goal() (Goal, error) {
	g := Goal{Timeout: w.Timeout}
	if w.Wait != "" {
		want, err := ParseWait(w.Wait)
		if err != nil {
			return Goal{}, err
		}
		g.Want = want
	}
	if w.Timeout <= 0 {
		return Goal{}, fmt.Errorf("--timeout is %s; it is a duration above zero, such as 30m", w.Timeout)
	}
	ft, err := ParseFileType(w.FileType)
	if err != nil {
		return Goal{}, err
	}
	g.FileType = ft
	return g, nil
}

// NewSubmitCommand builds `dmsticket submit ID`.
func NewSubmitCommand(deps Deps) *cobra.Command {
	var wf WaitFlags
	var output string
	cmd := &cobra.Command{
		Use:   "submit ID",
		Short: "Submit a prechecked ticket for approval",
		Long: `submit submits a ticket for approval (SubmitOrderApproval). A ticket that DMS is still
prechecking is waited for first: the submit goes out when the precheck passes. A ticket already
submitted is not submitted again (it says so, and --wait goes on). A ticket whose precheck failed,
or that was rejected, failed or closed, is refused.

SubmitOrderApproval is sent once: after a failure or a lost answer the ticket's state is read,
and the submit is sent again only if the state says it did not happen (at most three times;
when DMS throttles, after the wait).

--wait approved waits for the approvers; --wait done waits for the end of the job, and for an
export that means running it: once approved, submit runs the export (ExecuteDataExport, once,
for --file-type) and waits for it to finish; dmsticket download then fetches the file. A data
change whose ExecMode is COMMITOR is run the same way once approved (ExecuteDataCorrect, once);
one whose ExecMode is AUTO (DMS runs it) or LAST_AUDITOR (the last approver does) is waited
for. A schema design is done when approved. --timeout bounds the whole wait, the precheck
included.

Stdout gets the ticket's status at the end (--output json: the status object, "state" and DMS's
codes under "dms"); what happens on the way goes to stderr.

Exit codes: 0 submitted (with --wait: the state was reached), 1 the ticket ended rejected,
failed, closed or with its precheck failed, or DMS refused, 2 usage error, 3 the time-out
passed (the ticket goes on) or a failure worth retrying, 130 interrupted.`,
		Example: `  dmsticket submit 40000001
  dmsticket submit 40000001 --wait approved --timeout 2h
  dmsticket submit 40000001 --wait done --file-type XLSX && dmsticket download 40000001`,
		Args: oneID(deps, "submit"),
		RunE: runE(deps, "submit", func(cmd *cobra.Command, args []string) (action, error) {
			id, err := outputAndID(output, args)
			if err != nil {
				return nil, err
			}
			g, err := wf.Goal()
			if err != nil {
				return nil, err
			}
			if cmd.Flags().Changed("file-type") && g.Want != dms.StateDone {
				return nil, errors.New("--file-type is the type an export is run for: it goes with --wait done")
			}
			return func(ctx context.Context, r *runner) error {
				st, err := r.follow(id).Submit(ctx, g)
				return r.finish(st, output, err)
			}, nil
		}),
	}
	wf.Register(cmd.Flags())
	outputFlag(cmd, &output)
	reportErrors(cmd, deps)
	_ = cmd.RegisterFlagCompletionFunc("wait", cobra.FixedCompletions([]cobra.Completion{"approved", "done"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("file-type", cobra.FixedCompletions(dms.ExportFileTypes, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// finish prints the last status read on stdout (whatever the outcome, so
// that a script sees the state it ended in) and returns err.
func (r *runner) finish(st dms.Status, output string, err error) error {
	if st.State != "" {
		if perr := r.printStatus(st, output, true); perr != nil && err == nil {
			return perr
		}
	}
	return err
}
