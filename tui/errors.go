package tui

import (
	"errors"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"dmsticket/dms"
	"dmsticket/dms/inert"
	"dmsticket/theme"
)

// errorLines draws an error for the user: what happened (DMS's code and
// message, cleaned), the request ID and link, and what to do next.
func errorLines(st *theme.Styles, err error, w int) string {
	var lines []string
	var de *dms.Error
	if errors.As(err, &de) {
		head := de.Kind.String()
		if de.Code != "" {
			head += ": " + inert.Line(de.Code)
		}
		lines = append(lines, st.Error.Bold(true).Render(truncate(head, w)))
		if de.Message != "" {
			lines = append(lines, wrap(st.Error, inert.Line(de.Message), w)...)
		}
		if de.RequestID != "" {
			lines = append(lines, st.Faint.Render(truncate("request ID "+inert.Line(de.RequestID), w)))
		}
		if de.Recommend != "" {
			lines = append(lines, st.Faint.Render(truncate(inert.Line(de.Recommend), w)))
		}
		lines = append(lines, wrap(st.Subtle, de.Advice(), w)...)
		return strings.Join(lines, "\n")
	}
	return strings.Join(wrap(st.Error, inert.Line(err.Error()), w), "\n")
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
