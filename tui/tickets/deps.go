package tickets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"dmsticket/dms"
	"dmsticket/dms/inert"
	"dmsticket/tui/wizard"
)

// Deps is what main gives the ticket commands, as create.Deps is create's.
type Deps struct {
	// Connect reaches DMS as the global flags say (or starts the simulator
	// for --demo). It is called once per run, after the arguments are
	// checked; the run releases the backend.
	Connect func() (wizard.Backend, error)
	// Tenant is the global --tenant; 0 means the active tenant.
	Tenant func() int64
	// Stdout gets the data (the status, the list, the file's path, or with
	// download -o - the file); Stderr the narration and the errors.
	Stdout, Stderr io.Writer
	// StderrIsTerminal reports whether Stderr is a terminal a person
	// watches: download draws its progress there then. Nil: never.
	StderrIsTerminal func() bool
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// Sleep waits between reads of a ticket, d or until ctx ends; nil: a
	// timer. Tests give a Sleep that moves their clock on.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (d Deps) clock() Clock { return Clock{Now: d.Now, Sleep: d.Sleep} }

// runner is one run of a command.
type runner struct {
	deps Deps
	name string // the command's name, for messages
	be   wizard.Backend
	tid  int64 // the tenant, resolved
}

func newRunner(deps Deps, name string) *runner { return &runner{deps: deps, name: name} }

// say writes a line of narration on stderr.
func (r *runner) say(format string, args ...any) {
	fmt.Fprintf(r.deps.Stderr, format+"\n", args...)
}

// usage reports a usage or validation error: exit 2, nothing was sent.
func (r *runner) usage(err error) error {
	r.say("dmsticket %s: %s", r.name, err)
	r.say("Run 'dmsticket %s --help' for the flags.", r.name)
	return wizard.Exit(wizard.ExitUsage, err)
}

// follow is how the run follows ticket id.
func (r *runner) follow(id int64) Follow {
	return Follow{Service: r.be.Service, Tid: r.tid, ID: id, Narration: r.deps.Stderr, Clock: r.deps.clock()}
}

// connect builds the backend and resolves the tenant (--tenant, or the
// active one): without credentials nothing can be read, so the command
// stops here (exit 1), as create does.
func (r *runner) connect(ctx context.Context) error {
	if r.deps.Connect == nil {
		return r.usage(errors.New("no DMS connection configured"))
	}
	be, err := r.deps.Connect()
	if err != nil {
		r.say("dmsticket %s: %s", r.name, inert.Line(err.Error()))
		return wizard.Exit(wizard.ExitUsage, err)
	}
	r.be = be
	if e := be.CredentialsErr; e != nil {
		r.say("dmsticket %s: no Alibaba Cloud credentials found.", r.name)
		for _, l := range wizard.CredentialsText(e) {
			r.say("%s", l)
		}
		be.Release()
		return wizard.Exit(wizard.ExitRejected, e)
	}
	if r.deps.Tenant != nil {
		r.tid = r.deps.Tenant()
	}
	if r.tid == 0 {
		t, err := be.Service.ActiveTenant(ctx)
		if err != nil {
			be.Release()
			return r.dmsError(ctx, "could not read your active tenant", err)
		}
		r.tid = t.ID
	}
	return nil
}

// release releases the backend, once connected.
func (r *runner) release() { r.be.Release() }

// dmsError reports a failed DMS call and returns its exit code; an unknown
// ticket gets a hint about the ID and the tenant.
func (r *runner) dmsError(ctx context.Context, what string, err error) error {
	code := wizard.CodeFor(ctx, err)
	if code == wizard.ExitInterrupted {
		r.say("dmsticket %s: interrupted.", r.name)
		return wizard.Exit(code, err)
	}
	r.say("dmsticket %s: %s.", r.name, what)
	sayError(r.deps.Stderr, err)
	sayNotFound(r.deps.Stderr, err, r.tid)
	return wizard.Exit(code, err)
}

// sayNotFound adds, for a ticket DMS says does not exist, where to look:
// the ID, and the tenant it is read in.
func sayNotFound(w io.Writer, err error, tid int64) {
	de, ok := dms.AsError(err)
	switch {
	case !ok || !de.NotFound() || w == nil:
	case strings.Contains(de.Code, "Tenant"):
		fmt.Fprintf(w, "Check the tenant (--tenant; now %d): it is not one DMS knows for you.\n", tid)
	default:
		fmt.Fprintf(w, "Check the ticket ID, and the tenant: a ticket is read in the tenant it was filed in (--tenant; now %d).\n", tid)
	}
}

// ticketID reads the one ID argument: a positive number.
func ticketID(arg string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(arg), 10, 64)
	if errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("the ticket ID %s is too large for a DMS ticket ID", inert.Line(arg))
	}
	if err != nil {
		return 0, fmt.Errorf("the ticket ID is %q; it is a number, such as 40000001", arg)
	}
	if id <= 0 {
		return 0, fmt.Errorf("the ticket ID is %d; ticket IDs are positive numbers", id)
	}
	return id, nil
}

// oneID is the commands' argument check: one ticket ID.
func oneID(deps Deps, name string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != 1 {
			return newRunner(deps, name).usage(fmt.Errorf("%s takes one ticket ID, got %d arguments", name, len(args)))
		}
		return nil
	}
}

// checkOutput validates --output.
func checkOutput(s string) error {
	if s != "text" && s != "json" {
		return fmt.Errorf("--output is %q; it is text or json", s)
	}
	return nil
}

// negativeID is cobra's error for an argument such as -5, a negative ticket
// ID read as shorthand flags.
var negativeID = regexp.MustCompile(`^unknown shorthand flag: '[0-9]' in (-[0-9]+)$`)

// reportErrors leaves every error of cmd to the runner: cobra prints
// neither the usage nor the error, and its flag errors exit 2 with the
// command's name.
func reportErrors(cmd *cobra.Command, deps Deps) {
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		if m := negativeID.FindStringSubmatch(err.Error()); m != nil {
			err = fmt.Errorf("the ticket ID is %s; ticket IDs are positive numbers", m[1])
		}
		return newRunner(deps, c.Name()).usage(err)
	})
}

// outputFlag adds --output (text or json; checkOutput checks it) to cmd,
// with its completion.
func outputFlag(cmd *cobra.Command, output *string) {
	cmd.Flags().StringVar(output, "output", "text", "what stdout gets: `text|json`")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]cobra.Completion{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
}

// action is what a command does once connected to DMS.
type action func(ctx context.Context, r *runner) error

// runE is a command's RunE: check reads its arguments and flags before
// anything is sent (an error is a usage error, exit 2) and returns the
// action, which runs connected to DMS; the backend is released after.
func runE(deps Deps, name string, check func(cmd *cobra.Command, args []string) (action, error)) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		r := newRunner(deps, name)
		act, err := check(cmd, args)
		if err != nil {
			return r.usage(err)
		}
		if err := r.connect(cmd.Context()); err != nil {
			return err
		}
		defer r.release()
		return act(cmd.Context(), r)
	}
}

// outputAndID reads --output and the one ticket ID argument.
func outputAndID(output string, args []string) (int64, error) {
	if err := checkOutput(output); err != nil {
		return 0, err
	}
	return ticketID(args[0])
}

// writeJSON writes v on w as indented JSON, one value.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// cleanLine is text from DMS made safe for one line of a terminal.
func cleanLine(s string) string { return inert.Line(s) }
