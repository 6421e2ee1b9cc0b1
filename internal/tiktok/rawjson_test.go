package tiktok

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

// FuzzSplittingCheckedJSONAgreesWithEncodingJSON holds the splitters to what decoding into json.RawMessage values
// gives, on every input encoding/json accepts.
func FuzzSplittingCheckedJSONAgreesWithEncodingJSON(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, ` { "a" : [1, {"b":"}"}], "a":"\"x\\\\" , "c\u00e9":null} `, `["a\"]",{"k":[]}, 1.5e3, true]`,
		`{"\u0061":1,"a":2}`, `{"code":0,"data":{"orders":[{"id":"1"}],"next_page_token":""}}`, `[{"x":"\\"},"\\\""]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			objectMembers(raw) // must not panic
			arrayElements(raw)
			return
		}
		var wantObj map[string]json.RawMessage
		if json.Unmarshal(raw, &wantObj) == nil {
			got, err := objectMembers(raw)
			if err != nil || !maps.EqualFunc(got, wantObj, sameRaw) {
				t.Fatalf("objectMembers(%s) = %q, %v; want %q", raw, got, err, wantObj)
			}
		} else if _, err := objectMembers(raw); err == nil {
			t.Fatalf("objectMembers(%s) accepted what is not an object", raw)
		}
		var wantArr []json.RawMessage
		if json.Unmarshal(raw, &wantArr) == nil && wantArr != nil {
			got, err := arrayElements(raw)
			if err != nil || !slices.EqualFunc(got, wantArr, sameRaw) {
				t.Fatalf("arrayElements(%s) = %q, %v; want %q", raw, got, err, wantArr)
			}
		} else if _, err := arrayElements(raw); err == nil && wantArr == nil && !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			t.Fatalf("arrayElements(%s) accepted what is not an array", raw)
		}
	})
}

// FuzzTheQuickEnvelopeReadsAsTheDecoderDoes holds quickEnvelope to the decoder it stands in for.
func FuzzTheQuickEnvelopeReadsAsTheDecoderDoes(f *testing.F) {
	for _, s := range []string{`{"code":0,"message":"Success","request_id":"r1","data":{"x":1}}`, `{"code":"12","data":null}`,
		`{"code":1.5,"message":2}`, `{"Code":7,"code":0}`, `{"code":0,"code":null}`, `{"data":[1],"data":{"a":"b"}}`, `{"co\u0064e":3}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, gotErr, ok := quickEnvelope(body)
		if !ok {
			return
		}
		var want envelope
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		wantErr := dec.Decode(&want)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("%s: error %v; the decoder's %v", body, gotErr, wantErr)
		}
		if wantErr != nil {
			return
		}
		if (got.Code == nil) != (want.Code == nil) || got.Code != nil && *got.Code != *want.Code ||
			got.Message != want.Message || got.RequestID != want.RequestID || !bytes.Equal(got.Data, want.Data) {
			t.Fatalf("%s: got %+v; the decoder's %+v", body, got, want)
		}
	})
}

func sameRaw(a, b json.RawMessage) bool { return bytes.Equal(a, b) }

// FuzzAnObjectFieldReadsAsAMapFieldDoes holds object to the map[string]json.RawMessage field it replaced, as a
// field of a record decoded by encoding/json: the same members, nil for null, refused where the map is refused,
// and nothing shared with the bytes decoded.
func FuzzAnObjectFieldReadsAsAMapFieldDoes(f *testing.F) {
	for _, s := range []string{`{"p":{"a":"1.50","b":null}}`, `{"p":null}`, `{"p":"x"}`, `{"p":[1]}`, `{"p":7}`, `{"p":true}`,
		`{"p":{"a":1,"a":2}}`, `{"p":{ "\u0061" : {"x":[]} }}`, `{"p":{"a":1,"b":2},"p":{"b":3}}`, `{"p":{"a":1},"p":null}`, `{}`, `{"P":{"a":"1"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var want struct {
			P map[string]json.RawMessage `json:"p"`
		}
		var got struct {
			P object `json:"p"`
		}
		wantErr := json.Unmarshal(raw, &want)
		gotErr := json.Unmarshal(raw, &got)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("%s: error %v; the map's %v", raw, gotErr, wantErr)
		}
		if wantErr != nil {
			if _, isType := wantErr.(*json.UnmarshalTypeError); isType {
				if _, same := gotErr.(*json.UnmarshalTypeError); !same {
					t.Fatalf("%s: error %T %v; the map's is a type error", raw, gotErr, gotErr)
				}
			}
			return
		}
		if (got.P == nil) != (want.P == nil) || !maps.EqualFunc(got.P, want.P, sameRaw) {
			t.Fatalf("%s: %q; the map's %q", raw, got.P, want.P)
		}
		for i := range raw {
			raw[i] = 'x'
		}
		if !maps.EqualFunc(got.P, want.P, sameRaw) {
			t.Fatalf("the members changed with the bytes they were decoded from")
		}
	})
}

// FuzzTheRecordDecoderReadsAsEncodingJSONDoes holds decodeRecord (one pass with encoding/json's options) to
// encoding/json itself, which it replaced: the same values, and an error exactly where encoding/json gives one, for
// the wire forms of the records a sync reads most and the shapes read out of any record.
func FuzzTheRecordDecoderReadsAsEncodingJSONDoes(f *testing.F) {
	addFixtureRecords(f, "orders_search.json", "statement_transactions.json", "returns_search.json", "products_search.json",
		"statements.json")
	for _, s := range []string{`{"ID":"x","Create_Time":5}`, `{"id":"a","id":"b"}`, "{\"id\":\"\xff\xfe\"}", `{"create_time":"1"}`,
		`{"create_time":1.5}`, `{"create_time":1e3}`, `{"line_items":null}`, `{"line_items":[{"sale_price":5}]}`, `{"id":null}`,
		`{"payment":{"a":"1"},"payment":{"b":"2"}}`, `{"payment":null}`, `{"payment":[1]}`, `{"is_sample_order":"true"}`,
		` {"id":"x"} `, `{"id":"x"} {}`, `{"fee_tax_breakdown":{"fee":{"x_amount":"1"},"tax":null}}`, `{"id":"\u00e9\ud800"}`,
		`{"revenue_breakdown":{"a":1},"revenue_breakdown":{"b":2}}`, `[]`, `null`, `{"order_create_time":-1}`,
		`{"sku_transactions":[ {"a":1} , 2 ]}`, `{"skus":[{"id":1}]}`, `{"a": 1 , "A":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		decodesAsEncodingJSON[orderWire](t, raw)
		decodesAsEncodingJSON[transactionWire](t, raw)
		decodesAsEncodingJSON[returnWire](t, raw)
		decodesAsEncodingJSON[productWire](t, raw)
		decodesAsEncodingJSON[map[string]json.RawMessage](t, raw) // a statement's keys, a record's id
		decodesAsEncodingJSON[struct {
			SKUs []json.RawMessage `json:"sku_transactions"`
		}](t, raw)
	})
}

func decodesAsEncodingJSON[W any](t *testing.T, raw []byte) {
	t.Helper()
	var got, want W
	gotErr := decodeRecord(raw, &got)
	wantErr := json.Unmarshal(raw, &want)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("%T from %q: error %v; encoding/json's %v", got, raw, gotErr, wantErr)
	}
	if wantErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%T from %q: %+v; encoding/json's %+v", got, raw, got, want)
	}
}

// FuzzTheEnvelopesCheckIsJSONValid holds the check quickEnvelope makes of every body to json.Valid, which it
// replaced.
func FuzzTheEnvelopesCheckIsJSONValid(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1,"a":2}`, "{\"a\":\"\xff\"}", `{"a":"\ud800"}`, `{"a":1,}`, `{"a":01}`, ` [1, 2.5e-3, true, null] `,
		`{"a":"\x"}`, `{"a":"` + "\t" + `"}`, `{} {}`, ``, `"x"`, `{"a":[[[[[]]]]]}`, `{"a":-}`, fixture(f, "orders_search.json")} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if got, want := jsontext.Value(raw).IsValid(asJSONValid...), json.Valid(raw); got != want {
			t.Fatalf("%q: valid %v; json.Valid says %v", raw, got, want)
		}
	})
}
