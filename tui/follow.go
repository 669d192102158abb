package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
	tea "github.com/charmbracelet/bubbletea"

	"dmsticket/dms"
	"dmsticket/dms/inert"
	"dmsticket/theme"
	"dmsticket/tui/wizard"
)

// The result screen follows a ticket once it exists (PRODUCT section 13):
// its status is read with wizard.Poll's pace while the screen is on, and
// a (submit for approval), x (run), d (download) and y (copy the ID) act on
// it when its state allows.

type (
	// pollTickMsg asks for the next status read.
	pollTickMsg struct {
		ofResult
		seq int
	}
	// statusMsg is a status read (or its failure).
	statusMsg struct {
		ofResult
		seq int
		st  dms.Status
		err error
	}
	// actionMsg is what an action (submit, run) came to.
	actionMsg struct {
		ofResult
		seq    int
		action wizard.Action
		st     dms.Status
		done   bool // it happened (by its answer, or by the state read after it)
		err    error
	}
	// downloadMsg is a download's progress, or its end (path or err).
	downloadMsg struct {
		ofResult
		seq         int
		done, total int64
		path        string
		url         string // over SSH: where the file is, for the user to fetch
		err         error
		end         bool
	}
)

// follow is the result step's following of one ticket.
type follow struct {
	on       bool
	id       int64 // the ticket followed
	seq      int   // generation: answers of an older following are dropped
	watch    *dms.Watcher
	poll     wizard.Poll
	status   dms.Status
	have     bool // a status has been read
	err      error
	busy     wizard.Action // an action on its way
	notice   string
	fileType string
	ctx      context.Context // ends when the following stops
	cancel   context.CancelFunc
	// The download.
	downloading bool
	got, size   int64
	bar         progress.Model
	saved, url  string
	events      chan downloadMsg
}

// startFollowing begins reading the status of the ticket the submission
// created.
func (r *resultStep) startFollowing(id int64) tea.Cmd {
	f := &r.follow
	f.stop()
	f.seq++
	parent := r.s.opts.Context
	if parent == nil {
		parent = context.Background()
	}
	f.ctx, f.cancel = context.WithCancel(parent)
	f.on, f.id = true, id
	f.watch = dms.NewWatcher(r.s.svc, r.req.Tid, id, r.req.PluginType)
	f.poll, f.have, f.err, f.busy, f.notice, f.fileType = wizard.Poll{}, false, nil, "", "", "CSV"
	f.saved, f.url, f.downloading = "", "", false
	f.bar = r.s.st.Progress(min(40, max(10, r.s.width-30)))
	return r.read(0)
}

// stop ends the following: no read is scheduled or kept any more.
func (f *follow) stop() {
	if f.cancel != nil {
		f.cancel()
	}
	f.on = false
	f.seq++
}

// read schedules a status read after wait.
func (r *resultStep) read(wait time.Duration) tea.Cmd {
	f := &r.follow
	seq := f.seq
	if wait <= 0 {
		return r.readNow(seq)
	}
	if r.s.opts.PollEvery > 0 {
		wait = r.s.opts.PollEvery
	}
	// Not tea.Tick: a wait of up to 30 s would keep a goroutine, and the
	// ended program, after the following stopped.
	ctx := f.ctx
	return func() tea.Msg {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
			return pollTickMsg{seq: seq}
		case <-ctx.Done():
			return nil
		}
	}
}

func (r *resultStep) readNow(seq int) tea.Cmd {
	w, limit, parent := r.follow.watch, r.s.opts.PollLimit, r.follow.ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, 60*time.Second)
		defer cancel()
		if limit != nil {
			if err := limit(ctx); err != nil {
				return statusMsg{seq: seq, st: w.Last(), err: err}
			}
		}
		st, err := w.Read(ctx)
		return statusMsg{seq: seq, st: st, err: err}
	}
}

// updateFollow handles the following's messages and keys; handled is false
// for what is not about it.
func (r *resultStep) updateFollow(msg tea.Msg) (cmd tea.Cmd, handled bool) {
	f := &r.follow
	switch msg := msg.(type) {
	case pollTickMsg:
		if msg.seq != f.seq || !f.on {
			return nil, true
		}
		return r.readNow(msg.seq), true
	case statusMsg:
		if msg.seq != f.seq || !f.on {
			return nil, true
		}
		changed := !f.have || msg.st.State != f.status.State
		if changed && f.have && msg.err == nil && !f.downloading {
			f.notice = "" // it said what an action came to; the state has moved on since
		}
		f.err = msg.err
		if msg.err == nil {
			f.status, f.have = msg.st, true
		}
		if f.have && f.status.State.Final() && f.busy == "" {
			f.on = false // nothing more will happen to it
			return nil, true
		}
		return r.read(f.poll.Next(changed, msg.err)), true
	case actionMsg:
		if msg.seq != f.seq {
			return nil, true
		}
		f.busy = ""
		if msg.st.ID != 0 {
			f.status, f.have = msg.st, true
		}
		f.notice = wizard.ActionOutcome(msg.action, msg.done, msg.err)
		if !msg.done {
			f.notice += ": " + errMessage(msg.err)
		}
		f.poll = wizard.Poll{}
		f.on = true
		return r.read(f.poll.Next(true, nil)), true
	case downloadMsg:
		if msg.seq != f.seq {
			return nil, true
		}
		if !msg.end {
			f.got, f.size = msg.done, msg.total
			return r.waitDownload(), true
		}
		f.downloading = false
		switch {
		case msg.err != nil:
			f.notice = "Download failed: " + inert.Line(msg.err.Error())
		case msg.url != "":
			f.url = msg.url
			f.notice = "The file is ready: fetch it from the link above (it was also sent to your terminal's clipboard, if it allows OSC 52)."
			return copyToClipboard(r.s, msg.url), true
		default:
			f.saved, f.notice = msg.path, ""
		}
		return nil, true
	}
	return nil, false
}

// followKey acts on a key while a ticket is followed; handled is false for
// keys it does not take.
func (r *resultStep) followKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	f := &r.follow
	k := r.s.keys
	if !f.have {
		return nil, false
	}
	switch {
	case key.Matches(msg, k.CopyID):
		id := f.id // the ticket followed: filed here, or opened from My tickets
		f.notice = fmt.Sprintf("Ticket ID %d sent to the terminal's clipboard (OSC 52), if it allows that.", id)
		return copyToClipboard(r.s, fmt.Sprint(id)), true
	case f.busy != "" || f.downloading:
		return nil, false
	case key.Matches(msg, k.Submit) && wizard.Allows(f.status, r.execMode(), wizard.ActSubmit):
		return r.act(wizard.ActSubmit), true
	case key.Matches(msg, k.Execute) && wizard.Allows(f.status, r.execMode(), wizard.ActExecute):
		return r.act(wizard.ActExecute), true
	case key.Matches(msg, k.FileType) && r.export() && wizard.Allows(f.status, r.execMode(), wizard.ActExecute):
		f.fileType = nextFileType(f.fileType)
		return nil, true
	case key.Matches(msg, k.Download) && wizard.Allows(f.status, r.execMode(), wizard.ActDownload):
		return r.download(), true
	}
	return nil, false
}

func nextFileType(t string) string {
	for i, x := range dms.ExportFileTypes {
		if x == t {
			return dms.ExportFileTypes[(i+1)%len(dms.ExportFileTypes)]
		}
	}
	return dms.ExportFileTypes[0]
}

// act submits for approval or runs the ticket, once; the state read after
// it settles a lost answer.
func (r *resultStep) act(a wizard.Action) tea.Cmd {
	f := &r.follow
	f.busy, f.notice = a, ""
	f.on = false // the reads pause while the action is on its way
	seq, w, fileType := f.seq+1, f.watch, f.fileType
	f.seq = seq
	return func() tea.Msg {
		// Not tied to the following's context: once sent, an action's
		// answer and the state read after it are waited for.
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		var st dms.Status
		var done bool
		var err error
		switch a {
		case wizard.ActSubmit:
			st, done, err = w.Submit(ctx)
		case wizard.ActExecute:
			st, done, err = w.Execute(ctx, fileType)
		}
		return actionMsg{seq: seq, action: a, st: st, done: done, err: err}
	}
}

// download fetches the export: to the current directory locally, with a
// progress bar; over SSH the file would land on the server, so the link is
// shown instead.
func (r *resultStep) download() tea.Cmd {
	f := &r.follow
	f.downloading, f.got, f.size, f.notice = true, 0, -1, ""
	seq, svc, tid, id, local := f.seq, r.s.svc, f.status.Tid, f.status.ID, r.s.opts.Local
	fileType := f.fileType
	events := make(chan downloadMsg, 64)
	f.events = events
	parent := f.ctx
	go func() {
		defer close(events)
		ctx, cancel := context.WithTimeout(parent, 30*time.Minute)
		defer cancel()
		d, err := svc.DownloadURL(ctx, tid, id)
		switch {
		case err != nil:
			events <- downloadMsg{seq: seq, err: err, end: true}
			return
		case !d.Ready:
			events <- downloadMsg{seq: seq, err: errors.New("DMS has no file yet: " + d.Tip), end: true}
			return
		case !local:
			events <- downloadMsg{seq: seq, url: d.URL, end: true}
			return
		}
		path, err := wizard.SaveExport(ctx, d.URL, ".", dms.DownloadName(d.URL, id, fileType), func(done, total int64) {
			select {
			case events <- downloadMsg{seq: seq, done: done, total: total}:
			default: // the screen is behind: it catches up at the next event
			}
		})
		events <- downloadMsg{seq: seq, path: path, err: err, end: true}
	}()
	return r.waitDownload()
}

// waitDownload waits for the download's next event.
func (r *resultStep) waitDownload() tea.Cmd {
	events := r.follow.events
	return func() tea.Msg {
		m, ok := <-events
		if !ok {
			return nil
		}
		return m
	}
}

// followLines is the following drawn under the created ticket.
func (r *resultStep) followLines() []string {
	f := &r.follow
	st := r.s.st
	w := r.s.width
	if !f.have {
		if f.err != nil {
			return []string{row(st, "State", st.Error.Render("not read: "+errMessage(f.err)))}
		}
		return []string{row(st, "State", st.Subtle.Render("asking DMS…"))}
	}
	s := f.status
	state := string(s.State) + st.Subtle.Render(" — "+s.State.Label())
	if s.State == dms.StateUnknown {
		state += st.Faint.Render(fmt.Sprintf(" (DMS: %s %s %s)", inert.Line(s.Codes.StatusCode), inert.Line(s.Codes.JobStatus), inert.Line(s.Codes.DetailStatus)))
	}
	lines := []string{row(st, "State", state)}
	if f.err != nil {
		lines = append(lines, row(st, "", st.Warn.Render(truncate("the last read failed ("+errMessage(f.err)+"); trying again", w-12))))
	}
	accepted := r.s.ticket.Rows
	if r.viewing() {
		accepted = dms.RowFigure{} // a ticket from My tickets: the session holds no figure of it
	}
	rows := wizard.PrecheckRows(s, accepted)
	names := map[int64]string{}
	if !r.viewing() {
		seen := map[string]int{}
		for _, d := range r.s.ticket.Databases() {
			names[d.ID] = inert.Line(d.SchemaName)
			seen[names[d.ID]]++
		}
		for id, n := range names {
			if seen[n] > 1 { // orders in production and orders in pre
				names[id] = fmt.Sprintf("%s (%d)", n, id)
			}
		}
	}
	for i, p := range rows {
		what := strings.Replace(p.What, "statement ", "#", 1)
		switch {
		case names[p.DbID] != "":
			what = names[p.DbID]
		case p.DbID != 0:
			what = strings.TrimPrefix(p.What, "database ") // DMS's name and the ID
		}
		v := fmt.Sprintf("%s DMS %s", what, wizard.Thousands(p.DMS))
		if p.HasOurs {
			v += st.Subtle.Render(fmt.Sprintf(" · the ticket's %s, %s", wizard.Thousands(p.Ours), accepted.Source.Label()))
		}
		label := ""
		if i == 0 {
			label = "Precheck"
		}
		lines = append(lines, truncate(row(st, label, v), w))
		if i == 4 && len(rows) > 5 {
			lines = append(lines, row(st, "", st.Faint.Render(fmt.Sprintf("… %d more", len(rows)-5))))
			break
		}
	}
	for _, reason := range s.Reasons {
		lines = append(lines, wrap(st.Error, "  "+inert.Line(reason), w)...)
	}
	switch s.State {
	case dms.StatePrecheckFailed:
		lines = append(lines, wrap(st.Subtle, "e goes back to the review to fix it and file it again.", w)...)
	case dms.StateReady:
		if len(s.Workflow) > 0 {
			lines = append(lines, rowWrapped(st, "Approval", wizard.ChainText(s.Workflow), w)...)
		}
	case dms.StateApproval:
		if len(s.Handlers) > 0 {
			lines = append(lines, rowWrapped(st, "Waiting for", wizard.Names(s.Handlers), w)...)
		}
	case dms.StateApproved:
		switch {
		case !wizard.Allows(s, r.execMode(), wizard.ActExecute) || f.busy == wizard.ActExecute:
			if m := r.execMode(); m != "" && m != "COMMITOR" {
				lines = append(lines, row(st, "Run by", m+st.Faint.Render(map[string]string{"AUTO": "  DMS runs it", "LAST_AUDITOR": "  the last approver runs it"}[m])))
			}
		case r.export():
			lines = append(lines, row(st, "File type", f.fileType+st.Faint.Render("  t changes it, x runs the export")))
		default:
			lines = append(lines, row(st, "Run", st.Faint.Render("x runs the change ("+wizard.Count(len(r.req.Databases()), "database")+")")))
		}
	case dms.StateRunning, dms.StateDone:
		if s.ActualRows > 0 {
			lines = append(lines, row(st, "Rows", wizard.Thousands(s.ActualRows)))
		}
	}
	if f.downloading {
		pct := 0.0
		if f.size > 0 {
			pct = float64(f.got) / float64(f.size)
		}
		lines = append(lines, row(st, "Download", f.bar.ViewAs(pct)+" "+st.Faint.Render(dms.HumanBytes(f.got))))
	}
	if f.saved != "" {
		lines = append(lines, truncate(row(st, "File", inert.Line(f.saved)), w))
	}
	if f.url != "" {
		lines = append(lines, row(st, "File", ""), inert.Line(f.url))
	}
	if f.busy != "" {
		lines = append(lines, row(st, "", st.Info.Render(f.busy.Title()+"…")))
	}
	if f.notice != "" {
		lines = append(lines, wrap(st.Subtle, f.notice, w)...)
	}
	return lines
}

// followHelp is the keys the followed ticket's state allows now.
func (r *resultStep) followHelp() []key.Binding {
	f := &r.follow
	k := r.s.keys
	if !f.have {
		return nil
	}
	var out []key.Binding
	if f.busy == "" && !f.downloading {
		for _, a := range wizard.Actions(f.status, r.execMode()) {
			switch a {
			case wizard.ActSubmit:
				out = append(out, k.Submit)
			case wizard.ActExecute:
				if r.export() {
					out = append(out, with(k.Execute, "x", "run ("+f.fileType+")"), k.FileType)
				} else {
					out = append(out, with(k.Execute, "x", "run the change"))
				}
			case wizard.ActDownload:
				out = append(out, k.Download)
			}
		}
	}
	return append(out, k.CopyID)
}

// rowWrapped is a row whose value wraps under itself.
func rowWrapped(st *theme.Styles, label, value string, w int) []string {
	parts := wrap(st.Value, value, max(20, w-12))
	for i := range parts {
		l := ""
		if i == 0 {
			l = label
		}
		parts[i] = st.Label.Render(fmt.Sprintf("%-11s", l)) + " " + parts[i]
	}
	return parts
}

// execMode is the followed data change's ExecMode, as its request sent it
// ("" for other types): who runs it once approved.
func (r *resultStep) execMode() string {
	m, _ := r.req.Params()["ExecMode"].(string)
	return m
}

// export reports whether the followed ticket is an export (run for a file
// type, then downloaded).
func (r *resultStep) export() bool {
	tt, _ := dms.LookupType(r.req.PluginType)
	return tt.Detail == dms.ExportDetail
}
