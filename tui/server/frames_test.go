package server

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/cursor"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// fakeView is a model whose view is what it was last told, counting how
// often it was asked for it.
type fakeView struct {
	view  string
	views int
}

func (f *fakeView) Init() tea.Cmd { return nil }
func (f *fakeView) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if s, ok := msg.(string); ok {
		f.view = s
	}
	return f, nil
}
func (f *fakeView) View() string { f.views++; return f.view }

// run hands msgs to the frame model and then draws the frame due, as the
// program would once the frame's message arrives.
func frame(f *frameModel, msgs ...tea.Msg) {
	for _, m := range msgs {
		f.Update(m)
	}
	f.Update(frameMsg{})
}

func TestFramesDrawOnceForManyMessagesAndOnlyTheLinesThatChanged(t *testing.T) {
	var out bytes.Buffer
	m := &fakeView{}
	f := newFrameModel(m, &out)
	frame(f, tea.WindowSizeMsg{Width: 20, Height: 4}, "one\ntwo\nthree")
	if m.views != 1 {
		t.Fatalf("%d views for one frame, want 1", m.views)
	}
	if got := ansi.Strip(out.String()); !strings.Contains(got, "one") || !strings.Contains(got, "three") {
		t.Fatalf("first frame = %q", got)
	}

	out.Reset()
	frame(f, "one\nTWO\nthree", "one\n2\nthree", "one\nzwei\nthree")
	if m.views != 2 {
		t.Errorf("%d views after three messages in one frame, want 2 in all", m.views)
	}
	got := ansi.Strip(out.String())
	if !strings.Contains(got, "zwei") || strings.Contains(got, "one") || strings.Contains(got, "three") || strings.Contains(got, "TWO") {
		t.Errorf("second frame wrote %q; want only the changed line, as it is last", got)
	}

	out.Reset()
	frame(f, "one\nzwei\nthree")
	if out.Len() != 0 {
		t.Errorf("an unchanged view wrote %q", out.String())
	}
	f.Update(frameMsg{}) // no message since: no view asked for
	if m.views != 3 {
		t.Errorf("%d views, want 3: a frame with no message before it asks for none", m.views)
	}
}

func TestCursorBlinksAreDroppedOtherMessagesPass(t *testing.T) {
	if dropBlinks(nil, cursor.BlinkMsg{}) != nil || dropBlinks(nil, cursor.Blink()) != nil {
		t.Error("a cursor blink reached the program")
	}
	if k := (tea.KeyMsg{Type: tea.KeyEnter}); dropBlinks(nil, k) == nil {
		t.Error("a key was dropped")
	}
	if dropBlinks(nil, nil) != nil {
		t.Error("nil became a message")
	}
}

// TestAShorterViewAfterAResizeErasesTheRowsBelow: the rows of the last
// frame below a shorter one are erased, after a resize too.
func TestAShorterViewAfterAResizeErasesTheRowsBelow(t *testing.T) {
	var out bytes.Buffer
	m := &fakeView{}
	f := newFrameModel(m, &out)
	frame(f, tea.WindowSizeMsg{Width: 20, Height: 12}, strings.Repeat("line\n", 9)+"line")
	out.Reset()
	frame(f, tea.WindowSizeMsg{Width: 30, Height: 12}, "a\nb")
	if !strings.Contains(out.String(), ansi.EraseScreenBelow) {
		t.Errorf("the frame after a resize left the last one's rows below it: %q", out.String())
	}
	out.Reset()
	frame(f, "a\nb\nc")
	frame(f, "a\nb")
	if !strings.Contains(out.String(), ansi.EraseScreenBelow) {
		t.Errorf("a shorter frame left the row below it: %q", out.String())
	}
}
