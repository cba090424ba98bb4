package login

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/tarogo/adapter/taro"
)

// maxLoginBody caps a login request's body.
const maxLoginBody = 4 << 10

// loginRequest is the body the login handler accepts.
type loginRequest struct {
	Platform      taro.Platform `json:"platform"`
	AppID         string        `json:"appid"`
	Code          string        `json:"code"`
	AnonymousCode string        `json:"anonymousCode"`
}

// LoginResponse is the login handler's answer: errMsg "login:ok" with the
// ticket, or "login:fail <reason>" with the code. Never the session key.
type LoginResponse struct {
	ErrMsg       string    `json:"errMsg"`
	Code         taro.Code `json:"code,omitempty"`
	PlatformCode string    `json:"platformCode,omitempty"`
	Ticket       string    `json:"ticket,omitempty"`
	AppID        string    `json:"appid,omitempty"`
	OpenID       string    `json:"openid,omitempty"`
	UnionID      string    `json:"unionid,omitempty"`
	// TenantID is the user's organisation on a work platform.
	TenantID string `json:"tenantId,omitempty"`
	// ExpiresIn is the ticket's lifetime in seconds.
	ExpiresIn int64 `json:"expiresIn,omitempty"`
}

// String describes the response with the ticket redacted; its JSON form,
// for the client, carries the ticket.
func (r LoginResponse) describe() string {
	t := ""
	if r.Ticket != "" {
		t = "[redacted]"
	}
	return fmt.Sprintf("{ErrMsg:%q Code:%s Ticket:%s OpenID:%q UnionID:%q TenantID:%q ExpiresIn:%d}", r.ErrMsg, r.Code, t, r.OpenID, r.UnionID, r.TenantID, r.ExpiresIn)
}

// LogValue implements slog.LogValuer with the ticket redacted: the JSON
// form is for the client only, so slog's JSON handler does not use it.
func (r LoginResponse) LogValue() slog.Value {
	t := ""
	if r.Ticket != "" {
		t = "[redacted]"
	}
	return slog.GroupValue(slog.String("errMsg", r.ErrMsg), slog.String("code", r.Code.String()), slog.String("ticket", t),
		slog.String("openid", r.OpenID), slog.String("unionid", r.UnionID), slog.String("tenantId", r.TenantID), slog.Int64("expiresIn", r.ExpiresIn))
}

// Format implements fmt.Formatter: every verb prints String.
func (r LoginResponse) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(r.describe())) }

// FailResponse is the JSON body of every failure the handlers answer.
type FailResponse struct {
	ErrMsg       string    `json:"errMsg"`
	Code         taro.Code `json:"code"`
	PlatformCode string    `json:"platformCode,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers err with the status taro.HTTPStatus gives its code.
func fail(w http.ResponseWriter, api string, err error) {
	var te *taro.Error
	if !errors.As(err, &te) {
		te = &taro.Error{API: api, Code: taro.CodeOf(err), Err: err}
	}
	if te.Code == taro.CodeSessionInvalid {
		w.Header().Set("WWW-Authenticate", `Bearer realm="taro", error="invalid_token"`)
	}
	writeJSON(w, taro.HTTPStatus(te.Code), FailResponse{ErrMsg: api + ":fail " + te.Reason(), Code: te.Code, PlatformCode: te.PlatformCode})
}

// Handler returns the login endpoint: POST with the JSON body
// {"platform","appid","code","anonymousCode"} exchanges the code
// (Code2Session; "appid" chooses the app where the client serves several
// of the platform, and may be left out where it serves one)
// and answers 200 {"errMsg":"login:ok","ticket","openid","unionid",
// "expiresIn"}; failures answer {"errMsg":"login:fail …","code":…} with
// the status of taro.HTTPStatus (a malformed body 400, a rejected code 400,
// a platform outage 503 — never 401). Mount it where the mini program
// posts its login code.
func (m *Manager) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeJSON(w, http.StatusMethodNotAllowed, FailResponse{ErrMsg: APILogin + ":fail invalid argument: method must be POST", Code: taro.CodeInvalidArgument})
			return
		}
		req, why := readLoginRequest(r.Body)
		if why != "" {
			fail(w, APILogin, &taro.Error{API: APILogin, Code: taro.CodeInvalidArgument,
				Detail: "the body must be one JSON object {\"platform\",\"appid\",\"code\",\"anonymousCode\"} of at most 4 KiB: " + why})
			return
		}
		res, err := m.Login(r.Context(), taro.LoginOption{Platform: req.Platform, AppID: req.AppID, Code: req.Code, AnonymousCode: req.AnonymousCode})
		if err != nil {
			fail(w, APILogin, err)
			return
		}
		writeJSON(w, http.StatusOK, LoginResponse{ErrMsg: APILogin + ":ok", Ticket: res.Ticket, AppID: res.User.AppID, OpenID: res.User.OpenID,
			UnionID: res.User.UnionID, TenantID: res.User.TenantID, ExpiresIn: int64(res.ExpiresIn.Seconds())})
	})
}

// loginMembers are the login body's members, by their exact names.
var loginMembers = []string{"platform", "appid", "code", "anonymousCode"}

// readLoginRequest reads a login body strictly, so that every reader of
// it (a firewall, a proxy, this handler) reads it the same way: one JSON
// object of string members with the exact names above, each at most once,
// and nothing after it but whitespace. It says what is wrong, naming the
// member, or "".
func readLoginRequest(body io.Reader) (loginRequest, string) {
	var req loginRequest
	b, err := io.ReadAll(io.LimitReader(body, maxLoginBody+1))
	if err != nil {
		return req, "the body could not be read"
	}
	if len(b) > maxLoginBody {
		return req, "the body is over 4 KiB"
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return req, "not a JSON object"
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return req, "malformed JSON"
		}
		name, _ := t.(string)
		exact := slices.Contains(loginMembers, name)
		if !exact {
			for _, m := range loginMembers {
				if strings.EqualFold(m, name) {
					return req, fmt.Sprintf("member %q differs from %q only in case", name, m)
				}
			}
			return req, fmt.Sprintf("unknown member %q", name)
		}
		if seen[name] {
			return req, fmt.Sprintf("member %q appears twice", name)
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return req, "malformed JSON"
		}
		var v string
		if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &v) != nil {
			return req, fmt.Sprintf("member %q must be a string", name)
		}
		switch name {
		case "platform":
			req.Platform = taro.Platform(v)
		case "appid":
			req.AppID = v
		case "code":
			req.Code = v
		case "anonymousCode":
			req.AnonymousCode = v
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return req, "malformed JSON"
	}
	if _, err := dec.Token(); err != io.EOF {
		return req, "data after the object"
	}
	return req, ""
}

type userKey struct{}

// UserFrom returns the user Require resolved for the request.
func UserFrom(ctx context.Context) (User, bool) {
	u, ok := ctx.Value(userKey{}).(User)
	return u, ok
}

// WithUser returns ctx carrying u, as Require does (for tests and for
// servers that resolve tickets themselves).
func WithUser(ctx context.Context, u User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// BearerTicket returns the ticket of an "Authorization: Bearer <ticket>"
// header, or "".
//
// A request with more than one Authorization value carries no ticket (a
// proxy that reads another of them would authorise another user): Require
// answers it 401.
func BearerTicket(r *http.Request) string {
	hs := r.Header.Values("Authorization")
	if len(hs) != 1 {
		return ""
	}
	h := hs[0]
	scheme, t, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(t)
}

// Require returns a middleware that lets through only requests whose
// Authorization: Bearer ticket resolves (see Resolve), with the user in the
// request's context (UserFrom). A missing, unknown, expired, logged-out,
// forged or superseded ticket is 401; a store or platform outage is 503
// (504 on a deadline), never 200 and never 401.
func (m *Manager) Require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.Header.Values("Authorization")) > 1 {
			fail(w, APIAuth, invalid("", DetailManyAuthorization, nil))
			return
		}
		u, err := m.resolve(r.Context(), BearerTicket(r))
		if err != nil {
			fail(w, APIAuth, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithUser(r.Context(), u)))
	})
}

// LogoutHandler returns an endpoint that ends the request's ticket and
// answers 200 {"errMsg":"logout:ok"}.
func (m *Manager) LogoutHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeJSON(w, http.StatusMethodNotAllowed, FailResponse{ErrMsg: "logout:fail invalid argument: method must be POST", Code: taro.CodeInvalidArgument})
			return
		}
		if err := m.Logout(r.Context(), BearerTicket(r)); err != nil {
			fail(w, "logout", err)
			return
		}
		writeJSON(w, http.StatusOK, struct {
			ErrMsg string `json:"errMsg"`
		}{"logout:ok"})
	})
}

// SessionsHandler returns an endpoint, behind Require, that lists the
// request's user's live sessions: 200 {"errMsg":"sessions:ok",
// "sessions":[{"id","issuedAt","lastUsed","expiresAt","current"}]}.
func (m *Manager) SessionsHandler() http.Handler {
	return m.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := UserFrom(r.Context())
		list, err := m.Sessions(r.Context(), u)
		if err != nil {
			fail(w, "sessions", err)
			return
		}
		writeJSON(w, http.StatusOK, struct {
			ErrMsg   string        `json:"errMsg"`
			Sessions []SessionInfo `json:"sessions"`
		}{"sessions:ok", list})
	}))
}

// LogoutAllHandler returns an endpoint, behind Require, that ends every
// session of the request's user (POST) and answers 200
// {"errMsg":"logoutAll:ok"}.
func (m *Manager) LogoutAllHandler() http.Handler {
	return m.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeJSON(w, http.StatusMethodNotAllowed, FailResponse{ErrMsg: "logoutAll:fail invalid argument: method must be POST", Code: taro.CodeInvalidArgument})
			return
		}
		u, _ := UserFrom(r.Context())
		if err := m.LogoutAll(r.Context(), u); err != nil {
			fail(w, "logoutAll", err)
			return
		}
		writeJSON(w, http.StatusOK, struct {
			ErrMsg string `json:"errMsg"`
		}{"logoutAll:ok"})
	}))
}
