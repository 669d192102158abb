package wizard

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"dmsticket/dms"
)

// The exit codes of the commands that run without the UI: create (PRODUCT
// section 9) and status, submit, list and download (section 13, which adds
// what a wait ends in).
const (
	ExitOK          = 0   // created, dry run done, or the command did what it was asked
	ExitRejected    = 1   // DMS said no: refused, permission, credentials
	ExitUsage       = 2   // usage or validation error: nothing was sent
	ExitRetryable   = 3   // outcome unknown, or a failure worth retrying
	ExitPolicy      = 4   // refused by policy
	ExitInterrupted = 130 // interrupted (SIGINT)

	// ExitReached: --wait (or status --watch) saw the ticket reach the state
	// it waited for.
	ExitReached = 0
	// ExitTicketEnded: the ticket ended short of it: rejected, failed,
	// closed, or its precheck failed.
	ExitTicketEnded = 1
	// ExitTimedOut: the time-out passed first; the ticket goes on.
	ExitTimedOut = 3
)

// ExitError ends a command with a process exit code. By the time it is
// returned the command has written what happened to stderr, so the caller
// only exits with Code and prints nothing more.
type ExitError struct {
	Code int
	Err  error
}

// Error implements error.
func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *ExitError) Unwrap() error { return e.Err }

// Exit is an *ExitError with the code and the error.
func Exit(code int, err error) *ExitError { return &ExitError{Code: code, Err: err} }

// CodeFor maps a failure to its exit code: interrupted when ctx was
// cancelled, else by what the user can do about it.
func CodeFor(ctx context.Context, err error) int {
	if ctx.Err() != nil {
		return ExitInterrupted
	}
	var ce *dms.CredentialsError
	if errors.As(err, &ce) {
		return ExitRejected
	}
	var re *dms.DatabaseRefError
	if errors.As(err, &re) {
		return ExitUsage
	}
	de, ok := dms.AsError(err)
	if !ok {
		return ExitRejected
	}
	if strings.HasPrefix(de.Code, "Policy.") {
		return ExitPolicy
	}
	switch de.Kind {
	case dms.KindRefused, dms.KindPermission, dms.KindCredentials:
		return ExitRejected
	case dms.KindInvalid:
		return ExitUsage
	}
	return ExitRetryable // throttled, unavailable, transport, outcome unknown
}
