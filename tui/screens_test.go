package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/tui/draft"
)

// screen drives a fresh program to one state worth a golden file.
type screen struct {
	name  string
	drive func(u *ui, sim *simulator)
}

func (u *ui) toSQL(schema string) {
	u.chooseType("")
	u.chooseDatabase(schema)
	u.waitStep(StepSQL)
}

// settled waits until the SQL checks have run for what was typed.
func (u *ui) settled() snapshot {
	u.t.Helper()
	return u.waitFor("checks to settle", func(s snapshot) bool { return !strings.Contains(s.view, "checking…") && !s.busy })
}

func (u *ui) toExportDetails(schema, sql string) {
	u.toSQL(schema)
	u.typ(sql)
	u.estimateAndGoOn()
}

// estimateAndGoOn estimates the SQL step's text and goes on to Details.
func (u *ui) estimateAndGoOn() {
	u.key(tea.KeyCtrlR)
	u.waitText("estimate (EXPLAIN)")
	u.key(tea.KeyCtrlS)
	u.waitStep(StepDetails)
	u.waitField("comment")
}

func (u *ui) toExportReview(schema, sql string) {
	u.toExportDetails(schema, sql)
	u.exportDetailsToReview()
}

// exportDetailsToReview fills an export's details from the comment on and
// waits for the review.
func (u *ui) exportDetailsToReview() {
	u.field("Q3 export for finance")
	u.waitField("classify")
	u.field("quarterly report")
	u.waitField("related")
	u.field("2000002")
	u.waitField("attachment")
	u.enter()
	u.waitField("ignore")
	u.enter()
	u.waitStep(StepReview)
	u.waitText("PluginParam")
}

func (u *ui) toSchemaReview() {
	u.chooseType("schema")
	u.chooseDatabase("users_dev")
	u.waitField("comment")
	u.field("login is slow")
	u.waitField("title")
	u.field("add index on users.email")
	u.waitField("description")
	u.field("unique, built online")
	u.waitField("related")
	u.enter()
	u.waitField("attachment")
	u.enter()
	u.waitStep(StepReview)
	u.waitText("PluginParam")
}

var screens = []screen{
	{"type", func(u *ui, _ *simulator) {
		u.waitText("Change a schema design")
		u.waitText("Acme Retail (3000001)") // the tenant, once loaded, is in the header
	}},
	{"tenant", func(u *ui, _ *simulator) {
		u.waitText("What kind of ticket?")
		u.enter()
		u.waitText("▌ Acme Retail (3000001)")
	}},
	{"database", func(u *ui, _ *simulator) {
		u.chooseType("")
		u.searched()
		u.waitText("▌ orders ")
	}},
	{"database_online_filter", func(u *ui, _ *simulator) {
		u.chooseType("")
		u.waitText("▌ orders ")
		u.typ("orders")
		u.searched()
		u.key(tea.KeyTab)
		u.waitText("filter: online")
		u.waitFor("paging to end", func(s snapshot) bool { return !strings.Contains(s.view, "loading more") })
	}},
	{"database_no_match", func(u *ui, _ *simulator) {
		u.chooseType("")
		u.typ("no-such-schema")
		u.searched()
		u.waitText("No database matches")
	}},
	{"database_help", func(u *ui, _ *simulator) {
		u.chooseType("")
		u.waitText("▌ orders ")
		u.runes("?")
		u.waitText("close help")
	}},
	{"sql_estimated", func(u *ui, _ *simulator) {
		u.toSQL("orders_dev")
		u.typ("SELECT o.id, o.total\nFROM orders o\nWHERE o.total > 100;\n-- refunds too\nSELECT * FROM refunds;")
		u.key(tea.KeyCtrlR)
		u.waitText("estimate (EXPLAIN)")
		u.settled()
	}},
	{"sql_statement_refused", func(u *ui, _ *simulator) {
		u.toSQL("orders_dev")
		u.typ("SELECT 1;\nUPDATE orders SET total = 0;")
		u.waitText("statement 2")
		u.key(tea.KeyCtrlS)
		u.waitText("Not yet:")
	}},
	{"sql_estimate_refused", func(u *ui, _ *simulator) {
		u.toSQL("legacy_cms")
		u.typ("SELECT * FROM pages")
		u.key(tea.KeyCtrlR)
		u.waitText("DMS could not measure")
		u.settled()
	}},
	{"details_export", func(u *ui, _ *simulator) {
		u.toExportDetails("orders_dev", "SELECT id FROM orders")
		u.typ("Q3 export")
	}},
	{"details_schema", func(u *ui, _ *simulator) {
		u.chooseType("schema")
		u.chooseDatabase("users_dev")
		u.waitField("comment")
	}},
	{"review_export", func(u *ui, _ *simulator) {
		u.toExportReview("orders_dev", "SELECT id, total FROM orders WHERE total > 100")
	}},
	{"review_production_confirm", func(u *ui, _ *simulator) {
		u.toExportReview("orders", "SELECT id, total FROM orders WHERE total > 100")
		u.enter()
		u.waitText("type its schema name")
		u.typ("ord")
	}},
	{"review_schema", func(u *ui, _ *simulator) { u.toSchemaReview() }},
	{"review_command", func(u *ui, _ *simulator) {
		u.toSchemaReview()
		u.runes("c")
		u.waitText("aliyun dms-enterprise CreateOrder")
	}},
	{"result_created", func(u *ui, _ *simulator) {
		u.toSchemaReview()
		u.enter()
		u.waitText("Ticket created")
		u.waitText("ready to submit for approval")
	}},
	{"result_refused", func(u *ui, sim *simulator) {
		u.toSchemaReview()
		sim.run.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.BusinessFailure, Code: "InvalidParam", Message: "The related user 2000099 does not exist."})
		u.enter()
		u.waitText("did not create")
	}},
	{"result_outcome_unknown_found", func(u *ui, sim *simulator) {
		u.toExportReview("orders_dev", "SELECT id, total FROM orders WHERE total > 100")
		sim.run.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.DropAfterCreate})
		u.enter()
		u.waitText("found after the answer was lost")
		u.waitText("DMS is prechecking it")
	}},
	{"hostile_names", func(u *ui, _ *simulator) {
		u.chooseType("")
		u.typ("audit")
		u.searched()
		u.waitText("▌ audit")
	}},
}

// TestScreens locks every screen, at 80×24 and 120×40, in golden files
// (ASCII profile). Run `go test ./tui -run TestScreens -update` after a
// deliberate change, and read the diff.
func TestScreens(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		for _, sc := range screens {
			t.Run(sc.name+"_"+itoa(size.w)+"x"+itoa(size.h), func(t *testing.T) {
				t.Parallel() // a simulator and a program each: both cores
				sim := newSimulator(t)
				u := startUI(t, testOptions(sim.client), size.w, size.h)
				sc.drive(u, sim)
				u.golden()
			})
		}
	}
}

func TestScreenBelowTheMinimumSizeSaysSo(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 50, 12)
	u.waitText("needs a larger window")
	u.golden()
}

func TestNoCredentialsScreen(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(itoa(size.w)+"x"+itoa(size.h), func(t *testing.T) {
			opts := testOptions(nil)
			opts.CredentialsErr = &dms.CredentialsError{Tried: []string{
				"environment variables ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET",
				"aliyun CLI profile (the current one) in ~/.aliyun/config.json",
				"credentials file ~/.alibabacloud/credentials",
			}, Detail: "env: ALIBABA_CLOUD_ACCESS_KEY_ID is empty, cli profile: open ~/.aliyun/config.json: no such file or directory"}
			u := startUI(t, opts, size.w, size.h)
			u.waitText("No Alibaba Cloud credentials found")
			u.golden()
		})
	}
}

// TestHostileNamesAreDrawnInert: no escape sequence from DMS data reaches the
// screen, in any colour profile.
func TestHostileNamesAreDrawnInert(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 120, 40)
	u.chooseType("")
	u.typ("audit")
	s := u.waitText("▌ audit")
	for _, bad := range []string{"\x1b", "\x07", "\u009b", "\u202e"} {
		if strings.Contains(s.view, bad) {
			t.Fatalf("screen carries %q:\n%q", bad, s.view)
		}
	}
	u.enter()
	s = u.waitStep(StepSQL)
	if strings.ContainsAny(s.view, "\x1b\x07\u009b\u202e") {
		t.Fatalf("the header carries a control character: %q", s.view)
	}
}

// TestTheReviewShowsEveryCharacterOfTheSQLItSends: a C1 CSI (U+009B) in
// the SQL made the review's JSON read "/*R 1=1" (the cleaning took it for
// the start of an escape sequence and removed "*/ O" with it) while the
// request sent "/*\u009b*/ OR 1=1": the condition the reviewer did not see
// exported the whole table. The JSON is now sent and shown with such
// characters as \u escapes: the screen is the request.
func TestTheReviewShowsEveryCharacterOfTheSQLItSends(t *testing.T) {
	sim := newSimulator(t)
	u := startUI(t, testOptions(sim.client), 120, 40)
	u.toSQL("orders_dev")
	sql := "SELECT * FROM orders WHERE id = 7 /*\u009b*/ OR 1=1 AND note <> 'C\x7fD\u202eE\x1b[2JF'"
	u.paste(sql)
	u.estimateAndGoOn()
	u.exportDetailsToReview()
	s := u.waitText(`/*\u009b*/ OR 1=1`)
	if want := `'C\u007fD\u202eE\u001b[2JF'`; !strings.Contains(s.view, want) {
		t.Errorf("the review does not show %q:\n%s", want, s.view)
	}
	if strings.ContainsAny(s.view, "\x1b\u009b\u202e\x7f") {
		t.Fatalf("the review carries a control character: %q", s.view)
	}
	u.enter()
	u.waitText("Ticket created")
	orders := sim.run.Server.Orders()
	if len(orders) != 1 || orders[0].Param["exeSQL"] != sql {
		t.Fatalf("DMS received %q, want %q", orders[0].Param["exeSQL"], sql)
	}
}

func TestResumeScreen(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(itoa(size.w)+"x"+itoa(size.h), func(t *testing.T) {
			sim := newSimulator(t)
			opts, store := withDrafts(t, testOptions(sim.client))
			_ = store.Save(draft.Draft{Step: "SQL", SavedAt: testNow.Add(-time.Hour), Ticket: dms.Ticket{
				Type: "DATA_EXPORT", Database: dms.Database{ID: 1100023, SchemaName: "orders_dev", SearchName: "orders_dev@10.40.1.11:3306", Env: dms.EnvDev},
				SQL: "SELECT 1;\nSELECT 2;", Comment: "Q3 export",
			}})
			opts.Draft, _ = LoadDraft(store)
			u := startUI(t, opts, size.w, size.h)
			u.waitText("Resume the unfinished ticket?")
			u.waitText("Acme Retail")
			u.golden()
		})
	}
}

// TestMonoScreensKeepReverseVideo locks, with their escape sequences shown
// (ESC as \e), the screens whose state is drawn by emphasis alone without
// colour: the editor's cursor and the details form's yes/no answer. The
// renderer is the one Run builds for NO_COLOR or --no-color on a 256-colour
// terminal.
func TestMonoScreensKeepReverseVideo(t *testing.T) {
	for _, sc := range []screen{
		{"sql_cursor", func(u *ui, _ *simulator) { u.toSQL("orders_dev"); u.typ("SELECT 1"); u.settled() }},
		{"details_confirm", func(u *ui, _ *simulator) {
			u.toExportDetails("orders_dev", "SELECT id FROM orders")
			u.field("c")
			u.waitField("classify")
			u.field("r")
			u.waitField("related")
			u.enter()
			u.waitField("attachment")
			u.enter()
			u.waitField("ignore")
		}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			sim := newSimulator(t)
			opts := testOptions(sim.client)
			r := lipgloss.NewRenderer(&bytes.Buffer{})
			r.SetColorProfile(termenv.ANSI256)
			r.SetHasDarkBackground(true)
			opts.Renderer, opts.Mono = r, true
			u := startUI(t, opts, 80, 24)
			sc.drive(u, sim)
			view := u.final().View()
			if !strings.Contains(view, "\x1b[7m") && !strings.Contains(view, ";7m") {
				t.Errorf("no reverse video on the %s screen", sc.name)
			}
			if strings.Contains(view, "[38;") || strings.Contains(view, "[48;") {
				t.Errorf("colour on the mono %s screen", sc.name)
			}
			goldenView(t, strings.ReplaceAll(view, "\x1b", `\e`))
		})
	}
}
