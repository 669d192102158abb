package create

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"dmsticket/dms"
	"dmsticket/dms/inert"
	"dmsticket/tui/wizard"
)

// contentFlags are the flags that describe a ticket; --from refuses them.
var contentFlags = []string{"type", "db", "sql", "sql-file", "comment", "related-users", "attachment-key", "affect-rows", "ignore-affect-rows"}

// checkFlags refuses combinations that make no sense, all at once: exit 2.
func (r *runner) checkFlags() error {
	o := r.o
	var bad []string
	if o.output != "text" && o.output != "json" {
		bad = append(bad, fmt.Sprintf("--output is %q; use text or json", o.output))
	}
	if o.again && o.from == "" {
		bad = append(bad, "--again goes with --from: it files a ticket file that already created its ticket once more")
	}
	bad = append(bad, r.submitProblems()...)
	if o.from != "" {
		var given []string
		for _, name := range append(append([]string{}, contentFlags...), inputIDs()...) {
			if r.changed(name) {
				given = append(given, "--"+name)
			}
		}
		if len(given) > 0 {
			bad = append(bad, fmt.Sprintf("--from takes the whole ticket from the file; drop %s (only --dry-run, --yes, --again, --output, --submit, --wait, --timeout and --file-type combine with it)", strings.Join(given, ", ")))
		}
		return usageError(r, bad)
	}
	tt, ok := dms.LookupType(o.typ)
	switch {
	case !r.changed("type"):
		bad = append(bad, "--type is required: "+strings.Join(dms.PluginTypes(), " or ")+" (or give a ticket file with --from)")
	case !ok:
		msg := fmt.Sprintf("--type %q is not a ticket type dmsticket files; use %s", inert.Line(o.typ), strings.Join(dms.PluginTypes(), " or "))
		for _, pt := range dms.PluginTypes() {
			if strings.EqualFold(pt, o.typ) {
				msg = fmt.Sprintf("--type %q: ticket types are upper case, as DMS spells them: %s", inert.Line(o.typ), pt)
			}
		}
		bad = append(bad, msg)
	}
	if r.changed("sql") && r.changed("sql-file") {
		bad = append(bad, "give the SQL once: --sql or --sql-file, not both")
	}
	if r.changed("affect-rows") && r.changed("ignore-affect-rows") {
		bad = append(bad, "give an affected-row figure (--affect-rows) or skip the check (--ignore-affect-rows), not both")
	}
	if r.changed("affect-rows") {
		if _, _, err := parseAffectRows(o.affectRows); err != nil {
			bad = append(bad, err.Error())
		}
	}
	if ok {
		not := func(flag, what string) {
			if r.changed(flag) {
				bad = append(bad, fmt.Sprintf("--%s does not apply to %s (%s): it has no %s", flag, tt.PluginType, tt.Title, what))
			}
		}
		if !tt.Has(dms.StepSQL) {
			not("sql", "SQL")
			not("sql-file", "SQL")
		}
		if !tt.AffectRows {
			not("affect-rows", "affected-row figure")
			not("ignore-affect-rows", "affected-row check")
		}
		if !tt.Has(dms.StepDatabase) {
			not("db", "database")
		}
		for _, id := range inputIDs() {
			if _, has := tt.Input(id); !has {
				not(id, "--"+id+" field")
			}
		}
	}
	return usageError(r, bad)
}

func usageError(r *runner, bad []string) error {
	if len(bad) == 0 {
		return nil
	}
	for _, b := range bad {
		fmt.Fprintln(r.deps.Stderr, "dmsticket create: "+b)
	}
	fmt.Fprintln(r.deps.Stderr, "Run 'dmsticket create --help' for the flags. Nothing was sent to DMS.")
	return exit(ExitUsage, errors.New(strings.Join(bad, "; ")))
}

func inputIDs() []string {
	var ids []string
	for _, in := range inputs() {
		ids = append(ids, in.ID)
	}
	return ids
}

// parseAffectRows reads --affect-rows: a whole number (entered by hand), or
// explain or count (measured through DMS).
func parseAffectRows(s string) (method dms.RowSource, n int64, err error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "explain":
		return dms.RowsExplain, 0, nil
	case "count":
		return dms.RowsCount, 0, nil
	}
	clean := strings.NewReplacer(",", "", "_", "").Replace(strings.TrimSpace(s))
	n, perr := strconv.ParseInt(clean, 10, 64)
	if perr != nil || n < 0 {
		return "", 0, fmt.Errorf("--affect-rows %q: give a whole number of rows (0 or more), explain or count", inert.Line(s))
	}
	return dms.RowsManual, n, nil
}

// ticketFromFlags builds the ticket the flags describe, except what needs
// DMS (tenant, database, a measured figure). Problems with the content are
// returned to be listed with the others.
func (r *runner) ticketFromFlags() (dms.Ticket, dms.Problems) {
	o := r.o
	var ps dms.Problems
	t := dms.Ticket{Type: o.typ, Comment: o.comment, AttachmentKey: strings.TrimSpace(o.attachmentKey)}
	tt, _ := dms.LookupType(o.typ)
	for _, in := range tt.Inputs {
		if p := o.text[in.ID]; p != nil && *p != "" {
			t.SetText(in.ID, *p)
		}
	}
	ids, err := dms.ParseUserIDs(o.relatedUsers)
	if err != nil {
		ps = append(ps, dms.Problem{Field: "Related users", Key: "relatedUsers", Message: err.Error()})
	}
	t.RelatedUsers = ids
	if tt.Has(dms.StepSQL) {
		switch {
		case r.changed("sql"):
			sql, err := wizard.CheckSQLText("--sql", []byte(o.sql))
			if err != nil {
				ps = append(ps, dms.Problem{Field: "SQL", Key: "sql", Message: err.Error()})
			}
			t.SQL = sql
		case r.changed("sql-file"):
			sql, err := r.readSQLFile(o.sqlFile)
			if err != nil {
				ps = append(ps, dms.Problem{Field: "SQL", Key: "sql", Message: err.Error()})
			}
			t.SQL = sql
		}
	}
	if tt.AffectRows {
		switch {
		case r.changed("ignore-affect-rows"):
			t.IgnoreAffectRows, t.IgnoreAffectRowsReason = true, o.ignoreReason
		case r.changed("affect-rows"):
			if method, n, err := parseAffectRows(o.affectRows); err == nil && method == dms.RowsManual {
				t.Rows = dms.RowFigure{Source: dms.RowsManual, Total: n, At: r.now(), SQLHash: dms.SQLHash(t.SQL)}
			}
		}
	}
	return t, ps
}

// readSQLFile reads --sql-file: a path, or - for standard input, with the
// wizard's checks (size, NUL bytes, UTF-8).
func (r *runner) readSQLFile(path string) (string, error) {
	if path != "-" {
		return wizard.ReadSQLFile(path)
	}
	r.stdinUsed = true
	if r.deps.Stdin == nil {
		return "", errors.New("standard input is not available")
	}
	if r.deps.IsTerminal != nil && r.deps.IsTerminal() {
		fmt.Fprintln(r.deps.Stderr, "Reading the SQL from the terminal; end it with ctrl+d.")
	}
	b, err := io.ReadAll(io.LimitReader(r.deps.Stdin, dms.MaxSQLBytes+1))
	if err != nil {
		return "", fmt.Errorf("reading standard input: %v", err)
	}
	return wizard.CheckSQLText("standard input", b)
}

// readTicketFile reads --from: a path, or - for standard input, validated as
// strictly as the wizard validates a ticket.
func (r *runner) readTicketFile() (dms.Ticket, error) {
	path := r.o.from
	name := inert.Line(path)
	var in io.Reader
	if path == "-" {
		r.stdinUsed = true
		name = "standard input"
		in = r.deps.Stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return dms.Ticket{}, fmt.Errorf("%s: no such ticket file", name)
			}
			return dms.Ticket{}, fmt.Errorf("%s: %v", name, err)
		}
		defer f.Close()
		in = f
	}
	f, err := dms.DecodeTicketFile(in)
	if err == nil {
		r.file = &f
		var t dms.Ticket
		if t, err = f.Ticket(); err == nil {
			return t, nil
		}
	}
	var ps dms.Problems
	if errors.As(err, &ps) {
		return dms.Ticket{}, fileProblems{name: name, ps: ps}
	}
	return dms.Ticket{}, fmt.Errorf("%s: %v", name, inert.Line(err.Error()))
}

// fileProblems is a ticket file that parsed but is not a valid ticket.
type fileProblems struct {
	name string
	ps   dms.Problems
}

func (f fileProblems) Error() string { return f.name + ": " + f.ps.Error() }
