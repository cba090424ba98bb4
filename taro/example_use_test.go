package taro_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tarogo/adapter/platforms/weapp"
	"github.com/tarogo/adapter/sandbox"
	"github.com/tarogo/adapter/taro"
)

func ExampleClient_Decrypt() {
	// WeChat's own demo: the encryptedData and iv wx.getUserInfo handed
	// the mini program, opened with the user's session key.
	d, _ := weapp.New(weapp.Config{AppID: "wx4f4bc4dec97d474b", Secret: "app-secret"})
	c, _ := taro.NewClient(d)
	// What wx.getUserInfo handed the mini program, which sent it here.
	encryptedData := "CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew=="
	iv := "r7BXXKkLb8qrSNn05n0qiA=="
	session := taro.Session{OpenID: "oGZUI0egBJY1zhBYw2KhdUfwVJJE", SessionKey: "tiihtNczf5v6AKRyjwEUhQ=="}
	// readme:begin decrypt
	res, err := c.Decrypt(context.Background(), taro.DecryptOption{
		Platform: taro.Weapp, Session: session, EncryptedData: encryptedData, IV: iv,
	})
	switch {
	case errors.Is(err, taro.ErrSessionInvalid):
		fmt.Println("a newer login replaced this key: log in again")
		return
	case err != nil:
		panic(err)
	}
	var user struct {
		NickName string `json:"nickName"`
		UnionID  string `json:"unionId"`
	}
	_ = json.Unmarshal(res.Data, &user)
	fmt.Println(res.ErrMsg, user.NickName, user.UnionID) // decrypt:ok Band ocMvos6NjeKLIBqg5Mr9QjxrP1FA
	// readme:end decrypt

	// With a key that a newer login replaced, the data does not open.
	stale := taro.Session{OpenID: session.OpenID, SessionKey: "AAAAAAAAAAAAAAAAAAAAAA=="}
	_, err = c.Decrypt(context.Background(), taro.DecryptOption{Platform: taro.Weapp, Session: stale, EncryptedData: encryptedData, IV: iv})
	fmt.Println(errors.Is(err, taro.ErrSessionInvalid))
	// Output:
	// decrypt:ok Band ocMvos6NjeKLIBqg5Mr9QjxrP1FA
	// true
}

func ExampleClient_VerifyRawData() {
	// WeChat's doc vector: signature = hex(sha1(rawData + session_key)).
	d, _ := weapp.New(weapp.Config{AppID: "wx-app", Secret: "app-secret"})
	c, _ := taro.NewClient(d)
	s := taro.Session{OpenID: "o", SessionKey: "HyVFkGl5F5OQWJZZaNzBBg=="}
	raw := `{"nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/mmopen/vi_32/1vZvI39NWFQ9XM4LtQpFrQJ1xlgZxx3w7bQxKARol6503Iuswjjn6nIGBiaycAjAtpujxyzYsrztuuICqIM5ibXQ/0"}`
	fmt.Println(c.VerifyRawData(taro.Weapp, s, raw, "75e81ceda165f4ffa64f4068af58c64b8f54b88c"))
	err := c.VerifyRawData(taro.Weapp, s, raw+" ", "75e81ceda165f4ffa64f4068af58c64b8f54b88c")
	fmt.Println(errors.Is(err, taro.ErrSessionInvalid))
	// Output:
	// <nil>
	// true
}

// sandboxClient is a WeChat client against an in-process sandbox.
func sandboxClient() (*sandbox.Sandbox, *taro.Client) {
	sb := sandbox.NewServer(sandbox.Options{})
	app := sb.App(taro.Weapp)
	d, _ := weapp.New(weapp.Config{AppID: app.ID, Secret: app.Secret, BaseURL: sb.BaseURL(taro.Weapp)})
	c, _ := taro.NewClient(d)
	return sb, c
}

func ExampleClient_GetPhoneNumber() {
	sb, c := sandboxClient()
	defer sb.Close()
	code, _ := sb.PhoneCode(taro.Weapp, "user-1", "13800138000") // what the getPhoneNumber button yields
	res, err := c.GetPhoneNumber(context.Background(), taro.PhoneOption{Platform: taro.Weapp, Code: code})
	fmt.Println(res.ErrMsg, res.PurePhoneNumber, res.CountryCode, err)
	_, err = c.GetPhoneNumber(context.Background(), taro.PhoneOption{Platform: taro.Weapp, Code: code})
	fmt.Println(taro.CodeOf(err))
	// Output:
	// getPhoneNumber:ok 13800138000 86 <nil>
	// InvalidCode
}

func ExampleClient_ResetSession() {
	sb, c := sandboxClient()
	defer sb.Close()
	ctx := context.Background()
	code, _ := sb.Login(taro.Weapp, "user-1")
	login, _ := c.Code2Session(ctx, taro.LoginOption{Platform: taro.Weapp, Code: code})
	// The backend fears the key leaked: a new one, and the old one is dead.
	res, err := c.ResetSession(ctx, taro.Option{Platform: taro.Weapp, Session: login.Session})
	fmt.Println(res.ErrMsg, err, res.Session.SessionKey != login.Session.SessionKey)
	old, _ := c.CheckSession(ctx, taro.Option{Platform: taro.Weapp, Session: login.Session})
	fmt.Println(old.ErrMsg)
	// Output:
	// resetSession:ok <nil> true
	// checkSession:fail session invalid: superseded by a newer login
}

func ExampleClient_AccessToken() {
	sb, c := sandboxClient()
	defer sb.Close()
	ctx := context.Background()
	// The library's one managed token, for the platform's other APIs.
	tok, err := c.AccessToken(ctx, taro.Weapp)
	fmt.Println(tok != "", err)
	// When such an API rejects it (40001), drop it: the next call fetches.
	_ = c.InvalidateAccessToken(ctx, taro.Weapp, tok)
	_, _ = c.AccessToken(ctx, taro.Weapp)
	fmt.Println(sb.Requests(taro.Weapp, sandbox.Token))
	// Output:
	// true <nil>
	// 2
}
