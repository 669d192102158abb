package editor

import (
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms/sqlscript"
)

// joinLines is the buffer's text read straight from its lines.
func joinLines(m Model) string {
	parts := make([]string, len(m.doc.lines))
	for i, ln := range m.doc.lines {
		parts[i] = ln.text()
	}
	return strings.Join(parts, "\n")
}

func TestTextsAreTheTextOfTheirVersionWhereverTheyAreJoined(t *testing.T) {
	// Random edits; Texts taken now and then, joined later, some in other
	// goroutines, some never; Value asked for now and then. Every Text is
	// the text of the version it was taken at, and Value the text now.
	for round := range 20 {
		rng := rand.New(rand.NewPCG(uint64(round), 3))
		m := New(colourStyles())
		m.SetDialect(sqlscript.MySQL)
		m.SetSize(40, 5)
		m.Focus()
		if round%2 == 0 {
			m.SetValue(generateSQL(50 + rng.IntN(100)))
		}
		type taken struct {
			text Text
			want string
		}
		var pending []taken
		var wg sync.WaitGroup
		var mu sync.Mutex
		var failures []string
		for e := range 300 {
			switch n := rng.IntN(20); {
			case n < 3:
				tx := m.Text()
				pending = append(pending, taken{tx, joinLines(m)})
			case n == 3 && len(pending) > 0:
				// Joined in the background, as a command would.
				k := rng.IntN(len(pending))
				p := pending[k]
				pending = append(pending[:k], pending[k+1:]...)
				wg.Add(1)
				go func() {
					defer wg.Done()
					if got := p.text.String(); got != p.want {
						mu.Lock()
						failures = append(failures, got)
						mu.Unlock()
					}
				}()
			case n == 4:
				if got, want := m.Value(), joinLines(m); got != want {
					t.Fatalf("round %d edit %d: Value() is not the text", round, e)
				}
			case n == 5:
				m.ReplaceAll(generateSQL(1 + rng.IntN(20)))
			case n == 6:
				m = send(m, k(tea.KeyCtrlZ))
			case n == 7:
				// Joined at once: the next Text or Value builds on it.
				if tx := m.Text(); tx.String() != joinLines(m) {
					t.Fatalf("round %d edit %d: a Text joined at once is not the text", round, e)
				}
			default:
				m = randomEdit(rng, m, mysqlFragments)
			}
		}
		wg.Wait()
		if len(failures) > 0 {
			t.Fatalf("round %d: %d Texts joined in the background were not the text of their version", round, len(failures))
		}
		for _, p := range pending {
			if p.text.String() != p.want {
				t.Fatalf("round %d: a Text joined late is not the text of its version", round)
			}
		}
		if m.Value() != joinLines(m) {
			t.Fatalf("round %d: Value() is not the text", round)
		}
	}
}

func TestTakingATextDoesNotJoinTheLines(t *testing.T) {
	m := newEditor(t, generateScript(80000))
	m.SetCursor(40000, 3)
	m = send(m, runes("x"), k(tea.KeyEnter), runes("y"))
	tx := m.Text()
	if tx.j == nil || len(tx.splices) != 3 || !sameString(tx.base, m.doc.valueText) {
		t.Fatalf("the Text is not the text as opened and the 3 edits since: %d edits", len(tx.splices))
	}
	if !tx.Same(m.Text()) {
		t.Fatal("two Texts of one version are not the same")
	}
	want := joinLines(m)
	if tx.String() != want {
		t.Fatal("the Text joined is not the text")
	}
	// The joined Text is the base from now on: Value costs nothing, and the
	// next Text has only the edits made after it.
	if v := m.Value(); !sameString(v, tx.String()) {
		t.Fatal("Value() joined the lines again after a Text of its version was joined")
	}
	m = send(m, runes("z"))
	if tx2 := m.Text(); len(tx2.splices) != 1 || tx2.Same(tx) {
		t.Fatalf("the next Text carries %d edits, want the 1 made since", len(tx2.splices))
	}
	if !TextOf("a").Same(TextOf("a")) || TextOf("a").Same(TextOf("b")) || TextOf("").String() != "" || (Text{}).String() != "" {
		t.Fatal("TextOf")
	}
}

func TestTooManyEditsSinceTheLastJoinAreJoinedOnTheSpot(t *testing.T) {
	m := newEditor(t, "SELECT 1;")
	for range maxSplices + 10 {
		m = send(m, runes("x"), k(tea.KeyLeft), k(tea.KeyRight))
	}
	tx := m.Text()
	if len(tx.splices) != 0 || tx.String() != joinLines(m) {
		t.Fatalf("a Text after %d edits carries %d of them", maxSplices+10, len(tx.splices))
	}
}
