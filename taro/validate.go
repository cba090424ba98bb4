package taro

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Limits on caller input.
const (
	maxFieldLen    = 1024
	maxPlatformLen = 64
	// maxResponseLen bounds PhoneOption.Response (Alipay's envelope is
	// well under 1 KiB).
	maxResponseLen = 16 << 10
)

// checkText returns "" when v is an acceptable value for the field called
// name, and otherwise a sentence naming the field and what is wrong. It
// never repeats the value, which may be a secret.
func checkText(name, v string, max int) string {
	if v == "" {
		return name + " is empty"
	}
	if len(v) > max {
		return name + " is longer than " + strconv.Itoa(max) + " bytes"
	}
	for i := 0; i < len(v); i++ {
		b := v[i]
		if b < 0x20 || b == 0x7f {
			return name + " contains a control character"
		}
		if b >= utf8.RuneSelf {
			return checkRunes(name, v[i:])
		}
	}
	return ""
}

func checkRunes(name, v string) string {
	for _, r := range v {
		if r == utf8.RuneError {
			return name + " is not valid UTF-8"
		}
		if unicode.IsControl(r) {
			return name + " contains a control character"
		}
	}
	return ""
}
