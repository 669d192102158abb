package inert

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Line makes s safe to draw on one line. Escape sequences and control
// characters are removed; tab, newline and carriage return each become one
// space, so words stay apart; invalid UTF-8 becomes U+FFFD and bidi controls
// are removed.
func Line(s string) string {
	i := firstUnsafe(s, modeLine)
	if i < 0 {
		return s
	}
	return clean(s, i, modeLine)
}

// Text makes multi-line s safe to draw. It is Line, except that line breaks
// are kept, normalised to '\n' ("\r\n" and a lone '\r' each become one
// '\n'), and a tab becomes spaces up to the next multiple of 4 columns,
// counted in display cells as lipgloss counts them.
func Text(s string) string {
	i := firstUnsafe(s, modeText)
	if i < 0 {
		return s
	}
	return clean(s, i, modeText)
}

type mode uint8

const (
	modeLine mode = iota
	modeText
	modeVisible
)

// firstUnsafe returns the offset of the first byte of s that m changes, or
// -1 when s is clean for m.
func firstUnsafe(s string, m mode) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= ' ' && c < 0x7f || c == '\n' && m != modeLine || c == '\t' && m == modeVisible {
				i++
				continue
			}
			return i
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || isC1(r) || isBidi(r) || isInvisible(r) && !emojiJoiner(s, i, r, size) {
			return i
		}
		i += size
	}
	return -1
}

// clean does the work of Line and Text from offset i, the first unsafe byte.
func clean(s string, i int, m mode) string {
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])

	// For tab stops (Text): col is the width of the current output line up
	// to offset measured in b; what follows measured is not counted yet.
	col, measured := 0, strings.LastIndexByte(s[:i], '\n')+1

	for i < len(s) {
		c := s[i]
		switch {
		case c >= ' ' && c < 0x7f:
			j := i + 1
			for j < len(s) && s[j] >= ' ' && s[j] < 0x7f {
				j++
			}
			b.WriteString(s[i:j])
			i = j
		case c == 0x1b:
			i = skipEscape(s, i+1)
		case c == '\t' && m == modeText:
			out := b.String()
			col += ansi.StringWidth(out[measured:])
			n := 4 - col%4
			b.WriteString("    "[:n])
			col += n
			measured = b.Len()
			i++
		case c == '\n' || c == '\r':
			if m == modeLine {
				b.WriteByte(' ')
			} else if c == '\n' || i+1 >= len(s) || s[i+1] != '\n' {
				b.WriteByte('\n')
				col, measured = 0, b.Len()
			}
			i++
		case c == '\t':
			b.WriteByte(' ')
			i++
		case c < utf8.RuneSelf:
			i++ // other C0 controls and DEL
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				if c <= 0x9f {
					// A raw 8-bit C1 control, not UTF-8 at all.
					i = skipC1(s, i+1, rune(c))
				} else {
					b.WriteRune(utf8.RuneError)
					i++
				}
			case isC1(r):
				i = skipC1(s, i+size, r)
			case isBidi(r):
				i += size
			case isInvisible(r) && !emojiJoiner(s, i, r, size):
				// Shown, not removed: "orders\u200b" must not look like
				// "orders".
				fmt.Fprintf(&b, "<U+%04X>", r)
				i += size
			default:
				b.WriteString(s[i : i+size])
				i += size
			}
		}
	}
	return b.String()
}

// skipEscape returns the offset after the escape sequence whose ESC was just
// before i. An ESC that starts no sequence is removed alone.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch c := s[i]; {
	case c == '[':
		return skipCSI(s, i+1)
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		// OSC, DCS, SOS, PM, APC: a control string.
		return skipControlString(s, i+1)
	case c >= 0x20 && c <= 0x2f:
		// Intermediate bytes, then a final byte: ESC ( B and the like.
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
			i++
		}
		return i
	case c >= 0x30 && c <= 0x7e:
		return i + 1 // ESC c, ESC 7, ESC =, …
	default:
		return i
	}
}

// skipC1 returns the offset after what the C1 control r, which ends just
// before i, introduces: the rest of a CSI sequence or a control string.
func skipC1(s string, i int, r rune) int {
	switch r {
	case 0x9b: // CSI
		return skipCSI(s, i)
	case 0x9d, 0x90, 0x98, 0x9e, 0x9f: // OSC, DCS, SOS, PM, APC
		return skipControlString(s, i)
	}
	return i
}

// skipCSI skips a CSI sequence's parameter and intermediate bytes and its
// final byte. A sequence broken by any other byte ends there; that byte is
// then read as text, which is harmless once the introducer is gone.
func skipCSI(s string, i int) int {
	for i < len(s) && s[i] >= 0x30 && s[i] <= 0x3f {
		i++
	}
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipControlString skips the payload of an OSC, DCS, SOS, PM or APC string
// and its terminator: BEL, ST (ESC \ or the C1 ST, encoded or raw), or CAN
// or SUB, which abort it. Another ESC also ends it and is then read as the
// start of a new sequence. An unterminated string runs to the end of s.
func skipControlString(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch {
		case c == 0x07 || c == 0x18 || c == 0x1a || c == 0x9c:
			return i + 1
		case c == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			i += size
			if r == 0x9c {
				return i
			}
		}
	}
	return i
}

func isC1(r rune) bool { return r >= 0x80 && r <= 0x9f }

// isInvisible reports whether r is drawn as nothing (or as blank) by
// terminals, so that a name holding it looks like another: zero-width
// spaces and joiners, the word joiner, the byte order mark, the soft hyphen,
// invisible operators, Hangul fillers, tags. Line and Text show it as
// <U+XXXX>; Visible as U+FFFD. Variation selectors are left alone: emoji
// need them.
func isInvisible(r rune) bool {
	switch {
	case r < 0xad:
		return false
	case r == 0xad, r == 0x034f, r == 0x115f, r == 0x1160, r == 0x17b4, r == 0x17b5,
		r >= 0x180b && r <= 0x180f, r >= 0x200b && r <= 0x200d, r >= 0x2060 && r <= 0x2065,
		r >= 0x206a && r <= 0x206f, r == 0x3164, r == 0xfeff, r == 0xffa0, r >= 0xfff9 && r <= 0xfffb,
		r >= 0x1bca0 && r <= 0x1bca3, r >= 0x1d173 && r <= 0x1d17a, r >= 0xe0000 && r <= 0xe007f:
		return true
	}
	return false
}

// emojiJoiner reports whether r, a zero-width joiner at s[i:i+size], joins
// two emoji into one (👩‍💻): that one is kept as it is.
func emojiJoiner(s string, i int, r rune, size int) bool {
	if r != 0x200d || i == 0 || i+size >= len(s) {
		return false
	}
	prev, _ := utf8.DecodeLastRuneInString(s[:i])
	next, _ := utf8.DecodeRuneInString(s[i+size:])
	return isEmoji(prev) && isEmoji(next)
}

// isEmoji is a rough test for the pictographs emoji sequences join (and the
// variation selector that may end one).
func isEmoji(r rune) bool {
	return r >= 0x1f000 && r <= 0x1faff || r >= 0x2600 && r <= 0x27bf || r == 0xfe0f || r >= 0x1f3fb && r <= 0x1f3ff
}

// isBidi reports whether r is a bidirectional formatting character, which
// can make text display in an order other than the one it is stored in.
func isBidi(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 ||
		r == 0x200e || r == 0x200f || r == 0x061c
}
