package login_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

// A login body has one reading: trailing data, a second value, duplicate
// members and names that differ only in case are 400, naming the problem,
// before the code is spent; every body the docs show passes, with any
// whitespace around it.
func TestLoginBodyIsStrict(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	c := newClient(t, sb, nil, nil)
	s := newService(t, sb, login.Config{Client: c})
	code, err := sb.Login(taro.QQ, "strict")
	require.NoError(t, err)
	refused := map[string]struct{ body, why string }{
		"trailing data":      {`{"platform":"qq","code":"%s"} x`, "data after the object"},
		"a second object":    {`{"platform":"qq","code":"%s"}{"platform":"weapp","code":"c"}`, "data after the object"},
		"a duplicate member": {`{"platform":"qq","code":"%s","platform":"weapp"}`, `member "platform" appears twice`},
		"a case-folded name": {`{"PLATFORM":"qq","code":"%s"}`, `member "PLATFORM" differs from "platform" only in case`},
		"a case-folded code": {`{"platform":"qq","Code":"%s"}`, `member "Code" differs from "code" only in case`},
		"an unknown member":  {`{"platform":"qq","code":"%s","admin":"1"}`, `unknown member "admin"`},
		"a number":           {`{"platform":"qq","code":"%s","appid":1}`, `member "appid" must be a string`},
		"null":               {`{"platform":"qq","code":"%s","appid":null}`, `member "appid" must be a string`},
		"an array":           {`[{"platform":"qq","code":"%s"}]`, "not a JSON object"},
		"cut off":            {`{"platform":"qq","code":"%s"`, "malformed JSON"},
		"a trailing comma":   {`{"platform":"qq","code":"%s",}`, "malformed JSON"},
	}
	for name, tc := range refused {
		a := s.do(t, "POST", "/login", "", fmt.Sprintf(tc.body, code))
		assert.Equal(t, http.StatusBadRequest, a.status, name)
		assert.Contains(t, a.body["errMsg"], tc.why, name)
		assert.Equal(t, "InvalidArgument", a.body["code"], name)
	}
	assert.Equal(t, 0, sb.Requests(taro.QQ, sandbox.Code2Session), "no code was spent")
	a := s.do(t, "POST", "/login", "", fmt.Sprintf(" \n\t{ \"platform\" : \"qq\" ,\n \"code\": %q }\r\n ", code))
	require.Equal(t, http.StatusOK, a.status, a.raw)

	// The shapes the docs show.
	appID := sb.App(taro.Weapp).ID
	for _, body := range []string{`{"platform":"weapp","code":"%s"}`, `{"platform":"weapp","appid":"` + appID + `","code":"%s"}`} {
		code, err := sb.Login(taro.Weapp, "strict")
		require.NoError(t, err)
		a := s.do(t, "POST", "/login", "", fmt.Sprintf(body, code))
		assert.Equal(t, http.StatusOK, a.status, a.raw)
	}
	anon, err := sb.AnonymousLogin("anon-strict")
	require.NoError(t, err)
	code, err = sb.Login(taro.TT, "strict")
	require.NoError(t, err)
	a = s.do(t, "POST", "/login", "", fmt.Sprintf(`{"platform":"tt","code":%q,"anonymousCode":%q}`, code, anon))
	assert.Equal(t, http.StatusOK, a.status, a.raw)
}

// With more than one Authorization header a request is 401, whichever
// ticket is valid.
func TestOneAuthorizationHeader(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	c := newClient(t, sb, nil, nil)
	s := newService(t, sb, login.Config{Client: c})
	a1, _ := s.login(t, taro.QQ, "alice")
	b1, _ := s.login(t, taro.QQ, "bob")
	ta, tb := a1.body["ticket"].(string), b1.body["ticket"].(string)
	req, _ := http.NewRequestWithContext(context.Background(), "GET", s.srv.URL+"/me", nil)
	req.Header.Add("Authorization", "Bearer "+ta)
	req.Header.Add("Authorization", "Bearer "+tb)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, 200, s.do(t, "GET", "/me", ta, "").status)
}

// MaxPerUser is bounded: a login evicts and Sessions lists in bounded
// time.
func TestMaxPerUserIsBounded(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	c := newClient(t, sb, nil, nil)
	_, err := login.New(login.Config{Client: c, Key: testKey, MaxPerUser: login.MaxPerUserLimit + 1})
	assert.ErrorIs(t, err, taro.ErrInvalidArgument)
	assert.ErrorContains(t, err, "Config.MaxPerUser")
	_, err = login.New(login.Config{Client: c, Key: testKey, MaxPerUser: 100_000})
	assert.ErrorIs(t, err, taro.ErrInvalidArgument)
	_, err = login.New(login.Config{Client: c, Key: testKey, MaxPerUser: login.MaxPerUserLimit})
	assert.NoError(t, err)
}
