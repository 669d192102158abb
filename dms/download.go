package dms

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// downloadClient fetches exports: DMS hands out presigned object-storage
// URLs, read without the SDK (and without credentials).
var downloadClient = &http.Client{Transport: &http.Transport{
	Proxy:                 http.ProxyFromEnvironment,
	DialContext:           (&net.Dialer{Timeout: DefaultConnectTimeout, KeepAlive: 30 * time.Second}).DialContext,
	TLSHandshakeTimeout:   DefaultConnectTimeout,
	ResponseHeaderTimeout: DefaultReadTimeout,
}}

// Fetch downloads a finished export from rawURL into w, reporting progress
// as bytes arrive (total is -1 when the server does not say). Only https, or
// plain http to this machine (the simulator), is fetched.
func Fetch(ctx context.Context, rawURL string, w io.Writer, progress func(done, total int64)) (int64, error) {
	n, _, err := FetchNamed(ctx, rawURL, w, progress)
	return n, err
}

// FetchNamed is Fetch that also returns the file name the server suggests
// (Content-Disposition's filename), when it is a plain one; else "".
func FetchNamed(ctx context.Context, rawURL string, w io.Writer, progress func(done, total int64)) (int64, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return 0, "", fmt.Errorf("the download URL %q is not a URL", rawURL)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && IsLoopbackHost(u.Hostname())) {
		return 0, "", fmt.Errorf("the download URL uses %s:// to %s; only https (or http on this machine) is fetched", u.Scheme, u.Hostname())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := downloadClient.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("downloading from %s: %v", u.Hostname(), shortNetError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, "", fmt.Errorf("downloading from %s: the server answered %s (the link may have expired: ask for it again)", u.Hostname(), resp.Status)
	}
	var name string
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil {
		if fn := params["filename"]; plainFileName.MatchString(fn) && strings.Contains(fn, ".") {
			name = fn
		}
	}
	total := resp.ContentLength
	pw := &progressWriter{w: w, total: total, report: progress}
	n, err := io.Copy(pw, resp.Body)
	if err != nil {
		return n, name, fmt.Errorf("downloading from %s: %v after %s", u.Hostname(), shortNetError(err), HumanBytes(n))
	}
	if total >= 0 && n != total {
		return n, name, fmt.Errorf("downloading from %s: %s of %s arrived", u.Hostname(), HumanBytes(n), HumanBytes(total))
	}
	return n, name, nil
}

type progressWriter struct {
	w      io.Writer
	done   int64
	total  int64
	report func(done, total int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	if p.report != nil {
		p.report(p.done, p.total)
	}
	return n, err
}

var plainFileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// DownloadName is the file a download is saved as: the URL's own file name
// when it is a plain one, else dmsticket-export-<id>.<type>.
func DownloadName(rawURL string, id int64, fileType string) string {
	if u, err := url.Parse(rawURL); err == nil {
		if base := path.Base(u.Path); plainFileName.MatchString(base) && strings.Contains(base, ".") {
			return base
		}
	}
	ext := strings.ToLower(fileType)
	if ext == "" {
		ext = "csv"
	}
	return "dmsticket-export-" + strconv.FormatInt(id, 10) + "." + ext
}
