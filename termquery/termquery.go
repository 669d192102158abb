// Package termquery keeps the commands that draw no screen from asking the
// terminal its background colour. Bubble Tea v1's package init asks it
// (lipgloss.HasDarkBackground, for the default renderer), and a terminal
// nobody answers for (a pty with no emulator behind it: docker run -t,
// script in CI) held every command 5 s, termenv's OSCTimeout, before it
// started (found by an adversarial run: `dmsticket version` took 5.05 s).
// So did --help, --version and --accessible, which draw no screen either.
//
// Go initializes this package before Bubble Tea: it does not import it, and
// its import path sorts first (the order the language has specified since
// Go 1.21). For a subcommand, the default renderer's background is set
// instead of asked: their output is plain text. The wizard (no subcommand)
// still asks, as its colours need the answer.
package termquery

import (
	"os"

	"github.com/charmbracelet/lipgloss"
)

// Subcommands are the names of dmsticket's subcommands (main's tests check
// that the list is whole).
var Subcommands = map[string]bool{
	"create": true, "status": true, "list": true, "submit": true, "download": true,
	"sim": true, "serve": true, "version": true, "completion": true, "help": true,
}

func init() {
	if ForCommand(os.Args[1:]) {
		lipgloss.SetHasDarkBackground(true)
	}
}

// plainFlags are the root's flags that draw no screen either: help and
// the version print text, and --accessible asks plain questions.
var plainFlags = map[string]bool{"-h": true, "--help": true, "-v": true, "--version": true, "--accessible": true}

// ForCommand reports whether args run a subcommand (one of them names it)
// or a flag that draws no screen.
func ForCommand(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if Subcommands[a] || plainFlags[a] {
			return true
		}
	}
	return false
}
