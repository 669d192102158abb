// Package dmssim is a DMS Enterprise simulator: an http.Handler that speaks the
// RPC protocol of the dms-enterprise OpenAPI (version 2018-11-01) the way the
// official Go SDK expects it, so that `dmsticket --demo`, `dmsticket sim` and
// every test run the production code path against it over real HTTP.
//
// It owns:
//   - the protocol: common parameters in the query, form parameters in an
//     application/x-www-form-urlencoded body, signature version 1.0 with
//     HMAC-SHA1 (its own implementation, not the SDK's), the timestamp window
//     and nonce replay checks (signature.go, nonce.go);
//   - DMS's answer shapes: gateway refusals as HTTP 4xx/5xx with Code,
//     Message, RequestId, HostId and Recommend, business failures as HTTP 200
//     with Success=false, ErrorCode and ErrorMessage (errors.go);
//   - the world it answers from: tenants, users, instances, databases and
//     their tables with row counts, loaded from a JSON seed (seed.go, world.go)
//     and optionally grown with generated databases for scale tests
//     (generate.go);
//   - the operations the wizard uses: tenants, database search and lookups
//     (tenants.go, search.go, databases.go), EXPLAIN and COUNT answers computed
//     from the seeded row counts, for queries and data changes (execute.go,
//     planner.go, dml.go), and tickets (orders.go; datachange.go for
//     CreateDataCorrectOrder, whose Param it takes as one JSON string or
//     flattened), validated against the ticket catalog of package dms;
//   - the ticket lifecycle, one state machine for every ticket type
//     (lifecycle.go): the precheck (precheck.go), approval with its chain
//     of owners and DBA, auto or manual (workflow.go), the export's run
//     (export.go), its file made up from the seeded tables (exportfile.go)
//     and served at an unguessable loopback URL (download.go), a data
//     change's detail, precheck figures and run by its ExecMode
//     (datachange.go), and CloseOrder; timed steps follow the simulator's
//     clock, evaluated when a ticket is read, with no goroutine or timer per
//     ticket;
//   - injected faults for tests: throttling, 5xx, slow answers, business
//     failures, malformed JSON, dropped connections and failed jobs, on any
//     operation and on downloads (faults.go).
//
// Everything is in memory and safe for concurrent use. Start serves a Server
// on a loopback port until Close.
package dmssim
