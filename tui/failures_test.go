package tui

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/tui/wizard"
)

// TestCreateOrderFailuresSayWhatHappenedAndKeepEverything injects each failure
// a submit can meet and checks what the user is told, that nothing is lost,
// and that exactly the right number of tickets exists afterwards.
func TestCreateOrderFailuresSayWhatHappenedAndKeepEverything(t *testing.T) {
	cases := []struct {
		name    string
		fault   dmssim.Fault
		says    []string
		tickets int  // tickets in DMS right after the failure
		retry   bool // the screen offers to submit again
	}{
		{"throttled", dmssim.Fault{Kind: dmssim.Throttle}, []string{"throttled", "Throttling.User", "wait a few seconds"}, 0, false},
		{"refused", dmssim.Fault{Kind: dmssim.BusinessFailure, Code: "InvalidParam", Message: "bad"}, []string{"did not create", "InvalidParam", "Nothing was created"}, 0, false},
		{"permission", dmssim.Fault{Kind: dmssim.BusinessFailure, Code: "NoPermission", Message: "You have no permission"}, []string{"permission", "administrator"}, 0, false},
		{"5xx, not created", dmssim.Fault{Kind: dmssim.DropBeforeHandling}, []string{"answer to CreateOrder was lost", "No ticket matching this request", "may still reach DMS until"}, 0, true},
		// A schema design's database and title are not reported back by DMS:
		// the ticket found is named, not claimed (it could be a look-alike on
		// another database).
		{"dropped after create", dmssim.Fault{Kind: dmssim.DropAfterCreate}, []string{"Ticket 40000001 matches this request, but", "Check it in the DMS console"}, 1, false},
		{"malformed answer", dmssim.Fault{Kind: dmssim.MalformedJSON}, []string{"Ticket 40000001 matches this request, but"}, 1, false},
		{"gateway 503", dmssim.Fault{Kind: dmssim.ServerError}, []string{"answer to CreateOrder was lost", "ServiceUnavailable"}, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sim := newSimulator(t)
			var later atomic.Int64 // the UI's clock, moved on past the time a lost request may still arrive
			o := testOptions(sim.client)
			o.Now = func() time.Time { return time.Now().Add(time.Duration(later.Load())) }
			u := startUI(t, o, 100, 30)
			u.toSchemaReview()
			before := u.snap().ticket
			c.fault.Action = "CreateOrder"
			sim.run.Server.InjectFault(c.fault)
			u.enter()
			var s snapshot
			for _, want := range c.says {
				s = u.waitText(want)
			}
			u.waitIdle()
			if n := len(sim.run.Server.Orders()); n != c.tickets {
				t.Fatalf("%d tickets exist, want %d", n, c.tickets)
			}
			if n := len(sim.run.Server.RequestsFor("CreateOrder")); n != 1 {
				t.Fatalf("CreateOrder sent %d times", n)
			}
			if got := s.ticket; got.Comment != before.Comment || got.Text["title"] != before.Text["title"] || !reflect.DeepEqual(got.Database, before.Database) {
				t.Fatalf("the ticket changed: %+v", got)
			}
			if c.tickets == 1 {
				return
			}
			if c.retry {
				// Not before the request can no longer reach DMS.
				u.runes("r")
				u.waitIdle()
				if n := len(sim.run.Server.RequestsFor("CreateOrder")); n != 1 {
					t.Fatalf("r sent CreateOrder again while the lost request could still arrive (%d sent)", n)
				}
				later.Store(int64(wizard.SendSettles))
				u.runes("r")
			} else {
				u.runes("e")
				u.waitStep(StepReview)
				u.enter()
			}
			u.waitText("Ticket created")
			if n := len(sim.run.Server.Orders()); n != 1 {
				t.Fatalf("%d tickets after the retry", n)
			}
		})
	}
}

func TestReadFailuresAreShownWhereTheAnswerWasExpected(t *testing.T) {
	t.Run("search throttled past the retries", func(t *testing.T) {
		sim := newSimulator(t)
		// The test client tries twice: both attempts are throttled.
		sim.run.Server.InjectFault(dmssim.Fault{Action: "SearchDatabase", Kind: dmssim.Throttle, Times: 2})
		u := startUI(t, testOptions(sim.client), 100, 30)
		u.chooseType("")
		u.waitText("Throttling.User")
		u.waitText("press enter to retry")
		u.enter()
		u.waitText("▌ orders ")
	})
	t.Run("estimate without permission", func(t *testing.T) {
		sim := newSimulator(t)
		u := startUI(t, testOptions(sim.client), 100, 30)
		u.toSQL("payroll")
		u.typ("SELECT * FROM salaries")
		u.key(tea.KeyCtrlR)
		u.waitText("NoPermission")
		u.waitText("Enter the figure yourself in Details")
	})
	t.Run("wrong credentials", func(t *testing.T) {
		sim := newSimulator(t)
		bad, err := dms.NewClient(dms.Config{Endpoint: sim.run.Endpoint, Credentials: dms.StaticCredentials(sim.cred.AccessKeyID, "wrong")})
		if err != nil {
			t.Fatal(err)
		}
		u := startUI(t, testOptions(bad), 100, 30)
		u.waitText("What kind of ticket?")
		u.enter()
		u.waitText("SignatureDoesNotMatch")
		u.waitText("Check the AccessKey pair")
	})
	t.Run("slow DMS times out", func(t *testing.T) {
		sim := newSimulator(t)
		slow, err := dms.NewClient(dms.Config{Endpoint: sim.run.Endpoint, Credentials: dms.StaticCredentials(sim.cred.AccessKeyID, sim.cred.AccessKeySecret),
			ReadTimeout: 300 * time.Millisecond, Retry: dms.Retry{Attempts: 2, Base: time.Millisecond, Max: time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		sim.run.Server.InjectFault(dmssim.Fault{Action: "SearchDatabase", Kind: dmssim.Delay, Delay: 3 * time.Second, Times: 2})
		u := startUI(t, testOptions(slow), 100, 30)
		u.chooseType("")
		u.waitText("timed out")
	})
}

// TestEveryScreenDrawsHostileNamesInert walks a whole ticket on the seed's
// database whose schema name and alias carry escape sequences (clear screen,
// window title, clipboard, C1, bidi override), in ASCII and in TrueColor.
func TestEveryScreenDrawsHostileNamesInert(t *testing.T) {
	for _, profile := range []termenv.Profile{termenv.Ascii, termenv.TrueColor} {
		t.Run(profile.Name(), func(t *testing.T) {
			sim := newSimulator(t)
			opts := testOptions(sim.client)
			r := lipgloss.NewRenderer(io.Discard)
			r.SetColorProfile(profile)
			r.SetHasDarkBackground(true)
			opts.Renderer = r
			u := startUI(t, opts, 120, 40)
			check := func(where string, s snapshot) {
				t.Helper()
				bad := []string{"\x1b]", "\x1b[2J", "\x1b[H", "\x07", "\u009b", "\u202e", "\x1bP", "\x1b_"}
				if profile == termenv.Ascii {
					bad = append(bad, "\x1b")
				}
				for _, b := range bad {
					if strings.Contains(s.view, b) {
						t.Fatalf("%s: the screen carries %q:\n%q", where, b, s.view)
					}
				}
			}
			u.chooseType("")
			u.typ("audit")
			u.searched()
			check("database", u.waitText("audit_log"))
			u.enter()
			check("sql", u.waitStep(StepSQL))
			u.typ("SELECT * FROM audit_events")
			u.key(tea.KeyCtrlR)
			u.waitFor("estimate", func(s snapshot) bool { return s.ticket.Rows.Known() })
			u.key(tea.KeyCtrlS)
			check("details", u.waitStep(StepDetails))
			u.waitField("comment")
			u.field("hostile names")
			u.waitField("classify")
			u.field("test")
			u.waitField("related")
			u.enter()
			u.waitField("attachment")
			u.enter()
			u.waitField("ignore")
			u.enter()
			check("review", u.waitStep(StepReview))
			u.runes("c")
			check("command", u.waitText("aliyun"))
			u.key(tea.KeyEsc)
			u.enter()
			check("result", u.waitText("Ticket created"))
		})
	}
}

func TestBadSQLFilesAreRefusedWithAReason(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big := filepath.Join(dir, "huge.sql")
	f, _ := os.Create(big)
	_ = f.Truncate(50 << 20) // a 50 MB file
	f.Close()
	cases := map[string]struct{ path, says string }{
		"50 MB":       {big, "is 50.0 MiB"},
		"binary":      {write("x.sql", []byte("SELECT\x00\x01\x02")), "binary"},
		"not UTF-8":   {write("gbk.sql", []byte("SELECT '\xd6\xd0\xce\xc4'")), "not UTF-8"},
		"missing":     {filepath.Join(dir, "nope.sql"), "no such file"},
		"a directory": {dir, "is a directory"},
		"no path":     {"", "type the path"},
	}
	for name, c := range cases {
		if _, err := wizard.ReadSQLFile(c.path); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v", name, err)
		}
	}
	ok, err := wizard.ReadSQLFile(write("ok.sql", []byte("\xef\xbb\xbfSELECT 1;\r\n")))
	if err != nil || ok != "SELECT 1;\r\n" {
		t.Fatalf("%q %v", ok, err)
	}
}

func TestOpeningABadFileLeavesTheBufferUntouched(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.toSQL("orders_dev")
	u.typ("SELECT 1 FROM orders")
	u.key(tea.KeyCtrlO)
	u.waitText("Open:")
	u.typ(filepath.Join(t.TempDir(), "missing.sql"))
	u.enter()
	s := u.waitText("no such file")
	if !strings.Contains(s.view, "SELECT 1 FROM orders") {
		t.Fatalf("the buffer changed:\n%s", s.view)
	}
}

func TestEmptyAndCommentOnlyScriptsCannotContinue(t *testing.T) {
	for _, sql := range []string{"", "-- just a note\n/* and a block */"} {
		sim := newSimulator(t)
		u := startUI(t, testOptions(sim.client), 100, 30)
		u.toSQL("orders_dev")
		if sql != "" {
			u.paste(sql)
		}
		u.key(tea.KeyCtrlS)
		s := u.waitText("write at least one statement")
		if s.step != StepSQL {
			t.Fatalf("moved on to %v", s.step)
		}
	}
}

func TestTenThousandStatementsArePastedCheckedAndNotMeasuredAtOnce(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.toSQL("orders_dev")
	var b strings.Builder
	for i := range 10000 {
		b.WriteString("SELECT id FROM orders WHERE id = " + itoa(i) + ";\n")
	}
	u.paste(b.String())
	u.waitText("10000 statements")
	u.key(tea.KeyCtrlR)
	u.waitText("more than dmsticket measures at once")
	if n := len(sim.run.Server.RequestsFor("ExecuteScript")); n != 0 {
		t.Fatalf("%d ExecuteScript calls for 10,000 statements", n)
	}
}

func TestAbsurdWindowSizesNeverBreakTheScreen(t *testing.T) {
	m := New(testOptions(&stub{rows: 1}))
	*m.s.ticket = exportOf(50)
	for _, step := range []Step{StepType, StepDatabase, StepSQL, StepDetails, StepReview, StepResult} {
		m.enter(step)
		for _, sz := range [][2]int{{0, 0}, {1, 1}, {59, 200}, {200, 15}, {60, 16}, {1000, 3}, {3, 1000}, {500, 200}} {
			m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			v := m.View()
			if sz[0] == 0 {
				continue
			}
			lines := strings.Split(v, "\n")
			if len(lines) > sz[1] {
				t.Fatalf("%v at %v: %d lines", step, sz, len(lines))
			}
			for _, l := range lines {
				if w := lipgloss.Width(l); w > sz[0] {
					t.Fatalf("%v at %v: a line of %d cells: %q", step, sz, w, l)
				}
			}
		}
	}
}

func TestExternalEditorRoundTrip(t *testing.T) {
	sim := newSimulator(t)
	t.Setenv("VISUAL", "")
	t.Setenv("EDITOR", `sed -i 's/SELECT 1/SELECT 42/'`)
	u := startUI(t, testOptions(sim.client), 100, 30)
	u.toSQL("orders_dev")
	u.typ("SELECT 1 FROM orders")
	u.key(tea.KeyCtrlE)
	u.waitText("SELECT 42 FROM orders")
	u.waitText("Loaded $EDITOR")

	t.Setenv("EDITOR", "false") // an editor that fails leaves the SQL alone
	u.key(tea.KeyCtrlE)
	s := u.waitText("the SQL is unchanged")
	if !strings.Contains(s.view, "SELECT 42 FROM orders") {
		t.Fatalf("the buffer changed:\n%s", s.view)
	}
}

// TestAHugeWindowCostsNoMoreThanALargeRealOne: a client may claim a window
// of 2,000,000,000 rows (or columns); every step draws at most the clamped
// size, so a frame stays small.
func TestAHugeWindowCostsNoMoreThanALargeRealOne(t *testing.T) {
	m := New(testOptions(&stub{rows: 1}))
	*m.s.ticket = exportOf(50)
	for _, step := range []Step{StepType, StepDatabase, StepSQL, StepDetails, StepReview, StepResult} {
		m.enter(step)
		for _, sz := range [][2]int{{2_000_000_000, 2_000_000_000}, {80, 2_000_000_000}, {2_000_000_000, 24}, {10000, 10000}, {-5, -5}} {
			m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			v := m.View()
			if n := len(v); n > 4<<20 {
				t.Fatalf("%v at %v: a frame of %d bytes", step, sz, n)
			}
			if lines := strings.Count(v, "\n") + 1; lines > MaxHeight {
				t.Fatalf("%v at %v: %d lines, more than the %d drawn at most", step, sz, lines, MaxHeight)
			}
		}
	}
}
