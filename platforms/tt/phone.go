package tt

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// GetPhoneNumber implements driver.PhoneNumberGetter with POST
// open.douyin.com/api/apps/v1/get_phonenumber_info/ (header access-token,
// body {"code"}). The answer's data is the phone number's JSON,
// RSA-encrypted (PKCS#1 v1.5, in blocks of the key's size) to the public
// key configured in the console; the watermark must name this app.
// Douyin's docs leave open which token the header takes; like the SDKs
// most used (and the sandbox), the driver sends the app's access token
// (POST /api/apps/v2/token).
func (d *Driver) GetPhoneNumber(ctx context.Context, req driver.PhoneRequest) (driver.PhoneNumber, error) {
	if d.phoneKey == nil {
		return driver.PhoneNumber{}, driver.Errorf(driver.CodeNotSupported, "tt: phone numbers by code need Config.PhonePrivateKey")
	}
	body, _ := json.Marshal(map[string]string{"code": req.Code})
	return driverkit.Fetch(ctx, d.hc, driverkit.Request{Method: http.MethodPost, URL: d.phoneURL, Body: body, ContentType: "application/json",
		Header: map[string]string{"access-token": req.AccessToken}, Secrets: []string{d.cfg.Secret, req.AccessToken}}, d.parsePhone)
}

// parsePhone reads a get_phonenumber_info answer and opens its data.
func (d *Driver) parsePhone(b []byte) (driver.PhoneNumber, error) {
	var resp struct {
		ErrNo   driverkit.Status `json:"err_no"`
		ErrTips string           `json:"err_tips"`
		ErrMsg  string           `json:"err_msg"`
		Data    string           `json:"data"`
	}
	if err := driverkit.Decode(b, &resp); err != nil {
		return driver.PhoneNumber{}, err
	}
	msg := resp.ErrTips
	if msg == "" {
		msg = resp.ErrMsg
	}
	if err := platformErr("phone", b, resp.ErrNo, msg); err != nil {
		return driver.PhoneNumber{}, err
	}
	if !driverkit.ParseObject(b).Confirm("data", resp.Data) {
		return driver.PhoneNumber{}, driverkit.NotUnderstood("no data")
	}
	return openPhone(d.phoneKey, d.cfg.AppID, resp.Data)
}

// openPhone decrypts data (base64 of RSA PKCS#1 v1.5 blocks) and reads
// the phone number, whose watermark must name appID.
func openPhone(key *rsa.PrivateKey, appID, data string) (driver.PhoneNumber, error) {
	ct, err := base64.StdEncoding.DecodeString(data)
	size := key.Size()
	if err != nil || len(ct) == 0 || len(ct)%size != 0 {
		return driver.PhoneNumber{}, driverkit.NotUnderstood("data is not base64 of whole RSA blocks")
	}
	var plain []byte
	for ; len(ct) > 0; ct = ct[size:] {
		p, err := rsa.DecryptPKCS1v15(nil, key, ct[:size])
		if err != nil {
			return driver.PhoneNumber{}, driverkit.NotUnderstood("data does not open with Config.PhonePrivateKey")
		}
		plain = append(plain, p...)
	}
	var v struct {
		PhoneNumber     string         `json:"phoneNumber"`
		PurePhoneNumber string         `json:"purePhoneNumber"`
		CountryCode     driverkit.Code `json:"countryCode"` // a string or a number
		Watermark       struct {
			AppID string `json:"appid"`
		} `json:"watermark"`
	}
	if err := driverkit.Decode(plain, &v); err != nil {
		return driver.PhoneNumber{}, driverkit.NotUnderstood("the phone number is not JSON")
	}
	if v.Watermark.AppID != appID {
		return driver.PhoneNumber{}, driverkit.NotUnderstood("the phone number's watermark names another app")
	}
	if v.PhoneNumber == "" {
		return driver.PhoneNumber{}, driverkit.NotUnderstood("no phoneNumber")
	}
	return driver.PhoneNumber{PhoneNumber: v.PhoneNumber, PurePhoneNumber: v.PurePhoneNumber, CountryCode: string(v.CountryCode)}, nil
}
