package redisstore_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	loginpkg "github.com/tarogo/adapter/login"
	"github.com/tarogo/adapter/store/redisstore"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

// weappLike logs in the user its code names, with a fresh session key
// each time, and ids of WeChat's lengths (an 18-character app id, a
// 28-character openid).
type weappLike struct{}

const weappLikeApp = "wx1234567890abcdef"

func (weappLike) Platform() driver.Platform { return taro.Weapp }
func (weappLike) AppID() string             { return weappLikeApp }
func (weappLike) Code2Session(_ context.Context, r driver.LoginRequest) (driver.LoginResponse, error) {
	k := make([]byte, 16)
	_, _ = rand.Read(k)
	return driver.LoginResponse{OpenID: r.Code, SessionKey: hex.EncodeToString(k)[:24]}, nil
}

func openidOf(i int) string { return fmt.Sprintf("o6zAJs%022d", i) }

func recordsManager(t *testing.T, st *redisstore.Store, policy loginpkg.SessionPolicy) *loginpkg.Manager {
	t.Helper()
	c, err := taro.New(taro.Config{Drivers: []taro.Driver{weappLike{}}, Sessions: st, Tokens: st})
	require.NoError(t, err)
	m, err := loginpkg.New(loginpkg.Config{Client: c, Key: make([]byte, 32), Store: st, Sessions: policy})
	require.NoError(t, err)
	return m
}

func usedMemory(t *testing.T, c rueidis.Client) int64 {
	t.Helper()
	info, err := c.Do(context.Background(), c.B().Info().Section("memory").Build()).ToString()
	require.NoError(t, err)
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			require.NoError(t, err)
			return n
		}
	}
	t.Fatal("INFO memory has no used_memory")
	return 0
}

func memoryUsage(t *testing.T, c rueidis.Client, prefix string) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	keys, err := c.Do(ctx, c.B().Keys().Pattern("*"+prefix+"*").Build()).AsStrSlice()
	require.NoError(t, err)
	out := map[string]int64{}
	for _, k := range keys {
		n, err := c.Do(ctx, c.B().MemoryUsage().Key(k).Build()).AsInt64()
		require.NoError(t, err)
		out[k] = n
	}
	return out
}

// TestRecordsPerUser: on a Redis server of its own (so that no other
// test's keys count), 5,000 logins of one device each grow used_memory by
// at most 512 B per user, and five re-logins of one user under OnePerUser
// leave one ticket, in one key, no larger than after the first login.
func TestRecordsPerUser(t *testing.T) {
	r := startRedis(t)
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{r.Addr()}, DisableCache: true, ForceSingleClient: true})
	require.NoError(t, err)
	defer c.Close()
	st := redisstore.New(c, redisstore.Options{CacheTTL: -1})
	m := recordsManager(t, st, loginpkg.OnePerUser)
	ctx := context.Background()
	login := func(openid string) string {
		res, err := m.Login(ctx, taro.LoginOption{Platform: taro.Weapp, Code: openid})
		require.NoError(t, err)
		return res.Ticket
	}
	// Warm up: the scripts, the connection, the clock.
	login("warm-up")
	// The replication backlog (revocations WAIT for replicas) fills with
	// the writes up to its fixed size (repl-backlog-size, 1 MB): a buffer
	// of the server, not of the users, so its growth is not counted.
	backlog := func() int64 {
		m, err := c.Do(ctx, c.B().MemoryStats().Build()).AsMap()
		require.NoError(t, err)
		v := m["replication.backlog"]
		n, _ := v.AsInt64()
		return n
	}
	before, backlog0 := usedMemory(t, c), backlog()
	const users = 5000
	for i := range users {
		login(openidOf(i))
	}
	grown, backlogGrown := usedMemory(t, c)-before, backlog()-backlog0
	perUser := float64(grown-backlogGrown) / users
	t.Logf("used_memory grew %d B over %d logins, %d B of it the replication backlog: %.0f B per logged-in user", grown, users, backlogGrown, perUser)
	dbsize, err := c.Do(ctx, c.B().Dbsize().Build()).AsInt64()
	require.NoError(t, err)
	assert.Equal(t, int64(users+1), dbsize, "one key per user")
	assert.LessOrEqual(t, perUser, 512.0, "bytes of Redis per logged-in user")
	one := memoryUsage(t, c, "u:{weapp:"+weappLikeApp+":"+openidOf(0)+"}")
	t.Logf("MEMORY USAGE of one user's keys: %v", one)
	for k := range one {
		all, _ := c.Do(ctx, c.B().Hgetall().Key(k).Build()).AsStrMap()
		enc, _ := c.Do(ctx, c.B().ObjectEncoding().Key(k).Build()).ToString()
		for f, v := range all {
			t.Logf("%s %d %q=%q", enc, len(f)+len(v), f, v)
		}
	}

	first := login("relogin-user")
	key := "u:{weapp:" + weappLikeApp + ":relogin-user}"
	after1 := memoryUsage(t, c, key)["taro:"+key]
	var last string
	for range 5 {
		last = login("relogin-user")
	}
	fields, err := c.Do(ctx, c.B().Hkeys().Key("taro:"+key).Build()).AsStrSlice()
	require.NoError(t, err)
	tickets := 0
	for _, f := range fields {
		if len(f) == sha256.Size {
			tickets++
		}
	}
	assert.Equal(t, 1, tickets, "five re-logins under OnePerUser leave one ticket: %d fields", len(fields))
	assert.Len(t, memoryUsage(t, c, "u:{weapp:"+weappLikeApp+":relogin-user"), 1, "in one key")
	assert.LessOrEqual(t, memoryUsage(t, c, key)["taro:"+key], after1, "no larger than after the first login")
	_, err = m.Resolve(ctx, first)
	assert.ErrorIs(t, err, loginpkg.ErrTicketSuperseded, "the superseded ticket is refused by the user's record")
	_, err = m.Resolve(ctx, last)
	assert.NoError(t, err)
}

// The previous release's scripts, verbatim, and the arguments its Go code
// passed them: what it left in Redis is what an upgraded store must read.
const (
	prevRecordScript = `
local t = redis.call('TIME')
local us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local prev = 0
local cur = redis.call('GET', KEYS[1])
if cur then
  local s = string.match(cur, '^%d+:%x+:(%d+)$')
  if s then prev = tonumber(s) end
end
local seq = math.max(prev + 1, us)
redis.call('SET', KEYS[1], string.format('%d', us) .. ':' .. ARGV[1] .. ':' .. string.format('%d', seq), 'PX', ARGV[2])
return {string.format('%d', us), string.format('%d', seq)}`
	prevPutTicketScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local px = tonumber(ARGV[2]) - now
if px < 1 then return redis.error_reply('the ticket has already expired') end
redis.call('SET', KEYS[1], ARGV[1], 'PX', px)
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[4])
redis.call('HSET', KEYS[3], ARGV[4], ARGV[6])
local n = redis.call('ZCARD', KEYS[2])
local keep = tonumber(ARGV[3])
if n > keep then
  for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, n - keep - 1)) do
    redis.call('DEL', ARGV[7] .. m)
    redis.call('ZREM', KEYS[2], m)
    redis.call('HDEL', KEYS[3], m)
  end
end
if redis.call('PTTL', KEYS[2]) < px then
  redis.call('PEXPIRE', KEYS[2], px)
  redis.call('PEXPIRE', KEYS[3], px)
end
return 1`
)

// prevLogin rewrites a user's login as the previous release stored it:
// the session record under session:{u}, the ticket as JSON under
// ticket:{u}:<hex id>, its index and last use, through that release's
// scripts; the user's hash is deleted. keep is MaxPerUser's (10).
func prevLogin(t *testing.T, b *backend, u taro.SessionKeyID, ticket string) {
	t.Helper()
	ctx := context.Background()
	c := b.rdb
	tag := "{" + string(u.Platform) + ":" + u.AppID + ":" + u.OpenID + "}"
	sessionRec, err := c.Do(ctx, c.B().Hget().Key(b.prefix+"u:"+tag).Field("s").Build()).ToString()
	require.NoError(t, err)
	sf := strings.SplitN(sessionRec, ":", 4)
	require.Len(t, sf, 4)
	fp := hex.EncodeToString([]byte(sf[3]))
	id := sha256.Sum256([]byte(ticket))
	now, err := c.Do(ctx, c.B().Hget().Key(b.prefix+"u:"+tag).Field(string(id[:])).Build()).ToString()
	require.NoError(t, err)
	f := strings.Split(now, ":") // seq, issued, expires, last use
	require.Len(t, f, 4)
	sealed, err := c.Do(ctx, c.B().Hget().Key(b.prefix+"u:"+tag).Field(string(id[:16])+"k").Build()).AsBytes()
	require.NoError(t, err)
	v, err := c.Do(ctx, c.B().Eval().Script(prevRecordScript).Numkeys(1).Key(b.prefix+"session:"+tag).Arg(fp, "3600000").Build()).AsStrSlice()
	require.NoError(t, err)
	seq := v[1]
	tid := hex.EncodeToString(id[:])
	js := fmt.Sprintf(`{"p":%q,"a":%q,"o":%q,"k":%q,"s":%s,"i":%s,"e":%s}`, u.Platform, u.AppID, u.OpenID, base64.StdEncoding.EncodeToString(sealed), seq, f[1], f[2])
	require.NoError(t, c.Do(ctx, c.B().Eval().Script(prevPutTicketScript).Numkeys(3).
		Key(b.prefix+"ticket:"+tag+":"+tid, b.prefix+"tickets:"+tag, b.prefix+"used:"+tag).
		Arg(js, f[2], "10", tid, seq, f[3], b.prefix+"ticket:"+tag+":").Build()).Error())
	require.NoError(t, c.Do(ctx, c.B().Del().Key(b.prefix+"u:"+tag).Build()).Error())
	if b.real() && !b.cluster {
		// The previous release's keys, for the note's before and after.
		for _, k := range []string{"session:", "ticket:", "tickets:", "used:"} {
			key := b.prefix + k + tag
			if k == "ticket:" {
				key += ":" + tid
			}
			n, _ := c.Do(ctx, c.B().MemoryUsage().Key(key).Build()).AsInt64()
			t.Logf("previous release: MEMORY USAGE %s… %d", k, n)
		}
	}
}

// TestRecordsOfThePreviousRelease: tickets the previous release stored
// are honoured until they expire (read old); a login moves the user's
// records into the user's hash (write new), where they keep their
// meaning: superseded under OnePerUser, still live under PerDevice, ended
// by LogoutAll.
func TestRecordsOfThePreviousRelease(t *testing.T) {
	t.Parallel()
	b := newBackend(t)
	st := b.store(redisstore.Options{Prefix: b.prefix})
	ctx := context.Background()
	user := func(openid string) taro.SessionKeyID {
		return taro.SessionKeyID{Platform: taro.Weapp, AppID: weappLikeApp, OpenID: openid}
	}
	oldKeys := func(openid string) []string {
		keys, err := b.keys(ctx)
		require.NoError(t, err)
		var out []string
		seen := map[string]bool{} // a Cluster's replicas list their masters' keys too
		for _, k := range keys {
			if strings.Contains(k, ":"+openid+"}") && !strings.Contains(k, "u:{") && !strings.Contains(k, "session:{") && !seen[k] {
				seen[k] = true
				out = append(out, strings.TrimPrefix(k, b.prefix))
			}
		}
		return out
	}
	resolve := func(m *loginpkg.Manager, ticket string) error {
		_, err := m.Resolve(ctx, ticket)
		return err
	}

	one := recordsManager(t, st, loginpkg.OnePerUser)
	res, err := one.Login(ctx, taro.LoginOption{Platform: taro.Weapp, Code: "prev-one"})
	require.NoError(t, err)
	prevLogin(t, b, user("prev-one"), res.Ticket)
	require.Len(t, oldKeys("prev-one"), 3, "the previous release's ticket, index and last-use keys")
	require.NoError(t, resolve(one, res.Ticket), "a ticket of the previous release is honoured")
	res2, err := one.Login(ctx, taro.LoginOption{Platform: taro.Weapp, Code: "prev-one"})
	require.NoError(t, err)
	assert.Empty(t, oldKeys("prev-one"), "a login moves the user's records into the hash")
	assert.ErrorIs(t, resolve(one, res.Ticket), loginpkg.ErrTicketSuperseded)
	assert.NoError(t, resolve(one, res2.Ticket))

	per := recordsManager(t, st, loginpkg.PerDevice)
	a, err := per.Login(ctx, taro.LoginOption{Platform: taro.Weapp, Code: "prev-per"})
	require.NoError(t, err)
	prevLogin(t, b, user("prev-per"), a.Ticket)
	require.NoError(t, resolve(per, a.Ticket))
	bt, err := per.Login(ctx, taro.LoginOption{Platform: taro.Weapp, Code: "prev-per"})
	require.NoError(t, err)
	assert.Empty(t, oldKeys("prev-per"))
	assert.NoError(t, resolve(per, a.Ticket), "a device of the previous release keeps its session under PerDevice")
	assert.NoError(t, resolve(per, bt.Ticket))
	u, err := per.Resolve(ctx, bt.Ticket)
	require.NoError(t, err)
	list, err := per.Sessions(ctx, u)
	require.NoError(t, err)
	assert.Len(t, list, 2)

	c, err := per.Login(ctx, taro.LoginOption{Platform: taro.Weapp, Code: "prev-all"})
	require.NoError(t, err)
	prevLogin(t, b, user("prev-all"), c.Ticket)
	u, err = per.Resolve(ctx, c.Ticket)
	require.NoError(t, err)
	require.NoError(t, per.LogoutAll(ctx, u))
	assert.ErrorIs(t, resolve(per, c.Ticket), taro.ErrSessionInvalid, "LogoutAll ends the previous release's tickets")
	assert.Empty(t, oldKeys("prev-all"))
}
