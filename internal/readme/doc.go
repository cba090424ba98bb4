// Package readme holds the test that keeps the README's Go samples true:
// every ```go block in README.md is preceded by a marker naming its source
// of truth,
//
//	<!-- from: path/to/file.go#name -->
//
// a region of a file that go test compiles and runs (an Example with its
// Output, a test, or a tested program), delimited by the comments
// "// readme:begin name" and "// readme:end name". The test fails when a
// block has no marker, a marker names no region, or a block and its region
// differ. CONTRIBUTING.md says how to change a sample.
package readme
