package wizard

import (
	"fmt"

	"dmsticket/dms"
)

// Backend is how to reach DMS as the global flags say (--region, --profile,
// --endpoint, --demo): main builds it once per run, and every front end
// takes it (the local wizard, the accessible prompts, create and serve).
type Backend struct {
	// Service is DMS as the flags' identity: --profile, else the SDK's
	// default chain; for --demo, the embedded simulator.
	Service dms.Service
	// Client is Service when it is the SDK's client (always, but in tests);
	// nil otherwise.
	Client *dms.Client
	// Region and Endpoint are where the requests go, resolved (the header,
	// the aliyun command, the console link's {region}).
	Region, Endpoint string
	// Credentials says where Service's credentials come from, for the
	// aliyun command (its --profile).
	Credentials dms.CredentialOrigin
	// CredentialsErr is set when no credentials were found: the wizard
	// shows it, create explains it and exits 1, serve does not start.
	CredentialsErr *dms.CredentialsError
	// Demo marks the simulator: the wizard says so, drafts are kept apart.
	Demo bool
	// ConsoleURL is the template of a ticket's console link
	// (DMSTICKET_CONSOLE_URL; {orderId}, {region} and {tid} are replaced);
	// empty: DefaultConsoleURL.
	ConsoleURL string
	// AsProfile is the service acting as an aliyun CLI profile's identity
	// ("": Service's), for a server whose users name profiles; nil: none
	// but Service's (see For). It is called for every session: it keeps
	// what it makes (dms.Clients does).
	AsProfile func(profile string) (dms.Service, error)
	// Close releases what was started (the demo's simulator); nil: nothing.
	Close func()
}

// For is the service acting as an aliyun CLI profile's identity: AsProfile's,
// or without it Service for "" and an error for any other profile.
func (b Backend) For(profile string) (dms.Service, error) {
	if b.AsProfile != nil {
		return b.AsProfile(profile)
	}
	if profile != "" {
		return nil, fmt.Errorf("no DMS identity for the aliyun CLI profile %q: only the default one is set up", profile)
	}
	return b.Service, nil
}

// Target is where and as whom Service sends requests, for the aliyun
// command.
func (b Backend) Target() dms.Target {
	return dms.Target{Region: b.Region, Endpoint: b.Endpoint, Credentials: b.Credentials}
}

// Release calls Close, if there is one.
func (b Backend) Release() {
	if b.Close != nil {
		b.Close()
	}
}
