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
		var lw lineWidths
		for frame := range 3 { // measured, then remembered, then remembered from the frame before
			if got := lw.stack(c.header, c.body, c.footer, c.w, c.h); got != want {
				t.Errorf("frame %d: stack(%q, %q, %q, %d, %d)\n got %q\nwant %q", frame, c.header, c.body, c.footer, c.w, c.h, got, want)
			}
			if frame == 1 {
				lw.frame()
			}
		}
	}
}

// TestJoinColumnsIsWhatJoinHorizontalGave: the SQL step's editor and
// panel side by side, each line measured once (and remembered for the next
// frame), byte for byte what lipgloss.JoinHorizontal gave.
func TestJoinColumnsIsWhatJoinHorizontalGave(t *testing.T) {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.TrueColor)
	st := theme.New(r, false)
	styled := st.Title.Render("SELECT") + " " + st.Subtle.Render("naïve 日本語 text that is long enough to be remembered")
	blocks := []string{"", "a", "a\nbb\nccc", styled, styled + "\n\n" + styled + " more", strings.Repeat(styled+"\n", 40) + "end", "日本\n\n\nx"}
	var lw lineWidths
	for _, left := range blocks {
		for _, right := range blocks {
			want := lipgloss.JoinHorizontal(lipgloss.Top, left, " ", right)
			for frame := range 2 {
				if got := lw.joinColumns(left, " ", right, 0); got != want {
					t.Fatalf("frame %d: joinColumns(%q, %q)\n got %q\nwant %q", frame, left, right, got, want)
				}
			}
			lw.frame()
		}
	}
	// With a width for the left column, the right one starts after it.
	got := lw.joinColumns("ab\nc", " ", "x\ny", 5)
	if want := "ab    x\nc     y"; got != want {
		t.Errorf("joinColumns with a left width of 5 = %q, want %q", got, want)
	}
}
