package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
	"dmsticket/dms/dmssim/dmssimtest"
)

// accSim is a simulator of the bundled seed and a client for it.
type accSim struct {
	run    *dmssim.Running
	client *dms.Client
}

func newAccSim(t *testing.T) accSim {
	t.Helper()
	w := dmssimtest.New(t)
	return accSim{run: w.Sim, client: w.Client}
}

func (s accSim) options() Options {
	return Options{Service: s.client, Region: "cn-hangzhou", Endpoint: s.run.Endpoint, Demo: true, Local: true,
		ConsoleURL: "https://dms.example.com/order/{orderId}"}
}

// syncBuffer is a bytes.Buffer safe to read while RunAccessible writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runAccessibleThroughPipe feeds the answers through a pipe, one line at a
// time as a person (or expect) would, and returns the whole transcript.
func runAccessibleThroughPipe(t *testing.T, opts Options, answers ...string) (string, error) {
	t.Helper()
	pr, pw := io.Pipe()
	go func() {
		for _, a := range answers {
			if _, err := io.WriteString(pw, a+"\n"); err != nil {
				return
			}
		}
		pw.Close()
	}()
	var out syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := RunAccessible(ctx, opts, pr, &out)
	pr.Close()
	s := out.String()
	if strings.IndexByte(s, 0x1b) >= 0 {
		t.Errorf("accessible output contains an escape byte:\n%q", s)
	}
	return s, err
}

func wantLines(t *testing.T, transcript string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(transcript, w) {
			t.Errorf("transcript lacks %q\n---\n%s", w, transcript)
			return
		}
	}
}

func TestAccessibleExportFromFirstPromptToTicket(t *testing.T) {
	sim := newAccSim(t)
	out, err := runAccessibleThroughPipe(t, sim.options(),
		"1",          // Export data
		"",           // the active tenant
		"orders_dev", // search
		"1",          // the only match
		"",           // type the SQL here
		"SELECT id, total FROM orders",
		"WHERE total > 100 AND note <> 'x';",
		";;",
		"",                      // keep the EXPLAIN figure
		"Q3 export for finance", // comment
		"quarterly report",      // reason (classify)
		"2000002, 2000003",      // related users
		"",                      // no attachment
		"",                      // do not ignore the check
		"y",                     // submit
		"",                      // no further ticket
	)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	wantLines(t, out,
		"Step 1: Type", "1. Export data (DATA_EXPORT)", "2. Change a schema design (NDDL)",
		"Step 2 of 6: Database", "1. Acme Retail (3000001), your active tenant",
		"1. orders_dev@10.40.1.11:3306, development, mysql, ID 1100023",
		"Step 3 of 6: SQL", "Finish with a line that holds only two semicolons", "Got 1 statement, 2 lines.",
		"Statement 1: ", "Total: ", "estimate (EXPLAIN)",
		"Step 4 of 6: Details", "Comment (required)", "Reason (required)", "Ignore the affected-row check?",
		"Attachment key (optional). The key of a file uploaded to DMS. Enter alone leaves it empty",
		"Step 5 of 6: Review", "Comment: Q3 export for finance", "Related users: 2000002, 2000003",
		`"exeSQL": "SELECT id, total FROM orders\nWHERE total > 100 AND note <> 'x';\n"`,
		"aliyun dms-enterprise CreateOrder --region cn-hangzhou",
		"Submit this ticket to DMS now? [y/N]",
		"Step 6 of 6: Result", "Ticket created: 40000001", "Request ID: ", "Console: https://dms.example.com/order/40000001",
	)
	orders := sim.run.Server.Orders()
	if len(orders) != 1 {
		t.Fatalf("%d tickets, want 1", len(orders))
	}
	o := orders[0]
	if o.PluginType != "DATA_EXPORT" || o.DatabaseID != 1100023 || o.Comment != "Q3 export for finance" || o.RelatedUserList != "2000002,2000003" ||
		o.Param["classify"] != "quarterly report" || o.Param["exeSQL"] != "SELECT id, total FROM orders\nWHERE total > 100 AND note <> 'x';\n" {
		t.Errorf("stored %+v", o)
	}
}

func TestAccessibleSchemaDesignOnProductionSavesAndAsksForTheSchemaName(t *testing.T) {
	sim := newAccSim(t)
	path := filepath.Join(t.TempDir(), "nddl.json")
	out, err := runAccessibleThroughPipe(t, sim.options(),
		"NDDL",        // typed instead of numbered
		"",            // active tenant
		"orders@10.2", // search
		"1",           // orders@10.20.1.11:3306, production
		"faster order lookups",
		"index orders.created_at",
		"", // no description
		"", // no related users
		"", // no attachment
		"n",
		"save", path,
		"y",      // submit …
		"orderz", // … but mistype the schema name
		"1",      // read the review again
		"y", "orders",
		"n",
	)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	wantLines(t, out,
		"Careful: this is a production database",
		"Step 3 of 5: Details", "Title (required)", "Description (optional)",
		"Save the request as a ticket file", "Saved "+path+" with mode 0600",
		"To submit, type its schema name, orders", "That is not the schema name. Nothing was sent.",
		"Ticket created: 40000001",
	)
	if n := len(sim.run.Server.RequestsFor("CreateOrder")); n != 1 {
		t.Fatalf("CreateOrder sent %d times, want once", n)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved, err := dms.ReadTicketFile(f)
	if err != nil {
		t.Fatalf("the saved ticket file does not read back: %v", err)
	}
	if saved.Type != "NDDL" || saved.Database.ID != 1100001 || saved.Text["title"] != "index orders.created_at" {
		t.Errorf("saved %+v", saved)
	}
	if got := sim.run.Server.Orders()[0].PluginParam; got != dms.PluginParamJSON(saved.PluginParam()) {
		t.Errorf("submitted PluginParam %s differs from the saved file's %s", got, dms.PluginParamJSON(saved.PluginParam()))
	}
}

func TestAccessibleFollowsTheUsersPolicy(t *testing.T) {
	sim := newAccSim(t)
	opts := sim.options()
	opts.User = &User{Name: "alice", DMSUserID: 2000002, TicketTypes: []string{"NDDL"}, Envs: []dms.Env{dms.EnvDev}}
	opts.Local = false
	out, err := runAccessibleThroughPipe(t, opts,
		"",       // active tenant
		"orders", // search: production and pre-release matches are not offered
		"1",
		"c", "t", "", "", "",
		"y", "",
	)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	wantLines(t, out, "Signed in as alice.", "the only type you may file", "are not listed: your policy does not allow their environments",
		"1. orders_dev@10.40.1.11:3306", "You (2000002) are added automatically", "Ticket created")
	if strings.Contains(out, "production,") || strings.Contains(out, "Save the request") {
		t.Errorf("offered a production database or saving over SSH:\n%s", out)
	}
	if o := sim.run.Server.Orders()[0]; o.RelatedUserList != "2000002" || o.DatabaseID != 1100023 {
		t.Errorf("stored %+v", o)
	}
}

func TestAccessibleRefusedEstimateAsksForTheFigureOrAReason(t *testing.T) {
	sim := newAccSim(t)
	out, err := runAccessibleThroughPipe(t, sim.options(),
		"1", "", "payroll", "1", "",
		"SELECT * FROM employees", ";;",
		"3", // ignore the check
		"c", "r", "", "",
		"", // ignore? enter keeps yes
		"audit needs every row",
		"n", "quit",
	)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	wantLines(t, out, "DMS could not measure the rows.", "code NoPermission", "Why may DMS skip the affected-row check",
		"Affected rows: check ignored, because: audit needs every row", `"ignoreAffectRowsReason": "audit needs every row"`, "Nothing was sent to DMS.")
	if n := len(sim.run.Server.RequestsFor("CreateOrder")); n != 0 {
		t.Errorf("CreateOrder sent %d times after quitting", n)
	}
}

func TestAccessibleRejectsInvalidSQLAndAsksAgain(t *testing.T) {
	sim := newAccSim(t)
	out, err := runAccessibleThroughPipe(t, sim.options(),
		"1", "", "orders_dev", "1", "",
		"SELECT 1;", "DELETE FROM orders", ";;",
		"", "SELECT id FROM orders", ";;",
		"3", "1,200", // type the figure
		"c", "r", "", "", "",
		"y", "",
	)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	wantLines(t, out, "This SQL cannot go on the ticket:", "statement 2 (line 2) is a DELETE", "Give the SQL again.",
		"Affected rows: 1,200, entered by hand", "Ticket created")
	if o := sim.run.Server.Orders()[0]; o.Param["affectRows"] != json.Number("1200") || o.Param["exeSQL"] != "SELECT id FROM orders\n" {
		t.Errorf("stored %+v", o)
	}
}

func TestAccessibleStopsWhenTheInputEnds(t *testing.T) {
	sim := newAccSim(t)
	out, err := runAccessibleThroughPipe(t, sim.options(), "1", "", "orders_dev")
	if !errors.Is(err, errInputEnded) {
		t.Fatalf("err = %v, want errInputEnded\n%s", err, out)
	}
	if n := len(sim.run.Server.RequestsFor("CreateOrder")); n != 0 {
		t.Errorf("CreateOrder sent %d times", n)
	}
}

func TestAccessibleInterruptReturnsPromptly(t *testing.T) {
	sim := newAccSim(t)
	pr, pw := io.Pipe() // never written: the first prompt waits forever
	defer pw.Close()
	var out syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	err := RunAccessible(ctx, sim.options(), pr, &out)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want one wrapping context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v to stop", d)
	}
	wantLines(t, out.String(), "Interrupted. The ticket in progress was not sent to DMS.")
}

func TestAccessibleResultSaysWhyDMSRefusedAndFindsALostTicket(t *testing.T) {
	sim := newAccSim(t)
	sim.run.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.BusinessFailure, Code: "OrderLimitExceeded", Message: "Too many open tickets."})
	sim.run.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.DropAfterCreate})
	out, err := runAccessibleThroughPipe(t, sim.options(),
		"1", "", "orders_dev", "1", "",
		"SELECT id, total FROM orders;", ";;",
		"", "Q3 export for finance", "quarterly report", "", "", "",
		"y",      // refused by DMS
		"r", "y", // read the review again, submit again: the answer is lost
		"",
	)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	wantLines(t, out, "DMS did not create the ticket.", "code OrderLimitExceeded", "Message: Too many open tickets.", "Nothing was created.",
		"The answer to CreateOrder was lost", "Looking it up before anything is sent again",
		"Ticket created: 40000001 (found after the answer was lost)", "Status: new")
	if n := len(sim.run.Server.Orders()); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
}

// TestAccessibleReportsACreatedTicketWhenTheInputEndsAfterIt: the piped
// answers stop at "File another ticket?"; the ticket exists, so the run
// says so and succeeds (it never claims nothing was sent).
func TestAccessibleReportsACreatedTicketWhenTheInputEndsAfterIt(t *testing.T) {
	sim := newAccSim(t)
	out, err := runAccessibleThroughPipe(t, sim.options(),
		"1", "", "orders_dev", "1", "", "SELECT id FROM orders", ";;", "",
		"piped export", "report", "", "", "", "y") // the input ends at "File another ticket?"
	if err != nil {
		t.Fatalf("RunAccessible: %v (a created ticket must end the run successfully)\n%s", err, out)
	}
	if strings.Contains(out, "nothing was sent") {
		t.Errorf("the transcript says nothing was sent although a ticket was created:\n%s", out)
	}
	wantLines(t, out, "Ticket created: 40000001", "Created in this run: 40000001.")
}

func TestAccessibleFollowsTheTicketToTheExportedFile(t *testing.T) {
	w := dmssimtest.New(t, dmssimtest.Options{Sim: dmssim.Options{PrecheckDelay: dmssim.NoDelay, OfflineApprovalDelay: dmssim.NoDelay, ExportDelay: dmssim.NoDelay}})
	sim := accSim{run: w.Sim, client: w.Client}
	opts := sim.options()
	opts.PollEvery = 5 * time.Millisecond
	t.Chdir(t.TempDir())
	out, err := runAccessibleThroughPipe(t, opts,
		"1", "", "orders_dev", "1", "",
		"SELECT id, total FROM orders;", ";;",
		"", "Q3 export for finance", "quarterly report", "", "", "",
		"y",   // submit
		"y",   // submit for approval
		"sql", // run it as a SQL file
		"",    // download it (yes)
		"",    // no further ticket
	)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	wantLines(t, out,
		"Ticket created: 40000001",
		"DMS prechecks the ticket first. Waiting for the precheck…",
		"Ticket 40000001: ready (prechecked, ready to submit for approval).",
		"Precheck, statement 1: DMS counts",
		"Approval chain: ",
		"Submit ticket 40000001 for approval now? [y/N]",
		"Sending SubmitOrderApproval. It is sent once.",
		"Submit for approval: done.",
		"Ticket 40000001 is approved. Run the export?",
		"Run it now, as a SQL file",
		"Sending ExecuteDataExport. It is sent once.",
		"Ticket 40000001: done (finished).",
		"Download the exported file to the current directory? [Y/n]",
		"Saved ",
	)
	f, ok := sim.run.Server.ExportFile(40000001)
	if !ok {
		t.Fatal("no export file in the simulator")
	}
	entries, _ := os.ReadDir(".")
	if len(entries) != 1 {
		t.Fatalf("the directory holds %v", entries)
	}
	got, _ := os.ReadFile(entries[0].Name())
	if !bytes.Equal(got, f.Data) || !strings.HasSuffix(entries[0].Name(), ".sql") {
		t.Errorf("downloaded %s (%d bytes), the export is %s (%d bytes)", entries[0].Name(), len(got), f.Name, len(f.Data))
	}
	for _, action := range []string{"SubmitOrderApproval", "ExecuteDataExport"} {
		if n := len(sim.run.Server.RequestsFor(action)); n != 1 {
			t.Errorf("%s sent %d times", action, n)
		}
	}
}

func TestAccessibleDecliningTheSubmitSaysHowToDoItLater(t *testing.T) {
	w := dmssimtest.New(t, dmssimtest.Options{Sim: dmssim.Options{PrecheckDelay: dmssim.NoDelay}})
	sim := accSim{run: w.Sim, client: w.Client}
	opts := sim.options()
	opts.PollEvery = 5 * time.Millisecond
	out, err := runAccessibleThroughPipe(t, opts,
		"1", "", "orders_dev", "1", "",
		"SELECT id FROM orders;", ";;",
		"", "Q3 export for finance", "quarterly report", "", "", "",
		"y", // submit
		"",  // not for approval now
		"",  // no further ticket
	)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	wantLines(t, out, "Submit ticket 40000001 for approval now? [y/N]", "Not submitted.", "Later: dmsticket submit 40000001")
	if n := len(sim.run.Server.RequestsFor("SubmitOrderApproval")); n != 0 {
		t.Errorf("SubmitOrderApproval sent %d times", n)
	}
}

// TestAccessibleDropsAnAnswerLongerThanAnyQuestionTakes: a comment line of
// 64 KiB and more was cut by huh's line reader: the comment took an empty
// answer, the line's tail answered the reason, and every answer after it
// went to the wrong question. The long line is dropped, said, and the
// comment waits for its answer; a 4 MiB line costs no more than reading it.
func TestAccessibleDropsAnAnswerLongerThanAnyQuestionTakes(t *testing.T) {
	for _, n := range []int{65536, 4 << 20} {
		sim := newAccSim(t)
		out, err := runAccessibleThroughPipe(t, sim.options(),
			"1", "", "orders_dev", "1", "", "SELECT id FROM orders;", ";;", "",
			strings.Repeat("C", n)+"TAILTEXT", // a comment too long for any question
			"Q3 export for finance",           // the comment
			"quarterly report",                // reason
			"", "", "",                        // related users, attachment, ignore
			"y", "",
		)
		if err != nil {
			t.Fatalf("RunAccessible: %v\n%s", err, out)
		}
		wantLines(t, out, "bytes long, more than any question here takes (32,768 at most): it was dropped. Answer again:",
			"Comment: Q3 export for finance", "Reason: quarterly report", "Ticket created: 40000001")
		if o := sim.run.Server.Orders(); len(o) != 1 || o[0].Comment != "Q3 export for finance" || o[0].Param["classify"] != "quarterly report" {
			t.Fatalf("stored %+v", o)
		}
	}
}

// TestAccessibleSaysWhyTypedSQLIsRefusedOnce: typed SQL holding a NUL was
// refused for it, and then again as "write at least one statement", the
// check of the empty text left: one reason, the right one.
func TestAccessibleSaysWhyTypedSQLIsRefusedOnce(t *testing.T) {
	sim := newAccSim(t)
	out, _ := runAccessibleThroughPipe(t, sim.options(), "1", "", "orders_dev", "1", "", "SELECT 1\x00 FROM t;", ";;")
	wantLines(t, out, "looks binary (it contains NUL bytes)", "Give the SQL again.")
	if strings.Contains(out, "write at least one statement") {
		t.Errorf("the refusal is followed by the empty text's check:\n%s", out)
	}
}

// TestAccessibleYesNoQuestionsSayWhatToAnswer: "yep" got only huh's
// "invalid input. please try again", and "y " (a blank after it) was
// refused the same way.
func TestAccessibleYesNoQuestionsSayWhatToAnswer(t *testing.T) {
	sim := newAccSim(t)
	out, err := runAccessibleThroughPipe(t, sim.options(),
		"1", "", "orders_dev", "1", "", "SELECT id FROM orders;", ";;", "",
		"Q3 export for finance", "quarterly report", "", "",
		"yep", "n ", // ignore the check? a wrong answer, then no with a blank
		"y ", "", // submit, with a blank; no further ticket
	)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	wantLines(t, out, "answer y (yes) or n (no); enter alone is n", "Ticket created: 40000001")
	if strings.Contains(out, "invalid input") {
		t.Errorf("huh's bare message is still said:\n%s", out)
	}
}

// TestAccessibleAsksAgainForAnAnswerThatIsNotUTF8: a comment with a byte
// that is not UTF-8 was taken, and refused only at the review.
func TestAccessibleAsksAgainForAnAnswerThatIsNotUTF8(t *testing.T) {
	sim := newAccSim(t)
	out, _ := runAccessibleThroughPipe(t, sim.options(),
		"1", "", "orders_dev", "1", "", "SELECT id FROM orders;", ";;", "",
		"ab\xc3\x28cd", // not UTF-8: asked again
	)
	wantLines(t, out, "this is not UTF-8 text (byte 0xC3 at offset 2): answer again")
	if strings.Contains(out, "Reason (required)") {
		t.Errorf("the comment was taken and the next question asked:\n%s", out)
	}
}

// TestAccessibleLostRequestIsNotSentAgainWhileItMayStillArrive: no ticket
// is found right after a lost answer, but the request may still reach DMS:
// the prompt says until when and asks to look again, rather than that it is
// safe to send it again.
func TestAccessibleLostRequestIsNotSentAgainWhileItMayStillArrive(t *testing.T) {
	sim := newAccSim(t)
	sim.run.Server.InjectFault(dmssim.Fault{Action: "CreateOrder", Kind: dmssim.DropBeforeHandling})
	out, _ := runAccessibleThroughPipe(t, sim.options(),
		"1", "", "orders_dev", "1", "",
		"SELECT id, total FROM orders;", ";;",
		"", "Q3 export for finance", "quarterly report", "", "", "",
		"y", // submit: the answer is lost, and DMS has no ticket yet
		"b", // back to the review
	)
	wantLines(t, out, "The answer to CreateOrder was lost", "may still reach DMS until", "Look it up again")
	if strings.Contains(out, "it is safe to send it again") {
		t.Errorf("said it is safe to send it again while the request may still arrive:\n%s", out)
	}
	if n := len(sim.run.Server.RequestsFor("CreateOrder")); n != 1 {
		t.Errorf("CreateOrder sent %d times", n)
	}
}

// TestAccessibleSQLLineAtTheTerminalsLimitIsNotTaken: a terminal in line
// mode hands on at most 4,095 bytes of a line (1,023 on macOS) and drops
// the rest: a pasted line of that length may have been cut, and is not
// taken as the SQL (found by an adversarial run: DELETE … WHERE id >
// 1000000 was filed as WHERE id > 1).
func TestAccessibleSQLLineAtTheTerminalsLimitIsNotTaken(t *testing.T) {
	for _, n := range []int{4095, 1023} {
		line := "DELETE FROM orders WHERE id > 1" + strings.Repeat(" ", n-len("DELETE FROM orders WHERE id > 1"))
		var out syncBuffer
		p := newPrompter(context.Background(), strings.NewReader(line+"\n;;\n"), &out)
		p.in.tty = true
		a := &accessible{p: p, t: &dms.Ticket{}, created: map[string]int64{}}
		if _, err := a.typeScript("the SQL"); !errors.Is(err, errSQLRefused) {
			t.Errorf("a %d-byte line from a terminal: %v, want it refused", n, err)
		}
		if !strings.Contains(out.String(), "the terminal may have cut it") {
			t.Errorf("not said why:\n%s", out.String())
		}
	}
	// Not from a terminal, a line of any length is what was sent.
	p := newPrompter(context.Background(), strings.NewReader(strings.Repeat("x", 4095)+"\n;;\n"), io.Discard)
	a := &accessible{p: p, t: &dms.Ticket{}, created: map[string]int64{}}
	if _, err := a.typeScript("the SQL"); errors.Is(err, errSQLRefused) {
		t.Error("a 4,095-byte line from a pipe was refused")
	}
}

// TestAccessibleInterruptWhileSubmittingForApprovalSaysItMayHaveHappened:
// ctrl+c with SubmitOrderApproval on its way says the submit may have
// happened and how to know, and the run ends as interrupted (it said only
// "Created in this run" and exited 0: found by an adversarial run).
func TestAccessibleInterruptWhileSubmittingForApprovalSaysItMayHaveHappened(t *testing.T) {
	w := dmssimtest.New(t, dmssimtest.Options{Sim: dmssim.Options{PrecheckDelay: dmssim.NoDelay}})
	w.Sim.Server.InjectFault(dmssim.Fault{Action: "SubmitOrderApproval", Kind: dmssim.SlowAnswer, Delay: 3 * time.Second})
	sim := accSim{run: w.Sim, client: w.Client}
	opts := sim.options()
	opts.PollEvery = 5 * time.Millisecond
	pr, pw := io.Pipe()
	defer pw.Close()
	go func() {
		for _, a := range []string{"1", "", "orders_dev", "1", "", "SELECT id, total FROM orders;", ";;",
			"", "Q3 export for finance", "quarterly report", "", "", "", "y", "y"} {
			if _, err := io.WriteString(pw, a+"\n"); err != nil {
				return
			}
		}
	}()
	var out syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- RunAccessible(ctx, opts, pr, &out) }()
	for deadline := time.Now().Add(15 * time.Second); !strings.Contains(out.String(), "Sending SubmitOrderApproval"); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("SubmitOrderApproval was never sent:\n%s", out.String())
		}
	}
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want an interruption", err)
	}
	wantLines(t, out.String(), "Interrupted while SubmitOrderApproval was on its way for ticket 40000001: it may have happened. dmsticket status 40000001 says.")
}
