package taro

import "net/http"

// HTTPStatus maps a code to the HTTP status a backend should answer with
// when it forwards a failure to its clients. One table for every handler:
//
//	OK                                   200
//	InvalidArgument, InvalidCode         400  fix the request, or log in again for a new code
//	NotSupported                         400  the target has no such API
//	SessionInvalid                       401  log in again
//	PermissionDenied                     403
//	NoDriver                             404  no such platform on this server
//	RateLimited                          429
//	Unknown, Credentials                 500  the server's own configuration
//	Unavailable, TokenInvalid, Canceled  503  try again later; never 401
//	DeadlineExceeded                     504
//
// A platform or store outage is never 401: a client must not log a user
// out because a dependency failed.
func HTTPStatus(c Code) int {
	switch c {
	case CodeOK:
		return http.StatusOK
	case CodeInvalidArgument, CodeInvalidCode, CodeNotSupported:
		return http.StatusBadRequest
	case CodeSessionInvalid:
		return http.StatusUnauthorized
	case CodePermissionDenied:
		return http.StatusForbidden
	case CodeNoDriver:
		return http.StatusNotFound
	case CodeRateLimited:
		return http.StatusTooManyRequests
	case CodeUnavailable, CodeTokenInvalid, CodeCanceled:
		return http.StatusServiceUnavailable
	case CodeDeadlineExceeded:
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}
