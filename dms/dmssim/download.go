package dmssim

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DownloadAction is the Call.Action the simulator records for a download of
// an export's file (GET /download/TOKEN, not an RPC call), and the
// Fault.Action that injects a fault into downloads. Only faults that name
// it apply to downloads: Throttle (HTTP 503 SlowDown), ServerError (503),
// Delay and SlowAnswer (the answer waits Fault.Delay), DropBeforeHandling
// (the connection closes without an answer) and DropAfterCreate (the
// headers and half the file, then the connection closes: a download cut
// short). Other kinds do nothing to a download.
const DownloadAction = "download"

// downloadPrefix is the path of download URLs; the token follows.
const downloadPrefix = "/download/"

// serveDownload serves an export's file at its unguessable URL, with no
// signature (as an OSS presigned URL): GET or HEAD, Content-Length set,
// Range requests answered. An unknown token, or an export not done, is
// OSS's 404 NoSuchKey.
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	x := &exchange{s: s, w: w, r: r, requestID: newRequestID()}
	x.seq = s.record(Call{Action: DownloadAction, Params: url.Values{}, RequestID: x.requestID, Time: now})
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		x.ossError(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource; use GET or HEAD.")
		return
	}
	token := strings.TrimPrefix(r.URL.Path, downloadPrefix)
	s.mu.Lock()
	o := s.downloads[token]
	var (
		src exportSource
		ok  bool
	)
	if o != nil {
		s.settle(o, now)
		src, ok = s.exportSourceOf(o)
	}
	s.mu.Unlock()
	if o != nil {
		s.update(x.seq, func(c *Call) { c.Params.Set("OrderId", strconv.FormatInt(o.OrderID, 10)) })
	}
	if f, faulted := s.takeFaultWhere(func(f Fault) bool { return f.Action == DownloadAction }); faulted {
		s.update(x.seq, func(c *Call) { c.Fault = f.Kind })
		switch f.Kind {
		case Throttle:
			x.ossError(or(f.Status, http.StatusServiceUnavailable), orString(f.Code, "SlowDown"), orString(f.Message, "Please reduce your request rate."))
			return
		case ServerError:
			x.ossError(or(f.Status, http.StatusServiceUnavailable), orString(f.Code, "ServiceUnavailable"), orString(f.Message, "The service is temporarily unavailable."))
			return
		case DropBeforeHandling:
			x.drop()
			return
		case Delay, SlowAnswer:
			t := time.NewTimer(f.Delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		case DropAfterCreate:
			x.dropAfter = true
		}
	}
	if !ok {
		x.ossError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	file, err := src.file()
	if err != nil {
		x.ossError(http.StatusInternalServerError, "InternalError", "The export file could not be written: "+err.Error())
		return
	}
	h := w.Header()
	h.Set("Content-Type", file.ContentType)
	h.Set("Content-Disposition", `attachment; filename="`+file.Name+`"`)
	h.Set("x-oss-request-id", x.requestID)
	if x.dropAfter && r.Method == http.MethodGet {
		h.Set("Content-Length", strconv.Itoa(len(file.Data)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(file.Data[:len(file.Data)/2])
		x.cutShort()
		return
	}
	http.ServeContent(w, r, file.Name, time.Time{}, bytes.NewReader(file.Data))
	s.update(x.seq, func(c *Call) { c.Status = http.StatusOK })
}

// ossError answers an error the way OSS does: XML with Code, Message,
// RequestId and HostId.
func (x *exchange) ossError(status int, code, msg string) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>%s</Code>\n  <Message>%s</Message>\n  <RequestId>%s</RequestId>\n  <HostId>%s</HostId>\n</Error>\n",
		xmlEscaper.Replace(code), xmlEscaper.Replace(msg), x.requestID, xmlEscaper.Replace(x.r.Host))
	h := x.w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	h.Set("x-oss-request-id", x.requestID)
	x.w.WriteHeader(status)
	_, _ = x.w.Write(b.Bytes())
	x.s.update(x.seq, func(c *Call) { c.Status, c.Code = status, code })
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

// cutShort sends what was written and closes the connection (gracefully, so
// that the bytes arrive): the client sees fewer bytes than Content-Length.
func (x *exchange) cutShort() {
	x.s.update(x.seq, func(c *Call) { c.Status = 0 })
	_ = http.NewResponseController(x.w).Flush()
	if hj, ok := x.w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
