package tui

import (
	"fmt"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
)

// cachedField keeps a huh field's last view until something that can change
// it reaches the field. huh v1.0.0 draws every field of the group on every
// message (Group.buildView), the focused one twice, although a key changes
// only the focused field: the rest of the form was drawn again unchanged,
// and that was most of what a key in the details form cost.
//
// What can change a field's view: a message to the field itself (a key when
// it is focused, a cursor blink, an $EDITOR result: every message but huh's
// own per-update tick), focus and blur (blur validates), and its theme,
// size, key map, or a new position in the form. Each of those drops the
// cached view. Two things huh does on every update leave it: the tick it
// sends every field (updateFieldMsg) re-reads titles and descriptions given
// as functions, and the details fields have none (huhField gives plain
// text); and it sets every field's position again (WithPosition), the same
// one unless a group was hidden or shown.
type cachedField struct {
	huh.Field
	pos   huh.FieldPosition
	view  string
	valid bool
}

func cached(f huh.Field) *cachedField { return &cachedField{Field: f} }

// huhTick is the type of huh's per-update message to every field.
const huhTick = "huh.updateFieldMsg"

func (c *cachedField) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := c.Field.Update(msg)
	c.Field = m.(huh.Field)
	if fmt.Sprintf("%T", msg) != huhTick {
		c.valid = false
	}
	return c, cmd
}

func (c *cachedField) View() string {
	if !c.valid {
		c.view, c.valid = c.Field.View(), true
	}
	return c.view
}

func (c *cachedField) Focus() tea.Cmd { c.valid = false; return c.Field.Focus() }
func (c *cachedField) Blur() tea.Cmd  { c.valid = false; return c.Field.Blur() }

// changed takes the field a With… method returned and drops the kept view.
func (c *cachedField) changed(f huh.Field) huh.Field {
	c.Field, c.valid = f, false
	return c
}

func (c *cachedField) WithTheme(t *huh.Theme) huh.Field   { return c.changed(c.Field.WithTheme(t)) }
func (c *cachedField) WithKeyMap(k *huh.KeyMap) huh.Field { return c.changed(c.Field.WithKeyMap(k)) }
func (c *cachedField) WithWidth(w int) huh.Field          { return c.changed(c.Field.WithWidth(w)) }
func (c *cachedField) WithHeight(h int) huh.Field         { return c.changed(c.Field.WithHeight(h)) }

// WithAccessible is part of huh's Field interface, deprecated there.
func (c *cachedField) WithAccessible(a bool) huh.Field {
	//lint:ignore SA1019 the interface still declares it: the wrapper passes it on
	return c.changed(c.Field.WithAccessible(a))
}

func (c *cachedField) WithPosition(p huh.FieldPosition) huh.Field {
	c.Field = c.Field.WithPosition(p)
	if p != c.pos {
		c.pos, c.valid = p, false
	}
	return c
}
