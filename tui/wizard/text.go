package wizard

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"dmsticket/dms"
	"dmsticket/dms/inert"
)

// ReviewText is the review as plain text, one "Label: value" line each, for
// accessible mode and `create --dry-run --output text`: the summary (type,
// tenant, the database, or every database of a ticket on several, one
// numbered line each; SQL, a rollback script, affected rows and their part
// on each database, comment, the type's own fields, related users,
// attachment), the PluginParam (or Param) JSON exactly as it will be sent
// and the equivalent aliyun command. Text from DMS is cleaned; the command is
// exact unless ShellCommandText says otherwise.
func ReviewText(t dms.Ticket, req dms.OrderRequest, to dms.Target) string {
	var b strings.Builder
	line := func(label, value string) { fmt.Fprintf(&b, "%s: %s\n", label, value) }
	tt, _ := dms.LookupType(t.Type)
	line("Type", tt.Title+" ("+t.Type+")")
	line("Tenant", inert.Line(t.Tenant.Label()))
	if dbs := t.Databases(); tt.Has(dms.StepDatabase) && len(dbs) > 1 {
		head := Count(len(dbs), "database")
		if on := Online(dbs); len(on) > 0 {
			head += fmt.Sprintf(", %d of them online", len(on))
		}
		line("Databases", head)
		for i, d := range dbs {
			fmt.Fprintf(&b, "  %d. %s\n", i+1, DatabaseText(d))
		}
	} else if tt.Has(dms.StepDatabase) {
		line("Database", DatabaseText(t.Database))
	}
	if tt.Has(dms.StepSQL) {
		line("SQL", ScriptText(t.SQL, t.Database.Dialect()))
	}
	if tt.Rollback {
		rb := "none"
		if strings.TrimSpace(t.RollbackSQL) != "" {
			rb = ScriptText(t.RollbackSQL, t.Database.Dialect())
		}
		line("Rollback SQL", rb)
	}
	if tt.AffectRows {
		line("Affected rows", RowsText(t))
		if len(t.Rows.PerDatabase) > 1 && !t.IgnoreAffectRows {
			line("Affected rows per database", PerDatabaseText(t.Rows, t.Databases()))
		}
	}
	line("Comment", inert.Shown(t.Comment))
	for _, in := range tt.Inputs {
		v := in.Value(&t)
		switch {
		case v == "":
			v = "none"
		case len(in.Choices) > 0:
			v = ChoiceText(in.ID, v)
		}
		line(in.Label, inert.Shown(v))
	}
	rel := strings.ReplaceAll(req.RelatedUserList, ",", ", ")
	if rel == "" {
		rel = "none"
	}
	line("Related users", rel)
	att := t.AttachmentKey
	if att == "" {
		att = "none"
	}
	line("Attachment key", inert.Shown(att))
	if note := dms.InlineSQLNote(t); note != "" {
		b.WriteString("\nNote: " + note + "\n")
	}
	b.WriteString("\n" + req.ParamName() + ", exactly as it will be sent:\n")
	b.WriteString(inert.Text(dms.PluginParamPretty(req.Params())))
	b.WriteString("\n\nThe same request with the aliyun CLI:\n")
	cmd, exact := ShellCommandText(dms.AliyunCommand(req, to))
	b.WriteString(cmd)
	b.WriteString("\n")
	if !exact {
		b.WriteString("(" + InexactCommandNote + ")\n")
	}
	b.WriteString(inert.Line(dms.AliyunCredentialsNote(to)) + "\n")
	return b.String()
}

// InexactCommandNote says why a command ShellCommandText could not print
// exactly is not the request: the JSON escapes its control characters, the
// comment and the attachment key cannot.
const InexactCommandNote = "The comment or the attachment key holds control characters, shown here as symbols (␛, �): " +
	"this command is not exact; a ticket file keeps them."

// ShellCommandText makes a shell command safe to print to a terminal. exact
// is true when it is printed unchanged (only printable text, newlines and
// tabs); otherwise each control character is shown as a symbol
// (inert.Visible), nothing removed, and the command no longer sends the
// same request.
func ShellCommandText(cmd string) (text string, exact bool) {
	noTabs := strings.ReplaceAll(cmd, "\t", " ")
	if inert.Text(noTabs) == noTabs {
		return cmd, true
	}
	return inert.Text(inert.Visible(cmd)), false
}

// DatabaseText is a database in words: "orders@10.20.1.11:3306, production,
// mysql, ID 1100001, alias “Orders (production)”", cleaned for the terminal.
func DatabaseText(d dms.Database) string {
	parts := []string{inert.Line(d.Name())}
	if d.Logic {
		parts = append(parts, "logical database")
	}
	parts = append(parts, d.Env.Label())
	if d.DbType != "" {
		parts = append(parts, inert.Line(d.DbType))
	}
	parts = append(parts, "ID "+strconv.FormatInt(d.ID, 10))
	if d.Alias != "" {
		parts = append(parts, "alias “"+inert.Line(d.Alias)+"”")
	}
	return strings.Join(parts, ", ")
}

// RowsText is the ticket's affected-row figure and where it came from:
// "4,200, estimate (EXPLAIN)" ("4,200 in all on 3 databases, …" for a
// figure summed over several), or that the check is ignored and why.
func RowsText(t dms.Ticket) string {
	switch {
	case t.IgnoreAffectRows:
		return "check ignored, because: " + inert.Shown(t.IgnoreAffectRowsReason)
	case !t.Rows.Known():
		return "no figure"
	}
	s := Thousands(t.Rows.Total)
	if n := len(t.Rows.PerDatabase); n > 1 {
		s += fmt.Sprintf(" in all on %d databases", n)
	}
	s += ", " + t.Rows.Source.Label()
	if !t.Rows.At.IsZero() {
		s += " at " + t.Rows.At.Local().Format("15:04:05")
	}
	return s
}

// Count is "1 line", "2 lines".
func Count(n int, word string) string { return strconv.Itoa(n) + " " + Plural(n, word) }

// Rows is a row count in words: "1 row", "12,480 rows".
func Rows(n int64) string {
	if n == 1 {
		return "1 row"
	}
	return Thousands(n) + " rows"
}

// Plural is word for one, and with an s for any other count.
func Plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// Thousands formats a count with comma grouping: 12,480,311.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// DefaultConsoleURL is the console link shown for a new ticket. DMS documents
// no ticket-detail URL; set DMSTICKET_CONSOLE_URL to your console's pattern.
const DefaultConsoleURL = "https://dms.aliyun.com/?orderId={orderId}"

// ConsoleLink fills the console URL template (DefaultConsoleURL when empty)
// for a ticket: {orderId}, {region} and {tid} are replaced.
func ConsoleLink(tmpl, region string, tid, orderID int64) string {
	if tmpl == "" {
		tmpl = DefaultConsoleURL
	}
	return strings.NewReplacer("{orderId}", strconv.FormatInt(orderID, 10), "{region}", region, "{tid}", strconv.FormatInt(tid, 10)).Replace(tmpl)
}

// ErrMessage is an error's message for one line: DMS's code and message, or
// the error's text, cleaned.
func ErrMessage(err error) string {
	if de, ok := dms.AsError(err); ok {
		m := de.Message
		if de.Code != "" {
			m = de.Code + ": " + m
		}
		return inert.Line(m)
	}
	return inert.Line(err.Error())
}

// ErrorReport is an error in a person's words, every part cleaned for the
// terminal: what happened, DMS's code and message, the request ID, DMS's
// troubleshooting link and what to do next. Every front end prints errors
// from it (ErrorText for plain text).
type ErrorReport struct {
	What      string // the kind, with the operation: "refused by DMS (CreateOrder)"
	Kind      string // the kind alone: "refused by DMS"
	Op        string
	Code      string
	Message   string
	RequestID string
	Recommend string
	Advice    string // empty for an error that is not a DMS call's
}

// Report describes err.
func Report(err error) ErrorReport {
	var de *dms.Error
	if !errors.As(err, &de) {
		return ErrorReport{Message: inert.Line(err.Error())}
	}
	r := ErrorReport{Kind: de.Kind.String(), Op: de.Op, Code: inert.Line(de.Code), Message: inert.Line(de.Message),
		RequestID: inert.Line(de.RequestID), Recommend: inert.Line(de.Recommend), Advice: de.Advice()}
	r.What = r.Kind
	if r.Op != "" {
		r.What += " (" + r.Op + ")"
	}
	return r
}

// ErrorText is an error as plain lines for a person: for a DMS error, what
// happened (kind and code), DMS's message, the request ID, the
// troubleshooting link and what to do next; everything from DMS cleaned.
func ErrorText(err error) []string {
	r := Report(err)
	if r.Kind == "" {
		return []string{r.Message}
	}
	head := "What happened: " + r.What
	if r.Code != "" {
		head += ", code " + r.Code
	}
	lines := []string{head}
	if r.Message != "" {
		lines = append(lines, "Message: "+r.Message)
	}
	if r.RequestID != "" {
		lines = append(lines, "Request ID: "+r.RequestID)
	}
	if r.Recommend != "" {
		lines = append(lines, "Troubleshooting: "+r.Recommend)
	}
	return append(lines, "What to do: "+r.Advice)
}

// CannotTell is the sentence before the tickets a lookup could not tell
// apart (dms.Lookup.Several): several that match the request, or one that
// is not sure to be this submission's (dms.Lookup.Unsure, with why). who
// sent it: "this submission", "this run".
func CannotTell(l dms.Lookup, who string) string {
	if n := len(l.Matches); n > 1 || !l.Unsure {
		if l.Unsure {
			return fmt.Sprintf("%d tickets match this request; dmsticket cannot tell which one, if any, %s created (%s):", n, who, l.UnsureWhy)
		}
		return fmt.Sprintf("%d tickets match this request exactly; dmsticket cannot tell which one, if any, %s created:", n, who)
	}
	return fmt.Sprintf("Ticket %d matches this request, but dmsticket cannot tell whether %s created it: %s.", l.Matches[0].ID, who, l.UnsureWhy)
}

// ThemOrIt is "them" for several tickets, "it" for one.
func ThemOrIt(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// LookupTrouble heads what a lookup that settled nothing says (outcome
// LookupFailed): it failed, or DMS has no ticket yet for a request that may
// still be on its way (StillOnItsWay).
func LookupTrouble(err error) string {
	var way *StillOnItsWay
	if errors.As(err, &way) {
		return "And its request may still be on its way:"
	}
	return "And the lookup failed too:"
}
