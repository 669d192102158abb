package dms_test

import (
	"os"
	"os/exec"
	"sync"
	"testing"

	"dmsticket/dms"
)

// TestClientsBuiltAtOnceAreSafe: the first clients of a process built at
// once (two profiles' first sessions over SSH) raced on the SDK's endpoint
// map, which the SDK makes on first use without a lock. The clients are
// built in a fresh process (this test binary again, running only
// buildClientsAtOnce), where nothing has built one before; under the race
// detector a race fails it.
func TestClientsBuiltAtOnceAreSafe(t *testing.T) {
	if os.Getenv("DMSTICKET_CLIENTS_AT_ONCE") == "1" {
		buildClientsAtOnce(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestClientsBuiltAtOnceAreSafe$", "-test.count=1")
	cmd.Env = append(os.Environ(), "DMSTICKET_CLIENTS_AT_ONCE=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building clients at once in a fresh process: %v\n%s", err, out)
	}
}

func buildClientsAtOnce(t *testing.T) {
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := dms.NewClient(dms.Config{Endpoint: "http://127.0.0.1:9", Region: "cn-hangzhou"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}
