package create

import (
	"context"

	"dmsticket/tui/wizard"
)

// The exit codes of `dmsticket create` (PRODUCT section 9), defined once in
// wizard for every command that runs without the UI.
const (
	ExitOK          = wizard.ExitOK          // created, or dry run done
	ExitRejected    = wizard.ExitRejected    // DMS said no: refused, permission, credentials
	ExitUsage       = wizard.ExitUsage       // usage or validation error: nothing was sent
	ExitRetryable   = wizard.ExitRetryable   // outcome unknown, or a failure worth retrying
	ExitPolicy      = wizard.ExitPolicy      // refused by policy
	ExitInterrupted = wizard.ExitInterrupted // interrupted (SIGINT)
)

// ExitError ends the command with a process exit code (wizard.ExitError):
// by the time it is returned the command has written what happened to
// stderr, so the caller only exits with Code and prints nothing more.
type ExitError = wizard.ExitError

func exit(code int, err error) *ExitError { return wizard.Exit(code, err) }

// codeFor maps a failure to its exit code (wizard.CodeFor).
func codeFor(ctx context.Context, err error) int { return wizard.CodeFor(ctx, err) }
