package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestTheSchemaNameConfirmationIsSeenInTheSmallestWindow: at 60×16 (and
// 80×16) the summary gives up its lines before the dialog does: the typed
// name and the refusal are on the screen, and the frame fits the window.
func TestTheSchemaNameConfirmationIsSeenInTheSmallestWindow(t *testing.T) {
	for _, size := range [][2]int{{60, 16}, {80, 16}, {60, 17}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			sim := newSimulator(t)
			u := startUI(t, testOptions(sim.client), 100, 30)
			u.toExportReview("orders", "SELECT id, total FROM orders WHERE total > 100")
			u.tm.Send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			u.enter()
			u.waitText("type its schema name")
			u.typ("ordrs")
			s := u.waitText("ordrs")
			if n := strings.Count(s.view, "\n") + 1; n > size[1] {
				t.Fatalf("the frame is %d lines in a %d-line window:\n%s", n, size[1], s.view)
			}
			u.enter()
			s = u.waitText("That is not the schema name")
			if n := strings.Count(s.view, "\n") + 1; n > size[1] || !strings.Contains(s.view, "ordrs") {
				t.Fatalf("the refusal's frame (%d lines in %d) lost the typed name:\n%s", n, size[1], s.view)
			}
		})
	}
}

// TestASchemaNamePastedWithItsLineEndingConfirms: the name copied with a
// triple click comes with its newline, which the input shows as nothing: it
// is the name as the screen shows it (it was refused).
func TestASchemaNamePastedWithItsLineEndingConfirms(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.toExportReview("orders", "SELECT id, total FROM orders WHERE total > 100")
	u.enter()
	u.waitText("type its schema name")
	u.paste("orders\n")
	u.enter()
	u.waitText("Ticket created")
}

// TestEscClosesTheHelpAndStaysOnTheStep: esc with the help shown closes it;
// the step behind it is not left (on the SQL step it went back to the
// database step; on the type step the help stayed open).
func TestEscClosesTheHelpAndStaysOnTheStep(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.waitText("What kind of ticket?")
	u.key(tea.KeyF1)
	u.waitText("↑/↓    move")
	u.key(tea.KeyEsc)
	u.waitFor("the help closed on the type step", func(s snapshot) bool {
		return s.step == StepType && !strings.Contains(s.view, "↑/↓    move")
	})
	u.toSQL("orders_dev")
	u.key(tea.KeyF1)
	u.waitText("f1   close help")
	u.key(tea.KeyEsc)
	s := u.waitFor("the help closed", func(s snapshot) bool { return !strings.Contains(s.view, "f1   close help") })
	if s.step != StepSQL {
		t.Fatalf("esc with the help shown left the SQL step for %v", s.step)
	}
}
