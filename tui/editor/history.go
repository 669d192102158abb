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

// The undo history keeps at most maxUndo changes and, beyond the last one,
// at most maxUndoBytes of text.
const (
	maxUndo      = 1000
	maxUndoBytes = 32 << 20
)

// history holds undo and redo stacks.
type history struct {
	undo, redo []change
	size       int  // bytes of text held by undo
	sealed     bool // the next change must not merge into the last one
}

func (c change) size() int { return len(c.removed) + len(c.inserted) }

// push adds c to the undo stack, dropping the oldest changes beyond the
// limits.
func (h *history) push(c change) {
	h.undo = append(h.undo, c)
	h.size += c.size()
	drop := 0
	for len(h.undo)-drop > 1 && (len(h.undo)-drop > maxUndo || h.size > maxUndoBytes) {
		h.size -= h.undo[drop].size()
		drop++
	}
	if drop > 0 {
		h.undo = append(h.undo[:0], h.undo[drop:]...)
	}
}

// pop removes and returns the newest change of stack.
func pop(stack *[]change) (change, bool) {
	n := len(*stack)
	if n == 0 {
		return change{}, false
	}
	c := (*stack)[n-1]
	(*stack)[n-1] = change{}
	*stack = (*stack)[:n-1]
	return c, true
}

// seal ends the current coalescing run (called on every key that is not an
// edit of the same kind).
func (h *history) seal() { h.sealed = true }

// record adds c, merging it into the previous change when it continues it.
func (h *history) record(c change) {
	h.redo = nil
	if n := len(h.undo); n > 0 && !h.sealed {
		last := &h.undo[n-1]
		before := last.size()
		if merge(last, c) {
			h.size += last.size() - before
			return
		}
	}
	h.sealed = false
	h.push(c)
}

// merge folds c into last if c continues it: typing on after typed text,
// backspacing on before deleted text, deleting on at the same place.
func merge(last *change, c change) bool {
	if last.kind != c.kind {
		return false
	}
	switch c.kind {
	case changeTyping:
		if last.removed == "" && c.removed == "" && c.at == endOf(last.at, last.inserted) {
			last.inserted += c.inserted
			last.after = c.after
			return true
		}
	case changeBackspace:
		if c.inserted == "" && endOf(c.at, c.removed) == last.at {
			last.removed = c.removed + last.removed
			last.at = c.at
			last.after = c.after
			return true
		}
	case changeDelete:
		if c.inserted == "" && c.at == last.at {
			last.removed += c.removed
			last.after = c.after
			return true
		}
	}
	return false
}

// clear forgets all history.
func (h *history) clear() {
	*h = history{}
}
