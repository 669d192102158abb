// Package theme owns how dmsticket looks: one palette, adaptive to light and
// dark backgrounds, and every style built from it and bound to one
// *lipgloss.Renderer (one per SSH session, or the terminal's own), including
// the huh form theme, the bubbles component styles and the chroma syntax
// style and formatter. Nothing else in the program creates a colour.
package theme

import (
	"reflect"
	"strconv"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Palette is the set of colours everything is drawn with.
type Palette struct {
	Text, Muted, Faint, Border lipgloss.TerminalColor
	Accent, AccentText         lipgloss.TerminalColor
	Danger, DangerText         lipgloss.TerminalColor // production
	Warn, WarnText             lipgloss.TerminalColor // pre-release
	OK, Info                   lipgloss.TerminalColor
	// Syntax colours.
	Keyword, String, Number, Comment, Operator, Name, Builtin lipgloss.TerminalColor
}

// Colour returns the palette for a light or dark background.
func Colour(dark bool) Palette {
	pick := func(light, darkHex string) lipgloss.TerminalColor {
		if dark {
			return lipgloss.Color(darkHex)
		}
		return lipgloss.Color(light)
	}
	return Palette{
		Text:       pick("#1F1F24", "#E4E4EA"),
		Muted:      pick("#5F5F6B", "#9A9AA8"),
		Faint:      pick("#9090A0", "#5E5E6E"),
		Border:     pick("#C8C8D4", "#3C3C4A"),
		Accent:     pick("#5A3FC0", "#9D86FF"),
		AccentText: pick("#FFFFFF", "#14141A"),
		Danger:     pick("#C62828", "#FF5F6B"),
		DangerText: pick("#FFFFFF", "#14141A"),
		Warn:       pick("#B25E00", "#FFB454"),
		WarnText:   pick("#FFFFFF", "#14141A"),
		OK:         pick("#2E7D32", "#6BD68A"),
		Info:       pick("#1565C0", "#6CB6FF"),
		Keyword:    pick("#7B1FA2", "#C792EA"),
		String:     pick("#2E7D32", "#C3E88D"),
		Number:     pick("#C2410C", "#F9A66C"),
		Comment:    pick("#8A8A96", "#6E7391"),
		Operator:   pick("#00838F", "#89DDFF"),
		Name:       pick("#1F1F24", "#E4E4EA"),
		Builtin:    pick("#1565C0", "#82AAFF"),
	}
}

// Mono is the palette without colour (--no-color, NO_COLOR): emphasis comes
// from bold, underline and reverse video only.
func Mono() Palette {
	n := lipgloss.NoColor{}
	return Palette{Text: n, Muted: n, Faint: n, Border: n, Accent: n, AccentText: n, Danger: n, DangerText: n,
		Warn: n, WarnText: n, OK: n, Info: n, Keyword: n, String: n, Number: n, Comment: n, Operator: n, Name: n, Builtin: n}
}

// forProfile converts a hex palette once into the colours a profile can show
// (a 256-colour or 16-colour index). lipgloss would otherwise convert every
// hex colour on every Render, which with hundreds of sessions is a sixth of
// the server's time.
func forProfile(p Palette, profile termenv.Profile) Palette {
	if profile == termenv.TrueColor || profile == termenv.Ascii {
		return p
	}
	v := reflect.ValueOf(&p).Elem()
	for i := range v.NumField() {
		c, ok := v.Field(i).Interface().(lipgloss.Color)
		if !ok {
			continue
		}
		var idx int
		switch tc := profile.Color(string(c)).(type) {
		case termenv.ANSI256Color:
			idx = int(tc)
		case termenv.ANSIColor:
			idx = int(tc)
		default:
			continue
		}
		v.Field(i).Set(reflect.ValueOf(lipgloss.TerminalColor(lipgloss.Color(strconv.Itoa(idx)))))
	}
	return p
}
