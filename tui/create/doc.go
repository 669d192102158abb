// Package create is `dmsticket create`: one ticket built from flags, read
// from a ticket file, or filled from a ticket in DMS (--like ID, PRODUCT
// section 15) with the flags over it, validated as strictly as the wizard
// validates it, and submitted without any UI (PRODUCT section 9). It is for scripts and CI
// jobs, so it keeps gum's hygiene: data on stdout (the ticket ID, the JSON
// result, or with --dry-run the request), narration and errors on stderr,
// and an exit code that says what happened:
//
//	0   created, or dry run done
//	1   rejected by DMS (refused, no permission, no or bad credentials)
//	2   usage or validation error; nothing was sent (with --like: the
//	    ticket is in another of the user's tenants, is of a type dmsticket
//	    does not file, or lacks a part DMS does not report and no flag gives)
//	3   outcome unknown, or a failure worth retrying (throttled, DMS
//	    unavailable, network)
//	4   refused by policy (an online database without --yes and no terminal
//	    to confirm in; a server's Policy.* refusal)
//	130 interrupted
//
// The command returns an *ExitError carrying the code; everything the user
// needs to read has been written to stderr by then.
package create
