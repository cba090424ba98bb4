package taro

import (
	"context"
	"time"

	"github.com/tarogo/adapter/taro/driver"
)

// PhoneOption is the argument of GetPhoneNumber: the code the client's
// getPhoneNumber button handed the mini program.
type PhoneOption struct {
	Platform Platform
	// AppID chooses the app on a platform the client serves several apps
	// of; empty means the platform's only app.
	AppID string
	// Code is the phone-number code the client's getPhoneNumber handed
	// the mini program (WeChat, Douyin).
	Code string
	// Response is, on a platform that hands the client the number itself
	// (Alipay), the string my.getPhoneNumber handed the mini program: a
	// signed, encrypted envelope the driver verifies and opens offline.
	// Exactly one of Code and Response is set.
	Response string
	// OpenID is the user presenting Response: required with a Response.
	// Alipay's envelope names no user and is the same bytes every time
	// for one number, so the first user who presents it successfully owns
	// it (recorded in the session store for EnvelopeClaimTTL, where every
	// replica sees it): the same user may present it again, any other
	// user gets ErrInvalidCode.
	OpenID string
	// Success, Fail and Complete follow the callback contract.
	Success, Fail, Complete func(PhoneResult)
}

// PhoneResult is the result of GetPhoneNumber. CountryCode is always a
// string, whichever way the platform sent it.
type PhoneResult struct {
	ErrMsg          string `json:"errMsg"`
	Code            Code   `json:"code,omitempty"`
	PlatformCode    string `json:"platformCode,omitempty"`
	PhoneNumber     string `json:"phoneNumber,omitempty"`
	PurePhoneNumber string `json:"purePhoneNumber,omitempty"`
	CountryCode     string `json:"countryCode,omitempty"`
}

// GetPhoneNumber exchanges a phone-number code (from the client's
// getPhoneNumber button) for the user's phone number through the platform's
// server API and the app's shared access token, following the callback
// contract with "getPhoneNumber" as the API name. A used or expired code is
// ErrInvalidCode. Platforms that hand phone numbers only as encryptedData
// answer ErrNotSupported: use Decrypt there.
func (c *Client) GetPhoneNumber(ctx context.Context, opt PhoneOption) (PhoneResult, error) {
	ctx, obs := c.tele().observe(ctx, APIGetPhoneNumber, c.label(opt.Platform))
	r, err := c.getPhoneNumber(ctx, &opt, obs.start)
	obs.end(ctx, err)
	if err != nil {
		return finish(PhoneResult{ErrMsg: APIGetPhoneNumber + ":fail " + err.Reason(), Code: err.Code, PlatformCode: err.PlatformCode}, err, opt.Success, opt.Fail, opt.Complete)
	}
	return finish(PhoneResult{ErrMsg: APIGetPhoneNumber + ":ok", PhoneNumber: r.PhoneNumber, PurePhoneNumber: r.PurePhoneNumber, CountryCode: r.CountryCode},
		nil, opt.Success, opt.Fail, opt.Complete)
}

func (c *Client) getPhoneNumber(ctx context.Context, opt *PhoneOption, at time.Time) (driver.PhoneNumber, *Error) {
	const api = APIGetPhoneNumber
	var out driver.PhoneNumber
	t := target{api, opt.Platform, opt.AppID, at}
	var bad *Error
	switch {
	case opt.Code != "" && opt.Response != "":
		bad = t.invalid("Code and Response are both set: Code is a phone-number code, Response the envelope Alipay's client hands over; set one")
	case opt.Response != "":
		bad = t.invalid(checkText("Response", opt.Response, maxResponseLen))
	default:
		bad = t.invalid(checkText("Code", opt.Code, maxFieldLen))
	}
	e, phone, perr := begin[driver.PhoneNumberGetter](ctx, c, t, bad, driver.CapPhoneNumber)
	if perr != nil {
		return out, perr
	}
	switch fromClient := e.traits.PhoneFromClient; {
	case fromClient && opt.Response == "":
		return out, t.invalid("Response is required: " + string(t.p) + " hands the client the number itself (the string its getPhoneNumber returned), not a code")
	case !fromClient && opt.Response != "":
		return out, t.invalid("Response is for platforms whose client hands over the number itself; " + string(t.p) + " exchanges a Code")
	case fromClient && opt.OpenID == "":
		return out, t.invalid("OpenID is required with a Response: the user presenting it (the envelope names none, and belongs to the first user who presents it)")
	case fromClient:
		if bad := t.invalid(checkText("OpenID", opt.OpenID, maxFieldLen)); bad != nil {
			return out, bad
		}
	}
	var secrets callSecrets
	err := c.do(ctx, e, api, opt.Response == "", &secrets, func(tok string) error {
		r, err := phone.GetPhoneNumber(ctx, driver.PhoneRequest{Code: opt.Code, Response: opt.Response, AccessToken: tok})
		if err != nil {
			return err
		}
		if r.PhoneNumber == "" {
			return driver.Errorf(driver.CodeUnavailable, "platform answered without a phone number")
		}
		out = r
		return nil
	})
	if err != nil || opt.Response == "" {
		return out, err
	}
	// The envelope verified and opened: it belongs to the first user who
	// presented it.
	sctx, sop := c.tele().storeOp(ctx, "claim_envelope")
	mine, cerr := c.claims.ClaimEnvelope(sctx, t.p, e.d.AppID(), c.fingerprint(opt.Response), opt.OpenID, EnvelopeClaimTTL)
	sop.done(cerr)
	if cerr != nil {
		return driver.PhoneNumber{}, c.storeFailure(ctx, t.p, api, cerr, callSecrets{})
	}
	if !mine {
		return driver.PhoneNumber{}, &Error{Platform: t.p, API: api, Code: CodeInvalidCode, Detail: DetailEnvelopeClaimed}
	}
	return out, nil
}

const (
	// EnvelopeClaimTTL is how long the session store remembers which
	// user presented a client-handed phone envelope first
	// (PhoneOption.OpenID).
	EnvelopeClaimTTL = 30 * 24 * time.Hour
	// DefaultDecryptFailures is the Decrypt failure budget of a zero
	// Config.DecryptFailures.
	DefaultDecryptFailures = 5
)
