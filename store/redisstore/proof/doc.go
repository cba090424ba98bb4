// Package proof holds the proofs that several replicas sharing one Redis
// behave as one service: one token fetch per stampede, every fault mapped
// and retried as documented, a load with injected busy answers, and no
// secret on any error path. They are the store's tests, kept in a package
// of their own so that each package's tests stay short. It has no code.
package proof
