package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// keyCounter counts the keys a person presses: every typed character, and
// every key.
type keyCounter struct {
	u *ui
	n int
}

func (k *keyCounter) typ(s string)         { k.n += len([]rune(s)); k.u.typ(s) }
func (k *keyCounter) key(t tea.KeyType)    { k.n++; k.u.key(t) }
func (k *keyCounter) enter()               { k.key(tea.KeyEnter) }
func (k *keyCounter) press(r string)       { k.n += len([]rune(r)); k.u.runes(r) }
func (k *keyCounter) field(value string)   { k.typ(value); k.enter() }
func (k *keyCounter) wait(text string)     { k.u.t.Helper(); k.u.waitText(text) }
func (k *keyCounter) waitField(key string) { k.u.t.Helper(); k.u.waitField(key) }

// TestKeystrokesOfThePractisedPath counts the keys of an export on a dev
// database: the first ticket of a user (nothing remembered), the next one
// on the same database (recent database, remembered tenant and related
// users), and one filed again from My tickets. The README quotes the
// figures (go test ./tui -run Keystrokes -v).
func TestKeystrokesOfThePractisedPath(t *testing.T) {
	sim := newSimulator(t)
	o, _ := historyOptions(t, sim)
	u := startUI(t, o, 100, 30)
	sql := "SELECT id, total FROM orders WHERE total > 100"
	walk := func(first bool) int {
		k := &keyCounter{u: u}
		u.waitText("What kind of ticket?")
		k.enter() // Export data, the first type
		if first {
			u.waitStep(StepTenant)
			u.waitText("▌ Acme Retail (3000001)")
			k.enter()
			u.waitStep(StepDatabase)
			k.typ("orders_dev")
			u.searched()
			u.waitText("▌ orders_dev ")
		} else {
			u.waitStep(StepDatabase)
			k.wait("recent")
		}
		k.enter()
		u.waitStep(StepSQL)
		k.typ(sql)
		k.key(tea.KeyCtrlS) // the estimate runs as the step is left
		k.waitField("comment")
		k.field("Q3 export for finance")
		k.waitField("classify")
		k.field("quarterly report")
		k.waitField("related")
		if first {
			k.field("2000002")
		} else {
			k.enter() // the last ticket's, kept
		}
		k.waitField("attachment")
		k.enter()
		k.waitField("ignore")
		k.enter()
		u.waitStep(StepReview)
		u.waitFor("the estimate", func(s snapshot) bool { return s.ticket.Rows.Known() && !s.busy })
		k.enter()
		k.wait("Ticket created")
		return k.n
	}
	first := walk(true)
	u.runes("n")
	u.waitStep(StepType)
	second := walk(false)
	if second >= first {
		t.Fatalf("the practised path takes %d keys, the first ticket %d", second, first)
	}
	// File the same again from My tickets.
	u.runes("n")
	u.waitStep(StepType)
	k := &keyCounter{u: u}
	u.waitText("What kind of ticket?")
	k.key(tea.KeyTab)
	k.wait("Q3 export for finance")
	k.press("f")
	u.waitStep(StepReview)
	u.waitFor("the estimate", func(s snapshot) bool { return s.ticket.Rows.Known() && !s.busy })
	k.enter()
	k.wait("Ticket created")
	t.Logf("keystrokes: first ticket %d, the next on the same database %d, filed again from My tickets %d", first, second, k.n)
}
