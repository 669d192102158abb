package create

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"dmsticket/dms"
	"dmsticket/dms/inert"
	"dmsticket/tui/wizard"
)

// runner is one run of the command.
type runner struct {
	// ctx is the run's (run sets it): reads of files and standard input
	// end with it.
	ctx     context.Context
	deps    Deps
	o       *options
	changed func(flag string) bool
	be      Backend
	// stdinUsed is set when standard input carried the SQL or the ticket
	// file: it cannot also answer the schema-name question.
	stdinUsed bool
	// file is the --from ticket file as read (its submission record).
	file *dms.TicketFile
	// liked is the --like ticket as rebuilt from DMS.
	liked *wizard.Liked
	// realFrom is --from with its symbolic links resolved (filePath).
	realFrom string
}

func (r *runner) now() time.Time {
	if r.deps.Now != nil {
		return r.deps.Now()
	}
	return time.Now()
}

// interrupted ends a run interrupted before anything was sent.
func (r *runner) interrupted() error {
	r.say("dmsticket create: interrupted; nothing was sent to DMS.")
	return exit(ExitInterrupted, r.ctx.Err())
}

// sleep waits d, or until ctx ends (Deps.Sleep when set).
func (r *runner) sleep(ctx context.Context, d time.Duration) error {
	if r.deps.Sleep != nil {
		return r.deps.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// say narrates on stderr.
func (r *runner) say(format string, args ...any) { fmt.Fprintf(r.deps.Stderr, format+"\n", args...) }

// run builds, checks and submits the ticket.
func (r *runner) run(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	r.ctx = ctx
	if err := r.checkFlags(); err != nil {
		return err
	}
	var t dms.Ticket
	var problems dms.Problems
	if r.o.from != "" {
		if r.o.from != "-" {
			if real, err := filepath.EvalSymlinks(r.o.from); err == nil {
				r.realFrom = real
			}
			if !r.o.dryRun {
				release, err := r.lockTicketFile(ctx)
				if err != nil {
					code := ExitRetryable
					var hl errHardLinks
					switch {
					case ctx.Err() != nil:
						code, err = ExitInterrupted, ctx.Err()
					case errors.As(err, &hl):
						code = ExitUsage
					}
					r.say("dmsticket create: %v; nothing was sent.", err)
					return exit(code, err)
				}
				defer release()
			}
		}
		var err error
		if t, err = r.readTicketFile(); err != nil {
			if errors.Is(err, errInterrupted) {
				return r.interrupted()
			}
			return r.fileError(err)
		}
		if tid := r.tenantFlag(); tid != 0 && t.Tenant.ID != 0 && tid != t.Tenant.ID {
			return usageError(r, []string{fmt.Sprintf("--tenant %d differs from the ticket file's tenant %d; drop --tenant or fix the file", tid, t.Tenant.ID)})
		} else if t.Tenant.ID == 0 {
			t.Tenant.ID = tid
		}
	} else {
		t, problems = r.ticketFromFlags()
		if ctx.Err() != nil {
			return r.interrupted()
		}
	}
	if err := r.connect(); err != nil {
		return err
	}
	defer func() {
		if r.be.Close != nil {
			r.be.Close()
		}
	}()

	var method dms.RowSource // a figure to measure once the ticket is valid
	if r.o.from != "" {
		if err := r.checkFileDatabase(ctx, &t); err != nil {
			return err
		}
		problems = append(problems, t.Validate()...)
		switch {
		case !t.Rows.Known() || t.IgnoreAffectRows:
		case t.Rows.StaleFor(t.SQL):
			problems = append(problems, dms.Problem{Field: "Affected rows", Key: "affectRows",
				Message: fmt.Sprintf("the figure was measured for other SQL (affectRows.sqlSha256 does not match %s): measure it again, or set affectRows.source to \"manual\" to vouch for it", sqlKey(t.Type))})
		case t.RowsStale():
			problems = append(problems, dms.Problem{Field: "Affected rows", Key: "affectRows",
				Message: "the figure was measured on other databases (affectRows.dbId or affectRows.perDatabase does not name the file's databases): measure it again, or set affectRows.source to \"manual\" to vouch for it"})
		}
	} else {
		tenant, err := r.tenant(ctx)
		if err != nil {
			return r.dmsError(ctx, "DMS could not tell your tenant", err)
		}
		t.Tenant = tenant
		if r.liking() {
			if t, err = r.likeTicket(ctx, tenant, t); err != nil {
				return err
			}
		}
		tt, _ := t.TicketType()
		switch {
		case tt.AffectRows && r.changed("affect-rows"):
			if m, _, _ := parseAffectRows(r.o.affectRows); m != dms.RowsManual {
				method = m
			}
		case r.liking():
			method = likeMethod(t)
		}
		if method != "" {
			t.Rows = dms.RowFigure{Source: method} // stands in for the figure while validating
		}
		if r.liking() {
			r.sayLiked(t, method)
		}
		if len(r.o.dbs) > 0 {
			ps, err := r.resolveDatabases(ctx, &t)
			if err != nil {
				return r.dmsError(ctx, "DMS could not look the database up", err)
			}
			problems = append(problems, ps...)
		}
		unread, keys := r.unreadProblems(tt)
		problems = append(append(unread, problems...), r.flagProblems(withoutKeys(t.Validate(), keys), problems)...)
	}
	if len(problems) > 0 {
		return r.invalid(problems)
	}
	if method != "" {
		if err := r.estimate(ctx, &t, method); err != nil {
			return err
		}
		if ps := t.Validate(); len(ps) > 0 {
			return r.invalid(ps)
		}
	}
	if ps := t.Validate(); len(ps) > 0 {
		return r.invalid(ps)
	}
	req := wizard.Request(t, nil)
	if r.o.dryRun {
		return r.dryRun(t, req)
	}
	if done, err := r.checkRecord(ctx, req); done || err != nil {
		return err
	}
	if err := r.confirmOnline(ctx, t.Databases()); err != nil {
		return err
	}
	return r.submit(ctx, req)
}

// resolveDatabases looks every --db up (an ID or a search name, as
// ResolveDatabase reads it) and puts them on the ticket, the first as its
// database and the others after it. A reference that names no single
// database, or the same database as another, is a problem (with the
// flag's key); DMS's own failure is returned.
func (r *runner) resolveDatabases(ctx context.Context, t *dms.Ticket) (dms.Problems, error) {
	key := "dbId"
	if tt, _ := t.TicketType(); tt.MultiDatabase {
		key = "DbItemList"
	}
	var ps dms.Problems
	var dbs []dms.Database
	first := map[int64]string{} // database ID -> the --db that named it
	for _, ref := range r.o.dbs {
		d, err := dms.ResolveDatabase(ctx, r.be.Service, t.Tenant.ID, ref)
		var re *dms.DatabaseRefError
		switch {
		case errors.As(err, &re):
			ps = append(ps, dms.Problem{Field: "Database", Key: key, Message: re.Error()})
			continue
		case err != nil:
			return nil, err
		}
		if prev, dup := first[d.ID]; dup {
			ps = append(ps, dms.Problem{Field: "Database", Key: key,
				Message: fmt.Sprintf("%q and %q are the same database, %s: name it once", inert.Line(prev), inert.Line(strings.TrimSpace(ref)), inert.Line(d.Name()))})
			continue
		}
		first[d.ID] = strings.TrimSpace(ref)
		dbs = append(dbs, d)
	}
	if len(ps) > 0 {
		return ps, nil
	}
	if err := wizard.KnowMembers(ctx, r.be.Service, t.Tenant.ID, dbs); err != nil {
		return nil, err
	}
	t.Database, t.More = dbs[0], append([]dms.Database(nil), dbs[1:]...)
	r.sayDatabases(dbs)
	return nil, nil
}

// sayDatabases says which databases the ticket acts on, as DMS describes
// them (environment, engine, ID).
func (r *runner) sayDatabases(dbs []dms.Database) {
	switch len(dbs) {
	case 0:
	case 1:
		r.say("Database: %s.", wizard.DatabaseText(dbs[0]))
	default:
		r.say("Databases (%d):", len(dbs))
		for i, d := range dbs {
			r.say("  %d. %s", i+1, wizard.DatabaseText(d))
		}
	}
}

// sqlKey is the key the type's SQL is sent under (exeSQL, ExecSQL).
func sqlKey(pluginType string) string {
	tt, _ := dms.LookupType(pluginType)
	for _, f := range tt.Fields {
		if f.Source == dms.FromSQL {
			return f.Key
		}
	}
	return "the SQL"
}

func (r *runner) tenantFlag() int64 {
	if r.deps.Tenant == nil {
		return 0
	}
	return r.deps.Tenant()
}

// connect builds the backend; without credentials nothing can be checked or
// sent, so the command stops here.
func (r *runner) connect() error {
	if r.deps.Connect == nil {
		return exit(ExitUsage, errors.New("no DMS connection configured"))
	}
	be, err := r.deps.Connect()
	if err != nil {
		r.say("dmsticket create: %s", inert.Line(err.Error()))
		return exit(ExitUsage, err)
	}
	r.be = be
	if e := be.CredentialsErr; e != nil {
		r.say("dmsticket create: no Alibaba Cloud credentials found. Looked in, in this order:")
		for _, s := range e.Tried {
			r.say("  %s", s)
		}
		r.say("To fix it:")
		for _, f := range e.Fixes() {
			r.say("  %s", f)
		}
		if e.Detail != "" {
			r.say("The SDK said: %s", inert.Line(e.Detail))
		}
		if be.Close != nil {
			be.Close()
		}
		return exit(ExitRejected, e)
	}
	return nil
}

// tenant is --tenant, checked against the caller's tenants, or the active
// tenant.
func (r *runner) tenant(ctx context.Context) (dms.Tenant, error) {
	svc := r.be.Service
	tid := r.tenantFlag()
	if tid == 0 {
		t, err := svc.ActiveTenant(ctx)
		if err == nil {
			r.say("Tenant: %s, your active tenant.", inert.Line(t.Label()))
		}
		return t, err
	}
	list, err := svc.Tenants(ctx)
	if err != nil {
		return dms.Tenant{}, err
	}
	var names []string
	for _, t := range list {
		if t.ID == tid {
			r.say("Tenant: %s.", inert.Line(t.Label()))
			return t, nil
		}
		names = append(names, inert.Line(t.Label()))
	}
	return dms.Tenant{}, &dms.Error{Op: "ListUserTenants", Kind: dms.KindInvalid,
		Message: fmt.Sprintf("you do not belong to tenant %d; yours: %s", tid, strings.Join(names, ", "))}
}

// checkFileDatabase looks the ticket file's databases up in DMS: each must
// exist, and its environment decides the online confirmation, whatever the
// file says.
func (r *runner) checkFileDatabase(ctx context.Context, t *dms.Ticket) error {
	var ps dms.Problems
	var dbs []dms.Database
	for _, fd := range t.Databases() {
		d, err := r.be.Service.Database(ctx, t.Tenant.ID, fd.ID, fd.Logic)
		if err != nil {
			if dms.KindOf(err) == dms.KindRefused && ctx.Err() == nil {
				ps = append(ps, dms.Problem{Field: "Database", Key: "database",
					Message: fmt.Sprintf("DMS has no database %d in %s: %s", fd.ID, inert.Line(t.Tenant.Label()), inert.Line(errMessage(err)))})
				continue
			}
			return r.dmsError(ctx, "DMS could not look the ticket file's database up", err)
		}
		if d.Env != fd.Env || d.SchemaName != fd.SchemaName {
			r.say("Note: the ticket file says database %d is %s (%s); DMS says %s (%s). Going by DMS.",
				d.ID, inert.Line(fd.Name()), fd.Env.Label(), inert.Line(d.Name()), d.Env.Label())
		}
		dbs = append(dbs, dms.Confirmed(fd, d))
	}
	if len(ps) > 0 {
		return r.invalid(ps)
	}
	if len(dbs) == 0 {
		return r.invalid(dms.Problems{{Field: "Database", Key: "database", Message: "the ticket file names no database"}})
	}
	t.Database, t.More = dbs[0], append([]dms.Database(nil), dbs[1:]...)
	if len(dbs) == 1 {
		r.say("Ticket file: %s in tenant %s, on %s.", t.Type, inert.Line(t.Tenant.Label()), wizard.DatabaseText(dbs[0]))
		return nil
	}
	r.say("Ticket file: %s in tenant %s, on %d databases:", t.Type, inert.Line(t.Tenant.Label()), len(dbs))
	for i, d := range dbs {
		r.say("  %d. %s", i+1, wizard.DatabaseText(d))
	}
	return nil
}

func errMessage(err error) string {
	if de, ok := dms.AsError(err); ok && de.Message != "" {
		return de.Message
	}
	return err.Error()
}

// flagProblems restates Validate's problems in the command's terms (the
// flag to fix), dropping one already reported differently.
func (r *runner) flagProblems(ps, already dms.Problems) dms.Problems {
	var out dms.Problems
	for _, p := range ps {
		dbKey := p.Key == "dbId" || p.Key == "DbItemList"
		if dbKey && len(already.For("dbId"))+len(already.For("DbItemList")) > 0 {
			continue // the --db problem says it better
		}
		if (p.Key == "sql" || p.Key == "exeSQL" || p.Key == "ExecSQL") && len(already.For("sql")) > 0 ||
			p.Key == "RollbackSQL" && len(already.For("RollbackSQL")) > 0 {
			continue // the script could not be read: that says it ("write at least one statement" would not)
		}
		switch {
		case dbKey && !r.changed("db"):
			p.Message = "is required: give --db with its ID or its search name, schema@host:port"
		case p.Key == "affectRows" && !r.changed("affect-rows"):
			p.Message = "is required for an export: give --affect-rows N, explain or count, or skip the check with --ignore-affect-rows REASON"
		case p.Key == "EstimateAffectRows" && !r.changed("affect-rows"):
			p.Message = "is required for a data change: give --affect-rows N, explain or count"
		}
		out = append(out, p)
	}
	return out
}

// flagFor names the flag that sets a problem's key.
func flagFor(key string) string {
	switch key {
	case "comment":
		return "--comment"
	case "exeSQL", "ExecSQL", "sql":
		return "--sql/--sql-file"
	case "dbId", "DbItemList":
		return "--db"
	case "affectRows", "EstimateAffectRows":
		return "--affect-rows"
	case "RollbackSQL":
		return "--rollback-sql/--rollback-sql-file"
	case "ExecMode":
		return "--exec-mode"
	case "Classify":
		return "--classify"
	case "ignoreAffectRowsReason":
		return "--ignore-affect-rows"
	case "relatedUsers", "relatedIds":
		return "--related-users"
	case "attachmentKey":
		return "--attachment-key"
	case "type":
		return "--type"
	}
	for _, id := range inputIDs() {
		if id == key {
			return "--" + id
		}
	}
	return ""
}

// invalid lists every problem and exits 2.
func (r *runner) invalid(ps dms.Problems) error {
	what := "the ticket is not valid"
	if r.o.from != "" {
		what = "the ticket file " + inert.Line(r.o.from) + " is not valid"
	}
	if len(ps) == 1 {
		r.say("dmsticket create: %s:", what)
	} else {
		r.say("dmsticket create: %s (%d problems):", what, len(ps))
	}
	for _, p := range ps {
		lines := strings.Split(inert.Text(p.String()), "\n")
		if f := flagFor(p.Key); f != "" && r.o.from == "" {
			lines[0] = f + ": " + lines[0]
		}
		for i, l := range lines {
			if i == 0 {
				r.say("  - %s", l)
			} else {
				r.say("    %s", strings.TrimLeft(l, " "))
			}
		}
	}
	r.say("Nothing was sent to DMS.")
	return exit(ExitUsage, ps)
}

func (r *runner) fileError(err error) error {
	var fp fileProblems
	if errors.As(err, &fp) {
		return r.invalid(fp.ps)
	}
	r.say("dmsticket create: %s", err.Error())
	r.say("Nothing was sent to DMS.")
	return exit(ExitUsage, err)
}

// dmsError reports a failed DMS call and exits with its code.
func (r *runner) dmsError(ctx context.Context, what string, err error) error {
	code := codeFor(ctx, err)
	if code == ExitInterrupted {
		r.say("dmsticket create: interrupted. Nothing was sent that creates a ticket.")
		return exit(code, err)
	}
	r.say("dmsticket create: %s.", what)
	for _, l := range wizard.ErrorText(err) {
		r.say("  %s", l)
	}
	return exit(code, err)
}

// estimate measures the ticket's rows with EXPLAIN or COUNT (reads:
// allowed in a dry run), on each of its databases (wizard.Estimate), and
// puts the total on the ticket.
func (r *runner) estimate(ctx context.Context, t *dms.Ticket, method dms.RowSource) error {
	dbs := t.Databases()
	where := inert.Line(t.Database.Name())
	if len(dbs) > 1 {
		where = fmt.Sprintf("each of the %d databases", len(dbs))
	}
	if method == dms.RowsCount {
		r.say("Counting the rows with SELECT COUNT(*) on %s…", where)
	} else if len(dbs) > 1 {
		r.say("Estimating the rows with EXPLAIN on %s…", where)
	}
	est, err := wizard.Estimate(ctx, r.be.Service, *t, method)
	if err != nil {
		code := codeFor(ctx, err)
		if code == ExitInterrupted {
			r.say("dmsticket create: interrupted. Nothing was sent that creates a ticket.")
			return exit(code, err)
		}
		r.say("dmsticket create: %s (%s).", wizard.MeasureFailedText(err), method.Label())
		for _, l := range wizard.EstimateLines(est) {
			if strings.Contains(l, "not measured") {
				r.say("  %s", l)
			}
		}
		for _, l := range wizard.EstimateErrorText(est, err) {
			r.say("  %s", l)
		}
		if tt, _ := t.TicketType(); tt.IgnoreRows {
			r.say("Give the figure yourself with --affect-rows N, or skip the check with --ignore-affect-rows REASON.")
		} else {
			r.say("Give the figure yourself with --affect-rows N.")
		}
		return exit(code, err)
	}
	t.Rows = est.Figure()
	verb, how := "Estimated", "EXPLAIN"
	if method == dms.RowsCount {
		verb, how = "Counted", "COUNT"
	}
	per := ""
	if len(est.Statements) > 1 {
		parts := make([]string, len(est.Statements))
		for i, s := range est.Statements {
			parts[i] = fmt.Sprintf("statement %d: %s", s.Number, wizard.Thousands(s.Rows))
		}
		per = "; " + strings.Join(parts, ", ")
	}
	if len(est.Databases) > 1 {
		r.say("%s %s in all on %d databases (%s%s):", verb, wizard.Rows(est.Total), len(est.Databases), how, per)
		for _, l := range wizard.EstimateLines(est) {
			r.say("  %s", l)
		}
		return nil
	}
	r.say("%s %s (%s%s).", verb, wizard.Rows(est.Total), how, per)
	return nil
}

// confirmOnline makes sure a ticket on online databases is meant: --yes,
// or each online database's schema name typed in the terminal (a name
// shared by several once). Otherwise exit 4.
func (r *runner) confirmOnline(ctx context.Context, dbs []dms.Database) error {
	ask := wizard.ToConfirm(dbs)
	if len(ask) == 0 || r.o.yes {
		return nil
	}
	if r.stdinUsed || r.deps.IsTerminal == nil || !r.deps.IsTerminal() || r.deps.Stdin == nil {
		var err error
		if on := wizard.Online(dbs); len(on) == 1 {
			err = fmt.Errorf("refused: %s is a %s database; pass --yes to confirm", inert.Line(on[0].Name()), on[0].Env.Label())
		} else {
			err = fmt.Errorf("refused: the ticket acts on %s; pass --yes to confirm", wizard.OnlineText(dbs))
		}
		r.say("dmsticket create: %s. Nothing was sent.", err)
		return exit(ExitPolicy, err)
	}
	if len(ask) > 1 {
		r.say("This ticket acts on live data in %s.", wizard.OnlineText(dbs))
		r.say("Type each schema name to submit it.")
	}
	// One reader for every answer: a second would lose what the first
	// buffered. It reads no more lines than there are questions.
	typed := make(chan string)
	go func() {
		br := bufio.NewReader(r.deps.Stdin)
		for range ask {
			line, err := br.ReadString('\n')
			typed <- strings.TrimSpace(line)
			if err != nil {
				return
			}
		}
	}()
	for _, d := range ask {
		name, schema := inert.Line(d.Name()), inert.Line(d.SchemaName)
		if len(ask) == 1 {
			fmt.Fprintf(r.deps.Stderr, "%s is a %s database: this ticket acts on live data.\nType its schema name, %s, to submit it: ", name, d.Env.Label(), schema)
		} else {
			fmt.Fprintf(r.deps.Stderr, "%s is a %s database. Type its schema name, %s: ", name, d.Env.Label(), schema)
		}
		select {
		case <-ctx.Done():
			r.say("\ndmsticket create: interrupted. Nothing was sent.")
			return exit(ExitInterrupted, ctx.Err())
		case v := <-typed:
			if v != d.SchemaName && v != schema {
				err := fmt.Errorf("refused: that is not the schema name of %s", name)
				r.say("dmsticket create: %s. Nothing was sent.", err)
				return exit(ExitPolicy, err)
			}
		}
	}
	return nil
}

// submit sends CreateOrder (or the type's own operation) once. When its
// answer is lost, the ticket is looked up before the command says anything
// about it.
func (r *runner) submit(ctx context.Context, req dms.OrderRequest) error {
	svc := r.be.Service
	sub := wizard.Prepare(ctx, svc, req)
	if err := r.recordSending(sub); err != nil {
		return err
	}
	res := wizard.Send(ctx, svc, sub)
	switch {
	case res.Outcome == wizard.Created:
		ids := res.TicketIDs()
		r.say("Created ticket %d (request ID %s).", ids[0], inert.Line(res.Created.RequestID))
		r.recordCreated(sub, ids, res.Created.RequestID)
		return r.created(ctx, ids, res.Created.RequestID, req.Tid, false)
	case ctx.Err() != nil:
		r.say("dmsticket create: interrupted after %s was sent: the ticket may exist. Look for it (comment %q) before running this again.", req.Op(), inert.Line(req.Comment))
		return exit(ExitInterrupted, res.Err)
	case res.Outcome == wizard.Refused:
		r.forgetRecord()
		if dms.KindOf(res.Err) == dms.KindPolicy {
			r.say("dmsticket create: this server's policy refused the ticket.")
		} else {
			r.say("dmsticket create: DMS did not create the ticket.")
		}
		r.sayError(res.Err)
		return exit(codeFor(ctx, res.Err), res.Err)
	}
	r.say("The answer to %s was lost (%s); looking the ticket up before saying anything…", req.Op(), inert.Line(errMessage(res.Err)))
	return r.resolve(ctx, res)
}

// resolve finds what became of a submission whose answer was lost, and says
// so: created (exit 0), not created (exit 3, safe to run again), several
// candidates or a failed lookup (exit 3, check before running again).
func (r *runner) resolve(ctx context.Context, res wizard.Result) error {
	req := res.Sub.Request
	res = wizard.Resolve(ctx, r.be.Service, res)
	if until := res.Sub.SentAt.Add(wizard.SendSettles); res.Outcome == wizard.NotFound && time.Now().Before(until) {
		// The request may still be in DMS's hands (a read timeout, a
		// connection cut after it was sent): before saying it is safe to run
		// again, the lookup is made once more when it can no longer arrive.
		r.say("No ticket matches yet, but the request may still reach DMS until %s: looking again then…", until.Local().Format("15:04:05"))
		if err := r.sleep(ctx, time.Until(until)); err != nil {
			r.say("dmsticket create: interrupted while waiting to look the ticket up again: it may exist. Look for it (comment %q) before running this again.", inert.Line(req.Comment))
			return exit(ExitInterrupted, err)
		}
		res = wizard.Resolve(ctx, r.be.Service, res)
	}
	l := res.Lookup
	switch {
	case ctx.Err() != nil:
		r.say("dmsticket create: interrupted while looking the ticket up: it may exist. Look for it before running this again.")
		return exit(ExitInterrupted, ctx.Err())
	case res.Outcome == wizard.LookupFailed:
		r.say("dmsticket create: the ticket may exist, and the lookup failed too:")
		r.sayError(res.LookupErr)
		r.say("Check the DMS console for a ticket with this comment before running this again.")
		return exit(ExitRetryable, res.Err)
	case res.Outcome == wizard.Several:
		r.say("dmsticket create: %s", wizard.CannotTell(l, "this run"))
		for _, m := range l.Matches {
			r.say("  %d, created %s: %s", m.ID, m.Created.Local().Format("2006-01-02 15:04:05"), inert.Line(wizard.ConsoleLink(r.be.ConsoleURL, r.be.Region, req.Tid, m.ID)))
		}
		r.say("Check %s in the DMS console before running this again.", wizard.ThemOrIt(len(l.Matches)))
		return exit(ExitRetryable, fmt.Errorf("%d tickets match the request", len(l.Matches)))
	case res.Outcome == wizard.NotFound:
		r.forgetRecord()
		r.say("dmsticket create: no ticket matching this request was created since it was sent (compared: %s); it is safe to run this again.", strings.Join(l.Compared, ", "))
		r.say("  What happened: %s", wizard.Report(res.Err).What)
		if m := wizard.Report(res.Err).Message; m != "" {
			r.say("  Message: %s", m)
		}
		return exit(ExitRetryable, res.Err)
	}
	o, _ := l.Found()
	r.say("Found it: ticket %d was created, although the answer to %s was lost (matched on %s).", o.ID, req.Op(), strings.Join(l.Compared, ", "))
	r.recordCreated(res.Sub, []int64{o.ID}, "")
	return r.created(ctx, []int64{o.ID}, "", req.Tid, true)
}
