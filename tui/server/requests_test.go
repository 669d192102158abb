package server

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/charmbracelet/log"
	gossh "golang.org/x/crypto/ssh"
)

func discardLogger() *log.Logger { return log.New(io.Discard) }

func TestWindowSizesAreClampedOnTheWire(t *testing.T) {
	g := &channelGuard{log: discardLogger()}
	pty := func(term string, w, h uint32) *gossh.Request {
		return &gossh.Request{Type: "pty-req", Payload: gossh.Marshal(struct {
			Term                string
			Columns, Rows, W, H uint32
			Modes               string
		}{term, w, h, 1 << 31, 7, "\x35\x00\x00\x00\x01\x00"})}
	}
	size := func(p []byte) (uint32, uint32, uint32, uint32) {
		return binary.BigEndian.Uint32(p), binary.BigEndian.Uint32(p[4:]), binary.BigEndian.Uint32(p[8:]), binary.BigEndian.Uint32(p[12:])
	}
	for _, tc := range []struct {
		name         string
		w, h         uint32
		wantW, wantH uint32
	}{
		{"ordinary", 120, 40, 120, 40},
		{"the largest", MaxWindowWidth, MaxWindowHeight, MaxWindowWidth, MaxWindowHeight},
		{"2e9 rows", 80, 2_000_000_000, 80, MaxWindowHeight},
		{"uint32 max", 1<<32 - 1, 1<<32 - 1, MaxWindowWidth, MaxWindowHeight},
		{"zero: the default", 0, 0, 80, 24},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := pty("xterm", tc.w, tc.h)
			if !g.admit(req) {
				t.Fatal("refused")
			}
			// TERM "xterm" takes 4+5 bytes; the modes stay as they were.
			w, h, wp, hp := size(req.Payload[9:])
			if w != tc.wantW || h != tc.wantH || wp > 1<<16 || hp != 7 {
				t.Errorf("pty-req %d×%d became %d×%d (pixels %d×%d), want %d×%d", tc.w, tc.h, w, h, wp, hp, tc.wantW, tc.wantH)
			}
			if !strings.HasSuffix(string(req.Payload), "\x35\x00\x00\x00\x01\x00") {
				t.Errorf("the terminal modes were changed: %q", req.Payload)
			}
			wc := &gossh.Request{Type: "window-change", Payload: gossh.Marshal(struct{ C, R, W, H uint32 }{tc.w, tc.h, 0, 0})}
			if ok := g.admit(wc); ok != (tc.w != 0) {
				t.Fatalf("window-change %d×%d admitted = %v", tc.w, tc.h, ok)
			}
			if w, h, _, _ := size(wc.Payload); tc.w != 0 && (w != tc.wantW || h != tc.wantH) {
				t.Errorf("window-change %d×%d became %d×%d", tc.w, tc.h, w, h)
			}
		})
	}
	if g.admit(pty(strings.Repeat("x", maxTermLen+1), 80, 24)) {
		t.Error("a pty request with an overlong TERM was admitted")
	}
	if g.admit(&gossh.Request{Type: "pty-req", Payload: []byte{0, 0, 0, 5, 'x'}}) {
		t.Error("a truncated pty request was admitted")
	}
}

func TestEnvironmentRequestsAreBoundedInNumberAndSize(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	e.start(e.config())
	c, err := e.dial("alice")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	before := heapInUse()
	big := strings.Repeat("x", 32<<10)
	accepted := 0
	for i := range 1000 {
		if sess.Setenv(fmt.Sprintf("BIG_%d", i), big) == nil {
			accepted++
		}
	}
	after := heapInUse()
	t.Logf("1000 env requests of 32 KB: %d accepted; heap in use %d MB before, %d MB after", accepted, before>>20, after>>20)
	if accepted != 0 {
		t.Errorf("%d env requests of 32 KB were accepted, want none", accepted)
	}
	if grown := int64(after) - int64(before); grown > 16<<20 {
		t.Errorf("the heap grew by %d MB for refused env requests", grown>>20)
	}
	for i := range 100 {
		if sess.Setenv(fmt.Sprintf("SMALL_%d", i), "1") == nil {
			accepted++
		}
	}
	if accepted != maxEnvVars {
		t.Errorf("%d of 100 small env requests were accepted, want %d", accepted, maxEnvVars)
	}
	if !strings.Contains(e.logs.String(), "refused environment variables") {
		t.Errorf("the refusal is not logged:\n%s", e.logs.String())
	}
}

func TestAFloodOfWindowChangesEndsAtTheLastSize(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	e.start(e.config())
	tm := e.openTerm("alice", "xterm-256color", 80, 24)
	tm.waitFor("What kind of ticket?")
	for i := range 500 {
		if err := tm.sess.WindowChange(30+i%20, 100+i%50); err != nil {
			t.Fatal(err)
		}
	}
	if err := tm.sess.WindowChange(14, 50); err != nil {
		t.Fatal(err)
	}
	tm.waitFor("this one is 50×14")
}
