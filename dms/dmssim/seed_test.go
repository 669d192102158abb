package dmssim

import (
	"strings"
	"testing"

	dmse "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"

	"dmsticket/dms"
)

func TestBundledSeedCoversTheDemo(t *testing.T) {
	s := testSeed(t)
	if len(s.Tenants) != 2 {
		t.Errorf("%d tenants, want 2", len(s.Tenants))
	}
	var demoUser *SeedUser
	for i := range s.Users {
		if s.Users[i].ID == DefaultCredential.UserID {
			demoUser = &s.Users[i]
		}
	}
	if demoUser == nil || len(demoUser.Tenants) != 2 || demoUser.Tenants[0] != s.Tenants[0].Tid {
		t.Fatalf("demo user = %+v: want user %d in both tenants, the first active", demoUser, DefaultCredential.UserID)
	}
	if len(s.Users) < 4 {
		t.Errorf("%d users", len(s.Users))
	}
	if len(s.Databases) < 48 {
		t.Errorf("%d databases, want at least 48", len(s.Databases))
	}
	if len(s.LogicDatabases) < 3 {
		t.Errorf("%d logical databases, want at least 3", len(s.LogicDatabases))
	}
	instances := map[string]SeedInstance{}
	for _, in := range s.Instances {
		instances[in.ID] = in
		if !strings.HasPrefix(in.Host, "10.") {
			t.Errorf("instance %s host %s is not a 10.x address", in.ID, in.Host)
		}
	}
	envs, types := map[string]int{}, map[string]int{}
	var insecure, denied, huge, small int
	var hostile *SeedDatabase
	for i, d := range s.Databases {
		in := instances[d.Instance]
		envs[in.Env]++
		types[in.DbType]++
		if (d.SecureHosting != nil && !*d.SecureHosting) || (d.SecureHosting == nil && in.SecureHosting != nil && !*in.SecureHosting) {
			insecure++
		}
		for _, u := range d.QueryDeniedUsers {
			if u == DefaultCredential.UserID {
				denied++
			}
		}
		for _, rows := range d.Tables {
			if rows > 100_000_000 {
				huge++
			}
			if rows < 100 {
				small++
			}
		}
		if strings.Contains(d.Schema, "\x1b") {
			hostile = &s.Databases[i]
		}
	}
	for _, e := range dms.Envs {
		if envs[string(e)] == 0 {
			t.Errorf("no database in environment %s", e)
		}
	}
	for _, typ := range []string{"mysql", "polardb", "postgresql", "polardb-pg", "mariadb", "oracle"} {
		if types[typ] == 0 {
			t.Errorf("no database of type %s", typ)
		}
	}
	if insecure < 2 || denied != 1 || huge == 0 || small == 0 {
		t.Errorf("insecure %d, denied to the demo user %d, huge tables %d, small %d", insecure, denied, huge, small)
	}
	if hostile == nil {
		t.Fatal("no database with a hostile schema name")
	}
	if in := instances[hostile.Instance]; in.Env != "test" || in.Tid != s.Tenants[0].Tid {
		t.Errorf("hostile database in %s of tenant %d, want test of the first tenant", in.Env, in.Tid)
	}
	both := hostile.Schema + hostile.Alias
	for name, seq := range map[string]string{
		"clear screen": "\x1b[2J", "OSC title": "\x1b]0;pwned\a", "OSC 52 clipboard": "\x1b]52;",
		"C1 CSI": "\u009b", "bidi override": "\u202e",
	} {
		if !strings.Contains(both, seq) {
			t.Errorf("hostile database lacks the %s sequence", name)
		}
	}
}

func TestLoadSeedErrorsNameTheLineAndField(t *testing.T) {
	valid := func(databases string) string {
		return `{
  "tenants": [{"tid": 1, "name": "T"}],
  "users": [{"id": 7, "name": "u", "tenants": [1]}],
  "instances": [{"id": "i1", "tid": 1, "host": "10.0.0.1", "port": 3306, "dbType": "mysql", "env": "dev"}],
  "databases": [
    {"id": 10, "instance": "i1", "schema": "a", "tables": {"t": 1}},
` + databases + `
  ]
}`
	}
	cases := []struct {
		name, data string
		wants      []string
	}{
		{"syntax", "{\n  \"tenants\": [\n    {\"tid\": 1,,}\n  ]\n}", []string{"line 3"}},
		{"unknown field", valid(`    {"id": 11, "instance": "i1", "schema": "b", "tables": {"t": 1}, "colour": "red"}`), []string{"line 7", "databases[1]", `"colour"`}},
		{"wrong type", valid(`    {"id": 11, "instance": "i1", "schema": "b", "tables": {"t": "many"}}`), []string{"line 7", "databases[1]", "tables"}},
		{"dangling instance", valid(`    {"id": 11, "instance": "i9", "schema": "b", "tables": {"t": 1}}`), []string{"line 7", "databases[1] (id 11)", `instance "i9"`}},
		{"duplicate id", valid(`    {"id": 10, "instance": "i1", "schema": "b", "tables": {"t": 1}}`), []string{"line 7", "defined twice"}},
		{"negative rows", valid(`    {"id": 11, "instance": "i1", "schema": "b", "tables": {"t": -1}}`), []string{"line 7", "tables.t", "negative"}},
		{"unknown top-level field", `{"tenant": []}`, []string{"line 1", `"tenant"`}},
		{"not an object", `[1]`, []string{"JSON object"}},
		{"bad env", strings.Replace(valid(`    {"id": 11, "instance": "i1", "schema": "b", "tables": {"t": 1}}`), `"dev"`, `"prod"`, 1), []string{"line 4", `env "prod"`, "product"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadSeed([]byte(tc.data))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	if _, err := LoadSeed([]byte(valid(`    {"id": 11, "instance": "i1", "schema": "b", "tables": {"t": 1}}`))); err != nil {
		t.Errorf("a valid seed was refused: %v", err)
	}
}

func TestLoadSeedFileNamesTheFile(t *testing.T) {
	_, err := LoadSeedFile("testdata/no-such-seed.json")
	if err == nil || !strings.Contains(err.Error(), "no-such-seed.json") {
		t.Errorf("error = %v", err)
	}
}

func TestNewRefusesACredentialForAnUnknownUser(t *testing.T) {
	_, err := New(Options{Seed: testSeed(t), Credentials: []Credential{{AccessKeyID: "k", AccessKeySecret: "s", UserID: 42}}})
	if err == nil || !strings.Contains(err.Error(), "42") {
		t.Errorf("error = %v", err)
	}
}

func TestEmptyWorldAnswersWithNoDatabases(t *testing.T) {
	r, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c := sdkClient(t, r, r.Credential)
	resp := search(t, c, func(*dmse.SearchDatabaseRequest) {})
	if resp.TotalCount != 0 {
		t.Errorf("TotalCount = %d", resp.TotalCount)
	}
	tr, err := activeTenant(c)
	if err != nil || !tr.Success || tr.Tenant.Tid != 1 {
		t.Errorf("GetUserActiveTenant: %v %+v", err, tr)
	}
}
