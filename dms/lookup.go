package dms

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Submission is a ticket-creating request on its way: what was sent, when,
// and the newest ticket the caller could see just before it went out. It is
// written down (in the draft, in the ticket file) before the request is sent,
// so that after a crash, a dropped connection or a lost answer the ticket is
// looked up before anything can be sent again.
type Submission struct {
	Request OrderRequest `json:"request"`
	// SHA256 identifies the request (RequestHash).
	SHA256 string    `json:"requestSha256"`
	SentAt time.Time `json:"sentAt"`
	// Watermark is the newest ticket ID the caller's ListOrders showed before
	// the send: a ticket this submission created has a higher ID. 0: the
	// list showed none; NoWatermark: the list could not be read.
	Watermark int64 `json:"watermark,omitempty"`
}

// NoWatermark is a Submission's Watermark when the list could not be read
// before the send: a match created before the send is then not sure to be
// the submission's (Lookup.Unsure).
const NoWatermark = -1

// NewSubmission records r as sent at sentAt.
func NewSubmission(r OrderRequest, sentAt time.Time, watermark int64) Submission {
	return Submission{Request: r, SHA256: RequestHash(r), SentAt: sentAt, Watermark: watermark}
}

// RequestHash is the hex SHA-256 of a request's canonical JSON: the same
// request always hashes the same, any difference changes it.
func RequestHash(r OrderRequest) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(r) // map keys are sorted: canonical
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:])
}

// WatermarkOf is the newest ticket ID the caller can see among their own
// tickets in tenant tid (ListOrders as committer, newest first). Ticket IDs
// grow, so a ticket with a higher ID was created after this call.
func WatermarkOf(ctx context.Context, s Service, tid int64) (int64, error) {
	orders, err := s.FindOrders(ctx, OrderQuery{Tid: tid, AsCommitter: true, PageSize: 10})
	if err != nil {
		return 0, err
	}
	var hi int64
	for _, o := range orders {
		hi = max(hi, o.ID)
	}
	return hi, nil
}

// lookupMargin is how far before the send a ticket may seem to have been
// created and still be this submission's: DMS's times have a resolution of a
// second and its clock is not this machine's. The request's contents decide;
// the watermark, when known, is exact.
const lookupMargin = 2 * time.Minute

// lookupAfter is how long after the send a ticket may seem to have been
// created and still be this submission's: the answer's wait (the read
// timeout) and the clocks' difference. A ticket created later was filed by
// something else, even with the same contents.
const lookupAfter = 5 * time.Minute

// lookupPages bounds the ListOrders pages a lookup reads.
const lookupPages = 5

// Lookup is what a lookup found: the tickets whose contents match the whole
// request, newest first, and what was compared.
type Lookup struct {
	Matches []Order
	// Compared names what was read back from DMS and compared, in words:
	// "type, comment, related users, attachment key, database, SQL, reason".
	Compared []string
	// Unchecked names what DMS does not report back for this type, so it
	// could not be compared.
	Unchecked []string
	// Since is the earliest creation time considered.
	Since time.Time
	// Unsure says a match cannot be told from another ticket of the same
	// contents: DMS reports none of the type's own fields back (a schema
	// design's database and title), so two tickets of one comment on two
	// databases look alike; or no watermark was read before the send and
	// the match was created before it by DMS's clock (an identical ticket
	// filed a minute earlier looks alike). No match is then claimed.
	Unsure bool
	// UnsureWhy says why, in words, when Unsure.
	UnsureWhy string
}

// Found is the one matching ticket; false when there is none, several, or
// the match is not sure to be this submission's (Unsure).
func (l Lookup) Found() (Order, bool) {
	if len(l.Matches) != 1 || l.Unsure {
		return Order{}, false
	}
	return l.Matches[0], true
}

// Several reports that the matches cannot be told apart from other tickets:
// more than one matches, or one that is not sure to be this submission's.
// None is picked.
func (l Lookup) Several() bool { return len(l.Matches) > 1 || l.Unsure && len(l.Matches) > 0 }

// LookUp looks for the ticket a submission whose answer was lost may have
// created. It reads the caller's own tickets of the request's type with its
// comment, created after the submission was sent (newer than the watermark;
// no earlier than lookupMargin before the send), and keeps those whose whole
// request, as DMS reports it back, is this one: type, comment, related users,
// attachment key (GetOrderBaseInfo), and the type's own fields through its
// detail call (an export's database, SQL and reason). Several matches are
// all returned, never one picked among them.
func LookUp(ctx context.Context, s Service, sub Submission) (Lookup, error) {
	r := sub.Request
	l := Lookup{Since: sub.SentAt.Add(-lookupMargin)}
	tt, known := LookupType(r.PluginType)
	l.Compared = []string{"type", "comment", "related users", "attachment key"}
	if known {
		for _, f := range tt.Fields {
			if f.ReadBack != nil && tt.Detail != NoDetail {
				l.Compared = append(l.Compared, lowerFirst(f.Label))
			} else if f.Source != FromRelatedUsers {
				l.Unchecked = append(l.Unchecked, lowerFirst(f.Label))
			}
		}
	}
	var candidates []Order
	seen := map[int64]bool{}
	for page := 1; page <= lookupPages; page++ {
		q := OrderQuery{Tid: r.Tid, PluginType: r.PluginType, Search: r.Comment, Since: l.Since, AsCommitter: true, Page: page, PageSize: 50}
		orders, err := s.FindOrders(ctx, q)
		if err != nil {
			return Lookup{}, err
		}
		for _, o := range orders {
			if seen[o.ID] || o.Comment != r.Comment || (o.PluginType != "" && o.PluginType != r.PluginType) {
				continue
			}
			if sub.Watermark > 0 && o.ID <= sub.Watermark {
				continue // there before the request was sent
			}
			if !o.Created.IsZero() && (o.Created.Before(l.Since) || o.Created.After(sub.SentAt.Add(lookupAfter))) {
				continue
			}
			seen[o.ID] = true
			candidates = append(candidates, o)
		}
		if len(orders) < q.PageSize {
			break
		}
	}
	for _, c := range candidates {
		full, ok, compared, err := matches(ctx, s, sub, c)
		if err != nil {
			return Lookup{}, err
		}
		if ok {
			l.Matches = append(l.Matches, full)
			early := sub.Watermark == NoWatermark && !c.Created.IsZero() && c.Created.Before(sub.SentAt.Truncate(time.Second))
			switch {
			case !compared && l.UnsureWhy == "":
				l.UnsureWhy = "DMS reports none of this type's own fields back (" + strings.Join(l.Unchecked, ", ") + "), so a ticket of the same comment on another database looks the same"
			case early && l.UnsureWhy == "":
				l.UnsureWhy = "it was created before this request was sent, by DMS's clock, and the newest ticket ID could not be read before the send to tell an earlier identical ticket from it"
			}
			l.Unsure = l.Unsure || !compared || early
		}
	}
	sort.SliceStable(l.Matches, func(i, j int) bool { return l.Matches[i].ID > l.Matches[j].ID })
	return l, nil
}

// matches reads candidate c back from DMS and compares it with the request;
// compared says the type's own fields were read back and compared too (its
// detail call answered).
func matches(ctx context.Context, s Service, sub Submission, c Order) (full Order, ok, compared bool, err error) {
	r := sub.Request
	full, err = s.Order(ctx, r.Tid, c.ID)
	if err != nil {
		return Order{}, false, false, err
	}
	if full.Comment != r.Comment || (full.PluginType != "" && full.PluginType != r.PluginType) || full.AttachmentKey != r.AttachmentKey {
		return full, false, false, nil
	}
	// DMS may add people to a ticket (its owners, the committer): every user
	// the request named must be there.
	want, err := ParseUserIDs(r.RelatedUserList)
	if err != nil {
		return full, false, false, nil
	}
	have := map[int64]bool{}
	for _, id := range full.RelatedUsers {
		have[id] = true
	}
	for _, id := range want {
		if !have[id] {
			return full, false, false, nil
		}
	}
	tt, known := LookupType(r.PluginType)
	if !known || tt.Detail == NoDetail {
		return full, true, false, nil
	}
	d, err := s.Detail(ctx, r.Tid, c.ID, r.PluginType)
	if errors.Is(err, ErrNoDetail) {
		return full, true, false, nil
	}
	if err != nil {
		return Order{}, false, false, err
	}
	for _, f := range tt.Fields {
		if f.ReadBack == nil {
			continue
		}
		got, reported := f.ReadBack(d)
		sent, present := r.Params()[f.Key]
		if !reported {
			continue
		}
		if !present && f.Type == JSONString {
			// A key sent only when given (a data change's RollbackSQL)
			// was not: the ticket must hold none.
			sent = ""
		} else if !present {
			return full, false, true, nil
		}
		if !sameValue(f.Type, sent, got) {
			return full, false, true, nil
		}
	}
	return full, true, true, nil
}

// sameValue compares a sent parameter value with the one read back.
func sameValue(typ JSONType, sent, got any) bool {
	a, err1 := coerce(typ, sent)
	b, err2 := coerce(typ, got)
	if err1 != nil || err2 != nil {
		return false
	}
	if typ == JSONString {
		return normalizeText(a.(string)) == normalizeText(b.(string))
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// normalizeText forgets line-ending and edge-whitespace differences, which
// a store may introduce and which do not make another request.
func normalizeText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// lowerFirst lower-cases a label's first word for the middle of a sentence,
// unless it is an acronym ("SQL" stays).
func lowerFirst(s string) string {
	word, _, _ := strings.Cut(s, " ")
	if len(word) > 1 && strings.ToUpper(word) == word {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
