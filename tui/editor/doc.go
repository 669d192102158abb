// Package editor is the SQL editor component of the wizard's SQL step: a
// multi-line text buffer with a cursor, undo, line numbers, problem marks in
// the gutter and incremental chroma highlighting in the database's dialect.
//
// It exists because bubbles' textarea cannot highlight and renders every line
// on every frame. This package owns the text buffer, the key handling, the
// per-line scanner that tracks multi-line constructs (block comments, quoted
// strings and identifiers, PostgreSQL dollar quotes) and the caches that keep
// a keystroke's Update plus View proportional to what changed on screen, not
// to the size of the script.
//
// How highlighting stays incremental:
//
//   - A cheap hand-written scanner computes each line's entry state (inside a
//     block comment of depth n, inside a quote, inside a backquoted identifier
//     or a dollar quote). After an edit it runs from the edited line forward
//     only until the state it computes equals the one already stored for the
//     next line.
//   - A line is lexed with chroma on its own; when it starts inside a construct
//     the lexer is given a synthetic opener ("/*", "'", "\"", "--") that is cut
//     off the tokens again. Lines longer than a few hundred runes are cut into
//     pieces at places where no chroma rule can reach across, and only the
//     pieces on screen are lexed.
//   - Tokens are cached per line and in a per-document map keyed by (entry
//     state, text); rendered lines are cached per line keyed by everything
//     they depend on (entry state, scroll, width, cursor, styles), so an
//     unchanged line costs nothing and a cursor move re-renders only the lines
//     the cursor left and entered.
//   - View lexes only lines that are on screen and not yet cached.
//
// MySQL backquoted identifiers, MySQL strings (which honour backslash
// escapes such as 'O\'Brien') and PostgreSQL dollar-quoted bodies are spans
// the editor highlights itself: chroma's MySQL lexer treats "`" as an
// operator and ends a string at \', and its PostgreSQL lexer can only match
// a dollar quote whose end is in the same piece of text. Everything else is
// chroma's own tokenisation, which the scanner mirrors rule for rule; where
// none of those spans occur, the tokens are exactly those of chroma lexing
// the whole text.
//
// Known differences from lexing the whole text at once: a PostgreSQL
// multi-word type name split over lines (double / precision, with time /
// zone) is coloured word by word; a "$" that does not start a valid dollar
// quote is never paired by chroma with one on another line; dollar-quoted
// function bodies are coloured as strings, not lexed as PL/pgSQL; and a line
// of more than 4096 runes with no space or punctuation is cut where chroma
// might have joined two tokens.
package editor
