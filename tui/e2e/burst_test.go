package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// draftTicket reads the demo draft the program keeps under state, waiting
// until cond holds for it.
func draftTicket(t *testing.T, state string, cond func(map[string]any) bool) map[string]any {
	t.Helper()
	path := filepath.Join(state, "dmsticket", "draft-demo.json")
	deadline := time.Now().Add(10 * time.Second)
	var last []byte
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(path)
		if err == nil {
			last = b
			var d struct {
				Ticket map[string]any `json:"ticket"`
			}
			if json.Unmarshal(b, &d) == nil && d.Ticket != nil && cond(d.Ticket) {
				return d.Ticket
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the draft never held what was expected; last draft:\n%s", last)
	return nil
}

// toSQLStep walks the demo to the SQL step of an export on orders_dev.
func toSQLStep(t *testing.T, term *terminal) {
	t.Helper()
	term.waitFor("What kind of ticket?")
	term.send("\r")
	term.waitFor("Which tenant?")
	term.send("\r")
	term.waitFor("Which database?")
	term.mark()
	term.send("orders_dev")
	term.waitFor("1 shown · 1 found in DMS")
	term.send("\r")
	term.waitFor("read-only statements only")
}

// TestTextInOneReadIsTextNeverKeys writes whole lines of SQL into the
// editor in single pty writes, as a paste without bracketed paste or
// type-ahead over SSH delivers them: words that are key names (left, up,
// end, esc, home, enter, tab) stay words, and the step is not left.
func TestTextInOneReadIsTextNeverKeys(t *testing.T) {
	state := t.TempDir()
	term := start(t, []string{"XDG_STATE_HOME=" + state, "HOME=" + t.TempDir()}, "--demo")
	toSQLStep(t, term)
	lines := []string{
		"select o.id, i.sku from orders o left join items i on i.order_id = o.id",
		"where o.id > 0 -- esc then up down end home enter tab right",
	}
	term.send(lines[0])
	term.send("\r")
	term.send(lines[1])
	want := strings.Join(lines, "\n")
	got := draftTicket(t, state, func(tk map[string]any) bool {
		s, _ := tk["sql"].(string)
		return len(s) >= len(want)-5
	})
	if got["sql"] != want {
		t.Fatalf("the editor holds\n%q\nwant\n%q", got["sql"], want)
	}
	if !strings.Contains(term.screen(), "read-only statements only") {
		t.Fatal("the SQL step was left")
	}
}

// TestTextTypedRightAfterEnterGoesToTheNextField writes a comment, enter and
// the next field's text in one pty write: each lands in its own field, and
// the space-separated words of a field are all kept.
func TestTextTypedRightAfterEnterGoesToTheNextField(t *testing.T) {
	state := t.TempDir()
	term := start(t, []string{"XDG_STATE_HOME=" + state, "HOME=" + t.TempDir()}, "--demo")
	toSQLStep(t, term)
	term.send("SELECT id FROM orders")
	term.mark()
	term.send("\x13") // ctrl+s
	term.waitFor("Comment")
	term.send("speed up login\rmonthly report for finance up left end")
	got := draftTicket(t, state, func(tk map[string]any) bool {
		f, _ := tk["fields"].(map[string]any)
		c, _ := f["classify"].(string)
		return strings.HasSuffix(c, "end")
	})
	if got["comment"] != "speed up login" {
		t.Errorf("comment %q, want %q", got["comment"], "speed up login")
	}
	if f, _ := got["fields"].(map[string]any); f["classify"] != "monthly report for finance up left end" {
		t.Errorf("reason %q", f["classify"])
	}
}

// TestTwoWizardsWithTheSameHomeDoNotShareTheDraftSilently: the second one
// says another holds the draft and keeps none; the first's draft is intact.
func TestTwoWizardsWithTheSameHomeDoNotShareTheDraftSilently(t *testing.T) {
	state := t.TempDir()
	env := []string{"XDG_STATE_HOME=" + state, "HOME=" + t.TempDir()}
	first := start(t, env, "--demo")
	toSQLStep(t, first)
	first.send("SELECT 1 FROM orders")
	draftTicket(t, state, func(tk map[string]any) bool { return tk["sql"] == "SELECT 1 FROM orders" })

	second := start(t, env, "--demo")
	second.waitFor("This dmsticket keeps no draft: another is open with the same one")
	second.waitFor("What kind of ticket?")
	second.send("\r")
	second.waitFor("Which tenant?")
	time.Sleep(700 * time.Millisecond)
	if got := draftTicket(t, state, func(map[string]any) bool { return true }); got["sql"] != "SELECT 1 FROM orders" {
		t.Fatalf("the second wizard overwrote the first's draft: %v", got)
	}
}

// reverseVideo matches an SGR sequence that turns reverse video on.
var reverseVideo = regexp.MustCompile(`\x1b\[(?:[0-9]+;)*7(?:;[0-9]+)*m`)

// TestNoColorAndTheNoColorFlagLookTheSame: NO_COLOR=1 and --no-color both
// draw without colour and both keep reverse video: the editor's cursor and
// the selected row are there either way.
func TestNoColorAndTheNoColorFlagLookTheSame(t *testing.T) {
	for _, how := range []struct {
		name string
		env  []string
		args []string
	}{
		{"NO_COLOR=1", []string{"NO_COLOR=1"}, []string{"--demo"}},
		{"--no-color", nil, []string{"--demo", "--no-color"}},
	} {
		t.Run(how.name, func(t *testing.T) {
			env := append([]string{"HOME=" + t.TempDir(), "XDG_STATE_HOME=" + t.TempDir(), "COLORTERM=truecolor"}, how.env...)
			term := start(t, env, how.args...)
			term.waitFor("What kind of ticket?")
			term.mu.Lock()
			typeScreen := term.out.String()
			term.mu.Unlock()
			if !reverseVideo.MatchString(typeScreen) && !strings.Contains(typeScreen, "\x1b[1m") {
				t.Errorf("the type list marks its selected row with neither reverse video nor bold")
			}
			toSQLStep(t, term)
			term.mark()
			term.send("SELECT 1")
			term.waitFor("SELECT 1")
			time.Sleep(200 * time.Millisecond)
			term.mu.Lock()
			raw := term.out.String()
			term.mu.Unlock()
			if !reverseVideo.MatchString(raw) {
				t.Errorf("no reverse video in the editor: the cursor is not drawn")
			}
			for _, colour := range []string{"[38;2;", "[48;2;", "[38;5;", "[48;5;", ";38;", ";48;"} {
				if strings.Contains(raw, colour) {
					t.Fatalf("colour sequence %q", colour)
				}
			}
		})
	}
}
