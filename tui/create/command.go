package create

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"dmsticket/dms"
	"dmsticket/tui/tickets"
	"dmsticket/tui/wizard"
)

// Deps is what main gives the create command.
type Deps struct {
	// Connect reaches DMS as the global flags say (or starts the simulator
	// for --demo). It is called once per run, after the flags are checked
	// and any SQL or ticket file is read; the run releases the backend.
	Connect func() (Backend, error)
	// Tenant is the global --tenant; 0 means the active tenant.
	Tenant func() int64
	// Stdin is where `--sql-file -`, `--from -` and the schema-name
	// confirmation read.
	Stdin io.Reader
	// Stdout gets the data (the ticket ID, JSON, the dry-run request);
	// Stderr the narration and the errors.
	Stdout, Stderr io.Writer
	// IsTerminal reports whether Stdin is a terminal a person types in.
	// Nil: never.
	IsTerminal func() bool
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// Sleep waits between reads of a submitted ticket (--submit --wait), and
	// before a lost answer is looked up again, d or until ctx ends; nil: a
	// timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Backend is how the command reaches DMS: the one description every front
// end takes (its CredentialsErr makes the command explain it and exit 1
// before calling anything).
type Backend = wizard.Backend

// options are the command's flags (PRODUCT section 9; names are fixed).
type options struct {
	typ, sql, sqlFile, comment, relatedUsers, attachmentKey string
	affectRows, ignoreReason, from, output                  string
	// like is --like: the ID of a DMS ticket to start from.
	like string
	// dbs are the --db values, in order: one database, or a data change's
	// several.
	dbs []string
	// rollbackSQL and rollbackFile are a data change's rollback script
	// (--rollback-sql, --rollback-sql-file).
	rollbackSQL, rollbackFile  string
	dryRun, yes, again, submit bool
	// wait is --wait, --timeout and --file-type, for --submit.
	wait tickets.WaitFlags
	// text holds the catalog's details inputs (--classify, --title,
	// --description, …) by input ID.
	text map[string]*string
}

// NewCommand builds `dmsticket create`. It returns an *ExitError for every
// outcome but success (see the package documentation for the codes).
func NewCommand(deps Deps) *cobra.Command {
	o := &options{text: map[string]*string{}}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Build, validate and submit one ticket without the UI (or --dry-run)",
		Long: `create builds one DMS ticket from flags, or reads a ticket file (--from), validates it as
strictly as the wizard does, and submits it with CreateOrder (a data change, DC_COMMON, with
CreateDataCorrectOrder). Nothing is asked unless a database is an online one (product, pre):
then its schema name is typed in the terminal (each one's, for a data change on several),
or --yes confirms them when there is no terminal (scripts, CI).

A data change (--type DC_COMMON) takes INSERT, UPDATE, DELETE and REPLACE; --db repeated runs
the same change on several databases (shards, regions), and --affect-rows explain or count
measures it on each and sends the sum. --rollback-sql or --rollback-sql-file adds a rollback
script; --exec-mode says who runs it once approved: COMMITOR (you, the default; --submit
--wait done runs it), AUTO (DMS, at once) or LAST_AUDITOR (the last approver).

--like ID files a ticket again: it starts from DMS ticket ID (its type, databases as DMS
describes them now, SQL, comment, related users, attachment key and the type's fields, read
from its detail call), and every other flag given replaces what it filled (--db the
databases; an empty --related-users, --attachment-key or --rollback-sql removes them).
--type, if given, must be the ticket's. What DMS does not report (a schema design's title,
description and database) must come from its flag: the refusal names it. The SQL is new to
this ticket, so the rows are measured again: EXPLAIN, unless --affect-rows says otherwise
(an export whose check was ignored keeps it ignored). The ticket must be in the tenant
(--tenant, else your active one); in another of yours, the error names it (exit 2).

Data goes to stdout: the ticket ID (--output text) or {"orderId", "orderIds", "requestId",
"consoleUrl"} (--output json). With --dry-run: a summary and the equivalent aliyun command
(text), or the ticket file (json), which --from accepts back. Narration and errors go to
stderr.

Exit codes: 0 created or dry run done, 1 rejected by DMS, 2 usage or validation error,
3 outcome unknown or retryable failure, 4 refused by policy, 130 interrupted.`,
		Example: `  # An export, the row figure from EXPLAIN, the SQL from a file
  dmsticket create --type DATA_EXPORT --db orders@10.20.1.11:3306 --sql-file q3.sql \
    --comment "Q3 revenue export" --classify "finance report" --affect-rows explain --yes

  # Check a ticket without sending it, save it, submit it later (e.g. from CI)
  dmsticket create --type NDDL --db 1100024 --comment "faster login" \
    --title "index users.email" --dry-run --output json > ticket.json
  dmsticket create --from ticket.json --yes --output json

  # SQL from standard input
  ./make-query.sh | dmsticket create --type DATA_EXPORT --db 1100023 \
    --sql-file - --comment "sample" --classify "debugging" --affect-rows 1000

  # A data change on three databases, with a rollback script, counted on each,
  # submitted for approval and run once approved
  dmsticket create --type DC_COMMON --db orders_dev@10.40.1.11:3306 --db orders_test@10.50.1.11:3306 \
    --db 1100042 --sql "UPDATE orders SET status = 'cancelled' WHERE status = 'stuck'" \
    --rollback-sql-file restore-stuck.sql --comment "cancel orders stuck after the outage" \
    --classify "data fix" --affect-rows count --exec-mode COMMITOR --submit --wait done

  # File ticket 40000001 again with another comment, the rows measured again (EXPLAIN)
  dmsticket create --like 40000001 --comment "Q4 revenue export" --yes

  # The same data change on two other shards: --db replaces the liked databases
  dmsticket create --like 40000007 --db order_shard_00@10.20.1.31:3306 \
    --db order_shard_01@10.20.1.31:3306 --affect-rows count --dry-run

  # A schema design again: DMS does not report its title, description or database
  dmsticket create --like 40000003 --db 1100024 --title "index users.phone" --description ""`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError(&runner{deps: deps}, []string{fmt.Sprintf("create takes no arguments, got %q; every value goes with a flag", strings.Join(args, " "))})
			}
			return nil
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r := &runner{deps: deps, o: o, changed: cmd.Flags().Changed}
			return r.run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.typ, "type", "", "the ticket `TYPE` (PluginType): "+strings.Join(dms.PluginTypes(), " or "))
	f.StringArrayVar(&o.dbs, "db", nil, "the database: its DMS `ID`, or its search name schema@host:port (a logical database: its name); repeat it for a data change on several databases")
	f.StringVar(&o.sql, "sql", "", "the `SQL` (types with SQL)")
	f.StringVar(&o.sqlFile, "sql-file", "", "read the SQL from `FILE`; - reads standard input")
	f.StringVar(&o.rollbackSQL, "rollback-sql", "", "data changes: the rollback script, as `SQL` (optional)")
	f.StringVar(&o.rollbackFile, "rollback-sql-file", "", "data changes: read the rollback script from `FILE`; - reads standard input")
	f.StringVar(&o.comment, "comment", "", "what the ticket is for, as `TEXT` (required)")
	f.StringVar(&o.relatedUsers, "related-users", "", "related DMS user `IDs`, comma-separated")
	for _, in := range inputs() {
		p := new(string)
		o.text[in.ID] = p
		f.StringVar(p, in.ID, "", inputHelp(in))
	}
	f.StringVar(&o.attachmentKey, "attachment-key", "", "the `KEY` of a file uploaded to DMS (AttachmentKey)")
	f.StringVar(&o.affectRows, "affect-rows", "", "exports and data changes: the affected-row figure, `N|explain|count`: a number, an EXPLAIN estimate or an exact COUNT (on every database of a data change, summed)")
	f.StringVar(&o.ignoreReason, "ignore-affect-rows", "", "exports: skip DMS's affected-row check, for this `REASON` (a data change has no check to skip)")
	f.StringVar(&o.from, "from", "", "submit a ticket `FILE` (the review's s, or create --dry-run --output json); - reads standard input")
	f.StringVar(&o.like, "like", "", "start from the DMS ticket `ID` (type, databases, SQL, comment, related users, the type's fields), every other flag given overriding it; the rows are measured again (EXPLAIN unless --affect-rows)")
	f.BoolVar(&o.dryRun, "dry-run", false, "validate and print the request; call nothing that writes")
	f.BoolVar(&o.again, "again", false, "with --from: submit the ticket file although it already created a ticket (a file submits once)")
	f.BoolVar(&o.yes, "yes", false, "confirm a ticket on an online database (product, pre) without typing its schema name")
	f.StringVar(&o.output, "output", "text", "what stdout gets: `text|json`")
	f.BoolVar(&o.submit, "submit", false, "submit the created ticket for approval (waiting for DMS's precheck first), as dmsticket submit does")
	o.wait.Register(f)

	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		fmt.Fprintf(deps.Stderr, "dmsticket create: %v\nRun 'dmsticket create --help' for the flags.\n", err)
		return exit(ExitUsage, err)
	})
	_ = cmd.RegisterFlagCompletionFunc("type", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []cobra.Completion
		for _, tt := range dms.Catalog() {
			out = append(out, cobra.CompletionWithDesc(tt.PluginType, tt.Title))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]cobra.Completion{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("affect-rows", cobra.FixedCompletions([]cobra.Completion{
		cobra.CompletionWithDesc("explain", "estimate with EXPLAIN"), cobra.CompletionWithDesc("count", "count exactly with SELECT COUNT(*)"),
	}, cobra.ShellCompDirectiveNoFileComp))
	for _, in := range inputs() {
		if len(in.Choices) > 0 {
			var c []cobra.Completion
			for _, v := range in.Choices {
				c = append(c, cobra.CompletionWithDesc(v, wizard.ChoiceMeaning(in.ID, v)))
			}
			_ = cmd.RegisterFlagCompletionFunc(in.ID, cobra.FixedCompletions(c, cobra.ShellCompDirectiveNoFileComp))
		}
	}
	_ = cmd.MarkFlagFilename("sql-file", "sql")
	_ = cmd.MarkFlagFilename("rollback-sql-file", "sql")
	_ = cmd.MarkFlagFilename("from", "json")
	return cmd
}

// inputs are the catalog's details inputs, one per ID (the flags named
// after them), in a stable order.
func inputs() []dms.Input {
	seen := map[string]bool{}
	var out []dms.Input
	for _, tt := range dms.Catalog() {
		for _, in := range tt.Inputs {
			if !seen[in.ID] {
				seen[in.ID] = true
				out = append(out, in)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// inputHelp is a details input's flag help: its help text and the types
// that take it (each type's own help when they differ), or for an input
// with choices the choices and what each means.
func inputHelp(in dms.Input) string {
	var types, own []string
	same := true
	for _, tt := range dms.Catalog() {
		if x, ok := tt.Input(in.ID); ok {
			t := tt.PluginType
			if x.Required {
				t += ", required"
			}
			types = append(types, t)
			own = append(own, t+": "+sentence(x.Help))
			same = same && x.Help == in.Help
		}
	}
	if len(in.Choices) > 0 {
		name := strings.ToUpper(in.ID[strings.LastIndex(in.ID, "-")+1:])
		opts := make([]string, len(in.Choices))
		for i, c := range in.Choices {
			opts[i] = wizard.ChoiceText(in.ID, c)
		}
		list := opts[0]
		if n := len(opts); n > 1 {
			list = strings.Join(opts[:n-1], ", ") + " or " + opts[n-1]
		}
		help := "the `" + name + "`: " + list
		if in.Default != "" {
			help += "; default " + in.Default
		}
		return help + " (" + strings.Join(types, "; ") + ")"
	}
	if !same {
		return strings.Join(own, "; ")
	}
	return sentence(in.Help) + " (" + strings.Join(types, "; ") + ")"
}

// sentence is help text inside a flag's help: no final full stop, and
// lower case first unless it starts with an acronym (COMMITOR, SQL).
func sentence(help string) string {
	help = strings.TrimSuffix(help, ".")
	r := []rune(help)
	if len(r) > 1 && !unicode.IsUpper(r[1]) {
		r[0] = unicode.ToLower(r[0])
	}
	return string(r)
}
