package server

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/charmbracelet/log"
)

// A file that cannot be opened is said in the log once per reason, not at
// every session: a server without a state directory warns once however
// many people sign in, and a user's damaged file once for that user.
func TestAStoreThatCannotBeOpenedIsLoggedOncePerReason(t *testing.T) {
	var buf bytes.Buffer
	logger := log.New(&buf)
	opened := 0
	p := &perUser[int]{
		off: "the history is off",
		path: func(user string) (string, error) {
			if user == "nohome" {
				return "", errors.New("no state directory")
			}
			return "/state/" + user + ".json", nil
		},
		demo: func(path string) string { return path + ".demo" },
		open: func(path string) (*int, error) {
			if strings.Contains(path, "ana") {
				return nil, errors.New("cannot read " + path)
			}
			opened++
			n := opened
			return &n, nil
		},
	}
	for range 3 {
		for _, u := range []string{"nohome", "ana", "bo"} {
			got := p.get(u, false, logger)
			if (got == nil) != (u != "bo") {
				t.Fatalf("get(%q) = %v", u, got)
			}
		}
	}
	if opened != 1 {
		t.Errorf("bo's store was opened %d times, want once and kept", opened)
	}
	out := buf.String()
	if n := strings.Count(out, "the history is off"); n != 2 {
		t.Errorf("%d warnings, want 2 (one per reason):\n%s", n, out)
	}
	if !strings.Contains(out, "no state directory") || !strings.Contains(out, "cannot read /state/ana.json") {
		t.Errorf("the warnings do not say why:\n%s", out)
	}
	if got := p.get("cy", true, logger); got == nil || *got != 2 {
		t.Errorf("demo store: %v", got)
	}
}
