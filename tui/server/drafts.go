package server

import (
	"sync"

	"github.com/charmbracelet/log"

	"dmsticket/tui"
	"dmsticket/tui/draft"
	"dmsticket/tui/history"
)

// sessionDraft is a session's part in its user's draft.
type sessionDraft struct {
	// store keeps the session's unfinished ticket; nil: none is kept (the
	// server has no state directory, or another session holds the draft).
	store *draft.Store
	// resume is the draft to offer to resume, notice what became of one
	// that cannot be (held elsewhere, unreadable).
	resume *draft.Draft
	notice string
	// letGo ends the session's hold on the draft (the per-user hold and the
	// file lock), once.
	letGo func()
}

// openDraft takes the user's draft for a session: the server's hold (a
// user's second session neither offers nor writes it, so two sessions
// cannot resume, and file, the same ticket), then the file lock (another
// server with the same state directory must not write it at the same time),
// then the draft itself.
func (s *Server) openDraft(user string, logger *log.Logger) *sessionDraft {
	d := &sessionDraft{store: s.draftStore(user), letGo: func() {}}
	switch {
	case d.store == nil:
	case !s.holdDraft(user):
		d.store, d.notice = nil, "Your other open session keeps your draft; what you type here is not kept as one."
	default:
		unlock, err := d.store.Lock()
		if err != nil {
			s.releaseDraft(user)
			logger.Warn("the draft is held elsewhere", "path", d.store.Path(), "err", err)
			d.store, d.notice = nil, "Your draft is open elsewhere ("+err.Error()+"); what you type here is not kept as one."
			break
		}
		d.letGo = sync.OnceFunc(func() { unlock(); s.releaseDraft(user) })
	}
	resume, notice := tui.LoadDraft(d.store)
	d.resume = resume
	if notice != "" {
		d.notice = notice
	}
	return d
}

// holdDraft gives the user's draft to this session unless another live
// session of theirs holds it.
func (s *Server) holdDraft(user string) bool {
	s.draftsMu.Lock()
	defer s.draftsMu.Unlock()
	if s.draftHeld == nil {
		s.draftHeld = map[string]bool{}
	}
	if s.draftHeld[user] {
		return false
	}
	s.draftHeld[user] = true
	return true
}

func (s *Server) releaseDraft(user string) {
	s.draftsMu.Lock()
	defer s.draftsMu.Unlock()
	delete(s.draftHeld, user)
}

// draftStore is the draft file of an SSH user (one per user, shared by their
// sessions): under the server's state directory, dmsticket/drafts/<user>.json
// (-demo.json for --demo). Nil, with a warning logged once, when the server
// has no state directory.
func (s *Server) draftStore(user string) *draft.Store {
	s.draftsMu.Lock()
	defer s.draftsMu.Unlock()
	if st, ok := s.drafts[user]; ok {
		return st
	}
	path, err := draft.DefaultPath(user)
	if err != nil {
		if !s.draftsWarned {
			s.draftsWarned = true
			s.log.Warn("drafts are off", "err", err)
		}
		return nil
	}
	if s.cfg.Backend.Demo {
		path = draft.DemoPath(path)
	}
	st := draft.NewStore(path)
	s.drafts[user] = st
	return st
}

// historyStore is an SSH user's history file (recent databases, the last
// ticket's tenant and related users, the tickets they filed: My tickets),
// one per user and never shared, beside the drafts; -demo for --demo. Nil
// when the server has no state directory.
func (s *Server) historyStore(user string) *history.Store {
	s.draftsMu.Lock()
	defer s.draftsMu.Unlock()
	if h, ok := s.histories[user]; ok {
		return h
	}
	path, err := history.DefaultPath(user)
	if err != nil {
		return nil
	}
	if s.cfg.Backend.Demo {
		path = history.DemoPath(path)
	}
	h, err := history.Open(path)
	if err != nil {
		s.log.Warn("the history is off", "user", user, "err", err)
		return nil
	}
	if s.histories == nil {
		s.histories = map[string]*history.Store{}
	}
	s.histories[user] = h
	return h
}
