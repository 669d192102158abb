// Package editor is the SQL editor component of the wizard's SQL step: a
// multi-line text buffer with a cursor, undo, line numbers, problem marks in
// the gutter and incremental highlighting in the database's dialect.
//
// It exists because bubbles' textarea cannot highlight and renders every line
// on every frame. This package owns the text buffer, the key handling and
// the caches that keep a keystroke's Update plus View proportional to what
// changed on screen, not to the size of the script. It has no lexical rules
// of its own: where strings, quoted identifiers and comments begin and end is
// sqlscript's to say ([sqlscript.ScanLine]), so what is coloured as a string
// or a comment is what the database reads as one.
//
// How highlighting stays incremental:
//
//   - Each line keeps the [sqlscript.LineState] it starts in (inside a block
//     comment, a quote, a quoted identifier or a dollar quote, or in SQL).
//     An edit makes the states after it unknown; drawing recomputes them
//     from the first unknown one down to the last line on screen, stopping
//     where the state computed equals the one already stored for a line
//     that follows its predecessor. A quote typed at the top of 80,000 lines
//     rescans the lines on screen, not the 80,000: the rest waits until it
//     is drawn, and closing the quote makes the old states right again.
//   - A line is coloured on its own from its entry state: the editor
//     colours the strings, quoted identifiers and comments sqlscript finds
//     in it (with the token types chroma gives them), and chroma's lexer for
//     the dialect colours the code between them. Lines longer than a few hundred runes
//     are cut into pieces between two of sqlscript's tokens, at places where
//     no chroma rule can reach across (sqlscript's scan goes on from any such
//     place), and only the pieces on screen are lexed.
//   - Tokens are cached per line and in a per-document map keyed by (state,
//     text) of a piece; rendered lines are cached per line keyed by
//     everything they depend on (entry state, scroll, width, cursor,
//     styles), so an unchanged line costs nothing and a cursor move
//     re-renders only the lines the cursor left and entered.
//   - View lexes only lines that are on screen and not yet cached.
//
// How the rest stays proportional to the edit at the 4 MiB a ticket holds
// (about 80,000 lines):
//
//   - A text set, opened or pasted is cut into lines that share its UTF-8;
//     a line is decoded into runes only when something needs them (drawing
//     it, the cursor on it, an edit).
//   - Undo keeps each change's removed and inserted text, never a copy of
//     the buffer.
//   - The whole text as one string is joined once per version (Value), or
//     taken as a [Text] in time that grows with the edits since it was last
//     joined and joined by [Text.String] in a command, off the program's
//     goroutine; the joined text is reused as the base of the next one.
//
// Where chroma's lexers read SQL otherwise than the database, the editor
// follows the database: MySQL's backquoted names, backslash escapes,
// executable comments (/*!40101 … */, whose inside is code), "1--1" (two
// minus signs, no comment) and comments that do not nest; PostgreSQL's
// dollar quotes, "a=--b" (a comment after "="); generic SQL's [names]. Where
// chroma and the database agree the colours are those of chroma lexing the
// whole text.
//
// Known differences from chroma lexing the whole text at once, within code:
// a PostgreSQL multi-word type name split over lines (double / precision,
// with time / zone) is coloured word by word; a "$" that is not a dollar
// quote is never paired by chroma with one on another line; dollar-quoted
// function bodies are coloured as strings, not lexed as PL/pgSQL; and a run
// of more than 4096 runes of code with no space or punctuation is cut where
// chroma might have joined two tokens.
package editor
