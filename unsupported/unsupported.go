// Package unsupported provides drivers for targets on which the mini-program
// session APIs do not exist: H5, React Native and Harmony, and any other
// platform a caller wants to mark the same way.
//
// Such a driver implements none of the optional capabilities of package
// driver, so the portable layer answers every call with a typed
// taro.ErrNotSupported failure — errMsg "checkSession:fail not supported on
// <platform>" — calling Fail and Complete and never Success, in every build.
// (Taro's own H5 production build reports an unsupported checkSession as a
// success; this library never does.)
//
// The default taro client serves H5, RN and Harmony with these drivers
// without any registration.
package unsupported

import "github.com/tarogo/adapter/taro/driver"

// The targets Taro marks as having no checkSession.
const (
	H5      driver.Platform = "h5"
	RN      driver.Platform = "rn"
	Harmony driver.Platform = "harmony"
)

// Driver is a driver that supports nothing.
type Driver struct{ platform driver.Platform }

// New returns a driver that answers every call on p with not-supported.
// A client refuses a driver whose platform is empty, so New("") yields a
// driver that taro.NewClient and taro.Register reject.
func New(p driver.Platform) *Driver { return &Driver{platform: p} }

// Defaults returns drivers for H5, React Native and Harmony.
func Defaults() []*Driver { return []*Driver{New(H5), New(RN), New(Harmony)} }

// Platform reports the platform the driver was made for.
func (d *Driver) Platform() driver.Platform { return d.platform }

// AppID returns "": an unsupported target has no application.
func (d *Driver) AppID() string { return "" }
