package tui

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/dms/dmssim/dmssimtest"
	"dmsticket/tui/draft"
	"dmsticket/tui/editor"
)

// exportOf builds a valid export ticket whose SQL has n lines.
func exportOf(n int) dms.Ticket {
	var b strings.Builder
	for i := 0; b.Len() == 0 || strings.Count(b.String(), "\n") < n; i++ {
		fmt.Fprintf(&b, "SELECT o.id, o.total, c.name -- statement %d\nFROM orders o JOIN customers c ON c.id = o.customer_id\nWHERE o.total > %d AND o.note <> 'x<y'\n  AND o.created_at >= '2026-07-01';\n", i, i)
	}
	sql := b.String()
	t := readyExport(devDB)
	t.SQL = sql
	t.Rows = dms.RowFigure{Source: dms.RowsExplain, Total: 123456, SQLHash: dms.SQLHash(sql), At: testNow}
	return t
}

// BenchmarkReviewRender is entering the review of a 5,000-line export: the
// request built, the PluginParam JSON highlighted and wrapped, the first frame
// drawn. It happens once per review.
func BenchmarkReviewRender(b *testing.B) {
	for _, lines := range []int{200, 5000} {
		b.Run(fmt.Sprintf("lines=%d", lines), func(b *testing.B) {
			m := New(testOptions(&stub{}))
			m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
			*m.s.ticket = exportOf(lines)
			r := m.steps[StepReview].(*reviewStep)
			b.ReportAllocs()
			for b.Loop() {
				r.jsonFor = "" // a new review: nothing cached
				m.enter(StepReview)
				_ = m.View()
			}
		})
	}
}

// BenchmarkReviewScroll is one line of scrolling through the review of a
// 5,000-line export: Update plus View, no highlighting.
func BenchmarkReviewScroll(b *testing.B) {
	m := New(testOptions(&stub{}))
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	*m.s.ticket = exportOf(5000)
	m.enter(StepReview)
	down, up := tea.KeyMsg{Type: tea.KeyDown}, tea.KeyMsg{Type: tea.KeyUp}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k := down
		if (i/200)%2 == 1 {
			k = up
		}
		i++
		m.Update(k)
		_ = m.View()
	}
}

// BenchmarkDatabaseSearch is the database step against the simulator holding
// 50,000 generated databases besides the seed. One op: a typed rune (Update
// plus View, which only schedule the search: keystroke-ns/op), then the
// search itself over loopback HTTP through the real SDK client, its answer
// applied and the page drawn (search-ns/op).
func BenchmarkDatabaseSearch(b *testing.B) {
	b.Run("dbs=50000", func(b *testing.B) {
		c := dmssimtest.New(b, dmssimtest.Options{Sim: dmssim.Options{ExtraDatabases: 50000}}).Client
		m := New(testOptions(c))
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		m.s.ticket.Type = "DATA_EXPORT"
		m.s.tenants, m.s.tenantsLoaded = []dms.Tenant{{ID: 3000001}}, true
		d := m.steps[StepDatabase].(*databaseStep)
		d.started = true
		m.enter(StepDatabase)
		keys := []rune("app_0001")
		var keyTime, searchTime time.Duration
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i%len(keys) == 0 {
				d.input.SetValue("")
			}
			r := keys[i%len(keys)]
			i++
			t0 := time.Now()
			m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
			_ = m.View()
			t1 := time.Now()
			msg := d.search(1)()
			m.Update(msg)
			_ = m.View()
			keyTime += t1.Sub(t0)
			searchTime += time.Since(t1)
		}
		if res := d.visible(); len(res) == 0 {
			b.Fatalf("the search found nothing: %v", d.err)
		}
		b.ReportMetric(float64(keyTime.Nanoseconds())/float64(b.N), "keystroke-ns/op")
		b.ReportMetric(float64(searchTime.Nanoseconds())/float64(b.N), "search-ns/op")
	})
}

// exportScript is a realistic export script of exactly n lines: SELECTs
// over several lines with line and block comments, a string spanning two
// lines, and after every 120 lines a long one (an IN list of about 950
// bytes). 80,000 lines are about 3.5 MiB, under the 4 MiB a ticket holds.
func exportScript(n int) string {
	blocks := [][]string{
		{
			"-- paid orders of region %d, for the monthly reconciliation",
			"SELECT o.id, o.total, c.name, c.email",
			"  FROM orders o",
			"  JOIN customers c ON c.id = o.customer_id",
			" WHERE o.total > %d AND o.note <> 'x<y'",
			"   AND o.created_at >= '2026-07-01';",
		},
		{
			"/* Customers flagged by the fraud check (ticket #%d);",
			"   their notes are compared line by line. */",
			"SELECT c.id, c.name FROM customers c",
			" WHERE c.note LIKE 'flagged:",
			"review %d%%'",
			"   AND c.deleted_at IS NULL;",
		},
		{
			"SELECT p.sku, p.title, s.qty /* current stock */ FROM products p JOIN stock s ON s.product_id = p.id WHERE s.qty < %d;",
			"",
		},
	}
	lines := make([]string, 0, n+8)
	var long strings.Builder
	for b := 0; len(lines) < n; b++ {
		for _, l := range blocks[b%len(blocks)] {
			if strings.Contains(l, "%d") {
				l = fmt.Sprintf(l, b%97)
			}
			lines = append(lines, l)
			if len(lines)%120 == 119 {
				long.Reset()
				long.WriteString("SELECT id, status, total FROM orders WHERE id IN (")
				for j := range 110 {
					if j > 0 {
						long.WriteString(", ")
					}
					fmt.Fprintf(&long, "%d", 100000+(b*113+j*7)%900000)
				}
				long.WriteString(");")
				lines = append(lines, long.String())
			}
		}
	}
	return strings.Join(lines[:n], "\n")
}

// keystrokeSizes are the script sizes of the keystroke benchmarks' cost
// curve: from a short script to the 4 MiB limit (about 80,000 lines).
var keystrokeSizes = []int{200, 5000, 20000, 80000}

// colourOptions are testOptions drawing in TrueColor, as a terminal does:
// the highlighting's styles are really rendered.
func colourOptions(svc dms.Service) Options {
	o := testOptions(svc)
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	r.SetHasDarkBackground(true)
	o.Renderer = r
	return o
}

// sqlStepWith is the wizard at the SQL step of a ticket t (120×40,
// TrueColor), its checks run, the cursor on line at, drawn once.
func sqlStepWith(t dms.Ticket, at int) (*Model, *sqlStep) {
	m := New(colourOptions(&stub{}))
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	*m.s.ticket = t
	m.enter(StepSQL)
	q := m.sqlStep()
	q.recheck()
	q.ed.SetCursor(at, 10)
	_ = m.View()
	return m, q
}

// exportWith is a valid export ticket holding sql, with an estimate for it.
func exportWith(sql string) dms.Ticket {
	t := readyExport(devDB)
	t.SQL = sql
	t.Rows = dms.RowFigure{Source: dms.RowsExplain, Total: 123456, SQLHash: dms.SQLHash(sql), At: testNow}
	return t
}

// typeSnippets runs b.N keystrokes through the whole program: snippets
// typed rune by rune (each with another number, so the line's tokens are in
// no cache; its quote changes the state of the lines below until it is
// closed), each followed, outside the timer, by ctrl+z and a move to
// another line near line at. ed is the editor typed in.
func typeSnippets(b *testing.B, m *Model, ed *editor.Model, at int) {
	undo := tea.KeyMsg{Type: tea.KeyCtrlZ}
	var keys []tea.KeyMsg
	cycle := 0
	next := func() {
		m.Update(undo)
		cycle++
		ed.SetCursor(at-15+cycle%30, 10)
		_ = m.View()
		keys = keys[:0]
		for _, c := range fmt.Sprintf("%d AND o.status = 'paid' ", cycle) {
			keys = append(keys, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{c}})
		}
	}
	next()
	b.ReportAllocs()
	b.ResetTimer()
	for i, j := 0, 0; i < b.N; i, j = i+1, j+1 {
		if j == len(keys) {
			b.StopTimer()
			next()
			j = 0
			b.StartTimer()
		}
		m.Update(keys[j])
		_ = m.View()
	}
}

// BenchmarkSQLStepKeystroke is one typed rune in the wizard's SQL step, an
// estimate shown and its checks on screen, highlighting on (TrueColor): the
// whole program's Update plus View, not only the editor's, in the middle of
// an export script (exportScript) of 200 to 80,000 lines (the 4 MiB limit).
func BenchmarkSQLStepKeystroke(b *testing.B) {
	for _, lines := range keystrokeSizes {
		b.Run(fmt.Sprintf("lines=%d", lines), func(b *testing.B) {
			m, q := sqlStepWith(exportWith(exportScript(lines)), lines/2)
			typeSnippets(b, m, &q.ed, lines/2)
		})
	}
}

// BenchmarkSQLStepLinePasted is a line of a script pasted without
// brackets into the SQL step at 120×40, as tui.Input hands it on: its text
// (one message) and its enter, a frame after each. The editor grows a line
// an op and scrolls, so its lines meet other lines of the panel beside it.
func BenchmarkSQLStepLinePasted(b *testing.B) {
	m, _ := sqlStepWith(exportWith(""), 0)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		line := fmt.Sprintf("UPDATE orders SET status = 'x' WHERE id = %d;", i)
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(line), Paste: true})
		_ = m.View()
		m.Update(tea.KeyMsg{Type: tea.KeyEnter})
		_ = m.View()
	}
}

// BenchmarkSQLStepRollbackKeystroke is BenchmarkSQLStepKeystroke in the
// rollback script's editor of a data change (ctrl+b), the change and the
// rollback script each of the given size.
func BenchmarkSQLStepRollbackKeystroke(b *testing.B) {
	for _, lines := range []int{5000, 80000} {
		b.Run(fmt.Sprintf("lines=%d", lines), func(b *testing.B) {
			t := exportWith(exportScript(lines))
			t.Type = "DC_COMMON"
			t.RollbackSQL = exportScript(lines)
			m, q := sqlStepWith(t, lines/2)
			m.Update(tea.KeyMsg{Type: tea.KeyCtrlB})
			if !q.rollback {
				b.Fatal("ctrl+b did not show the rollback script")
			}
			typeSnippets(b, m, &q.rb, lines/2)
		})
	}
}

// BenchmarkSQLStepOpen4MiB is a 4 MiB file opened with ctrl+o into an empty
// editor, from the file's text as read to the first frame of the whole
// program.
func BenchmarkSQLStepOpen4MiB(b *testing.B) {
	text := exportScript(95000)
	text = text[:strings.LastIndexByte(text[:dms.MaxSQLBytes+1], '\n')]
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		m, _ := sqlStepWith(exportWith(""), 0)
		b.StartTimer()
		m.Update(fileLoadedMsg{path: "big.sql", text: text})
		_ = m.View()
	}
}

// BenchmarkSQLStepPause is what the program does when typing pauses in an
// 80,000-line script: after a typed rune, the statement checks' timer (the
// check runs in a command), their result applied, and the draft's timer
// (the write runs in a command), each with the frame after it. ui-ns/op is
// the part on the program's goroutine, which delays the next key;
// background-ns/op the commands' own work.
func BenchmarkSQLStepPause(b *testing.B) {
	const lines = 80000
	m, q := sqlStepWith(exportWith(exportScript(lines)), lines/2)
	m.draft.store = draft.NewStore(filepath.Join(b.TempDir(), "draft.json"))
	var ui, bg time.Duration
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		// Another rune each time, so the draft differs from the last one
		// written.
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{rune('a' + i%26)}})
		_ = m.View()
		q.pause.last = time.Time{} // the pause is over
		t0 := time.Now()
		_, cmd := m.Update(checkTickMsg{})
		_ = m.View()
		ui += time.Since(t0)
		if cmd == nil {
			b.Fatal("the checks did not run")
		}
		t0 = time.Now()
		msg := cmd()
		bg += time.Since(t0)
		t0 = time.Now()
		m.Update(msg)
		_ = m.View()
		_, cmd = m.Update(draftTickMsg{})
		_ = m.View()
		ui += time.Since(t0)
		if cmd != nil {
			t0 = time.Now()
			if msg, ok := cmd().(draftSavedMsg); !ok || msg.err != nil {
				b.Fatalf("the draft write: %v", msg.err)
			}
			bg += time.Since(t0)
		}
		m.Update(tea.KeyMsg{Type: tea.KeyBackspace})
	}
	b.ReportMetric(float64(ui.Nanoseconds())/float64(b.N), "ui-ns/op")
	b.ReportMetric(float64(bg.Nanoseconds())/float64(b.N), "background-ns/op")
}

// BenchmarkDetailsKeystroke is one rune typed into the details form's
// comment of an export (120×40, TrueColor): the whole program's Update plus
// View, as each key of a comment costs, over SSH once per session.
func BenchmarkDetailsKeystroke(b *testing.B) {
	m := New(colourOptions(&stub{}))
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	t := exportWith("SELECT id, total FROM orders WHERE total > 100;\n")
	t.Comment = ""
	*m.s.ticket = t
	m.enter(StepDetails)
	_ = m.View()
	keys := []tea.KeyMsg{}
	for _, c := range "quarterly export for finance " {
		keys = append(keys, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{c}})
	}
	clear := tea.KeyMsg{Type: tea.KeyCtrlU} // the comment back to empty, outside the timer
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i > 0 && i%len(keys) == 0 {
			b.StopTimer()
			m.Update(clear)
			_ = m.View()
			b.StartTimer()
		}
		m.Update(keys[i%len(keys)])
		_ = m.View()
	}
	if got := m.s.ticket.Comment; got == "" || len(got) > len(keys) {
		b.Fatalf("the comment grew to %d characters: the keys did not reach it, or ctrl+u did not clear it", len(got))
	}
}
