package dms_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"dmsticket/dms"
	"dmsticket/dms/dmssim"
)

// TestCreateOrderBodyCarriesThePreviewBytes sends an export whose SQL and
// reason hold <, > and & through the real SDK client and reads the body the
// server received: PluginParam is in the form body, decodes to exactly
// dms.PluginParamJSON (the preview's and the aliyun command's bytes) with
// raw > bytes, and the simulator accepts and stores it.
func TestCreateOrderBodyCarriesThePreviewBytes(t *testing.T) {
	seed, err := dmssim.LoadSeedFile("../testdata/sim/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	cred := dmssim.Credential{AccessKeyID: "wire-key", AccessKeySecret: "wire-secret", UserID: 2000001}
	sim, err := dmssim.New(dmssim.Options{Seed: seed, Credentials: []dmssim.Credential{cred}})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.URL.Query().Get("Action") == "CreateOrder" {
			mu.Lock()
			bodies = append(bodies, string(b))
			mu.Unlock()
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	c := newClient(t, srv.URL, cred.AccessKeyID, cred.AccessKeySecret)
	for _, ignore := range []bool{false, true} {
		tk := dms.Ticket{
			Type: "DATA_EXPORT", Database: dms.Database{ID: 1100023, DbType: "mysql"},
			SQL:     "SELECT id FROM orders WHERE total > 100 AND note <> '<&>'",
			Comment: "wire bytes", Text: map[string]string{"classify": "a > b & c < d"},
			Rows: dms.RowFigure{Source: dms.RowsExplain, Total: 42},
		}
		if ignore {
			tk.IgnoreAffectRows, tk.IgnoreAffectRowsReason = true, "rows > 10^9 & counting is slow"
		}
		req, err := tk.Request()
		if err != nil {
			t.Fatal(err)
		}
		want := dms.PluginParamJSON(req.PluginParam)
		if _, err := c.CreateOrder(ctx(t), req); err != nil {
			t.Fatalf("ignore=%v: CreateOrder: %v", ignore, err)
		}
		mu.Lock()
		body := bodies[len(bodies)-1]
		mu.Unlock()
		form, err := url.ParseQuery(body)
		if err != nil {
			t.Fatalf("body %q: %v", body, err)
		}
		got := form.Get("PluginParam")
		if got != want {
			t.Errorf("ignore=%v: PluginParam in the body\n%s\nwant (the preview's bytes)\n%s", ignore, got, want)
		}
		if !strings.Contains(got, "total > 100") || strings.Contains(got, `\u003e`) {
			t.Errorf("ignore=%v: the body's PluginParam does not carry raw > bytes: %s", ignore, got)
		}
	}
	orders := sim.Orders()
	if len(orders) != 2 {
		t.Fatalf("simulator stored %d tickets, want 2", len(orders))
	}
	for _, o := range orders {
		if !strings.Contains(o.PluginParam, `"ignoreAffectRowsReason":`) || !strings.Contains(o.PluginParam, `"affectRows":42`) {
			t.Errorf("stored PluginParam lacks a documented key: %s", o.PluginParam)
		}
	}
}
