package inert

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// JSON makes JSON text safe to draw without changing what it says: each
// character Line and Text would remove or mark (DEL, a C1 or bidi control,
// an invisible character) is written as a \u escape, which every JSON
// reader reads as that same character. The C0 controls (ESC, say) are
// escaped by every JSON encoder already. So the JSON a user reviews is the
// JSON sent, to the byte, and a control character in a value can neither
// drive the terminal nor hide what follows it: "/*\u009b*/ OR 1=1" shows as
// that, where Text removed the CSI and "*/ O" with it.
//
// js must be JSON as encoding/json writes it (valid UTF-8: the characters
// escaped can stand only inside its strings); an invalid byte, which no
// encoder writes, becomes \ufffd.
func JSON(js string) string {
	i := firstUnsafeJSON(js)
	if i < 0 {
		return js
	}
	var b strings.Builder
	b.Grow(len(js) + 16)
	b.WriteString(js[:i])
	for i < len(js) {
		r, size := utf8.DecodeRuneInString(js[i:])
		switch {
		case !unsafeInJSON(js, i, r, size):
			b.WriteString(js[i : i+size])
		case r > 0xffff: // a tag character: a surrogate pair, as JSON writes it
			hi, lo := utf16.EncodeRune(r)
			writeU(&b, hi)
			writeU(&b, lo)
		default: // an invalid byte is r, U+FFFD
			writeU(&b, r)
		}
		i += size
	}
	return b.String()
}

func writeU(b *strings.Builder, u rune) {
	h := strconv.FormatUint(uint64(u), 16)
	b.WriteString(`\u` + strings.Repeat("0", 4-len(h)) + h)
}

func firstUnsafeJSON(js string) int {
	for i := 0; i < len(js); {
		if c := js[i]; c < utf8.RuneSelf {
			if c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(js[i:])
		if unsafeInJSON(js, i, r, size) {
			return i
		}
		i += size
	}
	return -1
}

// unsafeInJSON reports whether the character r at js[i:i+size] is one that
// Line and Text would not draw as it is.
func unsafeInJSON(js string, i int, r rune, size int) bool {
	return r == 0x7f || r == utf8.RuneError && size == 1 || isC1(r) || isBidi(r) ||
		isInvisible(r) && !emojiJoiner(js, i, r, size)
}

// Shown is s on one line as a user must see ticket text (a comment, a
// field's value) to know what is sent: every character is there, a control
// character as a visible symbol (Visible: ESC is ␛, a C1 or bidi control
// U+FFFD), tab and line breaks as spaces. Line, made for names and messages
// from elsewhere, removes escape sequences whole, and with them the text a
// sequence swallows.
func Shown(s string) string { return Line(Visible(s)) }
