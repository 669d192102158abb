// Package sqlscript owns the reading of SQL scripts that users put into
// tickets: it splits a script into statements the way the database would,
// classifies each statement by what it does (read, insert, update, delete,
// change the schema, or something else), and gives the tokens of a
// statement ([Tokens]) or of a script read line by line ([ScanLine]).
//
// It is a lexer, not a parser, and the one place that knows where strings,
// quoted identifiers, comments and dollar-quoted bodies begin and end in each
// [Dialect]: which is enough to find the semicolons that end statements, the
// keywords that say what a statement is, the names and clauses the DMS
// simulator reads to answer EXPLAIN, and what the SQL editor colours as a
// string or a comment. It does not validate SQL; the database does that.
//
// Everything here is a pure function of its input: no I/O, no globals, safe
// for concurrent use. Malformed input (an unclosed quote or comment) never
// panics: the open construct runs to the end of the input and is reported in
// [Segment.Unclosed].
package sqlscript
