// Package qqfake is the fake of QQ (api.q.qq.com) for package sandbox: its
// real paths, JSON shapes and error codes over the sandbox's
// platform-neutral state. sandbox.NewServer serves it by default under
// /qq.
package qqfake

import (
	"time"

	"github.com/tarogo/adapter/sandbox/fake"
)

// family is QQ as a member of the WeChat family.
var family = fake.WeChatFamily{TokenBadSecret: 40001}

// New returns the fake, a fake.Platform: codes live five minutes;
// the answers, keys and client data are WeChat's, which QQ shares
// (fake.WeChatFamily), but for a wrong secret at the token endpoint
// (40001).
func New() *fake.Spec {
	return &fake.Spec{Platform: "qq", AppFields: []string{"appid"}, App: fake.App{ID: "qq-sandbox-app", Secret: "qq-sandbox-secret"}, CodeLife: 5 * time.Minute, KeyBytes: 16,
		Serves: []fake.Endpoint{fake.Code2Session, fake.Token}, TakesToken: []fake.Endpoint{}, Seal: fake.SealWeChat, Markers: map[fake.Endpoint]string{fake.Code2Session: "session_key"},
		Paths: []fake.Route{
			{Endpoint: fake.Code2Session, Pattern: "GET /sns/jscode2session", Handler: family.Code2Session},
			// GET /api/getToken: each call mints a token, and the previous
			// ones keep working for five more minutes at most.
			{Endpoint: fake.Token, Pattern: "GET /api/getToken", Handler: family.QueryToken},
		}, Faults: family.FaultBody}
}
