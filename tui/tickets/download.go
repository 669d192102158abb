package tickets

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"dmsticket/dms"
	"dmsticket/tui/wizard"
)

// NewDownloadCommand builds `dmsticket download ID`.
func NewDownloadCommand(deps Deps) *cobra.Command {
	var out, fileType string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "download ID",
		Short: "An approved export: run it if needed, wait, download the file",
		Long: `download saves the file of an export ticket. An approved export that has not run yet is run
first (ExecuteDataExport, once, for --file-type: CSV by default) and waited for; a running one is
waited for (up to --timeout); a finished one is downloaded. An export that has already run has
the file type it was run for: --file-type applies only when download runs it. A ticket not yet
approved is refused, saying what to run first.

The file is saved in the current directory under the name DMS gives it (else
dmsticket-export-ID.csv, .sql, .xlsx or .json), readable by you only (mode 0600). It is written to
a temporary file beside it and renamed when complete, so a download that fails leaves nothing
behind. An existing file is never replaced unless -o names it: then it is replaced whole, once the
download is complete. -o DIR saves in that directory; -o - writes the file to stdout (a download
that fails there has written part of it: check the exit code).

Stdout gets the saved file's path (or the file, with -o -); stderr the narration, and a progress
line when it is a terminal.

Exit codes: 0 saved, 1 the ticket is not approved yet or ended (rejected, failed, closed, the
precheck failed) or DMS refused, 2 usage error (not an export, a file in the way), 3 the
time-out passed, DMS has no file yet, or the download failed (try again), 130 interrupted.`,
		Example: `  dmsticket download 40000001
  dmsticket download 40000001 --file-type XLSX -o q3.xlsx
  dmsticket download 40000001 -o - | head`,
		Args: oneID(deps, "download"),
		RunE: runE(deps, "download", func(cmd *cobra.Command, args []string) (action, error) {
			id, err := ticketID(args[0])
			if err != nil {
				return nil, err
			}
			ft, err := ParseFileType(fileType)
			if err != nil {
				return nil, err
			}
			if timeout <= 0 {
				return nil, fmt.Errorf("--timeout is %s; it is a duration above zero, such as 30m", timeout)
			}
			dst, err := checkDestination(out)
			if err != nil {
				return nil, err
			}
			return func(ctx context.Context, r *runner) error {
				d := &downloader{runner: r, id: id, fileType: ft, typeGiven: cmd.Flags().Changed("file-type"), timeout: timeout, dst: dst}
				return d.run(ctx)
			}, nil
		}),
	}
	f := cmd.Flags()
	f.StringVarP(&out, "out", "o", "", "save as `FILE` (replaced if it exists), in DIR if it is a directory, or - for stdout")
	f.StringVar(&fileType, "file-type", "CSV", "the `TYPE` an export not yet run is run for: CSV, SQL, XLSX or JSON")
	f.DurationVar(&timeout, "timeout", DefaultTimeout, "give up waiting for the export to finish after `D`: exit 3, the export goes on")
	reportErrors(cmd, deps)
	_ = cmd.RegisterFlagCompletionFunc("file-type", cobra.FixedCompletions(dms.ExportFileTypes, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// destination is where the file goes: stdout, a file -o named, or a
// directory to save DMS's name in (the current one when -o is not given).
type destination struct {
	stdout bool
	file   string // -o FILE: replaced if it exists
	dir    string // else: the directory; an existing file there is kept
}

// checkDestination reads -o before anything is sent: its directory must
// exist.
func checkDestination(out string) (destination, error) {
	switch out {
	case "-":
		return destination{stdout: true}, nil
	case "":
		return destination{dir: "."}, nil
	}
	if fi, err := os.Stat(out); err == nil && fi.IsDir() {
		return destination{dir: out}, nil
	} else if err == nil && !fi.Mode().IsRegular() {
		return destination{}, fmt.Errorf("-o %s is not a regular file or a directory", out)
	}
	dir := filepath.Dir(out)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return destination{}, fmt.Errorf("-o %s: the directory %s does not exist", out, dir)
	}
	return destination{file: out}, nil
}

// downloader is one run of download.
type downloader struct {
	*runner
	id        int64
	fileType  string
	typeGiven bool
	timeout   time.Duration
	dst       destination
	drawn     bool // a progress line is on stderr
}

func (d *downloader) run(ctx context.Context) error {
	id := d.id
	st, err := dms.NewWatcher(d.be.Service, d.tid, id, "").Read(ctx)
	if err != nil {
		return d.dmsError(ctx, fmt.Sprintf("could not read ticket %d", id), err)
	}
	if tt, _ := dms.LookupType(st.PluginType); tt.Detail != dms.ExportDetail {
		d.say("dmsticket download: ticket %d is not a data export (its type: %s): it has no file to download.", id, typeText(st.PluginType))
		return wizard.Exit(wizard.ExitUsage, fmt.Errorf("ticket %d is not an export", id))
	}
	if err := d.checkWritable(); err != nil {
		// Before the export is run: its file would have nowhere to go.
		d.say("dmsticket download: cannot write in %s: %v. Nothing was run.", d.writeDir(), err)
		return wizard.Exit(wizard.ExitUsage, err)
	}
	switch st.State {
	case dms.StateApproved, dms.StateRunning:
		if st.State == dms.StateRunning && d.typeGiven {
			d.say("The export of ticket %d is already running: its file is the type it was run for (--file-type applies to an export download runs).", id)
		}
		st, err = d.follow(id).Wait(ctx, Goal{Want: dms.StateDone, FileType: d.fileType, Timeout: d.timeout})
		if err != nil {
			return err
		}
	case dms.StateDone:
		if d.typeGiven {
			d.say("The export of ticket %d has already run: its file is the type it was run for (--file-type applies to an export download runs).", id)
		}
	case dms.StatePrecheckFailed, dms.StateRejected, dms.StateFailed, dms.StateClosed:
		d.say("dmsticket download: ticket %d ended: %s. There is no file to download.", id, st.State.Label())
		for _, r := range st.Reasons {
			d.say("  Reason: %s", cleanLine(r))
		}
		return wizard.Exit(wizard.ExitTicketEnded, fmt.Errorf("ticket %d is %s", id, st.State))
	default:
		next := nextStep(st)
		d.say("dmsticket download: ticket %d is %s (%s): an export is downloaded once it is approved.", id, st.State, st.State.Label())
		if next != "" {
			d.say("Next: %s", next)
		}
		return wizard.Exit(wizard.ExitTicketEnded, fmt.Errorf("ticket %d is %s, not approved", id, st.State))
	}
	dl, err := d.be.Service.DownloadURL(ctx, d.tid, id)
	if err != nil {
		return d.dmsError(ctx, fmt.Sprintf("could not get the download link of ticket %d", id), err)
	}
	if !dl.Ready {
		tip := cleanLine(dl.Tip)
		if tip == "" {
			tip = "DMS gave no reason"
		}
		d.say("dmsticket download: DMS has no file for ticket %d yet: %s. Try again in a moment.", id, tip)
		return wizard.Exit(wizard.ExitRetryable, fmt.Errorf("ticket %d: no file yet", id))
	}
	return d.save(ctx, dl.URL)
}

// writeDir is the directory the file goes into ("" for stdout).
func (d *downloader) writeDir() string {
	if d.dst.file != "" {
		return filepath.Dir(d.dst.file)
	}
	return d.dst.dir
}

// checkWritable makes sure the file can be written where it goes, before
// anything runs: a temporary file is made there and removed.
func (d *downloader) checkWritable() error {
	if d.dst.stdout {
		return nil
	}
	f, err := os.CreateTemp(d.writeDir(), ".dmsticket-download-*.part")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// save fetches the file to its destination: stdout, or a temporary file
// beside it renamed when the download is complete. The name is the one the
// server suggests, else the URL's, else dmsticket-export-ID.TYPE.
func (d *downloader) save(ctx context.Context, url string) error {
	named := func(suggested string) string {
		if suggested != "" {
			return suggested
		}
		return dms.DownloadName(url, d.id, d.fileType)
	}
	if d.dst.stdout {
		n, name, err := dms.FetchNamed(ctx, url, d.deps.Stdout, d.progress())
		d.endProgress()
		if err != nil {
			return d.fetchFailed(ctx, err, "part of the file has been written to stdout")
		}
		d.say("Wrote ticket %d's export (%s, %s) to stdout.", d.id, named(name), dms.HumanBytes(n))
		return nil
	}
	dir := d.dst.dir
	if d.dst.file != "" {
		dir = filepath.Dir(d.dst.file)
	}
	tmp, err := os.CreateTemp(dir, ".dmsticket-download-*.part")
	if err != nil {
		d.say("dmsticket download: cannot write in %s: %v", dir, err)
		return wizard.Exit(wizard.ExitUsage, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	n, name, err := dms.FetchNamed(ctx, url, tmp, d.progress())
	d.endProgress()
	if err != nil {
		return d.fetchFailed(ctx, err, "nothing was saved")
	}
	path := d.dst.file
	if path == "" {
		path = filepath.Join(dir, named(name))
	}
	if err := tmp.Sync(); err != nil {
		return d.writeFailed(path, err)
	}
	if err := tmp.Close(); err != nil {
		return d.writeFailed(path, err)
	}
	if d.dst.file != "" {
		err = wizard.Place(tmp.Name(), path, true) // -o FILE: that file
	} else {
		// Never over a file: a name taken gets -1, -2, … (the export has
		// run; refusing now would leave its file unsaved).
		var placed string
		if placed, err = wizard.PlaceFree(tmp.Name(), dir, named(name)); err == nil && placed != path {
			d.say("%s exists and is kept.", path)
			path = placed
		}
	}
	if err != nil {
		return d.writeFailed(path, err)
	}
	done = true
	d.say("Saved ticket %d's export to %s (%s).", d.id, path, dms.HumanBytes(n))
	fmt.Fprintln(d.deps.Stdout, path)
	return nil
}

func (d *downloader) writeFailed(path string, err error) error {
	d.say("dmsticket download: could not save %s: %v. Nothing was saved.", path, err)
	return wizard.Exit(wizard.ExitRetryable, err)
}

func (d *downloader) fetchFailed(ctx context.Context, err error, what string) error {
	if ctx.Err() != nil {
		d.say("dmsticket download: interrupted; %s.", what)
		return wizard.Exit(wizard.ExitInterrupted, ctx.Err())
	}
	d.say("dmsticket download: %s; %s. dmsticket download %d tries again.", cleanLine(err.Error()), what, d.id)
	return wizard.Exit(wizard.ExitRetryable, err)
}

// progress is Fetch's progress report: a line redrawn in place on stderr
// when it is a terminal (each time the percentage changes, or each MiB when
// the size is not known), nothing otherwise.
func (d *downloader) progress() func(done, total int64) {
	if d.deps.StderrIsTerminal == nil || !d.deps.StderrIsTerminal() {
		return nil
	}
	last, width := int64(-1), 0
	return func(done, total int64) {
		var mark int64
		var line string
		if total > 0 {
			mark = done * 100 / total
			line = fmt.Sprintf("Downloading ticket %d's export: %s of %s (%d%%)", d.id, dms.HumanBytes(done), dms.HumanBytes(total), mark)
		} else {
			mark = done >> 20
			line = fmt.Sprintf("Downloading ticket %d's export: %s", d.id, dms.HumanBytes(done))
		}
		if mark == last {
			return
		}
		last = mark
		pad := max(0, width-len(line))
		width = len(line)
		fmt.Fprintf(d.deps.Stderr, "\r%s%s", line, strings.Repeat(" ", pad))
		d.drawn = true
	}
}

// endProgress ends the progress line, if one was drawn.
func (d *downloader) endProgress() {
	if d.drawn {
		fmt.Fprintln(d.deps.Stderr)
		d.drawn = false
	}
}
