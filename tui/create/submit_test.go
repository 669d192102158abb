package create

import (
	"strings"
	"testing"
)

func TestCreateSubmitWaitApprovedFilesSubmitsAndWaits(t *testing.T) {
	w := newWorld(t)
	o := w.run(export("--affect-rows", "100", "--submit", "--wait", "approved")...)
	o.want(t, 0)
	if n := len(w.sim.Server.RequestsFor("SubmitOrderApproval")); n != 1 {
		t.Fatalf("%d SubmitOrderApproval", n)
	}
	if !strings.Contains(o.stderr, "Submitted ticket") || !strings.Contains(o.stderr, "approved") || strings.TrimSpace(o.stdout) != "40000001" {
		t.Errorf("stdout %q\nstderr:\n%s", o.stdout, o.stderr)
	}
	w.run(export("--affect-rows", "100", "--wait", "approved")...).want(t, 2)
	w.run(export("--affect-rows", "100", "--submit", "--dry-run")...).want(t, 2)
	w.run(export("--affect-rows", "100", "--submit", "--file-type", "CSV")...).want(t, 2)
}
