package editor

import (
	"os"
	"strconv"
	"unicode"

	"github.com/clipperhouse/displaywidth"
)

// widthOptions measures runes the way lipgloss.Width (charmbracelet/x/ansi)
// does, including its RUNEWIDTH_EASTASIAN switch, so the columns the editor
// computes are the columns lipgloss and the wizard's layout see.
var widthOptions = func() displaywidth.Options {
	o := displaywidth.Options{}
	if ea, err := strconv.ParseBool(os.Getenv("RUNEWIDTH_EASTASIAN")); err == nil && ea {
		o.EastAsianWidth = true
	}
	return o
}()

// displayRune returns what is drawn for c, and how many cells it takes.
// Nothing invisible or able to move the terminal's cursor is drawn as is:
//
//   - a tab is tabWidth blank cells (a renderer draws them: displayRune
//     gives one rune);
//   - other C0 controls become their Control Pictures (ESC is ␛), DEL is ␡;
//   - C1 controls, format characters (bidirectional overrides, zero-width
//     joiners and spaces, …) and line or paragraph separators become U+FFFD;
//   - the emoji presentation selector U+FE0F is dropped (it would make
//     lipgloss count the rune before it as two cells).
//
// A zero width result (combining marks) joins the rune before it.
func displayRune(c rune) (rune, int) {
	if c >= 0x20 && c < 0x7f {
		return c, 1
	}
	switch {
	case c == '\t':
		return ' ', tabWidth // drawn as that many blank cells
	case c < 0x20:
		c = 0x2400 + c
	case c == 0x7f:
		c = 0x2421
	case c < 0xa0:
		c = unicode.ReplacementChar
	case c == 0xfe0f:
		return 0, 0
	case unicode.Is(unicode.Cf, c) || unicode.Is(unicode.Zl, c) || unicode.Is(unicode.Zp, c):
		c = unicode.ReplacementChar
	}
	return c, widthOptions.Rune(c)
}

// cellWidth is the number of cells rune c takes on screen.
func cellWidth(c rune) int {
	if c >= 0x20 && c < 0x7f {
		return 1
	}
	_, w := displayRune(c)
	return w
}

// cellsOf returns the display width of r.
func cellsOf(r []rune) int {
	n := 0
	for _, c := range r {
		n += cellWidth(c)
	}
	return n
}
