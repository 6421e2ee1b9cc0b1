package tiktok

import (
	"net/url"
	"strings"
	"testing"
)

func TestSignMatchesTheOfficialExample(t *testing.T) {
	q := url.Values{"app_key": {"29a39d"}, "timestamp": {"1623812664"}}
	got := Sign("e59af819cc", "/authorization/202309/shops", q, nil)
	if want := "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"; got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

func TestSignLeavesOutSignAndAccessTokenAndAppendsTheBody(t *testing.T) {
	q := url.Values{"app_key": {"29a39d"}, "timestamp": {"1623812664"}}
	base := Sign("e59af819cc", "/authorization/202309/shops", q, nil)
	q.Set("sign", "whatever")
	q.Set("access_token", "never-signed")
	if got := Sign("e59af819cc", "/authorization/202309/shops", q, nil); got != base {
		t.Error("sign or access_token changed the signature")
	}
	if got := Sign("e59af819cc", "/authorization/202309/shops", q, []byte{}); got != base {
		t.Error("an empty body changed the signature")
	}
	withBody := Sign("e59af819cc", "/authorization/202309/shops", q, []byte(`{"order_status":"COMPLETED"}`))
	if withBody == base {
		t.Error("the body is not signed")
	}
	if Sign("e59af819cc", "/authorization/202309/shops", q, []byte(`{}`)) == base {
		t.Error(`"{}" signs like no body`)
	}
	if strings.ToLower(withBody) != withBody || len(withBody) != 64 {
		t.Errorf("sign %q is not lower-case hex SHA-256", withBody)
	}
}

func TestWebhookIsVerifiedOverRawBytes(t *testing.T) {
	body := []byte(`{"type":1,"tts_notification_id":"7327112393057371910","shop_id":"7494055357398567000","timestamp":1718305585,"data":{"order_id":"576461413038785752"}}`)
	sig := WebhookSignature(testAppKey, testAppSecret, body)
	if !VerifyWebhook(testAppKey, testAppSecret, body, sig) {
		t.Fatal("a correct signature was refused")
	}
	for name, auth := range map[string]string{
		"upper-case hex":              strings.ToUpper(sig),
		"bearer":                      "Bearer " + sig,
		"empty":                       "",
		"truncated":                   sig[:63],
		"wrapped like a request sign": Sign(testAppSecret, "", nil, append([]byte(testAppKey), body...)),
	} {
		if VerifyWebhook(testAppKey, testAppSecret, body, auth) {
			t.Errorf("%s accepted", name)
		}
	}
	tampered := append([]byte(nil), body...)
	tampered[len(tampered)-3] = '3'
	if VerifyWebhook(testAppKey, testAppSecret, tampered, sig) {
		t.Error("a changed body verified")
	}
	if VerifyWebhook(testAppKey, "", body, WebhookSignature(testAppKey, "", body)) {
		t.Error("an empty secret verifies anything")
	}
}

func BenchmarkSign(b *testing.B) {
	q := url.Values{"app_key": {"29a39d"}, "timestamp": {"1623812664"}, "shop_cipher": {testCipher},
		"page_size": {"100"}, "page_token": {"aDU2dGRsR3p+L3pYb2I="}, "sort_field": {"update_time"}}
	body := []byte(`{"update_time_ge":1731000000,"update_time_lt":1731600000}`)
	b.ReportAllocs()
	for b.Loop() {
		Sign(testAppSecret, "/order/202309/orders/search", q, body)
	}
}
