package wizard

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

func TestSaveExportNeverReplacesAFileAndLeavesNothingOnFailure(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/named":
			w.Header().Set("Content-Disposition", `attachment; filename="40000001.json"`)
			w.Write([]byte(`[{"id":1}]`))
		case "/cut":
			w.Header().Set("Content-Length", "100")
			w.Write([]byte("half"))
			panic(http.ErrAbortHandler)
		default:
			w.Write([]byte("id\n1\n"))
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	ctx := context.Background()
	if err := os.WriteFile(filepath.Join(dir, "export.csv"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := SaveExport(ctx, srv.URL+"/plain", dir, "export.csv", nil)
	if err != nil || filepath.Base(p) != "export-1.csv" {
		t.Fatalf("a taken name: %s, %v; want export-1.csv", p, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "export.csv")); string(b) != "mine" {
		t.Fatalf("the existing file was replaced: %q", b)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	p, err = SaveExport(ctx, srv.URL+"/named", dir, "export.csv", nil)
	if err != nil || filepath.Base(p) != "40000001.json" {
		t.Fatalf("DMS's name: %s, %v", p, err)
	}
	if _, err := SaveExport(ctx, srv.URL+"/cut", dir, "cut.csv", nil); err == nil {
		t.Fatal("a download cut short succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("after a failed download the directory holds %v", names)
	}
}
