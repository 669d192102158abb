package server

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// The outcomes an audit record names.
const (
	OutcomeCreated       = "created"        // DMS created the ticket
	OutcomeRefused       = "refused"        // DMS answered and said no
	OutcomePolicyRefused = "policy_refused" // this server's users file said no; nothing was sent
	OutcomeUnknown       = "unknown"        // sent, but no usable answer came back
	OutcomeFailed        = "failed"         // DMS failed or was not reached
)

// AuditRecord is one submission attempt, or one action on a ticket. It never holds the SQL text, a
// secret, or a message from DMS (which may quote the SQL): the SQL is
// recorded by length and SHA-256 only.
type AuditRecord struct {
	Time time.Time `json:"time"`
	// Action is what was done to an existing ticket (SubmitOrderApproval,
	// ExecuteDataExport, ExecuteDataCorrect, CloseOrder,
	// GetDataExportDownloadURL); empty for a ticket's creation.
	Action string `json:"action,omitempty"`
	// SSHUser is the users-file name of the key that signed in: the person.
	SSHUser string `json:"ssh_user"`
	// Login is the login name the client typed (ssh login@host). It proves
	// nothing and is recorded for the curious only.
	Login          string `json:"login"`
	KeyFingerprint string `json:"key_fingerprint"`
	RemoteAddr     string `json:"remote_addr"`
	// Session ties the record to the server's log lines for the connection.
	Session string `json:"session"`
	// Profile is the aliyun CLI profile whose identity sent the request;
	// empty: the server's default identity.
	Profile     string `json:"profile"`
	Tenant      int64  `json:"tenant"`
	TicketType  string `json:"ticket_type"`
	DatabaseID  int64  `json:"database_id"`
	Logic       bool   `json:"logic"`
	Environment string `json:"environment"`
	// MoreDatabases are a data change's databases after the first, and
	// MoreEnvironments their environments, in the same order.
	MoreDatabases    []int64  `json:"more_databases,omitempty"`
	MoreEnvironments []string `json:"more_environments,omitempty"`
	SQLLength        int      `json:"sql_length"`
	SQLSHA256        string   `json:"sql_sha256"`
	RelatedUsers     []int64  `json:"related_users"`
	RequestID        string   `json:"request_id"`
	TicketID         int64    `json:"ticket_id"`
	Outcome          string   `json:"outcome"`
	ErrorCode        string   `json:"error_code"`
	// Reason says why the policy refused (our own words, never DMS's).
	Reason     string `json:"reason,omitempty"`
	DurationMS int64  `json:"duration_ms"`
}

// AuditLog appends one JSON line per submission attempt, synced to disk before
// Write returns.
type AuditLog struct {
	mu   sync.Mutex
	w    io.Writer
	f    *os.File // nil when writing to a stream (stderr)
	path string
}

// OpenAudit opens the audit file for appending, creating it with mode 0600
// (an existing file keeps the mode its owner gave it). An empty path writes
// the lines to fallback instead (the server's stderr).
func OpenAudit(path string, fallback io.Writer) (*AuditLog, error) {
	if path == "" {
		return &AuditLog{w: fallback}, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the audit log: %w", err)
	}
	return &AuditLog{w: f, f: f, path: path}, nil
}

// Path is the audit file, or "" when records go to stderr.
func (a *AuditLog) Path() string { return a.path }

// Write appends the record as one line and syncs it to disk.
func (a *AuditLog) Write(r AuditRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, err := a.w.Write(b); err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}
	if a.f != nil {
		if err := a.f.Sync(); err != nil {
			return fmt.Errorf("syncing the audit log: %w", err)
		}
	}
	return nil
}

// Close closes the audit file.
func (a *AuditLog) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.f == nil {
		return nil
	}
	err := a.f.Close()
	a.f, a.w = nil, io.Discard
	return err
}
