//go:build race

package dmssim

// raceEnabled says the race detector is on: timings are several times slower.
const raceEnabled = true
