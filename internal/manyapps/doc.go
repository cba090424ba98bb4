// Package manyapps holds the end-to-end tests of one service serving
// thousands of apps from a source: the real weapp and qq drivers against
// a sandbox of as many apps, through one login.Manager, on the memory
// store and on Redis. It has no code of its own.
package manyapps
