package sandbox_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/drivertest"
)

// The sandbox's list of fakes names exactly the bundle's platforms, and
// the conformance kit's names for endpoints and faults are the sandbox's.
func TestFakesMatchTheBundle(t *testing.T) {
	var names []taro.Platform
	for _, f := range sandbox.Builtins() {
		names = append(names, f.Name())
	}
	assert.Equal(t, platforms.Names(), names, "one fake per plugin of platforms.All")
	sb := sandbox.New(sandbox.Options{})
	assert.Equal(t, platforms.Names(), sb.Platforms())

	for _, ep := range []drivertest.Endpoint{drivertest.EndpointCode2Session, drivertest.EndpointToken, drivertest.EndpointCheckSession,
		drivertest.EndpointPhoneNumber, drivertest.EndpointResetKey} {
		assert.True(t, slices.Contains(sandbox.Endpoints(), sandbox.Endpoint(ep)), "the kit's endpoint %q is the sandbox's", ep)
	}
	var kinds []string
	for _, k := range sandbox.FaultKinds() {
		kinds = append(kinds, string(k))
	}
	var faults []string
	for _, f := range drivertest.Faults() {
		faults = append(faults, string(f))
	}
	assert.ElementsMatch(t, kinds, faults, "the kit's faults are the sandbox's")
}
