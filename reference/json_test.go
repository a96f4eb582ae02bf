package reference

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/cogconform/cogconform/internal/jsontest"
)

// decodeByEncodingJSON is how request bodies were read before parseJSON, and the
// definition it must agree with: one value, numbers as json.Number, nothing after.
func decodeByEncodingJSON(raw []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return v, true
}

var jsonEdgeCases = []string{
	``, ` `, `{}`, ` {} `, `{"a":1}`, `{"a":1,}`, `{,}`, `{"a"}`, `{"a":}`, `{"a" 1}`, `{'a':1}`, `{"a":1}}`, `{"a":1} {}`,
	`{"a":1}x`, `[]`, `[1,]`, `[,1]`, `[1 2]`, `[[]]`, `"s"`, `"s`, `true`, `tru`, `truex`, `null`, `nul`, `false`, `False`,
	`0`, `-0`, `01`, `-01`, `1.`, `.5`, `1.5`, `1e5`, `1E+5`, `1e-5`, `1e`, `1e+`, `-`, `--1`, `1.5.2`, `123abc`,
	`12345678901234567890123456789`, `1.0`, `-1.5e-300`,
	`{"a":"\"\\\/\b\f\n\r\t"}`, `{"a":"\u00e9\u4e2d"}`, `{"a":"\ud83d\ude00"}`, `{"a":"\ud83d"}`, `{"a":"\ud83dx"}`,
	`{"a":"\ude00\ud83d"}`, `{"a":"\ud83d\u0041"}`, `{"a":"\u12"}`, `{"a":"\u12g4"}`, `{"a":"\x"}`, `{"a":"\'"}`,
	`{"a":"tab	inside"}`, "{\"a\":\"nl\ninside\"}", "{\"a\":\"\x7f\"}", "{\"a\":\"bad \xff utf-8\"}", "{\"a\":\"cut \xe4\xb8\"}",
	"{\"\xff\":1}", `{"a":1,"a":2}`, `{"mess\u0061ge":"k"}`, "\t\n\r {\"a\" : [ 1 , { \"b\" : null } ] } \r\n",
	"\f{}", "{}\f", "\u00a0{}", `{"a":[1,2,{"b":[true,false,null]}],"c":{"d":{}}}`,
	`{"a":"` + strings.Repeat("x", 100000) + `"}`, `{"a":"` + strings.Repeat("é\\n", 1000) + `"}`,
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000), strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	`{"a":` + strings.Repeat(`{"a":`, 9999) + `1` + strings.Repeat("}", 10000),
	`{"a":` + strings.Repeat(`{"a":`, 10000) + `1` + strings.Repeat("}", 10001),
}

func TestParseJSONAgreesWithEncodingJSON(t *testing.T) {
	bodies := append([]string(nil), jsonEdgeCases...)
	rng := rand.New(rand.NewPCG(7, 8))
	for range 20000 {
		doc := requestDocs.Value(rng)
		if rng.IntN(3) > 0 {
			doc = jsontest.Break(rng, doc)
		}
		bodies = append(bodies, doc)
	}
	for _, b := range bodies {
		agree(t, []byte(b))
	}
}

func FuzzParseJSON(f *testing.F) {
	for _, b := range jsonEdgeCases {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, b []byte) { agree(t, b) })
}

func agree(t *testing.T, raw []byte) {
	t.Helper()
	want, wantOK := decodeByEncodingJSON(raw)
	got, gotOK := parseJSON(raw)
	if gotOK != wantOK || (wantOK && !reflect.DeepEqual(got, want)) {
		t.Errorf("parseJSON(%.120q) = %.120v, %v; encoding/json reads %.120v, %v", raw, got, gotOK, want, wantOK)
	}
}

// requestDocs are what request bodies may hold: escapes, surrogate pairs and lone
// surrogates, non-ASCII text, invalid UTF-8.
var requestDocs = jsontest.Doc{
	Pieces:   []string{"a", "é", `\"`, `\\`, `\/`, `\n`, `\t`, `\u0041`, `\ud83d\ude00`, `\ud83d`, "中", " ", "_", "\xff"},
	MaxDepth: 4,
}
