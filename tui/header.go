package tui

import (
	"fmt"
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
	db         string // the database as fmt prints it (a Database holds a slice)
	more       string // the further databases' IDs and environments
	notice     string
	tenantStep bool
	showDB     bool
}

// header is drawn on every screen: product, tenant, region, DEMO badge, the
// signed-in user, the step line and, once chosen, the database with its
// environment badge and, for production, a warning line that stays.
func (m *Model) header() string {
	t := m.s.ticket
	var more strings.Builder
	for _, d := range t.More {
		more.WriteString(strconv.FormatInt(d.ID, 10) + string(d.Env) + " ")
	}
	k := headerKey{m.width, m.step, t.Type, t.Tenant, fmt.Sprint(t.Database), more.String(), m.notice, m.needTenantStep(), m.headerShowsDatabase()}
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
	if db := m.s.ticket.Database; !db.IsZero() && m.headerShowsDatabase() {
		dbs := m.s.ticket.Databases()
		if len(dbs) > 1 {
			lines = append(lines, databasesLine(st, dbs, w))
		} else {
			lines = append(lines, databaseLine(st, db, w))
		}
		prod := 0
		for _, d := range dbs {
			if d.Env == dms.EnvProduct {
				prod++
			}
		}
		switch {
		case prod == 1 && len(dbs) == 1:
			lines = append(lines, st.Warning.Render(truncate("⚠ Production database: this ticket will act on live data.", w)))
		case prod > 0:
			lines = append(lines, st.Warning.Render(truncate("⚠ "+wizard.Count(prod, "production database")+" among them: this ticket will act on live data.", w)))
		}
	}
	lines = append(lines, st.Rule.Render(strings.Repeat("─", max(0, w))))
	return strings.Join(clipLines(lines, w), "\n")
}

// headerShowsDatabase says the header names the ticket's databases: from
// the database step on, but not over My tickets or a ticket opened from it
// (another ticket's status under the draft's database misled).
func (m *Model) headerShowsDatabase() bool {
	switch m.step {
	case StepType, StepTenant, StepTickets:
		return false
	case StepResult:
		r, ok := m.steps[StepResult].(*resultStep)
		return !ok || !r.viewing()
	}
	return true
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

// databasesLine is several chosen databases: how many, the online ones
// counted by environment, the first names.
func databasesLine(st *theme.Styles, dbs []dms.Database, w int) string {
	online := map[dms.Env]int{}
	for _, d := range dbs {
		if d.Env.Online() {
			online[d.Env]++
		}
	}
	parts := []string{st.Value.Bold(true).Render(wizard.Count(len(dbs), "database"))}
	for _, env := range []dms.Env{dms.EnvProduct, dms.EnvPre} {
		if n := online[env]; n > 0 {
			parts = append(parts, envBadge(st, env)+st.Subtle.Render("×"+strconv.Itoa(n)))
		}
	}
	if len(online) == 0 {
		parts = append(parts, st.Subtle.Render("none online"))
	}
	names := make([]string, len(dbs))
	for i, d := range dbs {
		names[i] = inert.Line(d.SchemaName)
	}
	parts = append(parts, st.Subtle.Render(strings.Join(names, ", ")))
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
