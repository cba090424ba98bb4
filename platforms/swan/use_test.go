package swan_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/platforms/swan"
	"github.com/tarogo/adapter/sandbox/sandboxtest"
	"github.com/tarogo/adapter/taro"
	"github.com/tarogo/adapter/taro/driver"
)

func TestTokenRequest(t *testing.T) {
	ctx := context.Background()
	rec := sandboxtest.NewRecorder(`{"access_token":"24.6a1b.2592000.1","expires_in":2592000,"refresh_token":"25.x","scope":"smartapp_snsapi_base"}`)
	defer rec.Close()
	d, err := swan.New(swan.Config{AppID: appKey, Secret: secret, BaseURL: rec.URL(), HTTPClient: rec.Client()})
	require.NoError(t, err)
	tok, err := d.FetchToken(ctx)
	require.NoError(t, err)
	assert.Equal(t, driver.Token{Value: "24.6a1b.2592000.1", ExpiresIn: 2592000 * time.Second}, tok)
	r := rec.Last()
	assert.Equal(t, "GET", r.Method)
	assert.Equal(t, "/oauth/2.0/token", r.Path)
	assert.Equal(t, map[string][]string{"grant_type": {"client_credentials"}, "client_id": {appKey}, "client_secret": {secret}, "scope": {"smartapp_snsapi_base"}}, map[string][]string(r.Query))
	rec.Answer(400, "application/json", `{"error":"invalid_client","error_description":"unknown client id"}`)
	_, err = d.FetchToken(ctx)
	assert.Equal(t, taro.CodeCredentials, taro.CodeOf(err))
	rec.Answer(200, "application/json", `{"access_token":"x","expires_in":0}`)
	_, err = d.FetchToken(ctx)
	assert.Equal(t, taro.CodeUnavailable, taro.CodeOf(err))
}

// Baidu's decryption doc vector, through the driver.
func TestDecryptDocVector(t *testing.T) {
	d, err := swan.New(swan.Config{AppID: "y2dTfnWfkx2OXttMEMWlGHoB1KzMogm7", Secret: secret})
	require.NoError(t, err)
	out, err := d.Decrypt(driver.DecryptRequest{SessionKey: "1df09d0a1677dd72b8325aec59576e0c", IV: "1df09d0a1677dd72b8325Q==",
		EncryptedData: "OpCoJgs7RrVgaMNDixIvaCIyV2SFDBNLivgkVqtzq2GC10egsn+PKmQ/+5q+chT8xzldLUog2haTItyIkKyvzvmXonBQLIMeq54axAu9c3KG8IhpFD6+ymHocmx07ZKi7eED3t0KyIxJgRNSDkFk5RV1ZP2mSWa7ZgCXXcAbP0RsiUcvhcJfrSwlpsm0E1YJzKpYy429xrEEGvK+gfL+Cw=="})
	require.NoError(t, err)
	assert.Equal(t, `{"openid":"open_id","nickname":"baidu_user","headimgurl":"url of image","sex":1}`, string(out))
	assert.False(t, driver.Has(d, driver.CapRawDataVerifier), "Baidu signs no rawData")
}
