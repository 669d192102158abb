package create

import (
	"context"
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
var contentFlags = []string{"type", "db", "sql", "sql-file", "rollback-sql", "rollback-sql-file", "comment", "related-users", "attachment-key", "affect-rows", "ignore-affect-rows"}

// checkFlags refuses combinations that make no sense, all at once: exit 2.
// With --like and no --type, the checks that depend on the type wait for
// the liked ticket's (typeProblems, from likeTicket).
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
	if r.liking() {
		if _, err := parseLikeID(o.like); err != nil {
			bad = append(bad, err.Error())
		}
		if r.changed("from") {
			bad = append(bad, "--like and --from each give a whole ticket to start from: give one of them")
			return usageError(r, bad)
		}
	}
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
	if r.changed("sql") && r.changed("sql-file") {
		bad = append(bad, "give the SQL once: --sql or --sql-file, not both")
	}
	if r.changed("rollback-sql") && r.changed("rollback-sql-file") {
		bad = append(bad, "give the rollback script once: --rollback-sql or --rollback-sql-file, not both")
	}
	if r.changed("sql-file") && o.sqlFile == "-" && r.changed("rollback-sql-file") && o.rollbackFile == "-" {
		bad = append(bad, "standard input carries one script: give --sql-file - or --rollback-sql-file -, not both (read the other from a file)")
	}
	bad = append(bad, dbProblems(o.dbs)...)
	if r.changed("affect-rows") {
		if _, _, err := parseAffectRows(o.affectRows); err != nil {
			bad = append(bad, err.Error())
		}
	}
	if !r.liking() || r.changed("type") {
		bad = append(bad, r.typeProblems()...)
	}
	return usageError(r, bad)
}

// typeProblems are the checks that depend on the ticket's type (--type, or
// the liked ticket's): the type itself, and every flag it does not take.
func (r *runner) typeProblems() []string {
	o := r.o
	var bad []string
	tt, ok := dms.LookupType(o.typ)
	switch {
	case o.typ == "" && !r.changed("type"):
		bad = append(bad, "--type is required: "+strings.Join(dms.PluginTypes(), " or ")+" (or give a ticket file with --from, or a ticket to file again with --like ID)")
	case !ok:
		msg := fmt.Sprintf("--type %q is not a ticket type dmsticket files; use %s", inert.Line(o.typ), strings.Join(dms.PluginTypes(), " or "))
		for _, pt := range dms.PluginTypes() {
			if strings.EqualFold(pt, o.typ) {
				msg = fmt.Sprintf("--type %q: ticket types are upper case, as DMS spells them: %s", inert.Line(o.typ), pt)
			}
		}
		bad = append(bad, msg)
	}
	if r.changed("affect-rows") && r.changed("ignore-affect-rows") && (!ok || tt.IgnoreRows) {
		bad = append(bad, "give an affected-row figure (--affect-rows) or skip the check (--ignore-affect-rows), not both")
	}
	if !ok {
		return bad
	}
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
	} else if !tt.IgnoreRows && r.changed("ignore-affect-rows") {
		bad = append(bad, fmt.Sprintf("--ignore-affect-rows does not apply to %s (%s): it has no affected-row check to skip; give the figure with --affect-rows N, explain or count", tt.PluginType, tt.Title))
	}
	if !tt.Rollback {
		not("rollback-sql", "rollback script")
		not("rollback-sql-file", "rollback script")
	}
	if !tt.Has(dms.StepDatabase) {
		not("db", "database")
	} else if n := len(o.dbs); n > 1 && !tt.MultiDatabase {
		bad = append(bad, fmt.Sprintf("--db is given %d times; %s (%s) acts on one database (%s)", n, tt.PluginType, tt.Title, multiDatabaseTypes()))
	}
	for _, id := range inputIDs() {
		in, has := tt.Input(id)
		switch {
		case !has:
			not(id, "--"+id+" field")
		case len(in.Choices) > 0 && r.changed(id):
			if _, err := choice(in, *o.text[id]); err != nil {
				bad = append(bad, err.Error())
			}
		}
	}
	return bad
}

// dbProblems refuses --db values that name nothing or repeat one another
// (the same text twice; the same database under two names is found once
// they are looked up).
func dbProblems(refs []string) []string {
	var bad []string
	seen := map[string]bool{}
	for _, ref := range refs {
		key := strings.ToLower(strings.TrimSpace(ref))
		switch {
		case key == "":
			bad = append(bad, "--db is empty: give a database's ID or its search name, schema@host:port")
		case seen[key]:
			bad = append(bad, fmt.Sprintf("--db %q is given twice: a ticket names each database once", inert.Line(strings.TrimSpace(ref))))
		}
		seen[key] = true
	}
	if len(refs) > dms.MaxDatabases {
		bad = append(bad, fmt.Sprintf("--db is given %d times; a ticket acts on at most %d databases", len(refs), dms.MaxDatabases))
	}
	return bad
}

// multiDatabaseTypes says which types take several databases.
func multiDatabaseTypes() string {
	var names []string
	for _, tt := range dms.Catalog() {
		if tt.MultiDatabase {
			names = append(names, tt.PluginType)
		}
	}
	if len(names) == 0 {
		return "no type takes several"
	}
	return "only " + strings.Join(names, " and ") + " takes several"
}

// choice reads the value of a details input with choices: one of them, in
// any case, as the catalog spells it.
func choice(in dms.Input, v string) (string, error) {
	for _, c := range in.Choices {
		if strings.EqualFold(strings.TrimSpace(v), c) {
			return c, nil
		}
	}
	var opts []string
	for _, c := range in.Choices {
		if m := wizard.ChoiceMeaning(in.ID, c); m != "" {
			opts = append(opts, c+" ("+m+")")
		} else {
			opts = append(opts, c)
		}
	}
	return "", fmt.Errorf("--%s %q: use one of %s", in.ID, inert.Line(v), strings.Join(opts, ", "))
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
	tt, known := dms.LookupType(o.typ)
	// loose: --like without --type. The type is the liked ticket's, not
	// known yet: every flag given is read, and the flags the type does not
	// take are refused once it is (typeProblems).
	loose := r.liking() && !known
	ins := tt.Inputs
	if loose {
		ins = inputs()
	}
	for _, in := range ins {
		if p := o.text[in.ID]; p != nil && (*p != "" || r.liking() && r.changed(in.ID)) {
			v := *p
			if c, err := choice(in, v); err == nil && len(in.Choices) > 0 {
				v = c // a wrong choice is refused in typeProblems
			}
			t.SetText(in.ID, v)
		}
	}
	ids, err := dms.ParseUserIDs(o.relatedUsers)
	if err != nil {
		ps = append(ps, dms.Problem{Field: "Related users", Key: "relatedUsers", Message: err.Error()})
	}
	t.RelatedUsers = ids
	if tt.Has(dms.StepSQL) || loose {
		switch {
		case r.changed("sql"):
			sql, err := wizard.CheckSQLText("--sql", []byte(o.sql))
			if err != nil {
				ps = append(ps, dms.Problem{Field: "SQL", Key: "sql", Message: err.Error()})
			}
			t.SQL = sql
		case r.changed("sql-file"):
			sql, err := r.readSQLFile(o.sqlFile, "SQL")
			if err != nil {
				ps = append(ps, dms.Problem{Field: "SQL", Key: "sql", Message: err.Error()})
			}
			t.SQL = sql
		}
	}
	if tt.Rollback || loose {
		rb, err := r.rollback()
		if err != nil {
			ps = append(ps, dms.Problem{Field: "Rollback SQL", Key: "RollbackSQL", Message: err.Error()})
		}
		t.RollbackSQL = rb
	}
	if tt.AffectRows || loose {
		switch {
		case r.changed("ignore-affect-rows") && (tt.IgnoreRows || loose):
			t.IgnoreAffectRows, t.IgnoreAffectRowsReason = true, o.ignoreReason
		case r.changed("affect-rows"):
			if method, n, err := parseAffectRows(o.affectRows); err == nil && method == dms.RowsManual {
				t.Rows = dms.RowFigure{Source: dms.RowsManual, Total: n, At: r.now(), SQLHash: dms.SQLHash(t.SQL)}
			}
		}
	}
	return t, ps
}

// rollback is the rollback script --rollback-sql or --rollback-sql-file
// gives (none: ""), with the SQL file's checks; a script given but empty
// is an error (leave the flag out for none), except with --like, where it
// removes the liked ticket's script.
func (r *runner) rollback() (string, error) {
	var sql string
	var err error
	switch {
	case r.changed("rollback-sql"):
		sql, err = wizard.CheckSQLText("--rollback-sql", []byte(r.o.rollbackSQL))
	case r.changed("rollback-sql-file"):
		sql, err = r.readSQLFile(r.o.rollbackFile, "rollback script")
	default:
		return "", nil
	}
	if err == nil && strings.TrimSpace(sql) == "" && !r.liking() {
		err = errors.New("the rollback script is empty; leave --rollback-sql and --rollback-sql-file out for a change without one")
	}
	return sql, err
}

// readSQLFile reads --sql-file or --rollback-sql-file (what names the
// script): a path, or - for standard input, with the wizard's checks
// (size, NUL bytes, UTF-8).
func (r *runner) readSQLFile(path, what string) (string, error) {
	if path != "-" {
		return interruptible(r.ctx, func() (string, error) { return wizard.ReadSQLFile(path) })
	}
	r.stdinUsed = true
	if r.deps.Stdin == nil {
		return "", errors.New("standard input is not available")
	}
	if r.deps.IsTerminal != nil && r.deps.IsTerminal() {
		fmt.Fprintf(r.deps.Stderr, "Reading the %s from the terminal; end it with ctrl+d.\n", what)
	}
	b, err := interruptible(r.ctx, func() ([]byte, error) { return io.ReadAll(io.LimitReader(r.deps.Stdin, dms.MaxSQLBytes+1)) })
	if err != nil {
		return "", fmt.Errorf("reading standard input: %w", err)
	}
	return wizard.CheckSQLText("standard input", b)
}

// errInterrupted is a read that an interrupt ended.
var errInterrupted = errors.New("interrupted")

// interruptible runs read (opening and reading a file, standard input) so
// that an interrupt ends the wait for it: a FIFO nobody writes to blocks in
// open, a pipe in read, and neither watches ctx (found by an adversarial
// run: create waited for ever and ignored ctrl+c and SIGTERM). The read
// goes on in the background, and the run ends.
func interruptible[T any](ctx context.Context, read func() (T, error)) (T, error) {
	if ctx == nil {
		return read()
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := read()
		done <- result{v, err}
	}()
	select {
	case res := <-done:
		return res.v, res.err
	case <-ctx.Done():
		var zero T
		return zero, errInterrupted
	}
}

// readTicketFile reads --from: a path, or - for standard input, validated as
// strictly as the wizard validates a ticket.
func (r *runner) readTicketFile() (dms.Ticket, error) {
	path := r.o.from
	name := inert.Line(path)
	if path == "-" {
		r.stdinUsed = true
		name = "standard input"
	}
	f, err := interruptible(r.ctx, func() (dms.TicketFile, error) {
		if path == "-" {
			return dms.DecodeTicketFile(r.deps.Stdin)
		}
		in, err := os.Open(path)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return dms.TicketFile{}, fmt.Errorf("%s: no such ticket file", name)
			}
			return dms.TicketFile{}, fmt.Errorf("%s: %v", name, err)
		}
		defer in.Close()
		return dms.DecodeTicketFile(in)
	})
	if errors.Is(err, errInterrupted) {
		return dms.Ticket{}, err
	}
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
