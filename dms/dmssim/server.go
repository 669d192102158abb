package dmssim

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Options configures a Server.
type Options struct {
	// Credentials are the accepted key pairs, each acting as a DMS user of the
	// seed. Empty: DefaultCredential alone.
	Credentials []Credential
	// Seed is the world to answer from. Nil: an empty world, one tenant
	// ("Simulator", Tid 1) with a user for each credential and no databases.
	Seed *Seed
	// ExtraDatabases adds that many generated databases to the first tenant
	// (deterministic; for scale tests).
	ExtraDatabases int
	// Now is the clock for timestamps, nonces and ticket times. Nil: time.Now.
	Now func() time.Time
	// RequestLog is how many of the most recent requests Requests keeps, so
	// that a long-running `dmsticket sim` does not grow without bound. Zero:
	// DefaultRequestLog; negative: every request.
	RequestLog int
	// Engines answer ExecuteScript on real database servers for the seeded
	// databases of their family (OpenEngines); the caller closes them.
	Engines Engines

	// The ticket lifecycle (lifecycle.go). Each delay is measured on the
	// clock Now; zero means its default and a negative one (NoDelay) means
	// at once, so `--precheck-delay 0` is NoDelay here.

	// PrecheckDelay is how long a new ticket's precheck runs (export
	// JobStatus PRE_CHECKING); the ticket then shows PRE_CHECK_SUCCESS for
	// half as long again before WAITING_APPLY_AUDIT, or PRE_CHECK_FAIL. A
	// data change's Status is precheck, then precheck_success or
	// precheckFailed. A schema design has no precheck. Zero:
	// DefaultPrecheckDelay.
	PrecheckDelay time.Duration
	// Approve is who approves submitted tickets: ApproveAuto (the zero
	// value, and --demo) or ApproveManual.
	Approve ApproveMode
	// OfflineApprovalDelay and OnlineApprovalDelay are how long after
	// SubmitOrderApproval auto approval approves a ticket on an offline
	// database (dev, test, sit, uat, pet, stag) or an online one (product,
	// pre). Zero: DefaultOfflineApprovalDelay, DefaultOnlineApprovalDelay.
	OfflineApprovalDelay time.Duration
	OnlineApprovalDelay  time.Duration
	// ExportDelay is how long an export runs after ExecuteDataExport:
	// WAITING_EXPORT for the first half, DOING_EXPORT for the second, then
	// EXPORT_SUCCESS. Zero: DefaultExportDelay.
	ExportDelay time.Duration
	// DataChangeDelay is how long a data change runs after
	// ExecuteDataCorrect (or, with ExecMode AUTO, after its approval):
	// Status waiting and jobStatus PENDING for the first half, processing
	// and RUNNING for the second, then Success and SUCCESS. Zero:
	// DefaultDataChangeDelay.
	DataChangeDelay time.Duration
	// Approver is the approver's key pair: ApproveOrder signed with it may
	// agree to or reject any node of any approval process (the database's
	// owners and DBA may act on their own nodes with their own
	// credentials). It is what manual approval prints. Zero: none with
	// ApproveAuto, DefaultApprover with ApproveManual (whose user the seed
	// must have: the bundled seed's DBA).
	Approver Credential
}

// MaxExtraDatabases bounds Options.ExtraDatabases (sim --databases): each
// costs memory, and 2,000,000,000 asked for 240 GB at once.
const MaxExtraDatabases = 1_000_000

// DefaultApprover is the approver's key pair of manual approval when Options
// names none, acting as Carol Wang (2000004), the DBA of the bundled seed's
// instances. Like DefaultCredential, it protects nothing: give a simulator
// that others can reach an Approver of its own.
var DefaultApprover = Credential{
	AccessKeyID:     "dmssim-approver-key",
	AccessKeySecret: "dmssim-approver-secret",
	UserID:          2000004,
}

// DefaultRequestLog is how many recent requests a Server remembers by default.
const DefaultRequestLog = 100_000

// Server is the simulator: an http.Handler answering DMS's RPC protocol. It is
// safe for concurrent use.
type Server struct {
	// engines answer ExecuteScript for their families' databases.
	engines Engines

	creds  map[string]Credential
	world  *world
	now    func() time.Time
	nonces *nonceCache
	timing timing
	// approver is the approver credential; zero when there is none.
	approver Credential

	mu          sync.Mutex // guards the fields below
	calls       []Call
	dropped     int // calls forgotten from the front of calls
	logSize     int // how many calls to keep; <= 0: all
	orders      []*Order
	ordersByID  map[int64]*Order
	nextOrderID int64
	faults      []*faultState
	// workflows are the tickets by WorkflowInstanceId, downloads by their
	// download token.
	workflows      map[int64]*Order
	downloads      map[string]*Order
	nextWorkflowID int64
	nextJobID      int64
}

// Call is one request the simulator received.
type Call struct {
	// Seq is the request's 1-based position in arrival order.
	Seq    int
	Action string
	// Params are the query and form parameters merged (one value per key,
	// the form's winning, as the signer sees them), Signature removed.
	Params url.Values
	// Status is the HTTP status answered; 0 when the connection was dropped
	// or the client went away without an answer.
	Status int
	// Code is the error code answered (gateway Code or business ErrorCode);
	// empty on success.
	Code      string
	RequestID string
	// UserID is the DMS user the request was authenticated as; 0 when
	// authentication failed.
	UserID int64
	// CredentialsProvider is the x-acs-credentials-provider header: the
	// SDK's name for the source of the key that signed ("default/env",
	// "default/cli_profile/static_ak", …).
	CredentialsProvider string
	// Fault is the injected fault applied to the request, if any.
	Fault FaultKind
	// Time is when the request arrived, by the simulator's clock.
	Time time.Time
}

// maxBody bounds a request body: PluginParam carries at most 4 MiB of SQL,
// which JSON and form encoding can triple.
const maxBody = 16 << 20

// New builds a simulator from its options. It fails when the seed is
// inconsistent or a credential acts as a user the seed does not define.
func New(opts Options) (*Server, error) {
	creds := opts.Credentials
	if len(creds) == 0 {
		creds = []Credential{DefaultCredential}
	}
	approver, explicitApprover := opts.Approver, opts.Approver != (Credential{})
	if !explicitApprover && opts.Approve == ApproveManual {
		approver = DefaultApprover
	}
	seed := opts.Seed
	if seed == nil {
		seed = emptySeed(append(creds[:len(creds):len(creds)], approver))
	}
	if err := seed.Validate(); err != nil {
		return nil, fmt.Errorf("simulator seed: %w", err)
	}
	w := buildWorld(seed)
	s := &Server{
		creds:      map[string]Credential{},
		world:      w,
		now:        opts.Now,
		nonces:     newNonceCache(),
		ordersByID: map[int64]*Order{},
		logSize:    opts.RequestLog,
		engines:    opts.Engines,
		workflows:  map[int64]*Order{},
		downloads:  map[string]*Order{},
		timing: timing{
			precheck: delay(opts.PrecheckDelay, DefaultPrecheckDelay),
			approve:  opts.Approve,
			offline:  delay(opts.OfflineApprovalDelay, DefaultOfflineApprovalDelay),
			online:   delay(opts.OnlineApprovalDelay, DefaultOnlineApprovalDelay),
			export:   delay(opts.ExportDelay, DefaultExportDelay),
			change:   delay(opts.DataChangeDelay, DefaultDataChangeDelay),
		},
		nextWorkflowID: workflowIDStart,
		nextJobID:      jobIDStart,
	}
	switch s.timing.approve {
	case "":
		s.timing.approve = ApproveAuto
	case ApproveAuto, ApproveManual:
	default:
		return nil, fmt.Errorf("simulator: Approve is %q; it is auto or manual", opts.Approve)
	}
	if s.logSize == 0 {
		s.logSize = DefaultRequestLog
	}
	if s.now == nil {
		s.now = time.Now
	}
	for _, c := range creds {
		switch {
		case c.AccessKeyID == "" || c.AccessKeySecret == "":
			return nil, errors.New("simulator credential: AccessKeyID and AccessKeySecret must both be set")
		case w.users[c.UserID] == nil:
			return nil, fmt.Errorf("simulator credential %s acts as DMS user %d, who is not in the seed's users", c.AccessKeyID, c.UserID)
		}
		if _, dup := s.creds[c.AccessKeyID]; dup {
			return nil, fmt.Errorf("simulator credential %s is given twice", c.AccessKeyID)
		}
		s.creds[c.AccessKeyID] = c
	}
	switch {
	case approver == (Credential{}): // auto approval without an approver
	case w.users[approver.UserID] != nil && approver.AccessKeyID != "" && approver.AccessKeySecret != "":
		if _, dup := s.creds[approver.AccessKeyID]; dup {
			return nil, fmt.Errorf("simulator approver credential %s is also one of the Credentials; give the approver a key pair of its own", approver.AccessKeyID)
		}
		s.approver = approver
		s.creds[approver.AccessKeyID] = approver
	case explicitApprover:
		return nil, fmt.Errorf("simulator approver credential %s: it needs an AccessKeyID, an AccessKeySecret and a user of the seed (user %d is not one)", approver.AccessKeyID, approver.UserID)
	case s.timing.approve == ApproveManual:
		return nil, fmt.Errorf("simulator: manual approval needs an approver, and the seed has no user %d for the default one; set Options.Approver", approver.UserID)
	}
	if opts.ExtraDatabases < 0 || opts.ExtraDatabases > MaxExtraDatabases {
		return nil, fmt.Errorf("simulator: %d generated databases; from 0 to %d (a large DMS tenant has tens of thousands)", opts.ExtraDatabases, MaxExtraDatabases)
	}
	w.generate(opts.ExtraDatabases)
	w.index()
	s.nextOrderID = w.orderIDStart
	return s, nil
}

// emptySeed is the world of a Server without a seed.
func emptySeed(creds []Credential) *Seed {
	s := &Seed{Tenants: []SeedTenant{{Tid: 1, Name: "Simulator"}}}
	seen := map[int64]bool{}
	for _, c := range creds {
		if !seen[c.UserID] && c.UserID > 0 {
			seen[c.UserID] = true
			s.Users = append(s.Users, SeedUser{ID: c.UserID, Name: fmt.Sprintf("user%d", c.UserID), Tenants: []int64{1}})
		}
	}
	return s
}

// ServeHTTP implements http.Handler: it reads the parameters, authenticates
// the request, applies any injected fault, runs the operation and answers.
// Paths under /download/ are export files, served without a signature.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, downloadPrefix) {
		s.serveDownload(w, r)
		return
	}
	x := &exchange{s: s, w: w, r: r, requestID: newRequestID()}
	params, perr := readParams(w, r)
	x.params = params
	x.seq = s.record(Call{Action: params.Get("Action"), Params: withoutSignature(params), RequestID: x.requestID, Time: s.now(),
		CredentialsProvider: r.Header.Get("x-acs-credentials-provider")})
	if perr != nil {
		x.reply(nil, perr)
		return
	}
	action := params.Get("Action")
	op, aerr := s.route(r, params)
	if aerr != nil {
		x.reply(nil, aerr)
		return
	}
	cred, aerr := s.authenticate(r.Method, params)
	if aerr != nil {
		x.reply(nil, aerr)
		return
	}
	x.user, x.cred = s.world.users[cred.UserID], cred
	s.update(x.seq, func(c *Call) { c.UserID = cred.UserID })
	if f, ok := s.takeFault(action); ok {
		s.update(x.seq, func(c *Call) { c.Fault = f.Kind })
		if done := x.applyFault(f); done {
			return
		}
	}
	result, err := op(x)
	x.reply(result, err)
}

// route checks the parts of the request that select an operation: method,
// path, Action, Version and Format.
func (s *Server) route(r *http.Request, p url.Values) (operation, *apiError) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return nil, refuse(http.StatusMethodNotAllowed, "UnsupportedHTTPMethod", "Specified HTTP method %s is not supported; use POST (or GET).", r.Method)
	}
	if r.URL.Path != "/" && r.URL.Path != "" {
		return nil, refuse(http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method. (RPC requests go to the path /, not %q.)", r.URL.Path)
	}
	action := p.Get("Action")
	if action == "" {
		return nil, errMissingParameter("Action")
	}
	if v := p.Get("Version"); v == "" {
		return nil, errMissingParameter("Version")
	} else if v != apiVersion {
		return nil, refuse(400, "InvalidVersion", "Specified parameter Version is not valid: %q (dms-enterprise is version %s).", v, apiVersion)
	}
	if f := p.Get("Format"); f != "" && f != "JSON" && f != "json" {
		return nil, refuse(400, "InvalidParameter", "The specified parameter \"Format\" is not valid: %q; the simulator answers JSON only.", f)
	}
	op, ok := operations[action]
	if !ok {
		return nil, errActionNotFound(action)
	}
	return op, nil
}

// readParams merges the query and, for a form body, the form parameters; a
// key present in both takes the form's value, as the SDK's signer does.
func readParams(w http.ResponseWriter, r *http.Request) (url.Values, *apiError) {
	out := url.Values{}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return out, refuse(400, "InvalidParameter", "The query string is not valid URL encoding: %v.", err)
	}
	for k, vs := range q {
		out[k] = []string{vs[len(vs)-1]}
	}
	if r.Body == nil || r.Method != http.MethodPost {
		return out, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return out, refuse(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The request body is larger than %d bytes.", maxBody)
		}
		return out, refuse(400, "InvalidParameter", "The request body could not be read: %v.", err)
	}
	if ct != "application/x-www-form-urlencoded" || len(body) == 0 {
		return out, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return out, refuse(400, "InvalidParameter", "The form body is not valid URL encoding: %v.", err)
	}
	for k, vs := range form {
		out[k] = []string{vs[len(vs)-1]}
	}
	return out, nil
}

func withoutSignature(p url.Values) url.Values {
	out := make(url.Values, len(p))
	for k, vs := range p {
		if k != "Signature" {
			out[k] = append([]string(nil), vs...)
		}
	}
	return out
}

// record appends a call and returns its sequence number. Past the log size,
// the oldest half of the log is forgotten.
func (s *Server) record(c Call) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Seq = s.dropped + len(s.calls) + 1
	if s.logSize > 0 && len(s.calls) >= s.logSize {
		n := max(1, len(s.calls)/2)
		s.calls = append(s.calls[:0:0], s.calls[n:]...)
		s.dropped += n
	}
	s.calls = append(s.calls, c)
	return c.Seq
}

// update changes the call with sequence number seq, if it is still logged.
func (s *Server) update(seq int, f func(*Call)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := seq - 1 - s.dropped; i >= 0 && i < len(s.calls) {
		f(&s.calls[i])
	}
}

// Requests returns the requests received so far, in arrival order: every one
// of them, up to Options.RequestLog.
func (s *Server) Requests() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	for i, c := range s.calls {
		c.Params = withoutSignature(c.Params)
		out[i] = c
	}
	return out
}

// RequestsFor returns the requests received for one action, in arrival order.
func (s *Server) RequestsFor(action string) []Call {
	var out []Call
	for _, c := range s.Requests() {
		if c.Action == action {
			out = append(out, c)
		}
	}
	return out
}
