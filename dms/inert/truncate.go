package inert

import "github.com/charmbracelet/x/ansi"

// Truncate returns Line(s) cut to at most width display cells, ending in "…"
// when something was cut. Widths are counted by grapheme cluster, as lipgloss
// counts them. A width below 1 gives "".
func Truncate(s string, width int) string {
	if width < 1 {
		return ""
	}
	return ansi.Truncate(Line(s), width, "…")
}
