package fake_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/sandbox/fake"
)

// The sandbox seals pushes with its own code: WxJava's published
// encryption vector (a fixed random prefix) and its signature.
func TestSealPushVector(t *testing.T) {
	enc, err := fake.SealPush("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wxb11529c136998cb6", []byte("我是中文abcd123"), strings.NewReader("aaaabbbbccccdddd"))
	require.NoError(t, err)
	assert.Equal(t, "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==", enc)
	assert.Equal(t, "82c962d39941aa48552f90ef55aa323dc620cc10", fake.PushSignature("pamtest", "1409304348", "xxxxxx", enc))
	// The published decryption sample's signature.
	assert.Equal(t, "5d197aaffba7e9b25a30732f161a50dee96bd5fa", fake.PushSignature("spamtest", "1409735669", "1320562132",
		"hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="))
	_, err = fake.SealPush("short", "wx", nil, nil)
	assert.Error(t, err)
}
