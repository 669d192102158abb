package server

import (
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// newRenderer builds a session's renderer without asking the client's
// terminal anything (STYLE.md trap 3): the colour profile comes from the TERM
// the client sent with its pty request (and COLORTERM, if it sent that), the
// background is taken to be dark.
func newRenderer(w io.Writer, term string, environ []string) *lipgloss.Renderer {
	p := colorProfile(term, environ)
	r := lipgloss.NewRenderer(w, termenv.WithProfile(p), termenv.WithUnsafe())
	r.SetColorProfile(p)
	r.SetHasDarkBackground(true)
	return r
}

// colorProfile maps a client's TERM (and COLORTERM) to a colour profile:
// truecolor when either says so, 256 colours for *-256color, none for dumb
// or no TERM, 16 colours otherwise.
func colorProfile(term string, environ []string) termenv.Profile {
	term = strings.ToLower(term)
	ct := strings.ToLower(getenv(environ, "COLORTERM"))
	switch {
	case term == "" || term == "dumb":
		return termenv.Ascii
	case ct == "truecolor" || ct == "24bit" || strings.Contains(term, "truecolor") || strings.Contains(term, "24bit") || strings.HasSuffix(term, "-direct"):
		return termenv.TrueColor
	case strings.Contains(term, "256color"):
		return termenv.ANSI256
	}
	return termenv.ANSI
}

// noColor reports that the client asked for no colour: NO_COLOR set and not
// empty in the session's environment (OpenSSH sends it with SendEnv NO_COLOR).
func noColor(environ []string) bool { return getenv(environ, "NO_COLOR") != "" }

func getenv(environ []string, key string) string {
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}
