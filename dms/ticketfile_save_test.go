package dms

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A new ticket file is never written over an existing file: that may be a
// ticket file holding the record of the ticket it filed (written over, its
// next run files the ticket again), or anything of the user's (found by an
// adversarial run: both were replaced without a question).
func TestANewTicketFileDoesNotReplaceAFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.json")
	if err := os.WriteFile(path, []byte("IMPORTANT"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteTicketFile(path, exportTicket()); !errors.Is(err, ErrFileExists) {
		t.Fatalf("saving over a file: %v, want ErrFileExists", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "IMPORTANT" {
		t.Fatalf("the file was replaced: %q", b)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(path, link); err == nil {
		if err := WriteTicketFile(link, exportTicket()); !errors.Is(err, ErrFileExists) {
			t.Errorf("saving over a symbolic link: %v, want ErrFileExists", err)
		}
	}
	fresh := filepath.Join(dir, "new.json")
	if err := WriteTicketFile(fresh, exportTicket()); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(fresh)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the new file: %v, %v", fi, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("%d entries in the directory, want the file, the link and the new one (no temporary left)", len(entries))
	}
}
