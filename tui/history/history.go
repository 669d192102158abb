// Package history keeps what a user did with dmsticket before, so that the
// next ticket takes fewer keys: the databases they chose most recently (per
// tenant), the tenant and related users of their last ticket (the defaults
// of the next), and the tickets they filed through dmsticket ("My tickets";
// over SSH the only list that tells one user's tickets from another's, since
// the server's DMS identity is shared).
//
// Text in a history (names, comments) is kept as DMS and the user gave it:
// clean it (dms/inert) before drawing it, as any text from DMS.
//
// A history is one JSON file per user, mode 0600, in the state directory
// beside the draft (per SSH user on the server, named as drafts are, never
// shared between users). Every change is a read-modify-write under a file
// lock, written atomically, so two copies of dmsticket at once keep each
// other's entries; a file that cannot be read is set aside, never trusted
// and never fatal. This package imports no Bubble Tea.
package history

import (
	"slices"
	"sort"
	"strings"
	"time"

	"dmsticket/dms"
)

// Version is the history format this build writes and reads.
const Version = 1

// The caps that keep a history small. A history is a convenience: what
// falls off the end is the oldest.
const (
	// MaxDatabases is how many recent databases are kept per tenant.
	MaxDatabases = 20
	// MaxTenants is how many tenants' recent databases are kept.
	MaxTenants = 20
	// MaxTickets is how many filed tickets are kept, across tenants.
	MaxTickets = 500
)

// History is one user's history as the file holds it.
type History struct {
	Version int `json:"version"`
	// LastTenant is the tenant of the user's last ticket; nil before one.
	LastTenant *dms.Tenant `json:"lastTenant,omitempty"`
	// Tenants are the per-tenant parts, the most recently used first.
	Tenants []TenantHistory `json:"tenants,omitempty"`
	// Tickets are the tickets the user filed through dmsticket, newest
	// first.
	Tickets []Ticket `json:"tickets,omitempty"`
}

// TenantHistory is what the history keeps for one tenant.
type TenantHistory struct {
	Tid int64 `json:"tid"`
	// RelatedUsers are the related users of the user's last ticket in the
	// tenant (DMS user IDs belong to a tenant).
	RelatedUsers []int64 `json:"relatedUsers,omitempty"`
	// Databases are the databases chosen most recently, newest first, one
	// entry per ID and logic flag.
	Databases []Recent `json:"databases,omitempty"`
}

// Recent is a database the user chose, and when. The database is kept as the
// database step draws a row (name, environment, location, type); its
// environment is looked up in DMS again before anything is filed on it.
type Recent struct {
	Database dms.Database `json:"database"`
	At       time.Time    `json:"at"`
}

// Ticket is a ticket the user filed through dmsticket.
type Ticket struct {
	ID      int64  `json:"id"`
	Tid     int64  `json:"tid"`
	Type    string `json:"type"`
	Comment string `json:"comment"`
	// Database is the name of the database the ticket acts on, as the list
	// shows it ("orders_00 and 2 more" for a data change on three); empty
	// for a ticket known only from ListOrders.
	Database string    `json:"database,omitempty"`
	Created  time.Time `json:"created,omitzero"`
}

// Defaults are the defaults of the next ticket: the last ticket's tenant and
// its related users.
type Defaults struct {
	Tenant       dms.Tenant
	RelatedUsers []int64
}

// Defaults are the next ticket's defaults; ok is false before the user's
// first ticket.
func (h History) Defaults() (d Defaults, ok bool) {
	if h.LastTenant == nil {
		return Defaults{}, false
	}
	return Defaults{Tenant: *h.LastTenant, RelatedUsers: h.RelatedUsers(h.LastTenant.ID)}, true
}

// RelatedUsers are the related users of the user's last ticket in tenant
// tid; nil when there is none.
func (h History) RelatedUsers(tid int64) []int64 {
	if th := h.tenant(tid); th != nil {
		return slices.Clone(th.RelatedUsers)
	}
	return nil
}

// Databases are the databases the user chose most recently in tenant tid,
// newest first.
func (h History) Databases(tid int64) []dms.Database {
	th := h.tenant(tid)
	if th == nil {
		return nil
	}
	out := make([]dms.Database, len(th.Databases))
	for i, r := range th.Databases {
		out[i] = r.Database
	}
	return out
}

// IsRecent reports whether d is among the recent databases of tenant tid
// (the row carries the word "recent").
func (h History) IsRecent(tid int64, d dms.Database) bool {
	if th := h.tenant(tid); th != nil {
		for _, r := range th.Databases {
			if sameDatabase(r.Database, d) {
				return true
			}
		}
	}
	return false
}

// TicketsIn are the tickets the user filed in tenant tid, newest first.
func (h History) TicketsIn(tid int64) []Ticket {
	var out []Ticket
	for _, t := range h.Tickets {
		if t.Tid == tid {
			out = append(out, t)
		}
	}
	return out
}

func (h History) tenant(tid int64) *TenantHistory {
	for i := range h.Tenants {
		if h.Tenants[i].Tid == tid {
			return &h.Tenants[i]
		}
	}
	return nil
}

// touchTenant is the tenant's part, moved to the front (created if new).
func (h *History) touchTenant(tid int64) *TenantHistory {
	i := slices.IndexFunc(h.Tenants, func(th TenantHistory) bool { return th.Tid == tid })
	th := TenantHistory{Tid: tid}
	if i >= 0 {
		th = h.Tenants[i]
		h.Tenants = slices.Delete(h.Tenants, i, i+1)
	}
	h.Tenants = slices.Insert(h.Tenants, 0, th)
	return &h.Tenants[0]
}

// AddDatabases puts dbs at the front of tenant tid's recent databases, in
// the order given (the first is then the newest), each once.
func (h *History) AddDatabases(tid int64, at time.Time, dbs ...dms.Database) {
	var add []Recent
	for _, d := range dbs {
		if d.IsZero() || slices.ContainsFunc(add, func(r Recent) bool { return sameDatabase(r.Database, d) }) {
			continue
		}
		add = append(add, Recent{Database: d, At: at})
	}
	if len(add) == 0 {
		return
	}
	th := h.touchTenant(tid)
	kept := add
	for _, r := range th.Databases {
		if !slices.ContainsFunc(add, func(a Recent) bool { return sameDatabase(a.Database, r.Database) }) {
			kept = append(kept, r)
		}
	}
	th.Databases = kept
	h.normalize()
}

// SetDefaults records the tenant and related users of the user's last
// ticket.
func (h *History) SetDefaults(tenant dms.Tenant, related []int64) {
	tenant.Status = ""
	h.LastTenant = &tenant
	th := h.touchTenant(tenant.ID)
	th.RelatedUsers = cleanUsers(related)
	h.normalize()
}

// AddTicket records a filed ticket (once per tenant and ID).
func (h *History) AddTicket(t Ticket) {
	if t.ID <= 0 {
		return
	}
	h.Tickets = slices.DeleteFunc(h.Tickets, func(x Ticket) bool { return x.ID == t.ID && x.Tid == t.Tid })
	h.Tickets = append(h.Tickets, t)
	h.normalize()
}

// normalize puts the history in the order and within the caps the file
// promises, whatever it was read from (a hand-edited file included).
func (h *History) normalize() {
	h.Version = Version
	seenTenant := map[int64]bool{}
	tenants := h.Tenants[:0]
	for _, th := range h.Tenants {
		if seenTenant[th.Tid] {
			continue
		}
		seenTenant[th.Tid] = true
		var dbs []Recent
		for _, r := range th.Databases {
			if r.Database.IsZero() || slices.ContainsFunc(dbs, func(x Recent) bool { return sameDatabase(x.Database, r.Database) }) {
				continue
			}
			dbs = append(dbs, r)
		}
		th.Databases = dbs[:min(len(dbs), MaxDatabases)]
		th.RelatedUsers = cleanUsers(th.RelatedUsers)
		tenants = append(tenants, th)
	}
	h.Tenants = tenants[:min(len(tenants), MaxTenants)]
	if len(h.Tenants) == 0 {
		h.Tenants = nil
	}

	type key struct{ tid, id int64 }
	seen := map[key]bool{}
	// Newest first; a later record of the same ticket replaces an earlier
	// one (AddTicket appends it).
	var tickets []Ticket
	for i := len(h.Tickets) - 1; i >= 0; i-- {
		t := h.Tickets[i]
		k := key{t.Tid, t.ID}
		if t.ID <= 0 || seen[k] {
			continue
		}
		seen[k] = true
		t.Comment = truncateRunes(t.Comment, dms.MaxCommentLen)
		tickets = append(tickets, t)
	}
	sortTickets(tickets)
	h.Tickets = tickets[:min(len(tickets), MaxTickets)]
}

// Merge is "My tickets" in tenant tid: the tickets recorded here and those
// DMS lists (ListOrders as the committer), each once, newest first. Locally
// the list is DMS's, and the records add what it lacks (the database's name,
// a ticket DMS did not list yet); over SSH, where the server's DMS identity
// files for many users, pass no listed orders: the records are the list.
func Merge(recorded []Ticket, listed []dms.Order, tid int64) []Ticket {
	byID := map[int64]int{}
	var out []Ticket
	for _, t := range recorded {
		if t.Tid != tid || t.ID <= 0 {
			continue
		}
		if _, dup := byID[t.ID]; dup {
			continue
		}
		byID[t.ID] = len(out)
		out = append(out, t)
	}
	for _, o := range listed {
		if o.ID <= 0 {
			continue
		}
		if i, ok := byID[o.ID]; ok {
			// DMS's own words and time win over ours.
			if o.Comment != "" {
				out[i].Comment = o.Comment
			}
			if o.PluginType != "" {
				out[i].Type = o.PluginType
			}
			if !o.Created.IsZero() {
				out[i].Created = o.Created
			}
			continue
		}
		byID[o.ID] = len(out)
		out = append(out, Ticket{ID: o.ID, Tid: tid, Type: o.PluginType, Comment: o.Comment, Created: o.Created})
	}
	sortTickets(out)
	return out
}

// sortTickets orders tickets newest first: by creation time, then by ID
// (IDs grow).
func sortTickets(ts []Ticket) {
	sort.SliceStable(ts, func(i, j int) bool {
		if !ts[i].Created.Equal(ts[j].Created) {
			return ts[i].Created.After(ts[j].Created)
		}
		return ts[i].ID > ts[j].ID
	})
}

// sameDatabase is the history's identity of a database: its ID and whether
// it is logical (a physical and a logical database may share an ID).
func sameDatabase(a, b dms.Database) bool { return a.ID == b.ID && a.Logic == b.Logic }

// cleanUsers keeps positive IDs, each once, in order, at most
// dms.MaxRelatedUsers.
func cleanUsers(ids []int64) []int64 {
	var out []int64
	for _, id := range ids {
		if id > 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out[:min(len(out), dms.MaxRelatedUsers)]
}

func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.ToValidUTF8(string(r[:n]), "")
}
