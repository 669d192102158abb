//go:build race

package editor

// underRace: the race detector instruments chroma's regular expressions,
// and the editor's single-goroutine property and size tests run fifty
// times slower under it while it has nothing to find in them. Under it
// they run at a smaller size; .ci/run runs this package without it too,
// at full size.
const underRace = true
