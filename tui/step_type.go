package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms"
)

// typeStep lists the catalog; typing filters it, enter chooses.
type typeStep struct {
	s      *session
	filter textinput.Model
	cursor int
}

func newTypeStep(s *session) *typeStep {
	return &typeStep{s: s, filter: newInput(s, "Filter: ", "type to filter ticket types")}
}

// types is the catalog as offered to this user, filtered by the typed text.
func (t *typeStep) types() []dms.TicketType {
	q := strings.ToLower(strings.TrimSpace(t.filter.Value()))
	var out []dms.TicketType
	for _, tt := range dms.Catalog() {
		if !t.s.opts.User.AllowsType(tt.PluginType) {
			continue
		}
		hay := strings.ToLower(tt.Title + " " + tt.PluginType + " " + tt.Help)
		if q == "" || strings.Contains(hay, q) {
			out = append(out, tt)
		}
	}
	return out
}

func (t *typeStep) enter() tea.Cmd {
	// Keep the cursor on the type already chosen.
	for i, tt := range t.types() {
		if tt.PluginType == t.s.ticket.Type {
			t.cursor = i
		}
	}
	return t.filter.Focus()
}

func (t *typeStep) update(msg tea.Msg) tea.Cmd {
	k := t.s.keys
	if km, ok := msg.(tea.KeyMsg); ok {
		list := t.types()
		switch {
		case key.Matches(km, k.Up):
			t.cursor = max(0, t.cursor-1)
			return nil
		case key.Matches(km, k.Down):
			t.cursor = min(len(list)-1, t.cursor+1)
			return nil
		case key.Matches(km, k.MyTickets):
			t.s.goTo(StepTickets)
			return nil
		case key.Matches(km, k.Enter):
			if len(list) == 0 {
				return nil
			}
			t.choose(list[min(t.cursor, len(list)-1)])
			t.s.next()
			return nil
		}
	}
	var cmd tea.Cmd
	before := t.filter.Value()
	t.filter, cmd = t.filter.Update(msg)
	if t.filter.Value() != before {
		t.cursor = 0
	}
	return cmd
}

// choose sets the ticket's type. Everything entered so far is kept.
func (t *typeStep) choose(tt dms.TicketType) {
	t.s.ticket.Type = tt.PluginType
}

func (t *typeStep) view() string {
	st := t.s.st
	var b strings.Builder
	b.WriteString(st.Title.Render("What kind of ticket?") + "\n\n")
	b.WriteString(t.filter.View() + "\n\n")
	list := t.types()
	if len(list) == 0 {
		b.WriteString(st.Subtle.Render("  No ticket type matches “" + t.filter.Value() + "”."))
		if u := t.s.opts.User; u != nil && len(u.TicketTypes) > 0 {
			b.WriteString("\n" + st.Faint.Render("  You may file: "+strings.Join(u.TicketTypes, ", ")))
		}
		return b.String()
	}
	for i, tt := range list {
		if i == t.cursor {
			b.WriteString(st.Cursor.Render("▌ ") + st.ItemSelected.Render(tt.Title) + "  " + st.Subtle.Render(tt.PluginType) + "\n")
			b.WriteString(st.Cursor.Render("▌ ") + st.ItemDescSelected.Render(truncate(tt.Help, t.s.width-4)) + "\n\n")
			continue
		}
		b.WriteString("  " + st.Item.Render(tt.Title) + "  " + st.Faint.Render(tt.PluginType) + "\n")
		b.WriteString("  " + st.ItemDesc.Render(truncate(tt.Help, t.s.width-4)) + "\n\n")
	}
	return b.String()
}

func (t *typeStep) help() helpKeys {
	k := t.s.keys
	short := []key.Binding{with(k.Enter, "enter", "choose"), with(k.Up, "↑/↓", "move"), k.MyTickets, with(k.Quit, "ctrl+c", "quit")}
	return helpKeys{short: short}
}

func (t *typeStep) typing() bool { return t.filter.Value() != "" }
func (t *typeStep) modal() bool  { return false }
