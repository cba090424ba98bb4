package driverkit_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tarogo/adapter/taro/driverkit"
)

// The reference vectors published in the platforms' docs.
func TestSignReferenceVectors(t *testing.T) {
	tests := []struct {
		name, key, msg, want string
	}{
		{"WeChat and QQ doc example", "o0q0otL8aEzpcZL/FT9WsQ==", `{"foo":"bar"}`, "654571f79995b2ce1e149e53c0a33dc39c0a74090db514261454e8dbe432aa0b"},
		{"Douyin doc example", "724edcafc423d167724edcbe", `{"foo":"bar"}`, "44b5092fa1c9adba03803239934d4958b8a1840adf0cee8d5e95c1cf5d495e0e"},
		{"GET check: empty message", "o0q0otL8aEzpcZL/FT9WsQ==", "", "46e043c5525c2d817c44be603d30837a808a1d930d038f6fdc3e62a201fed128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, driverkit.SignLoginState(tt.key, tt.msg))
			assert.True(t, driverkit.VerifyLoginState(tt.key, tt.msg, tt.want))
			assert.False(t, driverkit.VerifyLoginState(tt.key+"x", tt.msg, tt.want))
		})
	}
}

func BenchmarkSign(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		driverkit.SignLoginState("o0q0otL8aEzpcZL/FT9WsQ==", "")
	}
}
