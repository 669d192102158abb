package dms

import (
	"bytes"
	"dmsticket/dms/inert"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// TicketFileVersion is the version of the ticket file format this build
// writes and reads.
const TicketFileVersion = 1

// TicketFile is a ticket saved as JSON: the request as it will be sent, plus
// what a person or a later run needs to check it (the database's name and
// environment, where the affected-row figure came from). The review's `s`
// writes one, `create --dry-run --output json` prints one, `create --from`
// reads one.
type TicketFile struct {
	Version  int      `json:"version"`
	Type     string   `json:"type"`
	Tenant   Tenant   `json:"tenant"`
	Database Database `json:"database"`
	// MoreDatabases are a data change's databases after the first.
	MoreDatabases []Database     `json:"moreDatabases,omitempty"`
	Comment       string         `json:"comment"`
	RelatedUsers  []int64        `json:"relatedUsers"`
	AttachmentKey string         `json:"attachmentKey,omitempty"`
	PluginParam   map[string]any `json:"pluginParam,omitempty"`
	// Param is the parameter object of a type created by its own operation
	// (a data change's CreateDataCorrectOrder), in place of PluginParam.
	Param      map[string]any `json:"param,omitempty"`
	AffectRows *RowFigure     `json:"affectRows,omitempty"`
	// Submitted is what `create --from` wrote about sending this ticket: a
	// file submits once (PRODUCT section 7).
	Submitted *FileSubmission `json:"submitted,omitempty"`
}

// FileSubmission records, inside a ticket file, that `create --from` sent it:
// "sending" is written before CreateOrder goes out, "created" (with the
// ticket IDs) when DMS answered. It belongs to the request whose hash it
// carries; a file edited since is another request.
type FileSubmission struct {
	State         string    `json:"state"` // FileSending or FileCreated
	RequestSHA256 string    `json:"requestSha256"`
	SentAt        time.Time `json:"sentAt"`
	Watermark     int64     `json:"watermark,omitempty"`
	OrderIDs      []int64   `json:"orderIds,omitempty"`
	RequestID     string    `json:"requestId,omitempty"`
}

// The states of a FileSubmission.
const (
	FileSending = "sending"
	FileCreated = "created"
)

// NewTicketFile captures a ticket as a file. The ticket must be valid.
func NewTicketFile(t Ticket) (TicketFile, error) {
	req, err := t.Request()
	if err != nil {
		return TicketFile{}, err
	}
	f := TicketFile{
		Version: TicketFileVersion, Type: t.Type, Tenant: t.Tenant, Database: t.Database,
		MoreDatabases: append([]Database(nil), t.More...),
		Comment:       t.Comment, RelatedUsers: append([]int64{}, t.RelatedUsers...), AttachmentKey: t.AttachmentKey,
		PluginParam: req.PluginParam, Param: req.Param,
	}
	if t.Rows.Known() {
		r := t.Rows
		f.AffectRows = &r
	}
	return f, nil
}

// JSON is the file's bytes: indented, HTML characters left readable.
func (f TicketFile) JSON() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(f)
	return buf.Bytes()
}

// Ticket rebuilds the ticket from the file and validates it as strictly as
// the wizard would: the PluginParam against the catalog, and the file's own
// fields against the PluginParam (the database, the affected-row figure).
func (f TicketFile) Ticket() (Ticket, error) {
	if f.Version != TicketFileVersion {
		return Ticket{}, fmt.Errorf("ticket file version %d; this dmsticket reads version %d", f.Version, TicketFileVersion)
	}
	base := Ticket{
		Type: f.Type, Tenant: f.Tenant, Database: f.Database, More: append([]Database(nil), f.MoreDatabases...), Comment: f.Comment,
		RelatedUsers: append([]int64{}, f.RelatedUsers...), AttachmentKey: f.AttachmentKey,
	}
	if f.AffectRows != nil {
		base.Rows = *f.AffectRows
	}
	tt, _ := LookupType(f.Type)
	params, other := f.PluginParam, f.Param
	if tt.ParamName() == "Param" {
		params, other = f.Param, f.PluginParam
	}
	if other != nil {
		return Ticket{}, Problems{{Field: tt.ParamName(), Key: strings.ToLower(tt.ParamName()[:1]) + tt.ParamName()[1:],
			Message: fmt.Sprintf("%s is created with %s: the file holds the other type's parameters", f.Type, tt.ParamName())}}
	}
	if params == nil {
		return Ticket{}, Problems{{Field: tt.ParamName(), Key: strings.ToLower(tt.ParamName()[:1]) + tt.ParamName()[1:], Message: "is missing"}}
	}
	// Decode again with numbers kept exact, as a file read from disk would be.
	raw, err := roundTrip(params)
	if err != nil {
		return Ticket{}, err
	}
	t, ps := FromPluginParam(base, raw)
	if len(ps) > 0 {
		return Ticket{}, ps
	}
	fileDBs := append([]Database{f.Database}, f.MoreDatabases...)
	if got := t.Databases(); len(got) != len(fileDBs) {
		ps = append(ps, Problem{Field: "Database", Key: "database",
			Message: fmt.Sprintf("the file names %d databases; its %s names %d", len(fileDBs), tt.ParamName(), len(got))})
	} else {
		for i, d := range got {
			if d.ID != fileDBs[i].ID || d.Logic != fileDBs[i].Logic {
				ps = append(ps, Problem{Field: "Database", Key: "database",
					Message: fmt.Sprintf("the file's database (%s) differs from %s's (%s)", dbRef(fileDBs[i]), tt.ParamName(), dbRef(d))})
				break
			}
		}
	}
	if f.AffectRows != nil && t.Rows.Total != f.AffectRows.Total {
		ps = append(ps, Problem{Field: "Affected rows", Key: "affectRows",
			Message: fmt.Sprintf("the file's figure (%d) differs from %s's (%d)", f.AffectRows.Total, tt.ParamName(), t.Rows.Total)})
	}
	if tt.AffectRows && !t.IgnoreAffectRows && f.AffectRows == nil {
		t.Rows.Source = RowsManual // the file vouches for the figure
	}
	ps = append(ps, t.Validate()...)
	if len(ps) > 0 {
		return Ticket{}, ps
	}
	return t, nil
}

func roundTrip(m map[string]any) (map[string]any, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// ReadTicketFile reads and validates a ticket file.
func ReadTicketFile(r io.Reader) (Ticket, error) {
	f, err := DecodeTicketFile(r)
	if err != nil {
		return Ticket{}, err
	}
	return f.Ticket()
}

// maxTicketFile bounds a ticket file: the SQL twice at most (a data
// change's script and its rollback), each up to six times longer escaped in
// JSON (a control character is \u00XX).
const maxTicketFile = 2 * 6 * MaxSQLBytes

// DecodeTicketFile reads a ticket file without validating the ticket (see
// TicketFile.Ticket).
func DecodeTicketFile(r io.Reader) (TicketFile, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxTicketFile+1))
	if err != nil {
		return TicketFile{}, err
	}
	if len(b) > maxTicketFile {
		return TicketFile{}, fmt.Errorf("not a dmsticket ticket file: larger than %s", HumanBytes(maxTicketFile))
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark, as an editor may save one
	if !utf8.Valid(b) {
		// JSON would read each bad byte as U+FFFD: the SQL sent would not
		// be the file's.
		at := invalidUTF8(string(b))
		return TicketFile{}, fmt.Errorf("not UTF-8 text (byte 0x%02X at offset %d): a ticket file is JSON in UTF-8; convert it first", b[at], at)
	}
	if err := duplicateKey(b); err != nil {
		return TicketFile{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var f TicketFile
	if err := dec.Decode(&f); err != nil {
		return TicketFile{}, fmt.Errorf("not a dmsticket ticket file: %v", err)
	}
	if dec.More() {
		return TicketFile{}, errors.New("not a dmsticket ticket file: data after the JSON object")
	}
	if out, err := json.Marshal(f); err == nil && bytes.Contains(out, []byte("\xef\xbf\xbd")) &&
		!bytes.Contains(b, []byte("\xef\xbf\xbd")) && !bytes.Contains(bytes.ToLower(b), []byte(`\ufffd`)) {
		// JSON reads an escape that is no character (a lone surrogate,
		// "\ud800") as U+FFFD: the text sent would not be the file's.
		return TicketFile{}, errors.New("not a dmsticket ticket file: it escapes a character that does not exist (a lone surrogate such as \\ud800)")
	}
	if sub := f.Submitted; sub != nil {
		switch {
		case sub.State != FileSending && sub.State != FileCreated:
			return TicketFile{}, fmt.Errorf("its submission record says %q, which is neither %q nor %q: remove the record (\"submitted\") to file the ticket, or restore the file", sub.State, FileSending, FileCreated)
		case sub.State == FileCreated && len(sub.OrderIDs) == 0:
			return TicketFile{}, fmt.Errorf("its submission record says a ticket was created, and names none: restore the file, or remove the record (\"submitted\") to file it again")
		}
	}
	return f, nil
}

// duplicateKey refuses a JSON object that names a key twice: encoding/json
// takes the last, so a file reviewed for its first "dbId" could file the
// second's database.
func duplicateKey(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	// Each open object's keys so far (nil for an array), and whether the
	// next token of the innermost object is a key.
	var stack []map[string]bool
	key := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // the end, or not JSON: the decoder says so
		}
		if key {
			if tok == json.Delim('}') {
				stack = stack[:len(stack)-1]
				key = len(stack) > 0 && stack[len(stack)-1] != nil
				continue
			}
			// encoding/json matches a key to a field ignoring case: two
			// spellings of one key are the same key.
			k, _ := tok.(string)
			if lk := strings.ToLower(k); stack[len(stack)-1][lk] {
				return fmt.Errorf("not a dmsticket ticket file: the key %q is there twice in one object (JSON readers keep one or the other)", k)
			} else {
				stack[len(stack)-1][lk], key = true, false
			}
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack, key = append(stack, map[string]bool{}), true
			continue
		case json.Delim('['):
			stack = append(stack, nil)
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value ended: in an object, a key comes next.
		key = len(stack) > 0 && stack[len(stack)-1] != nil
	}
}

// WriteFileAtomic writes data to path with mode 0600 through a temporary file
// in the same directory and a rename, so a crash never leaves half a file.
func WriteFileAtomic(path string, data []byte) error { return writeAtomic(path, data, false) }

// ErrFileExists refuses to save a new ticket file over a file: it may be a
// ticket file holding the record of the ticket it filed (written over, a
// run of it files that ticket again), or anything else of the user's.
var ErrFileExists = errors.New("a file of that name exists, and is kept: give another name")

// writeAtomic is WriteFileAtomic; onlyNew refuses an existing path
// (ErrFileExists), atomically: the temporary file is linked to path, which
// fails when path exists, where a rename would replace it.
func writeAtomic(path string, data []byte, onlyNew bool) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			os.Remove(name)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if onlyNew {
		err := os.Link(name, path)
		if err == nil {
			return nil // the deferred Remove drops the temporary name
		}
		if _, lerr := os.Lstat(path); errors.Is(err, os.ErrExist) || lerr == nil {
			return fmt.Errorf("%s: %w", inert.Line(path), ErrFileExists)
		}
		// No hard links on this file system: a rename, path being free.
		if err := os.Rename(name, path); err != nil {
			return err
		}
		ok = true
		return nil
	}
	if err := os.Rename(name, path); err != nil {
		return err
	}
	ok = true
	return nil
}

// WriteTicketFile saves a valid ticket as a new ticket file with mode 0600;
// an existing path is refused (ErrFileExists), never written over.
func WriteTicketFile(path string, t Ticket) error {
	f, err := NewTicketFile(t)
	if err != nil {
		return err
	}
	return writeAtomic(path, f.JSON(), true)
}

// dbRef names a database in a ticket file's problem: its ID, and "logical"
// for a logical one (the same ID, once logical and once not, are two
// databases).
func dbRef(d Database) string {
	if d.Logic {
		return fmt.Sprintf("%d, logical", d.ID)
	}
	return fmt.Sprintf("%d, not logical", d.ID)
}
