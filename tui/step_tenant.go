package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms"
	"dmsticket/dms/inert"
)

// tenantStep lets a user who belongs to several tenants pick one; the active
// tenant is preselected.
type tenantStep struct {
	s      *session
	cursor int
	// heldEnter is an enter pressed while DMS was asked for the tenants:
	// it takes the preselected tenant once they come (it was dropped, and
	// the wizard waited on a screen the user had already answered).
	heldEnter bool
}

func newTenantStep(s *session) *tenantStep { return &tenantStep{s: s} }

func (t *tenantStep) enter() tea.Cmd {
	t.preselect()
	t.heldEnter = false
	return nil
}

func (t *tenantStep) preselect() {
	for i, tn := range t.s.tenants {
		if tn.ID == t.s.ticket.Tenant.ID {
			t.cursor = i
		}
	}
}

func (t *tenantStep) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tenantsMsg:
		t.preselect()
		if t.heldEnter && t.s.tenantsLoaded {
			t.heldEnter = false
			return t.update(tea.KeyMsg{Type: tea.KeyEnter})
		}
	case tea.KeyMsg:
		k := t.s.keys
		if !t.s.tenantsLoaded {
			if key.Matches(msg, k.Enter) {
				t.heldEnter = true
			}
			return nil
		}
		if t.s.tenantsErr != nil {
			switch {
			case key.Matches(msg, k.Retry):
				t.s.tenantsLoaded = false
				return loadTenants(t.s.svc)
			case key.Matches(msg, k.Enter):
				t.s.next() // DMS uses the caller's active tenant when none is named
				return nil
			}
			return nil
		}
		switch {
		case key.Matches(msg, k.Up):
			t.cursor = max(0, t.cursor-1)
		case key.Matches(msg, k.Down):
			t.cursor = min(len(t.s.tenants)-1, t.cursor+1)
		case key.Matches(msg, k.Enter):
			if len(t.s.tenants) == 0 {
				return nil
			}
			chosen := t.s.tenants[t.cursor]
			if chosen.ID != t.s.ticket.Tenant.ID {
				// Databases belong to a tenant: a new tenant means a new choice.
				t.s.ticket.Database, t.s.ticket.More = dms.Database{}, nil
			}
			t.s.ticket.Tenant = chosen
			t.s.next()
			return nil
		}
	}
	return nil
}

func (t *tenantStep) view() string {
	st := t.s.st
	var b strings.Builder
	if !t.s.tenantsLoaded {
		waiting := "Asking DMS for your tenants…"
		if t.heldEnter {
			waiting += " enter takes the active one when they come · esc cancels"
		}
		return st.Title.Render("Which tenant?") + "\n\n" + st.Subtle.Render(waiting)
	}
	if t.s.tenantsErr != nil {
		return st.Title.Render("Which tenant?") + "\n\n" + st.Error.Render("DMS did not list your tenants:") + "\n" +
			errorLines(st, t.s.tenantsErr, t.s.width) + "\n\n" +
			st.Subtle.Render("r asks again; enter continues with your active tenant.")
	}
	b.WriteString(st.Title.Render("Which tenant?") + "\n")
	b.WriteString(st.Subtle.Render("You belong to several DMS tenants; the active one is preselected.") + "\n\n")
	for i, tn := range t.s.tenants {
		label := inert.Line(tn.Label())
		if tn.Status != "" && tn.Status != "ACTIVE" {
			label += st.Faint.Render("  " + inert.Line(tn.Status))
		}
		if i == t.cursor {
			b.WriteString(st.Cursor.Render("▌ ") + st.ItemSelected.Render(label) + "\n")
		} else {
			b.WriteString("  " + st.Item.Render(label) + "\n")
		}
	}
	return b.String()
}

func (t *tenantStep) help() helpKeys {
	k := t.s.keys
	if t.s.tenantsErr != nil {
		return helpKeys{short: []key.Binding{with(k.Retry, "r", "ask again"), with(k.Enter, "enter", "continue"), with(k.Back, "esc", "back")}}
	}
	return helpKeys{short: []key.Binding{with(k.Enter, "enter", "choose"), with(k.Up, "↑/↓", "move"), with(k.Back, "esc", "back")}}
}

func (t *tenantStep) typing() bool { return false }
func (t *tenantStep) modal() bool  { return false }

// holding reports an enter waiting for the tenants; the root keeps the keys
// typed meanwhile for the step that comes next.
func (t *tenantStep) holding() bool { return t.heldEnter }

// releaseHold forgets a held enter (esc while waiting).
func (t *tenantStep) releaseHold() { t.heldEnter = false }
