//go:build !race

package editor

// underRace: see race_on_test.go.
const underRace = false
