package dmssim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"dmsticket/dms"
)

// Seed is the world a Server answers from: tenants, users, instances,
// physical and logical databases with their tables. testdata/sim/README.md
// describes the JSON format; LoadSeed reads it.
type Seed struct {
	// Description says what the seed is for; the simulator ignores it.
	Description string `json:"description,omitempty"`
	// OrderIDStart is the ID of the first ticket CreateOrder stores; later
	// tickets count up from it. Zero means DefaultOrderIDStart.
	OrderIDStart   int64               `json:"orderIdStart,omitempty"`
	Tenants        []SeedTenant        `json:"tenants"`
	Users          []SeedUser          `json:"users"`
	Instances      []SeedInstance      `json:"instances"`
	Databases      []SeedDatabase      `json:"databases"`
	LogicDatabases []SeedLogicDatabase `json:"logicDatabases,omitempty"`

	// lines holds the line of each list element in the file it was loaded
	// from, by list name, for error messages.
	lines map[string][]int
}

// DefaultOrderIDStart is the first ticket ID when the seed sets none.
const DefaultOrderIDStart = 10000001

// SeedTenant is a DMS tenant.
type SeedTenant struct {
	Tid  int64  `json:"tid"`
	Name string `json:"name"`
}

// SeedUser is a DMS user. Tenants lists the tenants the user belongs to; the
// first is the user's active tenant.
type SeedUser struct {
	ID       int64   `json:"id"`
	Name     string  `json:"name"`
	NickName string  `json:"nickName,omitempty"`
	Tenants  []int64 `json:"tenants"`
}

// SeedInstance is a database instance registered in DMS. Its databases
// inherit its tenant, host, port, DB type and environment.
type SeedInstance struct {
	ID     string `json:"id"`
	Tid    int64  `json:"tid"`
	Alias  string `json:"alias,omitempty"`
	Host   string `json:"host"`
	Port   int    `json:"port"`
	Sid    string `json:"sid,omitempty"` // Oracle
	DbType string `json:"dbType"`
	Env    string `json:"env"`
	Dba    int64  `json:"dba,omitempty"` // a user ID
	// SecureHosting says the instance is in Security Collaboration mode, which
	// ExecuteScript needs. Absent means true.
	SecureHosting *bool `json:"secureHosting,omitempty"`
}

// SeedDatabase is a physical database (a schema on an instance).
type SeedDatabase struct {
	ID       int64  `json:"id"`
	Instance string `json:"instance"`
	Schema   string `json:"schema"`
	// Catalog defaults to "def" for the MySQL family, the schema name for the
	// PostgreSQL family and the SID for Oracle.
	Catalog  string  `json:"catalog,omitempty"`
	Alias    string  `json:"alias,omitempty"`
	Encoding string  `json:"encoding,omitempty"`
	Owners   []int64 `json:"owners,omitempty"`
	// SecureHosting overrides the instance's setting when present.
	SecureHosting *bool `json:"secureHosting,omitempty"`
	// QueryDeniedUsers lists users who lack query permission on the database:
	// ExecuteScript refuses them.
	QueryDeniedUsers []int64 `json:"queryDeniedUsers,omitempty"`
	// Tables maps table names to row counts: the planner statistics EXPLAIN
	// and COUNT answers are computed from.
	Tables map[string]int64 `json:"tables"`
}

// SeedLogicDatabase is a logical database: one name over several physical
// databases (shards) of the same tenant. Its tables are the members' tables,
// row counts summed.
type SeedLogicDatabase struct {
	ID               int64   `json:"id"`
	Tid              int64   `json:"tid"`
	Schema           string  `json:"schema"`
	Alias            string  `json:"alias,omitempty"`
	Env              string  `json:"env"`
	DbType           string  `json:"dbType"`
	Members          []int64 `json:"members"`
	Owners           []int64 `json:"owners,omitempty"`
	QueryDeniedUsers []int64 `json:"queryDeniedUsers,omitempty"`
}

// LoadSeedFile reads and checks a seed file.
func LoadSeedFile(path string) (*Seed, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the simulator seed: %w", err)
	}
	s, err := LoadSeed(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// LoadSeed reads a seed from JSON and checks it: unknown fields, wrong types,
// duplicate IDs and dangling references are errors that name the line and the
// field.
func LoadSeed(data []byte) (*Seed, error) {
	lines := newLineIndex(data)
	var probe any
	if err := json.Unmarshal(data, &probe); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("line %d: %v", lines.at(int(se.Offset)), err)
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("line %d: %v", lines.at(int(te.Offset)), err)
		}
		return nil, err
	}
	if _, ok := probe.(map[string]any); !ok {
		return nil, errors.New("line 1: a seed is a JSON object with tenants, users, instances and databases")
	}

	s := &Seed{lines: map[string][]int{}}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if _, err := dec.Token(); err != nil { // '{'
		return nil, err
	}
	for dec.More() {
		at := lines.at(skipSpace(data, int(dec.InputOffset())))
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", at, err)
		}
		key, _ := tok.(string)
		var derr error
		switch key {
		case "description":
			derr = decodeValue(dec, data, lines, key, &s.Description)
		case "orderIdStart":
			derr = decodeValue(dec, data, lines, key, &s.OrderIDStart)
		case "tenants":
			s.lines[key], derr = decodeList(dec, data, lines, key, &s.Tenants)
		case "users":
			s.lines[key], derr = decodeList(dec, data, lines, key, &s.Users)
		case "instances":
			s.lines[key], derr = decodeList(dec, data, lines, key, &s.Instances)
		case "databases":
			s.lines[key], derr = decodeList(dec, data, lines, key, &s.Databases)
		case "logicDatabases":
			s.lines[key], derr = decodeList(dec, data, lines, key, &s.LogicDatabases)
		default:
			return nil, fmt.Errorf("line %d: unknown field %q (a seed has description, orderIdStart, tenants, users, instances, databases, logicDatabases)", at, key)
		}
		if derr != nil {
			return nil, derr
		}
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// decodeValue decodes one top-level value.
func decodeValue(dec *json.Decoder, data []byte, lines lineIndex, field string, v any) error {
	at := lines.at(skipSpace(data, int(dec.InputOffset())))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("line %d: %s: %v", at, field, describeDecodeError(err))
	}
	return nil
}

// decodeList decodes a top-level array element by element, returning the
// line each element starts on.
func decodeList[T any](dec *json.Decoder, data []byte, lines lineIndex, field string, out *[]T) ([]int, error) {
	at := lines.at(skipSpace(data, int(dec.InputOffset())))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("line %d: %s: %v", at, field, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fmt.Errorf("line %d: %s must be a JSON array", at, field)
	}
	var starts []int
	for dec.More() {
		off := skipSpace(data, int(dec.InputOffset()))
		if off < len(data) && data[off] == ',' {
			off = skipSpace(data, off+1)
		}
		line := lines.at(off)
		var v T
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %s[%d]: %v", line, field, len(*out), describeDecodeError(err))
		}
		*out = append(*out, v)
		starts = append(starts, line)
	}
	if _, err := dec.Token(); err != nil { // ']'
		return nil, fmt.Errorf("%s: %v", field, err)
	}
	return starts, nil
}

func describeDecodeError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Sprintf("field %s: got a JSON %s, want %s", te.Field, te.Value, te.Type)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "the file ends in the middle of a value"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// lineIndex maps byte offsets to 1-based line numbers.
type lineIndex []int // offsets of line starts

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range data {
		if c == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (li lineIndex) at(off int) int {
	return sort.Search(len(li), func(i int) bool { return li[i] > off })
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// where names a list element for an error: "line 57: databases[12] (id 1100013)".
func (s *Seed) where(list string, i int, id any) string {
	loc := fmt.Sprintf("%s[%d] (id %v)", list, i, id)
	if ls := s.lines[list]; i < len(ls) {
		return fmt.Sprintf("line %d: %s", ls[i], loc)
	}
	return loc
}

// Validate checks the seed's consistency: IDs unique and positive, every
// reference defined, environments and DB types known, ports and row counts in
// range. It reports every problem, one per line.
func (s *Seed) Validate() error {
	var errs []string
	bad := func(where, format string, args ...any) {
		errs = append(errs, where+": "+fmt.Sprintf(format, args...))
	}
	if len(s.Tenants) == 0 {
		errs = append(errs, "tenants: a seed needs at least one tenant")
	}
	if s.OrderIDStart < 0 {
		errs = append(errs, "orderIdStart: must be positive")
	}
	// The checks more than one list makes.
	newID := func(w, field, noun string, id int64, seen map[int64]bool) {
		switch {
		case id <= 0:
			bad(w, "%s must be a positive number", field)
		case seen[id]:
			bad(w, "%s %d is defined twice", noun, id)
		}
		seen[id] = true
	}
	notEmpty := func(w, field, v string) {
		if strings.TrimSpace(v) == "" {
			bad(w, "%s is empty", field)
		}
	}
	knownEnv := func(w, env string) {
		if _, ok := dms.ParseEnv(env); !ok {
			bad(w, "env %q is not a DMS environment (%s)", env, envList())
		}
	}
	tenants := map[int64]bool{}
	knownTenant := func(w string, tid int64) {
		if !tenants[tid] {
			bad(w, "tid %d is not defined in tenants", tid)
		}
	}
	for i, t := range s.Tenants {
		w := s.where("tenants", i, t.Tid)
		newID(w, "tid", "tid", t.Tid, tenants)
		notEmpty(w, "name", t.Name)
	}
	users := map[int64]bool{}
	for i, u := range s.Users {
		w := s.where("users", i, u.ID)
		newID(w, "id", "user", u.ID, users)
		notEmpty(w, "name", u.Name)
		if len(u.Tenants) == 0 {
			bad(w, "tenants is empty: a user belongs to at least one tenant (the first is the active one)")
		}
		for _, tid := range u.Tenants {
			if !tenants[tid] {
				bad(w, "tenant %d is not defined in tenants", tid)
			}
		}
	}
	checkUsers := func(w, field string, ids []int64) {
		for _, id := range ids {
			if !users[id] {
				bad(w, "%s: user %d is not defined in users", field, id)
			}
		}
	}
	instances := map[string]SeedInstance{}
	for i, in := range s.Instances {
		w := s.where("instances", i, fmt.Sprintf("%q", in.ID))
		if strings.TrimSpace(in.ID) == "" {
			bad(w, "id is empty")
		} else if _, dup := instances[in.ID]; dup {
			bad(w, "instance %q is defined twice", in.ID)
		}
		instances[in.ID] = in
		knownTenant(w, in.Tid)
		notEmpty(w, "host", in.Host)
		if in.Port <= 0 || in.Port > 65535 {
			bad(w, "port %d is not a TCP port", in.Port)
		}
		notEmpty(w, "dbType", in.DbType)
		knownEnv(w, in.Env)
		if in.Dba != 0 {
			checkUsers(w, "dba", []int64{in.Dba})
		}
	}
	dbs := map[int64]int64{} // id -> tid of physical databases
	all := map[int64]bool{}
	for i, d := range s.Databases {
		w := s.where("databases", i, d.ID)
		newID(w, "id", "database", d.ID, all)
		in, ok := instances[d.Instance]
		if !ok {
			bad(w, "instance %q is not defined in instances", d.Instance)
		}
		dbs[d.ID] = in.Tid
		notEmpty(w, "schema", d.Schema)
		checkUsers(w, "owners", d.Owners)
		checkUsers(w, "queryDeniedUsers", d.QueryDeniedUsers)
		if len(d.Tables) == 0 {
			bad(w, "tables is empty: give each database at least one table with its row count")
		}
		for _, name := range sortedKeys(d.Tables) {
			if rows := d.Tables[name]; rows < 0 {
				bad(w, "tables.%s: row count %d is negative", name, rows)
			}
			if strings.TrimSpace(name) == "" {
				bad(w, "tables: a table name is empty")
			}
		}
	}
	for i, l := range s.LogicDatabases {
		w := s.where("logicDatabases", i, l.ID)
		newID(w, "id", "database", l.ID, all)
		knownTenant(w, l.Tid)
		notEmpty(w, "schema", l.Schema)
		notEmpty(w, "dbType", l.DbType)
		knownEnv(w, l.Env)
		if len(l.Members) == 0 {
			bad(w, "members is empty: a logical database spans at least one physical database")
		}
		for _, m := range l.Members {
			tid, ok := dbs[m]
			switch {
			case !ok:
				bad(w, "members: %d is not a physical database in databases", m)
			case tid != l.Tid:
				bad(w, "members: database %d belongs to tenant %d, not %d", m, tid, l.Tid)
			}
		}
		checkUsers(w, "owners", l.Owners)
		checkUsers(w, "queryDeniedUsers", l.QueryDeniedUsers)
	}
	if len(errs) == 0 {
		return nil
	}
	if len(errs) == 1 {
		return errors.New(errs[0])
	}
	return fmt.Errorf("%d problems in the seed:\n  %s", len(errs), strings.Join(errs, "\n  "))
}

func sortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func envList() string {
	names := make([]string, len(dms.Envs))
	for i, e := range dms.Envs {
		names[i] = string(e)
	}
	return strings.Join(names, ", ")
}
