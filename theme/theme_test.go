package theme

import (
	"bytes"
	"reflect"

	"github.com/alecthomas/chroma/v2"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

func renderer(p termenv.Profile, dark bool) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(&bytes.Buffer{})
	r.SetColorProfile(p)
	r.SetHasDarkBackground(dark)
	return r
}

// TestHuhThemeColoursComeFromTheSessionRenderer guards STYLE.md trap 1: huh's
// own themes use the global renderer, which has no colour in an SSH daemon.
func TestHuhThemeColoursComeFromTheSessionRenderer(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii) // the daemon's global renderer: no colour
	defer lipgloss.SetColorProfile(termenv.Ascii)
	s := New(renderer(termenv.TrueColor, true), false)
	th := s.Huh()
	out := th.Focused.Title.Render("Comment")
	if !strings.Contains(out, "\x1b[") {
		t.Fatalf("focused title drawn without colour: %q", out)
	}
	if got := th.Focused.TextInput.Prompt.Render(">"); !strings.Contains(got, "\x1b[") {
		t.Fatalf("prompt drawn without colour: %q", got)
	}
}

func TestMonoStylesDrawNoColourButKeepEmphasis(t *testing.T) {
	s := New(renderer(termenv.TrueColor, true), true)
	out := s.Badge("PRODUCTION", Danger) + s.Title.Render("x") + s.Syntax(0).Render("y")
	if strings.Contains(out, "38;2") || strings.Contains(out, "48;2") {
		t.Fatalf("colour in mono output: %q", out)
	}
	if !strings.Contains(s.Badge("PRODUCTION", Danger), "7") {
		t.Fatalf("production badge should stand out in reverse video: %q", s.Badge("PRODUCTION", Danger))
	}
	if s.Formatter() != nil {
		t.Fatal("mono must not use a chroma colour formatter")
	}
}

func TestFormatterFollowsTheColourProfile(t *testing.T) {
	format := func(s *Styles) string {
		var b bytes.Buffer
		it := chroma.Literator(chroma.Token{Type: chroma.Keyword, Value: "SELECT"})
		if err := s.Formatter().Format(&b, s.ChromaStyle(), it); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	for p, want := range map[termenv.Profile]string{termenv.TrueColor: "38;2;", termenv.ANSI256: "38;5;"} {
		if got := format(New(renderer(p, true), false)); !strings.Contains(got, want) {
			t.Errorf("%v: %q lacks %q", p, got, want)
		}
	}
	if got := format(New(renderer(termenv.ANSI, true), false)); strings.Contains(got, "38;5;") || strings.Contains(got, "38;2;") || !strings.Contains(got, "\x1b[") {
		t.Errorf("ANSI: %q is not 16-colour", got)
	}
	if New(renderer(termenv.Ascii, true), false).Formatter() != nil {
		t.Error("ASCII profile must draw plain text")
	}
}

func TestLightAndDarkPalettesDiffer(t *testing.T) {
	if reflect.DeepEqual(Colour(true), Colour(false)) {
		t.Fatal("the light palette is the dark one")
	}
}

// TestPaletteIsConvertedOncePerProfile: a 256-colour renderer draws the same
// colour from the converted palette as lipgloss would from the hex one.
func TestPaletteIsConvertedOncePerProfile(t *testing.T) {
	for _, p := range []termenv.Profile{termenv.ANSI256, termenv.ANSI} {
		r := renderer(p, true)
		s := New(r, false)
		hex := Colour(true)
		want := r.NewStyle().Foreground(hex.Danger).Render("x")
		if got := s.Error.Render("x"); got != want {
			t.Errorf("%v: converted %q, hex %q", p, got, want)
		}
		if _, ok := s.P.Danger.(lipgloss.Color); !ok || strings.HasPrefix(string(s.P.Danger.(lipgloss.Color)), "#") {
			t.Errorf("%v: palette still hex: %v", p, s.P.Danger)
		}
	}
}
