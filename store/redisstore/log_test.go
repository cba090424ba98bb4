package redisstore

import (
	"bytes"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A dial that fails reaches Options.Logger at debug level, naming the
// address; without a Logger the store is silent.
func TestDialFailuresAreLogged(t *testing.T) {
	var buf bytes.Buffer
	lg := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	_, err := Open("redis://127.0.0.1:1/0", Options{Logger: lg, OpTimeout: 300 * time.Millisecond})
	assert.ErrorIs(t, err, ErrUnreachable)
	assert.Contains(t, buf.String(), "redisstore: dial failed")
	assert.Contains(t, buf.String(), "127.0.0.1:1")
}
