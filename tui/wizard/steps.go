package wizard

import "dmsticket/dms"

// Step is a step of the wizard.
type Step int

// The wizard's steps, in order.
const (
	StepType Step = iota
	StepTenant
	StepDatabase
	StepSQL
	StepDetails
	StepReview
	StepResult
	// StepTickets is "My tickets", reached from the type step: no ticket's
	// sequence holds it.
	StepTickets
)

// String names the step as the header's step line does.
func (s Step) String() string {
	return [...]string{"Type", "Tenant", "Database", "SQL", "Details", "Review", "Result", "My tickets"}[s]
}

// ParseStep reads a step's name (drafts keep it); ok is false for none.
func ParseStep(name string) (Step, bool) {
	for s := StepType; s <= StepResult; s++ {
		if s.String() == name {
			return s, true
		}
	}
	return StepType, false
}

// Sequence is the steps a ticket of the type walks, in order. tenant says
// the user must pick a tenant (several, and none given). An unknown type
// walks every step.
func Sequence(pluginType string, tenant bool) []Step {
	seq := []Step{StepType}
	if tenant {
		seq = append(seq, StepTenant)
	}
	tt, ok := dms.LookupType(pluginType)
	if !ok {
		return append(seq, StepDatabase, StepSQL, StepDetails, StepReview, StepResult)
	}
	if tt.Has(dms.StepDatabase) {
		seq = append(seq, StepDatabase)
	}
	if tt.Has(dms.StepSQL) {
		seq = append(seq, StepSQL)
	}
	if tt.Has(dms.StepDetails) {
		seq = append(seq, StepDetails)
	}
	return append(seq, StepReview, StepResult)
}

// Visible is the step line's steps: the tenant step is part of Database.
var Visible = []Step{StepType, StepDatabase, StepSQL, StepDetails, StepReview, StepResult}
