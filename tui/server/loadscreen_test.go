//go:build load

package server

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

// screen is what a session's terminal shows: the output is fed, as it
// arrives, to a small terminal emulator (the subset Bubble Tea's renderer
// uses). The renderer redraws only the lines that changed, so a wait must
// look at the screen, not at the stream: text that stays put is not sent
// again.
//
// A wait is registered before the key that should cause it is sent, and
// the reader checks it after every read, so the time it reports is when the
// read that made the screen show the text arrived, not when a goroutine woke
// up.
type screen struct {
	mu      sync.Mutex
	term    *vterm
	ended   error
	pending *expectation
}

// expectation is one registered wait: done is closed when match holds.
type expectation struct {
	match func(string) string // the label of what matched, or ""
	got   string
	at    time.Time
	err   error
	done  chan struct{}
}

func newScreen(w, h int) *screen { return &screen{term: newVTerm(w, h)} }

// read feeds r to the emulator until r ends.
func (s *screen) read(r io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		at := time.Now()
		s.mu.Lock()
		if n > 0 {
			s.term.write(buf[:n])
		}
		if p := s.pending; p != nil {
			if got := p.match(s.term.text()); got != "" {
				p.got, p.at = got, at
				s.pending = nil
				close(p.done)
			}
		}
		if err != nil {
			s.ended = errors.New("the session's output ended")
			if !errors.Is(err, io.EOF) {
				s.ended = err
			}
			if p := s.pending; p != nil {
				p.err = s.ended
				s.pending = nil
				close(p.done)
			}
		}
		s.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// expect registers a wait for match. shown reports that the screen shows it
// already; the expectation is then complete, stamped now.
func (s *screen) expect(match func(string) string) (e *expectation, shown bool) {
	e = &expectation{match: match, done: make(chan struct{})}
	s.mu.Lock()
	defer s.mu.Unlock()
	if got := match(s.term.text()); got != "" {
		e.got, e.at = got, time.Now()
		close(e.done)
		return e, true
	}
	if s.ended != nil {
		e.err = s.ended
		close(e.done)
		return e, false
	}
	s.pending = e
	return e, false
}

// shows reports whether the screen shows what match wants now.
func (s *screen) shows(match func(string) string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return match(s.term.text()) != ""
}

// wait waits for e up to timeout.
func (s *screen) wait(e *expectation, timeout time.Duration) (string, time.Time, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-e.done:
		return e.got, e.at, e.err
	case <-timer.C:
		s.mu.Lock()
		if s.pending == e {
			s.pending = nil
		}
		s.mu.Unlock()
		select {
		case <-e.done: // it came as the timer fired
			return e.got, e.at, e.err
		default:
		}
		return "", time.Time{}, fmt.Errorf("waited %s", timeout)
	}
}

// dump is the screen, trailing spaces cut, for error messages.
func (s *screen) dump() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var lines []string
	for _, l := range strings.Split(s.term.text(), "\n") {
		lines = append(lines, strings.TrimRight(l, " "))
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// anyOf matches when the screen shows one of ss (the first in ss wins).
func anyOf(ss ...string) func(string) string {
	return func(text string) string {
		for _, s := range ss {
			if strings.Contains(text, s) {
				return s
			}
		}
		return ""
	}
}

// allOf matches when the screen shows every one of ss.
func allOf(ss ...string) func(string) string {
	return func(text string) string {
		for _, s := range ss {
			if !strings.Contains(text, s) {
				return ""
			}
		}
		return strings.Join(ss, " + ")
	}
}

// vterm is a w×h character grid driven by the escape sequences Bubble
// Tea's standard renderer writes: cursor position and movement, erase in
// line and in display, CR, LF, the alternate screen. Colours and other modes
// are ignored. Wide characters take two cells, zero-width ones none.
type vterm struct {
	w, h     int
	cells    [][]rune
	row, col int // col == w: the next character wraps
	state    int
	params   []byte
	partial  []byte // an incomplete UTF-8 sequence from the last write
	textMemo string
	dirty    bool
}

const (
	vtGround = iota
	vtEsc
	vtCSI
	vtString
	vtStringEsc
	vtCharset
)

func newVTerm(w, h int) *vterm {
	v := &vterm{w: w, h: h, dirty: true}
	v.cells = make([][]rune, h)
	for i := range v.cells {
		v.cells[i] = make([]rune, w)
	}
	v.eraseAll()
	return v
}

// text is the grid, one line per row.
func (v *vterm) text() string {
	if !v.dirty {
		return v.textMemo
	}
	var b strings.Builder
	for i, row := range v.cells {
		if i > 0 {
			b.WriteByte('\n')
		}
		for _, r := range row {
			if r != 0 { // the right half of a wide character
				b.WriteRune(r)
			}
		}
	}
	v.textMemo, v.dirty = b.String(), false
	return v.textMemo
}

func (v *vterm) write(p []byte) {
	v.dirty = true
	if len(v.partial) > 0 {
		p = append(v.partial, p...)
		v.partial = nil
	}
	for len(p) > 0 {
		c := p[0]
		if v.state != vtGround || c < utf8.RuneSelf {
			v.byteIn(c)
			p = p[1:]
			continue
		}
		if !utf8.FullRune(p) {
			v.partial = append([]byte(nil), p...)
			return
		}
		r, n := utf8.DecodeRune(p)
		v.put(r)
		p = p[n:]
	}
}

func (v *vterm) byteIn(c byte) {
	switch v.state {
	case vtGround:
		switch c {
		case 0x1b:
			v.state = vtEsc
		case '\r':
			v.col = 0
		case '\n':
			v.lineFeed()
		case '\b':
			v.col = max(0, min(v.col, v.w-1)-1)
		case '\t':
			v.col = min(v.w-1, (v.col/8+1)*8)
		default:
			if c >= 0x20 && c != 0x7f {
				v.put(rune(c))
			}
		}
	case vtEsc:
		switch c {
		case '[':
			v.state, v.params = vtCSI, v.params[:0]
		case ']', 'P', 'X', '^', '_':
			v.state = vtString
		case '(', ')', '*', '+', '-', '.', '/', '#', '%', ' ':
			v.state = vtCharset
		default:
			v.state = vtGround
		}
	case vtCSI:
		if c >= 0x40 && c <= 0x7e {
			v.state = vtGround
			v.csi(c)
			return
		}
		v.params = append(v.params, c)
	case vtString:
		switch c {
		case 0x07:
			v.state = vtGround
		case 0x1b:
			v.state = vtStringEsc
		}
	case vtStringEsc:
		if c == '\\' {
			v.state = vtGround
		} else {
			v.state = vtString
		}
	case vtCharset:
		v.state = vtGround
	}
}

func (v *vterm) put(r rune) {
	wd := runewidth.RuneWidth(r)
	if wd == 0 {
		return
	}
	if v.col+wd > v.w {
		v.col = 0
		v.lineFeed()
	}
	v.cells[v.row][v.col] = r
	if wd == 2 {
		v.cells[v.row][v.col+1] = 0
	}
	v.col += wd
}

func (v *vterm) lineFeed() {
	if v.row < v.h-1 {
		v.row++
		return
	}
	copy(v.cells, v.cells[1:])
	v.cells[v.h-1] = blankRow(v.w)
}

func blankRow(w int) []rune {
	r := make([]rune, w)
	for i := range r {
		r[i] = ' '
	}
	return r
}

func (v *vterm) eraseAll() {
	for i := range v.cells {
		v.cells[i] = blankRow(v.w)
	}
}

// csi carries out a control sequence with the given final byte.
func (v *vterm) csi(final byte) {
	p := string(v.params)
	private := strings.HasPrefix(p, "?")
	args := strings.Split(strings.TrimPrefix(p, "?"), ";")
	arg := func(i, def int) int {
		if i < len(args) {
			if n, err := strconv.Atoi(args[i]); err == nil && n > 0 {
				return n
			}
		}
		return def
	}
	col := min(v.col, v.w-1)
	switch final {
	case 'H', 'f':
		v.row, v.col = min(arg(0, 1), v.h)-1, min(arg(1, 1), v.w)-1
	case 'A':
		v.row, v.col = max(0, v.row-arg(0, 1)), col
	case 'B':
		v.row, v.col = min(v.h-1, v.row+arg(0, 1)), col
	case 'C':
		v.col = min(v.w-1, col+arg(0, 1))
	case 'D':
		v.col = max(0, col-arg(0, 1))
	case 'E':
		v.row, v.col = min(v.h-1, v.row+arg(0, 1)), 0
	case 'F':
		v.row, v.col = max(0, v.row-arg(0, 1)), 0
	case 'G':
		v.col = min(arg(0, 1), v.w) - 1
	case 'd':
		v.row = min(arg(0, 1), v.h) - 1
	case 'K':
		row := v.cells[v.row]
		switch arg(0, 0) {
		case 0:
			for i := col; i < v.w; i++ {
				row[i] = ' '
			}
		case 1:
			for i := 0; i <= col; i++ {
				row[i] = ' '
			}
		case 2:
			v.cells[v.row] = blankRow(v.w)
		}
	case 'J':
		switch arg(0, 0) {
		case 0:
			for i := col; i < v.w; i++ {
				v.cells[v.row][i] = ' '
			}
			for r := v.row + 1; r < v.h; r++ {
				v.cells[r] = blankRow(v.w)
			}
		case 1:
			for r := 0; r < v.row; r++ {
				v.cells[r] = blankRow(v.w)
			}
			for i := 0; i <= col; i++ {
				v.cells[v.row][i] = ' '
			}
		default:
			v.eraseAll()
		}
	case 'h', 'l':
		if private && (args[0] == "1049" || args[0] == "47" || args[0] == "1047") {
			v.eraseAll()
			v.row, v.col = 0, 0
		}
	}
}
