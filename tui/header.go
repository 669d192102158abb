package tui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"dmsticket/dms"
	"dmsticket/dms/inert"
	"dmsticket/theme"
	"dmsticket/tui/wizard"
)

// headerKey is everything the header shows: it is drawn again only when one
// of these changes, not on every message.
type headerKey struct {
	width      int
	step       Step
	typ        string
	tenant     dms.Tenant
	db         dms.Database
	notice     string
	tenantStep bool
}

// header is drawn on every screen: product, tenant, region, DEMO badge, the
// signed-in user, the step line and, once chosen, the database with its
// environment badge and, for production, a warning line that stays.
func (m *Model) header() string {
	t := m.s.ticket
	k := headerKey{m.width, m.step, t.Type, t.Tenant, t.Database, m.notice, m.needTenantStep()}
	if k == m.hdrKey && m.hdrView != "" {
		return m.hdrView
	}
	m.hdrKey, m.hdrView = k, m.drawHeader()
	return m.hdrView
}

func (m *Model) drawHeader() string {
	st := m.s.st
	w := m.width
	left := st.Brand.Render("dmsticket")
	t := m.s.ticket.Tenant
	if t.ID != 0 || t.Name != "" {
		left += st.HeaderMeta.Render(" · " + inert.Line(t.Label()))
	}
	region := m.s.opts.Region
	if region != "" {
		left += st.HeaderMeta.Render(" · " + region)
	}
	if m.s.opts.Demo {
		left += " " + st.Demo.Render("DEMO")
	}
	right := ""
	if u := m.s.opts.User; u != nil {
		right = st.User.Render("signed in as " + inert.Line(u.Name))
	}
	lines := []string{spread(left, right, w), m.stepLine()}
	if m.notice != "" {
		lines = append([]string{st.Warning.Render(truncate("▲ "+inert.Line(m.notice), w))}, lines...)
	}
	if db := m.s.ticket.Database; !db.IsZero() && m.step != StepType && m.step != StepTenant {
		lines = append(lines, databaseLine(st, db, w))
		if db.Env == dms.EnvProduct {
			lines = append(lines, st.Warning.Render(truncate("⚠ Production database: this ticket will act on live data.", w)))
		}
	}
	lines = append(lines, st.Rule.Render(strings.Repeat("─", max(0, w))))
	return strings.Join(clipLines(lines, w), "\n")
}

// stepLine is "Type · Database · SQL · Details · Review · Result" with the
// current step marked and steps the type skips drawn faint and struck.
func (m *Model) stepLine() string {
	st := m.s.st
	cur := m.step
	if cur == StepTenant {
		cur = StepDatabase
	}
	inSeq := map[Step]bool{}
	for _, s := range m.sequence() {
		inSeq[s] = true
	}
	var parts []string
	for i, s := range wizard.Visible {
		label := strconv.Itoa(i+1) + " " + s.String()
		switch {
		case s == cur:
			parts = append(parts, st.StepCurrent.Render("▸"+label))
		case !inSeq[s] && m.s.ticket.Type != "":
			parts = append(parts, st.Step.Strikethrough(true).Render(label))
		case s < cur:
			parts = append(parts, st.StepDone.Render(label))
		default:
			parts = append(parts, st.Step.Render(label))
		}
	}
	return strings.Join(parts, st.StepSep.Render(" · "))
}

// databaseLine is the chosen database: name, badge, type, alias.
func databaseLine(st *theme.Styles, db dms.Database, w int) string {
	parts := []string{st.Value.Bold(true).Render(inert.Line(db.Name())), envBadge(st, db.Env)}
	if db.DbType != "" {
		parts = append(parts, st.Subtle.Render(inert.Line(db.DbType)))
	}
	if db.Alias != "" {
		parts = append(parts, st.Subtle.Render("“"+inert.Line(db.Alias)+"”"))
	}
	return truncate(strings.Join(parts, " "), w)
}

// envBadge is the environment badge: loud for production and pre-release.
func envBadge(st *theme.Styles, env dms.Env) string {
	switch env {
	case dms.EnvProduct:
		return st.Badge("PRODUCTION", theme.Danger)
	case dms.EnvPre:
		return st.Badge("PRE", theme.Warning)
	case "":
		return st.Badge("?", theme.Quiet)
	}
	return st.Badge(inert.Line(string(env)), theme.Quiet)
}

// spread puts left and right on one line of width w.
func spread(left, right string, w int) string {
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if right == "" || gap < 1 {
		return truncate(left, w)
	}
	return left + strings.Repeat(" ", gap) + right
}

// truncate cuts a styled string to w cells with an ellipsis.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return ansi.Truncate(s, w, "…")
}

func itoa[T int | int64](n T) string { return strconv.FormatInt(int64(n), 10) }
