// Package tickets is the commands that follow a ticket after CreateOrder
// (PRODUCT section 13), without any UI: `dmsticket status`, `submit`, `list`
// and `download`, and Follow, the wait that `create --submit --wait` shares
// with them. They read the ticket through dms.Watcher and pace the reads
// with wizard.Poll, the same lifecycle core as the result screen.
//
// As create does, they keep gum's hygiene: data on stdout (the status as
// text or JSON, the list, the downloaded file's path), narration and errors
// on stderr, every piece of text from DMS cleaned for the terminal
// (dms/inert), and an exit code that says what happened (wizard's codes):
//
//	0   done: the status was read, or what --wait (or status --watch)
//	    waited for was reached, or the file was saved
//	1   rejected by DMS (refused, permission, credentials, an unknown
//	    ticket), or the ticket ended short of what was waited for:
//	    rejected, failed, closed, its precheck failed
//	2   usage or validation error; nothing was sent
//	3   the time-out passed first, or a failure worth retrying (throttled,
//	    DMS unavailable, the network, an answer lost)
//	130 interrupted
//
// Every command returns an *wizard.ExitError carrying the code; everything
// the user needs to read has been written to stderr by then.
//
// A write is sent once. SubmitOrderApproval, ExecuteDataExport and
// ExecuteDataCorrect are never retried blindly: after a failure or a lost
// answer the ticket's state is read first, and only a state that says the
// write did not happen lets it be sent again (at most three times; a
// throttled write, which DMS's gateway refused, is sent again after the
// wait).
package tickets
