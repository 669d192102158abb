package editor

import (
	"strings"

	"github.com/alecthomas/chroma/v2"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms/sqlscript"
)

// document is the state shared by copies of a Model: the text, the lines'
// entry states, the caches and the undo history. Keeping it behind a pointer keeps
// Model cheap to copy; the parent must keep using the Model that Update
// returns.
type document struct {
	lines []*line

	dialect sqlscript.Dialect
	lexer   chroma.Lexer
	gen     uint32 // bumped on dialect changes: invalidates highlighting

	// unknown are the spans of lines whose entry states are yet to be
	// recomputed (see ensure), in order, apart; spare is the slice they are
	// rebuilt in.
	unknown, spare []span

	version uint64
	// The whole text as last joined (Value's cache and the base of Texts,
	// see text.go), the edits since and the last Text handed out.
	valueText    string
	valueVersion uint64
	valueOK      bool
	splices      []splice
	logOK        bool // splices holds every edit since valueVersion
	snap         *joined
	snapVersion  uint64
	snapLen      int

	size    int // bytes of the text, lines joined with "\n"
	limit   int // at most this many bytes are typed or pasted in; 0: no limit
	refused *LimitMsg

	hist     history
	lexCache tokenCache
	pieceLen int // lines longer than this are lexed in pieces
	maxPiece int // pieces are cut at this length whatever the text

	styles   Styles
	styleGen uint32 // bumped on style changes: invalidates rendering
	ss       styleSet

	stats stats
}

// stats counts work done, for tests that check the work is incremental.
type stats struct {
	scanned int // lines read to recompute entry states
	lexed   int // pieces of code lexed by chroma
	drawn   int // lines rendered (not served from the cache)
}

func (d *document) setDialect(dl sqlscript.Dialect) {
	dl = known(dl)
	if d.lexer != nil && dl == d.dialect {
		return
	}
	d.dialect = dl
	d.lexer = lexerFor(dl)
	d.gen++
	d.lexCache.reset()
	if len(d.lines) > 0 {
		d.forgetStates()
	}
}

// Model is the SQL editor. Create it with New; it starts blurred, so call
// Focus before it takes keys. It is a value, like other Bubble Tea models,
// but copies share the text and its caches: always keep the Model that
// Update returns.
type Model struct {
	// KeyMap is the editor's key bindings.
	KeyMap KeyMap

	doc           *document
	width, height int
	cur           pos
	goal          int // remembered cell column for vertical moves; -1 when unset
	yOff, xOff    int // first visible line and cell
	focused       bool
	placeholder   string
	marks         map[int]string
}

// New returns an empty, blurred editor for generic SQL with the given styles.
func New(styles Styles) Model {
	d := &document{pieceLen: defaultPieceLen, maxPiece: defaultMaxPiece}
	d.setDialect(sqlscript.Generic)
	d.setText("")
	d.version, d.valueVersion = 0, 0
	d.setStyles(styles)
	return Model{KeyMap: DefaultKeyMap(), doc: d, goal: -1}
}

// SetSize sets the size of the editor in cells, gutter included.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = max(width, 0), max(height, 0)
	m.scrollToCursor()
}

// Width returns the editor's width in cells.
func (m Model) Width() int { return m.width }

// Height returns the editor's height in lines.
func (m Model) Height() int { return m.height }

// SetDialect sets the SQL dialect the text is read and highlighted in: its
// strings, quoted identifiers and comments are where sqlscript finds them,
// and chroma's lexer named d.Name() colours the code between them. A value
// that is none of sqlscript's dialects is Generic.
func (m *Model) SetDialect(d sqlscript.Dialect) { m.doc.setDialect(d) }

// Dialect returns the dialect the text is read and highlighted in.
func (m Model) Dialect() sqlscript.Dialect { return m.doc.dialect }

// SetStyles sets the styles.
func (m *Model) SetStyles(s Styles) { m.doc.setStyles(s) }

// SetValue replaces the text, forgets the undo history and puts the cursor
// at the top. Line breaks are normalised to "\n" and invalid UTF-8 becomes
// U+FFFD; tabs are kept.
func (m *Model) SetValue(s string) {
	m.doc.setText(normalizedString(s))
	m.doc.hist.clear()
	m.cur, m.goal, m.yOff, m.xOff = pos{}, -1, 0, 0
}

// ReplaceAll replaces the whole text as one edit that ctrl+z undoes (a file
// opened over what was typed), and puts the cursor at the top. The text is
// normalised as SetValue's.
func (m *Model) ReplaceAll(s string) {
	d := m.doc
	last := len(d.lines) - 1
	d.hist.seal()
	str := normalizedString(s)
	limit := d.limit // not limited (SetLimit): a file read with its own bound, its tabs expanded
	d.limit = 0
	m.edit(pos{}, pos{line: last, col: len(d.lines[last].runes())}, str, changeOther)
	d.limit = limit
	d.setBase(str) // the text is str, as read
	d.hist.seal()
	m.cur, m.goal, m.yOff, m.xOff = pos{}, -1, 0, 0
}

// Value returns the text, lines joined with "\n".
func (m Model) Value() string { return m.doc.value() }

// Version returns a number that changes whenever the text changes, to tell
// whether something computed from the text (an estimate, a check) is stale.
func (m Model) Version() uint64 { return m.doc.version }

// LineCount returns the number of lines (at least 1).
func (m Model) LineCount() int { return len(m.doc.lines) }

// Cursor returns the cursor's line and column, 0-based, the column in runes.
func (m Model) Cursor() (line, col int) { return m.cur.line, m.cur.col }

// SetCursor moves the cursor to line and col (0-based, col in runes),
// clamped to the text, and scrolls to it.
func (m *Model) SetCursor(line, col int) {
	m.cur = pos{line, col}
	m.clampCursor()
	m.goal = -1
	m.doc.hist.seal()
	m.scrollToCursor()
}

// SetMarks marks lines (0-based) that have a problem, with a short reason
// each. The gutter shows a mark; the reason is not drawn by the editor (see
// Mark). The map is copied; nil clears the marks. Marks do not follow edits:
// set them again when the checks are rerun.
func (m *Model) SetMarks(lines map[int]string) {
	marks := make(map[int]string, len(lines))
	for k, v := range lines {
		if v != "" {
			marks[k] = v
		}
	}
	m.marks = marks
}

// Mark returns the reason line (0-based) is marked for, or "".
func (m Model) Mark(line int) string { return m.marks[line] }

// Focus makes the editor take keys and draw its cursor.
func (m *Model) Focus() { m.focused = true }

// Blur makes the editor ignore keys and hide its cursor.
func (m *Model) Blur() { m.focused = false }

// Focused reports whether the editor has the focus.
func (m Model) Focused() bool { return m.focused }

// SetPlaceholder sets the text shown while the buffer is empty.
func (m *Model) SetPlaceholder(s string) { m.placeholder = s }

// SetLimit sets the most bytes the text may hold through typing and
// pasting (0: no limit). An edit that would pass it is refused whole and
// reported with a LimitMsg: a paste is never cut short, which would leave
// part of a script. SetValue and ReplaceAll are not limited (their callers
// read bounded files), nor are undo and redo, which bring back only text
// that was there.
func (m *Model) SetLimit(n int) { m.doc.limit = max(n, 0) }

// Size returns the text's length in bytes (Value's length).
func (m Model) Size() int { return m.doc.size }

// LimitMsg reports an edit the editor refused because the text would pass
// its limit (SetLimit): Size bytes were there, Adding more were asked for.
type LimitMsg struct{ Size, Adding, Limit int }

// Update handles keys while the editor is focused. Pastes (bracketed paste)
// are inserted in one step. It returns a command only to report a refused
// edit (LimitMsg).
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok || !m.focused {
		return m, nil
	}
	m.clampCursor()
	m.handleKey(k)
	m.clampCursor()
	m.scrollToCursor()
	if r := m.doc.refused; r != nil {
		m.doc.refused = nil
		lm := *r
		return m, func() tea.Msg { return lm }
	}
	return m, nil
}

func (m *Model) handleKey(k tea.KeyMsg) {
	d := m.doc
	if k.Paste {
		d.hist.seal()
		if k.Type == tea.KeyEnter {
			// An enter of text pasted without brackets: the line breaks as
			// the text's did, its next line bringing its own indentation.
			m.edit(m.cur, m.cur, "\n", changeOther)
		} else {
			m.insert(k.Runes, changeOther)
		}
		d.hist.seal()
		return
	}
	km := &m.KeyMap
	switch {
	case key.Matches(k, km.Undo):
		m.undo()
	case key.Matches(k, km.Redo):
		m.redo()
	case key.Matches(k, km.InsertNewline):
		m.newline()
	case key.Matches(k, km.InsertTab):
		n := tabWidth - m.cellCol()%tabWidth
		m.insert([]rune(strings.Repeat(" ", n)), changeTyping)
	case key.Matches(k, km.DeleteCharBackward):
		m.backspace()
	case key.Matches(k, km.DeleteCharForward):
		m.deleteForward()
	case key.Matches(k, km.DeleteWordBackward):
		m.deleteWordBackward()
	case key.Matches(k, km.DeleteWordForward):
		m.deleteWordForward()
	case key.Matches(k, km.DeleteToLineEnd):
		m.deleteToLineEnd()
	case key.Matches(k, km.DeleteToLineStart):
		m.deleteToLineStart()
	case key.Matches(k, km.CharacterLeft):
		m.moveLeft()
	case key.Matches(k, km.CharacterRight):
		m.moveRight()
	case key.Matches(k, km.LineUp):
		m.moveVertical(-1)
	case key.Matches(k, km.LineDown):
		m.moveVertical(1)
	case key.Matches(k, km.WordLeft):
		m.wordLeft()
	case key.Matches(k, km.WordRight):
		m.wordRight()
	case key.Matches(k, km.LineStart):
		m.moveTo(pos{m.cur.line, 0})
	case key.Matches(k, km.LineEnd):
		m.moveTo(pos{m.cur.line, len(m.line())})
	case key.Matches(k, km.BufferStart):
		m.moveTo(pos{})
	case key.Matches(k, km.BufferEnd):
		last := len(d.lines) - 1
		m.moveTo(pos{last, len(d.lines[last].runes())})
	case key.Matches(k, km.PageUp):
		m.page(-1)
	case key.Matches(k, km.PageDown):
		m.page(1)
	case k.Type == tea.KeySpace && !k.Alt:
		m.insert([]rune{' '}, changeTyping)
	case k.Type == tea.KeyRunes && !k.Alt:
		m.insert(k.Runes, changeTyping)
	}
}

// line returns the cursor line's runes.
func (m *Model) line() []rune { return m.doc.lines[m.cur.line].runes() }

// cellCol returns the cursor's display column.
func (m *Model) cellCol() int { return m.doc.lines[m.cur.line].cellsTo(m.cur.col) }

// clampCursor keeps the cursor inside the text (a stale copy of the Model
// may point past it).
func (m *Model) clampCursor() {
	n := len(m.doc.lines)
	m.cur.line = min(max(m.cur.line, 0), n-1)
	m.cur.col = min(max(m.cur.col, 0), len(m.doc.lines[m.cur.line].runes()))
}

// edit replaces the text between a and b with text (normalised), records
// it for undo and leaves the cursor after the inserted text.
func (m *Model) edit(a, b pos, text string, kind changeKind) {
	d := m.doc
	removed := d.textBetween(a, b)
	if removed == "" && text == "" {
		d.hist.seal()
		return
	}
	if grow := len(text) - len(removed); d.limit > 0 && grow > 0 && d.size+grow > d.limit {
		d.refused = &LimitMsg{Size: d.size, Adding: grow, Limit: d.limit}
		d.hist.seal()
		return
	}
	before := m.cur
	m.cur = d.replace(a, b, removed, text)
	m.goal = -1
	d.hist.record(change{kind: kind, at: a, removed: removed, inserted: text, before: before, after: m.cur})
}

// insert inserts typed or pasted text at the cursor. The lines do not
// share memory with the message: the text is copied into UTF-8.
func (m *Model) insert(text []rune, kind changeKind) {
	if len(text) == 0 {
		return
	}
	m.edit(m.cur, m.cur, utf8Of(normalize(text)), kind)
}

// newline breaks the line at the cursor, keeping the line's indentation
// (its spaces and tabs).
func (m *Model) newline() {
	r := m.line()
	n := 0
	for n < len(r) && n < m.cur.col && (r[n] == ' ' || r[n] == '\t') {
		n++
	}
	m.doc.hist.seal()
	m.edit(m.cur, m.cur, "\n"+string(r[:n]), changeOther)
	m.doc.hist.seal()
}

func (m *Model) backspace() {
	if m.cur.col > 0 {
		start := m.cur.col - 1
		if r := m.line(); start > 0 && isBlank(r[:m.cur.col]) {
			// In the indentation, back to the previous tab stop.
			start = (m.cur.col - 1) / tabWidth * tabWidth
		}
		m.edit(pos{m.cur.line, start}, m.cur, "", changeBackspace)
		return
	}
	if m.cur.line > 0 {
		prev := m.doc.lines[m.cur.line-1].runes()
		m.edit(pos{m.cur.line - 1, len(prev)}, m.cur, "", changeBackspace)
	}
}

func (m *Model) deleteForward() {
	if m.cur.col < len(m.line()) {
		m.edit(m.cur, pos{m.cur.line, m.cur.col + 1}, "", changeDelete)
		return
	}
	if m.cur.line < len(m.doc.lines)-1 {
		m.edit(m.cur, pos{m.cur.line + 1, 0}, "", changeDelete)
	}
}

func (m *Model) deleteWordBackward() {
	m.doc.hist.seal()
	if m.cur.col == 0 {
		m.backspace()
	} else {
		m.edit(pos{m.cur.line, wordStart(m.line(), m.cur.col)}, m.cur, "", changeOther)
	}
	m.doc.hist.seal()
}

func (m *Model) deleteWordForward() {
	m.doc.hist.seal()
	if m.cur.col == len(m.line()) {
		m.deleteForward()
	} else {
		m.edit(m.cur, pos{m.cur.line, wordEnd(m.line(), m.cur.col)}, "", changeOther)
	}
	m.doc.hist.seal()
}

func (m *Model) deleteToLineEnd() {
	m.doc.hist.seal()
	if m.cur.col < len(m.line()) {
		m.edit(m.cur, pos{m.cur.line, len(m.line())}, "", changeOther)
	} else if m.cur.line < len(m.doc.lines)-1 {
		m.edit(m.cur, pos{m.cur.line + 1, 0}, "", changeOther)
	}
	m.doc.hist.seal()
}

func (m *Model) deleteToLineStart() {
	m.doc.hist.seal()
	if m.cur.col > 0 {
		m.edit(pos{m.cur.line, 0}, m.cur, "", changeOther)
	}
	m.doc.hist.seal()
}

func (m *Model) undo() {
	h := &m.doc.hist
	c, ok := pop(&h.undo)
	if !ok {
		return
	}
	h.size -= c.size()
	m.doc.replace(c.at, endOf(c.at, c.inserted), c.inserted, c.removed)
	h.redo = append(h.redo, c)
	h.seal()
	m.cur, m.goal = c.before, -1
}

func (m *Model) redo() {
	h := &m.doc.hist
	c, ok := pop(&h.redo)
	if !ok {
		return
	}
	m.doc.replace(c.at, endOf(c.at, c.removed), c.removed, c.inserted)
	h.push(c)
	h.seal()
	m.cur, m.goal = c.after, -1
}

// moveTo moves the cursor to p, forgetting the goal column.
func (m *Model) moveTo(p pos) {
	m.doc.hist.seal()
	m.cur, m.goal = p, -1
}

func (m *Model) moveLeft() {
	if m.cur.col > 0 {
		r, c := m.line(), m.cur.col-1
		for c > 0 && cellWidth(r[c]) == 0 { // step over combining marks
			c--
		}
		m.moveTo(pos{m.cur.line, c})
	} else if m.cur.line > 0 {
		m.moveTo(pos{m.cur.line - 1, len(m.doc.lines[m.cur.line-1].runes())})
	}
}

func (m *Model) moveRight() {
	if r := m.line(); m.cur.col < len(r) {
		c := m.cur.col + 1
		for c < len(r) && cellWidth(r[c]) == 0 {
			c++
		}
		m.moveTo(pos{m.cur.line, c})
	} else if m.cur.line < len(m.doc.lines)-1 {
		m.moveTo(pos{m.cur.line + 1, 0})
	}
}

// moveVertical moves the cursor up (dir < 0) or down by one line, keeping
// the goal column.
func (m *Model) moveVertical(dir int) {
	m.doc.hist.seal()
	target := m.cur.line + dir
	switch {
	case target < 0:
		m.cur.col, m.goal = 0, -1
		return
	case target >= len(m.doc.lines):
		m.cur.col, m.goal = len(m.line()), -1
		return
	}
	m.toLineKeepingGoal(target)
}

// toLineKeepingGoal moves the cursor to line, at the goal column.
func (m *Model) toLineKeepingGoal(line int) {
	if m.goal < 0 {
		m.goal = m.cellCol()
	}
	m.cur = pos{line, colAtCell(m.doc.lines[line].runes(), m.goal)}
}

// page moves the cursor and the view by a screen.
func (m *Model) page(dir int) {
	m.doc.hist.seal()
	step := max(1, m.height)
	target := min(max(m.cur.line+dir*step, 0), len(m.doc.lines)-1)
	m.yOff = max(0, m.yOff+dir*step)
	m.toLineKeepingGoal(target)
}

func (m *Model) wordLeft() {
	if m.cur.col == 0 {
		m.moveLeft()
		return
	}
	m.moveTo(pos{m.cur.line, wordStart(m.line(), m.cur.col)})
}

func (m *Model) wordRight() {
	if m.cur.col == len(m.line()) {
		m.moveRight()
		return
	}
	m.moveTo(pos{m.cur.line, wordEnd(m.line(), m.cur.col)})
}

// scrollToCursor scrolls so that the cursor is visible. Horizontal scrolling
// jumps by a quarter of the width, so typing along a long line does not
// redraw every line on every key.
func (m *Model) scrollToCursor() {
	d := m.doc
	n := len(d.lines)
	if m.height > 0 {
		if m.cur.line < m.yOff {
			m.yOff = m.cur.line
		}
		if m.cur.line >= m.yOff+m.height {
			m.yOff = m.cur.line - m.height + 1
		}
		m.yOff = max(0, min(m.yOff, n-m.height))
	}
	tw := d.layout(m.width).textW
	if tw <= 0 {
		m.xOff = 0
		return
	}
	r := d.lines[m.cur.line].runes()
	x := d.lines[m.cur.line].cellsTo(m.cur.col)
	cw := 1
	if m.cur.col < len(r) {
		cw = max(1, cellWidth(r[m.cur.col]))
	}
	if x < m.xOff {
		m.xOff = max(0, x-tw/4)
	}
	if x+cw > m.xOff+tw {
		m.xOff = x + cw - tw + tw/4
	}
	if x < m.xOff {
		m.xOff = x
	}
}

// View draws the editor: exactly Height lines, each at most Width cells.
func (m Model) View() string {
	if m.height <= 0 {
		return ""
	}
	d := m.doc
	m.clampCursor()
	if m.yOff >= len(d.lines) {
		m.yOff = max(0, len(d.lines)-1)
	}
	lay := d.layout(m.width)
	rows := min(m.height, len(d.lines)-m.yOff)
	d.ensure(m.yOff + rows - 1) // the entry states of the lines drawn
	var flags []bool
	if d.styles.Syntax != nil && d.dialect == sqlscript.MySQL {
		flags = make([]bool, rows)
		d.parenFollows(m.yOff, flags)
	}
	empty := len(d.lines) == 1 && len(d.lines[0].runes()) == 0 && m.placeholder != ""
	var ph []string
	if empty {
		ph = strings.Split(m.placeholder, "\n")
	}

	var sb strings.Builder
	sb.Grow(m.height * (m.width + 16))
	for row := range m.height {
		if row > 0 {
			sb.WriteByte('\n')
		}
		if lay.textW <= 0 {
			continue
		}
		i := m.yOff + row
		if empty && row < len(ph) {
			if lay.gutter {
				if row == 0 {
					sb.WriteString(d.gutterFor(0, m.cur.line == 0, m.marks[0] != "", lay))
				} else {
					sb.WriteString(strings.Repeat(" ", lay.numW+markWidth+1))
				}
			}
			sb.WriteString(d.drawPlain(ph[row], d.ss.placeholder, lay.textW, m.focused && row == 0))
			continue
		}
		if i >= len(d.lines) {
			continue
		}
		if lay.gutter {
			sb.WriteString(d.gutterFor(i, i == m.cur.line, m.marks[i] != "", lay))
		}
		cursor := -1
		if m.focused && i == m.cur.line {
			cursor = m.cur.col
		}
		paren := false
		if flags != nil {
			paren = flags[row]
		}
		sb.WriteString(d.renderLine(d.lines[i], paren, m.xOff, lay.textW, cursor))
	}
	return sb.String()
}
