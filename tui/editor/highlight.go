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

// defaultPieceLen is the length in runes above which code is cut into
// separately lexed pieces (chroma costs a few microseconds per rune, and a
// one-line INSERT of a data dump can be megabytes long).
const defaultPieceLen = 256

// defaultMaxPiece is the length at which code is cut even where canSplit
// does not allow it (a long run of code with no space or punctuation): the
// tokens on either side of such a cut may differ from a full re-lex, which
// is better than lexing megabytes on every key.
const defaultMaxPiece = 16 * defaultPieceLen

// lineCache holds what was computed for a line's current text.
type lineCache struct {
	str   string // the line as UTF-8, for sqlscript
	strOK bool

	hlOK    bool
	hlEntry sqlscript.LineState
	hlGen   uint32
	spans   []span

	rOK  bool
	rKey renderKey
	rStr string
}

// spansOf returns ln's spans for its current entry state.
func (d *document) spansOf(ln *line) []span {
	c := &ln.c
	if c.hlOK && c.hlEntry == ln.entry && c.hlGen == d.gen {
		return c.spans
	}
	c.spans = d.cut(ln)
	c.hlOK, c.hlEntry, c.hlGen = true, ln.entry, d.gen
	return c.spans
}

// fillTypes writes the token type of each rune of ln in [a, b) to dst,
// lexing the code that overlaps the range if it is not cached. paren says
// whether the next non-blank text after the line starts with "(". It
// reports false when the tokens must not be cached (see suspectLex).
func (d *document) fillTypes(ln *line, a, b int, paren bool, dst []chroma.TokenType) bool {
	ok := true
	spans := d.spansOf(ln)
	first := sort.Search(len(spans), func(i int) bool { return int(spans[i].end) > a })
	for i := first; i < len(spans) && int(spans[i].start) < b; i++ {
		sp := &spans[i]
		lo, hi := max(int(sp.start), a), min(int(sp.end), b)
		if !sp.code {
			for j := lo; j < hi; j++ {
				dst[j-a] = sp.typ
			}
			continue
		}
		last := int(sp.end) == len(ln.r)
		if !d.lexSpan(ln, sp, last && paren && d.dialect == sqlscript.MySQL) {
			ok = false
		}
		k := int(sp.start)
		for _, t := range sp.toks {
			n := int(t.n)
			for j := max(k, lo); j < min(k+n, hi); j++ {
				dst[j-a] = t.typ
			}
			if k += n; k >= hi {
				break
			}
		}
	}
	return ok
}

// lexSpan makes sure the code span sp has its chroma tokens. It reports
// false when they are not trustworthy enough to be cached.
func (d *document) lexSpan(ln *line, sp *span, paren bool) bool {
	if sp.lexed && sp.paren == paren {
		return true
	}
	key := lexKey{text: ln.text()[sp.bstart:sp.bend], next: sp.next, paren: paren}
	toks, ok := d.lexCache.get(key)
	if !ok {
		toks, ok = d.lexCode(key.text, sp.next, paren, int(sp.end-sp.start))
		if ok {
			key.text = strings.Clone(key.text) // not the whole line's memory
			d.lexCache.put(key, toks)
		}
	}
	sp.toks, sp.lexed, sp.paren = toks, ok, paren
	return ok
}

// lexCode lexes code, n runes that sqlscript reads as neither string nor
// comment, with the dialect's chroma lexer: followed by next (when not 0),
// since chroma's rules look a rune ahead, and with paren by a line starting
// with "(" (chroma's MySQL rule for function names looks across line breaks
// for the parenthesis); their tokens are cut off again.
//
// Where chroma sees a comment in it (MySQL's 1--1, which the server reads as
// 1 minus minus 1), the comment's first rune is an operator and chroma
// lexes on after it. It reports false if chroma may have given up on a rule
// (see suspectLex).
func (d *document) lexCode(code string, next rune, paren bool, n int) ([]tok, bool) {
	src := code
	if next != 0 {
		src += string(next)
	}
	if paren {
		src += "\n("
	}
	d.stats.lexed++
	var toks []tok
	trusted := true
	for n > 0 {
		var at int
		var ok bool
		toks, at, ok = d.appendChroma(toks, src, n)
		trusted = trusted && ok
		if at < 0 {
			break
		}
		// chroma found a comment at rune at of src.
		toks = appendTok(toks, chroma.Operator, 1)
		b := byteOffset(src, at)
		_, size := utf8.DecodeRuneInString(src[b:])
		src = src[b+size:]
		n -= at + 1
	}
	return toks, trusted
}

// byteOffset returns the byte offset of rune i of s.
func byteOffset(s string, i int) int {
	for b := range s {
		if i == 0 {
			return b
		}
		i--
	}
	return len(s)
}

// suspectLex is how long a chroma call may take before its result is
// distrusted: chroma gives each regular expression match 250 ms and, when
// one runs out (a stalled process, a machine under load), silently tries
// the next rule, which yields wrong tokens. A call that took this long is
// retried, and if it stays that slow its tokens are used but not cached.
const suspectLex = 200 * time.Millisecond

// appendChroma lexes src with the dialect's chroma lexer and appends the
// tokens of its first n runes, retrying a suspiciously slow call. If chroma
// finds a comment among them it stops there and returns the comment's rune
// offset in src, else -1.
func (d *document) appendChroma(toks []tok, src string, n int) ([]tok, int, bool) {
	base := len(toks)
	for attempt := 0; ; attempt++ {
		start := time.Now()
		var at int
		toks, at = d.lexRun(toks[:base], src, n)
		if time.Since(start) < suspectLex {
			return toks, at, true
		}
		if attempt == 2 {
			return toks, at, false
		}
	}
}

// lexRun is one call of appendChroma.
func (d *document) lexRun(toks []tok, src string, n int) (out []tok, comment int) {
	remain := n
	defer func() {
		// A lexer that fails or panics leaves the rest of the text plain.
		if recover() != nil {
			out, comment = appendTok(toks, chroma.Text, remain), -1
		}
	}()
	it, err := d.lexer.Tokenise(&chroma.TokeniseOptions{State: "root"}, src)
	if err != nil {
		return appendTok(toks, chroma.Text, remain), -1
	}
	for t := it(); t != chroma.EOF && remain > 0; t = it() {
		if t.Type.Category() == chroma.Comment {
			return toks, n - remain
		}
		k := min(utf8.RuneCountInString(t.Value), remain)
		toks = appendTok(toks, t.Type, k)
		remain -= k
	}
	return appendTok(toks, chroma.Text, remain), -1
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

// lexKey identifies the tokens of a stretch of code.
type lexKey struct {
	text  string
	next  rune
	paren bool
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
