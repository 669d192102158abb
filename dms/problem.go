package dms

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a ticket, in words a user understands.
type Problem struct {
	// Field names what is wrong in the user's words: "Comment", "SQL",
	// "Reason category".
	Field string `json:"field"`
	// Key is the machine name of the field: a PluginParam key ("exeSQL"), a
	// details input ID ("classify") or a request field ("comment").
	Key string `json:"key"`
	// Statement is the 1-based statement number a SQL problem is about, or 0.
	Statement int `json:"statement,omitempty"`
	// Line is the 1-based line the statement starts on, or 0.
	Line int `json:"line,omitempty"`
	// Message says what is wrong and, where it helps, what to do.
	Message string `json:"message"`
}

// String is "Field: message".
func (p Problem) String() string {
	if p.Field == "" {
		return p.Message
	}
	return p.Field + ": " + p.Message
}

// Problems is every problem found at once; as an error it lists them all.
type Problems []Problem

// Error implements error.
func (ps Problems) Error() string {
	switch len(ps) {
	case 0:
		return "no problems"
	case 1:
		return ps[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems:", len(ps))
	for _, p := range ps {
		b.WriteString("\n  - ")
		b.WriteString(p.String())
	}
	return b.String()
}

// For returns the problems about one key.
func (ps Problems) For(key string) Problems {
	var out Problems
	for _, p := range ps {
		if p.Key == key {
			out = append(out, p)
		}
	}
	return out
}

// Err is ps as an error, or nil when there are none.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}
