package dmssim

import (
	"net/http"
	"time"
)

// FaultKind is a kind of injected failure.
type FaultKind int

// The kinds of fault. The zero FaultKind is no fault.
const (
	// Throttle refuses with the gateway's throttling answer (default HTTP 400,
	// Throttling.User).
	Throttle FaultKind = iota + 1
	// ServerError refuses with a 5xx answer (default 503
	// ServiceUnavailable).
	ServerError
	// Delay waits Fault.Delay (or until the client gives up), then answers
	// normally.
	Delay
	// BusinessFailure answers HTTP 200 with Success=false (default
	// UnknownError) without doing anything.
	BusinessFailure
	// MalformedJSON does the work, then answers HTTP 200 with the JSON body
	// cut short: the client cannot tell what happened.
	MalformedJSON
	// DropAfterCreate does the work (CreateOrder and CreateDataCorrectOrder
	// store the ticket, SubmitOrderApproval submits it, ExecuteDataExport
	// and ExecuteDataCorrect start the run, and so on), then closes the
	// connection without answering: the client sees a transport error after
	// sending, and the effect has happened.
	DropAfterCreate
	// DropBeforeHandling closes the connection without doing anything.
	//
	// Both drops hijack the connection. Where the ResponseWriter cannot be
	// hijacked (HTTP/2, httptest.ResponseRecorder) the handler panics with
	// http.ErrAbortHandler, which net/http turns into an aborted answer.
	DropBeforeHandling
	// SlowAnswer does the work (as DropAfterCreate), then waits Fault.Delay
	// before answering, or until the client goes away: a ticket that exists,
	// or a submission that happened, while its answer is still on its way.
	SlowAnswer
	// FailJob does the work and answers as usual, but the job the request
	// starts fails: ExecuteDataExport's export ends in EXPORT_FAIL,
	// ExecuteDataCorrect's change in jobStatus FAIL (StatusCode fail for
	// both). On other actions it does nothing.
	FailJob
)

// String names the fault kind.
func (k FaultKind) String() string {
	switch k {
	case 0:
		return "none"
	case Throttle:
		return "Throttle"
	case ServerError:
		return "ServerError"
	case Delay:
		return "Delay"
	case BusinessFailure:
		return "BusinessFailure"
	case MalformedJSON:
		return "MalformedJSON"
	case DropAfterCreate:
		return "DropAfterCreate"
	case DropBeforeHandling:
		return "DropBeforeHandling"
	case SlowAnswer:
		return "SlowAnswer"
	case FailJob:
		return "FailJob"
	}
	return "FaultKind(?)"
}

// Fault is a failure to inject into the answers to matching requests. Faults
// apply after the signature is verified; each request takes at most one, the
// earliest injected that matches its action.
type Fault struct {
	// Action is the operation the fault applies to, e.g. "CreateOrder";
	// empty matches any action.
	Action string
	Kind   FaultKind
	// Times is how many matching requests the fault affects; 0 means 1.
	Times int
	// Delay is how long a Delay fault waits.
	Delay time.Duration
	// Status, Code and Message override the defaults of Throttle, ServerError
	// and BusinessFailure.
	Status  int
	Code    string
	Message string
}

type faultState struct {
	Fault
	left int
}

// InjectFault adds a fault. Faults are consumed in the order they were
// injected, per matching action.
func (s *Server) InjectFault(f Fault) {
	n := f.Times
	if n <= 0 {
		n = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultState{Fault: f, left: n})
}

// ClearFaults removes every fault not yet consumed.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// PendingFaults is how many injected faults still wait for a request.
func (s *Server) PendingFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.faults {
		n += f.left
	}
	return n
}

// takeFault consumes one use of the first fault matching action: naming it,
// or naming none.
func (s *Server) takeFault(action string) (Fault, bool) {
	return s.takeFaultWhere(func(f Fault) bool { return f.Action == "" || f.Action == action })
}

// takeFaultWhere consumes one use of the first fault that match accepts.
func (s *Server) takeFaultWhere(match func(Fault) bool) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if !match(f.Fault) {
			continue
		}
		f.left--
		if f.left <= 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		return f.Fault, true
	}
	return Fault{}, false
}

// applyFault carries out fault f for the request. It reports whether the
// request is finished; otherwise the operation runs as usual (with the
// exchange set up to mangle or drop the answer).
func (x *exchange) applyFault(f Fault) (done bool) {
	switch f.Kind {
	case Throttle:
		x.reply(nil, refuse(or(f.Status, http.StatusBadRequest), orString(f.Code, "Throttling.User"),
			"%s", orString(f.Message, "Request was denied due to user flow control.")))
		return true
	case ServerError:
		x.reply(nil, refuse(or(f.Status, http.StatusServiceUnavailable), orString(f.Code, "ServiceUnavailable"),
			"%s", orString(f.Message, "The request has failed due to a temporary failure of the server.")))
		return true
	case BusinessFailure:
		x.reply(nil, &apiError{Status: http.StatusOK, Code: orString(f.Code, "UnknownError"),
			Message: orString(f.Message, "The request processing has failed due to some unknown error.")})
		return true
	case Delay:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-x.r.Context().Done():
			x.s.update(x.seq, func(c *Call) { c.Status = 0 })
			return true
		}
		return false
	case MalformedJSON:
		x.mangle = func(b []byte) []byte { return b[:len(b)*2/3] }
		return false
	case DropAfterCreate:
		x.dropAfter = true
		return false
	case SlowAnswer:
		x.slowAnswer = f.Delay
		return false
	case FailJob:
		x.failJob = true
		return false
	case DropBeforeHandling:
		x.drop()
		return true
	}
	return false
}

func or(v, def int) int {
	if v != 0 {
		return v
	}
	return def
}

func orString(v, def string) string {
	if v != "" {
		return v
	}
	return def
}
