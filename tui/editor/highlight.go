package editor

import (
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alecthomas/chroma/v2"

	"dmsticket/dms/sqlscript"
)

// tok is a run of n runes of one token type.
type tok struct {
	typ chroma.TokenType
	n   int32
}

// defaultPieceLen is the length in runes above which a line is cut into
// separately lexed pieces (chroma costs a few microseconds per rune, and a
// one-line INSERT of a data dump can be megabytes long).
const defaultPieceLen = 256

// defaultMaxPiece is the length at which a piece is cut even where canSplit
// does not allow it (a long run of code with no space or punctuation): the
// tokens on either side of such a cut may differ from a full re-lex, which
// is better than lexing megabytes on every key.
const defaultMaxPiece = 16 * defaultPieceLen

// piece is a stretch of one line lexed as a unit.
type piece struct {
	start, end   int                 // runes of the line
	bstart, bend int                 // the same stretch in bytes of the line's text
	st           sqlscript.LineState // the state at start
	toks         []tok
	lexed        bool
	paren        bool // toks were lexed as if "(" followed (see parenFollows)
	// atToken says the piece starts between two of sqlscript's tokens (not
	// inside a long run of code cut at maxPiece): lexing can resume there.
	atToken bool
}

// lineCache holds what was computed for a line's current text.
type lineCache struct {
	hlOK    bool
	hlEntry sqlscript.LineState
	hlGen   uint32
	pieces  []piece

	rOK  bool
	rKey renderKey
	rStr string

	// The pieces of the line's text before its last edits, which began at
	// rune prevFrom: a line that grows at its end (text typed or pasted
	// without brackets, a read at a time) is cut again from its last
	// pieces, not from its start. Only for prevEntry and prevGen.
	prev      []piece
	prevFrom  int
	prevEntry sqlscript.LineState
	prevGen   uint32

	// cells[k] is the display width of the line's first (k+1)*cellStep
	// runes, for as many k as were needed: the cursor's cell and the
	// window's first rune are found without counting the whole line.
	cells []int
}

// cellStep is the distance in runes between two of a line's cell counts.
const cellStep = 1024

// edited is what stays of c once the line's runes from col on changed: the
// pieces, for cutting again from the last that ends before col, and the
// cell counts of the runes before col.
func (c *lineCache) edited(col int) *lineCache {
	if c == nil {
		return nil
	}
	n := &lineCache{prevFrom: col}
	switch {
	case c.hlOK:
		n.prev, n.prevEntry, n.prevGen = c.pieces, c.hlEntry, c.hlGen
	case c.prev != nil:
		n.prev, n.prevEntry, n.prevGen, n.prevFrom = c.prev, c.prevEntry, c.prevGen, min(col, c.prevFrom)
	}
	if k := min(len(c.cells), col/cellStep); k > 0 {
		n.cells = c.cells[:k] // the old counts' array: they are not used again
	}
	return n
}

// cellsTo is the display width of ln's first col runes.
func (ln *line) cellsTo(col int) int {
	r := ln.runes()
	col = min(col, len(r))
	k := col / cellStep
	if k == 0 {
		return cellsOf(r[:col])
	}
	c := ln.cache()
	for len(c.cells) < k {
		i := len(c.cells)
		base := 0
		if i > 0 {
			base = c.cells[i-1]
		}
		c.cells = append(c.cells, base+cellsOf(r[i*cellStep:(i+1)*cellStep]))
	}
	return c.cells[k-1] + cellsOf(r[k*cellStep:col])
}

// runeAtCell is the first rune of ln that reaches past cell x and the cell
// it starts at (len(runes) and the line's width when none does).
func (ln *line) runeAtCell(x int) (a, cell int) {
	r := ln.runes()
	if len(r) >= 2*cellStep && x > 0 {
		// Skip whole steps: the last step boundary at or before x.
		lo, hi := 0, len(r)/cellStep // steps [1, hi] may be counted
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if ln.cellsTo(mid*cellStep) <= x {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		a = lo * cellStep
		cell = ln.cellsTo(a)
	}
	for a < len(r) {
		w := cellWidth(r[a])
		if cell+w > x {
			break
		}
		cell += w
		a++
	}
	return a, cell
}

// piecesOf returns ln's pieces for its current entry state.
func (d *document) piecesOf(ln *line) []piece {
	c := ln.cache()
	if c.hlOK && c.hlEntry == ln.entry && c.hlGen == d.gen {
		return c.pieces
	}
	var keep []piece
	var resume sqlscript.LineState
	if c.prev != nil && c.prevEntry == ln.entry && c.prevGen == d.gen {
		if keep = reusable(c.prev, c.prevFrom); len(keep) > 0 {
			resume = c.prev[len(keep)].st
		}
	}
	c.pieces = d.cut(ln, keep, resume)
	c.hlOK, c.hlEntry, c.hlGen = true, ln.entry, d.gen
	c.prev = nil
	return c.pieces
}

// lookBack is how far before an edit a piece must end to be kept: the
// lexer looks a few bytes past a token to end it ("1e+5", "--", "q'[").
const lookBack = 8

// reusable is the start of prev, a line's pieces before an edit from rune
// from on, that is still right: pieces that end lookBack runes before the
// edit, up to one after which lexing can resume. It shares prev's array.
func reusable(prev []piece, from int) []piece {
	// The pieces that end early enough, found by halving: an edit at the
	// end of a line of megabytes is one of thousands of pieces.
	n := sort.Search(len(prev)-1, func(i int) bool { return prev[i].end+lookBack > from })
	for n > 0 && !prev[n].atToken {
		n-- // lexing resumes where a piece starts between two tokens
	}
	return prev[:n]
}

// cut splits a line into pieces of at least pieceLen runes. A piece ends
// between two of sqlscript's tokens, where canSplit allows it or, past
// maxPiece runes, wherever it can: between two tokens, or inside a long run
// of code (never inside a string, quoted identifier or comment, which are
// coloured without chroma). The pieces keep (reusable) are the line's
// first, unchanged: it goes on after them, in the state resume.
func (d *document) cut(ln *line, keep []piece, resume sqlscript.LineState) []piece {
	r := ln.runes()
	if len(r) <= d.pieceLen {
		return []piece{{end: len(r), bend: len(ln.text()), st: ln.entry, atToken: true}}
	}
	ps := keep // the old pieces' array: they are not used again
	cur := piece{st: ln.entry, atToken: true}
	var s string
	if len(keep) == 0 {
		s = ln.text()
	} else {
		last := keep[len(keep)-1]
		cur = piece{start: last.end, bstart: last.bend, st: resume, atToken: true}
		s = utf8Of(r[cur.start:])
	}
	// The scanner reads s, the line from rune r0 (byte b0) on.
	r0, b0 := cur.start, cur.bstart
	conv := newRuneCounter(s, r[r0:])
	end := func(ri, bi int, st sqlscript.LineState, atToken bool) {
		cur.end, cur.bend = ri, bi
		ps = append(ps, cur)
		cur = piece{start: ri, bstart: bi, st: st, atToken: atToken}
	}
	// at cuts at the token boundary bi (rune ri) if that is allowed.
	at := func(ri, bi int, st sqlscript.LineState) {
		if n := ri - cur.start; n >= d.pieceLen && ri < len(r) && (canSplit(r, ri) || n >= d.maxPiece) {
			end(ri, bi, st, true)
		}
	}
	sc := sqlscript.ScanLine(s, cur.st, d.dialect)
	for {
		before := sc.State()
		kind, a, b, ok := sc.Next()
		if !ok {
			break
		}
		ra, a := r0+conv.at(a), b0+a
		at(ra, a, before)
		rb, b := r0+conv.at(b), b0+b
		if isCode(kind) {
			// A run of code too long for chroma is cut inside.
			for rb-cur.start > d.maxPiece {
				k := cur.start + d.maxPiece
				end(k, a+byteLen(r[ra:k]), before, false)
				a, ra = cur.bstart, k
			}
		}
		at(rb, b, sc.State())
	}
	cur.end, cur.bend = len(r), b0+len(s)
	return append(ps, cur)
}

// pieceText is the text of p, a piece of ln, without making the whole
// line's text when it is not made already.
func (ln *line) pieceText(p *piece) string {
	if ln.strOK {
		return ln.str[p.bstart:p.bend]
	}
	return utf8Of(ln.runes()[p.start:p.end])
}

// isCode reports whether tokens of kind are code, which chroma colours.
func isCode(kind sqlscript.TokenKind) bool {
	switch kind {
	case sqlscript.String, sqlscript.QuotedIdent, sqlscript.Comment:
		return false
	}
	return true
}

// runeCounter turns byte offsets of a line's text into rune offsets.
// Offsets asked for must not decrease.
type runeCounter struct {
	s      string
	ascii  bool
	bi, ri int
}

func newRuneCounter(s string, r []rune) runeCounter {
	return runeCounter{s: s, ascii: len(s) == len(r)}
}

func (c *runeCounter) at(b int) int {
	if c.ascii {
		return b
	}
	for c.bi < b {
		_, n := utf8.DecodeRuneInString(c.s[c.bi:])
		c.bi += n
		c.ri++
	}
	return c.ri
}

// byteLen is the length of r in UTF-8.
func byteLen(r []rune) int {
	n := 0
	for _, c := range r {
		n += utf8.RuneLen(c)
	}
	return n
}

// fillTypes writes the token type of each rune of ln in [a, b) to dst,
// lexing the pieces that overlap the range if they are not cached. paren
// says whether the next non-blank text after the line starts with "(". It
// reports false when the tokens must not be cached (see suspectLex).
func (d *document) fillTypes(ln *line, a, b int, paren bool, dst []chroma.TokenType) bool {
	ok := true
	ps := d.piecesOf(ln)
	for i := range ps {
		p := &ps[i]
		if p.end <= a {
			continue
		}
		if p.start >= b {
			break
		}
		last := i == len(ps)-1
		if !d.lexPiece(ln, p, last && paren && d.dialect == sqlscript.MySQL) {
			ok = false
		}
		k := p.start
		for _, t := range p.toks {
			n := int(t.n)
			for j := max(k, a); j < min(k+n, b); j++ {
				dst[j-a] = t.typ
			}
			if k += n; k >= b {
				break
			}
		}
	}
	return ok
}

// lexPiece makes sure p's tokens are computed. It reports false when they
// are not trustworthy enough to be cached.
func (d *document) lexPiece(ln *line, p *piece, paren bool) bool {
	if p.lexed && p.paren == paren {
		return true
	}
	key := lexKey{st: p.st, paren: paren, text: ln.pieceText(p)}
	toks, ok := d.lexCache.get(key)
	if !ok {
		toks, ok = d.tokenize(p.st, key.text, paren)
		if ok && p.end-p.start <= d.maxPiece {
			// A piece that is one long string or comment is not kept: it
			// is cheap to colour and could hold megabytes.
			key.text = strings.Clone(key.text) // not the whole line's memory
			d.lexCache.put(key, toks)
		}
	}
	p.toks, p.lexed, p.paren = toks, ok, paren
	return ok
}

// tokenize colours text, a piece of a line that starts in state st: the
// strings, quoted identifiers and comments sqlscript finds in it with
// constructType, the code between them with chroma. With paren, text is
// lexed as if followed by a line starting with "(" (chroma's MySQL rule for
// function names looks across line breaks for the parenthesis). It reports
// false if chroma may have given up on a rule (see suspectLex).
func (d *document) tokenize(st sqlscript.LineState, text string, paren bool) ([]tok, bool) {
	d.stats.lexed++
	var toks []tok
	trusted := true
	code := func(a, b int, paren bool) {
		if a == b {
			return
		}
		next := rune(0)
		if b < len(text) {
			next, _ = utf8.DecodeRuneInString(text[b:])
		}
		var ok bool
		toks, ok = d.lexCode(toks, text[a:b], next, paren)
		trusted = trusted && ok
	}
	at := 0 // the end of what is coloured
	sc := sqlscript.ScanLine(text, st, d.dialect)
	for {
		kind, a, b, ok := sc.Next()
		if !ok {
			break
		}
		if isCode(kind) {
			continue
		}
		code(at, a, false)
		open := text[a]
		if a == 0 && st.Inside() != "" {
			open = st.Inside()[0] // continued from the line before
		} else if kind == sqlscript.String && (open == 'E' || open == 'e') {
			// PostgreSQL's E'…': the E is the string's prefix, as chroma
			// colours it.
			toks = appendTok(toks, chroma.LiteralStringAffix, 1)
			a, open = a+1, '\''
		}
		toks = appendTok(toks, constructType(kind, open), utf8.RuneCountInString(text[a:b]))
		at = b
	}
	code(at, len(text), paren)
	return toks, trusted
}

// lexCode appends the chroma tokens of code, which sqlscript reads as
// neither string nor comment, lexed with the dialect's chroma lexer:
// followed by next (when not 0), since chroma's rules look a rune ahead (at
// the quote after _utf8mb4, say), and with paren by "\n("; their tokens are
// cut off again. It reports false if chroma may have given up on a rule
// (see suspectLex).
func (d *document) lexCode(toks []tok, code string, next rune, paren bool) ([]tok, bool) {
	src := code
	if next != 0 {
		src += string(next)
	}
	if paren {
		src += "\n("
	}
	if d.dialect == sqlscript.MySQL && strings.Contains(src, "--") {
		src = minusSigns(src)
	}
	return d.appendChroma(toks, src, utf8.RuneCountInString(code))
}

// minusSigns replaces each dash that follows a dash by a "+". chroma's
// MySQL lexer reads "--" as a comment whatever follows it, MySQL only when a
// blank follows, and sqlscript found no comment in this code: "1--1" is one
// minus minus one, which chroma colours as it colours "1-+1".
func minusSigns(s string) string {
	b := []byte(s)
	for i := len(b) - 1; i > 0; i-- {
		if b[i] == '-' && b[i-1] == '-' {
			b[i] = '+'
		}
	}
	return string(b)
}

// suspectLex is how long a chroma call may take before its result is
// distrusted: chroma gives each regular expression match 250 ms and, when
// one runs out (a stalled process, a machine under load), silently tries
// the next rule, which yields wrong tokens. A call that took this long is
// retried, and if it stays that slow its tokens are used but not cached.
const suspectLex = 200 * time.Millisecond

// appendChroma appends the tokens of the first n runes of src, lexed with
// the dialect's chroma lexer, retrying a suspiciously slow call.
func (d *document) appendChroma(toks []tok, src string, n int) ([]tok, bool) {
	base := len(toks)
	var last tok // appendTok may add to it: a retry starts from it again
	if base > 0 {
		last = toks[base-1]
	}
	for attempt := 0; ; attempt++ {
		start := time.Now()
		if base > 0 {
			toks[base-1] = last
		}
		toks = d.lexRun(toks[:base], src, n)
		if time.Since(start) < suspectLex {
			return toks, true
		}
		if attempt == 2 {
			return toks, false
		}
	}
}

// lexRun is one call of appendChroma.
func (d *document) lexRun(toks []tok, src string, n int) (out []tok) {
	remain := n
	out = toks
	defer func() {
		// A lexer that fails or panics leaves the rest of the text plain.
		if recover() != nil {
			out = appendTok(out, chroma.Text, remain)
		}
	}()
	it, err := d.lexer.Tokenise(&chroma.TokeniseOptions{State: "root"}, src)
	if err != nil {
		return appendTok(out, chroma.Text, remain)
	}
	for t := it(); t != chroma.EOF && remain > 0; t = it() {
		k := min(utf8.RuneCountInString(t.Value), remain)
		out = appendTok(out, t.Type, k)
		remain -= k
	}
	return appendTok(out, chroma.Text, remain)
}

func appendTok(toks []tok, t chroma.TokenType, n int) []tok {
	if n <= 0 {
		return toks
	}
	if k := len(toks); k > 0 && toks[k-1].typ == t {
		toks[k-1].n += int32(n)
		return toks
	}
	return append(toks, tok{typ: t, n: int32(n)})
}

// lexKey identifies the tokens of a piece of text lexed from a state.
type lexKey struct {
	st    sqlscript.LineState
	paren bool
	text  string
}

// lexCacheSize bounds each generation of the token cache.
const lexCacheSize = 8192

// tokenCache maps lexKeys to tokens. It keeps two generations: when the
// current one is full it becomes the old one, and hits in the old one are
// promoted, so the cache holds at most two generations' worth of entries.
type tokenCache struct {
	cur, old map[lexKey][]tok
}

func (c *tokenCache) get(k lexKey) ([]tok, bool) {
	if v, ok := c.cur[k]; ok {
		return v, true
	}
	if v, ok := c.old[k]; ok {
		c.put(k, v)
		return v, true
	}
	return nil, false
}

func (c *tokenCache) put(k lexKey, v []tok) {
	if c.cur == nil || len(c.cur) >= lexCacheSize {
		c.old, c.cur = c.cur, make(map[lexKey][]tok, 256)
	}
	c.cur[k] = v
}

func (c *tokenCache) reset() { c.cur, c.old = nil, nil }
