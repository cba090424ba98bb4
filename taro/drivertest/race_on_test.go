//go:build race

package drivertest_test

// raceBuild reports that the tests run with the race detector.
const raceBuild = true
