// Package manyapps holds the end-to-end tests of one service serving
// many apps and tenants: thousands of apps from a source (the real weapp
// and qq drivers against a sandbox of as many apps, through one
// login.Manager), and the work platforms' tenants over HTTP, each on the
// memory store and on Redis. It has no code of its own.
package manyapps
