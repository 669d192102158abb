// Package server serves the dmsticket wizard over SSH (PRODUCT section 8):
// `dmsticket serve`. It owns the SSH side only: the host key, the users file
// (who may sign in, by public key, and what they may file), the per-session
// wizard with its own renderer, the session limits, the bounds on what a
// client may ask for (connections not signed in yet, window sizes, environment,
// window changes, channels; no commands, no forwarding), the policy enforced
// again on the server at submit, the audit log, and a graceful shutdown. The
// wizard itself is package tui.
package server
