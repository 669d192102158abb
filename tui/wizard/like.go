package wizard

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"dmsticket/dms"
	"dmsticket/dms/inert"
)

// "File again": a new ticket like one filed before (PRODUCT section 15),
// for the wizard's "My tickets" (f) and create --like.

// Liked is a ticket rebuilt from one in DMS, and what could not be rebuilt.
type Liked struct {
	// Ticket is the new ticket: type, tenant, comment, related users,
	// attachment key, database(s) as DMS describes them now, SQL and the
	// type's own fields. It carries no affected-row figure: the SQL is new
	// to this ticket, so it is measured again.
	Ticket dms.Ticket
	// From is the ticket it was made from, as GetOrderBaseInfo reports it.
	From dms.Order
	// Unread are the parts DMS's answer did not give, in the catalog's
	// order: the front end asks for them (the review shows them missing).
	Unread []Unread
}

// Unread is a part of a ticket that could not be filled from DMS.
type Unread struct {
	// Key is the parameter's key (title, dbId, DbItemList, ExecMode).
	Key string
	// Label is the part in the user's words ("Title", "Database").
	Label string
	// Step is where the wizard asks for it.
	Step Step
	// Why says why, when it is not simply that DMS's answer lacks it
	// (a database DMS no longer has, a value of the wrong type).
	Why string
}

// UnreadText is what could not be filled, in a sentence or two for a
// banner: "Title, description and database were not in DMS's answer: enter
// them." Empty when everything was filled.
func (l Liked) UnreadText() string {
	var absent, other []string
	for _, u := range l.Unread {
		if u.Why == "" {
			absent = append(absent, u.Label)
		} else {
			other = append(other, u.Label+": "+u.Why+".")
		}
	}
	var out []string
	if len(absent) > 0 {
		verb, them := "were", "them"
		if len(absent) == 1 {
			verb, them = "was", "it"
		}
		words := make([]string, len(absent))
		for i, a := range absent {
			words[i] = a
			if i > 0 {
				words[i] = LowerFirst(a)
			}
		}
		out = append(out, fmt.Sprintf("%s %s not in DMS's answer: enter %s.", JoinAnd(words), verb, them))
	}
	return strings.Join(append(out, other...), " ")
}

// OtherTenantError says the ticket is in another of the user's tenants than
// the one asked: switching to it files it again.
type OtherTenantError struct {
	ID     int64
	Asked  dms.Tenant
	Tenant dms.Tenant // where the ticket is
}

// Error implements error.
func (e *OtherTenantError) Error() string {
	return fmt.Sprintf("ticket %d is in the tenant %s, not in %s: switch to that tenant to file it again",
		e.ID, inert.Line(e.Tenant.Label()), inert.Line(e.Asked.Label()))
}

// UnfiledTypeError says the ticket is of a type dmsticket does not file, so
// no ticket like it can be made.
type UnfiledTypeError struct {
	ID         int64
	PluginType string // as DMS reported it, uncleaned
}

// Error implements error.
func (e *UnfiledTypeError) Error() string {
	return fmt.Sprintf("ticket %d is a %s ticket, which dmsticket does not file (it files %s)",
		e.ID, inert.Line(typeName(e.PluginType)), strings.Join(dms.PluginTypes(), ", "))
}

// Like rebuilds, for a new ticket, the ticket id of tenant tid: its type
// (GetOrderBaseInfo's PluginType), comment, related users and attachment
// key, and from the type's detail call its database(s), SQL and own fields
// (an export's reason and its affected-row choice; a data change's
// databases, reason, rollback script and who runs it). Each database is
// looked up again (Service.Database), so its name and environment are DMS's
// now. The affected-row figure is not copied: the SQL is measured again.
//
// What DMS does not report (a schema-design ticket has no detail call: its
// title, description and database) is left empty and listed in Unread. A
// type dmsticket does not file (*UnfiledTypeError), a ticket DMS does not
// find, and a ticket of another of the user's tenants (*OtherTenantError)
// are errors.
func Like(ctx context.Context, svc dms.Service, tid, id int64) (Liked, error) {
	asked := dms.Tenant{ID: tid}
	tenants, terr := svc.Tenants(ctx)
	if terr == nil {
		for _, t := range tenants {
			if t.ID == tid && tid != 0 {
				asked = dms.Tenant{ID: t.ID, Name: t.Name}
			}
		}
	}
	o, err := svc.Order(ctx, tid, id)
	if err != nil {
		return Liked{}, notFound(ctx, svc, asked, tenants, id, err)
	}
	tt, ok := dms.LookupType(o.PluginType)
	if !ok {
		return Liked{}, &UnfiledTypeError{ID: id, PluginType: o.PluginType}
	}
	l := Liked{From: o}
	t := dms.Ticket{
		Type: tt.PluginType, Tenant: asked, Comment: o.Comment,
		RelatedUsers: likeUsers(o.RelatedUsers), AttachmentKey: o.AttachmentKey,
	}

	var detail *dms.TicketDetail
	if tt.Detail != dms.NoDetail {
		d, err := svc.Detail(ctx, tid, id, tt.PluginType)
		switch {
		case errors.Is(err, dms.ErrNoDetail):
		case err != nil:
			return Liked{}, fmt.Errorf("ticket %d's contents (%s) could not be read: %w", id, tt.Detail, err)
		default:
			detail = &d
		}
	}
	t, l.Unread = fillFromDetail(t, tt, detail)

	t, unread, err := lookUpDatabases(ctx, svc, tid, t, tt)
	if err != nil {
		return Liked{}, fmt.Errorf("ticket %d's database could not be looked up: %w", id, err)
	}
	l.Unread = append(l.Unread, unread...)
	l.Ticket = t
	return l, nil
}

// fillFromDetail writes into t every field of the type that the detail
// call reported (through the catalog's ReadBack and Put, the way a ticket
// file is read), and lists the others. The figure is not read back: it is
// measured again; fixed values and the related users (GetOrderBaseInfo's)
// are not the detail call's.
func fillFromDetail(t dms.Ticket, tt dms.TicketType, d *dms.TicketDetail) (dms.Ticket, []Unread) {
	raw := map[string]any{}
	var unread []Unread
	dbUnread := false
	miss := func(f dms.Field, why string) {
		if f.Source == dms.FromDatabase {
			// One database, however many keys name it (dbId, logic).
			if dbUnread {
				return
			}
			dbUnread = true
		}
		unread = append(unread, Unread{Key: f.Key, Label: f.Label, Step: stepFor(f.Source), Why: why})
	}
	for _, f := range tt.Fields {
		switch f.Source {
		case dms.FromEstimate, dms.Fixed, dms.FromRelatedUsers:
			continue
		}
		if f.ReadBack == nil || d == nil {
			miss(f, "")
			continue
		}
		v, reported := f.ReadBack(*d)
		if f.Type == dms.JSONDatabaseList && !reported && d.DatabaseID != 0 {
			// A data change that lists no DatabaseList: its OrderDetail's
			// one database.
			v, reported = []dms.DbItem{{DbId: d.DatabaseID, Logic: d.Logic}}, true
		}
		if !reported || readBackEmpty(f, v) {
			miss(f, "")
			continue
		}
		raw[f.Key] = v
	}
	t, ps := dms.FromPluginParam(t, raw)
	for _, p := range ps {
		if _, given := raw[p.Key]; !given {
			continue // not read: listed already, or the figure
		}
		f, _ := tt.Field(p.Key)
		miss(f, "DMS's answer could not be used ("+p.Message+")")
	}
	return t, unread
}

// readBackEmpty reports whether a value read back is no value: a required text
// DMS left empty, a database ID of 0.
func readBackEmpty(f dms.Field, v any) bool {
	switch x := v.(type) {
	case string:
		return f.Required && strings.TrimSpace(x) == ""
	case int64:
		return f.Source == dms.FromDatabase && x == 0
	case []dms.DbItem:
		return len(x) == 0
	}
	return false
}

// lookUpDatabases replaces the ticket's databases (IDs and logic flags) by
// DMS's descriptions of them now. A database DMS refuses to describe (gone,
// no longer the user's, not allowed by the server's policy) is dropped and
// listed; a failure that says nothing about the database (the network,
// throttling) is an error.
func lookUpDatabases(ctx context.Context, svc dms.Service, tid int64, t dms.Ticket, tt dms.TicketType) (dms.Ticket, []Unread, error) {
	var found []dms.Database
	var unread []Unread
	key, label := "dbId", "Database"
	for _, f := range tt.Fields {
		if f.Source == dms.FromDatabase {
			key, label = f.Key, f.Label
			break
		}
	}
	for _, d := range t.Databases() {
		if d.ID <= 0 {
			continue
		}
		full, err := svc.Database(ctx, tid, d.ID, d.Logic)
		if err != nil {
			switch dms.KindOf(err) {
			case dms.KindRefused, dms.KindPermission, dms.KindPolicy:
				why := fmt.Sprintf("database %d could not be used: %s", d.ID, inert.Line(dmsMessage(err)))
				unread = append(unread, Unread{Key: key, Label: label, Step: StepDatabase, Why: why})
				continue
			}
			return t, nil, err
		}
		found = append(found, full)
	}
	t.Database, t.More = dms.Database{}, nil
	if len(found) > 0 {
		t.Database, t.More = found[0], found[1:]
		if len(t.More) == 0 {
			t.More = nil
		}
	}
	return t, unread, nil
}

// notFound explains a ticket GetOrderBaseInfo did not give: in another of
// the user's tenants (*OtherTenantError), or not found at all. A failure
// that says nothing about the ticket (the network, throttling,
// credentials) is returned as it is.
func notFound(ctx context.Context, svc dms.Service, asked dms.Tenant, tenants []dms.Tenant, id int64, err error) error {
	if dms.KindOf(err) != dms.KindRefused {
		return fmt.Errorf("ticket %d could not be read: %w", id, err)
	}
	for _, t := range tenants {
		if t.ID == asked.ID || t.ID == 0 {
			continue
		}
		if o, oerr := svc.Order(ctx, t.ID, id); oerr == nil && o.ID == id {
			return &OtherTenantError{ID: id, Asked: asked, Tenant: dms.Tenant{ID: t.ID, Name: t.Name}}
		}
	}
	return fmt.Errorf("ticket %d was not found in the tenant %s: %w", id, inert.Line(asked.Label()), err)
}

// stepFor is the wizard step where a value from source is entered.
func stepFor(s dms.Source) Step {
	switch s {
	case dms.FromDatabase:
		return StepDatabase
	case dms.FromSQL, dms.FromRollback:
		return StepSQL
	}
	return StepDetails
}

func dmsMessage(err error) string {
	if e, ok := dms.AsError(err); ok && e.Message != "" {
		return e.Message
	}
	return err.Error()
}

func likeUsers(ids []int64) []int64 {
	var out []int64
	for _, id := range ids {
		if id > 0 {
			out = dms.WithUser(out, id)
		}
	}
	return out
}

func typeName(s string) string {
	if s == "" {
		return "(typeless)"
	}
	return s
}

// JoinAnd joins words as a sentence lists them: "a", "a and b", "a, b and c".
func JoinAnd(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// LowerFirst lower-cases a label's first letter for the middle of a
// sentence, unless its first word is an acronym ("SQL" stays).
func LowerFirst(s string) string {
	word, _, _ := strings.Cut(s, " ")
	if s == "" || len(word) > 1 && strings.ToUpper(word) == word {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
