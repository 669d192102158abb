package inert

import (
	"strings"
	"unicode/utf8"
)

// Visible is for an editor: instead of removing control characters it
// replaces each with a visible symbol, so the user sees that something is
// there and can delete it. A C0 control becomes its Control Pictures symbol
// (U+2400 + c: ESC is ␛, so an escape sequence shows as "␛[2J"), DEL becomes
// ␡, and a C1 control, a bidi control, an invisible character (a zero-width
// space, say) or an invalid byte becomes U+FFFD.
// Tab and newline are kept.
//
// Visible maps one to one: the result has as many runes as s (counting each
// invalid byte as one), so cursor positions carry over.
func Visible(s string) string {
	i := firstUnsafe(s, modeVisible)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\t' || c == '\n' || c >= ' ' && c < 0x7f:
				b.WriteByte(c)
			case c == 0x7f:
				b.WriteRune('\u2421')
			default:
				b.WriteRune(0x2400 + rune(c))
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || isC1(r) || isBidi(r) || isInvisible(r) && !emojiJoiner(s, i, r, size) {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
