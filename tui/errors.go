package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"dmsticket/theme"
	"dmsticket/tui/wizard"
)

// errorLines draws an error for the user from wizard.Report, the one account
// of an error every front end prints: what happened (DMS's code and
// message, cleaned), the request ID and link, and what to do next.
func errorLines(st *theme.Styles, err error, w int) string {
	r := wizard.Report(err)
	if r.Kind == "" {
		return strings.Join(wrap(st.Error, r.Message, w), "\n")
	}
	head := r.Kind
	if r.Code != "" {
		head += ": " + r.Code
	}
	lines := []string{st.Error.Bold(true).Render(truncate(head, w))}
	if r.Message != "" {
		lines = append(lines, wrap(st.Error, r.Message, w)...)
	}
	if r.RequestID != "" {
		lines = append(lines, st.Faint.Render(truncate("request ID "+r.RequestID, w)))
	}
	if r.Recommend != "" {
		lines = append(lines, st.Faint.Render(truncate(r.Recommend, w)))
	}
	lines = append(lines, wrap(st.Subtle, r.Advice, w)...)
	return strings.Join(lines, "\n")
}

// wrap word-wraps plain text to w cells (long words are broken) and styles
// each line.
func wrap(style interface{ Render(...string) string }, s string, w int) []string {
	out := strings.Split(ansi.Wrap(s, max(10, w), ""), "\n")
	for i := range out {
		out[i] = style.Render(strings.TrimRight(out[i], " "))
	}
	return out
}
