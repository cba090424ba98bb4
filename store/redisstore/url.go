package redisstore

import (
	"errors"
	"net"
	"strconv"
	"strings"

	"github.com/redis/rueidis"
)

// parseURL reads rawURL: a single server for
// redis[s]://[user:password@]host:port/db, a Redis Cluster for a URL with
// addr= parameters (redis://[user:password@]host1:port?addr=host2:port&addr=host3:port)
// or a comma-separated list of URLs or host:port (the first URL's user,
// password and TLS apply to all). It returns the address to name in
// errors, never the URL.
func parseURL(rawURL string) (rueidis.ClientOption, string, error) {
	const want = "want redis://[user:password@]host:port/db, or for a cluster redis://host1:port?addr=host2:port&addr=host3:port or a comma-separated list"
	if strings.Contains(rawURL, ",") {
		var co rueidis.ClientOption
		var addrs []string
		for i, part := range strings.Split(rawURL, ",") {
			part = strings.TrimSpace(part)
			if !strings.Contains(part, "://") {
				part = "redis://" + part
			}
			o, err := rueidis.ParseURL(part)
			if err != nil || len(o.InitAddress) != 1 || !validAddr(o.InitAddress[0]) {
				return co, "", errors.New("redisstore: cannot parse an address of the Redis Cluster list (" + want + ")")
			}
			if i == 0 {
				co = o
			}
			addrs = append(addrs, o.InitAddress[0])
		}
		co.InitAddress = addrs
		co.SelectDB = 0
		return co, strings.Join(addrs, ","), nil
	}
	co, err := rueidis.ParseURL(rawURL)
	if err != nil || len(co.InitAddress) == 0 {
		what := "the Redis URL"
		if strings.Contains(rawURL, "addr=") {
			what = "the Redis Cluster URL"
		}
		return co, "", errors.New("redisstore: cannot parse " + what + " (" + want + ")")
	}
	for _, a := range co.InitAddress {
		if !validAddr(a) {
			return co, "", errors.New("redisstore: cannot parse the Redis URL (" + want + ")")
		}
	}
	return co, strings.Join(co.InitAddress, ","), nil
}

func validAddr(a string) bool {
	host, port, err := net.SplitHostPort(a)
	_, perr := strconv.ParseUint(port, 10, 16)
	return err == nil && perr == nil && host != "" && !strings.ContainsAny(host, "[]")
}

// ErrUnreachable is in the chain of Open's error when Redis did not
// answer its PING (as opposed to a URL that is wrong).
var ErrUnreachable = errors.New("no answer")
