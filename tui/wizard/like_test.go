package wizard_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"dmsticket/dms"
	"dmsticket/dms/dmssim/dmssimtest"
	"dmsticket/tui/wizard"
)

const (
	acme    = int64(3000001) // Acme Retail: the demo user's first tenant
	lab     = int64(3000002) // Acme Analytics Lab: their second
	ordersD = int64(1100023) // orders_dev in Acme Retail
	events0 = int64(1100026) // events_00 (dev)
	events1 = int64(1100027) // events_01 (dev)
	archive = int64(1200004) // orders_archive in the Lab
)

// filed creates t through the real client and returns its request and ID.
func filed(t *testing.T, w *dmssimtest.World, tk dms.Ticket) (dms.OrderRequest, int64) {
	t.Helper()
	req, err := tk.Request()
	if err != nil {
		t.Fatalf("the original ticket: %v", err)
	}
	created, err := w.Client.CreateOrder(context.Background(), req)
	if err != nil {
		t.Fatalf("CreateOrder: %v", err)
	}
	return req, created.OrderIDs[0]
}

func database(t *testing.T, w *dmssimtest.World, tid, id int64) dms.Database {
	t.Helper()
	d, err := w.Client.Database(context.Background(), tid, id, false)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func like(t *testing.T, svc dms.Service, tid, id int64) wizard.Liked {
	t.Helper()
	l, err := wizard.Like(context.Background(), svc, tid, id)
	if err != nil {
		t.Fatalf("Like(%d, %d): %v", tid, id, err)
	}
	return l
}

// simParam is the parameter object the simulator recorded for ticket id,
// decoded.
func simParam(t *testing.T, w *dmssimtest.World, id int64) map[string]any {
	t.Helper()
	for _, o := range w.Server().Orders() {
		if o.OrderID == id {
			var m map[string]any
			if err := json.Unmarshal([]byte(o.PluginParam), &m); err != nil {
				t.Fatalf("the simulator's record of %d: %v", id, err)
			}
			return m
		}
	}
	t.Fatalf("the simulator has no ticket %d", id)
	return nil
}

// asSent is a request's parameter object as the wire carries it, decoded.
func asSent(t *testing.T, r dms.OrderRequest) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(dms.PluginParamJSON(r.Params())), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLikeRebuildsAnExportsRequestButNotItsFigure(t *testing.T) {
	w := dmssimtest.New(t)
	orig := dms.Ticket{
		Type: "DATA_EXPORT", Tenant: dms.Tenant{ID: acme, Name: "Acme Retail"}, Database: database(t, w, acme, ordersD),
		SQL:     "SELECT id, status\nFROM orders\nWHERE status = 'paid';",
		Comment: "paid orders for the monthly report", RelatedUsers: []int64{2000002, 2000003}, AttachmentKey: "upload-key-7",
		Text: map[string]string{"classify": "monthly revenue report"},
		Rows: dms.RowFigure{Source: dms.RowsManual, Total: 1234},
	}
	req, id := filed(t, w, orig)

	l := like(t, w.Client, acme, id)
	got := l.Ticket
	if len(l.Unread) != 0 || l.UnreadText() != "" {
		t.Errorf("unread %+v (%q); an export's detail call reports everything", l.Unread, l.UnreadText())
	}
	if got.Rows.Known() {
		t.Errorf("the figure was copied (%+v): the SQL is new to this ticket and is measured again", got.Rows)
	}
	if !reflect.DeepEqual(got.Database, orig.Database) {
		t.Errorf("database = %+v\nwant DMS's description %+v", got.Database, orig.Database)
	}
	if got.Tenant != orig.Tenant {
		t.Errorf("tenant = %+v; want %+v", got.Tenant, orig.Tenant)
	}
	if l.From.ID != id || l.From.PluginType != "DATA_EXPORT" {
		t.Errorf("From = %+v", l.From)
	}
	// Without a figure the request is not valid yet: it says what to do.
	if _, err := got.Request(); err == nil || !strings.Contains(err.Error(), "affectRows") && !strings.Contains(err.Error(), "Affected rows") {
		t.Errorf("Request without a figure = %v; want the figure asked for", err)
	}

	// With a figure, the request is the original's, byte for byte, and the
	// simulator's record of the first.
	got.Rows = orig.Rows
	again, err := got.Request()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, req) {
		t.Errorf("rebuilt request\n%+v\nwant the original\n%+v", again, req)
	}
	if dms.RequestHash(again) != dms.RequestHash(req) {
		t.Error("the rebuilt request hashes otherwise")
	}
	if sim := simParam(t, w, id); !reflect.DeepEqual(asSent(t, again), sim) {
		t.Errorf("rebuilt PluginParam %v\nthe simulator recorded %v", asSent(t, again), sim)
	}
}

func TestLikeKeepsAnExportsIgnoredCheckAndItsReason(t *testing.T) {
	w := dmssimtest.New(t)
	orig := dms.Ticket{
		Type: "DATA_EXPORT", Tenant: dms.Tenant{ID: acme, Name: "Acme Retail"}, Database: database(t, w, acme, ordersD),
		SQL: "SELECT * FROM refunds", Comment: "all refunds", RelatedUsers: []int64{},
		Text:             map[string]string{"classify": "audit"},
		IgnoreAffectRows: true, IgnoreAffectRowsReason: "the auditors need every row",
	}
	req, id := filed(t, w, orig)
	got := like(t, w.Client, acme, id).Ticket
	if !got.IgnoreAffectRows || got.IgnoreAffectRowsReason != orig.IgnoreAffectRowsReason {
		t.Errorf("ignore = %v %q; want the original's choice and reason", got.IgnoreAffectRows, got.IgnoreAffectRowsReason)
	}
	// With the check ignored, no figure is needed: the request is whole.
	again, err := got.Request()
	if err != nil {
		t.Fatal(err)
	}
	if dms.RequestHash(again) != dms.RequestHash(req) {
		t.Errorf("rebuilt request\n%+v\nwant\n%+v", again, req)
	}
}

func TestLikeOfASchemaDesignSaysWhatDMSDoesNotReport(t *testing.T) {
	w := dmssimtest.New(t)
	orig := dms.Ticket{
		Type: "NDDL", Tenant: dms.Tenant{ID: acme, Name: "Acme Retail"}, Database: database(t, w, acme, ordersD),
		Comment: "index for the nightly job", RelatedUsers: []int64{2000002},
		Text: map[string]string{"title": "add index on orders.created_at", "description": "the nightly job scans orders"},
	}
	req, id := filed(t, w, orig)
	l := like(t, w.Client, acme, id)
	got := l.Ticket
	if got.Type != "NDDL" || got.Comment != orig.Comment || !reflect.DeepEqual(got.RelatedUsers, orig.RelatedUsers) {
		t.Errorf("type, comment, related users = %q %q %v; want the original's", got.Type, got.Comment, got.RelatedUsers)
	}
	var keys []string
	for _, u := range l.Unread {
		keys = append(keys, u.Key+"@"+u.Step.String())
	}
	if want := []string{"title@Details", "description@Details", "dbId@Database"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("unread = %v; want %v", keys, want)
	}
	if txt, want := l.UnreadText(), "Title, description and database were not in DMS's answer: enter them."; txt != want {
		t.Errorf("UnreadText = %q\nwant          %q", txt, want)
	}
	if !got.Database.IsZero() || got.Text["title"] != "" {
		t.Errorf("filled what DMS did not say: %+v", got)
	}
	// Once the user gives them, the request is the original's.
	got.Database = orig.Database
	got.Text = orig.Text
	again, err := got.Request()
	if err != nil {
		t.Fatal(err)
	}
	if dms.RequestHash(again) != dms.RequestHash(req) {
		t.Errorf("rebuilt request\n%+v\nwant\n%+v", again, req)
	}
}

func TestLikeOfAnUnknownTicketSaysItWasNotFound(t *testing.T) {
	w := dmssimtest.New(t)
	_, err := wizard.Like(context.Background(), w.Client, acme, 99999999)
	if err == nil {
		t.Fatal("no error for a ticket that does not exist")
	}
	var other *wizard.OtherTenantError
	if errors.As(err, &other) {
		t.Fatalf("%v: a ticket nowhere is not in another tenant", err)
	}
	if !strings.Contains(err.Error(), "ticket 99999999 was not found in the tenant Acme Retail (3000001)") {
		t.Errorf("error %q does not say which ticket, where", err)
	}
	if dms.KindOf(err) != dms.KindRefused {
		t.Errorf("kind = %v; want DMS's refusal kept", dms.KindOf(err))
	}
}

func TestLikeOfAnotherTenantsTicketNamesItsTenant(t *testing.T) {
	w := dmssimtest.New(t)
	_, id := filed(t, w, dms.Ticket{
		Type: "DATA_EXPORT", Tenant: dms.Tenant{ID: lab}, Database: database(t, w, lab, archive),
		SQL: "SELECT * FROM orders", Comment: "archive", Text: map[string]string{"classify": "research"},
		Rows: dms.RowFigure{Source: dms.RowsManual, Total: 5},
	})
	_, err := wizard.Like(context.Background(), w.Client, acme, id)
	var other *wizard.OtherTenantError
	if !errors.As(err, &other) {
		t.Fatalf("Like = %v; want an *OtherTenantError", err)
	}
	if other.Tenant.ID != lab || other.Asked.ID != acme || other.ID != id {
		t.Errorf("error = %+v", other)
	}
	if !strings.Contains(err.Error(), "in the tenant Acme Analytics Lab (3000002), not in Acme Retail (3000001)") {
		t.Errorf("message %q does not name both tenants", err)
	}
	// In its own tenant it is filed again.
	if got := like(t, w.Client, lab, id).Ticket; got.Tenant.ID != lab || got.Database.ID != archive {
		t.Errorf("in its tenant: %+v", got)
	}
}

// typeService reports every ticket as being of another type.
type typeService struct {
	dms.Service
	pluginType string
}

func (s typeService) Order(ctx context.Context, tid, id int64) (dms.Order, error) {
	o, err := s.Service.Order(ctx, tid, id)
	o.PluginType = s.pluginType
	return o, err
}

func TestLikeOfATypeDmsticketDoesNotFileIsAnError(t *testing.T) {
	w := dmssimtest.New(t)
	_, id := filed(t, w, dms.Ticket{
		Type: "NDDL", Tenant: dms.Tenant{ID: acme}, Database: database(t, w, acme, ordersD),
		Comment: "x", Text: map[string]string{"title": "t"},
	})
	_, err := wizard.Like(context.Background(), typeService{w.Client, "PERM_APPLY\x1b[2J"}, acme, id)
	if err == nil || !strings.Contains(err.Error(), "is a PERM_APPLY ticket, which dmsticket does not file (it files DATA_EXPORT, NDDL, DC_COMMON)") {
		t.Errorf("Like = %v; want the type named (made safe to draw) and the types dmsticket files", err)
	}
}

// goneService answers every database lookup with err.
type goneService struct {
	dms.Service
	err error
}

func (s goneService) Database(context.Context, int64, int64, bool) (dms.Database, error) {
	return dms.Database{}, s.err
}

func TestLikeOfATicketWhoseDatabaseIsGoneAsksForOne(t *testing.T) {
	w := dmssimtest.New(t)
	_, id := filed(t, w, dms.Ticket{
		Type: "DATA_EXPORT", Tenant: dms.Tenant{ID: acme}, Database: database(t, w, acme, ordersD),
		SQL: "SELECT 1 FROM orders", Comment: "x", Text: map[string]string{"classify": "y"},
		Rows: dms.RowFigure{Source: dms.RowsManual, Total: 1},
	})
	gone := &dms.Error{Op: "GetPhysicalDatabase", Kind: dms.KindRefused, Code: "DatabaseNotExist", Message: "no database 1100023"}
	l, err := wizard.Like(context.Background(), goneService{w.Client, gone}, acme, id)
	if err != nil {
		t.Fatal(err)
	}
	if !l.Ticket.Database.IsZero() || len(l.Unread) != 1 || l.Unread[0].Step != wizard.StepDatabase {
		t.Fatalf("ticket %+v, unread %+v; want the database asked for", l.Ticket, l.Unread)
	}
	if txt := l.UnreadText(); txt != "Database: database 1100023 could not be used: no database 1100023." {
		t.Errorf("UnreadText = %q", txt)
	}
	if l.Ticket.SQL == "" || l.Ticket.Text["classify"] != "y" {
		t.Errorf("the rest was not kept: %+v", l.Ticket)
	}

	// A failure that says nothing about the database is an error.
	down := &dms.Error{Op: "GetPhysicalDatabase", Kind: dms.KindThrottled, Code: "Throttling.User"}
	if _, err := wizard.Like(context.Background(), goneService{w.Client, down}, acme, id); dms.KindOf(err) != dms.KindThrottled {
		t.Errorf("Like with DMS throttling = %v; want the throttling returned", err)
	}
}

func TestLikeRebuildsADataChangeOnSeveralDatabases(t *testing.T) {
	w := dmssimtest.New(t)
	orig := dms.Ticket{
		Type: "DC_COMMON", Tenant: dms.Tenant{ID: acme, Name: "Acme Retail"},
		Database: database(t, w, acme, events0), More: []dms.Database{database(t, w, acme, events1)},
		SQL:         "UPDATE events SET processed = 1 WHERE id = 42;",
		RollbackSQL: "UPDATE events SET processed = 0 WHERE id = 42;",
		Comment:     "mark event 42 processed on both shards", RelatedUsers: []int64{2000002},
		Text: map[string]string{"classify": "replay after the outage", "exec-mode": "AUTO"},
		Rows: dms.RowFigure{Source: dms.RowsManual, Total: 2},
	}
	req, err := orig.Request()
	if err != nil {
		t.Fatal(err)
	}
	created, err := w.Client.CreateOrder(context.Background(), req)
	if e, ok := dms.AsError(err); ok && e.Code == "InvalidAction.NotFound" {
		t.Skip("waits for the simulator's CreateDataCorrectOrder and GetDataCorrectOrderDetail (dms/dmssim/datachange.go)")
	}
	if err != nil {
		t.Fatalf("CreateDataCorrectOrder: %v", err)
	}
	id := created.OrderIDs[0]

	l := like(t, w.Client, acme, id)
	got := l.Ticket
	if len(l.Unread) != 0 {
		t.Errorf("unread %+v (%s); a data change's detail call reports everything", l.Unread, l.UnreadText())
	}
	if got.Rows.Known() {
		t.Errorf("the figure was copied (%+v)", got.Rows)
	}
	if !reflect.DeepEqual(got.Databases(), orig.Databases()) {
		t.Errorf("databases = %+v\nwant %+v", got.Databases(), orig.Databases())
	}
	if got.RollbackSQL != orig.RollbackSQL || got.Text["exec-mode"] != "AUTO" || got.Text["classify"] != orig.Text["classify"] {
		t.Errorf("rollback %q, exec mode %q, reason %q; want the original's", got.RollbackSQL, got.Text["exec-mode"], got.Text["classify"])
	}
	got.Rows = orig.Rows
	again, err := got.Request()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, req) {
		t.Errorf("rebuilt request\n%+v\nwant the original\n%+v", again, req)
	}
	if sim := simParam(t, w, id); !reflect.DeepEqual(asSent(t, again), sim) {
		t.Errorf("rebuilt Param %v\nthe simulator recorded %v", asSent(t, again), sim)
	}
}
