//go:build load

package server

// The SSH load tool (PRODUCT.md section 11): the real server, in this
// process, on 127.0.0.1:0, against the simulator, with many users; a client
// process (this test binary again, loadclient_test.go) opens the sessions
// and walks each to a created ticket, timing every typed character's echo.
// Then it holds idle sessions open to measure what one costs. CI does not run
// it; docs/bench-ssh.md says how to and what it measured:
//
//	go test -tags load -run TestLoad -v -timeout 20m ./tui/server/

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/charmbracelet/log"
	gossh "golang.org/x/crypto/ssh"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/tui/wizard"
)

// serveDMSCalls mirrors what main.go gives serve's clients.
const serveDMSCalls = 32

var (
	loadSessions    = flag.Int("load.sessions", 200, "concurrent sessions, each walking the wizard to a created ticket")
	loadRamp        = flag.Duration("load.ramp", 10*time.Millisecond, "pause between two session starts (0: all at once)")
	loadIdle        = flag.Int("load.idle", 200, "idle sessions (at the type step) for the memory measurement (0: skip)")
	loadConcurrency = flag.Int("load.dms-calls", serveDMSCalls, "concurrent DMS calls of the server's client (dms.Config.Concurrency; main.go gives serve's clients 32)")
	loadUsers       = flag.Int("load.users", 50, "users in the users file; sessions are dealt out to them in turn")
	loadStepTimeout = flag.Duration("load.step-timeout", 60*time.Second, "how long a session waits for a screen before counting an error")
	loadThink       = flag.Duration("load.think", 0, "longest pause after a typed character's echo before the next, drawn at random (0: type as fast as the echoes come)")
	loadTerm        = flag.String("load.term", "xterm-256color", "the TERM each session's pty asks for")
	loadProfile     = flag.String("load.profile", "", "write the server process's CPU profiles (walk.pprof, idle.pprof), heap profiles and idle goroutines to this directory (not with -cpuprofile)")
	loadPace        = flag.String("load.pace", "", "a person's pace, MIN-MAX (e.g. 100ms-200ms): every key is sent a random time in [MIN, MAX) after the session's previous one (empty: as fast as the screens come)")
	loadBystanders  = flag.Int("load.bystanders", 0, "sessions opened to the type step before the walks and held open while they run (500 open while 200 type: -load.sessions 200 -load.bystanders 300)")
	loadFollow      = flag.Duration("load.follow", 0, "how long the walk sessions stay on their result screen, following their tickets, once all have filed (0: they quit at once); the DMS calls of that time are reported by action")
	loadStatusReads = flag.Float64("load.status-reads", 0, "the server's shared status reads per second (Config.StatusReads; 0: its default; negative: no limit)")
	loadTickets     = flag.Int("load.tickets", 1, "tickets each walk session files one after the other (n starts the next): with a ramp as long as one walk, the sessions are spread over the steps instead of moving through them together")
	loadTimeline    = flag.Bool("load.timeline", false, "print the echo's p50, p99 and count for each second of the walks")
	loadPollEvery   = flag.Duration("load.poll-every", 0, "a fixed pace for every session's status reads instead of 2 s doubling to 30 s (tui.Options.PollEvery; 0: the wizard's pace)")
)

// loadTarget is a database a load session files against (dev and test, so
// the review asks for no typed confirmation) and the SQL it exports.
type loadTarget struct {
	schema string
	id     int64
	sql    string
}

var loadTargets = []loadTarget{
	{"orders_dev", 1100023, "SELECT id, status FROM orders WHERE status = 'paid'"},
	{"users_dev", 1100024, "SELECT id, email FROM users WHERE id < 1000"},
	{"orders_test", 1100031, "SELECT id, total FROM orders WHERE total > 100"},
	{"payments_test", 1100032, "SELECT id, amount FROM payments WHERE amount > 50"},
	{"customers_test", 1100033, "SELECT id, name FROM customers WHERE id = 42"},
}

// goroutineSlack is how many more goroutines than at the start may be left
// after the last session: the DMS client's idle keep-alive connections (up to
// 8, three goroutines each with the simulator's side) and a few more.
const goroutineSlack = 40

// loadUserID is the DMS user ID of the i-th load user (added to the seed).
func loadUserID(i int) int64 { return 2100001 + int64(i) }

func TestLoad(t *testing.T) {
	nSessions, nIdle, nUsers, nBystanders := *loadSessions, *loadIdle, max(1, *loadUsers), max(0, *loadBystanders)
	paceMin, paceMax, err := parsePace(*loadPace)
	if err != nil {
		t.Fatal(err)
	}
	tuneGC() // as dmsticket serve runs
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state")) // drafts

	// The simulator on a fresh copy of the seed, with a DMS user for each SSH
	// user (RelatedUserList names must exist), and one client for all.
	seed, err := dmssim.LoadSeedFile("../../testdata/sim/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	for i := range nUsers {
		seed.Users = append(seed.Users, dmssim.SeedUser{ID: loadUserID(i), Name: fmt.Sprintf("load%03d", i), Tenants: []int64{3000001}})
	}
	cred := dmssim.Credential{AccessKeyID: "load-id", AccessKeySecret: "load-secret", UserID: simUser}
	// Every request is logged: the follow phase counts them by action.
	sim, err := dmssim.Start(dmssim.Options{Seed: seed, Credentials: []dmssim.Credential{cred}, RequestLog: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	client, err := dms.NewClient(dms.Config{Endpoint: sim.Endpoint, Credentials: dms.StaticCredentials(cred.AccessKeyID, cred.AccessKeySecret), Version: "load", Concurrency: *loadConcurrency})
	if err != nil {
		t.Fatal(err)
	}

	// The users file: each user a generated ed25519 key, dev and test only.
	users := make([]string, nUsers)
	keyFiles := make([]string, nUsers)
	var yaml strings.Builder
	yaml.WriteString("users:\n")
	for i := range nUsers {
		users[i] = fmt.Sprintf("u%03d", i)
		line, path := writeLoadKey(t, dir, users[i])
		keyFiles[i] = path
		fmt.Fprintf(&yaml, "  - name: %s\n    keys:\n      - %s\n    dms_user_id: %d\n    environments: [dev, test]\n", users[i], line, loadUserID(i))
	}
	usersPath := filepath.Join(dir, "users.yaml")
	if err := os.WriteFile(usersPath, []byte(yaml.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	// The server as `dmsticket serve --demo` builds it, limits raised to fit.
	maxOpen := max(nSessions+nBystanders, nIdle)
	logPath, auditPath := filepath.Join(dir, "serve.log"), filepath.Join(dir, "audit.jsonl")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	srv, err := New(Config{
		HostKeyPath: filepath.Join(dir, "host_ed25519"), UsersPath: usersPath, AuditPath: auditPath,
		MaxSessions: maxOpen, MaxSessionsPerUser: (maxOpen + nUsers - 1) / nUsers,
		IdleTimeout: DefaultIdleTimeout, MaxSessionTime: DefaultMaxSessionTime, Grace: 2 * time.Second,
		RateLimit: 60 * 1000,
		// serve's sign-in limits, but none per address: every client of
		// this test is on 127.0.0.1 (as the rate limit above is lifted).
		LoginTimeout: DefaultLoginTimeout, MaxUnauthenticated: DefaultMaxUnauthenticated,
		Backend:     wizard.Backend{Service: client, Region: "cn-hangzhou", Endpoint: sim.Endpoint, Demo: true},
		Logger:      log.NewWithOptions(logFile, log.Options{ReportTimestamp: true, TimeFormat: time.RFC3339, Prefix: "serve", Level: log.InfoLevel}),
		StatusReads: max(0, *loadStatusReads),
	})
	if err != nil {
		t.Fatal(err)
	}
	if *loadStatusReads < 0 {
		srv.pollLimit = nil // no limit, to compare
	}
	srv.pollEvery = *loadPollEvery
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	defer func() {
		cancel()
		<-served
	}()

	r := &loadRig{t: t, srv: srv, sim: sim, users: users, keyFiles: keyFiles, nUsers: nUsers, auditPath: auditPath,
		spec: loadSpec{Addr: ln.Addr().String(), Ramp: *loadRamp, StepTimeout: *loadStepTimeout, Think: *loadThink, Term: *loadTerm,
			PaceMin: paceMin, PaceMax: paceMax, Hold: *loadFollow, Tickets: max(1, *loadTickets)}}
	runtime.GC()
	goroutines0 := runtime.NumGoroutine()
	var walk walkFigures
	if nSessions > 0 && nBystanders > 0 {
		r.withBystanders(nSessions, nBystanders, func() { walk = r.walks(nSessions) })
	} else if nSessions > 0 {
		walk = r.walks(nSessions)
	}
	var idle idleFigures
	if nIdle > 0 {
		r.settle(goroutines0, "the walks")
		idle = r.idle(nIdle)
	}
	goroutinesEnd := r.settle(goroutines0, "the last session")

	var rows [][]string
	add := func(name, value string) { rows = append(rows, []string{name, value}) }
	add("errors", strconv.Itoa(len(r.errs)))
	if nSessions > 0 {
		res, wall := walk.res, walk.res.End.Sub(walk.res.Start)
		add("walks done / tickets in the simulator", fmt.Sprintf("%d / %d (peak %d sessions open at once)", res.Done, walk.tickets, walk.peak))
		add("users × sessions each (limit per user)", fmt.Sprintf("%d × %d (%d)", nUsers, (nSessions+nUsers-1)/nUsers, (maxOpen+nUsers-1)/nUsers))
		if nBystanders > 0 {
			add("bystanders (open at the type step during the walks)", fmt.Sprintf("%d: %d sessions open in all", nBystanders, nSessions+nBystanders))
		}
		add("ramp, think time", fmt.Sprintf("%s between starts; pause after an echo up to %s", *loadRamp, *loadThink))
		if paceMax > 0 {
			add("pace", fmt.Sprintf("a key every %s–%s per session; %d keys, %d (%.1f%%) sent late because the screen before was slower than the pace",
				paceMin, paceMax, res.Keys, res.Late, 100*float64(res.Late)/float64(max(res.Keys, 1))))
		} else {
			add("pace", "flat out: each key the moment the last one's screen shows")
		}
		all := append(append([]int64{}, res.SearchEcho...), res.SQLEcho...)
		add("echo, all typed characters", latencyRow(all))
		add("echo, database search box", latencyRow(res.SearchEcho))
		add("echo, SQL editor", latencyRow(res.SQLEcho))
		add("wall time, all walks (first dial to last ticket)", wall.Round(time.Millisecond).String())
		add("tickets per second", fmt.Sprintf("%.1f", float64(res.Done)/wall.Seconds()))
		cpu := walk.cpu - walk.followCPU // the walks alone, not the hold after them
		add("server process CPU (user+sys) during the walks", fmt.Sprintf("%s = %s per ticket (%.0f%% of %d cores over the wall time)",
			cpu.Round(time.Millisecond), perTicket(cpu, res.Done), 100*cpu.Seconds()/wall.Seconds()/float64(runtime.NumCPU()), runtime.NumCPU()))
		add("server live heap, goroutines just after the walk sessions closed", fmt.Sprintf("%s, %d", mib(walk.closed.heapAlloc), walk.closed.goroutines))
		add("client process CPU (user+sys), same machine", fmt.Sprintf("%s = %s per ticket", walk.clientCPU.Round(time.Millisecond), perTicket(walk.clientCPU, res.Done)))
		add("other processes on the machine during the walks", walk.othersRow())
		add("echo, in the seconds the rest of the machine was quiet (others < 15% of a core)", walk.quietEchoRow(0.15))
	}
	if nIdle > 0 {
		n := float64(idle.n)
		add("idle sessions held", strconv.Itoa(idle.n))
		add("HeapAlloc (live) before → after (per idle session)", fmt.Sprintf("%s → %s (%s)", mib(idle.before.heapAlloc), mib(idle.after.heapAlloc),
			kib(float64(int64(idle.after.heapAlloc)-int64(idle.before.heapAlloc))/n)))
		add("HeapInuse before → after (per idle session)", fmt.Sprintf("%s → %s (%s)", mib(idle.before.heapInuse), mib(idle.after.heapInuse),
			kib(float64(int64(idle.after.heapInuse)-int64(idle.before.heapInuse))/n)))
		add("Sys before → after (per idle session)", fmt.Sprintf("%s → %s (%s)", mib(idle.before.sys), mib(idle.after.sys),
			kib(float64(int64(idle.after.sys)-int64(idle.before.sys))/n)))
		add("VmRSS before → after (per idle session)", fmt.Sprintf("%s → %s (%s)", mib(uint64(idle.before.rss)), mib(uint64(idle.after.rss)),
			kib(float64(idle.after.rss-idle.before.rss)/n)))
		add("goroutines before → after (per idle session)", fmt.Sprintf("%d → %d (%.1f)", idle.before.goroutines, idle.after.goroutines,
			float64(idle.after.goroutines-idle.before.goroutines)/n))
		add("server CPU while they sit idle", fmt.Sprintf("%.1f%% of one core (%.3f%% each)", 100*idle.cpuShare, 100*idle.cpuShare/n))
	}
	add("goroutines before the first session → after the last", fmt.Sprintf("%d → %d", goroutines0, goroutinesEnd))
	printTable(rows)
	if nSessions > 0 && *loadFollow > 0 {
		printFollow(walk, r.sim.Server.Requests(), r.srv.cfg.StatusReads, *loadStatusReads < 0)
	}
	if nSessions > 0 && *loadTimeline {
		printTimeline(walk)
	}
	if nSessions > 0 {
		printSteps(walk.res.Steps)
		for k, n := range walk.res.Notes {
			fmt.Printf("note: %s: %d sessions\n", k, n)
		}
	}
	if len(r.errs) > 0 {
		for i, e := range r.errs {
			if i == 30 {
				t.Errorf("… and %d more", len(r.errs)-30)
				break
			}
			t.Error(e)
		}
		t.Logf("last client process output:\n%s", r.out)
		if data, err := os.ReadFile(logPath); err == nil {
			t.Logf("server log (last 4 KB):\n%s", lastBytes(data, 4096))
		}
	}
}

// loadRig is the running server and simulator, and what a load run found
// wrong.
type loadRig struct {
	t         *testing.T
	srv       *Server
	sim       *dmssim.Running
	users     []string
	keyFiles  []string
	nUsers    int
	auditPath string
	spec      loadSpec     // what every phase's client process shares
	held      int          // bystander sessions open now
	walkPid   atomic.Int64 // the walk's client process, for the timeline
	errs      []string
	out       string // the last client process's output
}

func (r *loadRig) fail(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// profile writes a CPU profile of the phase to -load.profile's directory.
func (r *loadRig) profile(phase string) (stop func()) {
	if *loadProfile == "" {
		return func() {}
	}
	f, err := os.Create(filepath.Join(*loadProfile, phase+".pprof"))
	if err != nil {
		r.t.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		r.t.Fatalf("-load.profile: %v (it cannot be combined with -cpuprofile)", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// settle waits, up to 40s, for the goroutines of ended sessions to finish
// (a command still waiting on a timer ends when it fires), and reports the
// goroutines left beyond the slack as a leak.
func (r *loadRig) settle(base int, after string) int {
	n := runtime.NumGoroutine()
	deadline := time.Now().Add(40 * time.Second)
	// The DMS client keeps up to one idle keep-alive connection (two
	// goroutines) per concurrent call: not a leak.
	slack := goroutineSlack + 2**loadConcurrency
	for n > base+slack && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	if n > base+slack {
		var b strings.Builder
		_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
		r.fail("%d goroutines 40s after %s, %d before the first session:\n%s", n, after, base, lastBytes([]byte(b.String()), 8000))
	}
	return n
}

// heapProfile writes a heap profile (after a GC) to -load.profile's
// directory.
func (r *loadRig) heapProfile(name string) {
	if *loadProfile == "" {
		return
	}
	runtime.GC()
	f, err := os.Create(filepath.Join(*loadProfile, name+".heap"))
	if err != nil {
		r.t.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		r.t.Fatal(err)
	}
}

// goroutineProfile writes the goroutines, grouped, to -load.profile's
// directory.
func (r *loadRig) goroutineProfile(name string) {
	if *loadProfile == "" {
		return
	}
	f, err := os.Create(filepath.Join(*loadProfile, name+".goroutines"))
	if err != nil {
		r.t.Fatal(err)
	}
	defer f.Close()
	_ = pprof.Lookup("goroutine").WriteTo(f, 1)
}

// walkFigures is what the walks measured.
type walkFigures struct {
	res            loadResult
	tickets        int
	peak           int64
	cpu, clientCPU time.Duration
	closed         memSnapshot // once every walk session has closed
	// followCPU is the server's CPU while the sessions sat on their
	// result screens (-load.follow), from the last ticket on.
	followCPU time.Duration
	// cpuSeconds is the server's CPU in each second from start.
	cpuSeconds []time.Duration
	// machineBusy is the whole machine's busy share of all cores in each
	// second (/proc/stat): what else ran beside the server.
	machineBusy []float64
	// clientSeconds is the client process's CPU in each second.
	clientSeconds []time.Duration
	start         time.Time
}

// walks has n sessions each file a ticket, and checks the tickets and the
// audit log.
func (r *loadRig) walks(n int) walkFigures {
	spec := r.spec
	spec.Mode = "walk"
	for i := range n {
		u, tg := i%r.nUsers, loadTargets[i%len(loadTargets)]
		spec.Sessions = append(spec.Sessions, sessionSpec{N: i, User: r.users[u], KeyFile: r.keyFiles[u], Schema: tg.schema, SQL: tg.sql,
			Comment: fmt.Sprintf("load ticket %03d", i)})
	}
	var peak atomic.Int64
	stopPeak := make(chan struct{})
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopPeak:
				return
			case <-tick.C:
				if k := int64(r.srv.liveCount()); k > peak.Load() {
					peak.Store(k)
				}
			}
		}
	}()
	// The server's CPU in each second of the walks, for the timeline.
	var cpuSeconds []time.Duration
	var machineBusy []float64
	var clientSeconds []time.Duration
	cpuDone := make(chan struct{})
	walkStart := time.Now()
	go func() {
		defer close(cpuDone)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		c0 := cpuTime(syscall.RUSAGE_SELF)
		b0, t0 := machineCPU()
		var p0 time.Duration
		for {
			select {
			case <-stopPeak:
				return
			case <-tick.C:
				c1 := cpuTime(syscall.RUSAGE_SELF)
				b1, t1 := machineCPU()
				p1 := processCPU(r.walkPid.Load())
				cpuSeconds = append(cpuSeconds, c1-c0)
				clientSeconds = append(clientSeconds, p1-p0)
				if t1 > t0 {
					machineBusy = append(machineBusy, float64(b1-b0)/float64(t1-t0))
				}
				c0, b0, t0, p0 = c1, b1, t1, p1
			}
		}
	}()
	// With -load.follow, the CPU of the time on the result screens: from
	// when the simulator holds every ticket, for the hold.
	followCPU := make(chan time.Duration, 1)
	if spec.Hold > 0 {
		go func() {
			for len(r.sim.Server.Orders()) < n {
				select {
				case <-stopPeak:
					followCPU <- 0
					return
				case <-time.After(250 * time.Millisecond):
				}
			}
			c0 := cpuTime(syscall.RUSAGE_SELF)
			select {
			case <-stopPeak:
			case <-time.After(spec.Hold):
			}
			followCPU <- cpuTime(syscall.RUSAGE_SELF) - c0
		}()
	} else {
		followCPU <- 0
	}
	stop := r.profile("walk")
	cpu0, child0 := cpuTime(syscall.RUSAGE_SELF), cpuTime(syscall.RUSAGE_CHILDREN)
	res, out := r.runClients(spec, nil)
	cpu1, child1 := cpuTime(syscall.RUSAGE_SELF), cpuTime(syscall.RUSAGE_CHILDREN)
	stop()
	close(stopPeak)
	r.out = out
	r.errs = append(r.errs, res.Errors...)
	if res.Done != n*spec.Tickets {
		r.fail("%d of %d walks reached a created ticket", res.Done, n*spec.Tickets)
	}
	r.errs = append(r.errs, checkTickets(r.sim, spec.Sessions, r.nUsers, spec.Tickets)...)
	r.errs = append(r.errs, checkAudit(r.t, r.auditPath, n*spec.Tickets)...)
	if !waitOpen(r.srv, r.held, 15*time.Second) {
		r.fail("%d sessions still open on the server 15s after the walks, want %d (the bystanders)", r.srv.liveCount(), r.held)
	}
	<-cpuDone
	return walkFigures{res: res, tickets: len(r.sim.Server.Orders()), peak: peak.Load(), cpu: cpu1 - cpu0, clientCPU: child1 - child0, closed: takeSnapshot(),
		followCPU: <-followCPU, cpuSeconds: cpuSeconds, machineBusy: machineBusy, clientSeconds: clientSeconds, start: walkStart}
}

// othersRow is what else the machine ran during the walks (it is shared):
// each second's busy time less the server's and the client's, as a share of
// one core, mean and highest.
func (w walkFigures) othersRow() string {
	var sum, most float64
	others := w.others()
	for _, o := range others {
		sum += o
		most = max(most, o)
	}
	if len(others) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%% of a core on average, %.0f%% in the busiest second (/proc/stat less the two processes)", 100*sum/float64(len(others)), 100*most)
}

// others is what the rest of the machine ran in each second of the walks,
// in cores (machine busy less the server and the client).
func (w walkFigures) others() []float64 {
	n := min(len(w.machineBusy), len(w.cpuSeconds), len(w.clientSeconds))
	out := make([]float64, n)
	for i := range n {
		out[i] = max(0, w.machineBusy[i]*float64(runtime.NumCPU())-w.cpuSeconds[i].Seconds()-w.clientSeconds[i].Seconds())
	}
	return out
}

// quietEchoRow is the echo of the keys sent in seconds when the rest of the
// machine used less than limit of a core: what the server does with the
// machine to itself (it is shared).
func (w walkFigures) quietEchoRow(limit float64) string {
	others := w.others()
	off := w.res.Start.Sub(w.start)
	var quiet []int64
	seconds := map[int]bool{}
	for i, at := range w.res.EchoAt {
		k := int((time.Duration(at) + off) / time.Second)
		if k < len(others) && others[k] < limit {
			quiet = append(quiet, w.res.Echo[i])
			seconds[k] = true
		}
	}
	if len(quiet) == 0 {
		return "no such second"
	}
	return fmt.Sprintf("%s (%d of %d seconds)", latencyRow(quiet), len(seconds), len(others))
}

// withBystanders opens n sessions to the type step (numbered after the
// walks' so they are dealt to the users in turn), runs during while they
// are held open, then closes them.
func (r *loadRig) withBystanders(walks, n int, during func()) {
	spec := r.spec
	spec.Mode, spec.PaceMin, spec.PaceMax, spec.Hold = "idle", 0, 0, 0
	for i := range n {
		k := walks + i
		u := k % r.nUsers
		spec.Sessions = append(spec.Sessions, sessionSpec{N: k, User: r.users[u], KeyFile: r.keyFiles[u]})
	}
	ready, release, done := make(chan int, 1), make(chan struct{}), make(chan struct{})
	var res loadResult
	go func() {
		defer close(done)
		res, _ = r.runClients(spec, func(k int) {
			ready <- k
			<-release
		})
	}()
	select {
	case k := <-ready:
		if k != n {
			r.fail("%d of %d bystander sessions opened", k, n)
		}
	case <-done:
		r.fail("the bystanders' client process ended before its sessions were open")
		r.errs = append(r.errs, res.Errors...)
		return
	}
	r.held = n
	during()
	r.held = 0
	close(release)
	<-done
	r.errs = append(r.errs, res.Errors...)
}

// parsePace reads -load.pace: MIN-MAX, or empty.
func parsePace(s string) (lo, hi time.Duration, err error) {
	if s == "" {
		return 0, 0, nil
	}
	a, b, ok := strings.Cut(s, "-")
	if ok {
		lo, err = time.ParseDuration(a)
		if err == nil {
			hi, err = time.ParseDuration(b)
		}
	}
	if !ok || err != nil || lo < 0 || hi <= lo {
		return 0, 0, fmt.Errorf("-load.pace %q: want MIN-MAX with MIN < MAX, e.g. 100ms-200ms", s)
	}
	return lo, hi, nil
}

// printFollow reports the DMS calls the simulator received while the walk
// sessions sat on their result screens following their tickets
// (-load.follow): by action, per second, and over time.
func printFollow(walk walkFigures, calls []dmssim.Call, limit float64, unlimited bool) {
	from, to := walk.res.Filed, walk.res.Quit
	secs := to.Sub(from).Seconds()
	if from.IsZero() || secs <= 0 {
		fmt.Println("\nfollow: no hold window recorded")
		return
	}
	byAction := map[string]int{}
	perSecond := map[string][]int{} // action → calls in each second of the window
	n := int(math.Ceil(secs))
	all := make([]int, n)
	for _, c := range calls {
		if c.Time.Before(from) || !c.Time.Before(to) {
			continue
		}
		i := int(c.Time.Sub(from) / time.Second)
		byAction[c.Action]++
		if perSecond[c.Action] == nil {
			perSecond[c.Action] = make([]int, n)
		}
		perSecond[c.Action][i]++
		all[i]++
	}
	lim := fmt.Sprintf("the server's limit: %g status reads a second, shared", limit)
	if unlimited {
		lim = "no limit (-load.status-reads < 0)"
	}
	fmt.Printf("\nDMS calls while %d sessions follow their tickets, %s from the last ticket filed (%s)\n", walk.res.Done, to.Sub(from).Round(time.Second), lim)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "action\tcalls\tper second\tbusiest second\t")
	actions := make([]string, 0, len(byAction))
	for a := range byAction {
		actions = append(actions, a)
	}
	slices.Sort(actions)
	total := 0
	for _, a := range actions {
		total += byAction[a]
		fmt.Fprintf(w, "%s\t%d\t%.1f\t%d\t\n", a, byAction[a], float64(byAction[a])/secs, slices.Max(perSecond[a]))
	}
	fmt.Fprintf(w, "all\t%d\t%.1f\t%d\t\n", total, float64(total)/secs, slices.Max(all))
	w.Flush()
	fmt.Printf("status reads (one GetOrderBaseInfo each): %.2f a second; server CPU meanwhile %s (%.1f%% of one core)\n",
		float64(byAction["GetOrderBaseInfo"])/secs, walk.followCPU.Round(time.Millisecond), 100*walk.followCPU.Seconds()/secs)
	// The whole run, from the first ticket to the quit: the busiest second
	// of status calls (the walks' early tickets are followed while later
	// ones are still being filed), and how far apart a ticket's reads came.
	var first time.Time
	status := map[int64]int{} // second since the first ticket → status calls
	lastRead := map[string]time.Time{}
	var gaps []int64
	for _, c := range calls {
		switch {
		case c.Action == "CreateOrder" && first.IsZero():
			first = c.Time
		case first.IsZero() || !c.Time.Before(to) || !statusReads[c.Action]:
			continue
		}
		if !statusReads[c.Action] {
			continue
		}
		status[int64(c.Time.Sub(first)/time.Second)]++
		if c.Action == "GetOrderBaseInfo" {
			id := c.Params.Get("OrderId")
			if t, ok := lastRead[id]; ok {
				gaps = append(gaps, int64(c.Time.Sub(t)))
			}
			lastRead[id] = c.Time
		}
	}
	busiest := 0
	for _, k := range status {
		busiest = max(busiest, k)
	}
	slices.Sort(gaps)
	if len(gaps) > 0 {
		g := func(q float64) string { return quantile(gaps, q).Round(100 * time.Millisecond).String() }
		fmt.Printf("from the first ticket filed to the quit (%s): busiest second %d status calls; a ticket's reads %s apart at the median, %s at p90, %s at most\n",
			to.Sub(first).Round(time.Second), busiest, g(.5), g(.9), time.Duration(gaps[len(gaps)-1]).Round(100*time.Millisecond))
	}
	// Over time: calls a second in each 15-second slice of the window.
	var series []string
	for i := 0; i < n; i += 15 {
		j := min(i+15, n)
		sum := 0
		for _, k := range all[i:j] {
			sum += k
		}
		series = append(series, fmt.Sprintf("%.1f", float64(sum)/float64(j-i)))
	}
	fmt.Printf("calls a second, each 15 s from the last ticket: %s\n", strings.Join(series, " · "))
}

// writeLoadKey makes an ed25519 key for user, writes the private half to a
// file for the client process and returns the authorized_keys line.
func writeLoadKey(t *testing.T, dir, user string) (line, path string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, user)
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, user+"_ed25519")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey()))) + " " + user + "@load", path
}

// runClients runs the client process on spec and returns its result and
// output. With ready set (idle mode), it is called once the process says
// READY; the process is then told to close its sessions.
func (r *loadRig) runClients(spec loadSpec, ready func(n int)) (loadResult, string) {
	t := r.t
	t.Helper()
	dir := t.TempDir()
	spec.Result = filepath.Join(dir, spec.Mode+"-result.json")
	data, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	specPath := filepath.Join(dir, spec.Mode+"-spec.json")
	if err := os.WriteFile(specPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSSHLoadClientProcess$", "-test.timeout=0")
	cmd.Env = append(os.Environ(), loadSpecEnv+"="+specPath)
	output := &syncBuffer{}
	cmd.Stderr = output
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if spec.Mode == "walk" {
		r.walkPid.Store(int64(cmd.Process.Pid))
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		output.Write([]byte(line + "\n"))
		if n, ok := strings.CutPrefix(line, "READY "); ok && ready != nil {
			k, _ := strconv.Atoi(n)
			ready(k)
			stdin.Close()
		}
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Errorf("the client process failed: %v\n%s", err, output.String())
	}
	var res loadResult
	data, err = os.ReadFile(spec.Result)
	if err != nil {
		t.Fatalf("no result from the client process: %v\n%s", err, output.String())
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	return res, output.String()
}

// checkTickets checks that the simulator holds exactly the tickets each
// session filed (-load.tickets each), each found by its unique comment.
func checkTickets(sim *dmssim.Running, sessions []sessionSpec, nUsers, tickets int) []string {
	var errs []string
	byComment := map[string][]dmssim.Order{}
	orders := sim.Server.Orders()
	for _, o := range orders {
		byComment[o.Comment] = append(byComment[o.Comment], o)
	}
	if len(orders) != len(sessions)*tickets {
		errs = append(errs, fmt.Sprintf("the simulator holds %d tickets for %d sessions × %d", len(orders), len(sessions), tickets))
	}
	for k := range tickets {
		for _, sp := range sessions {
			errs = append(errs, checkTicket(byComment[ticketComment(sp.Comment, k)], sp, nUsers)...)
		}
	}
	return errs
}

// checkTicket checks a session's one ticket with a given comment: on the
// session's database, with its user's DMS user ID related.
func checkTicket(got []dmssim.Order, sp sessionSpec, nUsers int) []string {
	if len(got) != 1 {
		return []string{fmt.Sprintf("session %d: %d tickets with its comment, want 1", sp.N, len(got))}
	}
	var errs []string
	o := got[0]
	tg := loadTargets[sp.N%len(loadTargets)]
	uid := loadUserID(sp.N % nUsers)
	if o.PluginType != "DATA_EXPORT" || o.DatabaseID != tg.id {
		errs = append(errs, fmt.Sprintf("session %d: ticket %d is %s on database %d, want DATA_EXPORT on %d (%s)", sp.N, o.OrderID, o.PluginType, o.DatabaseID, tg.id, tg.schema))
	}
	if !slices.Contains(o.RelatedUsers, uid) {
		errs = append(errs, fmt.Sprintf("session %d: ticket %d RelatedUserList = %q, want it to carry %s's DMS user ID %d", sp.N, o.OrderID, o.RelatedUserList, sp.User, uid))
	}
	return errs
}

// checkAudit checks that every submission was audited as created.
func checkAudit(t *testing.T, path string, n int) []string {
	recs := auditRecords(t, path)
	created := 0
	for _, r := range recs {
		if r.Outcome == OutcomeCreated {
			created++
		}
	}
	if len(recs) != n || created != n {
		return []string{fmt.Sprintf("the audit log holds %d records, %d created; want %d created", len(recs), created, n)}
	}
	return nil
}

// idleFigures is what n idle sessions cost the server process.
type idleFigures struct {
	n             int
	before, after memSnapshot
	cpuShare      float64 // CPU seconds per second while they sat idle
}

// idle opens n sessions that sit at the type step and measures the server
// process before and after, and its CPU while they sit.
func (r *loadRig) idle(n int) idleFigures {
	spec := r.spec
	spec.Mode = "idle"
	for i := range n {
		u := i % r.nUsers
		spec.Sessions = append(spec.Sessions, sessionSpec{N: i, User: r.users[u], KeyFile: r.keyFiles[u]})
	}
	r.heapProfile("before-idle")
	fig := idleFigures{before: takeSnapshot()}
	res, out := r.runClients(spec, func(k int) {
		fig.n = k
		if open := r.srv.liveCount(); open != n {
			r.fail("%d idle sessions open on the server, want %d", open, n)
		}
		time.Sleep(2 * time.Second) // first frames flushed, start-up garbage collectable
		stop := r.profile("idle")
		c0, w0 := cpuTime(syscall.RUSAGE_SELF), time.Now()
		time.Sleep(5 * time.Second)
		fig.cpuShare = (cpuTime(syscall.RUSAGE_SELF) - c0).Seconds() / time.Since(w0).Seconds()
		stop()
		fig.after = takeSnapshot()
		r.heapProfile("idle")
		r.goroutineProfile("idle")
	})
	r.out = out
	r.errs = append(r.errs, res.Errors...)
	if fig.n != n {
		r.fail("%d of %d idle sessions opened", fig.n, n)
	}
	fig.n = max(fig.n, 1)
	if !waitIdle(r.srv, 15*time.Second) {
		r.fail("%d sessions still open on the server 15s after the idle clients left", r.srv.liveCount())
	}
	return fig
}

// memSnapshot is the process's memory after a forced GC.
type memSnapshot struct {
	heapAlloc, heapInuse, sys uint64
	rss                       int64 // bytes
	goroutines                int
}

func takeSnapshot() memSnapshot {
	runtime.GC()
	debug.FreeOSMemory() // another GC, and unused memory back to the OS, so RSS is comparable
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memSnapshot{heapAlloc: ms.HeapAlloc, heapInuse: ms.HeapInuse, sys: ms.Sys, rss: vmRSS(), goroutines: runtime.NumGoroutine()}
}

// vmRSS is VmRSS from /proc/self/status, in bytes; -1 if unreadable.
func vmRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb * 1024
			}
		}
	}
	return -1
}

// machineCPU is the whole machine's busy and total time so far, in clock
// ticks, from the first line of /proc/stat (0, 0 if unreadable).
func machineCPU() (busy, total int64) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total
}

// processCPU is a process's user plus system time so far, from
// /proc/PID/stat (0 if unreadable).
func processCPU(pid int64) time.Duration {
	if pid == 0 {
		return 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name (which may hold spaces, in
	// parentheses): utime and stime are the 12th and 13th of them.
	_, rest, ok := strings.Cut(string(data), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * time.Second / 100 // USER_HZ
}

// cpuTime is user plus system time of the process (RUSAGE_SELF) or of its
// finished children (RUSAGE_CHILDREN).
func cpuTime(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// quantile is the nearest-rank q-quantile of sorted samples: the smallest
// sample with at least q of all samples at or below it.
func quantile(sorted []int64, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return time.Duration(sorted[max(0, min(i, len(sorted)-1))])
}

func latencyRow(samples []int64) string {
	s := slices.Clone(samples)
	slices.Sort(s)
	if len(s) == 0 {
		return "no samples"
	}
	r := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }
	return fmt.Sprintf("p50 %s · p90 %s · p99 %s · max %s · n=%d", r(quantile(s, .5)), r(quantile(s, .9)), r(quantile(s, .99)), r(time.Duration(s[len(s)-1])), len(s))
}

func perTicket(d time.Duration, n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(n)/1e6)
}

func mib(b uint64) string  { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
func kib(b float64) string { return fmt.Sprintf("%.0f KiB", b/1024) }
func lastBytes(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

func printTable(rows [][]string) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "\nSSH load\t")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\n", r[0], r[1])
	}
	w.Flush()
}

// printTimeline prints the echo by the second its key was sent: where in
// the walks the slow ones fall.
func printTimeline(walk walkFigures) {
	res := walk.res
	// The client's seconds count from its first dial; the server's from
	// when it started the client process, a few milliseconds before.
	off := res.Start.Sub(walk.start)
	bySecond := map[int][]int64{}
	last := 0
	for i, at := range res.EchoAt {
		k := int(at / int64(time.Second))
		bySecond[k] = append(bySecond[k], res.Echo[i])
		last = max(last, k)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "\nsecond\techoes\tp50 ms\tp99 ms\tmax ms\tserver CPU\tclient CPU\tmachine busy (2 cores)\t")
	for k := 0; k <= last; k++ {
		s := slices.Clone(bySecond[k])
		if len(s) == 0 {
			continue
		}
		slices.Sort(s)
		cpu, client, busy := "-", "-", "-"
		i := int((time.Duration(k)*time.Second + off) / time.Second)
		if i < len(walk.cpuSeconds) {
			cpu = fmt.Sprintf("%.0f%% of a core", 100*walk.cpuSeconds[i].Seconds())
			client = fmt.Sprintf("%.0f%%", 100*walk.clientSeconds[i].Seconds())
		}
		if i < len(walk.machineBusy) {
			busy = fmt.Sprintf("%.0f%%", 100*walk.machineBusy[i])
		}
		fmt.Fprintf(w, "%d\t%d\t%.1f\t%.1f\t%.1f\t%s\t%s\t%s\t\n", k, len(s), float64(quantile(s, .5))/1e6, float64(quantile(s, .99))/1e6, float64(s[len(s)-1])/1e6, cpu, client, busy)
	}
	w.Flush()
}

// printSteps prints how long each step's screen took to appear.
func printSteps(steps map[string][]int64) {
	names := make([]string, 0, len(steps))
	for k := range steps {
		names = append(names, k)
	}
	slices.Sort(names)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "\nstep (key sent to screen shown)\tp50\tp99\tmax\tn")
	for _, k := range names {
		s := slices.Clone(steps[k])
		slices.Sort(s)
		fmt.Fprintf(w, "%s\t%.0f ms\t%.0f ms\t%.0f ms\t%d\n", k, float64(quantile(s, .5))/1e6, float64(quantile(s, .99))/1e6, float64(s[len(s)-1])/1e6, len(s))
	}
	w.Flush()
}
