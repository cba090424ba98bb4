package taro

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tarogo/adapter/taro/driver"
)

// maxDataLen caps EncryptedData and rawData.
const maxDataLen = 256 << 10

// DecryptOption is the argument of Decrypt: the encryptedData and iv a
// client API (getUserInfo, getPhoneNumber, getWeRunData …) handed the mini
// program, and the session whose key encrypted them.
type DecryptOption struct {
	Platform Platform
	// AppID chooses the app on a platform the client serves several apps
	// of; empty means the platform's only app.
	AppID         string
	Session       Session
	EncryptedData string
	IV            string
	// Verify, on a platform that can (WeChat's checkencryptedmsg), asks
	// the platform before decrypting whether it produced EncryptedData
	// for this app (within the last three days): data it does not vouch
	// for is ErrSessionInvalid, the same answer as every other failure.
	// On a platform that cannot, Verify is ErrNotSupported before any
	// I/O.
	Verify bool
	// Success, Fail and Complete follow the callback contract.
	Success, Fail, Complete func(DecryptResult)
}

// String describes the option; the session key is redacted and the data
// only counted.
func (o DecryptOption) describe() string {
	return fmt.Sprintf("{Platform:%s Session:%s EncryptedData:(%d bytes) IV:%q}", o.Platform, o.Session.String(), len(o.EncryptedData), o.IV)
}

// Format implements fmt.Formatter: every verb prints String.
func (o DecryptOption) Format(f fmt.State, verb rune) { formatText(f, verb, o.describe()) }

// DecryptResult is the result of Decrypt. Data is the decrypted JSON as the
// platform wrote it (for Baidu without its random prefix, length and
// app-key suffix).
type DecryptResult struct {
	ErrMsg       string          `json:"errMsg"`
	Code         Code            `json:"code,omitempty"`
	PlatformCode string          `json:"platformCode,omitempty"`
	Data         json.RawMessage `json:"data,omitempty"`
}

// finish runs the callback contract for a result r of api: exactly one of
// success and fail, then complete, synchronously.
func finish[R any](r R, err *Error, success, fail, complete func(R)) (R, error) {
	if err == nil {
		if success != nil {
			success(r)
		}
	} else if fail != nil {
		fail(r)
	}
	if complete != nil {
		complete(r)
	}
	if err != nil {
		return r, err
	}
	return r, nil
}

// checkKey validates a session key before any use.
func checkKey(p Platform, api, key string) *Error {
	if key == "" {
		return &Error{Platform: p, API: api, Code: CodeInvalidArgument, Detail: DetailNoSessionKey}
	}
	if d := checkText("Session.SessionKey", key, maxFieldLen); d != "" {
		return &Error{Platform: p, API: api, Code: CodeInvalidArgument, Detail: d}
	}
	return nil
}

// Decrypt opens the encryptedData of a client API with the session's key,
// following the callback contract with "decrypt" as the API name.
//
// encryptedData is AES-CBC without a MAC: whoever can submit ciphertexts
// and tell failures apart can forge data. So Decrypt is no oracle. Input
// malformed before decrypting (base64, key or iv length, partial blocks)
// is ErrInvalidArgument; every way well-formed data fails to open (bad
// padding, a plaintext that is not a JSON object, a missing watermark where
// the platform always sends one, data for another app) is one failure,
// ErrSessionInvalid with one errMsg, reached by the same steps. And each
// session key has a failure budget (Config.DecryptFailures, 5 by default)
// kept in the session store: once it is spent, Decrypt refuses that key
// with the same ErrSessionInvalid whatever data it is given, until a newer
// login records another key or an hour passes. With a budget, Decrypt asks
// the session store once before opening (taking an attempt) and, on a
// success, once after (giving it back). Platforms without encrypted client
// data answer ErrNotSupported.
//
// Never show a client what Decrypt returned beyond the fields you use;
// prefer the platforms' server-to-server APIs (GetPhoneNumber) where they
// exist.
func (c *Client) Decrypt(ctx context.Context, opt DecryptOption) (DecryptResult, error) {
	ctx, obs := c.tele().observe(ctx, APIDecrypt, c.label(opt.Platform))
	data, err := c.decrypt(ctx, &opt, obs.start)
	obs.end(ctx, err)
	if err != nil {
		return finish(DecryptResult{ErrMsg: APIDecrypt + ":fail " + err.Reason(), Code: err.Code, PlatformCode: err.PlatformCode}, err, opt.Success, opt.Fail, opt.Complete)
	}
	return finish(DecryptResult{ErrMsg: APIDecrypt + ":ok", Data: data}, nil, opt.Success, opt.Fail, opt.Complete)
}

// decryptWindow is how long a key's failure count lasts.
const decryptWindow = time.Hour

// errDecryptBudget is the Go cause (never in errMsg) of a refused key.
var errDecryptBudget = errors.New("the session key has spent its Decrypt failure budget (taro.Config.DecryptFailures)")

func (c *Client) decrypt(ctx context.Context, opt *DecryptOption, at time.Time) (json.RawMessage, *Error) {
	const api = APIDecrypt
	t := target{api, opt.Platform, opt.AppID, at}
	p := t.p
	bad := checkKey(p, api, opt.Session.SessionKey)
	if bad == nil && (opt.EncryptedData == "" || len(opt.EncryptedData) > maxDataLen) {
		bad = t.invalid(fmt.Sprintf("EncryptedData must be 1 to %d bytes", maxDataLen))
	}
	if bad == nil {
		bad = t.invalid(checkText("IV", opt.IV, maxFieldLen))
	}
	e, decrypter, err := begin[driver.Decrypter](ctx, c, t, bad, driver.CapDecrypter)
	if err != nil {
		return nil, err
	}
	var verifier driver.DataVerifier
	if opt.Verify {
		var ok bool
		if verifier, ok = driver.Offers[driver.DataVerifier](e.d, driver.CapDataVerifier); !ok {
			return nil, &Error{Platform: p, API: api, Code: CodeNotSupported,
				Detail: "Verify: " + string(p) + " cannot confirm encrypted data on its server API"}
		}
	}
	key := opt.Session.SessionKey
	if verifier != nil {
		// Before the budget: the platform's answer says nothing about
		// the key, and an outage costs no attempt.
		secrets := callSecrets{SessionKey: key}
		verr := c.do(ctx, e, api, true, &secrets, func(tok string) error {
			return verifier.VerifyData(ctx, driver.DataCheckRequest{EncryptedData: opt.EncryptedData, AccessToken: tok})
		})
		if verr != nil {
			if verr.Code == CodeSessionInvalid {
				// Not vouched for: the one answer of every failure.
				return nil, &Error{Platform: p, API: api, Code: CodeSessionInvalid, Detail: DetailNotThisKey}
			}
			return nil, verr
		}
	}
	var fp Fingerprint
	if c.decryptBudget > 0 {
		fp = c.fingerprint(key)
		sctx, sop := c.tele().storeOp(ctx, "decrypt_attempt")
		ok, err := c.limiter.TakeDecryptAttempt(sctx, p, e.d.AppID(), fp, c.decryptBudget, decryptWindow)
		sop.done(err)
		if err != nil {
			return nil, c.storeFailure(ctx, p, api, err, callSecrets{SessionKey: key})
		}
		if !ok {
			return nil, &Error{Platform: p, API: api, Code: CodeSessionInvalid, Detail: DetailNotThisKey, Err: errDecryptBudget}
		}
	}
	out, derr := decrypter.Decrypt(driver.DecryptRequest{SessionKey: key, EncryptedData: opt.EncryptedData, IV: opt.IV})
	if derr != nil {
		w := c.wrapLocal(p, api, derr, key)
		if w.Code == CodeSessionInvalid {
			// One failure, whatever the driver said about it.
			w = &Error{Platform: p, API: api, Code: CodeSessionInvalid, Detail: DetailNotThisKey}
		}
		return nil, w
	}
	if c.decryptBudget > 0 {
		sctx, sop := c.tele().storeOp(ctx, "decrypt_return")
		err := c.limiter.ReturnDecryptAttempt(sctx, p, e.d.AppID(), fp)
		sop.done(err)
		if err != nil && c.log != nil {
			c.log.LogAttrs(ctx, slog.LevelDebug, "taro: could not give back a Decrypt attempt", slog.String("platform", string(p)))
		}
	}
	return json.RawMessage(out), nil
}

// wrapLocal wraps the error of a driver call that did no I/O, with its
// reason as the detail and the session key redacted.
func (c *Client) wrapLocal(p Platform, api string, err error, key string) *Error {
	w := c.wrap(p, api, err)
	if w.Detail == "" && w.Err != nil && w.PlatformCode == "" {
		w.Detail = w.Err.Error()
		w.Err = nil
	}
	return redact(w, &callSecrets{SessionKey: key})
}

// VerifyRawData checks the signature a client API (getUserInfo) handed the
// mini program with rawData: hex(sha1(rawData + session_key)), compared in
// constant time. It returns nil when it matches, ErrSessionInvalid when it
// does not, and ErrInvalidArgument for a malformed signature (not 40
// hexadecimal digits) or input. Platforms without signed rawData answer
// ErrNotSupported. It does no I/O.
func (c *Client) VerifyRawData(p Platform, s Session, rawData, signature string) error {
	return c.VerifyRawDataFor(p, "", s, rawData, signature)
}

// VerifyRawDataFor is VerifyRawData for the app appID of p (empty: the
// platform's only app).
func (c *Client) VerifyRawDataFor(p Platform, appID string, s Session, rawData, signature string) error {
	ctx, obs := c.tele().observe(context.Background(), APIVerifyRawData, c.label(p))
	err := c.verifyRawData(ctx, p, appID, s, rawData, signature, obs.start)
	obs.end(ctx, err)
	if err != nil {
		return err
	}
	return nil
}

func (c *Client) verifyRawData(ctx context.Context, p Platform, appID string, s Session, rawData, signature string, at time.Time) *Error {
	t := target{APIVerifyRawData, p, appID, at}
	bad := checkKey(p, t.api, s.SessionKey)
	if bad == nil && (rawData == "" || len(rawData) > maxDataLen) {
		bad = t.invalid(fmt.Sprintf("rawData must be 1 to %d bytes", maxDataLen))
	}
	_, verifier, perr := begin[driver.RawDataVerifier](ctx, c, t, bad, driver.CapRawDataVerifier)
	if perr != nil {
		return perr
	}
	if err := verifier.VerifyRawData(s.SessionKey, rawData, signature); err != nil {
		return c.wrapLocal(p, t.api, err, s.SessionKey)
	}
	return nil
}

// ResetSession asks the platform for a new session key for opt.Session (a
// key the backend fears leaked), following the callback contract with
// "resetSession" as the API name. The new session is recorded in the
// session store at once, so the old key is invalid everywhere the store is
// shared without asking the platform. The result's JSON never carries the
// key; LoginResult.Session does. Platforms without a server-side reset
// answer ErrNotSupported.
func (c *Client) ResetSession(ctx context.Context, opt Option) (LoginResult, error) {
	ctx, obs := c.tele().observe(ctx, APIResetSession, c.label(opt.Platform))
	resp, rec, err := c.resetSession(ctx, &opt, obs.start)
	obs.end(ctx, err)
	var cb CallbackResult
	var res LoginResult
	if err != nil {
		cb = CallbackResult{ErrMsg: APIResetSession + ":fail " + err.Reason(), Code: err.Code, PlatformCode: err.PlatformCode}
		res = LoginResult{ErrMsg: cb.ErrMsg, Code: cb.Code, PlatformCode: cb.PlatformCode}
	} else {
		cb = CallbackResult{ErrMsg: APIResetSession + ":ok"}
		res = LoginResult{ErrMsg: cb.ErrMsg, AppID: opt.AppID, OpenID: resp.OpenID, TenantID: resp.TenantID,
			Session: Session{OpenID: resp.OpenID, SessionKey: resp.SessionKey, TenantID: resp.TenantID}, Record: rec}
	}
	if _, cerr := finish(cb, err, opt.Success, opt.Fail, opt.Complete); cerr != nil {
		return res, cerr
	}
	return res, nil
}

func (c *Client) resetSession(ctx context.Context, opt *Option, at time.Time) (driver.LoginResponse, SessionRecord, *Error) {
	const api = APIResetSession
	var resp driver.LoginResponse
	t := target{api, opt.Platform, opt.AppID, at}
	bad := t.invalid(checkText("Session.OpenID", opt.Session.OpenID, maxFieldLen))
	if bad == nil {
		bad = checkKey(t.p, api, opt.Session.SessionKey)
	}
	e, resetter, perr := begin[driver.SessionResetter](ctx, c, t, bad, driver.CapSessionResetter)
	if perr != nil {
		return resp, SessionRecord{}, perr
	}
	opt.AppID = e.d.AppID() // the result names the app
	secrets := callSecrets{SessionKey: opt.Session.SessionKey}
	if err := c.do(ctx, e, api, true, &secrets, func(tok string) error {
		r, err := resetter.ResetSession(ctx, driver.ResetRequest{OpenID: opt.Session.OpenID, SessionKey: opt.Session.SessionKey, AccessToken: tok})
		if err != nil {
			return err
		}
		if r.SessionKey == "" || r.OpenID != opt.Session.OpenID {
			return driver.Errorf(driver.CodeUnavailable, "platform answered without a new session key for this openid")
		}
		resp = r
		resp.TenantID = opt.Session.TenantID // the same user
		return nil
	}); err != nil {
		return driver.LoginResponse{}, SessionRecord{}, err
	}
	rec, err := c.record(ctx, e, api, resp, callSecrets{SessionKey: opt.Session.SessionKey, NewKey: resp.SessionKey})
	if err != nil {
		return driver.LoginResponse{}, SessionRecord{}, err
	}
	return resp, rec, nil
}
