package dmssim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Running is a Server listening on a TCP port (by Start, a loopback one).
type Running struct {
	Server *Server
	// Endpoint is the base URL, "http://127.0.0.1:PORT".
	Endpoint string
	// Credential is the first accepted key pair, the one to sign with.
	Credential Credential
	// Approver is the approver's key pair (Options.Approver): ApproveOrder
	// signed with it approves or rejects any ticket. Zero when there is
	// none.
	Approver Credential
	// DownloadBase is where export files are served: Endpoint + "/download/".
	// GetDataExportDownloadURL answers URLs under the host each request was
	// sent to, which for a client of Endpoint is this.
	DownloadBase string

	http      *http.Server
	done      chan error
	closeOnce sync.Once
	closeErr  error
}

// Start builds a Server and serves it on 127.0.0.1 at a free port until
// Close. `dmsticket --demo` and tests use it.
func Start(opts Options) (*Running, error) {
	return StartOn("127.0.0.1:0", opts)
}

// StartOn is Start on a given address (`dmsticket sim --listen`).
func StartOn(addr string, opts Options) (*Running, error) {
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("the DMS simulator cannot listen on %s: %w", addr, err)
	}
	cred := DefaultCredential
	if len(opts.Credentials) > 0 {
		cred = opts.Credentials[0]
	}
	r := &Running{
		Server:       s,
		Endpoint:     "http://" + ln.Addr().String(),
		Credential:   cred,
		Approver:     s.approver,
		DownloadBase: "http://" + ln.Addr().String() + downloadPrefix,
		http: &http.Server{
			Handler:           s,
			ReadHeaderTimeout: 10 * time.Second,
		},
		done: make(chan error, 1),
	}
	go func() { r.done <- r.http.Serve(ln) }()
	return r, nil
}

// WriteApprover writes how to approve tickets by hand (`dmsticket sim
// --approve manual` prints it): the approver's user and key pair, as
// environment variables, and the aliyun command that approves. It writes
// nothing when there is no approver.
func (r *Running) WriteApprover(w io.Writer) error {
	a := r.Approver
	if a.AccessKeyID == "" {
		return nil
	}
	name := strconv.FormatInt(a.UserID, 10)
	if u := r.Server.world.users[a.UserID]; u != nil {
		name = u.display() + " (DMS user " + name + ")"
	}
	_, err := fmt.Fprintf(w, "Approver: %s, who may approve or reject any ticket:\n"+
		"  ALIBABA_CLOUD_ACCESS_KEY_ID=%s\n  ALIBABA_CLOUD_ACCESS_KEY_SECRET=%s\n"+
		"  ALIBABA_CLOUD_IGNORE_PROFILE=TRUE aliyun dms-enterprise ApproveOrder --region cn-hangzhou --endpoint %s --insecure \\\n"+
		"    --WorkflowInstanceId ID --ApprovalType AGREE   (or REJECT)\n"+
		"  (ID is the ticket's WorkflowInstanceId, which GetOrderBaseInfo answers once it is submitted)\n",
		name, a.AccessKeyID, a.AccessKeySecret, r.Host())
	return err
}

// Host is the endpoint's host:port, what the SDK client's Domain takes.
func (r *Running) Host() string { return r.Endpoint[len("http://"):] }

// Close stops the listener, waits briefly for answers in flight, then closes
// every connection.
// Calling it again returns the first call's result.
func (r *Running) Close() error {
	r.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		err := r.http.Shutdown(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			err = r.http.Close()
		}
		if serr := <-r.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
		r.closeErr = err
	})
	return r.closeErr
}
