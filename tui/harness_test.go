package tui

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/dms/dmssim/dmssimtest"
	"dmsticket/tui/editor"
)

func TestMain(m *testing.M) {
	// Goldens are plain text, times are UTC, and no test reaches for cloud
	// credentials or instance metadata.
	lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetHasDarkBackground(true)
	time.Local = time.UTC
	os.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	os.Exit(m.Run())
}

// testNow is the fixed clock of every UI test.
var testNow = time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)

// simulator is an in-process DMS simulator and the real SDK client on it.
type simulator struct {
	run    *dmssim.Running
	client *dms.Client
	cred   dmssim.Credential
}

func newSimulator(t testing.TB) *simulator {
	t.Helper()
	// The precheck takes an hour, so a created ticket stays in precheck
	// while a test looks at it (lifeSim makes the lifecycle immediate).
	w := dmssimtest.New(t, dmssimtest.Options{Sim: dmssim.Options{PrecheckDelay: time.Hour}})
	return &simulator{run: w.Sim, client: w.Client, cred: w.Credential}
}

// testOptions are the options of a UI test: ASCII renderer, fixed clock,
// instant search.
func testOptions(svc dms.Service) Options {
	r := lipgloss.NewRenderer(&bytes.Buffer{})
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	return Options{
		Service: svc, Region: "cn-hangzhou", Renderer: r, Local: true,
		Now: func() time.Time { return testNow }, SearchDebounce: time.Millisecond,
	}
}

// probeMsg asks the program, from inside its own goroutine, for a snapshot.
type probeMsg struct{ ch chan snapshot }

type snapshot struct {
	view    string
	step    Step
	ticket  dms.Ticket
	focused string // the focused details field, if any
	busy    bool   // an estimate or submission is under way
	// searched: the database list answers what is typed in its search box.
	searched bool
	// marks are the SQL step's editors' marked lines (0-based): the change's
	// and the rollback's.
	marks, rbMarks map[int]string
}

// probed wraps the model so tests can read its state without racing it.
type probed struct{ m *Model }

func (p probed) Init() tea.Cmd { return p.m.Init() }
func (p probed) View() string  { return p.m.View() }
func (p probed) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if pm, ok := msg.(probeMsg); ok {
		s := snapshot{view: p.m.View(), step: p.m.step, ticket: *p.m.s.ticket}
		if d := p.m.steps[StepDetails].(*detailsStep); d.form != nil && p.m.step == StepDetails {
			if f := d.form.GetFocusedField(); f != nil {
				s.focused = f.GetKey()
			}
		}
		s.busy = p.m.s.rows.running() || p.m.steps[StepResult].(*resultStep).busy()
		d := p.m.steps[StepDatabase].(*databaseStep)
		s.searched = d.started && !d.loading && d.query == d.input.Value()
		q := p.m.steps[StepSQL].(*sqlStep)
		s.marks, s.rbMarks = editorMarks(&q.ed), editorMarks(&q.rb)
		pm.ch <- s
		return p, nil
	}
	_, cmd := p.m.Update(msg)
	return p, cmd
}

// editorMarks are ed's marked lines.
func editorMarks(ed *editor.Model) map[int]string {
	marks := map[int]string{}
	for l := range ed.LineCount() {
		if m := ed.Mark(l); m != "" {
			marks[l] = m
		}
	}
	return marks
}

// ui is a running program under test.
type ui struct {
	t  *testing.T
	tm *teatest.TestModel
	m  *Model
}

func startUI(t *testing.T, opts Options, w, h int) *ui {
	t.Helper()
	m := New(opts)
	tm := teatest.NewTestModel(t, probed{m}, teatest.WithInitialTermSize(w, h))
	t.Cleanup(func() { _ = tm.Quit() })
	return &ui{t: t, tm: tm, m: m}
}

func (u *ui) snap() snapshot {
	ch := make(chan snapshot, 1)
	u.tm.Send(probeMsg{ch})
	select {
	case s := <-ch:
		return s
	case <-time.After(5 * time.Second):
		u.t.Fatal("the program did not answer a probe")
	}
	return snapshot{}
}

// waitFor polls the program until cond holds.
func (u *ui) waitFor(what string, cond func(snapshot) bool) snapshot {
	u.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var s snapshot
	for time.Now().Before(deadline) {
		s = u.snap()
		if cond(s) {
			return s
		}
		time.Sleep(10 * time.Millisecond)
	}
	u.t.Fatalf("timed out waiting for %s; screen:\n%s", what, s.view)
	return s
}

// waitText waits until the screen shows text.
func (u *ui) waitText(text string) snapshot {
	u.t.Helper()
	return u.waitFor("“"+text+"”", func(s snapshot) bool { return strings.Contains(ansi.Strip(s.view), text) })
}

func (u *ui) waitStep(step Step) snapshot {
	u.t.Helper()
	return u.waitFor("step "+step.String(), func(s snapshot) bool { return s.step == step })
}

func (u *ui) waitField(key string) {
	u.t.Helper()
	u.waitFor("details field "+key, func(s snapshot) bool { return s.focused == key })
}

// searched waits until the database list answers the search box.
func (u *ui) searched() snapshot {
	u.t.Helper()
	return u.waitFor("the search to answer", func(s snapshot) bool { return s.searched })
}

func (u *ui) waitIdle() snapshot {
	u.t.Helper()
	return u.waitFor("idle", func(s snapshot) bool { return !s.busy })
}

func (u *ui) key(k tea.KeyType) { u.tm.Send(tea.KeyMsg{Type: k}) }
func (u *ui) enter()            { u.key(tea.KeyEnter) }
func (u *ui) typ(s string)      { u.tm.Type(s) }
func (u *ui) runes(s string)    { u.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}) }
func (u *ui) paste(s string) {
	u.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true})
}
func (u *ui) final() *Model {
	_ = u.tm.Quit()
	return u.tm.FinalModel(u.t, teatest.WithFinalTimeout(5*time.Second)).(probed).m
}
func (u *ui) golden()            { u.t.Helper(); goldenView(u.t, u.final().View()) }
func (u *ui) field(value string) { u.typ(value); u.enter() }

var requestIDs = regexp.MustCompile(`[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}`)

// goldenView compares a screen with its golden file; request IDs, which the
// simulator makes up afresh, are masked with a string of the same width.
func goldenView(t *testing.T, view string) {
	t.Helper()
	view = requestIDs.ReplaceAllString(view, "00000000-0000-0000-0000-000000000000")
	golden.RequireEqual(t, []byte(view))
}
