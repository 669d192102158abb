package server

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/log"

	"dmsticket/dms"
)

// OutcomeDone is an audit record's outcome for an action on a ticket that
// DMS carried out.
const OutcomeDone = "done"

// The actions on a ticket that exists (the result screen's a, x and d) are
// checked against the users file in force as CreateOrder is, and each is in
// the audit log: a key removed since the ticket was filed can no longer
// submit it, run it or fetch its file, and a user whose types or
// environments were narrowed can no longer run a ticket outside them.

func (p *policyService) SubmitForApproval(ctx context.Context, tid, id int64) error {
	return p.act(ctx, "SubmitOrderApproval", tid, id, func() error { return p.Service.SubmitForApproval(ctx, tid, id) })
}

func (p *policyService) ExecuteExport(ctx context.Context, tid, id int64, fileType string) error {
	return p.act(ctx, "ExecuteDataExport", tid, id, func() error { return p.Service.ExecuteExport(ctx, tid, id, fileType) })
}

func (p *policyService) ExecuteDataChange(ctx context.Context, tid, id int64) error {
	return p.act(ctx, "ExecuteDataCorrect", tid, id, func() error { return p.Service.ExecuteDataChange(ctx, tid, id) })
}

func (p *policyService) CloseTicket(ctx context.Context, tid, id int64, reason string) error {
	return p.act(ctx, "CloseOrder", tid, id, func() error { return p.Service.CloseTicket(ctx, tid, id, reason) })
}

// DownloadURL is the link to an export's file: the data itself, so it is
// checked and recorded as the writes are.
func (p *policyService) DownloadURL(ctx context.Context, tid, id int64) (dms.Download, error) {
	var dl dms.Download
	err := p.act(ctx, "GetDataExportDownloadURL", tid, id, func() error {
		var err error
		dl, err = p.Service.DownloadURL(ctx, tid, id)
		return err
	})
	return dl, err
}

// act checks that the user may still act on ticket id, runs do, and writes
// the audit record of the attempt.
func (p *policyService) act(ctx context.Context, op string, tid, id int64, do func() error) error {
	p.inflight.Add(1)
	defer p.inflight.Done()
	start := p.now()
	rec := AuditRecord{
		Action: op, SSHUser: p.who.User, Login: p.who.Login, KeyFingerprint: p.who.Fingerprint, RemoteAddr: p.who.RemoteAddr, Session: p.who.Session,
		Tenant: tid, TicketID: id,
	}
	err := p.mayAct(ctx, op, tid, id, &rec)
	if err == nil {
		err = do()
	}
	p.record(&rec, start, err, OutcomeDone)
	level := log.InfoLevel
	if err != nil {
		level = log.WarnLevel
	}
	p.log.Log(level, "ticket action", "action", op, "ticket", id, "outcome", rec.Outcome, "code", rec.ErrorCode)
	return err
}

// mayAct is act's check: the user's key is still in the users file, and,
// when the users file limits their types or environments, the ticket (as
// DMS describes it) is within them. A ticket whose databases DMS does not
// report (a schema design has no detail call) is checked by its type only.
func (p *policyService) mayAct(ctx context.Context, op string, tid, id int64, rec *AuditRecord) error {
	u, err := p.current(op)
	if err != nil {
		return err
	}
	rec.SSHUser, rec.Profile = u.Name, u.Profile
	if len(u.TicketTypes) == 0 && len(u.Envs) == 0 {
		return nil
	}
	o, err := p.Service.Order(ctx, tid, id)
	if err != nil {
		return err
	}
	rec.TicketType = o.PluginType
	if !u.AllowsType(o.PluginType) {
		return refusal(op, "%s may act on %s tickets only; ticket %d is %s. Ask the team that runs this server to change the users file.",
			u.Name, strings.Join(u.TicketTypes, ", "), id, o.PluginType)
	}
	if len(u.Envs) == 0 {
		return nil
	}
	d, err := p.Service.Detail(ctx, tid, id, o.PluginType)
	switch {
	case errors.Is(err, dms.ErrNoDetail):
		return nil
	case err != nil:
		return err
	}
	dbs := d.Databases
	if len(dbs) == 0 && d.DatabaseID > 0 {
		dbs = []dms.DbItem{{DbId: d.DatabaseID, Logic: d.Logic}}
	}
	if len(dbs) == 0 {
		return refusal(op, "DMS does not say which database ticket %d acts on, so %s's environments cannot be checked", id, u.Name)
	}
	for i, item := range dbs {
		db, err := p.Service.Database(ctx, tid, item.DbId, item.Logic)
		if err != nil {
			return fmt.Errorf("checking the environment of database %d: %w", item.DbId, err)
		}
		if i == 0 {
			rec.DatabaseID, rec.Logic, rec.Environment = db.ID, db.Logic, string(db.Env)
		} else {
			rec.MoreDatabases = append(rec.MoreDatabases, db.ID)
			rec.MoreEnvironments = append(rec.MoreEnvironments, string(db.Env))
		}
		if !u.AllowsEnv(db.Env) {
			return envRefusal(op, u, db)
		}
	}
	return nil
}
