package redisstore

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
)

// go-redis's process-wide log lines reach Options.Logger, and nothing
// before one is set.
func TestRedisLogIsRouted(t *testing.T) {
	var fwd redisLog
	fwd.Printf(context.Background(), "dropped %d", 1) // no logger: silence
	var buf bytes.Buffer
	fwd.to.Store(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	fwd.Printf(context.Background(), "redis: dial %s failed", "127.0.0.1:1")
	assert.Contains(t, buf.String(), "go-redis: redis: dial 127.0.0.1:1 failed")
	assert.NotContains(t, buf.String(), "dropped")
}
