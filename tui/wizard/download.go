package wizard

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"dmsticket/dms"
)

// SaveExport downloads a finished export from url into dir, under the name
// DMS's answer suggests (else fallback), reporting progress as bytes
// arrive. The file is written through a hidden temporary file and put in
// place only when complete, so a failed download leaves nothing; a name
// taken already gets -1, -2, … and an existing file is never replaced. It
// returns the file's absolute path.
func SaveExport(ctx context.Context, url, dir, fallback string, progress func(done, total int64)) (string, error) {
	tmp, err := os.CreateTemp(dir, ".dmsticket-download-*")
	if err != nil {
		return "", err
	}
	_, suggested, err := dms.FetchNamed(ctx, url, tmp, progress)
	if err == nil {
		err = tmp.Sync() // "saved" means on disk
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o600)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	name := fallback
	if suggested != "" {
		name = suggested
	}
	path, err := PlaceFree(tmp.Name(), dir, name)
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return filepath.Abs(path)
}

// PlaceFree moves a finished temporary file into dir under name, or, when
// that is taken, name-1, name-2, … (before the extension): an existing file
// is never replaced. It returns the path used.
func PlaceFree(tmp, dir, name string) (string, error) {
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for i := 0; i < 1000; i++ {
		path := filepath.Join(dir, name)
		if i > 0 {
			path = filepath.Join(dir, fmt.Sprintf("%s-%d%s", base, i, ext))
		}
		err := Place(tmp, path, false)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return path, err
	}
	return "", fmt.Errorf("every name like %s is taken in %s", name, dir)
}

// Place moves a finished temporary file to path: over what is there
// (replace: a rename), or only if nothing is, failing with fs.ErrExist
// otherwise (a hard link, then the temporary name removed; where links are
// not possible, a check and a rename).
func Place(tmp, path string, replace bool) error {
	if replace {
		return os.Rename(tmp, path)
	}
	err := os.Link(tmp, path)
	switch {
	case err == nil:
		// The file is in place: a temporary name that cannot be removed
		// is litter, not a failed download.
		_ = os.Remove(tmp)
		return nil
	case errors.Is(err, fs.ErrExist):
		return err
	}
	if _, serr := os.Lstat(path); serr == nil {
		return fs.ErrExist
	}
	return os.Rename(tmp, path)
}
