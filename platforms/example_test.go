package platforms_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/tarogo/adapter/platforms"
	"github.com/tarogo/adapter/taro"
)

// quickStart is the package-level API: drivers from the environment,
// registered on the default client, then taro.CheckSession.
func quickStart(ctx context.Context, session taro.Session) error {
	// readme:begin quickstart
	drivers, err := platforms.FromEnv(os.Getenv) // TARO_WEAPP_APPID, TARO_WEAPP_SECRET, … for each platform
	if err != nil {
		return err // names the missing variable
	}
	for _, d := range drivers {
		if err := taro.Register(d); err != nil { // the default client, behind the package-level functions
			return err
		}
	}
	res, err := taro.CheckSession(ctx, taro.Option{Platform: taro.Weapp, Session: session})
	fmt.Println(res.ErrMsg) // "checkSession:ok", or "checkSession:fail session invalid: …"
	if errors.Is(err, taro.ErrSessionInvalid) {
		return nil // the user logs in again
	}
	return err
	// readme:end quickstart
}

// Example_quickStart shows the package-level API; with no platform in the
// environment, FromEnv says what to set.
func Example_quickStart() {
	err := quickStart(context.Background(), taro.Session{OpenID: "o", SessionKey: "k"})
	fmt.Println(err != nil)
	// Output: true
}
