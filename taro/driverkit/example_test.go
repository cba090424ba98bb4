package driverkit_test

import (
	"fmt"

	"github.com/tarogo/adapter/taro/driver"
	"github.com/tarogo/adapter/taro/driverkit"
)

// A platform's package describes where its API lives once, as a Site, and
// builds its drivers on it: New validates the config, joins the URLs and
// reports the site's traits; the driver adds the platform's calls.
func ExampleNew() {
	site := driverkit.Site{Platform: "acme", BaseURL: "https://api.acme.example", Login: "/oauth/code2session", Token: "/oauth/token", TokenLogin: true}
	type Driver struct{ driverkit.AppDriver }
	d, err := driverkit.New[Driver](site, driverkit.AppConfig{AppID: "acme-app", Secret: "acme-secret"})
	if err != nil {
		panic(err)
	}
	fmt.Println(d.LoginURL())
	fmt.Println(driver.TraitsOf(d).LoginNeedsToken)
	fmt.Println(d.CheckLogin(driver.LoginRequest{Code: "c"}))
	fmt.Printf("%v\n", d)
	// Output:
	// https://api.acme.example/oauth/code2session
	// true
	// invalid argument: acme's code exchange needs the app's access token
	// acme.Driver{Config{AppID:"acme-app" Secret:"[redacted]" BaseURL:""}}
}
