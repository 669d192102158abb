package dmssim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"time"
)

// This file is an export's run: ExecuteDataExport starts it,
// GetDataExportDownloadURL answers where its file is, and the download
// (download.go) serves the file (exportfile.go writes it).

// jobIDStart is the first JobId (an export's, a data change's
// DBTaskGroupId); later ones count up.
const jobIDStart = 90000001

// actionDetail is ExecuteDataExport's ActionDetail, read.
type actionDetail struct {
	fileType  string
	startTime time.Time
}

// exportEncodings are ActionDetail's documented encodings (LATAIN1 spelled
// as DMS spells it). The file is written in UTF-8 whichever is asked: its
// generated content is ASCII unless the SQL's column names are not.
var exportEncodings = map[string]bool{
	"": true, "UTF8": true, "UTF8MB4": true, "GB2312": true, "ISO_8859_1": true, "GBK": true, "LATAIN1": true, "CP1252": true,
}

// readActionObject reads an ActionDetail, one JSON object (example is one,
// for the error): nil when raw is blank.
func readActionObject(raw, example string) (map[string]any, *apiError) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, fail("InvalidParam", "ActionDetail is not a JSON object such as %s.", example)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fail("InvalidParam", "ActionDetail is not one JSON object: there is more after it.")
	}
	return m, nil
}

// readActionDetail reads ActionDetail, the JSON object the SDK encodes the
// map into: fileType (CSV, SQL, XLSX or JSON, any case; CSV when absent,
// UNCONFIRMED), encoding and mode (checked against the documented values)
// and startTime (yyyy-MM-dd HH:mm:ss, UTC+8). Other keys are ignored.
func readActionDetail(raw string) (actionDetail, *apiError) {
	ad := actionDetail{fileType: "CSV"}
	m, err := readActionObject(raw, `{"fileType":"CSV","encoding":"UTF8"}`)
	if err != nil || m == nil {
		return ad, err
	}
	str := func(key string) (string, *apiError) {
		v, ok := m[key]
		if !ok || v == nil {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", fail("InvalidParam", "ActionDetail %s must be a string.", key)
		}
		return s, nil
	}
	ft, err := str("fileType")
	if err != nil {
		return ad, err
	}
	switch up := strings.ToUpper(ft); up {
	case "":
	case "CSV", "SQL", "XLSX", "JSON":
		ad.fileType = up
	default:
		return ad, fail("InvalidParam", "ActionDetail fileType %q is not one of CSV, SQL, XLSX, JSON.", ft)
	}
	enc, err := str("encoding")
	if err != nil {
		return ad, err
	}
	if !exportEncodings[strings.ToUpper(enc)] {
		return ad, fail("InvalidParam", "ActionDetail encoding %q is not one of UTF8, UTF8MB4, GB2312, ISO_8859_1, GBK, LATAIN1, CP1252.", enc)
	}
	mode, err := str("mode")
	if err != nil {
		return ad, err
	}
	if up := strings.ToUpper(mode); up != "" && up != "FAST" && up != "NORMAL" {
		return ad, fail("InvalidParam", "ActionDetail mode %q is not FAST or NORMAL.", mode)
	}
	st, err := str("startTime")
	if err != nil {
		return ad, err
	}
	if st != "" {
		t, ok := parseDMSTime(st)
		if !ok {
			return ad, fail("InvalidParam", "ActionDetail startTime %q is not a time like 2024-01-31 08:00:00 (UTC+8).", st)
		}
		ad.startTime = t
	}
	return ad, nil
}

// opExecuteDataExport answers ExecuteDataExport: an approved export (or one
// whose run failed) runs: WAITING_EXPORT until it is scheduled and for the
// first half of Options.ExportDelay, DOING_EXPORT for the second, then
// EXPORT_SUCCESS. Only the committer (or the approver credential) may run
// it; everything is checked before it starts.
func opExecuteDataExport(x *exchange) (any, *apiError) {
	ad, err := readActionDetail(x.str("ActionDetail"))
	x.setBad(err) // answered before the ticket's own parameters' errors
	return x.exportTicket(x.byCommitter("run its export", func(o *Order, now time.Time) (any, *apiError) {
		l := o.life
		switch l.phase {
		case phaseApproved, phaseFailed:
		case phaseClosed:
			return nil, errState("OrderClosed", o, "A closed ticket cannot run.")
		case phaseQueued, phaseRunning, phaseDone:
			return nil, errState("ExportAlreadyExecuted", o, "Its export was started already (JobId %d): follow GetDataExportOrderDetail's JobStatus, and ask GetDataExportDownloadURL once it is EXPORT_SUCCESS.", l.job.id)
		case phaseRejected:
			return nil, errState("OrderNotApproved", o, "A rejected ticket cannot run.")
		default:
			return nil, errState("OrderNotApproved", o, "An export runs once approved (JobStatus ENABLE_EXPORT).")
		}
		if l.job != nil {
			delete(x.s.downloads, l.job.token)
		}
		job := x.s.newJob(now, x.s.timing.export, x.failJob)
		job.fileType, job.token = ad.fileType, newToken()
		if ad.startTime.After(now) {
			job.start = ad.startTime
		}
		l.job = job
		x.s.downloads[job.token] = o
		o.enter(phaseQueued, now)
		return nil, nil
	}))
}

// newToken is a download URL's secret: 128 random bits.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// downloadURLResultJSON is the SDK's DownloadURLResult.
type downloadURLResultJSON struct {
	TipMessage string `json:"TipMessage"`
	HasResult  bool   `json:"HasResult"`
	URL        string `json:"URL"`
}

// opGetDataExportDownloadURL answers GetDataExportDownloadURL: once the
// export is done, a URL on this simulator (the host the request was sent
// to) that serves the file without a signature, as an OSS presigned URL
// would; before, HasResult false and a TipMessage saying why.
func opGetDataExportDownloadURL(x *exchange) (any, *apiError) {
	return x.exportTicket(func(o *Order, _ time.Time) (any, *apiError) {
		var r downloadURLResultJSON
		switch o.life.phase {
		case phaseDone:
			r.HasResult, r.URL = true, x.downloadBase()+o.life.job.token
		case phaseQueued:
			r.TipMessage = "The export is waiting to be scheduled (WAITING_EXPORT); ask again once it is EXPORT_SUCCESS."
		case phaseRunning:
			r.TipMessage = "The export is running (DOING_EXPORT); ask again once it is EXPORT_SUCCESS."
		case phaseFailed:
			r.TipMessage = "The export failed (EXPORT_FAIL): it has no file. Run it again with ExecuteDataExport."
		case phaseClosed:
			r.TipMessage = "The ticket is closed: it has no file."
		default:
			r.TipMessage = "The export has not run: the ticket is " + o.life.phase.String() + ". Run it with ExecuteDataExport once it is approved."
		}
		return struct {
			DownloadURLResult downloadURLResultJSON `json:"DownloadURLResult"`
		}{r}, nil
	})
}

// downloadBase is http(s)://HOST/download/ for the host the request was
// addressed to, which is where the client that asks can reach the
// simulator (127.0.0.1 when the Host header is unusable).
func (x *exchange) downloadBase() string {
	scheme := "http://"
	if x.r.TLS != nil {
		scheme = "https://"
	}
	host := x.r.Host
	if host == "" || len(host) > 255 || strings.Trim(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") != "" {
		host = "127.0.0.1"
	}
	return scheme + host + downloadPrefix
}
