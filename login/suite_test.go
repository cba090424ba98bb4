package login_test

import (
	"testing"

	"github.com/tarogo/adapter/login/logintest"
)

// The login state's guarantees on the memory stores.
func TestSuiteOnMemory(t *testing.T) { logintest.Run(t, logintest.Memory) }
