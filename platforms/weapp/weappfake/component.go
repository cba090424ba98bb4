package weappfake

import (
	"net/http"
	"time"

	"github.com/tarogo/adapter/sandbox/fake"
)

// componentTokenLife is how long WeChat's component and authorizer
// tokens live.
const componentTokenLife = 7200 * time.Second

// authorizerTokens is the token family of api_authorizer_token: an
// authorized app's tokens, apart from its own.
const authorizerTokens = "authorizer"

// componentToken serves POST /cgi-bin/component/api_component_token:
// JSON {component_appid, component_appsecret, component_verify_ticket} →
// {component_access_token, expires_in}; 61011 for an unknown component,
// 40125 for a wrong secret, 61006 for a ticket never pushed, 61005 for
// one older than twelve hours, 47001 for bad JSON.
func componentToken(w http.ResponseWriter, r *http.Request, st *fake.State) {
	var req struct {
		AppID  string `json:"component_appid"`
		Secret string `json:"component_appsecret"`
		Ticket string `json:"component_verify_ticket"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	c, ok := st.Component(req.AppID)
	switch {
	case !ok:
		fake.WriteJSON(w, fake.WeChatErr(61011, "invalid component"))
		return
	case req.Secret != c.Secret:
		fake.WriteJSON(w, fake.WeChatErr(40125, "invalid appsecret"))
		return
	}
	switch known, fresh := c.TicketState(req.Ticket, st.Now()); {
	case !known:
		fake.WriteJSON(w, fake.WeChatErr(61006, "component ticket is invalid"))
		return
	case !fresh:
		fake.WriteJSON(w, fake.WeChatErr(61005, "component ticket is expired"))
		return
	}
	fake.WriteJSON(w, struct {
		Token     string `json:"component_access_token"`
		ExpiresIn int    `json:"expires_in"`
	}{c.MintToken(st.Now(), componentTokenLife), int(componentTokenLife / time.Second)})
}

// componentOK checks a component's access token as WeChat does (42001
// expired, 40001 unknown); it reports false after answering.
func componentOK(w http.ResponseWriter, st *fake.State, appID, tok string) (*fake.ComponentState, bool) {
	c, ok := st.Component(appID)
	if !ok {
		fake.WriteJSON(w, fake.WeChatErr(61011, "invalid component"))
		return nil, false
	}
	switch valid, expired := c.TokenState(tok, st.Now()); {
	case expired:
		fake.WriteJSON(w, fake.WeChatErr(42001, "access_token expired"))
		return nil, false
	case !valid:
		fake.WriteJSON(w, fake.WeChatErr(40001, "invalid credential, access_token is invalid or not latest"))
		return nil, false
	}
	return c, true
}

// componentCode2Session serves GET /sns/component/jscode2session:
// appid (the authorized app), js_code, grant_type, component_appid and
// component_access_token → WeChat's code exchange answer; 61003 when the
// app has not authorized the component.
func componentCode2Session(w http.ResponseWriter, r *http.Request, st *fake.State) {
	q := r.URL.Query()
	c, ok := componentOK(w, st, q.Get("component_appid"), q.Get("component_access_token"))
	if !ok {
		return
	}
	switch _, authorized := c.Authorized[q.Get("appid")]; {
	case q.Get("grant_type") != "authorization_code":
		fake.WriteJSON(w, fake.WeChatErr(40002, "invalid grant_type"))
		return
	case !authorized || q.Get("appid") != st.App().ID:
		fake.WriteJSON(w, fake.WeChatErr(61003, "component is not authorized by this account"))
		return
	case q.Get("js_code") == "":
		fake.WriteJSON(w, fake.WeChatErr(41008, "missing code"))
		return
	}
	fake.WeChatRedeem(w, st, q.Get("js_code"))
}

// authorizerToken serves POST
// /cgi-bin/component/api_authorizer_token?component_access_token=: JSON
// {component_appid, authorizer_appid, authorizer_refresh_token} →
// {authorizer_access_token, expires_in, authorizer_refresh_token}; 61023
// for a refresh token that is not the app's.
func authorizerToken(w http.ResponseWriter, r *http.Request, st *fake.State) {
	var req struct {
		Component string `json:"component_appid"`
		AppID     string `json:"authorizer_appid"`
		Refresh   string `json:"authorizer_refresh_token"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	c, ok := componentOK(w, st, req.Component, r.URL.Query().Get("component_access_token"))
	if !ok {
		return
	}
	if rt, ok := c.Authorized[req.AppID]; !ok || rt != req.Refresh || req.AppID != st.App().ID {
		fake.WriteJSON(w, fake.WeChatErr(61023, "refresh_token is invalid"))
		return
	}
	st.ShortenTokensIn(authorizerTokens)
	tok, ttl := st.MintTokenIn(authorizerTokens)
	fake.WriteJSON(w, struct {
		Token     string `json:"authorizer_access_token"`
		ExpiresIn int    `json:"expires_in"`
		Refresh   string `json:"authorizer_refresh_token"`
	}{tok, int(ttl / time.Second), req.Refresh})
}
