package tui

import (
	"bytes"
	"os"
	"unicode/utf8"
)

// termInput is the terminal as the program reads it. Bubble Tea v1 reads
// 256 bytes at a time and takes a full read to mean that more may follow;
// then it holds an escape sequence the read cut until the next read, but a
// multi-byte character the read cut is dropped (its bytes become unknown
// input: text pasted without bracketed paste, tmux paste-buffer say, lost
// one character at every 256 bytes, '東京' arriving as '東'), and text
// without a break is parsed again on every read for as long as reads come
// full (a 2 MiB line pasted so: minutes of CPU).
//
// termInput reads one byte less than asked, so Bubble Tea never sees a full
// read and hands over what it has read, and takes over what a full read
// asks: the end of a read that may continue (a character cut, or, when the
// terminal had more to give, an escape sequence without its final byte) is
// held and handed on with what follows. It is an os.File as far as Bubble
// Tea looks (the raw mode, the reads it can cancel: the descriptor is the
// terminal's).
type termInput struct {
	*os.File
	held []byte
}

func newTermInput(f *os.File) *termInput { return &termInput{File: f} }

// Read implements io.Reader.
func (t *termInput) Read(p []byte) (int, error) {
	if len(p) < 2*utf8.UTFMax {
		return t.File.Read(p)
	}
	n := copy(p, t.held)
	t.held = t.held[n:]
	m, err := t.File.Read(p[n : len(p)-1])
	n += m
	k := eventEnd(p[:n], n == len(p)-1)
	t.held = append(append([]byte(nil), p[k:n]...), t.held...)
	return k, err
}

// eventEnd is where p can be handed on: before a character cut at its end,
// and, if more may follow (full), before an escape sequence not finished
// (ESC, ESC [ and its parameters, ESC O).
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
	if !full {
		return n
	}
	const longest = 32 // no key's sequence is longer
	i := bytes.LastIndexByte(p[max(0, n-longest):n], 0x1b)
	if i < 0 {
		return n
	}
	i += max(0, n-longest)
	tail := p[i:n]
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
