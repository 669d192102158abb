package server

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

func TestUnknownKeyIsRefusedAtTheSSHLayerAndLoggedWithItsFingerprint(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	e.start(e.config())
	stranger, _ := newKey(t, "mallory@laptop")
	_, err := dialWith(e.addr, "alice", gossh.PublicKeys(stranger))
	if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("dial with an unknown key: %v, want an authentication failure", err)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "key not in the users file") || !strings.Contains(logs, fingerprint(stranger.PublicKey())) {
		t.Errorf("the refusal is not logged with the key's fingerprint:\n%s", logs)
	}
}

func TestPasswordAndKeyboardInteractiveAreNotAccepted(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	e.start(e.config())
	answered := false
	ki := gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
		answered = true
		return []string{"hunter2"}, nil
	})
	_, err := dialWith(e.addr, "alice", gossh.Password("hunter2"), ki)
	// The server offers public keys only, so the client has nothing to try.
	if err == nil || !strings.Contains(err.Error(), "unable to authenticate") || !strings.Contains(err.Error(), "no supported methods remain") {
		t.Fatalf("dial with a password: %v, want an authentication failure with no method left", err)
	}
	if answered {
		t.Error("the server asked keyboard-interactive questions")
	}
}

func TestTheLoginNameIsIgnoredTheKeyIsThePerson(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002}, userSpec{name: "bob", dmsID: 2000003})
	e.start(e.config())
	c, err := dialWith(e.addr, "alice", gossh.PublicKeys(e.keys["bob"]))
	if err != nil {
		t.Fatal(err)
	}
	tm := openTermOn(t, c, "xterm-256color", 100, 30)
	tm.waitFor("signed in as bob")
}

func TestASessionWithoutAPtyIsRefusedWithAReason(t *testing.T) {
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
	out, err := sess.CombinedOutput("")
	var ee *gossh.ExitError
	if !errors.As(err, &ee) || ee.ExitStatus() != 1 {
		t.Errorf("exit = %v, want status 1", err)
	}
	if !strings.Contains(string(out), "dmsticket: this is a full-screen wizard and needs a terminal") || strings.Count(strings.TrimSpace(string(out)), "\n") != 0 {
		t.Errorf("output = %q, want the one-line reason", out)
	}
	// The log has the refusal with its reason, as every refusal.
	for deadline := time.Now().Add(screenTimeout); !strings.Contains(e.logs.String(), "refused: no terminal"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the refusal is not in the log:\n%s", e.logs.String())
		}
	}
}

func TestAResizeReachesTheProgram(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	e.start(e.config())
	tm := e.openTerm("alice", "xterm-256color", 80, 24)
	tm.waitFor("What kind of ticket?")
	if err := tm.sess.WindowChange(14, 50); err != nil {
		t.Fatal(err)
	}
	tm.waitFor("this one is 50×14")
	if err := tm.sess.WindowChange(40, 120); err != nil {
		t.Fatal(err)
	}
	tm.waitFor("What kind of ticket?")
	// The header now spreads over 120 columns: "signed in as" ends at column 120.
	time.Sleep(200 * time.Millisecond)
	lines := strings.Split(tm.text(), "\n")
	found := false
	for _, l := range lines {
		if strings.Contains(l, "signed in as alice") && strings.Contains(l, "dmsticket") {
			found = strings.Contains(l, strings.Repeat(" ", 40)) // 120 columns leave a wide gap
		}
	}
	if !found {
		t.Errorf("the header was not redrawn 120 columns wide:\n%s", tm.tail())
	}
}

func TestTheColourProfileComesFromTheClientsTERM(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	e.start(e.config())
	for _, tc := range []struct {
		term, env string
		want      colours
	}{
		{term: "xterm-256color", want: colours{ansi256: true}},
		{term: "xterm", env: "COLORTERM=truecolor", want: colours{trueColor: true}},
		{term: "screen", want: colours{ansi16: true}},
		{term: "dumb", want: colours{}},
		{term: "xterm-256color", env: "NO_COLOR=1", want: colours{}},
	} {
		t.Run(tc.term+" "+tc.env, func(t *testing.T) {
			var env []string
			if tc.env != "" {
				env = append(env, tc.env)
			}
			tm := e.openTerm("alice", tc.term, 100, 30, env...)
			tm.waitFor("What kind of ticket?")
			tm.waitFor("Export data")
			time.Sleep(100 * time.Millisecond)
			if got := colourKinds(tm.out.String()); got != tc.want {
				t.Errorf("colours drawn = %+v, want %+v", got, tc.want)
			}
			tm.send(keyCtrlC)
			tm.wait()
		})
	}
}

// colours says which kinds of colour SGR sequences an output holds.
type colours struct{ ansi16, ansi256, trueColor bool }

// colourKinds parses every SGR sequence (ESC [ … m) of raw.
func colourKinds(raw string) colours {
	var c colours
	for i := 0; i < len(raw); i++ {
		if raw[i] != 0x1b || i+1 >= len(raw) || raw[i+1] != '[' {
			continue
		}
		j := i + 2
		for j < len(raw) && (raw[j] >= '0' && raw[j] <= '9' || raw[j] == ';') {
			j++
		}
		if j >= len(raw) || raw[j] != 'm' {
			continue
		}
		ps := strings.Split(raw[i+2:j], ";")
		for k := 0; k < len(ps); k++ {
			n, _ := strconv.Atoi(ps[k])
			switch {
			case (n == 38 || n == 48) && k+1 < len(ps) && ps[k+1] == "5":
				c.ansi256 = true
				k += 2
			case (n == 38 || n == 48) && k+1 < len(ps) && ps[k+1] == "2":
				c.trueColor = true
				k += 4
			case n >= 30 && n <= 37, n >= 40 && n <= 47, n >= 90 && n <= 97, n >= 100 && n <= 107:
				c.ansi16 = true
			}
		}
	}
	return c
}

func TestAgentForwardingIsRefused(t *testing.T) {
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
	if err := agent.RequestAgentForwarding(sess); err == nil {
		t.Error("agent forwarding was accepted")
	}
}

func TestACommandIsRefusedInOneLineAndNothingRuns(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	e.start(e.config())
	for _, withPty := range []bool{false, true} {
		t.Run(fmt.Sprintf("pty=%v", withPty), func(t *testing.T) {
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
			if withPty {
				if err := sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}); err != nil {
					t.Fatal(err)
				}
			}
			var stdout, stderr syncBuffer
			sess.Stdout, sess.Stderr = &stdout, &stderr
			if err := sess.Start("cat /etc/passwd"); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- sess.Wait() }()
			select {
			case err = <-done:
			case <-time.After(screenTimeout):
				t.Fatalf("the session did not end; it printed:\n%s%s", stdout.String(), stderr.String())
			}
			var ee *gossh.ExitError
			if !errors.As(err, &ee) || ee.ExitStatus() == 0 {
				t.Errorf("exit = %v, want a status other than 0", err)
			}
			// With a pty, stderr reaches the client on stdout.
			out := strings.TrimSpace(stderr.String() + stdout.String())
			if !strings.Contains(out, "dmsticket: this server runs only the ticket wizard, no commands") || strings.Contains(out, "\n") {
				t.Errorf("output = %q, want the one-line refusal", out)
			}
			if strings.Contains(out, "root:") || strings.Contains(out, "What kind of ticket?") {
				t.Errorf("something ran: %q", out)
			}
		})
	}
	if !strings.Contains(e.logs.String(), "refused: a command was asked for") {
		t.Errorf("the refusal is not logged:\n%s", e.logs.String())
	}
}

func TestSessionsPerConnectionAreLimited(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002})
	e.start(e.config())
	c, err := e.dial("alice")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var open []*gossh.Session
	for range 2 {
		sess, err := c.NewSession()
		if err != nil {
			t.Fatalf("session %d of 2: %v", len(open)+1, err)
		}
		open = append(open, sess)
	}
	for i := range 3 {
		if sess, err := c.NewSession(); err == nil {
			sess.Close()
			t.Fatalf("session %d on one connection was opened, want at most 2", 3+i)
		} else if !strings.Contains(err.Error(), "at most 2 sessions on one connection") {
			t.Errorf("refusal = %v", err)
		}
	}
	// One closed, one more may open.
	open[0].Close()
	deadline := time.Now().Add(screenTimeout)
	for {
		sess, err := c.NewSession()
		if err == nil {
			sess.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no session could open after one of 2 closed: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, s := range open[1:] {
		s.Close()
	}
}

func TestConnectAndDisconnectLogLinesNameThePersonAndTheKey(t *testing.T) {
	e := newEnv(t, userSpec{name: "alice", dmsID: 2000002}, userSpec{name: "bob", dmsID: 2000003})
	e.start(e.config())
	// bob's key, alice's name typed.
	c, err := dialWith(e.addr, "alice", gossh.PublicKeys(e.keys["bob"]))
	if err != nil {
		t.Fatal(err)
	}
	tm := openTermOn(t, c, "xterm-256color", 100, 30)
	tm.waitFor("What kind of ticket?")
	tm.send(keyCtrlC)
	tm.wait()
	fp := fingerprint(e.keys["bob"].PublicKey())
	var connect, disconnect string
	deadline := time.Now().Add(screenTimeout)
	for disconnect == "" && time.Now().Before(deadline) {
		for _, l := range strings.Split(e.logs.String(), "\n") {
			switch {
			case strings.Contains(l, " connect "):
				connect = l
			case strings.Contains(l, " disconnect "):
				disconnect = l
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	for what, l := range map[string]string{"connect": connect, "disconnect": disconnect} {
		if !strings.Contains(l, "user=bob ") || !strings.Contains(l, "fingerprint="+fp) || !strings.Contains(l, "login=alice") {
			t.Errorf("%s line = %q, want user=bob, bob's key's fingerprint and the typed login=alice", what, l)
		}
	}
}
