package server

import (
	"dmsticket/dms"
)

// A session's input is read through a tui.Input (activityReader): a
// bracketed paste is gathered there, in time linear in its length, and
// bounded; Bubble Tea alone parses what it holds of a paste again on every
// 256-byte read (a 4 MiB paste some 20 to 40 s of the server's CPU), and an
// unending one without bound.

// defaultMaxPaste bounds a bracketed paste: the largest SQL a ticket holds,
// and room for the terminal's markers and line endings.
const defaultMaxPaste = dms.MaxSQLBytes + 64<<10

// reasonLongPaste is why the server ended a session that pasted more.
const reasonLongPaste = "a paste longer than %s was refused; the session ends{draft}."
