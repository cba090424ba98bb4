// Package driverkit is the toolbox for writing a platform driver: the
// same plumbing the built-in drivers (platforms.All) use, so
// that a driver written outside this module is as strict and as safe as
// theirs.
//
//   - HTTP: Call sends one bounded request (response bodies capped at
//     MaxBody), never follows a redirect (with the default client or the
//     caller's, through a copy made by NoRedirect), puts no URL query in
//     any error, removes the call's secrets from anything the platform
//     echoes, classifies non-2xx answers (a JSON error body by its code,
//     else 429 RateLimited, 4xx a configuration error, 5xx Unavailable),
//     and reuses connections (NewTransport, DefaultClient).
//   - JSON: Decode says what a body was instead (an HTML page, cut-off
//     JSON); Status is a success-marker field (errcode, err_no) that is a
//     yes only as the JSON number 0; Object reads members by exact,
//     case-sensitive name without allocating, so a decoder can confirm a
//     success under the platform's documented names; NotUnderstood is the
//     error of an answer that is neither a success nor a platform error.
//   - Client callback objects: ParseNative and SplitErrMsg read
//     {errMsg:"<api>:ok"} / {errMsg:"<api>:fail …"}; NativeFailCode is the
//     code of a failure without a known platform code.
//   - The login-state signature: SignLoginState and VerifyLoginState
//     (hex HMAC-SHA256 keyed with the session key; SigMethod).
//   - Session cryptography: OpenWeChat (WeChat's scheme, shared by QQ,
//     Douyin, Kuaishou and Xiaohongshu), OpenBaidu, and VerifyRawData
//     (hex(sha1(rawData + session_key)), constant time). Sealing, which
//     only fakes do, is in package sandbox/fake (SealWeChat, SealBaidu).
//   - Configs: AppConfig is the Config of a driver that needs an app id
//     and a secret (type Config = driverkit.AppConfig), Site its platform
//     as data (host, code exchange and token paths, whether the exchange
//     takes the app's token, whether there is a session key, the client
//     results' normaliser), and AppDriver (New, Build) what such a driver
//     embeds for Platform, AppID, its URLs, those traits and Format; ConfigFromSettings maps the portable settings
//     to an AppConfig for its plugin; ConfigBase validates AppID, Secret and BaseURL;
//     ConfigString, ConfigLogValue and FormatRedacted print a config with
//     its secret (and any password in its base URL) redacted, for every
//     fmt verb.
//   - The WeChat family as data: WeChatAPI holds the errcode frame, the
//     code exchange and the token answer that WeChat's copies share; a
//     platform gives its name and code table (QQ, WeCom, DingTalk), and
//     SignedUserURL builds the signed user calls (WeChat, Douyin).
//
// Every error is a *driver.Error with the right driver.Code.
package driverkit
