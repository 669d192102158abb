// Package server serves the dmsticket wizard over SSH (PRODUCT section 8):
// `dmsticket serve`. It owns the SSH side only: the host key, the users file
// (who may sign in, by public key, and what they may file), the middlewares
// that admit a session (middleware.go: no command, a terminal, not while
// draining, the person by their key, the session limits, their DMS service,
// their draft) and the handler that runs the wizard in it with its own
// renderer (session.go), the bounds on what a client may ask for
// (connections without a session yet, window sizes, environment, window
// changes, channels, pastes; no commands, no forwarding), the policy
// enforced again on the server at submit, the audit log, and a graceful
// shutdown. The wizard itself is package tui; how to reach DMS is
// wizard.Backend.
package server
