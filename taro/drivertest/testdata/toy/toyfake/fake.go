// Package toyfake is the toy platform's fake for the sandbox, written
// outside the adapter module against the public sandbox/fake interface.
package toyfake

import (
	"net/http"
	"time"

	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driverkit"
)

// Fake is the toy platform's fake.
type Fake struct{}

func (Fake) Name() taro.Platform             { return "toy" }
func (Fake) DefaultApp() fake.App            { return fake.App{ID: "toy-app", Secret: "toy-secret-0123"} }
func (Fake) CodeTTL() time.Duration          { return 5 * time.Minute }
func (Fake) NewSessionKey() string           { return fake.RandomKey(16) }
func (Fake) Endpoints() []fake.Endpoint      { return []fake.Endpoint{fake.Code2Session} }
func (Fake) TokenEndpoints() []fake.Endpoint { return nil }
func (Fake) Routes(r fake.Router)            { r.Handle(fake.Code2Session, "POST /login", login) }
func (Fake) FaultBody(_ fake.Endpoint, k fake.FaultKind) any {
	if k == fake.Busy {
		return map[string]any{"status": 1, "message": "busy"}
	}
	return map[string]any{"status": 2, "message": "slow down"}
}
func (Fake) Encrypt(key, appID string, payload []byte, now time.Time) (string, string, error) {
	return driverkit.SealWeChat(key, appID, payload, now)
}

func login(w http.ResponseWriter, r *http.Request, st *fake.State) {
	_ = r.ParseForm()
	if r.Form.Get("app") != st.App().ID || r.Form.Get("secret") != st.App().Secret {
		fake.WriteJSON(w, map[string]any{"status": 3, "message": "bad app"})
		return
	}
	openid, res := st.Redeem(r.Form.Get("code"), false)
	if res != fake.CodeOK {
		fake.WriteJSON(w, map[string]any{"status": 4, "message": "bad code"})
		return
	}
	u, _ := st.User(openid)
	fake.WriteJSON(w, map[string]any{"status": 0, "user": openid, "key": u.Key})
}
