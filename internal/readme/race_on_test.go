//go:build race

package readme

// raceBuild reports that the tests run with the race detector.
const raceBuild = true
