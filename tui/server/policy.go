package server

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/log"
	gossh "golang.org/x/crypto/ssh"

	"dmsticket/dms"
)

// PolicyRefused is the error code of a request the users file does not allow.
const PolicyRefused = dms.PolicyRefusedCode

// maxFilteredPages bounds the extra search pages read to find databases the
// user may see when whole pages hold none.
const maxFilteredPages = 10

// caller is who a session's requests come from, for the audit log and the
// server's log.
type caller struct {
	// User is the users-file name the key had when the session started
	// (an audit record names it when the key is gone from the file since).
	User        string
	Login       string // the login name typed; proves nothing
	Fingerprint string // SHA256:… of the key that signed in
	RemoteAddr  string
	Session     string
}

// policyService is the dms.Service a session's wizard talks to. It enforces
// the user's policy on the server, whatever the UI offered: searches list
// only databases in the user's environments; estimates, lookups and tickets
// for other databases, and tickets of other types, are refused with a
// *dms.Error (KindPolicy, code Policy.Refused), and so is a ticket whose
// RelatedUserList leaves out the user's DMS user ID (the wizard adds it:
// wizard.Request). It writes the audit record of every CreateOrder attempt
// before returning its result.
//
// The policy is the one in the users file now (re-read on SIGHUP), found by
// the session's key: a key removed since the session started can no longer
// submit.
type policyService struct {
	dms.Service
	// user looks the session's user up in the current users file.
	user     func() (*User, bool)
	who      caller
	audit    *AuditLog
	log      *log.Logger
	inflight *sync.WaitGroup
	now      func() time.Time
	// estimates paces the user's row estimates (estimates.go).
	estimates *estimateLimits
}

// newPolicy wraps svc in the policy of the user the key belongs to, as the
// users file in force says at each call.
func (s *Server) newPolicy(svc dms.Service, key gossh.PublicKey, who caller, logger *log.Logger) *policyService {
	return &policyService{
		Service:   svc,
		user:      func() (*User, bool) { return s.users.Load().Lookup(key) },
		who:       who,
		audit:     s.audit,
		log:       logger,
		inflight:  &s.inflight,
		now:       time.Now,
		estimates: &s.estimates,
	}
}

// CredentialOrigin is where the credentials of the service the policy
// wraps come from (the user's profile, or the server's own), so the aliyun
// command the review shows names the same identity.
func (p *policyService) CredentialOrigin() dms.CredentialOrigin { return credentialOrigin(p.Service) }

// credentialOrigin is where the session's DMS identity takes its
// credentials from (the user's profile, or the server's own), so the aliyun
// command the review shows names the same identity.
func credentialOrigin(svc dms.Service) dms.CredentialOrigin {
	if c, ok := svc.(interface{ CredentialOrigin() dms.CredentialOrigin }); ok {
		return c.CredentialOrigin()
	}
	return dms.CredentialOrigin{}
}

// refusal is the error of a request this server's users file does not
// allow: KindPolicy, so the user is told the server said no, not DMS.
func refusal(op, format string, args ...any) *dms.Error {
	return &dms.Error{Op: op, Kind: dms.KindPolicy, Code: PolicyRefused, Message: fmt.Sprintf(format, args...)}
}

// current is the session's user as the users file says now.
func (p *policyService) current(op string) (*User, error) {
	u, ok := p.user()
	if !ok {
		return nil, refusal(op, "your SSH key is no longer in this server's users file; ask the team that runs it")
	}
	return u, nil
}

// SearchDatabases runs the search and drops databases outside the user's
// environments. A page that loses every row is followed by the next ones
// (up to maxFilteredPages), so the wizard keeps paging.
func (p *policyService) SearchDatabases(ctx context.Context, q dms.SearchQuery) (dms.DatabasePage, error) {
	u, err := p.current("SearchDatabase")
	if err != nil {
		return dms.DatabasePage{}, err
	}
	if len(u.Envs) == 0 {
		return p.Service.SearchDatabases(ctx, q)
	}
	if q.Env != "" && !u.AllowsEnv(q.Env) {
		return dms.DatabasePage{Page: max(1, q.Page), PageSize: q.PageSize}, nil
	}
	if q.Env == "" && len(u.Envs) == 1 {
		q.Env = u.Envs[0] // DMS filters, and the totals are right
	}
	for i := 0; ; i++ {
		page, err := p.Service.SearchDatabases(ctx, q)
		if err != nil {
			return page, err
		}
		n := len(page.Databases)
		kept := make([]dms.Database, 0, n)
		for _, db := range page.Databases {
			if u.AllowsEnv(db.Env) {
				kept = append(kept, db)
			}
		}
		page.Databases = kept
		if len(kept) > 0 || n == 0 || !page.More() || i+1 >= maxFilteredPages {
			return page, nil
		}
		q.Page = page.Page + 1
	}
}

// Database looks a database up, refusing one outside the user's environments.
func (p *policyService) Database(ctx context.Context, tid, id int64, logic bool) (dms.Database, error) {
	u, err := p.current("GetDatabase")
	if err != nil {
		return dms.Database{}, err
	}
	db, err := p.Service.Database(ctx, tid, id, logic)
	if err != nil {
		return db, err
	}
	if !u.AllowsEnv(db.Env) {
		return dms.Database{}, envRefusal("GetDatabase", u, db)
	}
	return db, nil
}

// Estimate runs EXPLAIN or COUNT only on databases in the user's
// environments (the environment is DMS's, not the one the request claims),
// at the user's pace (estimates.go).
func (p *policyService) Estimate(ctx context.Context, req dms.EstimateRequest) (dms.RowEstimate, error) {
	u, err := p.current("ExecuteScript")
	if err != nil {
		return dms.RowEstimate{}, err
	}
	if err := p.estimates.wait(ctx, u.Name); err != nil {
		return dms.RowEstimate{}, err
	}
	if len(u.Envs) > 0 {
		db, err := p.Service.Database(ctx, req.Tid, req.Database.ID, req.Database.Logic)
		if err != nil {
			return dms.RowEstimate{}, err
		}
		if !u.AllowsEnv(db.Env) {
			return dms.RowEstimate{}, envRefusal("ExecuteScript", u, db)
		}
	}
	return p.Service.Estimate(ctx, req)
}

func envRefusal(op string, u *User, db dms.Database) *dms.Error {
	envs := make([]string, len(u.Envs))
	for i, e := range u.Envs {
		envs[i] = string(e)
	}
	return refusal(op, "%s may file tickets for %s databases only; database %d is %s. Ask the team that runs this server to change the users file.",
		u.Name, strings.Join(envs, ", "), db.ID, db.Env.Label())
}

// CreateOrder checks the request against the user's policy (the type, the
// database's environment, the user's DMS user ID among the related users),
// sends it, and writes the audit record before returning.
func (p *policyService) CreateOrder(ctx context.Context, req dms.OrderRequest) (dms.Created, error) {
	p.inflight.Add(1)
	defer p.inflight.Done()
	start := p.now()
	rec := AuditRecord{
		SSHUser: p.who.User, Login: p.who.Login, KeyFingerprint: p.who.Fingerprint, RemoteAddr: p.who.RemoteAddr, Session: p.who.Session,
		Tenant: req.Tid, TicketType: req.PluginType,
	}
	dbs := req.Databases()
	for i, d := range dbs {
		if i == 0 {
			rec.DatabaseID, rec.Logic = d.DbId, d.Logic
		} else {
			rec.MoreDatabases = append(rec.MoreDatabases, d.DbId)
		}
	}
	if sql, ok := req.SQL(); ok {
		rec.SQLLength, rec.SQLSHA256 = len(sql), dms.SQLHash(sql)
	}
	created, err := p.createOrder(ctx, req, &rec)
	if err == nil {
		rec.RequestID = created.RequestID
		if len(created.OrderIDs) > 0 {
			rec.TicketID = created.OrderIDs[0]
		}
	}
	p.record(&rec, start, err, OutcomeCreated)
	level := log.InfoLevel
	if rec.Outcome != OutcomeCreated {
		level = log.WarnLevel
	}
	p.log.Log(level, "submission", "type", rec.TicketType, "db", rec.DatabaseID, "env", rec.Environment,
		"outcome", rec.Outcome, "ticket", rec.TicketID, "code", rec.ErrorCode)
	return created, err
}

// record completes an audit record with how the attempt that began at
// start ended (err; done is the outcome when it succeeded), and writes it.
func (p *policyService) record(rec *AuditRecord, start time.Time, err error, done string) {
	rec.Time = p.now().UTC()
	rec.DurationMS = p.now().Sub(start).Milliseconds()
	rec.Outcome = outcome(err)
	if err == nil {
		rec.Outcome = done
	}
	if e, ok := dms.AsError(err); ok {
		rec.ErrorCode, rec.RequestID = e.Code, e.RequestID
		if e.Code == PolicyRefused {
			rec.Reason = e.Message
		}
	}
	if rec.ErrorCode == "" && err != nil {
		rec.ErrorCode = dms.KindOf(err).Code()
	}
	if aerr := p.audit.Write(*rec); aerr != nil {
		// The ticket exists (or not) whatever the disk says: keep the record
		// in the server's log so the trail is not lost.
		b, _ := json.Marshal(rec)
		p.log.Error("audit record not written", "err", aerr, "record", string(b))
	}
}

// createOrder is CreateOrder's checks and the call itself; it fills in what
// the audit record learns on the way.
func (p *policyService) createOrder(ctx context.Context, req dms.OrderRequest, rec *AuditRecord) (dms.Created, error) {
	op := req.Op()
	u, err := p.current(op)
	if err != nil {
		return dms.Created{}, err
	}
	rec.SSHUser, rec.Profile = u.Name, u.Profile
	if !u.AllowsType(req.PluginType) {
		return dms.Created{}, refusal(op, "%s may file %s tickets only, not %s. Ask the team that runs this server to change the users file.",
			u.Name, strings.Join(u.TicketTypes, ", "), req.PluginType)
	}
	tt, known := dms.LookupType(req.PluginType)
	params := req.Params()
	_, hasDB := params["dbId"]
	_, hasDBs := params["DbItemList"]
	if hasDB || hasDBs || (known && tt.Has(dms.StepDatabase)) {
		dbs := req.Databases()
		if len(dbs) == 0 || rec.DatabaseID <= 0 {
			return dms.Created{}, refusal(op, "the request names no database (%s)", map[bool]string{true: "Param DbItemList", false: "PluginParam dbId"}[hasDBs])
		}
		// Every database the change acts on is checked.
		for i, d := range dbs {
			if d.DbId <= 0 {
				return dms.Created{}, refusal(op, "the request names database %d, which is not a DMS database ID", d.DbId)
			}
			db, err := p.Service.Database(ctx, req.Tid, d.DbId, d.Logic)
			switch {
			case err == nil:
				if i == 0 {
					rec.Environment = string(db.Env)
				} else {
					rec.MoreEnvironments = append(rec.MoreEnvironments, string(db.Env))
				}
				if !u.AllowsEnv(db.Env) {
					return dms.Created{}, envRefusal(op, u, db)
				}
			case len(u.Envs) > 0:
				// The environment cannot be checked: refuse rather than guess.
				return dms.Created{}, err
			}
		}
	}
	ids, err := dms.ParseUserIDs(req.RelatedUserList)
	switch {
	case err != nil && u.DMSUserID > 0:
		return dms.Created{}, &dms.Error{Op: op, Kind: dms.KindInvalid, Code: "RelatedUserList.Invalid", Message: "RelatedUserList: " + err.Error()}
	case err == nil:
		rec.RelatedUsers = ids
	}
	// The wizard adds the user's DMS user ID (wizard.Request), and the
	// review shows it: a request without it was not the wizard's.
	if u.DMSUserID > 0 && !slices.Contains(ids, u.DMSUserID) {
		return dms.Created{}, refusal(op, "RelatedUserList %q leaves out %s's DMS user ID %d, which every ticket they file must name (the wizard adds it)",
			req.RelatedUserList, u.Name, u.DMSUserID)
	}
	return p.Service.CreateOrder(ctx, req)
}

// outcome names how a CreateOrder attempt ended.
func outcome(err error) string {
	if err == nil {
		return OutcomeCreated
	}
	e, ok := dms.AsError(err)
	if !ok {
		return OutcomeFailed
	}
	if e.Code == PolicyRefused || e.Kind == dms.KindPolicy {
		return OutcomePolicyRefused
	}
	switch e.Kind {
	case dms.KindOutcomeUnknown:
		return OutcomeUnknown
	case dms.KindRefused, dms.KindPermission, dms.KindCredentials, dms.KindThrottled:
		return OutcomeRefused
	}
	return OutcomeFailed
}
