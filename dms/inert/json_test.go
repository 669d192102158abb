package inert

import (
	"encoding/json"
	"testing"
)

// TestJSONEscapesWhatTextWouldRemoveAndKeepsTheValue: the review's JSON
// showed "/*\u009b*/ OR 1=1" as "/*R 1=1" (Text took the C1 CSI for the
// start of a sequence and removed "*/ O" with it), while the request sent
// the whole condition.
func TestJSONEscapesWhatTextWouldRemoveAndKeepsTheValue(t *testing.T) {
	values := []string{
		"SELECT * FROM orders WHERE id = 7 /*\u009b*/ OR 1=1;",
		"C\x7fD\bE\u009bF\u202eG",
		"a\x1b[2Jb",
		"zero\u200bwidth \ufeffbom soft\u00adhyphen tag\U000E0041",
		"dev 👩\u200d💻 stays, ok \u2764\ufe0f",
		"plain text, 東京, <>&",
	}
	for _, v := range values {
		raw, err := json.Marshal(map[string]string{"exeSQL": v})
		if err != nil {
			t.Fatal(err)
		}
		js := string(raw)
		shown := JSON(js)
		if Text(shown) != shown {
			t.Errorf("JSON(%q) = %q: Text still changes it to %q", js, shown, Text(shown))
		}
		var back map[string]string
		if err := json.Unmarshal([]byte(shown), &back); err != nil || back["exeSQL"] != v {
			t.Errorf("JSON(%q) = %q reads back as %q (%v), want %q", js, shown, back["exeSQL"], err, v)
		}
	}
	if got, want := JSON(`{"a":"x\u009by"}`), `{"a":"x\u009by"}`; got != want {
		t.Errorf("already escaped: %q, want %q", got, want)
	}
	if got, want := JSON("{\"a\":\"x\u009b*/ OR\"}"), `{"a":"x\u009b*/ OR"}`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := JSON("{\"a\":\"tag\U000E0041\"}"), `{"a":"tag\udb40\udc41"}`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if js := `{"a":"東京 👩` + "\u200d" + `💻"}`; JSON(js) != js {
		t.Errorf("clean JSON changed: %q", JSON(js))
	}
}

// TestShownKeepsEveryCharacterInSight: ticket text is shown whole, a
// control character as a symbol, never removed with what follows it.
func TestShownKeepsEveryCharacterInSight(t *testing.T) {
	tests := []struct{ in, want string }{
		{"id = 7 /*\u009b*/ OR 1=1", "id = 7 /*\ufffd*/ OR 1=1"},
		{"a\x1b[2Jb", "a\u241b[2Jb"},
		{"C\x7fD\bE\u202eG", "C\u2421D\u2408E\ufffdG"},
		{"two\nlines\tand tab", "two lines and tab"},
		{"plain", "plain"},
	}
	for _, tc := range tests {
		if got := Shown(tc.in); got != tc.want {
			t.Errorf("Shown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
