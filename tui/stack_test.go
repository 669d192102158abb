package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"dmsticket/theme"
)

// TestStackIsWhatJoinVerticalGave: the screen is stacked with each line
// measured once, and is byte for byte what lipgloss.JoinVertical gave.
func TestStackIsWhatJoinVerticalGave(t *testing.T) {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.ANSI256)
	st := theme.New(r, false)
	rule := st.Rule.Render(strings.Repeat("─", 40))
	styled := st.Title.Render("Details") + " " + st.Subtle.Render("naïve 日本語 text")
	for _, c := range []struct {
		header, body, footer string
		w, h                 int
	}{
		{"dmsticket\n" + rule, "a\nbb\n" + styled, "enter next · esc back", 40, 5},
		{"dmsticket\n" + rule, "", "keys", 40, 0},
		{"dmsticket\n" + rule, "", "keys", 40, 3},
		{"dmsticket\n" + rule, strings.Repeat(styled+" more words past the edge\n", 12), "keys\nmore keys", 40, 6},
		{"short", "x", "y", 30, 2},
		{"", "", "", 10, 1},
		{"h", strings.Repeat("w", 300), "f", 300, 1},
	} {
		want := lipgloss.JoinVertical(lipgloss.Left, c.header, fit(c.body, c.w, c.h), c.footer)
		if got := stack(c.header, c.body, c.footer, c.w, c.h); got != want {
			t.Errorf("stack(%q, %q, %q, %d, %d)\n got %q\nwant %q", c.header, c.body, c.footer, c.w, c.h, got, want)
		}
	}
}
