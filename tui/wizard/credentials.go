package wizard

import (
	"dmsticket/dms"
	"dmsticket/dms/inert"
)

// CredentialsText is a missing-credentials error in plain lines, for the
// front ends without a screen (create, the ticket commands, --accessible):
// the sources tried in order, how to fix it, and what the SDK said, cleaned.
func CredentialsText(e *dms.CredentialsError) []string {
	lines := []string{"Looked in, in this order:"}
	for _, s := range e.Tried {
		lines = append(lines, "  "+s)
	}
	lines = append(lines, "To fix it:")
	for _, f := range e.Fixes() {
		lines = append(lines, "  "+f)
	}
	if e.Detail != "" {
		lines = append(lines, "The SDK said: "+inert.Line(e.Detail))
	}
	return lines
}
