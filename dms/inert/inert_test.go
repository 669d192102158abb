package inert

import (
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

func TestLineRemovesWhatWouldDriveTheTerminal(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"clear screen and home", "\x1b[2J\x1b[Hshop", "shop"},
		{"cursor movement", "sh\x1b[10;20Hop", "shop"},
		{"private mode: alternate screen", "\x1b[?1049hshop", "shop"},
		{"colour", "\x1b[1;31mshop\x1b[0m", "shop"},
		{"window title with BEL", "\x1b]0;pwned\x07shop", "shop"},
		{"window title with ST", "\x1b]2;pwned\x1b\\shop", "shop"},
		{"clipboard write (OSC 52)", "shop\x1b]52;c;cm0gLXJmIH4K\x07", "shop"},
		{"hyperlink keeps its text", "\x1b]8;;https://evil.example\x1b\\shop\x1b]8;;\x1b\\", "shop"},
		{"unterminated OSC runs to the end", "shop\x1b]0;never ends", "shop"},
		{"OSC ended by CAN", "\x1b]0;x\x18shop", "shop"},
		{"OSC ended by another escape", "\x1b]0;x\x1b[2Jshop", "shop"},
		{"OSC payload with UTF-8 holding byte 0x9c", "\x1b]0;\u015c\x07shop", "shop"},
		{"DCS", "\x1bP1$r0m\x1b\\shop", "shop"},
		{"SOS", "\x1bXhidden\x1b\\shop", "shop"},
		{"PM", "\x1b^hidden\x1b\\shop", "shop"},
		{"APC: kitty graphics", "\x1b_Gf=100;AAAA\x1b\\shop", "shop"},
		{"charset designation", "\x1b(0shop\x1b(B", "shop"},
		{"save and restore cursor", "\x1b7shop\x1b8", "shop"},
		{"reset terminal", "\x1bcshop", "shop"},
		{"lone escape at the end", "shop\x1b", "shop"},
		{"escape before a non-ASCII letter", "\x1bésh", "ésh"},
		{"escape escape", "\x1b\x1b[2Jshop", "shop"},
		{"broken CSI leaves only text", "\x1b[31\x07shop", "shop"},
		{"raw 8-bit CSI", "sh\x9b2Jop", "shop"},
		{"raw 8-bit OSC", "sh\x9d0;pwned\x07op", "shop"},
		{"raw 8-bit OSC ended by raw ST", "sh\x9d0;pwned\x9cop", "shop"},
		{"encoded C1 CSI", "sh\u009b2Jop", "shop"},
		{"encoded C1 OSC and ST", "sh\u009d0;pwned\u009cop", "shop"},
		{"encoded C1 DCS", "sh\u0090x\u009cop", "shop"},
		{"other C1: NEL", "sh\u0085op", "shop"},
		{"bell", "shop\x07", "shop"},
		{"backspaces cannot overwrite", "prod\b\b\b\btest", "prodtest"},
		{"carriage return cannot overwrite", "prod\rtest", "prod test"},
		{"newline and tab become spaces", "a\nb\tc\r\nd", "a b c  d"},
		{"NUL and DEL", "s\x00ho\x7fp", "shop"},
		{"right-to-left override", "invoice\u202eexe.pdf", "invoiceexe.pdf"},
		{"isolates and marks", "\u2066a\u2067b\u2068c\u2069\u200e\u200f\u061c", "abc"},
		{"embeddings", "\u202aa\u202bb\u202c\u202dc", "abc"},
		{"invalid UTF-8", "caf\xe9 \xff", "caf\uFFFD \uFFFD"},
		{"zero-width space is shown", "orders\u200b", "orders<U+200B>"},
		{"zero-width non-joiner and joiner are shown", "ord\u200cer\u200ds", "ord<U+200C>er<U+200D>s"},
		{"word joiner is shown", "or\u2060ders", "or<U+2060>ders"},
		{"byte order mark is shown", "\ufefforders", "<U+FEFF>orders"},
		{"soft hyphen is shown", "or\u00adders", "or<U+00AD>ders"},
		{"a tag character is shown", "orders\U000E0041", "orders<U+E0041>"},
		{"an emoji's variation selector stays", "ok \u2764\ufe0f", "ok \u2764\ufe0f"},
		{"a joiner inside an emoji sequence stays", "dev 👩\u200d💻", "dev 👩\u200d💻"},
		{"a joiner after an emoji but before a letter is shown", "👩\u200dx", "👩<U+200D>x"},
		{"truncated UTF-8", "ok\xe4\xb8", "ok\uFFFD\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Line(tt.in); got != tt.want {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCleanTextIsReturnedAsIsWithoutAllocating(t *testing.T) {
	line := "订单库 prod_shop@rm-bp1.mysql:3306 🚀 naïve — e\u0301 👩‍💻"
	text := "SELECT 1;\nSELECT '订单';\n"
	for name, f := range map[string]func(string) string{"Line": Line, "Text": Text, "Visible": Visible} {
		for _, s := range []string{"", line, text} {
			if name == "Line" && s == text {
				continue
			}
			if got := f(s); got != s {
				t.Errorf("%s(%q) = %q, want it unchanged", name, s, got)
			}
			if n := testing.AllocsPerRun(100, func() { f(s) }); n != 0 {
				t.Errorf("%s(%q) allocates %v times", name, s, n)
			}
		}
	}
	if n := testing.AllocsPerRun(100, func() { Truncate(line, 80) }); n != 0 {
		t.Errorf("Truncate of a fitting clean line allocates %v times", n)
	}
}

func TestTextKeepsLinesAndExpandsTabs(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"newlines kept", "a\nb\n", "a\nb\n"},
		{"CRLF becomes LF", "a\r\nb\r\n", "a\nb\n"},
		{"lone CR becomes LF", "a\rb", "a\nb"},
		{"CR at the end", "a\r", "a\n"},
		{"LF CR is two breaks", "a\n\rb", "a\n\nb"},
		{"tab at line start", "\tx", "    x"},
		{"tab to the next stop", "ab\tc", "ab  c"},
		{"tab at a stop", "abcd\te", "abcd    e"},
		{"two tabs", "a\tb\tc", "a   b   c"},
		{"tab stops restart on each line", "abc\nx\ty", "abc\nx   y"},
		{"tab stops restart after CRLF", "abc\r\nx\ty", "abc\nx   y"},
		{"wide characters take two columns", "订\tx", "订  x"},
		{"combining marks take none", "e\u0301\tx", "e\u0301   x"},
		{"removed escapes take none", "a\x1b[31m\tb", "a   b"},
		{"escapes still removed", "err\x1b]0;t\x07or\x1b[2J\n", "error\n"},
		{"other controls removed", "a\x00\x07\x7fb", "ab"},
		{"bidi removed", "a\u202eb", "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestVisibleShowsControlsInsteadOfRemovingThem(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"escape sequence", "\x1b[2Jx", "␛[2Jx"},
		{"NUL and BEL", "a\x00b\x07", "a␀b␇"},
		{"DEL", "a\x7f", "a␡"},
		{"tab and newline kept", "a\tb\nc", "a\tb\nc"},
		{"CR shown", "a\r\nb", "a␍\nb"},
		{"encoded C1", "a\u009bb", "a\uFFFDb"},
		{"raw C1 byte", "a\x9bb", "a\uFFFDb"},
		{"bidi", "a\u202eb", "a\uFFFDb"},
		{"invalid UTF-8, one mark per byte", "a\xe4\xb8b", "a\uFFFD\uFFFDb"},
		{"unicode kept", "订单 🚀", "订单 🚀"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Visible(tt.in)
			if got != tt.want {
				t.Errorf("Visible(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if utf8.RuneCountInString(got) != utf8.RuneCountInString(tt.in) {
				t.Errorf("Visible(%q) has %d runes, input %d", tt.in, utf8.RuneCountInString(got), utf8.RuneCountInString(tt.in))
			}
		})
	}
}

func TestTruncateCutsToDisplayWidthWithAnEllipsis(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		width int
		want  string
	}{
		{"fits", "shop", 4, "shop"},
		{"cut", "shop_production", 8, "shop_pr…"},
		{"width one", "shop", 1, "…"},
		{"width zero", "shop", 0, ""},
		{"negative width", "shop", -3, ""},
		{"wide characters", "订单数据库", 5, "订单…"},
		{"wide character does not fit the last cell", "订单数据库", 6, "订单…"},
		{"cleaned before measuring", "\x1b[31mshop\x1b[0m", 4, "shop"},
		{"control removed, not counted", "sh\x00op", 4, "shop"},
		{"emoji sequence kept whole", "👩‍💻👩‍💻", 3, "👩‍💻…"},
		{"newline becomes a space", "a\nb", 3, "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Truncate(tt.in, tt.width)
			if got != tt.want {
				t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
			}
			if w := ansi.StringWidth(got); w > max(tt.width, 0) {
				t.Errorf("Truncate(%q, %d) is %d cells wide", tt.in, tt.width, w)
			}
		})
	}
}
