package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/taro"
)

// Component is a WeChat third-party platform's credentials.
type Component = fake.Component

// MaxComponents bounds the components a sandbox keeps.
const MaxComponents = 1000

// AddComponent adds a WeChat third-party platform ("component"): its
// AppID, Secret, Token and EncodingAESKey (43 characters) are required.
// The weapp fake then serves it api_component_token (once a ticket was
// pushed), sns/component/jscode2session for the apps that authorized it,
// and api_authorizer_token.
func (s *Sandbox) AddComponent(c Component) error {
	if c.AppID == "" || c.Secret == "" || c.Token == "" || len(c.AppID) > 128 {
		return fmt.Errorf("sandbox: Component.AppID (1 to 128 bytes), Secret and Token are required")
	}
	if _, err := fake.PushKey(c.EncodingAESKey); err != nil {
		return fmt.Errorf("sandbox: Component.EncodingAESKey must be 43 characters of base64")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ps[taro.Weapp]; !ok {
		return fmt.Errorf("sandbox: components are WeChat's, and this sandbox serves no weapp")
	}
	if _, ok := s.comps[c.AppID]; ok {
		return fmt.Errorf("sandbox: component %q exists", c.AppID)
	}
	if len(s.comps) >= MaxComponents {
		return fmt.Errorf("sandbox: at most %d components", MaxComponents)
	}
	s.comps[c.AppID] = &fake.ComponentState{Component: c, Authorized: map[string]string{}}
	return nil
}

// Authorize has weapp app appID authorize component componentAppID and
// returns the app's authorizer_refresh_token (a new one each time: a new
// authorization ends the previous one).
func (s *Sandbox) Authorize(componentAppID, appID string) (refreshToken string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.comps[componentAppID]
	if !ok {
		return "", fmt.Errorf("sandbox: no component %q (AddComponent adds one)", componentAppID)
	}
	if _, _, err := s.app(taro.Weapp, appID); err != nil || appID == "" {
		return "", fmt.Errorf("sandbox: weapp serves no app %q (AddApp adds one)", appID)
	}
	rt := "refreshtoken@@@" + fake.RandomHex(20)
	c.Authorized[appID] = rt
	return rt, nil
}

// ComponentInfo describes a component for the console and the admin API:
// no secret, token or key.
type ComponentInfo struct {
	AppID      string   `json:"appid"`
	Authorized []string `json:"authorized"`
	Tickets    int      `json:"ticketsPushed"`
}

// Components lists the components, sorted, with their authorized apps.
func (s *Sandbox) Components() []ComponentInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ComponentInfo, 0, len(s.comps))
	for id, c := range s.comps {
		apps := make([]string, 0, len(c.Authorized))
		for a := range c.Authorized {
			apps = append(apps, a)
		}
		slices.Sort(apps)
		out = append(out, ComponentInfo{AppID: id, Authorized: apps, Tickets: c.Pushed()})
	}
	slices.SortFunc(out, func(a, b ComponentInfo) int { return strings.Compare(a.AppID, b.AppID) })
	return out
}

// PushTicket does what WeChat does every ten minutes: it mints a new
// component_verify_ticket for componentAppID and POSTs it, encrypted and
// signed with the component's EncodingAESKey and Token, to target (the
// component's authorization-event URL) as
// ?timestamp=&nonce=&encrypt_type=aes&msg_signature= with
// <xml><AppId/><Encrypt/></xml>. It fails unless the answer is 200
// "success". target must be an http(s) URL; the POST ends within 10s or
// when ctx does.
func (s *Sandbox) PushTicket(componentAppID, target string) error {
	return s.PushTicketContext(context.Background(), componentAppID, target)
}

// PushTicketContext is PushTicket with a context.
func (s *Sandbox) PushTicketContext(ctx context.Context, componentAppID, target string) error {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("sandbox: the push target must be an http(s) URL")
	}
	s.mu.Lock()
	c, ok := s.comps[componentAppID]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("sandbox: no component %q (AddComponent adds one)", componentAppID)
	}
	now := s.nowLocked()
	ticket := c.PushTicket(now)
	comp := c.Component
	s.mu.Unlock()

	msg := "<xml><AppId><![CDATA[" + comp.AppID + "]]></AppId><CreateTime>" + strconv.FormatInt(now.Unix(), 10) +
		"</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[" + ticket +
		"]]></ComponentVerifyTicket></xml>"
	enc, err := fake.SealPush(comp.EncodingAESKey, comp.AppID, []byte(msg), nil)
	if err != nil {
		return err
	}
	ts, nonce := strconv.FormatInt(now.Unix(), 10), strconv.Itoa(int(time.Now().UnixNano()%1e9))
	q := u.Query()
	q.Set("timestamp", ts)
	q.Set("nonce", nonce)
	q.Set("encrypt_type", "aes")
	q.Set("msg_signature", fake.PushSignature(comp.Token, ts, nonce, enc))
	u.RawQuery = q.Encode()
	body := "<xml><AppId><![CDATA[" + comp.AppID + "]]></AppId><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader([]byte(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/xml")
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, whose query holds the push's signature
		}
		return fmt.Errorf("sandbox: the push to %s failed: %v", u.Host, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(answer)) != "success" {
		return fmt.Errorf("sandbox: the component answered the push with %d, not 200 \"success\"", resp.StatusCode)
	}
	return nil
}

// ExpireComponentTokens ends every component_access_token of
// componentAppID at once, as a new token ends the old ones at WeChat.
func (s *Sandbox) ExpireComponentTokens(componentAppID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.comps[componentAppID]; ok {
		c.ExpireTokens()
	}
}
