// Package inert owns making untrusted text safe to draw in a terminal.
//
// Strings from DMS (schema names, aliases, error messages), from files and
// from users reach the screen. Drawn raw, a hostile one could move the
// cursor, clear the screen, set the window title, write the clipboard
// (OSC 52), ring the bell or reorder the text around it with bidi controls.
// Every such string goes through this package first:
//
//   - [Line] for anything drawn on one line (names, badges, one-line messages),
//   - [Truncate] for the same, cut to the room it has,
//   - [Text] for multi-line text (error details, file contents shown read-only),
//   - [Visible] for an editor, where the user must see what is there rather
//     than have it silently removed.
//
// What counts as a control: C0 (U+0000–U+001F) and DEL; C1 (U+0080–U+009F,
// whether encoded as UTF-8 or as raw 8-bit bytes such as 0x9B, the 8-bit
// CSI); ECMA-48 escape sequences, removed whole with their parameters and
// payload (CSI, OSC terminated by BEL or ST, DCS, SOS, PM, APC, and two-byte
// ESC sequences, with their 8-bit C1 forms); and the bidi formatting
// characters U+061C, U+200E, U+200F, U+202A–U+202E and U+2066–U+2069.
// Invalid UTF-8 becomes U+FFFD. Outputs are always valid UTF-8.
//
// Clean input, the common case, is returned as is without allocating.
package inert
