package tickets

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
)

// approvedExport files an export and takes it to approved.
func (w *world) approvedExport(comment string) int64 {
	w.t.Helper()
	id := w.export(dbSandbox, scratchSQL, comment)
	w.clock.Advance(3 * time.Second)
	if err := w.w.Client.SubmitForApproval(context.Background(), tenantRetail, id); err != nil {
		w.t.Fatal(err)
	}
	w.clock.Advance(dmssim.DefaultOfflineApprovalDelay)
	return id
}

// doneExport files an export and takes it to done, run for fileType.
func (w *world) doneExport(comment, fileType string) int64 {
	w.t.Helper()
	id := w.approvedExport(comment)
	if err := w.w.Client.ExecuteExport(context.Background(), tenantRetail, id, fileType); err != nil {
		w.t.Fatal(err)
	}
	w.clock.Advance(dmssim.DefaultExportDelay)
	return id
}

// served is the file the simulator serves for the export.
func (w *world) served(id int64) dmssim.ExportFile {
	w.t.Helper()
	f, ok := w.server().ExportFile(id)
	if !ok || len(f.Data) == 0 {
		w.t.Fatalf("the simulator has no file for ticket %d", id)
	}
	return f
}

// noLeftovers fails when dir holds anything but the names given.
func noLeftovers(t *testing.T, dir string, keep ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		found := false
		for _, k := range keep {
			found = found || e.Name() == k
		}
		if !found {
			t.Errorf("left in %s: %s", dir, e.Name())
		}
	}
}

func TestDownloadRunsAnApprovedExportOnceAndSavesTheFileByteForByte(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	t.Chdir(dir)
	id := w.approvedExport("download me")

	o := w.run("download", fmt.Sprint(id))
	o.want(t, 0)
	ex := w.server().RequestsFor("ExecuteDataExport")
	if len(ex) != 1 || !strings.Contains(ex[0].Params.Get("ActionDetail"), `"fileType":"CSV"`) {
		t.Fatalf("ExecuteDataExport calls %+v", ex)
	}
	f := w.served(id)
	path := strings.TrimSpace(o.stdout)
	if path != f.Name {
		t.Errorf("stdout %q, want the file's path %q", o.stdout, f.Name)
	}
	got, err := os.ReadFile(filepath.Join(dir, path))
	if err != nil || !bytes.Equal(got, f.Data) {
		t.Fatalf("saved %d bytes (%v), the simulator serves %d", len(got), err, len(f.Data))
	}
	if fi, _ := os.Stat(filepath.Join(dir, path)); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	noLeftovers(t, dir, path)
	for _, want := range []string{"Running the export", "Started the export", fmt.Sprintf("Saved ticket %d's export to %s (", id, path)} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
	if strings.Contains(o.stderr, "\r") {
		t.Errorf("a progress line drawn on a stderr that is not a terminal:\n%q", o.stderr)
	}
}

func TestDownloadOfAFinishedExportToStdoutAndToANamedFile(t *testing.T) {
	w := newWorld(t)
	id := w.doneExport("done already", "JSON")
	f := w.served(id)
	if !strings.HasSuffix(f.Name, ".json") {
		t.Fatalf("served %s", f.Name)
	}

	o := w.run("download", fmt.Sprint(id), "-o", "-")
	o.want(t, 0)
	if o.stdout != string(f.Data) {
		t.Errorf("stdout is not the file (%d bytes, want %d)", len(o.stdout), len(f.Data))
	}
	if w.calls("ExecuteDataExport") != 1 {
		t.Errorf("a finished export was run again")
	}

	// -o names a file that exists: it is replaced, whole.
	dir := t.TempDir()
	named := filepath.Join(dir, "q3.json")
	if err := os.WriteFile(named, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	o = w.run("download", fmt.Sprint(id), "-o", named, "--file-type", "CSV")
	o.want(t, 0)
	if got, _ := os.ReadFile(named); !bytes.Equal(got, f.Data) {
		t.Errorf("-o file holds %q", got)
	}
	if !strings.Contains(o.stderr, "has already run: its file is the type it was run for") {
		t.Errorf("no word that --file-type came too late:\n%s", o.stderr)
	}
	noLeftovers(t, dir, "q3.json")

	// -o a directory: DMS's name in it.
	o = w.run("download", fmt.Sprint(id), "-o", dir)
	o.want(t, 0)
	if strings.TrimSpace(o.stdout) != filepath.Join(dir, f.Name) {
		t.Errorf("stdout %q", o.stdout)
	}
}

func TestDownloadKeepsAnExistingFileUnlessONamesIt(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	t.Chdir(dir)
	id := w.doneExport("exists", "CSV")
	name := w.served(id).Name
	if err := os.WriteFile(name, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The file is kept, and the export saved beside it (refusing once the
	// export has run would leave it unsaved: found by an adversarial run).
	o := w.run("download", fmt.Sprint(id))
	o.want(t, 0)
	if got, _ := os.ReadFile(name); string(got) != "mine" {
		t.Errorf("the existing file was changed: %q", got)
	}
	ext := filepath.Ext(name)
	beside := strings.TrimSuffix(name, ext) + "-1" + ext
	if !strings.Contains(o.stderr, name+" exists and is kept.") || strings.TrimSpace(o.stdout) != beside {
		t.Errorf("stdout %q\nstderr:\n%s", o.stdout, o.stderr)
	}
	noLeftovers(t, dir, name, beside)
}

// Where the file cannot be written, nothing is run: an approved export is
// not started only to find its file has nowhere to go (found by an
// adversarial run: the export ran, then exit 2).
func TestDownloadRunsNothingWhereTheFileCannotBeWritten(t *testing.T) {
	// /proc takes no files, even from root; elsewhere a read-only directory.
	dir := "/proc"
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		if os.Geteuid() == 0 {
			t.Skip("no /proc, and root writes in a read-only directory")
		}
		dir = t.TempDir()
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
	}
	w := newWorld(t)
	id := w.approvedExport("read-only")
	o := w.run("download", fmt.Sprint(id), "-o", dir)
	o.want(t, 2)
	if n := len(w.server().RequestsFor("ExecuteDataExport")); n != 0 || !strings.Contains(o.stderr, "Nothing was run") {
		t.Errorf("ExecuteDataExport sent %d times; stderr:\n%s", n, o.stderr)
	}
}

func TestADownloadCutShortLeavesNoFile(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	t.Chdir(dir)
	id := w.doneExport("cut short", "CSV")
	w.server().InjectFault(dmssim.Fault{Action: dmssim.DownloadAction, Kind: dmssim.DropAfterCreate})

	o := w.run("download", fmt.Sprint(id))
	o.want(t, 3)
	noLeftovers(t, dir)
	if !strings.Contains(o.stderr, "nothing was saved") || !strings.Contains(o.stderr, fmt.Sprintf("dmsticket download %d tries again", id)) || o.stdout != "" {
		t.Errorf("stdout %q\nstderr:\n%s", o.stdout, o.stderr)
	}
	// And with -o naming an existing file, that file is untouched.
	if err := os.WriteFile("keep.csv", []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.server().InjectFault(dmssim.Fault{Action: dmssim.DownloadAction, Kind: dmssim.DropAfterCreate})
	w.run("download", fmt.Sprint(id), "-o", "keep.csv").want(t, 3)
	if got, _ := os.ReadFile("keep.csv"); string(got) != "mine" {
		t.Errorf("keep.csv = %q", got)
	}
	noLeftovers(t, dir, "keep.csv")
	// The next try saves it.
	w.run("download", fmt.Sprint(id)).want(t, 0)
}

func TestDownloadDrawsItsProgressOnATerminal(t *testing.T) {
	w := newWorld(t)
	t.Chdir(t.TempDir())
	w.terminal = true
	id := w.doneExport("progress", "CSV")
	o := w.run("download", fmt.Sprint(id))
	o.want(t, 0)
	size := dms.HumanBytes(int64(len(w.served(id).Data)))
	if !strings.Contains(o.stderr, "\rDownloading ") || !strings.Contains(o.stderr, "of "+size+" (100%)") {
		t.Errorf("no progress line:\n%q", o.stderr)
	}
}

func TestDownloadWithALostExecuteAnswerRunsTheExportOnce(t *testing.T) {
	w := newWorld(t)
	t.Chdir(t.TempDir())
	id := w.approvedExport("lost execute")
	w.server().InjectFault(dmssim.Fault{Action: "ExecuteDataExport", Kind: dmssim.DropAfterCreate})
	o := w.run("download", fmt.Sprint(id), "--file-type", "sql")
	o.want(t, 0)
	if n := w.calls("ExecuteDataExport"); n != 1 {
		t.Fatalf("ExecuteDataExport reached the simulator %d times", n)
	}
	if !strings.Contains(o.stderr, "The answer to ExecuteDataExport was lost") || !strings.HasSuffix(strings.TrimSpace(o.stdout), ".sql") {
		t.Errorf("stdout %q\nstderr:\n%s", o.stdout, o.stderr)
	}
}

func TestDownloadRefusesWhatHasNoFile(t *testing.T) {
	w := newWorld(t, dmssim.Options{Approve: dmssim.ApproveManual})
	t.Chdir(t.TempDir())

	ready := w.export(dbSandbox, scratchSQL, "not submitted")
	w.clock.Advance(3 * time.Second)
	o := w.run("download", fmt.Sprint(ready))
	o.want(t, 1)
	if !strings.Contains(o.stderr, "an export is downloaded once it is approved") || !strings.Contains(o.stderr, fmt.Sprintf("Next: dmsticket submit %d", ready)) {
		t.Errorf("stderr:\n%s", o.stderr)
	}

	if err := w.w.Client.SubmitForApproval(context.Background(), tenantRetail, ready); err != nil {
		t.Fatal(err)
	}
	w.decide(ready, "REJECT")
	o = w.run("download", fmt.Sprint(ready))
	o.want(t, 1)
	if !strings.Contains(o.stderr, "ended: "+dms.StateRejected.Label()+". There is no file") {
		t.Errorf("stderr:\n%s", o.stderr)
	}

	nddl := w.schemaDesign("a schema design")
	o = w.run("download", fmt.Sprint(nddl))
	o.want(t, 2)
	if !strings.Contains(o.stderr, "not a data export") {
		t.Errorf("stderr:\n%s", o.stderr)
	}
	if w.calls("ExecuteDataExport") != 0 || w.calls("GetDataExportDownloadURL") != 0 {
		t.Error("an export was run or its link asked for")
	}
	w.run("download", "49999999").want(t, 1)
}

func TestDownloadTimesOutWhileTheExportRuns(t *testing.T) {
	w := newWorld(t, dmssim.Options{ExportDelay: time.Hour})
	t.Chdir(t.TempDir())
	id := w.approvedExport("slow export")
	o := w.run("download", fmt.Sprint(id), "--timeout", "1m")
	o.want(t, 3)
	if !strings.Contains(o.stderr, "stopped waiting after 1m0s") || w.calls("ExecuteDataExport") != 1 || w.calls("GetDataExportDownloadURL") != 0 {
		t.Errorf("stderr:\n%s", o.stderr)
	}
}
