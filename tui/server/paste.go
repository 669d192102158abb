package server

import (
	"bytes"
	"unicode/utf8"

	"dmsticket/dms"
)

// Bubble Tea v1's input reader (readAnsiInputs) reads 256 bytes at a time
// and keeps what it cannot parse yet, copying and parsing all of it again on
// every read: a bracketed paste until its end marker, and a run of text
// (no space, no control character) for as long as the reads come full. A
// paste or a run costs it time quadratic in its length, and one that never
// ends, without bound: 6 MiB of paste some 23 s of CPU, 2 MiB of "xxx…" some
// 3 minutes. The session's input therefore goes through an inputScan first
// (activityReader): a paste longer than the limit ends the session, and a
// full read that ends inside a run of text longer than maxTextRun is handed
// on short of its last two runes, which makes Bubble Tea hand over what it
// holds as text (as the end of a network packet would); the two follow in
// the next read. The scan's work is linear in what is read. A paste within
// the limit still costs Bubble Tea its square: one of 4 MiB, some 15 to 20 s
// of CPU.

// The markers of a bracketed paste.
const (
	pasteStart = "\x1b[200~"
	pasteEnd   = "\x1b[201~"
)

// defaultMaxPaste bounds a bracketed paste: the largest SQL a ticket holds,
// and room for the terminal's markers and line endings.
const defaultMaxPaste = dms.MaxSQLBytes + 64<<10

// maxTextRun is how long a run of text grows before a read is made short:
// Bubble Tea's work on a run is about its length squared over 256 (some
// 1 MB for one of this length), and the program gets the text of a run in
// one message for each.
const maxTextRun = 16 << 10

// reasonLongPaste is why the server ended a session that pasted more.
const reasonLongPaste = "a paste longer than %s was refused; the session ends{draft}."

// inputScan follows the bracketed pastes and the runs of text of a stream
// read in pieces (a marker may be split between pieces).
type inputScan struct {
	maxPaste int  // zero: no bound
	in       bool // inside a paste
	// n is the bytes of the paste so far after its start marker (its end
	// marker's as they come).
	n int
	// matched is how much of the marker looked for (pasteEnd inside a
	// paste, pasteStart outside) the bytes scanned last ended with.
	matched int
	// run is the bytes of the run of text going on, outside a paste.
	run int
	// cut says the last scan handed on a full read short of its last
	// bytes, the start of what may be a paste's start marker: the next read
	// waits for the rest.
	cut bool
}

// scan takes the next piece of the stream, to be handed on (full: it fills
// the reader's buffer), and says how much of it to hand on now (at least
// one byte; the rest is to be scanned again and handed on in the next read)
// and whether the paste it is in has grown past the limit.
func (s *inputScan) scan(p []byte, full bool) (handOn int, over bool) {
	for i := 0; i < len(p); i++ {
		if s.in && s.matched == 0 {
			// Up to the next ESC, which every marker starts with.
			j := bytes.IndexByte(p[i:], 0x1b)
			if j < 0 {
				s.n += len(p) - i
				break
			}
			s.n += j
			i += j
		}
		c := p[i]
		marker := pasteStart
		switch {
		case s.in:
			marker = pasteEnd
			s.n++
		case c <= ' ' || c == 0x7f: // what ends a run for Bubble Tea (ESC too)
			s.run = 0
		default:
			s.run++
		}
		// The markers have no ESC but their first byte: an ESC that breaks
		// a match starts the next one.
		switch {
		case c == marker[s.matched]:
			s.matched++
		case c == 0x1b:
			s.matched = 1
		default:
			s.matched = 0
		}
		if s.matched == len(marker) {
			s.in, s.n, s.matched, s.run = !s.in, 0, 0, 0
		}
	}
	if s.in {
		return len(p), s.maxPaste > 0 && s.n > s.maxPaste
	}
	if full && s.run >= maxTextRun && len(p) > 2*utf8.UTFMax {
		// The read ends in a long run of text (its last maxTextRun bytes
		// have no ESC, no control character, no space): short of its last
		// two runes (or of what of them came), it ends between two runes of
		// text, and Bubble Tea hands the run over. The two follow, as text
		// (one rune alone would be a key).
		k := runeStart(p, runeStart(p, len(p)-1)-1)
		s.run = 0
		return k, false
	}
	if k := runeStart(p, len(p)-1); full && k > 0 && !utf8.FullRune(p[k:]) {
		// The read cut a rune: Bubble Tea would drop its bytes as unknown
		// input. It is handed on whole in the next read.
		return k, false
	}
	if full && s.matched > 0 && s.matched < len(p) {
		// The read cut what may be a paste's start marker: Bubble Tea
		// would read "\x1b[20" as alt+[ and text, and the paste as typed
		// keys. It is handed on whole in the next read (the bytes are
		// scanned again).
		k := len(p) - s.matched
		s.matched, s.cut = 0, true
		return k, false
	}
	return len(p), false
}

// runeStart is the start of the rune p[i] is in: i, or up to three bytes
// before it (not UTF-8: i).
func runeStart(p []byte, i int) int {
	for j := i; j >= 0 && i-j < utf8.UTFMax; j-- {
		if utf8.RuneStart(p[j]) {
			return j
		}
	}
	return i
}

// markerPrefix reports whether p ends with a proper prefix of a paste's
// start marker at least least bytes long.
func markerPrefix(p []byte, least int) bool {
	i := bytes.LastIndexByte(p, 0x1b)
	n := len(p) - i
	return i >= 0 && n >= least && n < len(pasteStart) && pasteStart[:n] == string(p[i:])
}

// waitFor is how much of a paste's start marker a read may end with before
// its rest is waited for: "\x1b[2", which no key sends alone (an ESC, or
// ESC [, at the end of a read may be keys: esc, alt+[).
const waitFor = 3

// partialRune reports whether p ends inside a rune, some of its bytes to
// come.
func partialRune(p []byte) bool {
	return len(p) > 0 && !utf8.FullRune(p[runeStart(p, len(p)-1):])
}
