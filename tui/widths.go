package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// lineWidths measures the lines of a frame, remembering those of the frame
// before: most lines of a frame are the last one's (the editor's lines
// scrolled by one, the header, the help), and measuring a styled line cell
// by cell cost half of a frame at the SQL step (a line of a script pasted
// without brackets is a frame). Looking a line up costs a hash of its
// bytes. The zero value is ready; each Model has its own (SSH sessions
// share nothing).
type lineWidths struct{ last, now map[string]int }

// width is ansi.StringWidth(s).
func (c *lineWidths) width(s string) int {
	if len(s) < 32 {
		return ansi.StringWidth(s) // as cheap as the lookup
	}
	if w, ok := c.now[s]; ok {
		return w
	}
	w, ok := c.last[s]
	if !ok {
		w = ansi.StringWidth(s)
	}
	if c.now == nil {
		c.now = make(map[string]int, 64)
	}
	c.now[s] = w
	return w
}

// frame starts a frame: the lines of the one before it are kept, the rest
// forgotten.
func (c *lineWidths) frame() {
	c.last, c.now = c.now, make(map[string]int, len(c.now))
}

// joinColumns is lipgloss.JoinHorizontal(lipgloss.Top, left, gap, right)
// for a one-line gap: each column padded with spaces to its widest line (the
// left one to leftWidth at least: the right column stays where it is
// whatever the left's lines), the shorter one with blank lines below, each
// line measured once.
func (c *lineWidths) joinColumns(left, gap, right string, leftWidth int) string {
	l, r := strings.Split(left, "\n"), strings.Split(right, "\n")
	lw, rw := make([]int, len(l)), make([]int, len(r))
	wl, wr := leftWidth, 0
	for i, s := range l {
		lw[i] = c.width(s)
		wl = max(wl, lw[i])
	}
	for i, s := range r {
		rw[i] = c.width(s)
		wr = max(wr, rw[i])
	}
	gw := ansi.StringWidth(gap)
	n := max(len(l), len(r))
	var sb strings.Builder
	sb.Grow(len(left) + len(right) + n*(len(gap)+1))
	ends := make([]int, n)
	for i := range n {
		if i > 0 {
			sb.WriteByte('\n')
		}
		ls, lwi := "", 0
		if i < len(l) {
			ls, lwi = l[i], lw[i]
		}
		sb.WriteString(ls)
		pad(&sb, wl-lwi)
		if i == 0 {
			sb.WriteString(gap)
		} else {
			pad(&sb, gw)
		}
		rs, rwi := "", 0
		if i < len(r) {
			rs, rwi = r[i], rw[i]
		}
		sb.WriteString(rs)
		pad(&sb, wr-rwi)
		ends[i] = sb.Len()
	}
	out := sb.String()
	// Every line is wl+gw+wr cells: the screen's stack need not measure
	// them (the editor's lines meet other panel lines as they scroll, so
	// no joined line is the last frame's).
	if c.now == nil {
		c.now = make(map[string]int, 64)
	}
	for i, start := 0, 0; i < n; i++ {
		if line := out[start:ends[i]]; len(line) >= 32 {
			c.now[line] = wl + gw + wr
		}
		start = ends[i] + 1
	}
	return out
}

// pad writes n spaces.
func pad(sb *strings.Builder, n int) {
	for ; n > 0; n -= len(spaces) {
		sb.WriteString(spaces[:min(n, len(spaces))])
	}
}
