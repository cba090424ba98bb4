package alipay

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// SignContent is the text an RSA2 signature of the gateway covers: every
// parameter but sign, empty values dropped, sorted by name, joined as
// name=value with &, values raw (not URL-encoded).
func SignContent(params url.Values) string {
	keys := make([]string, 0, len(params))
	for k, v := range params {
		if k != "sign" && len(v) > 0 && v[0] != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(params.Get(k))
	}
	return b.String()
}

// Grant is the answer of alipay.system.oauth.token: the user, and the
// user's tokens for Alipay's user APIs (secrets: redacted under every
// fmt verb, JSON and slog).
type Grant struct {
	// OpenID is the user's id for this app: open_id, or user_id for an
	// app that has not migrated to openids; IDField says which.
	OpenID  string
	IDField string
	// UserID is user_id when Alipay sent one (2088…).
	UserID       string
	UnionID      string
	AccessToken  driver.Secret
	RefreshToken driver.Secret
	// ExpiresIn and ReExpiresIn are the lifetimes of the two tokens.
	ExpiresIn, ReExpiresIn time.Duration
}

// Code2Session implements driver.Authenticator with
// alipay.system.oauth.token: the openid (open_id, then user_id) and the
// unionid, and no session key. The user's tokens are dropped; see
// Exchange.
func (d *Driver) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
	g, err := d.Exchange(ctx, req.Code)
	if err != nil {
		return driver.LoginResponse{}, err
	}
	return driver.LoginResponse{OpenID: g.OpenID, UnionID: g.UnionID}, nil
}

// Exchange redeems an auth code (my.getAuthCode's authCode) with
// alipay.system.oauth.token and returns the whole verified grant, for
// callers of Alipay's user APIs. Most backends want Code2Session (through
// taro.Client) instead, which records the login.
func (d *Driver) Exchange(ctx context.Context, code string) (Grant, error) {
	if code == "" {
		return Grant{}, driver.Errorf(driver.CodeInvalidArgument, "alipay has no anonymous login: Code is required")
	}
	params := url.Values{"grant_type": {"authorization_code"}, "code": {code}}
	var g Grant
	err := d.call(ctx, "alipay.system.oauth.token", params, func(o driverkit.Object) (err error) { g, err = readGrant(o); return err })
	return g, err
}

// call signs and posts one gateway request, verifies the answer's
// signature over the raw text of its response member, and hands read
// that member.
func (d *Driver) call(ctx context.Context, method string, params url.Values, read func(driverkit.Object) error) error {
	params.Set("app_id", d.cfg.AppID)
	params.Set("method", method)
	params.Set("format", "JSON")
	params.Set("charset", "utf-8")
	params.Set("sign_type", "RSA2")
	params.Set("timestamp", d.now().In(China).Format("2006-01-02 15:04:05"))
	params.Set("version", "1.0")
	if d.appCertSN != "" {
		params.Set("app_cert_sn", d.appCertSN)
		params.Set("alipay_root_cert_sn", d.rootCertSN)
	}
	sig, err := driverkit.SignRSA2(d.key, []byte(SignContent(params)))
	if err != nil {
		return driver.Errorf(driver.CodeInvalidArgument, "alipay: cannot sign with Config.PrivateKey")
	}
	params.Set("sign", sig)
	member := strings.ReplaceAll(method, ".", "_") + "_response"
	return driverkit.Call(ctx, d.hc, driverkit.Request{Method: http.MethodPost, URL: d.gateway, Body: []byte(params.Encode()),
		ContentType: "application/x-www-form-urlencoded;charset=utf-8", Secrets: []string{sig, d.cfg.PrivateKey, d.cfg.AESKey}},
		func(b []byte) error {
			o, err := d.verified(b, member)
			if err != nil {
				return err
			}
			return read(o)
		})
}

// verified returns the response member of a gateway answer b when the
// answer's signature verifies over the member's raw text; an
// error_response is classified (never a success) and anything else fails
// closed, saying why.
func (d *Driver) verified(b []byte, member string) (driverkit.Object, error) {
	o := driverkit.ParseObject(b)
	if o == nil {
		return nil, driverkit.NotUnderstood("not a JSON object")
	}
	if e := o.Get("error_response"); e != nil {
		// Alipay signs its error answers too. An error is never a
		// success whether or not it verifies, and keeps its documented
		// class (a misconfigured app still reads as Credentials); one
		// that is unsigned or does not verify says so.
		err := gatewayError(e)
		if _, serr := d.signedMember(o, "error_response"); serr != nil {
			var de *driver.Error
			if errors.As(err, &de) && de.Err == nil {
				de.Err = errors.New("alipay: the error answer was not signed by Alipay (" + reasonOf(serr) + "): its code is reported, nothing else is trusted")
			}
		}
		return nil, err
	}
	raw, err := d.signedMember(o, member)
	if err != nil {
		return nil, err
	}
	resp := driverkit.ParseObject(raw)
	if c, ok := resp.String("code"); ok && c != "10000" {
		return nil, gatewayError(resp)
	}
	return resp, nil
}

// signedMember returns the raw text of the member of the answer o when
// the answer's sign verifies over it (with the certificate its
// alipay_cert_sn names, in certificate mode), or why not.
func (d *Driver) signedMember(o driverkit.Object, member string) ([]byte, error) {
	raw, ok := o.Raw(member)
	if !ok || driverkit.ParseObject(raw) == nil {
		return nil, driverkit.NotUnderstood("no " + member)
	}
	sig, ok := o.String("sign")
	if !ok {
		return nil, driver.Errorf(driver.CodeUnavailable, "alipay: the answer is unsigned; an unsigned answer is never trusted")
	}
	var sn string
	if d.certKeys != nil {
		if sn, ok = o.String("alipay_cert_sn"); !ok {
			return nil, driver.Errorf(driver.CodeUnavailable, "alipay: the answer names no alipay_cert_sn; in certificate mode it must")
		}
	}
	key, err := d.answerKey(sn)
	if err != nil {
		return nil, err
	}
	if !driverkit.VerifyRSA2(key, raw, sig) {
		return nil, driver.Errorf(driver.CodeCredentials, "alipay: the answer's signature does not verify with the configured Alipay key; never trusted")
	}
	return raw, nil
}

// reasonOf is the text of a driver error's cause, for a note.
func reasonOf(err error) string {
	var de *driver.Error
	if errors.As(err, &de) && de.Err != nil {
		return strings.TrimPrefix(de.Err.Error(), "alipay: ")
	}
	return err.Error()
}

// gatewayError classifies an error_response (or a response member with a
// code other than 10000) by code and sub_code.
func gatewayError(e driverkit.Object) error {
	code, _ := e.String("code")
	sub, _ := e.String("sub_code")
	msg, _ := e.String("sub_msg")
	if msg == "" {
		msg, _ = e.String("msg")
	}
	pc := code
	if sub != "" {
		pc = code + "/" + sub
	}
	if code == "" && sub == "" {
		return driverkit.NotUnderstood("an error_response without a code")
	}
	return driver.PlatformError(classify(code, sub), pc, msg)
}

// classify maps Alipay's code and sub_code to a class.
func classify(code, sub string) driver.Code {
	switch sub {
	case "isv.code-invalid", "isv.refresh-token-invalid", "isv.refreshed-token-invalid", "isv.refresh-token-time-out", "isv.auth-code-invalid",
		"isv.unmatched-app-id": // a code of another app
		return driver.CodeInvalidCode
	case "isv.grant-type-invalid":
		return driver.CodeInvalidArgument
	case "isv.invalid-signature", "isv.invalid-app-id", "isv.invalid-signature-type", "isv.missing-signature-config":
		return driver.CodeCredentials
	case "isv.insufficient-isv-permissions", "isv.invalid-auth-relations":
		return driver.CodePermissionDenied
	case "isp.unknow-error", "aop.unknow-error":
		return driver.CodeUnavailable
	}
	switch code {
	case "20000":
		return driver.CodeUnavailable
	case "20001":
		return driver.CodeCredentials
	case "40001":
		return driver.CodeInvalidArgument
	case "40005":
		return driver.CodeRateLimited
	case "40006":
		return driver.CodePermissionDenied
	}
	if strings.Contains(sub, "frequency") || strings.Contains(sub, "limit") {
		return driver.CodeRateLimited
	}
	return driver.CodeUnknown
}

// readGrant reads a verified alipay_system_oauth_token_response: open_id
// first, then user_id; expires_in as a number or a string.
//
// Only the shape of that API's success is a login: an access_token, a
// positive expires_in and open_id or user_id, and no code (the signature
// covers the member's text, not which API answered it, so a signed
// member of another API, such as alipay.user.info.share's with code 10000
// and user_id, must not log anyone in). Anything else is an ambiguous
// answer: Unavailable, never a user.
func readGrant(o driverkit.Object) (Grant, error) {
	var g Grant
	if _, ok := o.Raw("code"); ok {
		return Grant{}, driverkit.NotUnderstood("a signed member with a code is not an oauth.token success")
	}
	if at, ok := o.String("access_token"); !ok || at == "" {
		return Grant{}, driverkit.NotUnderstood("a signed member without an access_token is not an oauth.token success")
	}
	if seconds(o, "expires_in") <= 0 {
		return Grant{}, driverkit.NotUnderstood("a signed member without a positive expires_in is not an oauth.token success")
	}
	openID, _ := o.String("open_id")
	userID, _ := o.String("user_id")
	switch {
	case openID != "":
		g.OpenID, g.IDField = openID, "open_id"
	case userID != "":
		g.OpenID, g.IDField = userID, "user_id"
	default:
		return Grant{}, driverkit.NotUnderstood("neither open_id nor user_id")
	}
	g.UserID = userID
	g.UnionID, _ = o.String("union_id")
	at, _ := o.String("access_token")
	rt, _ := o.String("refresh_token")
	g.AccessToken, g.RefreshToken = driver.Secret(at), driver.Secret(rt)
	g.ExpiresIn, g.ReExpiresIn = seconds(o, "expires_in"), seconds(o, "re_expires_in")
	return g, nil
}

// seconds reads a lifetime sent as a number or as a string of digits.
func seconds(o driverkit.Object, key string) time.Duration {
	if n, ok := o.Positive(key); ok {
		return time.Duration(n) * time.Second
	}
	if s, ok := o.String(key); ok {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return 0
}
