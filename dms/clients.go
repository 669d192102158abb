package dms

import "sync"

// Clients are the DMS clients of one configuration, one per aliyun CLI
// profile: a server whose users name profiles sends each user's tickets under
// their own identity. Every client has the base configuration's region
// (resolved once: one region for the whole server), endpoint, version,
// timeouts and concurrency; only the identity differs. A base whose
// Credentials are given (the demo's simulator key pair) has one identity,
// which every profile gets.
//
// Clients are safe for concurrent use.
type Clients struct {
	base *Client
	cfg  Config // the base configuration, its region resolved

	mu sync.Mutex
	// checked are the clients whose credentials were found, by profile ("":
	// the base's).
	checked map[string]*Client
}

// NewClients makes the base configuration's client; the others are made on
// first use. Nothing contacts DMS.
func NewClients(base Config) (*Clients, error) {
	c, err := NewClient(base)
	if err != nil {
		return nil, err
	}
	base.Region = c.Region()
	return &Clients{base: c, cfg: base, checked: map[string]*Client{}}, nil
}

// Base is the client of the base configuration's identity (Config.Profile,
// else the SDK's default chain), whether or not its credentials can be
// found: For("") finds out.
func (cs *Clients) Base() *Client { return cs.base }

// For is the client acting as the aliyun CLI profile's identity; "" (and the
// base's own profile) is the base's. The first call for a profile makes the
// client and checks its credentials, and a client whose credentials were
// found is kept: later calls return it at once. No credentials is a
// *CredentialsError, and the next call tries again.
func (cs *Clients) For(profile string) (*Client, error) {
	if profile == cs.cfg.Profile || cs.cfg.Credentials != nil {
		profile = ""
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if c, ok := cs.checked[profile]; ok {
		return c, nil
	}
	c := cs.base
	if profile != "" {
		cfg := cs.cfg
		cfg.Profile = profile
		var err error
		if c, err = NewClient(cfg); err != nil {
			return nil, err
		}
	}
	if err := c.CheckCredentials(); err != nil {
		return nil, err
	}
	cs.checked[profile] = c
	return c, nil
}
