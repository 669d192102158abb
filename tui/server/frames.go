package server

import (
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"dmsticket/tui"
)

// An SSH session's screen is drawn by frames.go, not by Bubble Tea's
// standard renderer (the program runs WithoutRenderer). What the load test
// showed (docs/bench-ssh.md): Bubble Tea v1 calls View after every message,
// however many arrive within one frame, and its renderer wakes 60 times a
// second in every session, idle or not, to compare the last view with the
// one on screen. frameModel asks the wizard for its view once per frame at
// most, and only after a message: at once when the last frame is older
// than a frame's time (a key typed at a person's pace is drawn without
// waiting for a tick), else when that time is up, with every message that
// came meanwhile applied. An idle session costs nothing.

// frameInterval is the shortest time between two frames of a session.
const frameInterval = time.Second / 60

// frameMsg asks frameModel to draw the frame that is due.
type frameMsg struct{}

// frameModel hosts a program's model on one session's terminal: it passes
// every message on, draws the model's view as frames (only the lines that
// changed, as Bubble Tea's standard renderer does, in the alternate screen)
// and sets the terminal up and back (open, close).
type frameModel struct {
	m   tea.Model
	out io.Writer

	width, height int
	dirty         bool      // a message came since the last frame
	pending       bool      // a frameMsg is on its way
	last          time.Time // when the last frame was drawn
	view          string    // the view on screen
	lines         []string  // its lines; nil: draw every line next time
	rows          int       // how many rows the last frame drew (kept across a resize)
	buf           strings.Builder
}

func newFrameModel(m tea.Model, out io.Writer) *frameModel { return &frameModel{m: m, out: out} }

// open sets the terminal up as Bubble Tea's standard renderer does with
// WithAltScreen: the alternate screen, cleared, the cursor hidden, bracketed
// paste on.
func (f *frameModel) open() {
	_, _ = io.WriteString(f.out, ansi.SetModeAltScreenSaveCursor+ansi.EraseEntireScreen+ansi.CursorHomePosition+
		ansi.HideCursor+ansi.SetModeBracketedPaste)
}

// close gives the terminal back: bracketed paste off, the cursor shown, the
// main screen as it was. Called once the program has ended, before anything
// else is written to the session.
func (f *frameModel) close() {
	_, _ = io.WriteString(f.out, ansi.ResetModeBracketedPaste+ansi.ShowCursor+ansi.ResetModeAltScreenSaveCursor+ansi.ShowCursor)
}

// Init implements tea.Model.
func (f *frameModel) Init() tea.Cmd {
	f.dirty = true
	return tea.Batch(f.m.Init(), f.schedule())
}

// Update implements tea.Model.
func (f *frameModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(frameMsg); ok {
		f.pending = false
		if f.dirty {
			f.draw()
		}
		return f, nil
	}
	if ws, ok := msg.(tea.WindowSizeMsg); ok {
		f.width, f.height = ws.Width, ws.Height
		f.view, f.lines = "", nil // a resized terminal is drawn anew
	}
	_, cmd := f.m.Update(msg)
	if tui.Unseen(msg) {
		return f, cmd // nothing on screen changed: no frame
	}
	f.dirty = true
	return f, tea.Batch(cmd, f.schedule())
}

// View implements tea.Model; the program has no renderer, frames are drawn
// by draw.
func (f *frameModel) View() string { return "" }

// schedule asks for the next frame, unless one is on its way: now, if the
// last frame is a frame's time old, else when it is.
func (f *frameModel) schedule() tea.Cmd {
	if f.pending {
		return nil
	}
	f.pending = true
	if wait := time.Until(f.last.Add(frameInterval)); wait > 0 {
		return tea.Tick(wait, func(time.Time) tea.Msg { return frameMsg{} })
	}
	return func() tea.Msg { return frameMsg{} }
}

// draw writes the model's view where it differs from the one on screen,
// line by line, as Bubble Tea's standard renderer does in the alternate
// screen: unchanged lines are skipped, a line wider than the terminal is
// cut, a shorter one has the rest of its row erased, rows below the view
// are erased.
func (f *frameModel) draw() {
	f.dirty, f.last = false, time.Now()
	view := f.m.View()
	if view == "" {
		view = " " // as the standard renderer: an empty view clears the screen
	}
	if view == f.view && f.lines != nil {
		return
	}
	lines := strings.Split(view, "\n")
	if f.height > 0 && len(lines) > f.height {
		lines = lines[len(lines)-f.height:]
	}
	b := &f.buf
	b.Reset()
	b.WriteString(ansi.CursorHomePosition)
	for i, line := range lines {
		if i < len(f.lines) && f.lines[i] == line {
			if i < len(lines)-1 {
				b.WriteByte('\n')
			}
			continue
		}
		if i == 0 && f.lines == nil {
			b.WriteByte('\r')
		}
		if f.width > 0 {
			line = ansi.Truncate(line, f.width, "")
		}
		b.WriteString(line)
		if ansi.StringWidth(line) < f.width {
			b.WriteString(ansi.EraseLineRight)
		}
		if i < len(lines)-1 {
			b.WriteString("\r\n")
		}
	}
	if f.rows > len(lines) {
		b.WriteString(ansi.EraseScreenBelow) // the last frame's rows below this one's
	}
	b.WriteString(ansi.CursorPosition(0, len(lines)))
	_, _ = io.WriteString(f.out, b.String())
	f.view, f.lines, f.rows = view, lines, len(lines)
}

// cursorPkg is the package of bubbles' cursor, whose messages only make it
// blink.
var cursorPkg = reflect.TypeOf(cursor.BlinkMsg{}).PkgPath()

// dropBlinks is the program's message filter: a text cursor does not blink
// over SSH. huh's fields (the details form) blink theirs, with no way to
// turn it off; every blink is a message, an Update of the whole form and a
// frame, twice a second in every session with a form open, and every key
// typed into a field cancels one more (docs/bench-ssh.md). The cursor stays
// as focus shows it: steady.
func dropBlinks(_ tea.Model, msg tea.Msg) tea.Msg {
	if msg == nil {
		return nil
	}
	if t := reflect.TypeOf(msg); t.PkgPath() == cursorPkg {
		return nil
	}
	return msg
}
