package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driverkit"
)

// maxRequestBody caps what the sandbox reads of a request.
const maxRequestBody = 64 << 10

func (s *Sandbox) routes() {
	// WeChat: api.weixin.qq.com
	s.handle(taro.Weapp, Code2Session, "GET /weapp/sns/jscode2session", s.weappCode2Session)
	s.handle(taro.Weapp, Token, "POST /weapp/cgi-bin/stable_token", s.weappStableToken)
	s.handle(taro.Weapp, Token, "GET /weapp/cgi-bin/token", s.weappToken)
	s.handle(taro.Weapp, CheckSession, "GET /weapp/wxa/checksession", s.weappCheckSession)
	s.handle(taro.Weapp, PhoneNumber, "POST /weapp/wxa/business/getuserphonenumber", s.weappPhoneNumber)
	s.handle(taro.Weapp, ResetKey, "GET /weapp/wxa/resetusersessionkey", s.weappReset)
	// Douyin: developer.toutiao.com and minigame.zijieapi.com
	s.handle(taro.TT, Code2Session, "POST /tt/api/apps/v2/jscode2session", s.ttCode2Session)
	s.handle(taro.TT, Token, "POST /tt/api/apps/v2/token", s.ttToken)
	s.handle(taro.TT, CheckSession, "GET /tt/mgplatform/api/apps/check_session_key", s.ttCheckSession)
	s.handle(taro.TT, ResetKey, "POST /tt/mgplatform/api/apps/reset_session_key", s.ttReset)
	// QQ: api.q.qq.com
	s.handle(taro.QQ, Code2Session, "GET /qq/sns/jscode2session", s.qqCode2Session)
	s.handle(taro.QQ, Token, "GET /qq/api/getToken", s.qqToken)
	// Baidu: spapi.baidu.com (POST form; the official SDK sends a GET query)
	s.handle(taro.Swan, Code2Session, "POST /swan/oauth/jscode2sessionkey", s.swanCode2Session)
	s.handle(taro.Swan, Code2Session, "GET /swan/oauth/jscode2sessionkey", s.swanCode2Session)
	// Baidu's OAuth token on openapi.baidu.com (GET, or POST as a form).
	s.handle(taro.Swan, Token, "GET /swan/oauth/2.0/token", s.swanToken)
	s.handle(taro.Swan, Token, "POST /swan/oauth/2.0/token", s.swanToken)
	// Baidu's legacy mini-game login on openapi.baidu.com (seed 003).
	s.handle(taro.Swan, Code2Session, "POST /swan/nalogin/getSessionKeyByCode", s.swanLegacyCode2Session)
	s.handle(taro.Swan, Code2Session, "GET /swan/nalogin/getSessionKeyByCode", s.swanLegacyCode2Session)
	s.admin()
}

// handle mounts h behind request counting and fault injection.
func (s *Sandbox) handle(p taro.Platform, ep Endpoint, pattern string, h func(w http.ResponseWriter, r *http.Request, st *platform)) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		// Read the body first: the server notices a client hanging up (and
		// cancels r.Context, ending a Slow fault) only once it has.
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
		if err != nil {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if f, ok := s.enter(p, ep); ok && s.applyFault(w, r, p, ep, f) {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		h(w, r, s.ps[p])
	})
}

// applyFault produces f; it reports whether the request was answered.
func (s *Sandbox) applyFault(w http.ResponseWriter, r *http.Request, p taro.Platform, ep Endpoint, f fault) bool {
	switch f.kind {
	case Busy, RateLimit, TokenInvalid:
		writeJSON(w, errorBody(p, ep, f.kind))
	case ServerError:
		http.Error(w, "502 Bad Gateway", http.StatusBadGateway)
	case HTMLBody:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n")
	case Truncated:
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"o`)
	case Reset:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		http.Error(w, "", http.StatusBadGateway)
	case Slow:
		d := f.delay
		if d <= 0 {
			d = s.opts.SlowDelay
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			return true
		case <-t.C:
		}
		return false // then answer normally
	}
	return true
}

// errorBody is p's own answer for a busy, rate-limit or token-invalid
// fault on ep.
func errorBody(p taro.Platform, ep Endpoint, k FaultKind) any {
	switch p {
	case taro.Weapp, taro.QQ:
		switch k {
		case Busy:
			return wxError{-1, "system error"}
		case RateLimit:
			return wxError{45011, "api minute-quota reach limit  mustslower  retry next minute"}
		default:
			return wxError{40001, "invalid credential, access_token is invalid or not latest"}
		}
	case taro.TT:
		if ep == CheckSession || ep == ResetKey { // minigame.zijieapi.com vocabulary
			switch k {
			case Busy:
				return ttCheckResp{ErrNo: 28001005, ErrMsg: "system busy, please retry", LogID: randomHex(8)}
			case RateLimit:
				return ttCheckResp{ErrNo: 28003018, ErrMsg: "request too frequent", LogID: randomHex(8)}
			default:
				return ttCheckResp{ErrNo: 28001003, ErrMsg: "invalid access_token", LogID: randomHex(8)}
			}
		}
		switch k {
		case Busy:
			return ttResp{ErrNo: -1, ErrTips: "system error"}
		default:
			return ttResp{ErrNo: 28003018, ErrTips: "request too frequent"}
		}
	default: // swan: Baidu's general open API error vocabulary
		switch k {
		case Busy:
			return baiduAPIError{2, "Service temporarily unavailable"}
		default:
			return baiduAPIError{18, "Open api qps request limit reached"}
		}
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// readJSON decodes a JSON request body; it reports false on bad JSON.
func readJSON(r *http.Request, v any) bool {
	return json.NewDecoder(r.Body).Decode(v) == nil
}

// ---- WeChat ----

type wxError struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

func wxErr(code int, msg string) wxError { return wxError{code, msg + ", rid: " + randomHex(6)} }

func (s *Sandbox) weappCode2Session(w http.ResponseWriter, r *http.Request, st *platform) {
	s.wxStyleCode2Session(w, r, st)
}

// wxStyleCode2Session serves GET /sns/jscode2session as WeChat and QQ do.
func (s *Sandbox) wxStyleCode2Session(w http.ResponseWriter, r *http.Request, st *platform) {
	q := r.URL.Query()
	switch {
	case q.Get("appid") != st.app.ID:
		writeJSON(w, wxErr(40013, "invalid appid"))
		return
	case q.Get("secret") != st.app.Secret:
		writeJSON(w, wxErr(40125, "invalid appsecret"))
		return
	case q.Get("grant_type") != "authorization_code":
		writeJSON(w, wxErr(40002, "invalid grant_type"))
		return
	case q.Get("js_code") == "":
		writeJSON(w, wxErr(41008, "missing code"))
		return
	}
	c, cerr := s.redeem(st, q.Get("js_code"), false)
	switch cerr {
	case codeUsed:
		writeJSON(w, wxErr(40163, "code been used"))
		return
	case codeUnknown, codeExpired:
		writeJSON(w, wxErr(40029, "invalid code"))
		return
	}
	u := st.users[c.openid]
	writeJSON(w, struct {
		OpenID     string `json:"openid"`
		SessionKey string `json:"session_key"`
		UnionID    string `json:"unionid,omitempty"`
	}{c.openid, u.key, u.unionid})
}

func (s *Sandbox) weappStableToken(w http.ResponseWriter, r *http.Request, st *platform) {
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	switch {
	case !readJSON(r, &req):
		writeJSON(w, wxErr(47001, "data format error"))
		return
	case req.GrantType != "client_credential":
		writeJSON(w, wxErr(40002, "invalid grant_type"))
		return
	case req.AppID != st.app.ID:
		writeJSON(w, wxErr(40013, "invalid appid"))
		return
	case req.Secret != st.app.Secret:
		writeJSON(w, wxErr(40125, "invalid appsecret"))
		return
	}
	// Normal mode hands every caller the same token, renewed when fewer
	// than five minutes remain. force_refresh ends the previous token at
	// once and mints a new one.
	tok := st.current
	remaining := time.Duration(0)
	if exp, ok := st.tokens[tok]; ok {
		remaining = exp.Sub(s.nowLocked())
	}
	if req.ForceRefresh {
		delete(st.tokens, st.current)
	}
	if req.ForceRefresh || remaining < 5*time.Minute {
		tok, remaining = s.mintToken(st)
	}
	writeJSON(w, struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}{tok, int(remaining / time.Second)})
}

// weappToken serves the classic GET /cgi-bin/token that every other WeChat
// SDK calls: each call mints a new token, and the previous ones keep
// working for five more minutes at most.
func (s *Sandbox) weappToken(w http.ResponseWriter, r *http.Request, st *platform) {
	q := r.URL.Query()
	switch {
	case q.Get("grant_type") != "client_credential":
		writeJSON(w, wxErr(40002, "invalid grant_type"))
		return
	case q.Get("appid") != st.app.ID:
		writeJSON(w, wxErr(40013, "invalid appid"))
		return
	case q.Get("secret") != st.app.Secret:
		writeJSON(w, wxErr(40125, "invalid appsecret"))
		return
	}
	s.shortenTokens(st)
	tok, ttl := s.mintToken(st)
	writeJSON(w, struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}{tok, int(ttl / time.Second)})
}

// shortenTokens leaves every token of st at most five minutes to live.
func (s *Sandbox) shortenTokens(st *platform) {
	now := s.nowLocked()
	for t, exp := range st.tokens {
		if exp.Sub(now) > 5*time.Minute {
			st.tokens[t] = now.Add(5 * time.Minute)
		}
	}
}

func (s *Sandbox) weappCheckSession(w http.ResponseWriter, r *http.Request, st *platform) {
	q := r.URL.Query()
	valid, expired := s.tokenState(st, q.Get("access_token"))
	switch {
	case expired:
		writeJSON(w, wxErr(42001, "access_token expired"))
		return
	case !valid:
		writeJSON(w, wxErr(40001, "invalid credential, access_token is invalid or not latest"))
		return
	case q.Get("sig_method") != driverkit.SigMethod:
		writeJSON(w, wxErr(87008, "invalid sig_method"))
		return
	}
	u, ok := st.users[q.Get("openid")]
	if !ok || !driverkit.VerifyLoginState(u.key, "", q.Get("signature")) {
		writeJSON(w, wxErr(87009, "invalid signature"))
		return
	}
	writeJSON(w, wxError{0, "ok"})
}

// weappToken checks an access token as WeChat does; it reports false
// after answering.
func (s *Sandbox) weappTokenOK(w http.ResponseWriter, st *platform, tok string) bool {
	valid, expired := s.tokenState(st, tok)
	switch {
	case expired:
		writeJSON(w, wxErr(42001, "access_token expired"))
		return false
	case !valid:
		writeJSON(w, wxErr(40001, "invalid credential, access_token is invalid or not latest"))
		return false
	}
	return true
}

// weappPhoneNumber serves POST /wxa/business/getuserphonenumber.
func (s *Sandbox) weappPhoneNumber(w http.ResponseWriter, r *http.Request, st *platform) {
	if !s.weappTokenOK(w, st, r.URL.Query().Get("access_token")) {
		return
	}
	var req struct {
		Code string `json:"code"`
	}
	if !readJSON(r, &req) {
		writeJSON(w, wxErr(47001, "data format error"))
		return
	}
	pc, ok := st.phones[req.Code]
	switch {
	case !ok || !s.nowLocked().Before(pc.expires):
		writeJSON(w, wxErr(40029, "invalid code"))
		return
	case pc.used:
		writeJSON(w, wxErr(40029, "code been used"))
		return
	}
	pc.used = true
	type watermark struct {
		Timestamp int64  `json:"timestamp"`
		AppID     string `json:"appid"`
	}
	writeJSON(w, struct {
		ErrCode   int    `json:"errcode"`
		ErrMsg    string `json:"errmsg"`
		PhoneInfo struct {
			PhoneNumber     string    `json:"phoneNumber"`
			PurePhoneNumber string    `json:"purePhoneNumber"`
			CountryCode     string    `json:"countryCode"`
			Watermark       watermark `json:"watermark"`
		} `json:"phone_info"`
	}{ErrMsg: "ok", PhoneInfo: struct {
		PhoneNumber     string    `json:"phoneNumber"`
		PurePhoneNumber string    `json:"purePhoneNumber"`
		CountryCode     string    `json:"countryCode"`
		Watermark       watermark `json:"watermark"`
	}{pc.phone, pc.phone, "86", watermark{s.nowLocked().Unix(), st.app.ID}}})
}

// weappReset serves GET /wxa/resetusersessionkey: a new key, the old one
// dead at once.
func (s *Sandbox) weappReset(w http.ResponseWriter, r *http.Request, st *platform) {
	q := r.URL.Query()
	if !s.weappTokenOK(w, st, q.Get("access_token")) {
		return
	}
	if q.Get("sig_method") != driverkit.SigMethod {
		writeJSON(w, wxErr(87008, "invalid sig_method"))
		return
	}
	u, ok := st.users[q.Get("openid")]
	if !ok || !driverkit.VerifyLoginState(u.key, "", q.Get("signature")) {
		writeJSON(w, wxErr(87009, "invalid signature"))
		return
	}
	u.key = newSessionKey(st.name)
	writeJSON(w, struct {
		ErrCode    int    `json:"errcode"`
		ErrMsg     string `json:"errmsg"`
		OpenID     string `json:"openid"`
		SessionKey string `json:"session_key"`
	}{0, "ok", q.Get("openid"), u.key})
}

// ---- QQ ----

// qqToken serves GET /api/getToken: each call mints a token, and the
// previous ones keep working for five more minutes at most.
func (s *Sandbox) qqToken(w http.ResponseWriter, r *http.Request, st *platform) {
	q := r.URL.Query()
	switch {
	case q.Get("grant_type") != "client_credential":
		writeJSON(w, wxErr(40002, "invalid grant_type"))
		return
	case q.Get("appid") != st.app.ID:
		writeJSON(w, wxErr(40013, "invalid appid"))
		return
	case q.Get("secret") != st.app.Secret:
		writeJSON(w, wxErr(40001, "invalid credential"))
		return
	}
	s.shortenTokens(st)
	tok, ttl := s.mintToken(st)
	writeJSON(w, struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}{tok, int(ttl / time.Second)})
}

func (s *Sandbox) qqCode2Session(w http.ResponseWriter, r *http.Request, st *platform) {
	s.wxStyleCode2Session(w, r, st)
}

// ---- Douyin ----

type ttResp struct {
	ErrNo   int    `json:"err_no"`
	ErrTips string `json:"err_tips"`
	Data    any    `json:"data,omitempty"`
}

type ttCheckResp struct {
	ErrNo  int    `json:"err_no"`
	ErrMsg string `json:"err_msg"`
	LogID  string `json:"log_id"`
}

func (s *Sandbox) ttCode2Session(w http.ResponseWriter, r *http.Request, st *platform) {
	var req struct {
		AppID         string `json:"appid"`
		Secret        string `json:"secret"`
		Code          string `json:"code"`
		AnonymousCode string `json:"anonymous_code"`
	}
	switch {
	case !readJSON(r, &req):
		writeJSON(w, ttResp{ErrNo: 40014, ErrTips: "bad params"})
		return
	case req.AppID != st.app.ID:
		writeJSON(w, ttResp{ErrNo: 40015, ErrTips: "bad appid"})
		return
	case req.Secret != st.app.Secret:
		writeJSON(w, ttResp{ErrNo: 40017, ErrTips: "bad secret"})
		return
	case req.Code == "" && req.AnonymousCode == "":
		writeJSON(w, ttResp{ErrNo: 40014, ErrTips: "bad params"})
		return
	}
	type data struct {
		SessionKey      string `json:"session_key"`
		OpenID          string `json:"openid"`
		AnonymousOpenID string `json:"anonymous_openid"`
		UnionID         string `json:"unionid"`
	}
	var out data
	if req.AnonymousCode != "" {
		c, cerr := s.redeem(st, req.AnonymousCode, true)
		if cerr != codeOK {
			writeJSON(w, ttResp{ErrNo: 40019, ErrTips: "bad anonymous_code"})
			return
		}
		// An anonymous-only login yields no session key, openid or
		// unionid: Douyin returns those only when a code was sent.
		out.AnonymousOpenID = c.openid
	}
	if req.Code != "" {
		c, cerr := s.redeem(st, req.Code, false)
		if cerr != codeOK {
			writeJSON(w, ttResp{ErrNo: 40018, ErrTips: "bad code"})
			return
		}
		u := st.users[c.openid]
		out.OpenID, out.SessionKey, out.UnionID = c.openid, u.key, u.unionid
	}
	writeJSON(w, ttResp{ErrNo: 0, ErrTips: "success", Data: out})
}

func (s *Sandbox) ttToken(w http.ResponseWriter, r *http.Request, st *platform) {
	var req struct {
		AppID     string `json:"appid"`
		Secret    string `json:"secret"`
		GrantType string `json:"grant_type"`
	}
	type data struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	switch {
	case !readJSON(r, &req):
		writeJSON(w, ttResp{ErrNo: 40014, ErrTips: "bad params", Data: data{}})
		return
	case req.AppID != st.app.ID:
		writeJSON(w, ttResp{ErrNo: 40015, ErrTips: "bad appid", Data: data{}})
		return
	case req.Secret != st.app.Secret:
		writeJSON(w, ttResp{ErrNo: 40017, ErrTips: "bad secret", Data: data{}})
		return
	case req.GrantType != "client_credential":
		writeJSON(w, ttResp{ErrNo: 40020, ErrTips: "bad grant_type", Data: data{}})
		return
	}
	// A new token shortens the previous ones to five minutes.
	s.shortenTokens(st)
	tok, ttl := s.mintToken(st)
	writeJSON(w, ttResp{ErrNo: 0, ErrTips: "success", Data: data{tok, int(ttl / time.Second)}})
}

func (s *Sandbox) ttCheckSession(w http.ResponseWriter, r *http.Request, st *platform) {
	q := r.URL.Query()
	answer := func(no int, msg string) { writeJSON(w, ttCheckResp{ErrNo: no, ErrMsg: msg, LogID: randomHex(8)}) }
	if valid, _ := s.tokenState(st, q.Get("access_token")); !valid {
		answer(28001003, "invalid access_token")
		return
	}
	u, ok := st.users[q.Get("openid")]
	switch {
	case !ok:
		answer(28001004, "invalid openid")
	case q.Get("sig_method") != driverkit.SigMethod:
		answer(28001038, "invalid sig_method")
	case !driverkit.VerifyLoginState(u.key, "", q.Get("signature")):
		answer(28001039, "invalid signature")
	default:
		answer(0, "")
	}
}

// ttReset serves the mini-game POST reset_session_key.
func (s *Sandbox) ttReset(w http.ResponseWriter, r *http.Request, st *platform) {
	answer := func(no int, msg string) { writeJSON(w, ttCheckResp{ErrNo: no, ErrMsg: msg, LogID: randomHex(8)}) }
	var req struct {
		AccessToken string `json:"access_token"`
		OpenID      string `json:"openid"`
		Signature   string `json:"signature"`
		SigMethod   string `json:"sig_method"`
	}
	if !readJSON(r, &req) {
		answer(28001001, "invalid params")
		return
	}
	if valid, _ := s.tokenState(st, req.AccessToken); !valid {
		answer(28001003, "invalid access_token")
		return
	}
	u, ok := st.users[req.OpenID]
	switch {
	case !ok:
		answer(28001004, "invalid openid")
		return
	case req.SigMethod != driverkit.SigMethod:
		answer(28001038, "invalid sig_method")
		return
	case !driverkit.VerifyLoginState(u.key, "", req.Signature):
		answer(28001039, "invalid signature")
		return
	}
	u.key = newSessionKey(st.name)
	writeJSON(w, struct {
		ErrNo      int    `json:"err_no"`
		ErrMsg     string `json:"err_msg"`
		LogID      string `json:"log_id"`
		OpenID     string `json:"openid"`
		SessionKey string `json:"session_key"`
	}{0, "", randomHex(8), req.OpenID, u.key})
}

// ---- Baidu ----

// swanToken serves openapi.baidu.com/oauth/2.0/token (client
// credentials); OAuth errors come with HTTP 400 and tokens last 30 days.
func (s *Sandbox) swanToken(w http.ResponseWriter, r *http.Request, st *platform) {
	fail := func(e oauthError) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(e)
	}
	if err := r.ParseForm(); err != nil {
		fail(oauthError{"invalid_request", "malformed request"})
		return
	}
	switch {
	case r.Form.Get("grant_type") != "client_credentials":
		fail(oauthError{"unsupported_grant_type", "The authorization grant type is not supported"})
		return
	case r.Form.Get("client_id") != st.app.ID || r.Form.Get("client_secret") != st.app.Secret:
		fail(oauthError{"invalid_client", "unknown client id or secret"})
		return
	}
	tok, ttl := s.mintToken(st)
	writeJSON(w, struct {
		AccessToken  string `json:"access_token"`
		ExpiresIn    int    `json:"expires_in"`
		RefreshToken string `json:"refresh_token"`
		Scope        string `json:"scope"`
	}{tok, int(ttl / time.Second), randomHex(16), "smartapp_snsapi_base"})
}

type baiduAPIError struct {
	ErrorCode int    `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
}

// spapiError is spapi's own failure shape (Baidu's example answer):
// errno is the code and "error" a description; every failure carries a
// non-zero errno, which is what Baidu's official SDK reads.
type spapiError struct {
	Errno            int    `json:"errno"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// oauthError is openapi.baidu.com's OAuth failure shape.
type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// The sandbox's spapi errno values. 10010100 (parameter validation) is
// Baidu's documented example; Baidu publishes no errno for a rejected code
// or client, so those answers carry these two with the OAuth error code in
// "error" (which Baidu's login doc lists as the error field's vocabulary).
const (
	spapiErrParam  = 10010100
	spapiErrGrant  = 10010101
	spapiErrClient = 10010102
)

// swanForm reads code, client_id and sk from a POST form or a GET query
// (Baidu's official SDK sends a GET with query parameters).
func swanForm(r *http.Request) (code, clientID, sk string, ok bool) {
	if err := r.ParseForm(); err != nil {
		return "", "", "", false
	}
	return r.Form.Get("code"), r.Form.Get("client_id"), r.Form.Get("sk"), true
}

func (s *Sandbox) swanCode2Session(w http.ResponseWriter, r *http.Request, st *platform) {
	code, clientID, sk, ok := swanForm(r)
	switch {
	case !ok || code == "" || clientID == "" || sk == "":
		writeJSON(w, spapiError{spapiErrParam, "parameter is invalid",
			"Key: 'Code2SessionKeyParam' Error:Field validation for 'Code', 'ClientID' or 'Sk' failed on the 'required' tag"})
		return
	case clientID != st.app.ID || sk != st.app.Secret:
		writeJSON(w, spapiError{spapiErrClient, "invalid_client", "unknown client id or secret"})
		return
	}
	c, cerr := s.redeem(st, code, false)
	if cerr != codeOK {
		writeJSON(w, spapiError{spapiErrGrant, "invalid_grant", "Invalid authorization code"})
		return
	}
	writeJSON(w, struct {
		OpenID     string `json:"openid"`
		SessionKey string `json:"session_key"`
	}{c.openid, st.users[c.openid].key})
}

// swanLegacyCode2Session serves openapi.baidu.com/nalogin/getSessionKeyByCode,
// which answers OAuth errors with HTTP 400.
func (s *Sandbox) swanLegacyCode2Session(w http.ResponseWriter, r *http.Request, st *platform) {
	fail := func(e oauthError) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(e)
	}
	code, clientID, sk, ok := swanForm(r)
	switch {
	case !ok || code == "" || clientID == "" || sk == "":
		fail(oauthError{"invalid_request", "missing required parameter"})
		return
	case clientID != st.app.ID || sk != st.app.Secret:
		fail(oauthError{"invalid_client", "unknown client id or secret"})
		return
	}
	c, cerr := s.redeem(st, code, false)
	if cerr != codeOK {
		fail(oauthError{"invalid_grant", "Invalid authorization code"})
		return
	}
	writeJSON(w, struct {
		OpenID     string `json:"openid"`
		SessionKey string `json:"session_key"`
	}{c.openid, st.users[c.openid].key})
}
