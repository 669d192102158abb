package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms"
	"dmsticket/dms/inert"
	"dmsticket/tui/history"
	"dmsticket/tui/wizard"
)

// "My tickets" (PRODUCT section 15), reached from the type step: the user's
// tickets, newest first, each with its state; typing filters; enter opens a
// ticket's status screen (the result screen following it); f files a new
// ticket like it. Locally the list is DMS's (ListOrders as the committer)
// merged with the tickets dmsticket recorded; over SSH, where the server's
// DMS identity files for many people, it is the tickets this SSH user filed
// through the server, and nobody else's.

type (
	// ticketsListedMsg is the list (or why there is none).
	ticketsListedMsg struct {
		ofTickets
		seq  int
		list []history.Ticket
		err  error
	}
	// ticketStateMsg is one listed ticket's state.
	ticketStateMsg struct {
		ofTickets
		seq   int
		id    int64
		state dms.State
		err   error
	}
	// likedMsg is a ticket rebuilt from a DMS ticket, to file again.
	likedMsg struct {
		ofTickets
		seq   int
		liked wizard.Liked
		err   error
	}
)

// stateReads bounds the listed tickets whose state is read at once.
const stateReads = 4

type ticketsStep struct {
	s       *session
	filter  textinput.Model
	seq     int
	list    []history.Ticket
	loaded  bool
	err     error
	states  map[int64]dms.State
	asked   map[int64]bool
	pending int
	cursor  int
	offset  int
	liking  bool
	notice  string
}

func newTicketsStep(s *session) *ticketsStep {
	return &ticketsStep{s: s, filter: newInput(s, "Filter: ", "type to filter: ID, type, comment, database")}
}

func (t *ticketsStep) enter() tea.Cmd {
	t.seq++
	t.loaded, t.err, t.liking, t.notice = false, nil, false, ""
	t.states, t.asked, t.pending = map[int64]dms.State{}, map[int64]bool{}, 0
	seq, svc, tid, local, hist := t.seq, t.s.svc, t.s.ticket.Tenant.ID, t.s.opts.Local, t.s.hist
	return tea.Batch(t.filter.Focus(), func() tea.Msg {
		recorded := hist.TicketsIn(tid)
		if tid == 0 {
			// The tenants are still loading: the list comes again when
			// they are (the root enters the step again).
			return ticketsListedMsg{seq: seq}
		}
		if !local {
			// Over SSH: only what this user filed through the server.
			return ticketsListedMsg{seq: seq, list: history.Merge(recorded, nil, tid)}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		listed, err := svc.FindOrders(ctx, dms.OrderQuery{Tid: tid, AsCommitter: true, Since: time.Now().AddDate(0, 0, -90), PageSize: 100})
		return ticketsListedMsg{seq: seq, list: history.Merge(recorded, listed, tid), err: err}
	})
}

// shown are the tickets the filter lets through.
func (t *ticketsStep) shown() []history.Ticket {
	q := strings.ToLower(strings.TrimSpace(t.filter.Value()))
	if q == "" {
		return t.list
	}
	var out []history.Ticket
	for _, x := range t.list {
		hay := strings.ToLower(fmt.Sprint(x.ID) + " " + x.Type + " " + x.Comment + " " + x.Database + " " + string(t.states[x.ID]))
		if strings.Contains(hay, q) {
			out = append(out, x)
		}
	}
	return out
}

func (t *ticketsStep) rows() int { return max(1, t.s.height-5) }

// readStates asks for the state of the shown rows not read yet, a few at a
// time.
func (t *ticketsStep) readStates() tea.Cmd {
	var cmds []tea.Cmd
	shown := t.shown()
	end := min(len(shown), t.offset+t.rows())
	for i := t.offset; i < end && t.pending < stateReads; i++ {
		x := shown[i]
		if t.asked[x.ID] {
			continue
		}
		t.asked[x.ID] = true
		t.pending++
		seq, svc, limit := t.seq, t.s.svc, t.s.opts.PollLimit
		cmds = append(cmds, func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if limit != nil {
				if err := limit(ctx); err != nil {
					return ticketStateMsg{seq: seq, id: x.ID, err: err}
				}
			}
			st, err := dms.NewWatcher(svc, x.Tid, x.ID, x.Type).Read(ctx)
			return ticketStateMsg{seq: seq, id: x.ID, state: st.State, err: err}
		})
	}
	return tea.Batch(cmds...)
}

func (t *ticketsStep) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case ticketsListedMsg:
		if msg.seq != t.seq {
			return nil
		}
		t.list, t.err, t.loaded = msg.list, msg.err, t.s.ticket.Tenant.ID != 0
		return t.readStates()
	case ticketStateMsg:
		if msg.seq != t.seq {
			return nil
		}
		t.pending--
		if msg.err == nil {
			t.states[msg.id] = msg.state
		} else {
			t.states[msg.id] = ""
		}
		return t.readStates()
	case likedMsg:
		if msg.seq != t.seq || !t.liking {
			return nil
		}
		t.liking = false
		if msg.err != nil {
			t.notice = "Could not read the ticket to file it again: " + errMessage(msg.err)
			return nil
		}
		if !t.s.opts.User.AllowsType(msg.liked.Ticket.Type) {
			t.notice = "You may not file " + inert.Line(msg.liked.Ticket.Type) + " tickets on this server."
			return nil
		}
		t.s.fileLike(msg.liked)
		return nil
	case tea.KeyMsg:
		k := t.s.keys
		shown := t.shown()
		if delta, ok := k.listMove(msg, t.rows()); ok {
			t.move(delta, len(shown))
			return t.readStates()
		}
		switch {
		case key.Matches(msg, k.Enter) && len(shown) > 0:
			t.s.showTicket(shown[min(t.cursor, len(shown)-1)])
			return nil
		case key.Matches(msg, k.FileLike) && len(shown) > 0 && t.filter.Value() == "":
			return t.like(shown[min(t.cursor, len(shown)-1)])
		}
		before := t.filter.Value()
		var cmd tea.Cmd
		t.filter, cmd = t.filter.Update(msg)
		if t.filter.Value() != before {
			t.cursor, t.offset = 0, 0
			return tea.Batch(cmd, t.readStates())
		}
		return cmd
	}
	var cmd tea.Cmd
	t.filter, cmd = t.filter.Update(msg)
	return cmd
}

// like reads a ticket back from DMS to file a new one like it.
func (t *ticketsStep) like(x history.Ticket) tea.Cmd {
	t.liking, t.notice = true, ""
	seq, svc := t.seq, t.s.svc
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		l, err := wizard.Like(ctx, svc, x.Tid, x.ID)
		return likedMsg{seq: seq, liked: l, err: err}
	}
}

func (t *ticketsStep) move(delta, n int) {
	if n == 0 {
		t.cursor, t.offset = 0, 0
		return
	}
	t.cursor, t.offset = scrolled(t.cursor, t.offset, delta, n, t.rows())
}

func (t *ticketsStep) view() string {
	st := t.s.st
	w := t.s.width
	lines := []string{st.Title.Render("My tickets") + st.Subtle.Render(" · "+inert.Line(t.s.ticket.Tenant.Label())+", newest first"), t.filter.View()}
	shown := t.shown()
	switch {
	case t.liking:
		lines = append(lines, st.Info.Render("Reading the ticket from DMS to file it again…"))
	case t.notice != "":
		lines = append(lines, wrap(st.Error, t.notice, w)...)
	case !t.loaded:
		lines = append(lines, st.Info.Render("Asking DMS for your tickets…"))
	case t.err != nil:
		lines = append(lines, truncate(st.Warn.Render("DMS's list could not be read ("+errMessage(t.err)+"); these are the tickets filed through dmsticket."), w))
	default:
		what := "the tickets you filed through this server"
		if t.s.opts.Local {
			what = "your tickets in the last 90 days"
		}
		lines = append(lines, st.Faint.Render(truncate(fmt.Sprintf("%s of %s", wizard.Thousands(int64(len(shown))), what), w)))
	}
	if t.loaded && len(shown) == 0 {
		msg := "No tickets yet: file one, and it is here."
		if t.filter.Value() != "" {
			msg = "No ticket matches “" + inert.Line(t.filter.Value()) + "”."
		}
		return strings.Join(append(lines, "", st.Subtle.Render(msg)), "\n")
	}
	end := min(len(shown), t.offset+t.rows())
	for i := t.offset; i < end; i++ {
		x := shown[i]
		state, read := t.states[x.ID]
		switch {
		case !read:
			state = "…"
		case state == "":
			state = "?" // the read failed: enter shows why
		}
		created := ""
		if !x.Created.IsZero() {
			created = x.Created.Local().Format("01-02 15:04")
		}
		text := fmt.Sprintf("%-9d %-11s %-15s %-11s %s", x.ID, truncate(x.Type, 11), truncate(string(state), 15), created, inert.Line(x.Comment))
		if x.Database != "" {
			text += st.Faint.Render(" · " + inert.Line(x.Database))
		}
		if i == t.cursor {
			lines = append(lines, st.Cursor.Render("▌ ")+st.RowSelected.Render(truncate(text, w-2)))
		} else {
			lines = append(lines, "  "+st.Row.Render(truncate(text, w-2)))
		}
	}
	return strings.Join(lines, "\n")
}

func (t *ticketsStep) help() helpKeys {
	k := t.s.keys
	short := []key.Binding{with(k.Enter, "enter", "status"), with(k.Up, "↑/↓", "move"), with(k.Back, "esc", "back")}
	if t.filter.Value() == "" {
		short = append([]key.Binding{short[0], with(k.FileLike, "f", "file one like it")}, short[1:]...)
	}
	return helpKeys{short: short}
}

func (t *ticketsStep) typing() bool { return t.filter.Value() != "" }
func (t *ticketsStep) modal() bool  { return false }
