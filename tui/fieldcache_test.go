package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// The details form's fields keep their last view only while nothing that
// can change it has reached them: after every key of a walk through the
// form (typing, moving on and back, a value refused on leaving its field,
// the confirm that shows the reason's group, a resize), each kept view is
// what the field draws afresh.
func TestTheDetailsFormNeverShowsAStaleField(t *testing.T) {
	sim := newSimulator(t)
	tk := readyExport(devDB)
	tk.Comment, tk.Text, tk.RelatedUsers = "", nil, nil
	d := newDirect(t, sim.client, tk, StepDetails)
	// Keys go straight to Update: the form's own moves are settled inside
	// it (settleForm), and its blink timers are not waited for.
	send := func(msg tea.Msg) { d.m.Update(msg) }
	checks := 0
	check := func(what string) {
		t.Helper()
		_ = d.m.View()
		st := d.m.steps[StepDetails].(*detailsStep)
		if len(st.fields) == 0 {
			t.Fatal("the details step has no fields")
		}
		for _, c := range st.fields {
			if !c.valid {
				continue
			}
			checks++
			if fresh := c.Field.View(); c.view != fresh {
				t.Fatalf("after %s, %s shows a stale view:\n%s\nit draws:\n%s", what, c.GetKey(), c.view, fresh)
			}
		}
	}
	typ := func(s string) {
		t.Helper()
		for _, r := range s {
			send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
			check("typing " + string(r))
		}
	}
	press := func(k tea.KeyType, what string) {
		t.Helper()
		send(tea.KeyMsg{Type: k})
		check(what)
	}
	check("the form is drawn")
	typ("q3 export")
	press(tea.KeyEnter, "enter on the comment")
	typ("finance")
	press(tea.KeyEnter, "enter on the reason")
	typ("x1") // not a user ID: refused when the field is left
	press(tea.KeyEnter, "enter on a refused related user")
	press(tea.KeyShiftTab, "shift+tab back to the reason")
	typ(" report")
	press(tea.KeyTab, "tab to the related users")
	press(tea.KeyCtrlU, "ctrl+u clearing the related users")
	typ("2000002")
	press(tea.KeyEnter, "enter on the related users")
	press(tea.KeyEnter, "enter on the attachment")
	press(tea.KeyLeft, "left on the ignore confirm (shows the reason's group)")
	press(tea.KeyRight, "right on the ignore confirm (hides it)")
	press(tea.KeyLeft, "left on the ignore confirm again")
	send(tea.WindowSizeMsg{Width: 80, Height: 24})
	check("a resize")
	press(tea.KeyShiftTab, "shift+tab back to the attachment")
	typ("key-1")
	press(tea.KeyEnter, "enter on the attachment")
	if checks < 100 {
		t.Fatalf("only %d kept views were compared: the walk did not reach the form", checks)
	}
}

// A resize lays the details form out again at once, whatever was chosen
// before it: after "Yes" on the ignore confirm, a window made wider still
// showed the form wrapped at the old width until the next key.
func TestTheDetailsFormFollowsAResizeAtOnce(t *testing.T) {
	sim := newSimulator(t)
	tk := readyExport(devDB)
	d := newDirect(t, sim.client, tk, StepDetails)
	d.m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	st := d.m.steps[StepDetails].(*detailsStep)
	for i := 0; i < 6 && st.form.GetFocusedField().GetKey() != "ignore"; i++ {
		d.m.Update(tea.KeyMsg{Type: tea.KeyTab})
	}
	d.m.Update(tea.KeyMsg{Type: tea.KeyLeft}) // yes, with a reason
	_ = d.m.View()
	d.m.Update(tea.WindowSizeMsg{Width: 140, Height: 40})
	view := d.m.View()
	if !strings.Contains(view, "the review shows the figure the ticket carries.") {
		t.Fatalf("the form is not laid out for 140 columns:\n%s", view)
	}
}

// The form is laid out again when the room above it changes, not at the
// next message: a refused attachment key puts an error above the form and
// takes its rows; the screen showed the form cut at its old height (over
// SSH, where no cursor blink comes, until the next key).
func TestTheDetailsFormIsLaidOutWhenAnErrorTakesItsRoom(t *testing.T) {
	sim := newSimulator(t)
	d := newDirect(t, sim.client, readyExport(devDB), StepDetails)
	d.m.Update(tea.WindowSizeMsg{Width: 100, Height: 18})
	st := d.m.steps[StepDetails].(*detailsStep)
	for i := 0; i < 6 && st.form.GetFocusedField().GetKey() != "attachment"; i++ {
		d.m.Update(tea.KeyMsg{Type: tea.KeyTab})
	}
	for _, r := range "a b" {
		d.m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	d.m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	shown := d.m.View()
	if !strings.Contains(shown, "one key, without spaces") {
		t.Fatalf("no error for the key:\n%s", shown)
	}
	d.m.Update(struct{}{}) // any message: what the screen should already show
	if settled := d.m.View(); settled != shown {
		t.Fatalf("the screen changed at the next message; it showed:\n%s\nand should have shown:\n%s", shown, settled)
	}
}

// Going back from an empty required field that is alone on its page (the
// reason to ignore the check) is refused with its error, and the field
// keeps the keys: huh blurred it and then refused the move, so every key
// after was dropped and only esc got out.
func TestGoingBackFromAnEmptyRequiredPageKeepsTheField(t *testing.T) {
	sim := newSimulator(t)
	d := newDirect(t, sim.client, readyExport(devDB), StepDetails)
	st := d.m.steps[StepDetails].(*detailsStep)
	for i := 0; i < 6 && st.form.GetFocusedField().GetKey() != "ignore"; i++ {
		d.m.Update(tea.KeyMsg{Type: tea.KeyTab})
	}
	d.m.Update(tea.KeyMsg{Type: tea.KeyLeft}) // yes, with a reason
	d.m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if k := st.form.GetFocusedField().GetKey(); k != "reason" {
		t.Fatalf("focused %s, want the reason", k)
	}
	d.m.Update(tea.KeyMsg{Type: tea.KeyShiftTab})
	for _, r := range "why" {
		d.m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	if got := d.m.s.ticket.IgnoreAffectRowsReason; got != "why" {
		t.Fatalf("the reason is %q after typing \"why\"; the screen:\n%s", got, d.m.View())
	}
}
