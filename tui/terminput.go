package tui

import (
	"bytes"
	"io"
	"os"
	"sync"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
)

// Input is a terminal's input as a program reads it: the user's own
// terminal (termInput) or an SSH session's. Bubble Tea v1 reads 256 bytes
// at a time and takes a full read to mean that more may follow; then it
// holds an escape sequence the read cut until the next read, but a
// multi-byte character the read cut is dropped (its bytes become unknown
// input: text pasted without bracketed paste, tmux paste-buffer say, lost
// one character at every 256 bytes, '東京' arriving as '東'), and text
// without a break is parsed again on every read for as long as reads come
// full (a 2 MiB line pasted so: minutes of CPU). A bracketed paste is
// parsed again on every read until its end (a 4 MiB paste: 49 s of CPU
// before it appeared).
//
// Input reads one byte less than asked, once a Read, so Bubble Tea never
// sees a full read and hands over what it has read, and takes over what a
// full read asks: the end of a read that may continue (a character cut, or,
// when the source had more to give, an escape sequence without its final
// byte) is held and handed on with what follows. A paste longer than a read
// is gathered here, in time linear in its length, and sent to the program
// as the one message Bubble Tea makes of it (Send), after everything before
// it and before anything after it. What Input holds is always unfinished,
// so a Read may wait for the source before handing it on (the terminal's
// having something to read, as Bubble Tea's own reader waits).
type Input struct {
	r io.Reader
	// Send delivers a gathered paste (Program.Send, set before the program
	// runs); nil hands pastes on as bytes, unbounded.
	Send func(tea.Msg)
	// MaxPaste bounds a gathered paste (0: no bound): one that grows past
	// it ends the input (io.EOF, nothing more read), after OnLongPaste.
	MaxPaste    int
	OnLongPaste func()

	// mu makes Reads one at a time: Bubble Tea starts a new input loop
	// after running a process while the old one may still be in Send.
	mu sync.Mutex
	// buf is what was read and not handed on: the start of a character or
	// a sequence, or, inPaste, the paste so far (after its start marker),
	// searched for its end up to searched.
	buf      []byte
	inPaste  bool
	searched int
	over     bool
	// out is what a Read hands on, its text runs marked (asPastes);
	// runOpen says the last Read handed on a marked run that went on to its
	// end: the text that starts the next is that run's tail.
	out     []byte
	runOpen bool
	// runs is how many runs of text the last Read's bytes held.
	runs int
	// err came from the source with bytes handed on: it is the next
	// Read's (Bubble Tea drops the bytes of a read that returns an error).
	err error
}

// NewInput reads r as a terminal's input.
func NewInput(r io.Reader) *Input { return &Input{r: r} }

// termInput is the user's terminal: an os.File as far as Bubble Tea looks
// (its raw mode, and reads it can cancel: the descriptor is the
// terminal's), read through an Input.
type termInput struct {
	*os.File
	in *Input
}

func newTermInput(f *os.File) *termInput { return &termInput{File: f, in: NewInput(f)} }

// Read implements io.Reader.
func (t *termInput) Read(p []byte) (int, error) { return t.in.Read(p) }

// The markers of a bracketed paste.
const (
	pasteStart = "\x1b[200~"
	pasteEnd   = "\x1b[201~"
)

// minRead is the smallest read Input takes over: what it holds (at most
// 36 bytes) and one byte more fit (Bubble Tea reads 256).
const minRead = 64

// Read implements io.Reader.
func (t *Input) Read(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.over:
		return 0, io.EOF
	case t.err != nil:
		err := t.err
		t.err = nil
		return 0, err
	case len(p) < minRead:
		if len(t.buf) > 0 || t.inPaste {
			return 0, io.ErrShortBuffer
		}
		return t.r.Read(p)
	}
	room := len(p) - 1
	var chunk []byte
	if t.inPaste {
		chunk = p[:room] // the paste grows in buf
	} else {
		// buf holds an unfinished end: it, the read and the markers of the
		// text runs it makes pastes (markRuns) fit in p.
		chunk = p[:max(1, room-len(t.buf)-t.markRuns()*len(pasteStart+pasteEnd))]
	}
	m, err := t.r.Read(chunk)
	t.buf = append(t.buf, chunk[:m]...)
	if t.inPaste && !t.endPaste() {
		if t.MaxPaste > 0 && len(t.buf) > t.MaxPaste {
			t.over, t.buf = true, nil
			if t.OnLongPaste != nil {
				t.OnLongPaste()
			}
			return 0, io.EOF
		}
		return 0, err
	}
	k, paste := t.handOn(m == len(chunk))
	if err != nil && !paste {
		k = len(t.buf) // nothing more comes to finish it
	}
	var open bool
	t.out, open, t.runs = asPastes(t.out[:0], t.buf[:k], t.runOpen, t.markRuns())
	// A run goes on into the next read only if this one was cut short by
	// its size: a key typed later is not its tail.
	t.runOpen = open && m == len(chunk)
	if len(t.out) > room { // cannot be: the read left room for the markers
		t.out = append(t.out[:0], t.buf[:k]...)
	}
	n := copy(p, t.out)
	if t.Send != nil {
		if enters := burstEnters(t.buf[:k]); enters > 0 {
			// Before the keys it is about: they are parsed once this returns.
			t.Send(burstMsg{enters: enters})
		}
	}
	if paste {
		k += len(pasteStart)
		t.inPaste, t.searched = true, 0
	}
	t.buf = append(t.buf[:0], t.buf[k:]...)
	if err != nil && n > 0 {
		t.err, err = err, nil
	}
	return n, err
}

// endPaste sends the paste in buf if its end marker has come, leaving in buf
// what followed it.
func (t *Input) endPaste() bool {
	from := max(0, t.searched-len(pasteEnd)+1)
	i := bytes.Index(t.buf[from:], []byte(pasteEnd))
	if i < 0 {
		t.searched = len(t.buf)
		return false
	}
	i += from
	if t.MaxPaste > 0 && i > t.MaxPaste {
		return false // too long, though it ended
	}
	t.Send(pasteMsg(t.buf[:i]))
	t.buf = append(t.buf[:0:0], t.buf[i+len(pasteEnd):]...)
	t.inPaste, t.searched = false, 0
	return true
}

// handOn says how much of buf to hand on now: all of it, but for a paste
// that starts and does not end in it (paste: buf[k:] starts with its
// marker, and the paste is to be gathered) and an unfinished end
// (eventEnd).
func (t *Input) handOn(full bool) (k int, paste bool) {
	if t.Send != nil {
		for at := 0; ; {
			i := bytes.Index(t.buf[at:], []byte(pasteStart))
			if i < 0 {
				break
			}
			start := at + i
			j := bytes.Index(t.buf[start+len(pasteStart):], []byte(pasteEnd))
			if j < 0 {
				return start, true // a paste longer than this read
			}
			at = start + len(pasteStart) + j + len(pasteEnd)
		}
	}
	return eventEnd(t.buf, full), false
}

// maxTextRuns is the most runs of text one Read makes pastes (asPastes):
// as many as a read can hold when it asks what Bubble Tea's 256 bytes
// leave after their markers (147 bytes: at most 8 runs of minTextRun and a
// byte between), so that each line of a script pasted without brackets is
// a message (with 2 a read, 512 KiB of 45-byte lines took two minutes of
// CPU, each word and blank of the other lines a message and a frame).
const maxTextRuns = 9

// markRuns is how many runs of text the next Read makes pastes: one more
// than the last held, 2 at the least. A long line comes a run a read, and
// its reads stay long (231 bytes); lines of a script come several a read.
func (t *Input) markRuns() int { return min(maxTextRuns, max(2, t.runs+1)) }

// minTextRun is the shortest run of text asPastes makes a paste: longer
// than keys typed ahead ever come in one read.
const minTextRun = 16

// asPastes appends b to dst, the first limit runs of text in it that
// Bubble Tea would cut at every blank (at least minTextRun printable bytes
// holding a space, outside escape sequences and pastes) marked as a
// bracketed paste; cont says b's first run goes on from a run marked at the
// end of the read before, which its size cut, and is marked whatever its
// length (a read cuts lines anywhere) unless it is all of b. open says the
// last run marked reaches b's end, and found is how many runs there were,
// marked or not. Bubble Tea v1 makes each word of text that comes
// without brackets (a paste in a terminal without bracketed paste, tmux
// paste-buffer, type-ahead over SSH) a message and each space another, and
// the program draws a frame after each: a line of 64 KiB pasted so took
// 72 s of CPU, growing with the square of its length, one SSH session
// holding a server core for minutes. Marked, a read's text is one message,
// the message asText makes of a run without a space; every input inserts
// it as it inserts typed text.
func asPastes(dst, b []byte, cont bool, limit int) (out []byte, open bool, found int) {
	runs, after := 0, false
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == 0x1b:
			j := escapeEnd(b, i)
			dst = append(dst, b[i:j]...)
			// After ESC O and a character of several bytes (alt+O), the
			// text goes on as it came: Bubble Tea reads ESC O and a marker
			// as neither.
			after = j-i == 2 && b[i+1] == 'O' && j < len(b) && b[j] >= utf8.RuneSelf
			i, open = j, false
		case c >= ' ' && c != 0x7f:
			j, blank := i, false
			for j < len(b) && b[j] >= ' ' && b[j] != 0x7f {
				blank = blank || b[j] == ' '
				j++
			}
			run := blank && (j-i >= minTextRun || cont && i == 0 && j < len(b)) && !after
			after = false
			if run {
				found++
			}
			if run && runs < limit {
				runs++
				dst = append(dst, pasteStart...)
				dst = append(dst, b[i:j]...)
				dst = append(dst, pasteEnd...)
				open = j == len(b)
			} else {
				dst = append(dst, b[i:j]...)
				open = false
			}
			i = j
		default:
			dst = append(dst, c)
			i, open = i+1, false
		}
	}
	return dst, open, found
}

// burstEnters counts the enters in b when b holds text too: a burst of
// text and enters in one read, typed ahead or pasted without bracketed
// paste (a bracketed paste whole in b, and alt+enter, are not counted).
func burstEnters(b []byte) int {
	enters, text := 0, false
	for i := 0; i < len(b); {
		switch c := b[i]; {
		case c == 0x1b:
			i = escapeEnd(b, i)
			continue
		case c == '\r':
			enters++
		case c >= ' ' && c != 0x7f:
			text = true
		}
		i++
	}
	if !text {
		return 0
	}
	return enters
}

// escapeEnd is the end of the escape sequence at b[i] (an ESC): a CSI
// (ESC [ … final byte), ESC O and its letter, a control string (ESC ] P _
// ^ X … BEL or ESC \), a bracketed paste whole, or ESC and the character
// after it (alt+key); the end of b for one that does not end in it.
func escapeEnd(b []byte, i int) int {
	if bytes.HasPrefix(b[i:], []byte(pasteStart)) {
		if j := bytes.Index(b[i:], []byte(pasteEnd)); j >= 0 {
			return i + j + len(pasteEnd)
		}
		return len(b)
	}
	j := i + 1
	if j >= len(b) {
		return j
	}
	switch b[j] {
	case 0x1b:
		// ESC and a sequence: the sequence with alt (rxvt, iTerm2's
		// "Esc+" option send alt+left as ESC ESC [ D).
		return escapeEnd(b, j)
	case '[':
		if j+1 < len(b) && b[j+1] == '[' {
			return min(len(b), j+3) // the Linux console's F1 to F5: ESC [ [ A … E
		}
		for j++; j < len(b); j++ {
			if b[j] >= 0x40 && b[j] <= 0x7e {
				return j + 1
			}
		}
		return j
	case 'O':
		if j+1 < len(b) && b[j+1] >= utf8.RuneSelf {
			return j + 1 // alt+O, and a character that is no SS3 key's
		}
		return min(len(b), j+2)
	case ']', 'P', '_', '^', 'X':
		for j++; j < len(b); j++ {
			switch {
			case b[j] == 0x07:
				return j + 1
			case b[j] == 0x1b && j+1 < len(b) && b[j+1] == '\\':
				return j + 2
			}
		}
		return j
	}
	_, w := utf8.DecodeRune(b[j:])
	return j + w
}

// pasteMsg is the message Bubble Tea makes of a bracketed paste: its text
// as runes (bytes that are not UTF-8 left out), Paste set.
func pasteMsg(b []byte) tea.KeyMsg {
	runes := make([]rune, 0, utf8.RuneCount(b))
	for len(b) > 0 {
		r, w := utf8.DecodeRune(b)
		if r != utf8.RuneError || w > 1 {
			runes = append(runes, r)
		}
		b = b[w:]
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: runes, Paste: true}
}

// eventEnd is where p can be handed on: before a character cut at its end,
// before the start of a paste's start marker (from "\x1b[2", which no key
// sends alone), and, if more may follow (full), before any escape sequence
// not finished (ESC, ESC [ and its parameters, ESC O).
func eventEnd(p []byte, full bool) int {
	n := len(p)
	for i := n - 1; i >= 0 && i >= n-utf8.UTFMax; i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				n = i
			}
			break
		}
	}
	const longest = 32 // no key's sequence is longer
	i := bytes.LastIndexByte(p[max(0, n-longest):n], 0x1b)
	if i < 0 {
		return n
	}
	i += max(0, n-longest)
	tail := p[i:n]
	if len(tail) >= 3 && len(tail) < len(pasteStart) && string(tail) == pasteStart[:len(tail)] {
		return i
	}
	if !full {
		return n
	}
	switch {
	case len(tail) == 1:
		return i
	case tail[1] == 'O' && len(tail) == 2:
		return i
	case tail[1] == '[':
		for _, c := range tail[2:] {
			if c < 0x20 || c > 0x3f { // a final byte (or not a sequence)
				return n
			}
		}
		return i
	}
	return n
}
