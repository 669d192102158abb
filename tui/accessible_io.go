package tui

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/muesli/termenv"

	"dmsticket/theme"
	"dmsticket/tui/wizard"
)

// errInputEnded is returned when the input ends before the ticket is done.
var errInputEnded = errors.New("the input ended before the ticket was complete; nothing was sent to DMS")

// lineReader hands its input out one line per Read. huh's accessible prompts
// wrap the reader in a fresh bufio.Scanner for every question; a reader that
// returned everything it had at once would let the first question swallow
// the answers to the next ones when the input is a pipe. The SQL step reads
// lines from it directly, so both share one buffer.
type lineReader struct {
	r       *bufio.Reader
	pending []byte
	// partial is set when the last line handed out had no newline: the first
	// EOF after it only ends that line (a Scanner's final token).
	partial bool
	// ended is set once the input is exhausted and a question got no answer.
	ended bool
	// onLong hears of an answer longer than maxAnswer, dropped (nil: said
	// nowhere).
	onLong func(n int)
	// tty says the input is a terminal in its line mode, which keeps at most
	// a line of ttyLineLimits' length and drops the rest unseen.
	tty bool
}

// ttyLineLimits are the longest lines a terminal's line mode hands on
// (Linux: 4,095 bytes; macOS and the BSDs: 1,023): a line pasted longer
// arrives cut at that length, the rest dropped (found by an adversarial
// run: a pasted DELETE … WHERE id > 1000000 was filed as WHERE id > 1).
var ttyLineLimits = map[int]bool{4095: true, 1023: true}

// cutByTerminal reports whether line, read from a terminal, may have been
// cut by its line mode.
func (l *lineReader) cutByTerminal(line string) bool { return l.tty && ttyLineLimits[len(line)] }

// maxAnswer bounds an answer to a question: more than any question takes
// (a comment holds 2,000 characters) and less than the 64 KiB line huh's
// accessible prompts read. A longer line used to be cut there: the question
// took an empty answer, and the rest of the line answered the next one.
// It is dropped whole, said, and the question waits for its answer.
const maxAnswer = 32 << 10

func newLineReader(r io.Reader) *lineReader { return &lineReader{r: bufio.NewReader(r)} }

// Read implements io.Reader: at most one line per call, and never a line
// longer than maxAnswer.
func (l *lineReader) Read(p []byte) (int, error) {
	if len(l.pending) == 0 {
		line, err := l.answerLine()
		if len(line) == 0 {
			if err == nil {
				err = io.EOF
			}
			if l.partial {
				l.partial = false
			} else {
				l.ended = true
			}
			return 0, err
		}
		l.partial = !bytes.HasSuffix(line, []byte("\n"))
		l.pending = line
	}
	n := copy(p, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}

// answerLine reads the next line no longer than maxAnswer, with its line
// ending; a longer one is read to its end, dropped and said (onLong).
func (l *lineReader) answerLine() ([]byte, error) {
	for {
		var line []byte
		n, long := 0, false
		for {
			frag, err := l.r.ReadSlice('\n')
			n += len(frag)
			if !long && len(line)+len(frag) > maxAnswer+2 { // room for "\r\n"
				long, line = true, nil
			}
			if !long {
				line = append(line, frag...)
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if !long {
				return line, err
			}
			if l.onLong != nil {
				l.onLong(n)
			}
			if err != nil {
				return nil, err
			}
			break
		}
	}
}

// readLine reads one line without its line ending. At the end of the input
// it returns what there is and io.EOF.
func (l *lineReader) readLine() (string, error) {
	var b []byte
	if len(l.pending) > 0 {
		b = append(b, l.pending...)
		l.pending = nil
		if bytes.HasSuffix(b, []byte("\n")) {
			return strings.TrimRight(string(b), "\r\n"), nil
		}
	}
	rest, err := l.r.ReadBytes('\n')
	b = append(b, rest...)
	if err != nil && len(b) == 0 {
		l.ended = true
	}
	return strings.TrimRight(string(b), "\r\n"), err
}

// plainWriter serialises writes and drops them once closed, so a prompt left
// waiting for input after an interrupt cannot write behind the caller's back.
type plainWriter struct {
	mu     sync.Mutex
	w      io.Writer
	closed bool
}

// Write implements io.Writer.
func (p *plainWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return len(b), nil
	}
	return p.w.Write(b)
}

func (p *plainWriter) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
}

// plainHuhTheme is the project's huh theme bound to a renderer without
// colour or emphasis: accessible mode writes no escape sequence at all.
func plainHuhTheme() *huh.Theme {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	return theme.New(r, true).Huh()
}

// prompter asks questions as plain prompts through huh's accessible mode.
type prompter struct {
	ctx   context.Context
	in    *lineReader
	out   io.Writer
	theme *huh.Theme
}

func newPrompter(ctx context.Context, in io.Reader, out io.Writer) *prompter {
	p := &prompter{ctx: ctx, in: newLineReader(in), out: out, theme: plainHuhTheme()}
	if f, ok := in.(interface{ Fd() uintptr }); ok && term.IsTerminal(f.Fd()) {
		p.in.tty = true
	}
	p.in.onLong = func(n int) {
		p.sayf("That answer was %s bytes long, more than any question here takes (%s at most): it was dropped. Answer again:",
			wizard.Thousands(int64(n)), wizard.Thousands(maxAnswer))
	}
	return p
}

// say writes lines of text.
func (p *prompter) say(lines ...string) {
	for _, l := range lines {
		fmt.Fprintln(p.out, l)
	}
}

// sayf writes one formatted line.
func (p *prompter) sayf(format string, args ...any) { fmt.Fprintf(p.out, format+"\n", args...) }

// run runs one field as an accessible huh form.
func (p *prompter) run(f huh.Field) error {
	if err := p.ctx.Err(); err != nil {
		return err
	}
	err := huh.NewForm(huh.NewGroup(f)).WithAccessible(true).WithInput(p.in).WithOutput(p.out).
		WithTheme(p.theme).WithShowHelp(false).RunWithContext(p.ctx)
	if err != nil {
		return err
	}
	if err := p.ctx.Err(); err != nil {
		return err
	}
	if p.in.ended {
		return errInputEnded
	}
	return nil
}

// ask asks for one line of text. current is kept when the answer is empty
// (the title should say so); validate sees the answer as typed.
func (p *prompter) ask(title, current string, validate func(string) error) (string, error) {
	v := current
	in := huh.NewInput().Title(title).Value(&v).Validate(func(s string) error {
		if strings.TrimSpace(s) == "" && current != "" {
			return nil
		}
		if validate == nil {
			return nil
		}
		return validate(strings.TrimSpace(s))
	})
	if err := p.run(in); err != nil {
		return "", err
	}
	return strings.TrimSpace(v), nil
}

// confirm asks a yes/no question; an empty answer is def.
//
// It is asked as text, not with huh's Confirm, whose wrong answer got only
// "invalid input. please try again" and which refused "y " for its blank.
func (p *prompter) confirm(title string, def bool) (bool, error) {
	opts, enter := "[y/N]", "n"
	if def {
		opts, enter = "[Y/n]", "y"
	}
	var v string
	in := huh.NewInput().Title(title + " " + opts).Value(&v).Validate(func(s string) error {
		if _, ok := yesNo(s); ok || strings.TrimSpace(s) == "" {
			return nil
		}
		return fmt.Errorf("answer y (yes) or n (no); enter alone is %s", enter)
	})
	if err := p.run(in); err != nil {
		return false, err
	}
	if b, ok := yesNo(v); ok {
		return b, nil
	}
	return def, nil
}

// yesNo reads an answer to a yes/no question: y, yes, n or no, in any case,
// blanks around it allowed.
func yesNo(s string) (answer, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "y", "yes":
		return true, true
	case "n", "no":
		return false, true
	}
	return false, false
}

// option is one numbered choice; aliases are words that choose it too
// (matched case-insensitively).
type option struct {
	label   string
	aliases []string
}

// list says the heading (if any) and the options, numbered from 1.
func (p *prompter) list(heading string, opts []option) {
	if heading != "" {
		p.say(heading)
	}
	for i, o := range opts {
		p.sayf("%d. %s", i+1, o.label)
	}
}

// pickOption is the option an answer names: its number, or one of its
// aliases.
func pickOption(opts []option, s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= len(opts) {
		return n - 1, true
	}
	for i, o := range opts {
		for _, a := range o.aliases {
			if strings.EqualFold(s, a) {
				return i, true
			}
		}
	}
	return 0, false
}

// choose lists the options numbered under a heading and asks for a number
// (or an alias). def is the 1-based option an empty answer picks; 0 means an
// answer is required.
func (p *prompter) choose(heading string, opts []option, def int) (int, error) {
	p.list(heading, opts)
	prompt := fmt.Sprintf("Enter a number from 1 to %d", len(opts))
	if len(opts) == 1 {
		prompt = "Enter 1"
	}
	if def > 0 {
		prompt += fmt.Sprintf(" (enter alone picks %d)", def)
	}
	prompt += ":"
	pick := func(s string) (int, bool) { return pickOption(opts, strings.TrimSpace(s)) }
	current := ""
	if def > 0 {
		current = strconv.Itoa(def)
	}
	ans, err := p.ask(prompt, current, func(s string) error {
		if _, ok := pick(s); !ok {
			if len(opts) == 1 {
				return errors.New("type 1 and press enter")
			}
			return fmt.Errorf("type a number from 1 to %d and press enter", len(opts))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	i, _ := pick(ans)
	return i, nil
}

// chooseSome is choose for a question that takes several answers: the
// first pickable options may be given together, separated by commas or
// spaces ("1, 3, 4"), the others (search again, list more) only alone.
// It returns the chosen options' indexes, in the order typed, each once.
func (p *prompter) chooseSome(heading string, opts []option, pickable int) ([]int, error) {
	p.list(heading, opts)
	prompt := fmt.Sprintf("Enter a number from 1 to %d", len(opts))
	if pickable > 1 {
		prompt = fmt.Sprintf("Enter a number from 1 to %d, or several of 1 to %d separated by commas", len(opts), pickable)
	}
	prompt += ":"
	pick := func(s string) ([]int, error) {
		s = strings.TrimSpace(s)
		if i, ok := pickOption(opts, s); ok {
			return []int{i}, nil
		}
		parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == ';' })
		if len(parts) == 0 {
			return nil, fmt.Errorf("type a number from 1 to %d and press enter", len(opts))
		}
		var out []int
		seen := map[int]bool{}
		for _, part := range parts {
			n, err := strconv.Atoi(part)
			switch {
			case err != nil || n < 1 || n > len(opts):
				return nil, fmt.Errorf("%q is not one of the numbers 1 to %d", part, len(opts))
			case n > pickable:
				return nil, fmt.Errorf("%d (%s) goes alone; several numbers are for the listed choices 1 to %d", n, opts[n-1].label, pickable)
			}
			if !seen[n-1] {
				seen[n-1] = true
				out = append(out, n-1)
			}
		}
		return out, nil
	}
	ans, err := p.ask(prompt, "", func(s string) error { _, err := pick(s); return err })
	if err != nil {
		return nil, err
	}
	return pick(ans)
}
