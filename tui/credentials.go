package tui

import (
	"strings"

	"dmsticket/dms"
	"dmsticket/dms/inert"
)

// noCredentials is the one screen shown when no credentials were found:
// which sources were tried, how to fix it, and that --demo needs none.
func (m *Model) noCredentials(e *dms.CredentialsError) string {
	st := m.s.st
	w := m.width - 4
	var b strings.Builder
	b.WriteString(st.Brand.Render("dmsticket") + "\n\n")
	b.WriteString(st.Error.Bold(true).Render("No Alibaba Cloud credentials found") + "\n\n")
	b.WriteString(st.Subtle.Render("Looked in, in this order:") + "\n")
	for _, s := range e.Tried {
		b.WriteString(strings.Join(wrap(st.Value, "  • "+s, w), "\n") + "\n")
	}
	b.WriteString("\n" + st.Subtle.Render("To fix it:") + "\n")
	for _, f := range e.Fixes() {
		b.WriteString(strings.Join(wrap(st.Value, "  → "+f, w), "\n") + "\n")
	}
	if e.Detail != "" {
		b.WriteString("\n" + st.Faint.Render("The SDK said:") + "\n")
		lines := wrap(st.Faint, inert.Line(e.Detail), w)
		if len(lines) > 4 {
			lines = append(lines[:4], st.Faint.Render("…"))
		}
		b.WriteString(strings.Join(lines, "\n") + "\n")
	}
	b.WriteString("\n" + st.Faint.Render("q quits"))
	return b.String()
}
