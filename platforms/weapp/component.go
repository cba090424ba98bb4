package weapp

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// ComponentConfig configures a WeChat third-party platform (开放平台第三方
// 平台, a "component") that logs users in on behalf of the mini programs
// that authorized it. Formatting it (every fmt verb, slog, JSON) redacts
// Secret, Token and EncodingAESKey.
type ComponentConfig struct {
	// AppID and Secret are the component's component_appid and
	// component_appsecret.
	AppID  string
	Secret string
	// Token and EncodingAESKey are the message-check Token and the
	// 43-character key configured for the component's authorization-event
	// URL.
	Token          string
	EncodingAESKey string
	// BaseURL replaces DefaultBaseURL (for the sandbox or a proxy).
	BaseURL string
	// HTTPClient sends the requests; nil means driverkit.DefaultClient.
	HTTPClient *http.Client
	// Tokens keeps the newest component_verify_ticket and the
	// component_access_token, shared by every replica that uses the same
	// store (a redisstore.Store). Nil means a store in this process.
	Tokens taro.TokenStore
	// OnEvent, when set, receives the authorized, updateauthorized and
	// unauthorized events pushed to Handler. It runs before Handler
	// answers WeChat, so it must be quick.
	OnEvent func(context.Context, ComponentEvent)
}

// MarshalJSON writes the config with its secrets redacted.
func (c ComponentConfig) MarshalJSON() ([]byte, error) {
	return driverkit.ConfigJSON(c.AppID, c.Secret, c.BaseURL, "Token", driver.Secret(c.Token), "EncodingAESKey", driver.Secret(c.EncodingAESKey))
}

// Format implements fmt.Formatter: every verb prints the redacted form.
func (c ComponentConfig) Format(f fmt.State, verb rune) {
	driverkit.FormatRedacted(f, verb, "weapp.ComponentConfig{AppID:"+strconv.Quote(c.AppID)+" Secret:"+strconv.Quote(driver.Secret(c.Secret).String())+
		" Token:"+strconv.Quote(driver.Secret(c.Token).String())+" EncodingAESKey:"+strconv.Quote(driver.Secret(c.EncodingAESKey).String())+
		" BaseURL:"+strconv.Quote(driver.SafeURL(c.BaseURL))+"}")
}

// ComponentEvent is an authorization event WeChat pushed: InfoType is
// "authorized", "updateauthorized" or "unauthorized".
type ComponentEvent struct {
	InfoType        string
	AuthorizerAppID string
	CreateTime      time.Time
	// AuthorizationCode (authorized and updateauthorized) is what
	// api_query_auth exchanges for the authorizer's refresh token; it is
	// redacted when printed.
	AuthorizationCode            driver.Secret
	AuthorizationCodeExpiredTime int64
	PreAuthCode                  driver.Secret
}

// Component is a WeChat third-party platform: Handler receives WeChat's
// pushes, and Driver serves a mini program that authorized it. It is safe
// for concurrent use.
type Component struct {
	cfg                                             ComponentConfig
	hc                                              *http.Client
	crypt                                           *msgCrypt
	tokens                                          taro.TokenStore
	token                                           *taro.TokenSource // component_access_token
	base                                            string
	tickets                                         string // the store key of the newest ticket
	now                                             func() time.Time
	loginURL, componentTokenURL, authorizerTokenURL string
}

// ticketLife is how long WeChat says a component_verify_ticket is valid.
const ticketLife = 12 * time.Hour

// NewComponent returns a component for cfg: AppID, Secret, Token and
// EncodingAESKey are required.
func NewComponent(cfg ComponentConfig) (*Component, error) {
	base, err := driverkit.ConfigBase("weapp", cfg.AppID, cfg.Secret, cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Token == "" {
		return nil, driver.Errorf(driver.CodeInvalidArgument, "weapp: ComponentConfig.Token is required")
	}
	crypt, err := newMsgCrypt(cfg.Token, cfg.EncodingAESKey, cfg.AppID)
	if err != nil {
		return nil, driver.Errorf(driver.CodeInvalidArgument, "weapp: ComponentConfig.%s", err.Error())
	}
	c := &Component{cfg: cfg, hc: driverkit.NoRedirect(cfg.HTTPClient), crypt: crypt, tokens: cfg.Tokens, base: base, now: time.Now,
		tickets:            "weapp-component:" + cfg.AppID + ":ticket",
		loginURL:           driverkit.JoinURL(base, "/sns/component/jscode2session"),
		componentTokenURL:  driverkit.JoinURL(base, "/cgi-bin/component/api_component_token"),
		authorizerTokenURL: driverkit.JoinURL(base, "/cgi-bin/component/api_authorizer_token")}
	if c.tokens == nil {
		c.tokens = taro.NewMemoryTokenStore()
	}
	c.token = taro.NewTokenSource(c.tokens, "weapp-component:"+cfg.AppID+":token", c.fetchComponentToken, taro.TokenSourceOptions{Platform: Platform})
	return c, nil
}

// Format implements fmt.Formatter: every verb prints the redacted form.
func (c *Component) Format(f fmt.State, verb rune) {
	driverkit.FormatRedacted(f, verb, "weapp.Component{"+fmt.Sprint(c.cfg)+"}")
}

// componentAPI is the component's endpoints in the WeChat family: the
// component's own codes first, then WeChat's table.
var componentAPI = driverkit.WeChatAPI{Platform: Platform, Classify: func(ep string, code driverkit.Code) driver.Code {
	switch code {
	case "61005", "61006":
		return driver.CodeUnavailable // the ticket expired or is not the newest: the push pipeline is behind
	case "61003", "61007":
		return driver.CodePermissionDenied // the mini program has not authorized this component (for this API)
	case "61004", "61011", "61023":
		return driver.CodeCredentials // IP not whitelisted; not a component; a stale refresh token
	case "40001", "42001":
		if ep != "component_token" {
			return driver.CodeTokenInvalid // the component token: refetched once
		}
	}
	return classify(ep, code)
}}

// Ticket returns the newest component_verify_ticket pushed to any
// replica; ok is false when none is stored or it is older than twelve
// hours.
func (c *Component) ticket(ctx context.Context) (string, bool, error) {
	t, ok, err := c.tokens.Token(ctx, c.tickets)
	if err != nil || !ok || t.Value == "" || !c.now().Before(t.ExpiresAt) {
		return "", false, err
	}
	return t.Value, true, nil
}

// fetchComponentToken is the component token's fetch: POST
// api_component_token with the newest ticket.
func (c *Component) fetchComponentToken(ctx context.Context) (driver.Token, error) {
	ticket, ok, err := c.ticket(ctx)
	if err != nil {
		return driver.Token{}, driver.Errorf(driver.CodeUnavailable, "weapp component: the token store: %v", err)
	}
	if !ok {
		return driver.Token{}, driver.Errorf(driver.CodeUnavailable, "weapp component: no component_verify_ticket has arrived yet (WeChat pushes one to Handler every ten minutes)")
	}
	body, _ := json.Marshal(struct {
		AppID  string `json:"component_appid"`
		Secret string `json:"component_appsecret"`
		Ticket string `json:"component_verify_ticket"`
	}{c.cfg.AppID, c.cfg.Secret, ticket})
	return componentAPI.TokenAs(ctx, c.hc, driverkit.Request{Method: http.MethodPost, URL: c.componentTokenURL, Body: body, ContentType: "application/json",
		Secrets: []string{c.cfg.Secret, ticket}}, "component_token", "component_access_token")
}

// withComponentToken calls f with the component token, and once more
// with a new one when f's answer says the token is invalid.
func (c *Component) withComponentToken(ctx context.Context, f func(tok string) error) error {
	for attempt := 0; ; attempt++ {
		tok, err := c.token.Token(ctx)
		if err != nil {
			return err
		}
		err = f(tok)
		var de *driver.Error
		if attempt > 0 || !errors.As(err, &de) || de.Code != driver.CodeTokenInvalid {
			return err
		}
		if err := c.token.Invalidate(ctx, tok); err != nil {
			return err
		}
	}
}

// Driver returns the driver of appID, a mini program that authorized the
// component with refreshToken (its authorizer_refresh_token):
// Code2Session goes through sns/component/jscode2session, and the
// token-gated calls (CheckSession, phone numbers, key resets, data checks)
// use the authorizer's access token, which FetchToken refreshes with
// api_authorizer_token (the taro client shares it across replicas like
// any access token).
func (c *Component) Driver(appID, refreshToken string) (taro.Driver, error) {
	if appID == "" {
		return nil, driver.Errorf(driver.CodeInvalidArgument, "weapp component: appID is required")
	}
	if refreshToken == "" {
		return nil, driver.Errorf(driver.CodeInvalidArgument, "weapp component: refreshToken is required")
	}
	d := &componentDriver{Driver: build(Config{AppID: appID, BaseURL: c.cfg.BaseURL, HTTPClient: c.cfg.HTTPClient}, c.base), c: c}
	d.refresh.Store(&refreshToken)
	return d, nil
}

// componentDriver is an authorized mini program's driver: weapp's, but
// for the code exchange and the access token.
type componentDriver struct {
	*Driver
	c       *Component
	refresh atomic.Pointer[string]
}

// Code2Session implements driver.Authenticator with GET
// sns/component/jscode2session.
func (d *componentDriver) Code2Session(ctx context.Context, req driver.LoginRequest) (driver.LoginResponse, error) {
	if req.Code == "" {
		return driver.LoginResponse{}, driver.Errorf(driver.CodeInvalidArgument, "weapp has no anonymous login: Code is required")
	}
	var out driver.LoginResponse
	err := d.c.withComponentToken(ctx, func(tok string) error {
		q := url.Values{"appid": {d.AppID()}, "js_code": {req.Code}, "grant_type": {"authorization_code"},
			"component_appid": {d.c.cfg.AppID}, "component_access_token": {tok}}
		var err error
		out, err = driverkit.Fetch(ctx, d.c.hc, driverkit.Request{Method: http.MethodGet, URL: d.c.loginURL + "?" + q.Encode(), Secrets: []string{tok, d.c.cfg.Secret}},
			componentAPI.ParseCode2Session)
		return err
	})
	return out, err
}

// FetchToken implements driver.TokenFetcher: the authorizer's access
// token, from POST api_authorizer_token with the component token.
func (d *componentDriver) FetchToken(ctx context.Context) (driver.Token, error) {
	var out driver.Token
	err := d.c.withComponentToken(ctx, func(tok string) error {
		refresh := *d.refresh.Load()
		body, _ := json.Marshal(struct {
			Component string `json:"component_appid"`
			AppID     string `json:"authorizer_appid"`
			Refresh   string `json:"authorizer_refresh_token"`
		}{d.c.cfg.AppID, d.AppID(), refresh})
		return driverkit.Call(ctx, d.c.hc, driverkit.Request{Method: http.MethodPost, URL: d.c.authorizerTokenURL + "?component_access_token=" + url.QueryEscape(tok),
			Body: body, ContentType: "application/json", Secrets: []string{tok, refresh, d.c.cfg.Secret}}, func(b []byte) error {
			t, err := componentAPI.ParseTokenAs(b, "authorizer_token", "authorizer_access_token")
			if err != nil {
				return err
			}
			if next, ok := driverkit.ParseObject(b).String("authorizer_refresh_token"); ok && next != refresh {
				d.refresh.Store(&next) // WeChat may rotate it; use what came back
			}
			out = t
			return nil
		})
	})
	return out, err
}

// Format implements fmt.Formatter: every verb prints the redacted form.
func (d *componentDriver) Format(f fmt.State, verb rune) {
	driverkit.FormatRedacted(f, verb, "weapp.ComponentDriver{AppID:"+strconv.Quote(d.AppID())+" Component:"+strconv.Quote(d.c.cfg.AppID)+"}")
}

// Handler is the component's authorization-event URL (授权事件接收URL):
// POST ?timestamp=&nonce=&encrypt_type=aes&msg_signature= with
// <xml><AppId/><Encrypt/></xml>. It checks msg_signature in constant time
// before decrypting, opens the message, and requires the component's own
// AppId inside and out. A component_verify_ticket is stored in
// Config.Tokens (unless a newer one is there), so every replica uses the
// newest; the authorization events reach Config.OnEvent. It answers
// "success". Anything else (another method, a bad signature, ciphertext
// or AppId, a store failure) is refused with one 4xx or 5xx answer that
// says nothing of what failed, and stores nothing.
func (c *Component) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		status := c.receive(r)
		if status != http.StatusOK {
			http.Error(w, http.StatusText(status), status)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "success")
	})
}

// maxPush bounds the body Handler reads.
const maxPush = 64 << 10

// pushEnvelope is the outer XML; pushMessage the decrypted one.
type pushEnvelope struct {
	AppID   string `xml:"AppId"`
	Encrypt string `xml:"Encrypt"`
}

type pushMessage struct {
	AppID                        string `xml:"AppId"`
	CreateTime                   int64  `xml:"CreateTime"`
	InfoType                     string `xml:"InfoType"`
	ComponentVerifyTicket        string `xml:"ComponentVerifyTicket"`
	AuthorizerAppid              string `xml:"AuthorizerAppid"`
	AuthorizationCode            string `xml:"AuthorizationCode"`
	AuthorizationCodeExpiredTime int64  `xml:"AuthorizationCodeExpiredTime"`
	PreAuthCode                  string `xml:"PreAuthCode"`
}

// receive handles one push and returns the HTTP status to answer.
func (c *Component) receive(r *http.Request) int {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPush+1))
	if err != nil || len(body) > maxPush {
		return http.StatusBadRequest
	}
	var env pushEnvelope
	if xml.Unmarshal(body, &env) != nil {
		return http.StatusBadRequest
	}
	q := r.URL.Query()
	plain, err := c.crypt.open(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), env.Encrypt)
	if err != nil {
		return http.StatusBadRequest
	}
	var msg pushMessage
	if xml.Unmarshal(plain, &msg) != nil || msg.AppID != c.cfg.AppID || (env.AppID != "" && env.AppID != c.cfg.AppID) {
		return http.StatusBadRequest
	}
	ctx := r.Context()
	at := time.Unix(msg.CreateTime, 0)
	switch msg.InfoType {
	case "component_verify_ticket":
		if msg.ComponentVerifyTicket == "" {
			return http.StatusBadRequest
		}
		if err := c.keepTicket(ctx, msg.ComponentVerifyTicket, at); err != nil {
			return http.StatusServiceUnavailable // WeChat pushes again
		}
	case "authorized", "updateauthorized", "unauthorized":
		if c.cfg.OnEvent != nil {
			c.cfg.OnEvent(ctx, ComponentEvent{InfoType: msg.InfoType, AuthorizerAppID: msg.AuthorizerAppid, CreateTime: at,
				AuthorizationCode: driver.Secret(msg.AuthorizationCode), AuthorizationCodeExpiredTime: msg.AuthorizationCodeExpiredTime,
				PreAuthCode: driver.Secret(msg.PreAuthCode)})
		}
	}
	return http.StatusOK
}

// keepTicket stores ticket, created at, unless the store holds a newer one.
func (c *Component) keepTicket(ctx context.Context, ticket string, at time.Time) error {
	until := at.Add(ticketLife)
	if cur, ok, err := c.tokens.Token(ctx, c.tickets); err != nil {
		return err
	} else if ok && cur.ExpiresAt.After(until) {
		return nil
	}
	return c.tokens.SetToken(ctx, c.tickets, taro.StoredToken{Value: ticket, ExpiresAt: until})
}
