package dmssim

import (
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	dmse "github.com/aliyun/alibaba-cloud-sdk-go/services/dms-enterprise"
)

const seedPath = "../../testdata/sim/seed.json"

// IDs in testdata/sim/seed.json the tests rely on.
const (
	tenantRetail   = 3000001
	tenantLab      = 3000002
	userDemo       = 2000001
	userAlice      = 2000002
	dbOrdersProd   = 1100001 // mysql, product, orders 12,480,311 rows
	dbPayrollProd  = 1100004 // the demo user lacks query permission
	dbAnalytics    = 1100008 // postgresql, product
	dbERPFinance   = 1100010 // oracle, not secure-hosted
	dbHostile      = 1100034 // test env, escape sequences in schema and alias
	dbOrdersTest   = 1100031
	dbLegacyCMS    = 1100030 // mariadb, not secure-hosted
	dbWarehouseLab = 1200001 // the second tenant
	logicOrders    = 1900001
	instOrdersProd = "1000101"
)

var (
	seedOnce sync.Once
	seedData *Seed
	seedErr  error
)

// testSeed is the bundled seed, loaded once.
func testSeed(t testing.TB) *Seed {
	t.Helper()
	seedOnce.Do(func() { seedData, seedErr = LoadSeedFile(seedPath) })
	if seedErr != nil {
		t.Fatal(seedErr)
	}
	return seedData
}

// startSim serves the bundled seed (unless opts names another) on loopback
// for the test's duration.
func startSim(t testing.TB, opts Options) *Running {
	t.Helper()
	if opts.Seed == nil {
		opts.Seed = testSeed(t)
	}
	r, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("close the simulator: %v", err)
		}
	})
	return r
}

// sdkClient is the official SDK client pointed at the simulator, signing with
// cred.
func sdkClient(t testing.TB, r *Running, cred Credential) *dmse.Client {
	t.Helper()
	var p credentials.CredentialsProvider = credentials.NewStaticAKCredentialsProvider(cred.AccessKeyID, cred.AccessKeySecret)
	if cred.SecurityToken != "" {
		p = credentials.NewStaticSTSCredentialsProvider(cred.AccessKeyID, cred.AccessKeySecret, cred.SecurityToken)
	}
	c, err := dmse.NewClientWithOptions("cn-hangzhou", sdk.NewConfig().WithScheme("HTTP"), p)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = r.Host()
	c.SetReadTimeout(10 * time.Second)
	t.Cleanup(c.Shutdown)
	return c
}

// demo starts the simulator with the bundled seed and returns it with an SDK
// client for the demo user.
func demo(t testing.TB) (*Running, *dmse.Client) {
	t.Helper()
	r := startSim(t, Options{})
	return r, sdkClient(t, r, r.Credential)
}
