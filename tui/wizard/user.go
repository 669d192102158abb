package wizard

import (
	"slices"

	"dmsticket/dms"
)

// User is a person signed in to a served wizard and the policy that shapes
// what they may file: the users file's entry as the wizard, the server's
// policy and the audit read it. A nil *User is the local user, who may file
// anything.
type User struct {
	// Name is shown in the header, the log and the audit log.
	Name string
	// DMSUserID is added to every ticket's related users; zero: none.
	DMSUserID int64
	// Profile is the aliyun CLI profile whose identity files the user's
	// tickets; empty: the server's default identity.
	Profile string
	// TicketTypes are the PluginTypes the user may file; empty: all.
	TicketTypes []string
	// Envs are the environments the user may file against; empty: all.
	Envs []dms.Env
}

// AllowsType reports whether the user may file a ticket of the type.
func (u *User) AllowsType(pluginType string) bool {
	return u == nil || len(u.TicketTypes) == 0 || slices.Contains(u.TicketTypes, pluginType)
}

// AllowsEnv reports whether the user may file tickets against databases in env.
func (u *User) AllowsEnv(env dms.Env) bool {
	return u == nil || len(u.Envs) == 0 || slices.Contains(u.Envs, env)
}

// Types is the catalog as the user may file it, in the catalog's order.
func (u *User) Types() []dms.TicketType {
	var out []dms.TicketType
	for _, tt := range dms.Catalog() {
		if u.AllowsType(tt.PluginType) {
			out = append(out, tt)
		}
	}
	return out
}
