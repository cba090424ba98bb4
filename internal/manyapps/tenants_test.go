package manyapps

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/internal/redistest"
	loginpkg "github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
)

// The login flow over HTTP on the work platforms, on memory and on Redis:
// WeCom's and Feishu's users carry their tenant (corpid, tenant_key) in
// the answer and in the login state; two tenants' users of one user id
// are two users (each logs in, each ticket resolves to its own tenant,
// and one's LogoutAll leaves the other logged in); DingTalk has no key
// and no tenant.
func TestWorkPlatformsLoginOverHTTPWithTenants(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	for _, backend := range []string{"memory", "redis"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			set := map[taro.Platform]platforms.Settings{}
			for _, p := range []taro.Platform{taro.WeCom, taro.Lark, taro.DingTalk} {
				set[p] = sandbox.AppSettings(sb.App(p), sb.BaseURL(p), sb.HTTPClient())
			}
			ds, err := platforms.New(set)
			require.NoError(t, err)
			cfg := taro.Config{Drivers: ds}
			lc := loginpkg.Config{Key: key}
			if backend == "redis" {
				st, _ := redistest.Store(t, redisstore.Options{}) // TARO_REDIS_URL, or a miniredis; keys of this run only
				cfg.Sessions, cfg.Tokens, lc.Store = st, st, st
			}
			c, err := taro.New(cfg)
			require.NoError(t, err)
			lc.Client = c
			m, err := loginpkg.New(lc)
			require.NoError(t, err)
			mux := http.NewServeMux()
			mux.Handle("POST /login", m.Handler())
			mux.Handle("GET /me", m.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				u, _ := loginpkg.UserFrom(r.Context())
				_ = json.NewEncoder(w).Encode(u)
			})))
			srv := httptest.NewServer(mux)
			defer srv.Close()
			do := func(method, path, ticket, body string) (int, map[string]any) {
				req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
				if ticket != "" {
					req.Header.Set("Authorization", "Bearer "+ticket)
				}
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				var out map[string]any
				_ = json.Unmarshal(b, &out)
				return resp.StatusCode, out
			}
			login := func(p taro.Platform, name string) (string, map[string]any) {
				code, err := sb.Login(p, name)
				require.NoError(t, err)
				st, res := do("POST", "/login", "", `{"platform":"`+string(p)+`","code":"`+code+`"}`)
				require.Equal(t, 200, st, "%v", res)
				return res["ticket"].(string), res
			}

			for _, tc := range []struct {
				p                taro.Platform
				tenantA, tenantB string // the sandbox names a tenant's user "<tenant>/<user>"
			}{
				{taro.WeCom, "ww-corp-a-" + backend, "ww-corp-b-" + backend},
				{taro.Lark, "tenant-a-" + backend, "tenant-b-" + backend},
			} {
				ta, ra := login(tc.p, tc.tenantA+"/zhangsan")
				tb, rb := login(tc.p, tc.tenantB+"/zhangsan")
				assert.Equal(t, "zhangsan", ra["openid"])
				assert.Equal(t, "zhangsan", rb["openid"])
				assert.Equal(t, tc.tenantA, ra["tenantId"], "%s", tc.p)
				assert.Equal(t, tc.tenantB, rb["tenantId"], "%s", tc.p)
				for ticket, tenant := range map[string]string{ta: tc.tenantA, tb: tc.tenantB} {
					st, me := do("GET", "/me", ticket, "")
					require.Equal(t, 200, st, "%v", me)
					assert.Equal(t, tenant, me["tenantId"], "the ticket is bound to its tenant")
					assert.Equal(t, "zhangsan", me["openid"])
				}
				// Two users: B's second login (OnePerUser) leaves A's ticket
				// valid, and A's LogoutAll leaves B's.
				tb2, _ := login(tc.p, tc.tenantB+"/zhangsan")
				st, _ := do("GET", "/me", ta, "")
				assert.Equal(t, 200, st, "%s: another tenant's login does not supersede", tc.p)
				st, _ = do("GET", "/me", tb, "")
				assert.Equal(t, 401, st, "%s: the same tenant's does", tc.p)
				ua, err := m.Resolve(ctx, ta)
				require.NoError(t, err)
				require.NoError(t, m.LogoutAll(ctx, ua))
				st, _ = do("GET", "/me", ta, "")
				assert.Equal(t, 401, st)
				st, _ = do("GET", "/me", tb2, "")
				assert.Equal(t, 200, st, "%s: one tenant's LogoutAll leaves the other's user", tc.p)
				// A session of one tenant is not the other's.
				ub, err := m.Resolve(ctx, tb2)
				require.NoError(t, err)
				s := ub.Session()
				s.TenantID = tc.tenantA
				_, err = c.CheckSession(ctx, taro.Option{Platform: tc.p, Session: s})
				assert.ErrorIs(t, err, taro.ErrSessionInvalid, "%s: B's key is not A's", tc.p)
			}

			// The app's own corp or tenant when the user names none.
			_, r := login(taro.WeCom, "lisi")
			assert.Equal(t, sb.App(taro.WeCom).ID, r["tenantId"])
			// DingTalk: no key, no tenant.
			ticket, r := login(taro.DingTalk, "wangwu-"+backend)
			assert.Nil(t, r["tenantId"])
			st, me := do("GET", "/me", ticket, "")
			require.Equal(t, 200, st, "%v", me)
			assert.Equal(t, "wangwu-"+backend, me["openid"])
			_, err = c.CheckSession(ctx, taro.Option{Platform: taro.DingTalk, Session: taro.Session{OpenID: "wangwu-" + backend}})
			assert.ErrorIs(t, err, taro.ErrNotSupported)
		})
	}
}
