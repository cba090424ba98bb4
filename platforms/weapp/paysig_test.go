package weapp_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tarogo/adapter/platforms/weapp"
)

// WeChat's published example (the virtual-payment signature page's
// values, PLATFORMS.md's xpay section).
func TestPaySigVector(t *testing.T) {
	body := []byte(`{"openid": "xxx", "user_ip": "127.0.0.1", "env": 0}`)
	assert.Equal(t, "c37809f27c6d7fd1837ad2500a04512b66b34fd793a39a385fade56dca89a4b5",
		weapp.PaySig("12345", "/xpay/query_user_balance", body))
	assert.NotEqual(t, weapp.PaySig("12345", "/xpay/query_user_balance", body), weapp.PaySig("12346", "/xpay/query_user_balance", body))
	assert.NotEqual(t, weapp.PaySig("12345", "/xpay/query_user_balance", body), weapp.PaySig("12345", "/xpay/currency_pay", body))
}
