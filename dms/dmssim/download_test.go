package dmssim

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	dmse "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"
	"github.com/xuri/excelize/v2"

	"dmsticket/dms/sqlscript"
)

func TestExportFileTypesHoldTheResultByteForByte(t *testing.T) {
	l := newLifeSim(t, Options{})
	n := l.preCheckRowsOf(dbSandbox, scratchSQL)
	rows := scratchRows(n)

	var sqlWant strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&sqlWant, "INSERT INTO `scratch` (`id`, `email`, `note`) VALUES (%s, '%s', '%s');\n", r[0], r[1], r[2])
	}
	var jsonWant strings.Builder
	jsonWant.WriteString("[")
	for i, r := range rows {
		if i > 0 {
			jsonWant.WriteString(",")
		}
		fmt.Fprintf(&jsonWant, "\n{\"id\":%s,\"email\":%q,\"note\":%q}", r[0], r[1], r[2])
	}
	jsonWant.WriteString("\n]\n")

	for _, tc := range []struct {
		fileType, ext, contentType, want string
	}{
		{"SQL", ".sql", "application/sql; charset=utf-8", sqlWant.String()},
		{"json", ".json", "application/json; charset=utf-8", jsonWant.String()},
	} {
		t.Run(tc.fileType, func(t *testing.T) {
			id := l.exported(dbSandbox, scratchSQL, tc.fileType)
			resp, body := fetch(t, l.downloadURL(id).URL)
			if string(body) != tc.want {
				t.Errorf("download =\n%s\nwant\n%s", body, tc.want)
			}
			if resp.ContentLength != int64(len(tc.want)) || resp.Header.Get("Content-Type") != tc.contentType ||
				resp.Header.Get("Content-Disposition") != `attachment; filename="`+strconv.FormatInt(id, 10)+tc.ext+`"` {
				t.Errorf("headers = %d %v", resp.ContentLength, resp.Header)
			}
		})
	}

	t.Run("XLSX", func(t *testing.T) {
		id := l.exported(dbSandbox, scratchSQL, "XLSX")
		resp, body := fetch(t, l.downloadURL(id).URL)
		if f, _ := l.r.Server.ExportFile(id); !bytes.Equal(body, f.Data) || resp.ContentLength != int64(len(body)) {
			t.Fatalf("download (%d bytes, Content-Length %d) is not the export file (%d bytes)", len(body), resp.ContentLength, len(f.Data))
		}
		_, again := fetch(t, l.downloadURL(id).URL)
		if !bytes.Equal(body, again) {
			t.Error("a second download differs")
		}
		book, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer book.Close()
		if got := book.GetSheetList(); !reflect.DeepEqual(got, []string{"Sheet1"}) {
			t.Errorf("sheets = %v", got)
		}
		got, err := book.GetRows("Sheet1")
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{{"id", "email", "note"}}
		for _, r := range rows {
			want = append(want, r[:])
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("rows = %v\nwant %v", got, want)
		}
		if typ, _ := book.GetCellType("Sheet1", "A2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("id cell type = %v, want a number", typ)
		}
	})
}

// preCheckRowsOf is the precheck's figure for sql on database db.
func (l *lifeSim) preCheckRowsOf(db int64, sql string) int64 {
	l.t.Helper()
	id := l.export(db, sql)
	l.clock.Advance(DefaultPrecheckDelay)
	rows := l.preCheckRows(id)
	if len(rows) != 1 || rows[0].AffectRows == 0 {
		l.t.Fatalf("precheck = %+v", rows)
	}
	return rows[0].AffectRows
}

func TestAnExportOfSeveralStatementsHoldsEachResult(t *testing.T) {
	l := newLifeSim(t, Options{})
	sql := "SELECT id, email, note FROM scratch;\nSELECT COUNT(*), o.total AS sum_total, o.* FROM orders o"
	id := l.export(dbOrdersProd, sql)
	l.clock.Advance(DefaultPrecheckDelay)
	rows := l.preCheckRows(id)
	if len(rows) != 2 {
		t.Fatalf("precheck = %+v", rows)
	}
	if rows[0].SQL != "SELECT id, email, note FROM scratch" {
		t.Errorf("statement 1 = %q", rows[0].SQL)
	}
	// scratch is not a table of orders: the precheck fails on statement 1.
	if l.base(id).StatusCode != "new" || l.detail(id).KeyInfo.JobStatus != "PRE_CHECK_FAIL" {
		t.Fatalf("a statement on another database's table passed the precheck")
	}

	// One sheet per statement in XLSX.
	id = l.exported(dbOrdersTest, "SELECT id, total FROM orders LIMIT 5; SELECT COUNT(*), o.total AS sum_total, o.* FROM orders o LIMIT 3", "XLSX")
	f, ok := l.r.Server.ExportFile(id)
	if !ok {
		t.Fatal("no export file")
	}
	book, err := excelize.OpenReader(bytes.NewReader(f.Data))
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	if got := book.GetSheetList(); !reflect.DeepEqual(got, []string{"Sheet1", "Sheet2"}) {
		t.Fatalf("sheets = %v", got)
	}
	first, _ := book.GetRows("Sheet1")
	second, _ := book.GetRows("Sheet2")
	if want := []string{"COUNT(*)", "sum_total", "id", "name", "status", "amount", "created_at"}; len(first) != 6 || len(second) != 4 || !reflect.DeepEqual(second[0], want) {
		t.Errorf("sheets hold %d and %d rows; second header = %v, want %v", len(first), len(second), second[0], want)
	}

	// The whole orders_test table (124,803 rows, give or take) is capped;
	// ActualAffectRows is not.
	id = l.exported(dbOrdersTest, "SELECT * FROM orders", "CSV")
	f, _ = l.r.Server.ExportFile(id)
	if n := lines(string(f.Data)); n != MaxExportRows+1 {
		t.Errorf("the CSV has %d lines, want the cap %d and a header", n, MaxExportRows+1)
	}
	if d := l.detail(id); d.OrderDetail.ActualAffectRows <= MaxExportRows {
		t.Errorf("ActualAffectRows = %d, want the uncapped figure", d.OrderDetail.ActualAffectRows)
	}

	id = l.exported(dbOrdersTest, "SELECT id FROM refunds LIMIT 2; SELECT id FROM refunds LIMIT 3", "CSV")
	f, _ = l.r.Server.ExportFile(id)
	if want := "id\n1\n2\n\nid\n1\n2\n3\n"; string(f.Data) != want {
		t.Errorf("two results in CSV = %q, want %q", f.Data, want)
	}
}

func TestDownloadsWorkThroughAnyServerOfTheHandler(t *testing.T) {
	clock := newTestClock()
	s, err := New(Options{Seed: testSeed(t), Now: clock.Now, PrecheckDelay: NoDelay, OfflineApprovalDelay: NoDelay, ExportDelay: NoDelay})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	defer hs.Close()
	c, err := dmse.NewClientWithOptions("cn-hangzhou", sdk.NewConfig().WithScheme("HTTP"),
		credentials.NewStaticAKCredentialsProvider(DefaultCredential.AccessKeyID, DefaultCredential.AccessKeySecret))
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = strings.TrimPrefix(hs.URL, "http://")
	defer c.Shutdown()
	l := &lifeSim{t: t, clock: clock, c: c}
	id := l.export(dbSandbox, "SELECT id FROM scratch LIMIT 3")
	l.mustSubmit(id)
	l.mustExecute(id, "CSV")
	u := l.downloadURL(id)
	if !strings.HasPrefix(u.URL, hs.URL+"/download/") {
		t.Fatalf("URL %s is not on %s", u.URL, hs.URL)
	}
	if _, body := fetch(t, u.URL); string(body) != "id\n1\n2\n3\n" {
		t.Errorf("download = %q", body)
	}

	// HEAD and Range, for a client drawing progress or resuming.
	head, err := http.Head(u.URL)
	if err != nil || head.StatusCode != 200 || head.ContentLength != 9 {
		t.Errorf("HEAD = %v %+v", err, head)
	}
	req, _ := http.NewRequest(http.MethodGet, u.URL, nil)
	req.Header.Set("Range", "bytes=3-")
	part, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(part.Body)
	part.Body.Close()
	if part.StatusCode != http.StatusPartialContent || string(body) != "1\n2\n3\n" {
		t.Errorf("Range = %d %q", part.StatusCode, body)
	}

	// A token is unguessable: another export has another, and a made-up one
	// finds nothing; POST is not a download.
	id2 := l.export(dbSandbox, "SELECT id FROM scratch LIMIT 3")
	l.mustSubmit(id2)
	l.mustExecute(id2, "CSV")
	if u2 := l.downloadURL(id2); u2.URL == u.URL {
		t.Error("two exports share a download URL")
	}
	for _, bad := range []string{hs.URL + "/download/" + strings.Repeat("0", 32), hs.URL + "/download/"} {
		resp, err := http.Get(bad)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 || !strings.Contains(string(b), "<Code>NoSuchKey</Code>") {
			t.Errorf("GET %s = %d %s", bad, resp.StatusCode, b)
		}
	}
	post, err := http.Post(u.URL, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if post.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST = %d", post.StatusCode)
	}
}

func TestDownloadFaults(t *testing.T) {
	l := newLifeSim(t, Options{})
	id := l.exported(dbOrdersTest, "SELECT id FROM orders", "CSV")
	url := l.downloadURL(id).URL
	full, _ := l.r.Server.ExportFile(id)

	// A fault on any action leaves downloads alone.
	l.r.Server.InjectFault(Fault{Kind: ServerError})
	fetch(t, url)
	l.r.Server.ClearFaults()

	l.r.Server.InjectFault(Fault{Action: DownloadAction, Kind: ServerError})
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || !strings.Contains(string(b), "<Code>ServiceUnavailable</Code>") {
		t.Errorf("ServerError = %d %s", resp.StatusCode, b)
	}

	// Cut short: the whole Content-Length promised, half the bytes sent.
	l.r.Server.InjectFault(Fault{Action: DownloadAction, Kind: DropAfterCreate})
	resp, err = http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil || resp.ContentLength != int64(len(full.Data)) || len(got) >= len(full.Data) || !bytes.HasPrefix(full.Data, got) {
		t.Errorf("cut short: err %v, Content-Length %d, %d of %d bytes", err, resp.ContentLength, len(got), len(full.Data))
	}

	l.r.Server.InjectFault(Fault{Action: DownloadAction, Kind: DropBeforeHandling})
	if resp, err := http.Get(url); err == nil {
		resp.Body.Close()
		t.Error("DropBeforeHandling answered")
	}
	calls := l.r.Server.RequestsFor(DownloadAction)
	if len(calls) != 4 || calls[1].Fault != ServerError || calls[1].Status != 503 || calls[2].Fault != DropAfterCreate || calls[2].Status != 0 {
		t.Errorf("download calls = %+v", calls)
	}
	fetch(t, url) // the faults are used up
}

func TestSelectColumnsNamesTheResultsColumns(t *testing.T) {
	cases := []struct {
		sql  string
		dl   sqlscript.Dialect
		want []string
	}{
		{"SELECT id, total FROM orders", sqlscript.MySQL, []string{"id", "total"}},
		{"select o.id, o.total as t, c.name customer from orders o join customers c on c.id = o.customer_id", sqlscript.MySQL, []string{"id", "t", "customer"}},
		{"SELECT DISTINCT `order id`, COUNT(*) FROM orders GROUP BY 1", sqlscript.MySQL, []string{"order id", "COUNT(*)"}},
		{"WITH x AS (SELECT a, b FROM t) SELECT a, b, a FROM x", sqlscript.PostgreSQL, []string{"a", "b", "a_2"}},
		{`SELECT "Id", 1, 'x' AS label FROM "Orders"`, sqlscript.PostgreSQL, []string{"Id", "1", "label"}},
		{"SELECT * FROM orders", sqlscript.MySQL, starColumns},
		{"SELECT o.*, 2 AS two FROM orders o", sqlscript.MySQL, append(append([]string{}, starColumns...), "two")},
		{"SELECT CASE WHEN a > 1 THEN 1 ELSE 0 END FROM t", sqlscript.MySQL, []string{"CASE WHEN a > 1 THEN 1 ELSE 0 END"}},
		{"(SELECT a FROM t) UNION (SELECT b FROM u)", sqlscript.MySQL, starColumns},
		{"SELECT /* the key */ id -- and nothing else\nFROM t", sqlscript.MySQL, []string{"id"}},
	}
	for _, tc := range cases {
		if got := selectColumns(tc.sql, tc.dl); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("selectColumns(%q) = %q, want %q", tc.sql, got, tc.want)
		}
	}
}

func TestMadeUpValuesFollowTheColumnsName(t *testing.T) {
	cases := map[string]func(v value) bool{
		"id":          func(v value) bool { return v.number && v.text == "7" },
		"customer_id": func(v value) bool { _, err := strconv.Atoi(v.text); return v.number && err == nil },
		"created_at": func(v value) bool {
			_, err := time.Parse("2006-01-02 15:04:05", v.text)
			return !v.number && err == nil
		},
		"birth_date": func(v value) bool { _, err := time.Parse("2006-01-02", v.text); return !v.number && err == nil },
		"total": func(v value) bool {
			_, err := strconv.ParseFloat(v.text, 64)
			return v.number && err == nil && strings.Contains(v.text, ".")
		},
		"status":    func(v value) bool { return !v.number && v.text != "" },
		"email":     func(v value) bool { return v.text == "user7@example.com" },
		"is_active": func(v value) bool { return v.number && (v.text == "0" || v.text == "1") },
		"note":      func(v value) bool { return v.text == "note 7" },
	}
	for col, ok := range cases {
		if v := madeUp(col, 7); !ok(v) || madeUp(col, 7) != v {
			t.Errorf("madeUp(%q, 7) = %+v", col, v)
		}
	}
}

func TestDownloadURLsUseTheRequestsHost(t *testing.T) {
	l := newLifeSim(t, Options{})
	id := l.exported(dbSandbox, scratchSQL, "CSV")
	req := dmse.CreateGetDataExportDownloadURLRequest()
	req.OrderId = requests.NewInteger64(id)
	// localhost instead of 127.0.0.1: the URL follows the address the client used.
	c := sdkClient(t, l.r, DefaultCredential)
	c.Domain = strings.Replace(l.r.Host(), "127.0.0.1", "localhost", 1)
	resp, err := c.GetDataExportDownloadURL(req)
	if err != nil || !resp.Success {
		t.Fatalf("GetDataExportDownloadURL: %v %s", err, resp.GetHttpContentString())
	}
	if want := "http://" + c.Domain + "/download/"; !strings.HasPrefix(resp.DownloadURLResult.URL, want) {
		t.Errorf("URL %s does not start with %s", resp.DownloadURLResult.URL, want)
	}
}
