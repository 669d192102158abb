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
	d := &sessionDraft{store: s.drafts.get(user, s.cfg.Backend.Demo, s.log), letGo: func() {}}
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

// perUser is a file kept for each SSH user under the server's state
// directory (drafts, the history): opened when one of the user's sessions
// first asks for it and kept for the server's life, so every session of a
// user shares one store. Where it cannot be opened the session goes without
// (nil); the log says why once per reason (the same missing state directory
// for every user is one warning), and the user's next session tries again.
type perUser[T any] struct {
	off  string                            // the log's warning: "drafts are off"
	path func(user string) (string, error) // the user's file
	demo func(path string) string          // for --demo: beside it
	open func(path string) (*T, error)

	mu     sync.Mutex
	stores map[string]*T
	warned map[string]bool // the reasons logged already
}

func (p *perUser[T]) get(user string, demo bool, logger *log.Logger) *T {
	p.mu.Lock()
	defer p.mu.Unlock()
	if st, ok := p.stores[user]; ok {
		return st
	}
	path, err := p.path(user)
	var st *T
	if err == nil {
		if demo {
			path = p.demo(path)
		}
		st, err = p.open(path)
	}
	if err != nil {
		if !p.warned[err.Error()] {
			if p.warned == nil {
				p.warned = map[string]bool{}
			}
			p.warned[err.Error()] = true
			logger.Warn(p.off, "user", user, "err", err)
		}
		return nil
	}
	if p.stores == nil {
		p.stores = map[string]*T{}
	}
	p.stores[user] = st
	return st
}

// newDraftStores is the users' draft files: dmsticket/drafts/<user>.json
// (-demo.json for --demo) under the server's state directory.
func newDraftStores() *perUser[draft.Store] {
	return &perUser[draft.Store]{off: "drafts are off", path: draft.DefaultPath, demo: draft.DemoPath,
		open: func(path string) (*draft.Store, error) { return draft.NewStore(path), nil }}
}

// newHistories is the users' history files (recent databases, the last
// ticket's tenant and related users, the tickets they filed: My tickets),
// one per user and never shared, beside the drafts.
func newHistories() *perUser[history.Store] {
	return &perUser[history.Store]{off: "the history is off", path: history.DefaultPath, demo: history.DemoPath,
		open: history.Open}
}
