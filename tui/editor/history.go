package editor

// changeKind says how a change was made, for undo coalescing.
type changeKind uint8

const (
	changeOther     changeKind = iota
	changeTyping               // typed runes: consecutive ones become one undo step
	changeBackspace            // consecutive backspaces become one undo step
	changeDelete               // consecutive forward deletes become one undo step
)

// change is one undoable edit: the text removed at a and the text inserted
// there, with the cursor before and after.
type change struct {
	kind              changeKind
	at                pos
	removed, inserted string
	before, after     pos
}

// maxUndo bounds the undo history.
const maxUndo = 1000

// history holds undo and redo stacks.
type history struct {
	undo, redo []change
	sealed     bool // the next change must not merge into the last one
}

// seal ends the current coalescing run (called on every key that is not an
// edit of the same kind).
func (h *history) seal() { h.sealed = true }

// record adds c, merging it into the previous change when it continues it.
func (h *history) record(c change) {
	h.redo = h.redo[:0]
	if n := len(h.undo); n > 0 && !h.sealed && c.kind != changeOther {
		last := &h.undo[n-1]
		if last.kind == c.kind {
			switch c.kind {
			case changeTyping:
				if last.removed == "" && c.removed == "" && c.at == endOf(last.at, last.inserted) {
					last.inserted += c.inserted
					last.after = c.after
					return
				}
			case changeBackspace:
				if c.inserted == "" && endOf(c.at, c.removed) == last.at {
					last.removed = c.removed + last.removed
					last.at = c.at
					last.after = c.after
					return
				}
			case changeDelete:
				if c.inserted == "" && c.at == last.at {
					last.removed += c.removed
					last.after = c.after
					return
				}
			}
		}
	}
	h.sealed = false
	if len(h.undo) == maxUndo {
		h.undo = append(h.undo[:0], h.undo[1:]...)
	}
	h.undo = append(h.undo, c)
}

// clear forgets all history.
func (h *history) clear() {
	h.undo, h.redo, h.sealed = nil, nil, false
}
