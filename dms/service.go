package dms

import (
	"context"
	"time"
)

// Service is what the wizard and the create command need from DMS. *Client
// implements it against DMS (or the simulator); the SSH server wraps it to
// enforce a user's policy.
type Service interface {
	// ActiveTenant is the caller's active tenant (GetUserActiveTenant).
	ActiveTenant(ctx context.Context) (Tenant, error)
	// Tenants lists the caller's tenants (ListUserTenants).
	Tenants(ctx context.Context) ([]Tenant, error)
	// SearchDatabases runs one SearchDatabase page.
	SearchDatabases(ctx context.Context, q SearchQuery) (DatabasePage, error)
	// Database looks a database up by ID (GetPhysicalDatabase or
	// GetLogicDatabase).
	Database(ctx context.Context, tid, id int64, logic bool) (Database, error)
	// Estimate measures the rows a script's statements touch, through
	// ExecuteScript: EXPLAIN or COUNT.
	Estimate(ctx context.Context, req EstimateRequest) (RowEstimate, error)
	// CreateOrder files a ticket. It is never retried.
	CreateOrder(ctx context.Context, req OrderRequest) (Created, error)
	// FindOrders lists tickets (ListOrders).
	FindOrders(ctx context.Context, q OrderQuery) ([]Order, error)
	// Order reads one ticket (GetOrderBaseInfo).
	Order(ctx context.Context, tid, id int64) (Order, error)
	// Detail reads what the ticket's type's detail call reports
	// (GetDataExportOrderDetail for an export, GetDataCorrectOrderDetail
	// and, once it runs, GetDataCorrectTaskDetail for a data change);
	// ErrNoDetail for a type without one.
	Detail(ctx context.Context, tid, id int64, pluginType string) (TicketDetail, error)

	// The ticket's lifecycle after CreateOrder (PRODUCT section 13).

	// Workflow is the approval chain a ticket will go through
	// (PreviewWorkflow).
	Workflow(ctx context.Context, tid, id int64) ([]WorkflowStep, error)
	// Approval is the approval under way (GetApprovalDetail).
	Approval(ctx context.Context, tid, workflowID int64) (Approval, error)
	// Precheck is DMS's precheck figure per statement of a ticket of the
	// type (an export's GetDataExportPreCheckDetail, a data change's
	// ListDataCorrectPreCheckSQL, per database); nil for a type without SQL.
	Precheck(ctx context.Context, tid, id int64, pluginType string) ([]PrecheckLine, error)
	// DownloadURL is where a finished export's file is
	// (GetDataExportDownloadURL).
	DownloadURL(ctx context.Context, tid, id int64) (Download, error)
	// SubmitForApproval submits a prechecked ticket (SubmitOrderApproval).
	// It is sent once: after a failure or a lost answer, read the state.
	SubmitForApproval(ctx context.Context, tid, id int64) error
	// ExecuteExport runs an approved export for a file type
	// (ExecuteDataExport), once.
	ExecuteExport(ctx context.Context, tid, id int64, fileType string) error
	// ExecuteDataChange runs an approved data change whose ExecMode lets
	// its committer run it (ExecuteDataCorrect), once.
	ExecuteDataChange(ctx context.Context, tid, id int64) error
	// CloseTicket closes a ticket (CloseOrder), once.
	CloseTicket(ctx context.Context, tid, id int64, reason string) error
}

// SearchQuery is one page of a database search.
type SearchQuery struct {
	Tid      int64
	Key      string // matched by DMS against schema name, search name, alias
	Env      Env    // one environment, or "" for all
	Page     int    // from 1
	PageSize int    // default 50
	// Logic restricts to logical (LOGIC_DB) or physical (SINGLE_DB)
	// databases; nil searches both.
	Logic *bool
}

// DatabasePage is one page of search results.
type DatabasePage struct {
	Databases []Database
	Total     int64 // across all pages
	Page      int
	PageSize  int
	RequestID string
}

// More reports whether further pages exist.
func (p DatabasePage) More() bool { return int64(p.Page*p.PageSize) < p.Total }

// EstimateRequest asks for the affected rows of a script.
type EstimateRequest struct {
	Tid      int64
	Database Database
	SQL      string
	Method   RowSource // RowsExplain or RowsCount
}

// StatementRows is one statement's figure, or why there is none.
type StatementRows struct {
	Number int    // 1-based statement number
	Rows   int64  // valid when Err is empty
	Err    string // why there is no figure: DMS's message, or dmsticket's reading of DMS's answer
	// ByDMS says Err is DMS's own: it did not run the statement. Else
	// dmsticket could not read a figure out of what DMS answered (or needs
	// none of DMS to know it cannot).
	ByDMS bool
	// Capped says Rows is the statement's LIMIT: the planner expects more
	// rows than the LIMIT lets through.
	Capped bool
	// Examined is set, along with Err, when EXPLAIN cannot tell the rows the
	// statement returns (the MySQL family's EXPLAIN for GROUP BY, DISTINCT,
	// HAVING): the rows the engine expects to examine, more than it
	// returns. Only COUNT gives the figure.
	Examined int64
}

// RowEstimate is the outcome of an EstimateRequest.
type RowEstimate struct {
	Method     RowSource
	Statements []StatementRows
	Total      int64 // sum over statements; meaningful only when Complete
	Complete   bool  // every statement has a figure
	At         time.Time
	SQLHash    string
	RequestID  string
	// Databases is the estimate per database when it was measured on
	// several (a data change's); Statements then hold each statement's
	// figure summed over them, and Total the sum of all.
	Databases []DatabaseEstimate
	// Database is the one database it was measured on, when not several.
	Database Database
}

// DatabaseEstimate is one database's part of a RowEstimate over several.
type DatabaseEstimate struct {
	Database   Database
	Statements []StatementRows
	Total      int64
	Complete   bool
}

// Figure is the estimate as a ticket's affected-row figure.
func (e RowEstimate) Figure() RowFigure {
	per := make([]int64, len(e.Statements))
	for i, s := range e.Statements {
		per[i] = s.Rows
	}
	f := RowFigure{Source: e.Method, Total: e.Total, Statements: per, At: e.At, SQLHash: e.SQLHash}
	if len(e.Databases) == 0 {
		f.DatabaseID = e.Database.ID
	}
	for _, d := range e.Databases {
		f.PerDatabase = append(f.PerDatabase, DatabaseRows{ID: d.Database.ID, Total: d.Total})
	}
	return f
}

// Created is a successful CreateOrder.
type Created struct {
	OrderIDs  []int64
	RequestID string
}

// OrderQuery filters ListOrders.
type OrderQuery struct {
	Tid        int64
	PluginType string
	Search     string    // SearchContent: matched against the comment
	Since      time.Time // created at or after
	Until      time.Time // created before; zero: now plus a margin
	Page       int       // from 1
	PageSize   int       // default 50
	// AsCommitter lists only the caller's own tickets.
	AsCommitter bool
}

// Order is a ticket as DMS reports it.
type Order struct {
	ID            int64     `json:"orderId"`
	PluginType    string    `json:"pluginType"`
	Status        string    `json:"status"`
	StatusDesc    string    `json:"statusDesc,omitempty"`
	Comment       string    `json:"comment"`
	Committer     string    `json:"committer,omitempty"`
	CommitterID   int64     `json:"committerId,omitempty"`
	Created       time.Time `json:"created,omitzero"`
	RelatedUsers  []int64   `json:"relatedUsers,omitempty"`
	AttachmentKey string    `json:"attachmentKey,omitempty"`
	// WorkflowID is the approval's workflow instance (GetOrderBaseInfo;
	// 0 before the ticket is submitted).
	WorkflowID int64  `json:"workflowInstanceId,omitempty"`
	RequestID  string `json:"-"`
}
