package editor

import (
	"time"
	"unicode/utf8"

	"github.com/alecthomas/chroma/v2"
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
	start, end int
	st         scanState // scanner state at start
	toks       []tok
	lexed      bool
	paren      bool // toks were lexed as if "(" followed (see parenFollows)
}

// lineCache holds what was computed for a line's current text.
type lineCache struct {
	hlOK    bool
	hlEntry scanState
	hlGen   uint32
	pieces  []piece

	rOK  bool
	rKey renderKey
	rStr string
}

// customType is the token type of the spans the editor highlights itself.
func customType(st scanState) chroma.TokenType {
	switch st.kind {
	case inDollarQuote:
		return chroma.LiteralStringHeredoc
	case inMySQLSingle:
		return chroma.LiteralStringSingle
	case inMySQLDouble:
		return chroma.LiteralStringDouble
	}
	return chroma.LiteralStringName // MySQL `identifier`, like PostgreSQL "identifier" in chroma
}

// piecesOf returns ln's pieces for its current entry state.
func (d *document) piecesOf(ln *line) []piece {
	c := &ln.c
	if c.hlOK && c.hlEntry == ln.entry && c.hlGen == d.gen {
		return c.pieces
	}
	c.pieces = d.cut(ln.entry, ln.r)
	c.hlOK, c.hlEntry, c.hlGen = true, ln.entry, d.gen
	return c.pieces
}

// cut splits a line into pieces of at least pieceLen runes, at places where
// canSplit allows it (or, past maxPiece runes, wherever the scanner is
// between two units).
func (d *document) cut(entry scanState, r []rune) []piece {
	if len(r) <= d.pieceLen {
		return []piece{{start: 0, end: len(r), st: entry}}
	}
	var ps []piece
	st, start, startSt := entry, 0, entry
	for i := 0; i < len(r); {
		if n := i - start; n >= d.pieceLen && (canSplit(st, r, i) || n >= d.maxPiece) {
			ps = append(ps, piece{start: start, end: i, st: startSt})
			start, startSt = i, st
		}
		i, _ = d.sc.step(&st, r, i)
	}
	return append(ps, piece{start: start, end: len(r), st: startSt})
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
		if !d.lexPiece(ln.r, p, last && paren && d.kind == kindMySQL) {
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
func (d *document) lexPiece(r []rune, p *piece, paren bool) bool {
	if p.lexed && p.paren == paren {
		return true
	}
	text := r[p.start:p.end]
	key := lexKey{st: p.st, paren: paren, text: string(text)}
	toks, ok := d.lexCache.get(key)
	if !ok {
		toks, ok = d.tokenize(p.st, text, paren)
		if ok {
			d.lexCache.put(key, toks)
		}
	}
	p.toks, p.lexed, p.paren = toks, ok, paren
	return ok
}

// tokenize lexes r, which starts in scanner state st: chroma for the code,
// the editor itself for backquoted identifiers and dollar quotes. With paren,
// r is lexed as if followed by a line starting with "(" (chroma's MySQL rule
// for function names looks across line breaks for the parenthesis).
// It reports false if chroma may have given up on a rule (see suspectLex).
func (d *document) tokenize(st scanState, r []rune, paren bool) ([]tok, bool) {
	d.stats.lexed++
	var toks []tok
	trusted := true
	runStart, runSt := 0, st
	for i := 0; i < len(r); {
		next, ev := d.sc.step(&st, r, i)
		switch ev {
		case evOpen:
			cut := i
			if st.opensInChroma() {
				cut = next
			}
			var ok bool
			toks, ok = d.appendChroma(toks, runSt, r[runStart:cut], false)
			trusted = trusted && ok
			runStart, runSt = cut, st
		case evClose:
			toks = appendTok(toks, customType(runSt), next-runStart)
			runStart, runSt = next, scanState{}
		}
		i = next
	}
	if runSt.custom() {
		return appendTok(toks, customType(runSt), len(r)-runStart), trusted
	}
	toks, ok := d.appendChroma(toks, runSt, r[runStart:], paren)
	return toks, trusted && ok
}

// suspectLex is how long a chroma call may take before its result is
// distrusted: chroma gives each regular expression match 250 ms and, when
// one runs out (a stalled process, a machine under load), silently tries
// the next rule, which yields wrong tokens. A call that took this long is
// retried, and if it stays that slow its tokens are used but not cached.
const suspectLex = 200 * time.Millisecond

// appendChroma lexes text, which starts in state st, with the dialect's
// chroma lexer and appends its tokens, retrying a suspiciously slow call.
func (d *document) appendChroma(toks []tok, st scanState, text []rune, paren bool) ([]tok, bool) {
	base := len(toks)
	for attempt := 0; ; attempt++ {
		start := time.Now()
		toks = d.lexRun(toks[:base], st, text, paren)
		if time.Since(start) < suspectLex {
			return toks, true
		}
		if attempt == 2 {
			return toks, false
		}
	}
}

// lexRun lexes text, which starts in state st, with the dialect's chroma
// lexer and appends its tokens. The synthetic prefix that puts the lexer
// into st is cut off the tokens again.
func (d *document) lexRun(toks []tok, st scanState, text []rune, paren bool) (out []tok) {
	if len(text) == 0 {
		return toks
	}
	prefix := st.chromaPrefix()
	src := prefix + string(text)
	if paren {
		src += "\n("
	}
	remain := len(text)
	defer func() {
		// A lexer that fails or panics leaves the rest of the text plain.
		if recover() != nil {
			out = appendTok(toks, chroma.Text, remain)
		}
	}()
	it, err := d.lexer.Tokenise(&chroma.TokeniseOptions{State: "root"}, src)
	if err != nil {
		return appendTok(toks, chroma.Text, remain)
	}
	skip := utf8.RuneCountInString(prefix)
	for t := it(); t != chroma.EOF && remain > 0; t = it() {
		n := utf8.RuneCountInString(t.Value)
		if skip > 0 {
			s := min(n, skip)
			n -= s
			skip -= s
		}
		n = min(n, remain)
		if n > 0 {
			toks = appendTok(toks, t.Type, n)
			remain -= n
		}
	}
	if remain > 0 {
		toks = appendTok(toks, chroma.Text, remain)
	}
	return toks
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
	st    scanState
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
