package dmssim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
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
		Server:     s,
		Endpoint:   "http://" + ln.Addr().String(),
		Credential: cred,
		http: &http.Server{
			Handler:           s,
			ReadHeaderTimeout: 10 * time.Second,
		},
		done: make(chan error, 1),
	}
	go func() { r.done <- r.http.Serve(ln) }()
	return r, nil
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
