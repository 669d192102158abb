package create

import (
	"os"
	"testing"
)

// TestMain gives the tests a state directory of their own: runs of a ticket
// file take a lock there (lock.go), which must not land in the home of the
// machine the tests run on.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dmsticket-create-test-state-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_STATE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
