package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"dmsticket/dms"
	"dmsticket/dms/inert"
	"dmsticket/tui/wizard"
)

// databasePageSize is how many search results accessible mode reads out at
// once: few enough to listen to.
const databasePageSize = 10

// RunAccessible runs the wizard as a sequence of plain prompts (huh's
// accessible mode) for screen readers and plain terminals: no alternate
// screen, no colour, no escape sequence at all; every choice is numbered or
// typed, and the review is printed as text before a yes/no question. It
// walks the same steps as the full-screen wizard and respects opts.User's
// policy the same way.
//
// It returns nil when the user is done (a ticket created, or quit from the
// review); an error saying so when in ends before the ticket is complete;
// and an error wrapping ctx.Err() when ctx is cancelled (ctrl+c), which the
// caller maps to exit code 130. Everything the user needs to know has been
// written to out by then.
func RunAccessible(ctx context.Context, opts Options, in io.Reader, out io.Writer) error {
	w := &plainWriter{w: out}
	a := &accessible{
		p:       newPrompter(ctx, in, w),
		opts:    opts,
		svc:     opts.Service,
		t:       &dms.Ticket{},
		created: map[string]int64{},
	}
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("accessible mode stopped unexpectedly: %v", r)
			}
		}()
		done <- a.run()
	}()
	select {
	case err := <-done:
		if ids := a.createdList(); err != nil && len(ids) > 0 && errors.Is(err, errInputEnded) {
			// The input ended after a ticket was created: that is done.
			fmt.Fprintf(w, "The input ended. Created in this run: %s.\n", idList(ids))
			err = nil
		}
		w.close()
		return err
	case <-ctx.Done():
		fmt.Fprintln(w)
		if id := a.acting.Load(); id != 0 {
			// An action's request was on its way: it may have happened.
			fmt.Fprintf(w, "Interrupted while %s was on its way for ticket %d: it may have happened. dmsticket status %d says.\n", a.actingOp.Load(), id, id)
			if ids := a.createdList(); len(ids) > 0 {
				fmt.Fprintf(w, "Created in this run: %s.\n", idList(ids))
			}
			w.close()
			return fmt.Errorf("interrupted: %w", ctx.Err())
		}
		if ids := a.createdList(); len(ids) > 0 && !a.sending.Load() {
			fmt.Fprintf(w, "Interrupted. Created in this run: %s.\n", idList(ids))
			w.close()
			return nil
		}
		if a.sending.Load() {
			fmt.Fprintf(w, "Interrupted while %s was on its way: the ticket may exist. Look for it in the DMS console before filing it again.\n", a.sendingOp.Load())
			if ids := a.createdList(); len(ids) > 0 {
				fmt.Fprintf(w, "Created in this run before it: %s.\n", idList(ids))
			}
		} else {
			fmt.Fprintln(w, "Interrupted. The ticket in progress was not sent to DMS.")
		}
		w.close()
		return fmt.Errorf("interrupted: %w", ctx.Err())
	}
}

// accessible is one accessible-mode run: the ticket being built and what it
// needs to build it.
type accessible struct {
	p       *prompter
	opts    Options
	svc     dms.Service
	t       *dms.Ticket
	tenants []dms.Tenant
	// sending is set while CreateOrder (or the type's own operation,
	// sendingOp) is on its way (read on interrupt).
	sending   atomic.Bool
	sendingOp atomic.Value // string
	// acting is the ticket an action (submit for approval, run) is on its
	// way for, 0 when none; actingOp names the operation (read on
	// interrupt).
	acting   atomic.Int64
	actingOp atomic.Value // string
	// created maps a request (its key) to the ticket it created: one review
	// creates at most one ticket.
	created map[string]int64
	// rowsTyped is set when the figure was typed at the SQL step, so the
	// details do not ask it again.
	rowsTyped bool
	// createdIDs are the tickets this run created, in order (guarded by
	// mu: an interrupt reads them from another goroutine).
	mu         sync.Mutex
	createdIDs []int64
}

func (a *accessible) addCreated(ids ...int64) {
	a.mu.Lock()
	a.createdIDs = append(a.createdIDs, ids...)
	a.mu.Unlock()
}

func (a *accessible) createdList() []int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]int64(nil), a.createdIDs...)
}

func (a *accessible) ctx() context.Context { return a.p.ctx }

func (a *accessible) now() time.Time {
	if a.opts.Now != nil {
		return a.opts.Now()
	}
	return time.Now()
}

func (a *accessible) ticketType() dms.TicketType {
	tt, _ := dms.LookupType(a.t.Type)
	return tt
}

// run walks tickets until the user is done.
func (a *accessible) run() error {
	a.intro()
	if e := a.opts.CredentialsErr; e != nil {
		a.noCredentials(e)
		return e
	}
	if err := a.loadTenants(); err != nil {
		return err
	}
	for {
		done, err := a.oneTicket()
		if err != nil || done {
			return err
		}
		tenant := a.t.Tenant
		*a.t = dms.Ticket{Tenant: tenant}
		a.rowsTyped = false
	}
}

func (a *accessible) intro() {
	p := a.p
	p.say("dmsticket: file an Alibaba Cloud DMS Enterprise ticket, one question at a time.",
		"Answer each question and press enter. Where the choices are numbered, type the number.",
		"Press ctrl+c to stop. Nothing is sent to DMS until you answer yes to the last question.")
	where := "Region " + a.opts.Region + "."
	if a.opts.Region == "" {
		where = ""
	}
	if a.opts.Demo {
		where += " Demo mode: this runs against the built-in DMS simulator; nothing real is touched."
	}
	if u := a.opts.User; u != nil {
		where += " Signed in as " + inert.Line(u.Name) + "."
	}
	if w := strings.TrimSpace(where); w != "" {
		p.say(w)
	}
	p.say("")
}

func (a *accessible) noCredentials(e *dms.CredentialsError) {
	p := a.p
	p.say("No Alibaba Cloud credentials were found.", "Looked in, in this order:")
	for _, s := range e.Tried {
		p.say("  " + s)
	}
	p.say("To fix it:")
	for _, f := range e.Fixes() {
		p.say("  " + f)
	}
	if e.Detail != "" {
		p.say("The SDK said: " + inert.Line(e.Detail))
	}
}

func (a *accessible) loadTenants() error {
	active, err := a.svc.ActiveTenant(a.ctx())
	if err == nil {
		a.tenants, err = a.svc.Tenants(a.ctx())
	}
	if err != nil {
		if a.ctx().Err() != nil {
			return a.ctx().Err()
		}
		a.p.say("DMS could not list your tenants.")
		a.p.say(wizard.ErrorText(err)...)
		return err
	}
	a.t.Tenant = active
	if id := a.opts.Tenant; id != 0 {
		a.t.Tenant = dms.Tenant{ID: id}
		for _, tn := range a.tenants {
			if tn.ID == id {
				a.t.Tenant = tn
			}
		}
	}
	return nil
}

// step announces a step: "Step 3 of 6: SQL".
func (a *accessible) step(step wizard.Step) {
	var seq []wizard.Step
	for _, x := range wizard.Sequence(a.t.Type, false) {
		if x != wizard.StepTenant {
			seq = append(seq, x)
		}
	}
	if a.t.Type == "" {
		seq = []wizard.Step{wizard.StepType}
	}
	for i, x := range seq {
		if x == step {
			if len(seq) == 1 {
				a.p.sayf("Step 1: %s", step)
			} else {
				a.p.sayf("Step %d of %d: %s", i+1, len(seq), step)
			}
			return
		}
	}
	a.p.say(step.String())
}

// oneTicket walks one ticket from type to result, through the steps of the
// wizard's sequence for its type (the same sequence the screens walk; the
// tenant is asked within the database step). done is true when the user
// wants no further ticket.
func (a *accessible) oneTicket() (done bool, err error) {
	if err := a.chooseType(); err != nil {
		return true, err
	}
	for _, step := range wizard.Sequence(a.t.Type, false) {
		if step == wizard.StepReview {
			return a.review()
		}
		asks := a.asks(step)
		if len(asks) == 0 {
			continue
		}
		a.step(step)
		for _, ask := range asks {
			if err := ask(); err != nil {
				return true, err
			}
		}
	}
	return a.review()
}

// asks is what accessible mode asks in a step of the ticket's sequence, in
// order; the type step is asked before the sequence is known.
func (a *accessible) asks(step wizard.Step) []func() error {
	tt := a.ticketType()
	switch step {
	case wizard.StepDatabase:
		return []func() error{a.chooseTenant, a.chooseDatabase}
	case wizard.StepSQL:
		asks := []func() error{a.writeSQL}
		if tt.Rollback {
			asks = append(asks, a.rollbackScript)
		}
		if tt.AffectRows {
			asks = append(asks, a.affectedRows)
		}
		return asks
	case wizard.StepDetails:
		return []func() error{a.details}
	}
	return nil
}

func (a *accessible) chooseType() error {
	types := a.opts.User.Types()
	a.step(wizard.StepType)
	switch len(types) {
	case 0:
		a.p.say("Your account may not file any ticket type dmsticket knows; ask the administrator of this server.")
		return errors.New("no ticket type is allowed for this user")
	case 1:
		a.t.Type = types[0].PluginType
		a.p.sayf("Ticket type: %s (%s), the only type you may file.", types[0].Title, types[0].PluginType)
		a.p.say("")
		return nil
	}
	opts := make([]option, len(types))
	def := 0
	for i, tt := range types {
		opts[i] = option{label: tt.Title + " (" + tt.PluginType + "): " + tt.Help, aliases: []string{tt.PluginType, tt.Title}}
		if tt.PluginType == a.t.Type {
			def = i + 1
		}
	}
	i, err := a.p.choose("What kind of ticket?", opts, def)
	if err != nil {
		return err
	}
	a.t.Type = types[i].PluginType
	return nil
}

func (a *accessible) chooseTenant() error {
	if a.opts.Tenant != 0 || len(a.tenants) < 2 {
		return nil
	}
	opts := make([]option, len(a.tenants))
	def := 0
	for i, tn := range a.tenants {
		label := inert.Line(tn.Label())
		if tn.ID == a.t.Tenant.ID {
			label += ", your active tenant"
			def = i + 1
		}
		opts[i] = option{label: label, aliases: []string{itoa(tn.ID)}}
	}
	i, err := a.p.choose("You belong to several DMS tenants. Which one is the ticket for?", opts, def)
	if err != nil {
		return err
	}
	if a.tenants[i].ID != a.t.Tenant.ID {
		a.t.Database, a.t.More = dms.Database{}, nil // databases belong to a tenant
	}
	a.t.Tenant = a.tenants[i]
	return nil
}

// chooseDatabase searches DMS and reads the results out, a page at a time,
// until the user picks one; for a type that acts on several databases, it
// collects them (chooseDatabases).
func (a *accessible) chooseDatabase() error {
	if a.ticketType().MultiDatabase {
		return a.chooseDatabases()
	}
	picked, err := a.searchDatabases(nil)
	if err != nil {
		return err
	}
	a.setDatabase(picked[0])
	return nil
}

// searchDatabases asks for a search and reads the results out, a page at a
// time, until the user picks a database. With chosen non-nil (a type that
// acts on several), several may be picked at once, the ones already chosen
// are marked, and the user may go back without picking (nil, nil).
func (a *accessible) searchDatabases(chosen []dms.Database) ([]dms.Database, error) {
	p := a.p
	many := chosen != nil
	already := map[int64]bool{}
	for _, d := range chosen {
		already[d.ID] = true
	}
	for {
		q, err := p.ask("Search for the database: type part of its schema name, alias or host, or press enter alone to list them all:", "", nil)
		if err != nil {
			return nil, err
		}
		for page := 1; ; page++ {
			res, err := a.svc.SearchDatabases(a.ctx(), dms.SearchQuery{Tid: a.t.Tenant.ID, Key: q, Page: page, PageSize: databasePageSize})
			if err != nil {
				if a.ctx().Err() != nil {
					return nil, a.ctx().Err()
				}
				p.say("The search failed.")
				p.say(wizard.ErrorText(err)...)
				if k := dms.KindOf(err); k == dms.KindCredentials {
					return nil, err
				}
				break
			}
			if res.Total == 0 || len(res.Databases) == 0 {
				if q == "" {
					p.say("DMS lists no database in this tenant.")
				} else {
					p.sayf("No database matches “%s”. Try part of the name, or press enter alone to list all.", inert.Line(q))
				}
				break
			}
			var visible []dms.Database
			for _, d := range res.Databases {
				if a.opts.User.AllowsEnv(d.Env) {
					visible = append(visible, d)
				}
			}
			first := (page-1)*databasePageSize + 1
			last := first + len(res.Databases) - 1
			if res.Total == 1 {
				p.say("1 database found.")
			} else {
				p.sayf("%d databases found; here are %d to %d.", res.Total, first, last)
			}
			if hidden := len(res.Databases) - len(visible); hidden > 0 {
				p.sayf("%d of them are not listed: your policy does not allow their environments.", hidden)
			}
			opts := make([]option, 0, len(visible)+3)
			for _, d := range visible {
				label := wizard.DatabaseText(d)
				if already[d.ID] {
					label += " (already chosen)"
				}
				opts = append(opts, option{label: label, aliases: []string{itoa(d.ID)}})
			}
			search := len(opts)
			opts = append(opts, option{label: "Search again", aliases: []string{"s", "search"}})
			more, back := -1, -1
			if res.More() {
				more = len(opts)
				opts = append(opts, option{label: fmt.Sprintf("List the next %d", databasePageSize), aliases: []string{"m", "more", "n", "next"}})
			}
			if many && len(chosen) > 0 {
				back = len(opts)
				opts = append(opts, option{label: "Back: keep the " + wizard.Count(len(chosen), "database") + " chosen", aliases: []string{"b", "back"}})
			}
			var picks []int
			if many {
				picks, err = p.chooseSome("Which databases?", opts, search)
			} else {
				var i int
				i, err = p.choose("Which database?", opts, 0)
				picks = []int{i}
			}
			if err != nil {
				return nil, err
			}
			switch i := picks[0]; {
			case i < search:
				out := make([]dms.Database, len(picks))
				for k, pi := range picks {
					out[k] = visible[pi]
				}
				return out, nil
			case i == more:
				continue
			case i == back:
				return nil, nil
			}
			break
		}
	}
}

func (a *accessible) setDatabase(d dms.Database) {
	a.t.Database = d
	a.p.say("Database: " + wizard.DatabaseText(d) + ".")
	if d.Env.Online() {
		a.p.sayf("Careful: this is a %s database, so the ticket will act on live data. Submitting will ask you to type its schema name.", d.Env.Label())
	}
	a.p.say("")
}

// chooseDatabases collects the databases of a ticket that acts on several
// (the same change on each): a search at a time, one or several numbers
// from each, every one read back; then the list is read out and the user
// continues with it, adds another or removes one.
func (a *accessible) chooseDatabases() error {
	p := a.p
	dbs := a.t.Databases()
	if len(dbs) == 0 {
		p.say("This ticket can act on several databases: the same change on each (shards, regions). Choose one or several from a search; you can add more after.")
	}
	for {
		if len(dbs) == 0 {
			picked, err := a.searchDatabases([]dms.Database{})
			if err != nil {
				return err
			}
			dbs = a.addDatabases(dbs, picked)
			continue
		}
		p.sayf("Chosen databases (%d):", len(dbs))
		for i, d := range dbs {
			p.sayf("  %d. %s", i+1, wizard.DatabaseText(d))
		}
		if on := wizard.Online(dbs); len(on) > 0 {
			p.sayf("Online among them: %s. Submitting will ask you to type each one's schema name.", wizard.OnlineText(dbs))
		}
		opts := []option{
			{label: "Continue with " + map[bool]string{true: "this database", false: "these " + wizard.Count(len(dbs), "database")}[len(dbs) == 1], aliases: []string{"c", "continue", "done"}},
			{label: "Add another database", aliases: []string{"a", "add"}},
			{label: "Remove a database", aliases: []string{"r", "remove"}},
		}
		i, err := p.choose("Are these the databases?", opts, 1)
		if err != nil {
			return err
		}
		switch i {
		case 0:
			if err := wizard.KnowMembers(a.ctx(), a.svc, a.t.Tenant.ID, dbs); err != nil {
				if a.ctx().Err() != nil {
					return a.ctx().Err()
				}
				p.sayf("DMS could not say which databases a logical one includes (%s); try again.", inert.Line(errMessage(err)))
				continue
			}
			if msg := dms.SpanProblem(dbs); msg != "" {
				p.sayf("Not these: the ticket %s.", inert.Line(msg))
				continue
			}
			a.t.Database, a.t.More = dbs[0], append([]dms.Database(nil), dbs[1:]...)
			p.say("")
			return nil
		case 1:
			if len(dbs) >= dms.MaxDatabases {
				p.sayf("A ticket acts on at most %d databases.", dms.MaxDatabases)
				continue
			}
			picked, err := a.searchDatabases(dbs)
			if err != nil {
				return err
			}
			dbs = a.addDatabases(dbs, picked)
		case 2:
			ropts := make([]option, len(dbs)+1)
			for k, d := range dbs {
				ropts[k] = option{label: wizard.DatabaseText(d), aliases: []string{itoa(d.ID)}}
			}
			ropts[len(dbs)] = option{label: "Keep them all", aliases: []string{"k", "keep"}}
			j, err := p.choose("Which database comes off the ticket?", ropts, len(dbs)+1)
			if err != nil {
				return err
			}
			if j < len(dbs) {
				p.sayf("Removed: %s.", inert.Line(dbs[j].Name()))
				dbs = append(dbs[:j:j], dbs[j+1:]...)
			}
		}
	}
}

// addDatabases adds the picked databases to dbs, each once, saying which
// were added (and which are online) and which were there already.
func (a *accessible) addDatabases(dbs, picked []dms.Database) []dms.Database {
	p := a.p
	have := map[int64]bool{}
	for _, d := range dbs {
		have[d.ID] = true
	}
	for _, d := range picked {
		switch {
		case have[d.ID]:
			p.sayf("Already chosen: %s.", inert.Line(d.Name()))
		case len(dbs) >= dms.MaxDatabases:
			p.sayf("Not added: %s; a ticket acts on at most %d databases.", inert.Line(d.Name()), dms.MaxDatabases)
		default:
			have[d.ID] = true
			dbs = append(dbs, d)
			p.sayf("Added: %s.", wizard.DatabaseText(d))
			if d.Env.Online() {
				p.sayf("Careful: %s is a %s database: the change acts on live data there.", inert.Line(d.Name()), d.Env.Label())
			}
		}
	}
	return dbs
}

// writeSQL asks for the script, typed or from a file, until the type accepts
// it.
func (a *accessible) writeSQL() error {
	p := a.p
	tt := a.ticketType()
	d := a.t.Database.Dialect()
	where := inert.Line(a.t.Database.Name())
	if n := len(a.t.More); n > 0 {
		where += fmt.Sprintf(" and the %s after it (the same SQL runs on each)", map[bool]string{true: "database", false: fmt.Sprintf("%d databases", n)}[n == 1])
	}
	p.sayf("This ticket accepts %s, in the %s dialect of %s.", tt.AcceptsText, d.Words(), where)
	for {
		opts := []option{
			{label: "Type or paste it here", aliases: []string{"type", "t"}},
			{label: "Read it from a .sql file", aliases: []string{"file", "f"}},
		}
		if a.t.SQL != "" {
			opts = append(opts, option{label: "Keep the SQL you gave before", aliases: []string{"keep", "k"}})
		}
		i, err := p.choose("How will you give the SQL?", opts, 1)
		if err != nil {
			return err
		}
		var sql string
		switch i {
		case 0:
			sql, err = a.typeSQL()
		case 1:
			sql, err = a.fileSQL()
		default:
			sql = a.t.SQL
		}
		if errors.Is(err, errSQLRefused) {
			p.say("Give the SQL again.", "")
			continue
		}
		if err != nil {
			return err
		}
		if ps := tt.CheckScript(sql, a.t.Databases()); len(ps) > 0 {
			p.say("This SQL cannot go on the ticket:")
			for _, pr := range ps {
				p.say("  " + inert.Line(pr.Message))
			}
			p.say("Give the SQL again.", "")
			continue
		}
		if sql != a.t.SQL {
			a.t.SQL = sql
		}
		p.sayf("Got %s.", wizard.ScriptText(sql, d))
		p.say("")
		return nil
	}
}

// rollbackScript offers a data change's optional rollback script, typed or
// from a file; one given before can be kept, replaced or removed.
func (a *accessible) rollbackScript() error {
	p := a.p
	t := a.t
	d := t.Database.Dialect()
	for {
		var opts []option
		var acts []string
		add := func(act, label string, aliases ...string) {
			acts = append(acts, act)
			opts = append(opts, option{label: label, aliases: aliases})
		}
		def := 1
		if strings.TrimSpace(t.RollbackSQL) == "" {
			p.say("A rollback script undoes the change if it has to be taken back; DMS keeps it with the ticket. It is optional.")
			yes, err := p.confirm("Add a rollback script?", false)
			if err != nil || !yes {
				if err == nil {
					p.say("No rollback script.", "")
				}
				return err
			}
		} else if ps := a.ticketType().CheckRollback(t.RollbackSQL, t.Databases()); len(ps) > 0 {
			p.sayf("The ticket's rollback script (%s) cannot go on the ticket:", wizard.ScriptText(t.RollbackSQL, d))
			for _, pr := range ps {
				p.say("  " + inert.Line(pr.Message))
			}
		} else {
			p.sayf("The ticket has a rollback script: %s.", wizard.ScriptText(t.RollbackSQL, d))
			add("keep", "Keep it", "keep", "k")
		}
		add("type", "Type or paste the rollback script here", "type", "t")
		add("file", "Read it from a .sql file", "file", "f")
		if strings.TrimSpace(t.RollbackSQL) != "" {
			add("remove", "Remove it: no rollback script", "remove", "r")
		}
		i, err := p.choose("How will you give the rollback script?", opts, def)
		if err != nil {
			return err
		}
		var sql string
		switch acts[i] {
		case "keep":
			p.say("")
			return nil
		case "remove":
			t.RollbackSQL = ""
			p.say("Removed the rollback script.", "")
			return nil
		case "type":
			sql, err = a.typeScript("the rollback script")
		case "file":
			sql, err = a.fileSQL()
		}
		if errors.Is(err, errSQLRefused) {
			p.say("Give the rollback script again.", "")
			continue
		}
		if err != nil {
			return err
		}
		if strings.TrimSpace(sql) == "" {
			p.say("That rollback script is empty.", "")
			continue
		}
		if ps := a.ticketType().CheckRollback(sql, t.Databases()); len(ps) > 0 {
			p.say("This rollback script cannot go on the ticket:")
			for _, pr := range ps {
				p.say("  " + inert.Line(pr.Message))
			}
			p.say("Give the rollback script again.", "")
			continue
		}
		t.RollbackSQL = sql
		p.sayf("Got the rollback script: %s.", wizard.ScriptText(sql, d))
		p.say("")
		return nil
	}
}

// typeSQL reads the SQL typed or pasted (typeScript).
func (a *accessible) typeSQL() (string, error) { return a.typeScript("the SQL") }

// typeScript reads lines until one holds only ";;", or the input ends;
// what names the script in the instructions.
func (a *accessible) typeScript(what string) (string, error) {
	a.p.sayf("Type or paste %s. Finish with a line that holds only two semicolons: ;;", what)
	var b strings.Builder
	over, cut := false, false
	for {
		line, err := a.p.in.readLine()
		if strings.TrimSpace(line) == ";;" {
			break
		}
		cut = cut || a.p.in.cutByTerminal(line)
		if b.Len()+len(line)+1 > dms.MaxSQLBytes {
			over = true
		} else {
			b.WriteString(line)
			b.WriteString("\n")
		}
		if err != nil {
			if b.Len() == 0 {
				return "", errInputEnded
			}
			break
		}
		if a.ctx().Err() != nil {
			return "", a.ctx().Err()
		}
	}
	if over {
		a.p.say("That is more SQL than one ticket holds; give a smaller script or a file.")
		return "", errSQLRefused
	}
	if cut {
		a.p.sayf("A line of %s reached the longest line the terminal hands on, so the terminal may have cut it and dropped the rest: it is not taken. Paste long lines through a file (open a .sql file), or pipe the answers in.", what)
		return "", errSQLRefused
	}
	text, err := wizard.CheckSQLText("The SQL you typed", []byte(b.String()))
	if err != nil {
		a.p.say(err.Error())
		return "", errSQLRefused
	}
	return text, nil
}

// errSQLRefused is typed SQL refused and said so (binary, not UTF-8, too
// long): it is asked for again, without its checks ("write at least one
// statement" of the empty text left).
var errSQLRefused = errors.New("the SQL was refused")

func (a *accessible) fileSQL() (string, error) {
	var text string
	_, err := a.p.ask("Path of the .sql file:", "", func(path string) error {
		t, err := wizard.ReadSQLFile(path)
		if err == nil {
			text = t
		}
		return err
	})
	return text, err
}

// affectedRows measures the ticket's rows with EXPLAIN, on each of its
// databases (wizard.Estimate), and lets the user keep the figure, count
// exactly, type one, or (an export) ignore the check.
func (a *accessible) affectedRows() error {
	p := a.p
	t := a.t
	tt := a.ticketType()
	dbs := t.Databases()
	if tt.IgnoreRows {
		p.say("Affected rows: DMS asks an export for the number of rows it returns.")
	} else if len(dbs) > 1 {
		p.sayf("Affected rows: DMS asks a data change for the number of rows it changes; it is measured on each of the %d databases and summed.", len(dbs))
	} else {
		p.say("Affected rows: DMS asks a data change for the number of rows it changes.")
	}
	method := dms.RowsExplain
	for {
		if method == dms.RowsCount {
			p.say("Counting the rows exactly with SELECT COUNT(*); this can take a while…")
		} else {
			p.say("Estimating the rows with EXPLAIN…")
		}
		est, err := wizard.Estimate(a.ctx(), a.svc, *t, method)
		if a.ctx().Err() != nil {
			return a.ctx().Err()
		}
		p.say(wizard.EstimateLines(est)...)
		if len(est.Databases) > 0 && len(est.Statements) > 1 && err == nil {
			for _, s := range est.Statements {
				p.sayf("Statement %d: %s on all of them.", s.Number, wizard.Rows(s.Rows))
			}
		}
		var opts []option
		var choices []string
		if err == nil {
			where := ""
			if len(est.Databases) > 1 {
				where = fmt.Sprintf(" on the %d databases", len(est.Databases))
			}
			p.sayf("Total: %s%s, %s.", wizard.Rows(est.Total), where, method.Label())
			opts = append(opts, option{label: fmt.Sprintf("Use %s, %s", wizard.Rows(est.Total), method.Label()), aliases: []string{"use", "u"}})
			choices = append(choices, "use")
		} else {
			p.say(capitalize(wizard.MeasureFailedText(err)) + ".")
			p.say(wizard.EstimateErrorText(est, err)...)
			if tt.IgnoreRows {
				p.say("You can type the figure from your own count, or ignore the affected-row check with a reason.")
			} else {
				p.say("You can count the rows exactly, or type the figure from your own count.")
			}
		}
		if method == dms.RowsExplain || err != nil {
			opts = append(opts, option{label: "Count the rows exactly with SELECT COUNT(*)", aliases: []string{"count", "c"}})
			choices = append(choices, "count")
		}
		opts = append(opts, option{label: "Type the figure yourself", aliases: []string{"type", "t"}})
		choices = append(choices, "type")
		if tt.IgnoreRows {
			opts = append(opts, option{label: "Ignore the affected-row check; the details will ask why", aliases: []string{"ignore", "i"}})
			choices = append(choices, "ignore")
		}
		def := 0
		if err == nil {
			def = 1
		}
		i, qerr := p.choose("Which figure goes on the ticket?", opts, def)
		if qerr != nil {
			return qerr
		}
		switch choices[i] {
		case "use":
			t.Rows = est.Figure()
			t.IgnoreAffectRows = false
			return nil
		case "count":
			method = dms.RowsCount
			continue
		case "type":
			t.IgnoreAffectRows = false
			a.rowsTyped = true
			return a.manualRows()
		case "ignore":
			t.IgnoreAffectRows = true
			t.Rows = dms.RowFigure{}
			return nil
		}
	}
}

func (a *accessible) manualRows() error {
	current := ""
	if a.t.Rows.Source == dms.RowsManual {
		current = itoa(a.t.Rows.Total)
	}
	title := "Affected rows: a whole number from your own count"
	if current != "" {
		title += " (enter alone keeps " + current + ")"
	}
	v, err := a.p.ask(title+":", current, func(s string) error { _, err := wizard.ParseRows(s); return err })
	if err != nil {
		return err
	}
	n, _ := wizard.ParseRows(v)
	a.t.Rows = dms.RowFigure{Source: dms.RowsManual, Total: n, At: a.now(), SQLHash: dms.SQLHash(a.t.SQL)}
	return nil
}

// fieldTitle is a details question: the field's title, whether it is
// required, its help, and what enter alone does.
func fieldTitle(f wizard.Field, current string) string {
	s := strings.TrimSuffix(f.Title, "?")
	if f.Required {
		s += " (required)"
	} else {
		s += " (optional)"
	}
	desc := f.Description
	if !f.Required {
		// "(optional)" says it already.
		if rest, ok := strings.CutPrefix(desc, "Optional: "); ok && rest != "" {
			first, n := utf8.DecodeRuneInString(rest)
			desc = string(unicode.ToUpper(first)) + rest[n:]
		}
	}
	if desc != "" {
		s += ". " + strings.TrimSuffix(desc, ".")
	}
	switch {
	case current != "" && f.Required:
		s += ". Enter alone keeps “" + inert.Line(current) + "”"
	case current != "":
		s += ". Enter alone keeps “" + inert.Line(current) + "”; a single - clears it"
	case !f.Required:
		s += ". Enter alone leaves it empty"
	}
	return s + ":"
}

// details asks wizard.Fields one at a time, in their order, through huh's
// accessible runner; a field whose page is hidden (its Hidden says so at
// the time it would be asked) is not asked, as the full-screen form skips
// its page.
func (a *accessible) details() error {
	t := a.t
	tt := a.ticketType()
	d := wizard.NewDetails(tt)
	d.Load(*t)
	d.Figure = func() dms.RowFigure { return t.Rows }
	var hidden func(*wizard.Details) bool
	group := -1
	for _, f := range wizard.Fields(tt, a.opts.User) {
		if f.Group != group {
			group, hidden = f.Group, f.Hidden
		}
		if hidden != nil && hidden(d) || f.Key == "rows" && a.rowsTyped {
			continue // (a figure just typed at the SQL step is not asked twice)
		}
		if err := a.askField(f, d); err != nil {
			return err
		}
	}
	d.Apply(t, a.now())
	return nil
}

// askField asks one details field: the same field the full-screen form
// draws, run by huh's accessible runner.
func (a *accessible) askField(f wizard.Field, d *wizard.Details) error {
	if f.Kind == wizard.Pick {
		v := f.Value(d)
		opts := make([]option, len(f.Options))
		def := 0
		explained := true // each option says what it means
		for i, o := range f.Options {
			opts[i] = option{label: wizard.ChoiceText(f.Key, o), aliases: []string{o, strings.ToLower(o)}}
			if o == *v {
				def = i + 1
			}
			explained = explained && wizard.ChoiceMeaning(f.Key, o) != ""
		}
		if !explained && f.Description != "" {
			a.p.say(f.Description)
		}
		i, err := a.p.choose(f.Title+":", opts, def)
		if err != nil {
			return err
		}
		*v = f.Options[i]
		return nil
	}
	if f.Kind == wizard.YesNo {
		title := f.Title
		if f.Key == "ignore" {
			title += " The ticket carries " + wizard.RowsText(*a.t) + "."
			if a.t.IgnoreAffectRows {
				title = f.Title + " You chose to ignore it."
			}
		}
		v, err := a.p.confirm(title, *f.Choice(d))
		if err != nil {
			return err
		}
		*f.Choice(d) = v
		return nil
	}
	cur := *f.Value(d)
	q := f
	q.Title, q.Description = fieldTitle(f, cur), ""
	validate := f.Validate
	q.Validate = func(s string) error {
		switch s = strings.TrimSpace(s); {
		case !utf8.ValidString(s):
			// Asked again now, not found at the review.
			return fmt.Errorf("this is not UTF-8 text (byte 0x%02X at offset %d): answer again", s[invalidAt(s)], invalidAt(s))
		case s == "" && cur != "":
			return nil // keeps the current value
		case s == "-" && !f.Required:
			return nil // clears it
		case validate == nil:
			return nil
		}
		return validate(s)
	}
	if err := a.p.run(huhField(q, d, false)); err != nil {
		return err
	}
	v := f.Value(d)
	*v = strings.TrimSpace(*v)
	if *v == "-" && !f.Required {
		*v = ""
	}
	return nil
}

// request is the call (CreateOrder, or the type's own) the review shows,
// and its identity.
func (a *accessible) request() (dms.OrderRequest, string) {
	req := wizard.Request(*a.t, a.opts.User)
	return req, wizard.Key(req)
}

// review prints the request and asks whether to submit it; on no, or after a
// failure, it offers to change a step, save a ticket file or quit.
func (a *accessible) review() (done bool, err error) {
	p := a.p
	t := a.t
	tt := a.ticketType()
	for {
		req, key := a.request()
		a.step(wizard.StepReview)
		p.say("The request, exactly as it will be sent:")
		p.say(strings.TrimRight(wizard.ReviewText(*t, req, a.opts.Target()), "\n"))
		p.say("")
		problems := t.Validate()
		switch id, dup := a.created[key]; {
		case len(problems) > 0:
			p.say("Not ready to submit:")
			for _, pr := range problems {
				p.say("  " + inert.Line(pr.String()))
			}
		case dup:
			p.sayf("This exact request already created ticket %d. Change something to file another one.", id)
		default:
			yes, err := p.confirm("Submit this ticket to DMS now?", false)
			if err != nil {
				return true, err
			}
			if yes && a.confirmOnline() {
				created, err := a.submit(req, key)
				if err != nil {
					return true, err
				}
				if created {
					again, err := p.confirm("File another ticket?", false)
					if err != nil {
						return true, err
					}
					return !again, nil
				}
			}
		}
		type action int
		const (
			show action = iota
			editDetails
			editSQL
			editRollback
			editRows
			editDatabase
			save
			quit
		)
		var acts []action
		var opts []option
		add := func(act action, label string, aliases ...string) {
			acts = append(acts, act)
			opts = append(opts, option{label: label, aliases: aliases})
		}
		add(show, "Read the review again", "r", "review")
		if tt.Has(dms.StepDetails) {
			add(editDetails, "Change the details", "d", "details")
		}
		if tt.Has(dms.StepSQL) {
			add(editSQL, "Change the SQL", "sql")
		}
		if tt.Rollback {
			add(editRollback, "Change the rollback script", "rollback")
		}
		if tt.AffectRows {
			add(editRows, "Change the affected-row figure", "rows")
		}
		if tt.MultiDatabase {
			add(editDatabase, "Change the databases", "db", "databases")
		} else if tt.Has(dms.StepDatabase) {
			add(editDatabase, "Choose another database", "db", "database")
		}
		if a.opts.Local && len(problems) == 0 {
			add(save, "Save the request as a ticket file, for dmsticket create --from", "s", "save")
		}
		add(quit, "Quit without submitting", "q", "quit")
		i, err := p.choose("What next?", opts, 1)
		if err != nil {
			return true, err
		}
		switch acts[i] {
		case editDetails:
			a.step(wizard.StepDetails)
			err = a.details()
		case editSQL:
			a.step(wizard.StepSQL)
			if err = a.writeSQL(); err == nil && tt.AffectRows {
				err = a.affectedRows()
			}
		case editRollback:
			a.step(wizard.StepSQL)
			err = a.rollbackScript()
		case editRows:
			err = a.affectedRows()
		case editDatabase:
			a.step(wizard.StepDatabase)
			err = a.changeDatabase()
		case save:
			err = a.save()
		case quit:
			p.say("Nothing was sent to DMS.")
			return true, nil
		}
		if err != nil {
			return true, err
		}
	}
}

// changeDatabase picks another database (or changes a data change's
// databases); SQL written for the old ones is checked again and its rows
// measured again.
func (a *accessible) changeDatabase() error {
	if err := a.chooseTenant(); err != nil {
		return err
	}
	if err := a.chooseDatabase(); err != nil {
		return err
	}
	tt := a.ticketType()
	if !tt.Has(dms.StepSQL) {
		return nil
	}
	if ps := tt.CheckScript(a.t.SQL, a.t.Databases()); len(ps) > 0 {
		a.step(wizard.StepSQL)
		if err := a.writeSQL(); err != nil {
			return err
		}
	}
	if tt.Rollback && len(tt.CheckRollback(a.t.RollbackSQL, a.t.Databases())) > 0 {
		if err := a.rollbackScript(); err != nil { // it says why, and asks again
			return err
		}
	}
	if tt.AffectRows && !a.t.IgnoreAffectRows {
		return a.affectedRows()
	}
	return nil
}

// confirmOnline asks for the schema name of each online database before a
// submit (a name several share, once); it reports whether to go ahead.
func (a *accessible) confirmOnline() bool {
	dbs := a.t.Databases()
	ask := wizard.ToConfirm(dbs)
	if len(ask) > 1 || len(ask) == 1 && len(dbs) > 1 {
		a.p.sayf("This ticket acts on live data in %s. To submit, type the schema name of each.", wizard.OnlineText(dbs))
	}
	for _, d := range ask {
		name := inert.Line(d.SchemaName)
		q := fmt.Sprintf("This is a %s database. To submit, type its schema name, %s (enter alone cancels):", d.Env.Label(), name)
		if len(dbs) > 1 {
			q = fmt.Sprintf("%s is a %s database. Type its schema name, %s (enter alone cancels):", inert.Line(d.Name()), d.Env.Label(), name)
		}
		if both := wizard.SharingText(dbs, d); both != "" {
			q = fmt.Sprintf("%s share the schema name %s: typing it once confirms all of them (enter alone cancels):", both, name)
		}
		v, err := a.p.ask(q, "", nil)
		if err != nil {
			return false
		}
		if v != d.SchemaName && v != name {
			a.p.say("That is not the schema name. Nothing was sent.")
			return false
		}
	}
	return true
}

func (a *accessible) save() error {
	def := defaultTicketPath(a.t.Type, a.now().Format("20060102-150405"))
	path, err := a.p.ask("Save the ticket file as (enter alone uses "+def+"):", def, nil)
	if err != nil {
		return err
	}
	t := *a.t
	t.RelatedUsers = wizard.RelatedUsers(t, a.opts.User)
	if err := dms.WriteTicketFile(path, t); err != nil {
		a.p.say("Not saved: " + inert.Line(err.Error()))
		return nil
	}
	a.p.sayf("Saved %s with mode 0600. Submit it later with: dmsticket create --from %s", inert.Line(path), inert.Line(dms.ShellQuote(path)))
	a.p.say("")
	return nil
}

// submit sends the request once (wizard.Prepare, wizard.Send) and reads
// the result out; a lost answer is looked up (wizard.Resolve) before
// anything else. created is true when a ticket exists.
func (a *accessible) submit(req dms.OrderRequest, key string) (created bool, err error) {
	p := a.p
	a.step(wizard.StepResult)
	p.sayf("Sending %s to DMS. It is sent once.", req.Op())
	a.sendingOp.Store(req.Op())
	a.sending.Store(true)
	res := wizard.Send(a.ctx(), a.svc, wizard.Prepare(a.ctx(), a.svc, req))
	a.sending.Store(false)
	if a.ctx().Err() != nil {
		return false, a.ctx().Err()
	}
	switch res.Outcome {
	case wizard.Created:
		ids := res.TicketIDs()
		a.created[key] = ids[0]
		a.addCreated(ids...)
		p.sayf("Ticket created: %d", ids[0])
		if len(ids) > 1 {
			p.say("Also created: " + idList(ids[1:]))
		}
		return true, a.afterCreated(req, ids[0], res.Created.RequestID)
	case wizard.Refused:
		if dms.KindOf(res.Err) == dms.KindPolicy {
			p.say("This server's policy refused the ticket.")
		} else {
			p.say("DMS did not create the ticket.")
		}
		p.say(wizard.ErrorText(res.Err)...)
		p.say("Nothing was created. You can change the request and submit again.", "")
		return false, nil
	}
	p.sayf("The answer to %s was lost, so the ticket may or may not exist.", req.Op())
	p.say(wizard.ErrorText(res.Err)...)
	for {
		p.sayf("Looking it up before anything is sent again: your tickets created since %s with this comment, each read back and compared…",
			res.Sub.SentAt.Add(-2*time.Minute).Local().Format("15:04:05"))
		res = wizard.Resolve(a.ctx(), a.svc, res)
		if a.ctx().Err() != nil {
			return false, a.ctx().Err()
		}
		l := res.Lookup
		switch res.Outcome {
		case wizard.Found:
			o, _ := l.Found()
			a.created[key] = o.ID
			a.addCreated(o.ID)
			p.sayf("Ticket created: %d (found after the answer was lost)", o.ID)
			p.say("Matched on " + strings.Join(l.Compared, ", ") + ".")
			if s := strings.TrimSpace(o.Status + " " + o.StatusDesc); s != "" {
				p.say("Status: " + inert.Line(s))
			}
			return true, a.afterCreated(req, o.ID, "")
		case wizard.NotFound:
			if until := res.Sub.SentAt.Add(wizard.SendSettles); a.now().Before(until) {
				// The request may still be in DMS's hands: not yet.
				p.sayf("No ticket matches this request yet, but its request may still reach DMS until %s (a read timeout, or a connection cut once it was sent): look it up again then.", until.Local().Format("15:04:05"))
				break
			}
			p.say("No ticket matching this request was created since it was sent (compared: "+strings.Join(l.Compared, ", ")+"): it is safe to send it again.", "")
			return false, nil
		case wizard.LookupFailed:
			p.say(wizard.LookupTrouble(res.LookupErr))
			p.say(wizard.ErrorText(res.LookupErr)...)
		case wizard.Several:
			p.say(wizard.CannotTell(l, "this submission"))
			for _, m := range l.Matches {
				p.sayf("  %d, created %s: %s", m.ID, m.Created.Local().Format("2006-01-02 15:04:05"), inert.Line(wizard.ConsoleLink(a.opts.ConsoleURL, a.opts.Region, req.Tid, m.ID)))
			}
		}
		i, err := p.choose("The ticket may exist; check the DMS console before sending it again.", []option{
			{label: "Look it up again", aliases: []string{"l"}},
			{label: "Back to the review", aliases: []string{"b"}},
		}, 0)
		if err != nil {
			return false, err
		}
		if i != 0 {
			return false, nil
		}
	}
}

func (a *accessible) afterCreated(req dms.OrderRequest, id int64, requestID string) error {
	p := a.p
	if requestID != "" {
		p.say("Request ID: " + inert.Line(requestID))
	}
	p.say("Console: "+inert.Line(wizard.ConsoleLink(a.opts.ConsoleURL, a.opts.Region, req.Tid, id)), "")
	return a.followTicket(req.Tid, id, req.PluginType)
}

// idList is "40000001, 40000002".
func idList(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = itoa(id)
	}
	return strings.Join(parts, ", ")
}

// invalidAt is the offset of the first byte of s that is not UTF-8.
func invalidAt(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return i
			}
		}
	}
	return 0
}
