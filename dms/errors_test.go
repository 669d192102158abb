package dms

import "testing"

func TestEveryKindHasWordsAndACode(t *testing.T) {
	codes := map[string]Kind{}
	for k := KindRefused; k <= KindPolicy; k++ {
		if k.String() == "unknown" || k.Code() == "" {
			t.Errorf("kind %d has no words or no code: %q, %q", k, k, k.Code())
		}
		if other, ok := codes[k.Code()]; ok {
			t.Errorf("kinds %d and %d share the code %q", other, k, k.Code())
		}
		codes[k.Code()] = k
	}
	for k, want := range map[Kind][2]string{
		KindTransport:      {"transport", "Transport"},
		KindOutcomeUnknown: {"outcome unknown", "OutcomeUnknown"},
		KindPolicy:         {"refused by this server's policy", "Policy.Refused"},
		KindPolicy + 1:     {"unknown", "Refused"},
		-1:                 {"unknown", "Refused"},
	} {
		if k.String() != want[0] || k.Code() != want[1] {
			t.Errorf("kind %d: %q, %q; want %q, %q", k, k, k.Code(), want[0], want[1])
		}
	}
}
