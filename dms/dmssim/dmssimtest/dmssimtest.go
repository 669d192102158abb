// Package dmssimtest is to the DMS simulator what net/http/httptest is to
// net/http: a test's DMS, in one call. New starts the simulator on a
// loopback port with the repository's seed (testdata/sim/seed.json) and
// points the real SDK client at it, so a test talks to DMS over HTTP, signed,
// with nothing but loopback.
package dmssimtest

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
)

// World is a running simulator and a client on it.
type World struct {
	Sim    *dmssim.Running
	Client *dms.Client
	// Credential is the key pair the client signs with.
	Credential dmssim.Credential
}

// Server is the simulator itself: its orders, requests and faults.
func (w *World) Server() *dmssim.Server { return w.Sim.Server }

// Endpoint is the simulator's http:// URL.
func (w *World) Endpoint() string { return w.Sim.Endpoint }

// Options change what New builds. The zero value is the usual world.
type Options struct {
	// UserID is the DMS user the client acts as: default 2000001, the
	// seed's demo user, who belongs to two tenants.
	UserID int64
	// Seed replaces the repository's seed.
	Seed *dmssim.Seed
	// Sim is more simulator options (faults are injected on the server).
	Sim dmssim.Options
	// Client is more client options; Endpoint and Credentials are set.
	Client dms.Config
}

// New starts a world and stops it when the test ends.
func New(t testing.TB, opts ...Options) *World {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	seed := o.Seed
	if seed == nil {
		var err error
		if seed, err = RepoSeed(); err != nil {
			t.Fatal(err)
		}
	}
	uid := o.UserID
	if uid == 0 {
		uid = 2000001
	}
	cred := dmssim.Credential{AccessKeyID: "sim-test-key", AccessKeySecret: "sim-test-secret", UserID: uid}
	so := o.Sim
	so.Seed = seed
	if len(so.Credentials) == 0 {
		so.Credentials = []dmssim.Credential{cred}
	} else {
		cred = so.Credentials[0]
	}
	run, err := dmssim.Start(so)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	cc := o.Client
	cc.Endpoint = run.Endpoint
	cc.Credentials = dms.StaticCredentials(cred.AccessKeyID, cred.AccessKeySecret)
	if cc.Retry.Attempts == 0 {
		cc.Retry = dms.Retry{Attempts: 2, Base: time.Millisecond, Max: 5 * time.Millisecond}
	}
	if cc.ReadTimeout == 0 {
		cc.ReadTimeout = 10 * time.Second
	}
	if cc.Version == "" {
		cc.Version = "test"
	}
	c, err := dms.NewClient(cc)
	if err != nil {
		t.Fatal(err)
	}
	return &World{Sim: run, Client: c, Credential: cred}
}

var (
	seedOnce sync.Once
	seed     *dmssim.Seed
	seedErr  error
)

// RepoSeed is the repository's seed, testdata/sim/seed.json, found from the
// test's directory upwards; it is read once.
func RepoSeed() (*dmssim.Seed, error) {
	seedOnce.Do(func() {
		path, err := SeedPath()
		if err != nil {
			seedErr = err
			return
		}
		seed, seedErr = dmssim.LoadSeedFile(path)
	})
	return seed, seedErr
}

// SeedPath finds testdata/sim/seed.json at the module's root.
func SeedPath() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "sim", "seed.json"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("dmssimtest: no go.mod above the test's directory")
		}
		dir = parent
	}
}
