package create

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"dmsticket/dms"
	"dmsticket/dms/inert"
	"dmsticket/tui/wizard"
)

// Result is what `create --output json` prints on stdout for a ticket.
type Result struct {
	OrderID    int64   `json:"orderId"`
	OrderIDs   []int64 `json:"orderIds"`
	RequestID  string  `json:"requestId"`
	ConsoleURL string  `json:"consoleUrl"`
	// FoundByLookup says the answer to CreateOrder was lost and the ticket
	// was found by looking it up (RequestID is then empty).
	FoundByLookup bool `json:"foundByLookup,omitempty"`
}

// dryRun prints the request instead of sending it: a summary and the aliyun
// command (text), or the ticket file (json).
func (r *runner) dryRun(t dms.Ticket, req dms.OrderRequest) error {
	if r.o.output == "json" {
		f, err := dms.NewTicketFile(t)
		if err != nil {
			return r.invalid(dms.Problems{{Message: err.Error()}})
		}
		if _, err := r.deps.Stdout.Write(f.JSON()); err != nil {
			return exit(ExitUsage, err)
		}
	} else {
		text := wizard.ReviewText(t, req, r.be.Target())
		if _, err := fmt.Fprint(r.deps.Stdout, text); err != nil {
			return exit(ExitUsage, err)
		}
	}
	if f := r.file; f != nil && f.Submitted != nil && f.Submitted.State == dms.FileCreated && f.Submitted.RequestSHA256 == dms.RequestHash(req) && len(f.Submitted.OrderIDs) > 0 {
		r.say("Note: this ticket file already created ticket %d on %s; a real run refuses unless --again.",
			f.Submitted.OrderIDs[0], f.Submitted.SentAt.Local().Format("2006-01-02 15:04:05"))
	}
	if on := wizard.Online(t.Databases()); len(on) == 1 && !r.o.yes {
		r.say("Dry run: the ticket is valid; nothing was sent that creates or changes anything. %s is a %s database: a real run needs --yes, or the schema name typed in a terminal.",
			inert.Line(on[0].Name()), on[0].Env.Label())
	} else if len(on) > 1 && !r.o.yes {
		r.say("Dry run: the ticket is valid; nothing was sent that creates or changes anything. It acts on %s: a real run needs --yes, or each schema name typed in a terminal.",
			wizard.OnlineText(t.Databases()))
	} else {
		r.say("Dry run: the ticket is valid; nothing was sent that creates or changes anything.")
	}
	return nil
}

// created prints a created ticket: its ID (text) or the Result (json) on
// stdout, the console link on stderr.
func (r *runner) created(ctx context.Context, ids []int64, requestID string, tid int64, found bool) error {
	link := wizard.ConsoleLink(r.be.ConsoleURL, r.be.Region, tid, ids[0])
	if len(ids) > 1 {
		more := make([]string, len(ids)-1)
		for i, id := range ids[1:] {
			more[i] = strconv.FormatInt(id, 10)
		}
		r.say("DMS created further tickets too: %s.", strings.Join(more, ", "))
	}
	r.say("Console: %s", inert.Line(link))
	var err error
	if r.o.output == "json" {
		b, _ := json.Marshal(Result{OrderID: ids[0], OrderIDs: ids, RequestID: inert.Line(requestID), ConsoleURL: link, FoundByLookup: found})
		_, err = fmt.Fprintf(r.deps.Stdout, "%s\n", b)
	} else {
		_, err = fmt.Fprintln(r.deps.Stdout, ids[0])
	}
	if err != nil {
		r.say("dmsticket create: ticket %d was created, but writing it to stdout failed: %v", ids[0], err)
		return exit(ExitRetryable, err)
	}
	return r.submitCreated(ctx, tid, ids[0])
}
