package dms_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"dmsticket/dms"
	"dmsticket/dms/dmssim/dmssimtest"
)

// resolveClient is a client against the bundled seed, as the demo user.
func resolveClient(t *testing.T) *dms.Client {
	t.Helper()
	return dmssimtest.New(t).Client
}

func TestResolveDatabaseFindsOneDatabaseByIDOrName(t *testing.T) {
	c := resolveClient(t)
	ctx := context.Background()
	for _, tc := range []struct {
		ref   string
		id    int64
		logic bool
	}{
		{"1100001", 1100001, false},                // physical ID
		{"1900001", 1900001, true},                 // logical ID
		{"orders@10.20.1.11:3306", 1100001, false}, // search name
		{"ORDERS@10.30.1.11:3306", 1100016, false}, // case-insensitive
		{"orders_sharded", 1900001, true},          // a logical database's name
		{"payroll", 1100004, false},                // a schema name only one database has
	} {
		d, err := dms.ResolveDatabase(ctx, c, 3000001, tc.ref)
		if err != nil {
			t.Errorf("%s: %v", tc.ref, err)
			continue
		}
		if d.ID != tc.id || d.Logic != tc.logic {
			t.Errorf("%s resolved to %d (logic %t), want %d (logic %t)", tc.ref, d.ID, d.Logic, tc.id, tc.logic)
		}
	}
}

func TestResolveDatabaseRefusesAnAmbiguousNameListingTheCandidates(t *testing.T) {
	c := resolveClient(t)
	_, err := dms.ResolveDatabase(context.Background(), c, 3000001, "orders")
	var re *dms.DatabaseRefError
	if !errors.As(err, &re) || !re.Ambiguous() {
		t.Fatalf("err = %v, want an ambiguous DatabaseRefError", err)
	}
	msg := err.Error()
	for _, want := range []string{"orders@10.20.1.11:3306 (ID 1100001, production, mysql)", "orders@10.30.1.11:3306 (ID 1100016, pre-release, mysql)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not list %q:\n%s", want, msg)
		}
	}
}

func TestResolveDatabaseSaysWhenNothingMatches(t *testing.T) {
	c := resolveClient(t)
	for _, ref := range []string{"9999999", "nosuch@10.0.0.1:3306", "nosuch"} {
		_, err := dms.ResolveDatabase(context.Background(), c, 3000001, ref)
		var re *dms.DatabaseRefError
		if !errors.As(err, &re) || re.Ambiguous() {
			t.Errorf("%s: err = %v, want a not-found DatabaseRefError", ref, err)
		}
	}
	// A database of another tenant is not found in this one.
	if _, err := dms.ResolveDatabase(context.Background(), c, 3000001, "1200001"); err == nil {
		t.Error("a database of tenant 3000002 resolved in tenant 3000001")
	}
}
