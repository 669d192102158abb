package editor

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2/formatters"
	"github.com/alecthomas/chroma/v2/lexers"
	chromastyles "github.com/alecthomas/chroma/v2/styles"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"dmsticket/dms/sqlscript"
)

// benchStyles highlight with chroma's monokai on a TrueColor renderer, so
// the colour work is really done.
func benchStyles() Styles {
	r := renderer(termenv.TrueColor)
	s := DefaultStyles(r)
	s.Syntax = ChromaSyntax(r, chromastyles.Get("monokai"))
	return s
}

// benchEditor returns a focused 120×40 MySQL editor holding text, drawn once.
func benchEditor(text string) Model {
	m := New(benchStyles())
	m.SetDialect(sqlscript.MySQL)
	m.SetSize(120, 40)
	m.Focus()
	m.SetValue(text)
	_ = m.View()
	return m
}

// keystrokeSizes are the script sizes of the keystroke benchmarks' cost
// curve: from a short script to the 4 MiB limit (about 80,000 lines).
var keystrokeSizes = []int{200, 5000, 20000, 80000}

// BenchmarkEditorKeystroke measures one typed rune through Update plus the
// View that follows, in the middle of a script (generateScript: realistic
// statements and comments, long lines), highlighting on. The runes
// typed are a snippet with a number and a string literal (the quote changes
// the entry state of every line below until it is closed). After each
// snippet, outside the timer, the typing is undone and the cursor moves to
// another line, and the next snippet has another number, so the typed line's
// text is new and its tokens are not in any cache.
func BenchmarkEditorKeystroke(b *testing.B) {
	for _, n := range keystrokeSizes {
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
			m := benchEditor(generateScript(n))
			undo := k(tea.KeyCtrlZ)
			var keys []tea.KeyMsg
			cycle := 0
			next := func() {
				m, _ = m.Update(undo)
				cycle++
				m.SetCursor(n/2-15+cycle%30, 14) // inside lines in the middle of the script
				_ = m.View()
				keys = keys[:0]
				for _, c := range fmt.Sprintf("%d AND o.status = 'paid' ", cycle) {
					keys = append(keys, runes(string(c)))
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
				m, _ = m.Update(keys[j])
				_ = m.View()
			}
		})
	}
}

// BenchmarkNaiveHighlight is the baseline the editor avoids: chroma lexing
// the whole text with the MySQL lexer and formatting it with the
// terminal16m formatter, as a View that highlights everything would.
func BenchmarkNaiveHighlight(b *testing.B) {
	lexer := lexers.Get("mysql")
	formatter := formatters.Get("terminal16m")
	style := chromastyles.Get("monokai")
	for _, n := range []int{200, 5000} {
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
			text := generateSQL(n)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				it, err := lexer.Tokenise(nil, text)
				if err != nil {
					b.Fatal(err)
				}
				if err := formatter.Format(io.Discard, style, it); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEditorPaste5000Lines measures a bracketed paste of a 5,000-line
// script into an empty editor and the first View after it.
func BenchmarkEditorPaste5000Lines(b *testing.B) {
	msg := paste(generateSQL(5000))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		m := benchEditor("")
		b.StartTimer()
		m, _ = m.Update(msg)
		_ = m.View()
	}
}

// BenchmarkEditorJumpTopToBottom measures ctrl+end on a freshly loaded
// 5,000-line script and the View after it: the lines at the bottom are
// lexed and drawn for the first time (a cold jump).
func BenchmarkEditorJumpTopToBottom(b *testing.B) {
	text := generateSQL(5000)
	end := k(tea.KeyCtrlEnd)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		m := benchEditor(text)
		b.StartTimer()
		m, _ = m.Update(end)
		_ = m.View()
	}
}

// BenchmarkEditorOpen4MiB measures opening a 4 MiB file (ctrl+o, the
// limit of a ticket's SQL: about 87,000 lines) over a short typed script,
// from the text as read to the first frame: ReplaceAll, which keeps what was
// there for ctrl+z, and the View after it.
func BenchmarkEditorOpen4MiB(b *testing.B) {
	file := scriptOfSize(4 << 20)
	typed := generateScript(200)
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		m := benchEditor(typed)
		b.StartTimer()
		m.ReplaceAll(file)
		_ = m.View()
	}
}

// BenchmarkEditorPaste4MiB measures one bracketed paste of 4 MiB of SQL
// into an empty editor and the first View after it.
func BenchmarkEditorPaste4MiB(b *testing.B) {
	text := scriptOfSize(4 << 20)
	msg := paste(text)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		m := benchEditor("")
		b.StartTimer()
		m, _ = m.Update(msg)
		_ = m.View()
	}
}

// BenchmarkEditorLineGrownByReads is a 256 KiB line of SQL that arrives a
// read at a time (230 bytes: text pasted without brackets, which the
// terminal's input makes one paste a read), each read followed by a frame,
// and then the line's Text joined (a draft's save): the cost of a line
// that grows at its end, which was quadratic in its length (every read
// cut and counted the whole line again; the join applied each edit by
// copying the line).
func BenchmarkEditorLineGrownByReads(b *testing.B) {
	var sb strings.Builder
	for sb.Len() < 256<<10 {
		sb.WriteString("SELECT id, total FROM orders WHERE status = 'paid' AND total > 100 OR ")
	}
	line := []rune(sb.String())
	var reads []tea.Msg
	for i := 0; i < len(line); i += 230 {
		reads = append(reads, paste(string(line[i:min(i+230, len(line))])))
	}
	b.SetBytes(int64(sb.Len()))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		m := benchEditor("")
		_ = m.Text() // a draft taken before: the join applies the edits
		b.StartTimer()
		for _, r := range reads {
			m, _ = m.Update(r)
			_ = m.View()
		}
		tx := m.Text()
		if len(tx.String()) != sb.Len() {
			b.Fatal("the line is not the text")
		}
	}
}
