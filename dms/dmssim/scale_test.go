package dmssim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	dmse "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"
)

const scaleDBs = 50_000

// TestFiftyThousandDatabasesAreBuilt checks the generated world; how fast it
// builds is BenchmarkSimBuild50k's business.
func TestFiftyThousandDatabasesAreBuilt(t *testing.T) {
	s, err := New(Options{Seed: testSeed(t), ExtraDatabases: scaleDBs})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.world.tenants[0].dbs); n != 53+scaleDBs {
		t.Errorf("first tenant has %d databases, want %d", n, 53+scaleDBs)
	}
}

func TestGeneratedDatabasesAreDeterministicAndSpread(t *testing.T) {
	a, _ := New(Options{Seed: testSeed(t), ExtraDatabases: 1000})
	b, _ := New(Options{Seed: testSeed(t), ExtraDatabases: 1000})
	d42 := a.world.dbs[generatedDBBase+42]
	if d42 == nil || d42.schema != "app_00042_orders" || !strings.HasPrefix(d42.searchName, "app_00042_orders@10.") {
		t.Fatalf("database 42 = %+v", d42)
	}
	envs, types := map[string]int{}, map[string]int{}
	for i := 1; i <= 1000; i++ {
		x, y := a.world.dbs[int64(generatedDBBase+i)], b.world.dbs[int64(generatedDBBase+i)]
		if x.searchName != y.searchName || x.alias != y.alias || fmt.Sprint(x.tables) != fmt.Sprint(y.tables) || x.env != y.env {
			t.Fatalf("database %d differs between builds: %+v / %+v", i, x, y)
		}
		envs[x.env]++
		types[x.dbType]++
	}
	if len(envs) != 8 || len(types) != 5 {
		t.Errorf("environments %v, types %v: want all eight environments and five types", envs, types)
	}
}

// naiveCount counts matches the slow way, to check the index.
func naiveCount(t *tenant, key, env, dbType string) int {
	n := 0
	for _, d := range t.dbs {
		text := strings.ToLower(d.searchName + "\x01" + d.alias)
		if strings.Contains(text, key) && (env == "" || d.env == env) && (dbType == "" || strings.EqualFold(d.dbType, dbType)) {
			n++
		}
	}
	return n
}

func TestSearchOverFiftyThousandReturnsCorrectTotals(t *testing.T) {
	s, err := New(Options{Seed: testSeed(t), ExtraDatabases: scaleDBs})
	if err != nil {
		t.Fatal(err)
	}
	tn := s.world.tenants[0]
	cases := []struct{ key, env, dbType string }{
		{"", "", ""}, {"orders", "", ""}, {"_orders", "", ""}, {"app_0004", "", ""}, {"ORDERS", "dev", ""},
		{"billing", "product", "mysql"}, {"10.200.0.", "", ""}, {"(stag)", "", "polardb-pg"}, {"no such database", "", ""},
		{"app_49999_", "", ""}, {"audit", "test", ""},
	}
	for _, tc := range cases {
		key := strings.ToLower(tc.key)
		total, page := tn.search.search(searchFilter{key: key, env: tc.env, dbType: tc.dbType}, 0, 20)
		if want := naiveCount(tn, key, tc.env, tc.dbType); total != want {
			t.Errorf("search %+v: total %d, want %d", tc, total, want)
		}
		if len(page) != min(total, 20) {
			t.Errorf("search %+v: page of %d", tc, len(page))
		}
	}
	if total, _ := tn.search.search(searchFilter{key: "_orders"}, 0, 1); total != scaleDBs/11 {
		t.Errorf("_orders: %d, want %d", total, scaleDBs/11)
	}

	// Through the SDK.
	r := startSim(t, Options{ExtraDatabases: scaleDBs})
	c := sdkClient(t, r, r.Credential)
	resp := search(t, c, func(req *dmse.SearchDatabaseRequest) {
		req.SearchKey = "orders"
		req.EnvType = "pet"
		req.PageSize = requests.NewInteger(1000)
		req.PageNumber = requests.NewInteger(2)
	})
	want := naiveCount(r.Server.world.tenants[0], "orders", "pet", "")
	if int(resp.TotalCount) != want || len(resp.SearchDatabaseList.SearchDatabase) != max(0, min(1000, want-1000)) {
		t.Errorf("SDK search: total %d (want %d), %d items on page 2", resp.TotalCount, want, len(resp.SearchDatabaseList.SearchDatabase))
	}
	start := time.Now()
	search(t, c, func(req *dmse.SearchDatabaseRequest) { req.SearchKey = "app_1" })
	t.Logf("one SDK round trip over %d databases: %v", scaleDBs, time.Since(start))
}

func BenchmarkSimSearch50k(b *testing.B) {
	s, err := New(Options{Seed: testSeed(b), ExtraDatabases: scaleDBs})
	if err != nil {
		b.Fatal(err)
	}
	tn := s.world.tenants[0]
	for _, bc := range []struct{ name, key, env string }{
		{"key=orders", "orders", ""},
		{"key=app_4", "app_4", ""},
		{"key=none", "no such database", ""},
		{"key=empty/env=dev", "", "dev"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tn.search.search(searchFilter{key: bc.key, env: bc.env}, 0, 20)
			}
		})
	}
	b.Run("sdk-round-trip", func(b *testing.B) {
		r := startSim(b, Options{ExtraDatabases: scaleDBs})
		c := sdkClient(b, r, r.Credential)
		req := dmse.CreateSearchDatabaseRequest()
		req.SearchKey = "orders"
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.SearchDatabase(req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkSimBuild50k(b *testing.B) {
	seed := testSeed(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(Options{Seed: seed, ExtraDatabases: scaleDBs}); err != nil {
			b.Fatal(err)
		}
	}
}

// A number of generated databases past MaxExtraDatabases is refused before
// anything is built (2,000,000,000 crashed the process asking for 240 GB:
// found by an adversarial run).
func TestTooManyGeneratedDatabasesAreRefused(t *testing.T) {
	for _, n := range []int{-1, MaxExtraDatabases + 1, 2_000_000_000} {
		if _, err := New(Options{Seed: testSeed(t), ExtraDatabases: n}); err == nil || !strings.Contains(err.Error(), "from 0 to") {
			t.Errorf("%d generated databases: %v, want a refusal", n, err)
		}
	}
}
