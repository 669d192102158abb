package dmssim

import (
	"bytes"
	"sort"
	"strings"
)

// searchIndex makes SearchDatabase cheap over tens of thousands of databases:
// the lower-cased search text of every database of a tenant (search name and
// alias) is laid end to end in one buffer, separated by NUL bytes, so a search
// is a run of bytes.Index calls rather than one string comparison per
// database.
type searchIndex struct {
	dbs    []*database
	text   []byte
	starts []int32 // offset of each database's text in text
}

func buildSearchIndex(dbs []*database) searchIndex {
	size := 0
	for _, d := range dbs {
		size += len(d.searchName) + len(d.alias) + len(d.schema) + 3
	}
	idx := searchIndex{dbs: dbs, text: make([]byte, 0, size), starts: make([]int32, len(dbs))}
	for i, d := range dbs {
		idx.starts[i] = int32(len(idx.text))
		idx.text = appendLower(idx.text, d.searchName)
		idx.text = append(idx.text, 1)
		idx.text = appendLower(idx.text, d.alias)
		idx.text = append(idx.text, 0)
	}
	return idx
}

// appendLower appends s lower-cased: ASCII by hand, the rest through
// strings.ToLower.
func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return append(b, strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// searchFilter narrows a search.
type searchFilter struct {
	key     string // lower-cased; empty matches everything
	target  string // DB, SINGLE_DB, LOGIC_DB
	env     string // lower-cased, or empty
	dbType  string // lower-cased, or empty
	rangeOf string // SearchRange: OWNER, HAS_PERMSSION, MY_FOCUS, UNKNOWN or empty
	userID  int64
}

func (f *searchFilter) match(d *database) bool {
	switch f.target {
	case "SINGLE_DB":
		if d.logic {
			return false
		}
	case "LOGIC_DB":
		if !d.logic {
			return false
		}
	}
	if f.env != "" && d.env != f.env {
		return false
	}
	if f.dbType != "" && !strings.EqualFold(d.dbType, f.dbType) {
		return false
	}
	switch f.rangeOf {
	case "OWNER":
		for _, u := range d.owners {
			if u.id == f.userID {
				return true
			}
		}
		return false
	case "HAS_PERMSSION", "HAS_PERMISSION":
		return d.canQuery(f.userID)
	case "MY_FOCUS":
		return false // nobody follows anything in the simulator
	}
	return true
}

// search returns the total number of matches and the page [offset,
// offset+limit) of them, in index order.
func (idx *searchIndex) search(f searchFilter, offset, limit int) (int, []*database) {
	var page []*database
	total := 0
	take := func(d *database) {
		if !f.match(d) {
			return
		}
		if total >= offset && len(page) < limit {
			page = append(page, d)
		}
		total++
	}
	key := strings.NewReplacer("\x00", "", "\x01", "").Replace(f.key)
	if key == "" {
		for _, d := range idx.dbs {
			take(d)
		}
		return total, page
	}
	k := []byte(key)
	pos := 0
	for pos < len(idx.text) {
		hit := bytes.Index(idx.text[pos:], k)
		if hit < 0 {
			break
		}
		at := pos + hit
		i := sort.Search(len(idx.starts), func(i int) bool { return int(idx.starts[i]) > at }) - 1
		take(idx.dbs[i])
		if i+1 < len(idx.starts) {
			pos = int(idx.starts[i+1])
		} else {
			pos = len(idx.text)
		}
	}
	return total, page
}

// searchDatabaseJSON is the SDK's SearchDatabase struct.
type searchDatabaseJSON struct {
	dbFieldsJSON
	Alias        string `json:"Alias"`
	DatalinkName string `json:"DatalinkName"`
}

func searchDatabase(d *database) searchDatabaseJSON {
	return searchDatabaseJSON{dbFieldsJSON: dbFields(d), Alias: d.alias}
}

// opSearchDatabase answers SearchDatabase: a case-insensitive substring match
// of SearchKey against the search name (schema@host:port) and alias, filtered
// by SearchTarget, EnvType, DbType and SearchRange, paged, in a stable order
// (the seed's, then generated databases).
func opSearchDatabase(x *exchange) (any, *apiError) {
	t := x.tenant()
	offset, size := x.page()
	if x.bad != nil {
		return nil, x.bad
	}
	f := searchFilter{
		key:     strings.ToLower(strings.TrimSpace(x.str("SearchKey"))),
		target:  strings.ToUpper(x.str("SearchTarget")),
		env:     strings.ToLower(x.str("EnvType")),
		dbType:  x.str("DbType"),
		rangeOf: strings.ToUpper(x.str("SearchRange")),
		userID:  x.user.id,
	}
	switch f.target {
	case "", "DB", "SINGLE_DB", "LOGIC_DB":
	default:
		return nil, fail("InvalidParam", "SearchTarget %q is not one of DB, SINGLE_DB, LOGIC_DB.", x.str("SearchTarget"))
	}
	total, page := t.search.search(f, offset, size)
	list := make([]searchDatabaseJSON, len(page))
	for i, d := range page {
		list[i] = searchDatabase(d)
	}
	return pageOf(total, "SearchDatabaseList", "SearchDatabase", list), nil
}
