package dmssim

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"dmsticket/dms/sqlscript"
)

// This file writes an export's file. The seed has tables with row counts but
// no columns or rows, so the rows are made up, deterministically: each
// statement's result has the columns its SELECT list names (an alias, a
// column's name, else the expression as written; * stands for id, name,
// status, amount, created_at) and as many rows as its COUNT figure, capped
// at MaxExportRows. A value derives from its column's name (id, *_id,
// times and dates, amounts, counts, status, email, flags, text) and its row
// number, so the same ticket always exports the same bytes.

// MaxExportRows caps the rows of each statement's result in an export file
// (ActualAffectRows still reports the uncapped figure).
const MaxExportRows = 10_000

// ExportFile is a finished export's file, as its download serves it.
type ExportFile struct {
	// Name is the file name the download suggests: ORDERID.csv, .sql, .xlsx
	// or .json.
	Name        string
	ContentType string
	Data        []byte
}

// ExportFile returns the file of a finished export (EXPORT_SUCCESS); ok is
// false for any other ticket. Tests compare downloads with it.
func (s *Server) ExportFile(orderID int64) (f ExportFile, ok bool) {
	now := s.now()
	s.mu.Lock()
	o := s.ordersByID[orderID]
	var src exportSource
	if o != nil {
		s.settle(o, now)
		src, ok = s.exportSourceOf(o)
	}
	s.mu.Unlock()
	if !ok {
		return ExportFile{}, false
	}
	f, err := src.file()
	return f, err == nil
}

// exportSource is what an export's file is written from: a snapshot, so
// that the file is written without the server's lock.
type exportSource struct {
	orderID    int64
	fileType   string
	db         *database
	statements []checkedStatement
}

// exportSourceOf is the source of a finished export. Called with s.mu held.
func (s *Server) exportSourceOf(o *Order) (exportSource, bool) {
	l := o.life
	if l.phase != phaseDone || l.job == nil {
		return exportSource{}, false
	}
	return exportSource{orderID: o.OrderID, fileType: l.job.fileType, db: s.world.dbs[o.DatabaseID], statements: l.precheck.statements}, true
}

// resultSet is one statement's made-up result.
type resultSet struct {
	table   string // the first table the statement names: the SQL file's INSERT target
	columns []string
	rows    int64
}

// value is one made-up cell: a number (JSON and SQL literal as is) or text.
type value struct {
	text   string
	number bool
}

// file writes the export's file.
func (src exportSource) file() (ExportFile, error) {
	dl := src.db.dialect()
	sets := make([]resultSet, len(src.statements))
	for i, st := range src.statements {
		rs := resultSet{table: "result", columns: selectColumns(st.sql, dl), rows: min(st.rows, MaxExportRows)}
		if len(st.q.tables) > 0 {
			rs.table = st.q.tables[0].name
		}
		sets[i] = rs
	}
	name := strconv.FormatInt(src.orderID, 10)
	var (
		data []byte
		err  error
		f    ExportFile
	)
	switch src.fileType {
	case "SQL":
		data = sqlFile(sets, dl)
		f = ExportFile{Name: name + ".sql", ContentType: "application/sql; charset=utf-8"}
	case "JSON":
		data = jsonFile(sets)
		f = ExportFile{Name: name + ".json", ContentType: "application/json; charset=utf-8"}
	case "XLSX":
		data, err = xlsxFile(sets)
		f = ExportFile{Name: name + ".xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
	default:
		data = csvFile(sets)
		f = ExportFile{Name: name + ".csv", ContentType: "text/csv; charset=utf-8"}
	}
	f.Data = data
	return f, err
}

// csvFile is RFC 4180 CSV (encoding/csv, LF line ends): each result's header
// and rows, results separated by an empty line.
func csvFile(sets []resultSet) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for i, rs := range sets {
		if i > 0 {
			_ = w.Write(nil)
		}
		_ = w.Write(rs.columns)
		rec := make([]string, len(rs.columns))
		for r := int64(1); r <= rs.rows; r++ {
			for c, col := range rs.columns {
				rec[c] = madeUp(col, r).text
			}
			_ = w.Write(rec)
		}
	}
	w.Flush()
	return b.Bytes()
}

// jsonFile is one JSON array of objects, one a line, keys in column order,
// every result's rows in turn.
func jsonFile(sets []resultSet) []byte {
	var b bytes.Buffer
	b.WriteString("[")
	first := true
	for _, rs := range sets {
		keys := make([][]byte, len(rs.columns))
		for c, col := range rs.columns {
			keys[c] = mustJSON(col)
		}
		for r := int64(1); r <= rs.rows; r++ {
			if !first {
				b.WriteByte(',')
			}
			first = false
			b.WriteString("\n{")
			for c, col := range rs.columns {
				if c > 0 {
					b.WriteByte(',')
				}
				b.Write(keys[c])
				b.WriteByte(':')
				v := madeUp(col, r)
				if v.number {
					b.WriteString(v.text)
				} else {
					b.Write(mustJSON(v.text))
				}
			}
			b.WriteByte('}')
		}
	}
	b.WriteString("\n]\n")
	return b.Bytes()
}

// sqlFile is one INSERT statement per row, into the statement's first
// table, identifiers quoted for the database's dialect.
func sqlFile(sets []resultSet, dl sqlscript.Dialect) []byte {
	var b bytes.Buffer
	for _, rs := range sets {
		cols := make([]string, len(rs.columns))
		for c, col := range rs.columns {
			cols[c] = quoteIdent(dl, col)
		}
		head := "INSERT INTO " + quoteIdent(dl, rs.table) + " (" + strings.Join(cols, ", ") + ") VALUES ("
		for r := int64(1); r <= rs.rows; r++ {
			b.WriteString(head)
			for c, col := range rs.columns {
				if c > 0 {
					b.WriteString(", ")
				}
				v := madeUp(col, r)
				if v.number {
					b.WriteString(v.text)
				} else {
					b.WriteString(quoteString(dl, v.text))
				}
			}
			b.WriteString(");\n")
		}
	}
	return b.Bytes()
}

// xlsxFile is a workbook with one sheet per result (Sheet1, Sheet2, …): the
// header in row 1, numbers as numbers.
func xlsxFile(sets []resultSet) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	for i, rs := range sets {
		sheet := "Sheet" + strconv.Itoa(i+1)
		if i > 0 {
			if _, err := f.NewSheet(sheet); err != nil {
				return nil, err
			}
		}
		sw, err := f.NewStreamWriter(sheet)
		if err != nil {
			return nil, err
		}
		row := make([]any, len(rs.columns))
		for c, col := range rs.columns {
			row[c] = col
		}
		if err := sw.SetRow("A1", row); err != nil {
			return nil, err
		}
		for r := int64(1); r <= rs.rows; r++ {
			for c, col := range rs.columns {
				row[c] = madeUp(col, r).xlsx()
			}
			ref, _ := excelize.CoordinatesToCellName(1, int(r)+1)
			if err := sw.SetRow(ref, row); err != nil {
				return nil, err
			}
		}
		if err := sw.Flush(); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// xlsx is the value as a spreadsheet cell: a number or text.
func (v value) xlsx() any {
	if v.number {
		if n, err := strconv.ParseInt(v.text, 10, 64); err == nil {
			return n
		}
		if x, err := strconv.ParseFloat(v.text, 64); err == nil {
			return x
		}
	}
	return v.text
}

func quoteIdent(dl sqlscript.Dialect, name string) string {
	if dl == sqlscript.MySQL {
		return "`" + strings.ReplaceAll(name, "`", "``") + "`"
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

func quoteString(dl sqlscript.Dialect, s string) string {
	s = strings.ReplaceAll(s, "'", "''")
	if dl == sqlscript.MySQL {
		s = strings.ReplaceAll(s, `\`, `\\`)
	}
	return "'" + s + "'"
}

// starColumns are what * stands for, and the columns of a result whose
// SELECT list cannot be read.
var starColumns = []string{"id", "name", "status", "amount", "created_at"}

// notAliases are words that can end a select item without being its alias.
var notAliases = map[string]bool{"end": true, "null": true, "true": true, "false": true}

// selectColumns names the columns of a SELECT's result: for each item of
// its outermost select list, its alias, the column it names, or the
// expression as written; * and t.* are starColumns. Names are made unique
// (a second id is id_2). A statement whose select list cannot be found
// gives starColumns.
func selectColumns(sql string, dl sqlscript.Dialect) []string {
	var toks []sqlscript.Token
	for _, t := range sqlscript.Tokens(sql, dl) {
		if t.Kind != sqlscript.Comment {
			toks = append(toks, t)
		}
	}
	isWord := func(t sqlscript.Token, w string) bool { return t.Kind == sqlscript.Word && t.Norm == w }
	isPunct := func(t sqlscript.Token, p string) bool { return t.Kind == sqlscript.Punct && t.Text == p }
	// The outermost SELECT: the first at depth 0 (after any WITH list).
	depth, start := 0, -1
	for i, t := range toks {
		switch {
		case isPunct(t, "("):
			depth++
		case isPunct(t, ")"):
			depth--
		case depth == 0 && isWord(t, "select"):
			start = i + 1
		}
		if start >= 0 {
			break
		}
	}
	if start < 0 {
		return starColumns
	}
	for start < len(toks) && (isWord(toks[start], "distinct") || isWord(toks[start], "all") || isWord(toks[start], "distinctrow")) {
		start++
	}
	var items [][]sqlscript.Token
	var cur []sqlscript.Token
	depth = 0
scan:
	for _, t := range toks[start:] {
		switch {
		case isPunct(t, "("):
			depth++
		case isPunct(t, ")"):
			depth--
		case depth == 0 && (isWord(t, "from") || isWord(t, "into") || isWord(t, "union") || isWord(t, "where") || isWord(t, "limit")):
			break scan
		case depth == 0 && isPunct(t, ","):
			items = append(items, cur)
			cur = nil
			continue
		}
		cur = append(cur, t)
	}
	items = append(items, cur)
	var cols []string
	for _, it := range items {
		if len(it) == 0 {
			return starColumns
		}
		cols = append(cols, itemColumns(sql, it)...)
	}
	return uniqueNames(cols)
}

// itemColumns names the column(s) of one select item.
func itemColumns(sql string, it []sqlscript.Token) []string {
	name := func(t sqlscript.Token) bool {
		return t.Kind == sqlscript.Word || t.Kind == sqlscript.QuotedIdent
	}
	text := func(t sqlscript.Token) string {
		if t.Kind == sqlscript.QuotedIdent {
			return t.Norm
		}
		return t.Text
	}
	last := it[len(it)-1]
	switch {
	case last.Kind == sqlscript.Punct && last.Text == "*":
		return starColumns
	case len(it) == 1 && name(last):
		return []string{text(last)}
	case len(it) >= 2 && name(last) && !notAliases[strings.ToLower(last.Text)]:
		prev := it[len(it)-2]
		switch {
		case prev.Kind == sqlscript.Word && prev.Norm == "as":
			return []string{text(last)}
		case prev.Kind == sqlscript.Punct && prev.Text == ".":
			return []string{text(last)} // t.col
		case name(prev) || prev.Kind == sqlscript.Number || prev.Kind == sqlscript.String || prev.Kind == sqlscript.Punct && prev.Text == ")":
			return []string{text(last)} // an alias without AS
		}
	}
	return []string{strings.TrimSpace(sql[it[0].Start:last.End])}
}

// uniqueNames makes names unique and not empty: a repeat gets _2, _3, …; an
// empty name is column_N.
func uniqueNames(cols []string) []string {
	seen := map[string]bool{}
	out := make([]string, len(cols))
	for i, c := range cols {
		if c == "" {
			c = "column_" + strconv.Itoa(i+1)
		}
		n := c
		for k := 2; seen[strings.ToLower(n)]; k++ {
			n = c + "_" + strconv.Itoa(k)
		}
		seen[strings.ToLower(n)] = true
		out[i] = n
	}
	return out
}

// exportEpoch is where made-up times start.
var exportEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

var statuses = []string{"new", "paid", "shipped", "delivered", "cancelled"}

// madeUp is the made-up value of column col in row r (1-based).
func madeUp(col string, r int64) value {
	l := strings.ToLower(col)
	h := int64(hash64("cell", l) % 1_000_003)
	num := func(n int64) value { return value{text: strconv.FormatInt(n, 10), number: true} }
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(l, w) {
				return true
			}
		}
		return false
	}
	switch {
	case l == "id":
		return num(r)
	case strings.HasSuffix(l, "_id") || strings.HasSuffix(l, "id") && len(l) <= 4:
		return num(1 + (r*7919+h)%1_000_000)
	case has("date", "time") || strings.HasSuffix(l, "_at") || l == "created" || l == "updated":
		t := exportEpoch.Add(time.Duration(r*(60+h%3600)) * time.Second)
		if has("date") && !has("time") {
			return value{text: t.Format("2006-01-02")}
		}
		return value{text: t.Format("2006-01-02 15:04:05")}
	case has("amount", "total", "price", "revenue", "cost", "balance", "salary", "sum", "avg", "fee"):
		cents := (r*104729 + h) % 10_000_000
		return value{text: fmt.Sprintf("%d.%02d", cents/100, cents%100), number: true}
	case has("count", "qty", "quantity", "num", "rows", "age", "level", "score"):
		return num((r*31 + h) % 1000)
	case l == "status" || strings.HasSuffix(l, "_status") || l == "state":
		return value{text: statuses[(r+h)%int64(len(statuses))]}
	case has("email", "mail"):
		return value{text: "user" + strconv.FormatInt(r, 10) + "@example.com"}
	case strings.HasPrefix(l, "is_") || strings.HasPrefix(l, "has_") || has("flag", "active", "enabled", "deleted"):
		return num((r + h) % 2)
	}
	return value{text: col + " " + strconv.FormatInt(r, 10)}
}
