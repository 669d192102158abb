// Package dms is the DMS Enterprise domain of dmsticket, with no UI: the ticket
// catalog (ticket types and their PluginParam fields), the ticket being built and
// its validation, ticket files, the client over the official Alibaba Cloud SDK
// (tenants, databases, affected-row estimates, create, lookup) and the one error
// type every DMS call returns.
//
// SQL splitting and classification live in dms/sqlscript, the DMS simulator in
// dms/dmssim, and the cleaning of untrusted text for display in dms/inert.
package dms
