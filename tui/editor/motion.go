package editor

import "unicode"

// isBlank reports whether r is only spaces.
func isBlank(r []rune) bool {
	for _, c := range r {
		if c != ' ' {
			return false
		}
	}
	return true
}

// runeClass groups runes for word motions: space, word (letters, digits,
// underscore) and anything else (operators, punctuation).
func runeClass(c rune) int {
	switch {
	case unicode.IsSpace(c):
		return 0
	case isRegexpWord(c):
		return 1
	}
	return 2
}

// wordStart returns where a word motion to the left from col lands: over
// spaces, then over one run of word or of punctuation runes.
func wordStart(r []rune, col int) int {
	i := col
	for i > 0 && runeClass(r[i-1]) == 0 {
		i--
	}
	if i > 0 {
		cls := runeClass(r[i-1])
		for i > 0 && runeClass(r[i-1]) == cls {
			i--
		}
	}
	return i
}

// wordEnd returns where a word motion to the right from col lands.
func wordEnd(r []rune, col int) int {
	i := col
	for i < len(r) && runeClass(r[i]) == 0 {
		i++
	}
	if i < len(r) {
		cls := runeClass(r[i])
		for i < len(r) && runeClass(r[i]) == cls {
			i++
		}
	}
	return i
}

// colAtCell returns the rune column of r displayed at cell (or the end of
// the line when it is shorter); a wide rune covering the cell counts.
func colAtCell(r []rune, cell int) int {
	x := 0
	for i, c := range r {
		w := cellWidth(c)
		if w > 0 && x+w > cell {
			return i
		}
		x += w
	}
	return len(r)
}
