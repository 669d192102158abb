package inert

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// fuzzSeeds are hostile and ordinary strings: every kind of escape sequence,
// 7-bit and 8-bit, terminated and not, controls, bidi and broken UTF-8.
var fuzzSeeds = []string{
	"",
	"shop_production",
	"订单库 🚀 👩‍💻 e\u0301",
	"\x1b[2J\x1b[H\x1b[?1049h\x1b[1;31mred\x1b[0m",
	"\x1b]0;title\x07\x1b]2;t\x1b\\\x1b]52;c;Zm9v\x07\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\",
	"\x1bP1$r\x1b\\\x1bXs\x1b\\\x1b^p\x1b\\\x1b_Ga=T\x1b\\\x1b(0\x1b(B\x1b7\x1b8\x1bc",
	"\x9b2J\x9d0;t\x07\x9d0;t\x9c\u009b2J\u009d0;t\u009c\u0090x\u009c\u0085",
	"a\x00b\x07c\bd\re\nf\tg\x7fh\r\n",
	"\u202eevil\u202c\u2066\u2067\u2068\u2069\u200e\u200f\u061c",
	"\xff\xfe\xe4\xb8\xc0\x80\xed\xa0\x80",
	"\x1b", "\x1b[", "\x1b]", "\x1b]0;", "\x1bP", "\x1b(", "\x9b", "\u009d",
	"ab\tc\t\td\n\t订\tx",
}

// checkInert fails unless s is safe to print: valid UTF-8, no escape, no
// C0 control but the allowed ones, no DEL, no C1, no bidi control, no
// invisible character.
func checkInert(t *testing.T, name, in, out, allowed string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("%s(%q) = %q is not valid UTF-8", name, in, out)
	}
	for _, r := range out {
		bad := r < 0x20 && !strings.ContainsRune(allowed, r) || r == 0x7f || isC1(r) || isBidi(r) || isInvisible(r) && r != 0x200d
		if bad {
			t.Fatalf("%s(%q) = %q contains %U", name, in, out, r)
		}
	}
	if strings.IndexByte(out, 0x1b) >= 0 {
		t.Fatalf("%s(%q) = %q contains ESC", name, in, out)
	}
}

func addSeeds(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
}

func FuzzLine(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		out := Line(s)
		checkInert(t, "Line", s, out, "")
		if again := Line(out); again != out {
			t.Fatalf("Line is not idempotent: %q then %q", out, again)
		}
		if len(out) > 3*len(s) {
			t.Fatalf("Line(%q) grew to %d bytes", s, len(out))
		}
	})
}

func FuzzText(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		checkInert(t, "Text", s, out, "\n")
		if again := Text(out); again != out {
			t.Fatalf("Text is not idempotent: %q then %q", out, again)
		}
		// Text and Line agree on everything but line breaks and tabs.
		flat := strings.ReplaceAll(out, "\n", " ")
		if line := Line(s); strings.ReplaceAll(line, " ", "") != strings.ReplaceAll(flat, " ", "") {
			t.Fatalf("Text(%q) = %q and Line = %q differ beyond blanks", s, out, line)
		}
	})
}

func FuzzVisible(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		out := Visible(s)
		checkInert(t, "Visible", s, out, "\t\n")
		if utf8.RuneCountInString(out) != utf8.RuneCountInString(s) {
			t.Fatalf("Visible(%q) = %q changed the rune count", s, out)
		}
		if again := Visible(out); again != out {
			t.Fatalf("Visible is not idempotent: %q then %q", out, again)
		}
	})
}

func FuzzTruncate(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, 5)
	}
	f.Fuzz(func(t *testing.T, s string, width int) {
		width %= 200
		out := Truncate(s, width)
		checkInert(t, "Truncate", s, out, "")
		if w := ansi.StringWidth(out); w > max(width, 0) {
			t.Fatalf("Truncate(%q, %d) = %q is %d cells wide", s, width, out, w)
		}
		if line := Line(s); ansi.StringWidth(line) <= width && out != line {
			t.Fatalf("Truncate(%q, %d) = %q cut a line that fits", s, width, out)
		}
	})
}
