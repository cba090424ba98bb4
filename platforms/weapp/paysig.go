package weapp

import "github.com/tarogo/adapter/taro/driverkit"

// PaySig is the pay_sig of WeChat's virtual-payment server APIs
// (api.weixin.qq.com/xpay/…): hex(HMAC-SHA256(appKey, uri + "&" + body)),
// where appKey is the payment configuration's AppKey for the environment
// used, uri the request's path without host or query
// ("/xpay/query_user_balance"), and body the exact bytes sent. The client
// API wx.requestVirtualPayment signs its signData with the literal uri
// "requestVirtualPayment". The user-state signature some of these APIs
// also need is login.Manager.SessionSignature.
func PaySig(appKey, uri string, body []byte) string {
	msg := make([]byte, 0, len(uri)+1+len(body))
	msg = append(append(append(msg, uri...), '&'), body...)
	return driverkit.SignLoginState(appKey, string(msg))
}
