package wizard

import (
	"slices"
	"testing"

	"dmsticket/dms"
)

// TestActionsRunOnlyTheDataChangesTheirCommitterRuns: an approved export
// runs; an approved data change runs when its ExecMode (given, or as DMS
// reports it in the status) is COMMITOR, not AUTO or LAST_AUDITOR.
func TestActionsRunOnlyTheDataChangesTheirCommitterRuns(t *testing.T) {
	approved := func(pluginType, reported string) dms.Status {
		return dms.Status{PluginType: pluginType, State: dms.StateApproved, ExecMode: reported}
	}
	cases := []struct {
		st       dms.Status
		execMode string
		want     bool
	}{
		{approved("DATA_EXPORT", ""), "", true},
		{approved("DC_COMMON", "COMMITOR"), "", true},
		{approved("DC_COMMON", ""), "", true}, // COMMITOR is the default
		{approved("DC_COMMON", "AUTO"), "", false},
		{approved("DC_COMMON", "LAST_AUDITOR"), "", false},
		{approved("DC_COMMON", "COMMITOR"), "AUTO", false}, // the caller's word wins
		{approved("DC_COMMON", "AUTO"), "commitor", true},
		{approved("NDDL", ""), "", false},
	}
	for _, c := range cases {
		if got := slices.Contains(Actions(c.st, c.execMode), ActExecute); got != c.want {
			t.Errorf("Actions(%s reported %q, %q) offers execute: %v, want %v", c.st.PluginType, c.st.ExecMode, c.execMode, got, c.want)
		}
	}
}
