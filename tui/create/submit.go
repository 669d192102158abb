package create

import (
	"context"
	"fmt"

	"dmsticket/dms"
	"dmsticket/tui/tickets"
)

// submitProblems checks --submit and the flags that go with it.
func (r *runner) submitProblems() []string {
	o := r.o
	var bad []string
	if !o.submit {
		for _, name := range []string{"wait", "timeout", "file-type"} {
			if r.changed(name) {
				bad = append(bad, "--"+name+" goes with --submit: it is what the submitted ticket is waited for")
			}
		}
		return bad
	}
	if o.dryRun {
		bad = append(bad, "--submit submits the ticket create makes; a --dry-run makes none")
	}
	g, err := o.wait.Goal()
	switch {
	case err != nil:
		bad = append(bad, err.Error())
	case r.changed("file-type") && g.Want != dms.StateDone:
		bad = append(bad, "--file-type is the type an export is run for: it goes with --wait done")
	}
	if tt, ok := dms.LookupType(o.typ); ok && r.changed("file-type") && tt.Detail != dms.ExportDetail {
		bad = append(bad, fmt.Sprintf("--file-type is the type an export is run for; %s (%s) has no file", tt.PluginType, tt.Title))
	}
	return bad
}

// submitCreated submits a created ticket for approval and waits for --wait,
// as `dmsticket submit` does, when --submit asks for it: its exit code is
// the command's (0 submitted or reached, 1 ended short of it, 3 timed out).
func (r *runner) submitCreated(ctx context.Context, tid, id int64) error {
	if !r.o.submit {
		return nil
	}
	g, _ := r.o.wait.Goal() // checked in checkFlags
	_, err := tickets.Follow{Service: r.be.Service, Tid: tid, ID: id, Narration: r.deps.Stderr,
		Clock: tickets.Clock{Now: r.deps.Now, Sleep: r.deps.Sleep}}.Submit(ctx, g)
	return err
}
