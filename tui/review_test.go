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
