package tickets

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"dmsticket/dms"
	"dmsticket/dms/inert"
	"dmsticket/tui/wizard"
)

// List limits: ListOrders pages of listPage tickets, at most listPages of
// them (the newest listPage*listPages tickets), and listReaders detail calls
// at once for their states.
const (
	listPage    = 50
	listPages   = 20
	listReaders = 4
	// listComment is the comment column's width, in cells.
	listComment = 48
	// defaultSince is list's --since.
	defaultSince = "30d"
)

// Listed is one ticket of `dmsticket list`, with its true state.
type Listed struct {
	ID         int64     `json:"orderId"`
	PluginType string    `json:"pluginType"`
	State      dms.State `json:"state"`
	Codes      dms.Codes `json:"dms"`
	Desc       string    `json:"statusDesc,omitempty"`
	Comment    string    `json:"comment"`
	Committer  string    `json:"committer,omitempty"`
	Created    time.Time `json:"created,omitzero"`
}

// NewListCommand builds `dmsticket list`.
func NewListCommand(deps Deps) *cobra.Command {
	var since, typ, output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "My tickets, newest first, with their state",
		Long: `list shows the tickets you filed (ListOrders as committer) in the tenant, newest first, each
with its true state: for a type with a detail call (an export) that call is read too, since
ListOrders' StatusCode alone does not tell a ticket being prechecked from one ready to submit.

--since is how far back: a duration (36h, 7d) or a date (2024-05-01, local time); default 30d.
At most the newest 1,000 tickets are shown. --type keeps one ticket type (DATA_EXPORT, NDDL, …).

Text output is a table (ID, type, state, created, the comment cut to fit); --output json is an
array of {"orderId", "pluginType", "state", "dms": DMS's codes, "statusDesc", "comment",
"committer", "created"}.

Exit codes: 0 listed, 1 DMS refused, 2 usage error, 3 DMS unavailable or throttled (and when
some tickets' states could not be read: the list is printed, those states are "unknown"),
130 interrupted.`,
		Example: `  dmsticket list
  dmsticket list --since 7d --type DATA_EXPORT
  dmsticket list --output json | jq -r '.[] | select(.state == "ready") | .orderId'`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return newRunner(deps, "list").usage(fmt.Errorf("list takes no arguments, got %q", strings.Join(args, " ")))
			}
			return nil
		},
		RunE: runE(deps, "list", func(*cobra.Command, []string) (action, error) {
			if err := checkOutput(output); err != nil {
				return nil, err
			}
			from, err := parseSince(since, deps.clock().now())
			if err != nil {
				return nil, err
			}
			pt, err := pluginTypeFlag(typ)
			if err != nil {
				return nil, err
			}
			return func(ctx context.Context, r *runner) error {
				return r.list(ctx, from, pt, output)
			}, nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&since, "since", defaultSince, "tickets created since `D`: a duration (36h, 7d) or a date (2024-05-01)")
	f.StringVar(&typ, "type", "", "only tickets of this `TYPE` (PluginType): "+strings.Join(dms.PluginTypes(), ", ")+", …")
	outputFlag(cmd, &output)
	reportErrors(cmd, deps)
	_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions(dms.PluginTypes(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

var (
	daysRE       = regexp.MustCompile(`^(\d{1,5})d$`)
	pluginTypeRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,63}$`)
)

// parseSince reads --since: a duration back from now (Go's, or N days), or
// a local date or time.
func parseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("--since is %q; it is a duration (36h, 7d) or a date (2024-05-01)", s)
	if m := daysRE.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		return now.AddDate(0, 0, -n), nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("--since is %q; a duration back from now is above zero (36h, 7d)", s)
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, now.Location()); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, bad
}

// pluginTypeFlag reads --type: any PluginType spelling DMS could know
// (ListOrders lists types dmsticket does not file, such as PERM_APPLY).
func pluginTypeFlag(s string) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s != "" && !pluginTypeRE.MatchString(s) {
		return "", fmt.Errorf("--type is %q; it is a ticket type such as %s", s, strings.Join(dms.PluginTypes(), " or "))
	}
	return s, nil
}

// list reads the caller's tickets and their states and prints them.
func (r *runner) list(ctx context.Context, since time.Time, pluginType, output string) error {
	if _, known := dms.LookupType(pluginType); pluginType != "" && !known {
		r.say("Note: dmsticket does not file %s tickets (it files %s); DMS is asked for them anyway.", pluginType, strings.Join(dms.PluginTypes(), ", "))
	}
	orders, full, err := r.myOrders(ctx, since, pluginType)
	if err != nil {
		return r.dmsError(ctx, "could not list your tickets", err)
	}
	items, failed := r.states(ctx, orders)
	if ctx.Err() != nil {
		r.say("dmsticket list: interrupted.")
		return wizard.Exit(wizard.ExitInterrupted, ctx.Err())
	}
	if output == "json" {
		if err := writeJSON(r.deps.Stdout, items); err != nil {
			return wizard.Exit(wizard.ExitRetryable, err)
		}
	} else {
		r.table(items)
	}
	what := "tickets"
	if pluginType != "" {
		what = cleanLine(pluginType) + " tickets"
	}
	switch {
	case len(items) == 0:
		r.say("You filed no %s in tenant %d since %s.", what, r.tid, since.Format("2006-01-02 15:04"))
	case full:
		r.say("The newest %s of your %s in tenant %d since %s; there are more: narrow --since or --type.", wizard.Count(len(items), "ticket"), what, r.tid, since.Format("2006-01-02 15:04"))
	}
	if len(failed) > 0 {
		r.say("dmsticket list: the state of %s could not be read (shown as unknown):", wizard.Count(len(failed), "ticket"))
		for _, f := range failed {
			r.say("  %d: %s", f.id, wizard.ErrMessage(f.err))
		}
		return wizard.Exit(wizard.ExitRetryable, fmt.Errorf("%d states not read", len(failed)))
	}
	return nil
}

// myOrders pages through ListOrders as committer; full says the page limit
// was reached. The tickets come newest first, each once.
func (r *runner) myOrders(ctx context.Context, since time.Time, pluginType string) (orders []dms.Order, full bool, err error) {
	seen := map[int64]bool{}
	// Until is now by this command's clock, with DMS's one-second times and
	// a clock drift allowed for.
	until := r.deps.clock().now().Add(time.Hour)
	for page := 1; page <= listPages; page++ {
		got, err := r.be.Service.FindOrders(ctx, dms.OrderQuery{Tid: r.tid, PluginType: pluginType, Since: since, Until: until,
			AsCommitter: true, Page: page, PageSize: listPage})
		if err != nil {
			return nil, false, err
		}
		for _, o := range got {
			if !seen[o.ID] {
				seen[o.ID] = true
				orders = append(orders, o)
			}
		}
		if len(got) < listPage {
			break
		}
		full = page == listPages
	}
	sort.SliceStable(orders, func(i, j int) bool {
		if !orders[i].Created.Equal(orders[j].Created) {
			return orders[i].Created.After(orders[j].Created)
		}
		return orders[i].ID > orders[j].ID
	})
	return orders, full, nil
}

type stateFailure struct {
	id  int64
	err error
}

// states reads each ticket's true state, listReaders at once.
func (r *runner) states(ctx context.Context, orders []dms.Order) ([]Listed, []stateFailure) {
	items := make([]Listed, len(orders))
	errs := make([]error, len(orders))
	var wg sync.WaitGroup
	sem := make(chan struct{}, listReaders)
	for i, o := range orders {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			items[i], errs[i] = r.listed(ctx, o)
		}()
	}
	wg.Wait()
	var failed []stateFailure
	for i, err := range errs {
		if err != nil {
			failed = append(failed, stateFailure{orders[i].ID, err})
		}
	}
	return items, failed
}

// listed is one ticket with its state: ListOrders' StatusCode, with the
// type's detail call when it has one, read as dms.StateOf reads them.
func (r *runner) listed(ctx context.Context, o dms.Order) (Listed, error) {
	it := Listed{ID: o.ID, PluginType: o.PluginType, Desc: o.StatusDesc, Comment: o.Comment, Committer: o.Committer, Created: o.Created}
	it.Codes.StatusCode = o.Status
	d, err := r.be.Service.Detail(ctx, r.tid, o.ID, o.PluginType)
	switch {
	case errors.Is(err, dms.ErrNoDetail):
	case err != nil:
		it.State = dms.StateUnknown
		return it, err
	default:
		it.Codes.JobStatus, it.Codes.DetailStatus, it.Codes.TaskStatus = d.JobStatus, d.Status, d.TaskStatus
	}
	it.State = dms.StateOf(it.Codes)
	return it, nil
}

// table prints the tickets as aligned columns, every cell cleaned and the
// comment cut to listComment cells.
func (r *runner) table(items []Listed) {
	if len(items) == 0 {
		return
	}
	rows := [][]string{{"ID", "TYPE", "STATE", "CREATED", "COMMENT"}}
	for _, it := range items {
		created := ""
		if !it.Created.IsZero() {
			created = it.Created.In(r.deps.clock().now().Location()).Format("2006-01-02 15:04")
		}
		rows = append(rows, []string{strconv.FormatInt(it.ID, 10), inert.Truncate(it.PluginType, 24), string(it.State), created,
			inert.Truncate(it.Comment, listComment)})
	}
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], ansi.StringWidth(c))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		for i, c := range row {
			b.WriteString(c)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-ansi.StringWidth(c)+2))
			}
		}
		fmt.Fprintln(r.deps.Stdout, strings.TrimRight(b.String(), " "))
	}
}
