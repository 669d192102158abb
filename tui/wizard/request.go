package wizard

import "dmsticket/dms"

// RelatedUsers is the ticket's related users as they are sent: the user's
// DMS user ID added (once, here: the review shows it and the server checks
// it is there).
func RelatedUsers(t dms.Ticket, u *User) []int64 {
	if u != nil && u.DMSUserID != 0 {
		return dms.WithUser(t.RelatedUsers, u.DMSUserID)
	}
	return t.RelatedUsers
}

// Request is the call (CreateOrder, or the type's own) the ticket makes for user u, exactly as
// it is reviewed and sent. It does not validate (Ticket.Validate does).
func Request(t dms.Ticket, u *User) dms.OrderRequest {
	r := dms.OrderRequest{
		Tid: t.Tenant.ID, PluginType: t.Type,
		RelatedUserList: dms.FormatUserIDs(RelatedUsers(t, u)), AttachmentKey: t.AttachmentKey, Comment: t.Comment,
	}
	r.SetParams(t.PluginParam())
	return r
}

// Key is what "this request" is: one review creates at most one ticket.
func Key(req dms.OrderRequest) string { return dms.RequestHash(req) }
