// Package tui is the dmsticket wizard: a Bubble Tea program that walks a ticket
// from type to result (PRODUCT section 5). The same program runs in a local
// terminal (Run) and in SSH sessions (New with a session renderer, hosted by
// tui/server). Steps live one per file; the SQL editor is tui/editor.
package tui

import (
	"context"
	"os"
	"time"

	"github.com/charmbracelet/lipgloss"

	"dmsticket/dms"
	"dmsticket/theme"
	"dmsticket/tui/draft"
	"dmsticket/tui/history"
	"dmsticket/tui/wizard"
)

// Options configure one wizard program.
type Options struct {
	// Service is DMS (or the simulator, or a policy wrapper around either).
	Service dms.Service
	// CredentialsErr, when set, makes the program show the no-credentials
	// screen instead of the wizard.
	CredentialsErr *dms.CredentialsError
	Region         string
	Endpoint       string
	// Credentials says where the client's credentials come from, for the
	// aliyun command (--profile, or the environment keys).
	Credentials dms.CredentialOrigin
	Demo        bool
	// Tenant is --tenant: skip the tenant step and use this one.
	Tenant int64
	// User is the signed-in SSH user and their policy; nil locally.
	User *User
	// Renderer draws everything; nil uses lipgloss's default renderer.
	Renderer *lipgloss.Renderer
	// Mono draws without colour (--no-color, NO_COLOR).
	Mono bool
	// Local enables what only makes sense on the user's own machine: the
	// external editor (ctrl+e), opening files (ctrl+o) and saving ticket
	// files (s). Off over SSH.
	Local bool
	// tty is the terminal Run reads (through termInput), given to the
	// editor it starts.
	tty *os.File
	// ConsoleURL is the template of a ticket's console link; {orderId},
	// {region} and {tid} are replaced. Empty: wizard.DefaultConsoleURL.
	ConsoleURL string
	// Now is the clock (tests); nil: time.Now.
	Now func() time.Time
	// SearchDebounce is how long typing must pause before a database search
	// is sent; zero: 150 ms.
	SearchDebounce time.Duration
	// Drafts keeps the unfinished ticket on disk; nil keeps none.
	Drafts *draft.Store
	// Draft is a draft to offer to resume at start (see LoadDraft), and
	// DraftNotice what happened to one that could not be used.
	Draft       *draft.Draft
	DraftNotice string
	// PollLimit, when set, is waited on before each status read of a
	// followed ticket: the SSH server shares one limit among its sessions,
	// so their DMS calls per second stay bounded.
	PollLimit func(context.Context) error
	// PollEvery, when set, replaces wizard.Poll's pace with a fixed one
	// (tests, and the demo's quick lifecycle).
	PollEvery time.Duration
	// History is the user's history (recent databases, the last ticket's
	// tenant and related users, the tickets filed); nil keeps none.
	History *history.Store
	// Context, when set, ends the following of a ticket (its waits and
	// reads) when it ends: the SSH server's ends with the session.
	Context context.Context
}

// User is a signed-in SSH user and the policy that shapes what they are
// offered (the server enforces it again at submit): wizard.User.
type User = wizard.User

// Target is where and as whom the wizard's requests go, for the aliyun
// command.
func (o Options) Target() dms.Target {
	return dms.Target{Region: o.Region, Endpoint: o.Endpoint, Credentials: o.Credentials}
}

// session is the program context every step shares (sizes, styles, the
// service, the ticket on the heap).
type session struct {
	// widths measures the lines of a frame (Model.View).
	widths lineWidths
	opts   Options
	st     *theme.Styles
	svc    dms.Service
	keys   KeyMap
	ticket *dms.Ticket
	// width and height are the body's size (between header and footer).
	width, height int
	tenants       []dms.Tenant
	tenantsErr    error
	tenantsLoaded bool
	// rows is the affected-row measurement: the SQL step drives it, the
	// other steps read it.
	rows *rowsEstimate
	// statements is how many statements the checked SQL holds.
	statements int
	// sqlVersion is the editor's version of the SQL (what a measurement is
	// about); the root sets it.
	sqlVersion func() uint64
	// created maps a request (its review key) to the ticket it created: one
	// review creates at most one ticket.
	created map[string]int64
	// nav are the changes of step asked for in this Update (nav.go).
	nav []navRequest
	// rev counts changes to what the wizard holds; the draft is written when
	// it moves.
	rev uint64
	// inflight is the submission on its way to DMS, or whose outcome is not
	// known yet; the draft keeps it.
	inflight *dms.Submission
	// dbChecking is set while a resumed draft's database is looked up in
	// DMS: its environment is not known yet, so nothing can be submitted.
	dbChecking bool
	// recordSubmission returns the function that writes the draft, with the
	// submission in flight, before the request is sent (the root sets it).
	recordSubmission func() func() error
	// hist is the user's history as last read (Options.History).
	hist history.History
	// relatedDefaulted says the ticket's related users were defaulted from
	// the history already (once per ticket).
	relatedDefaulted bool
	// recheckDatabases asks the root to look the chosen databases up in
	// DMS (they came from the history file, not from DMS's answer).
	recheckDatabases bool
	// tenantDefaulted says the tenant came from the user's last ticket: the
	// tenant step is not asked again (esc from the database step reaches it).
	tenantDefaulted bool
}

// changed records that the ticket or the wizard's state changed.
func (s *session) changed() { s.rev++ }

func (s *session) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}
