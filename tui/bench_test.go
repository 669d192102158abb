package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/dms/dmssim/dmssimtest"
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

// BenchmarkSQLStepKeystroke is one typed rune in the wizard's SQL step with
// a 5,000-line script, an estimate shown and its checks on screen: the whole
// program's Update plus View, not only the editor's.
func BenchmarkSQLStepKeystroke(b *testing.B) {
	for _, lines := range []int{200, 5000} {
		b.Run(fmt.Sprintf("lines=%d", lines), func(b *testing.B) {
			m := New(testOptions(&stub{}))
			m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
			*m.s.ticket = exportOf(lines)
			m.enter(StepSQL)
			q := m.sqlStep()
			q.recheck()
			q.ed.SetCursor(lines/2, 10)
			_ = m.View()
			b.ReportAllocs()
			for b.Loop() {
				m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'x'}})
				_ = m.View()
			}
		})
	}
}
