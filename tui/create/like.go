package create

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"dmsticket/dms"
	"dmsticket/dms/inert"
	"dmsticket/dms/sqlscript"
	"dmsticket/tui/wizard"
)

// create --like ID (PRODUCT section 15): a new ticket like one in DMS. The
// ticket is rebuilt by wizard.Like (type, comment, related users,
// attachment key, databases looked up again, SQL and the type's fields from
// its detail call); every other flag given overrides what it filled; what
// DMS did not report must come from a flag. The figure is never copied:
// the SQL is new to this ticket, so it is measured again (EXPLAIN, unless
// --affect-rows says otherwise). From there the run is a ticket built from
// flags: the same checks, confirmation, dry run and submission.

// liking reports whether the run starts from a DMS ticket (--like).
func (r *runner) liking() bool { return r.changed != nil && r.changed("like") }

// parseLikeID reads --like: a ticket ID, a positive whole number.
func parseLikeID(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("--like %q: give the ID of a DMS ticket, a positive whole number (dmsticket list shows yours)", inert.Line(s))
	}
	return n, nil
}

// likeTicket reads the --like ticket in the tenant, checks the flags
// against its type (--type must be it; the flags it does not take are
// refused) and puts the flags given (the ticket flags built) over it. The
// databases of --db replace its own later, as they are looked up. A
// failure has been narrated and is the exit.
func (r *runner) likeTicket(ctx context.Context, tenant dms.Tenant, flags dms.Ticket) (dms.Ticket, error) {
	id, _ := parseLikeID(r.o.like) // checked in checkFlags
	l, err := wizard.Like(ctx, r.be.Service, tenant.ID, id)
	if err != nil {
		return dms.Ticket{}, r.likeError(ctx, id, err)
	}
	tt, _ := l.Ticket.TicketType()
	if r.changed("type") && r.o.typ != tt.PluginType {
		return dms.Ticket{}, usageError(r, []string{fmt.Sprintf("--type %s: ticket %d is a %s ticket (%s), and a ticket filed again keeps its type; drop --type, or file a new ticket without --like",
			inert.Line(r.o.typ), id, tt.PluginType, tt.Title)})
	}
	if !r.changed("type") {
		r.o.typ = tt.PluginType
		if err := usageError(r, append(r.typeProblems(), r.submitProblems()...)); err != nil {
			return dms.Ticket{}, err
		}
	}
	r.liked = &l
	t := r.overlay(l.Ticket, flags)
	t.Tenant = tenant
	return t, nil
}

// likeError says why no ticket could be made like ticket id: in another of
// the user's tenants, or of a type dmsticket does not file (exit 2: nothing
// was sent, and a flag or another ticket fixes it); not found or DMS's
// failure (its code: 1 for a refusal, 3 to retry).
func (r *runner) likeError(ctx context.Context, id int64, err error) error {
	var other *wizard.OtherTenantError
	var unfiled *wizard.UnfiledTypeError
	switch {
	case codeFor(ctx, err) == ExitInterrupted:
		r.say("dmsticket create: interrupted. Nothing was sent that creates a ticket.")
		return exit(ExitInterrupted, err)
	case errors.As(err, &other):
		r.say("dmsticket create: ticket %d is in the tenant %s, not in %s: pass --tenant %d to file it again there.",
			id, inert.Line(other.Tenant.Label()), inert.Line(other.Asked.Label()), other.Tenant.ID)
		r.say("Nothing was sent to DMS.")
		return exit(ExitUsage, err)
	case errors.As(err, &unfiled):
		r.say("dmsticket create: %s.", unfiled.Error())
		r.say("Nothing was sent to DMS.")
		return exit(ExitUsage, err)
	}
	head := err.Error()
	de, isDMS := dms.AsError(err)
	if isDMS {
		head = strings.TrimSuffix(head, ": "+de.Error())
	}
	r.say("dmsticket create: %s.", inert.Line(head))
	if isDMS {
		r.sayError(err)
		if de.Op == "GetOrderBaseInfo" && de.Kind == dms.KindRefused {
			r.say("Check the ticket ID (dmsticket list shows yours) and the tenant (--tenant). Nothing was sent that creates a ticket.")
		}
	}
	return exit(codeFor(ctx, err), err)
}

// overlay puts the flags given over the liked ticket t: each flag replaces
// what it sets (an empty --related-users or --attachment-key removes
// them; an empty rollback script removes the script). --affect-rows turns
// an export's ignored check back on; --ignore-affect-rows skips it.
func (r *runner) overlay(t, f dms.Ticket) dms.Ticket {
	set := r.changed
	tt, _ := t.TicketType()
	if set("comment") {
		t.Comment = f.Comment
	}
	if set("related-users") {
		t.RelatedUsers = f.RelatedUsers
	}
	if set("attachment-key") {
		t.AttachmentKey = f.AttachmentKey
	}
	if set("sql") || set("sql-file") {
		t.SQL = f.SQL
	}
	if set("rollback-sql") || set("rollback-sql-file") {
		t.RollbackSQL = f.RollbackSQL
		if strings.TrimSpace(t.RollbackSQL) == "" {
			t.RollbackSQL = ""
		}
	}
	for _, in := range tt.Inputs {
		if set(in.ID) {
			v := f.Text[in.ID]
			if c, err := choice(in, v); err == nil && len(in.Choices) > 0 {
				v = c
			}
			t.SetText(in.ID, v)
		}
	}
	switch {
	case set("ignore-affect-rows"):
		t.IgnoreAffectRows, t.IgnoreAffectRowsReason = true, f.IgnoreAffectRowsReason
	case set("affect-rows"):
		t.IgnoreAffectRows, t.IgnoreAffectRowsReason = false, ""
		t.Rows = f.Rows
		if t.Rows.Source == dms.RowsManual {
			t.Rows.SQLHash = dms.SQLHash(t.SQL)
		}
	}
	return t
}

// likeMethod is how a liked ticket's rows are measured when --affect-rows
// does not say: EXPLAIN, unless the type has no figure or its check is
// ignored.
func likeMethod(t dms.Ticket) dms.RowSource {
	if tt, _ := t.TicketType(); !tt.AffectRows || t.IgnoreAffectRows {
		return ""
	}
	return dms.RowsExplain
}

// sayLiked narrates which ticket the new one was filled from and what was
// filled, what the flags changed and what they gave that DMS did not.
func (r *runner) sayLiked(t dms.Ticket, method dms.RowSource) {
	l := r.liked
	set := r.changed
	from := l.Ticket
	tt, _ := from.TicketType()
	d := from.Database.Dialect()
	var parts []string
	if dbs := from.Databases(); len(dbs) > 0 && !set("db") {
		names := make([]string, len(dbs))
		for i, db := range dbs {
			names[i] = inert.Line(db.Name())
		}
		if len(names) == 1 {
			parts = append(parts, "database "+names[0])
		} else {
			parts = append(parts, "databases "+wizard.JoinAnd(names))
		}
	}
	if from.SQL != "" && !set("sql") && !set("sql-file") {
		parts = append(parts, "SQL ("+wizard.Count(len(sqlscript.Statements(from.SQL, d)), "statement")+")")
	}
	if from.RollbackSQL != "" && !set("rollback-sql") && !set("rollback-sql-file") {
		parts = append(parts, "rollback SQL ("+wizard.Count(len(sqlscript.Statements(from.RollbackSQL, d)), "statement")+")")
	}
	if from.Comment != "" && !set("comment") {
		parts = append(parts, "comment")
	}
	if len(from.RelatedUsers) > 0 && !set("related-users") {
		parts = append(parts, "related users "+strings.ReplaceAll(dms.FormatUserIDs(from.RelatedUsers), ",", ", "))
	}
	if from.AttachmentKey != "" && !set("attachment-key") {
		parts = append(parts, "attachment key")
	}
	for _, in := range tt.Inputs {
		if v := from.Text[in.ID]; v != "" && !set(in.ID) {
			if len(in.Choices) > 0 {
				parts = append(parts, in.ID+" "+inert.Line(v))
			} else {
				parts = append(parts, in.ID)
			}
		}
	}
	filled := "its type only"
	if len(parts) > 0 {
		filled = strings.Join(parts, ", ")
	}
	var rows string
	switch {
	case !tt.AffectRows:
	case t.IgnoreAffectRows && set("ignore-affect-rows"):
		rows = "; the affected-row check is skipped (--ignore-affect-rows)"
	case t.IgnoreAffectRows:
		rows = fmt.Sprintf("; the affected-row check stays ignored, as on ticket %d (reason: %s)", l.From.ID, inert.Line(t.IgnoreAffectRowsReason))
	case method == dms.RowsCount:
		rows = "; the rows are counted again (COUNT)"
	case method != "":
		rows = "; the rows are measured again (EXPLAIN)"
	case t.Rows.Source == dms.RowsManual:
		rows = "; the affected-row figure is the one given (--affect-rows " + strconv.FormatInt(t.Rows.Total, 10) + ")"
	}
	r.say("Filled from ticket %d (%s): %s%s.", l.From.ID, tt.Title, filled, rows)

	gave := map[string]bool{} // flags that gave what DMS did not
	var unread []string
	for _, u := range l.Unread {
		if f := r.supplier(u); f != "" {
			gave[f] = true
			unread = append(unread, wizard.LowerFirst(u.Label)+" ("+f+")")
		}
	}
	var changed []string
	for _, name := range append(append([]string{}, contentFlags...), inputIDs()...) {
		switch name {
		case "type", "affect-rows", "ignore-affect-rows":
			continue // the type is the ticket's; the figure is said above
		}
		if set(name) && !gave["--"+name] {
			changed = append(changed, "--"+name)
		}
	}
	if len(changed) > 0 {
		r.say("Changed by the flags: %s.", strings.Join(changed, ", "))
	}
	if len(unread) > 0 {
		r.say("Not in DMS's answer, given by the flags: %s.", strings.Join(unread, ", "))
	}
	if set("db") {
		return // resolveDatabases says which
	}
	r.sayDatabases(t.Databases())
}

// supplier is the flag given that supplies an unread part ("--title"), or
// "" when none does.
func (r *runner) supplier(u wizard.Unread) string {
	for _, f := range strings.Split(flagFor(u.Key), "/") {
		if f != "" && r.changed(strings.TrimPrefix(f, "--")) {
			return f
		}
	}
	return ""
}

// unreadProblems are the parts DMS did not report that no flag gives, each
// naming the flag to pass, and the keys they cover (Validate's own
// problems for them say less).
func (r *runner) unreadProblems(tt dms.TicketType) (dms.Problems, map[string]bool) {
	var ps dms.Problems
	keys := map[string]bool{}
	if r.liked == nil {
		return nil, keys
	}
	for _, u := range r.liked.Unread {
		if r.supplier(u) != "" {
			continue
		}
		flag := flagFor(u.Key)
		hint := strings.ReplaceAll(flag, "/", " or ")
		switch {
		case flag == "--db":
			hint = "--db with its ID or its search name, schema@host:port"
			keys["dbId"], keys["logic"], keys["DbItemList"] = true, true, true
		case flag == "":
			hint = "it in a ticket file (--from)"
		default:
			if f, ok := tt.Field(u.Key); ok && !f.Required && f.RequiredWhen == nil {
				hint = fmt.Sprintf("%s (%s \"\" for none)", flag, flag)
			}
		}
		keys[u.Key] = true
		msg := fmt.Sprintf("was not in DMS's answer about ticket %d: give %s", r.liked.From.ID, hint)
		if u.Why != "" {
			msg = u.Why + "; give " + hint
		}
		ps = append(ps, dms.Problem{Field: u.Label, Key: u.Key, Message: msg})
	}
	return ps, keys
}

// withoutKeys drops the problems of keys.
func withoutKeys(ps dms.Problems, keys map[string]bool) dms.Problems {
	var out dms.Problems
	for _, p := range ps {
		if !keys[p.Key] {
			out = append(out, p)
		}
	}
	return out
}
