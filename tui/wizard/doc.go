// Package wizard is the dmsticket wizard defined once, with no UI: the
// steps a ticket type walks, the details fields (titles, help, validation,
// when each is asked), the request a ticket makes and who it is for, the
// submission of it (recorded before it is sent, looked up when its answer
// is lost), and the plain-text renderings of reviews, results and errors.
//
// The Bubble Tea screens (package tui), the accessible prompts (tui's
// RunAccessible) and the create command (tui/create) are three front ends
// over it: a new step, field or ticket type is written here once. This
// package imports no Bubble Tea.
package wizard
