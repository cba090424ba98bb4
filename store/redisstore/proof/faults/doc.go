// Package faults holds the fault matrix of replicas on one Redis: every
// fault the sandbox can produce, on every platform's login and check,
// becomes its documented code after its documented number of requests,
// with the callbacks called once and nothing written to the store; and a
// stopped Redis fails closed. It is a package of its own so that each
// package's tests stay short. It has no code.
package faults
