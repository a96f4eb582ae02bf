package awsjson

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/cogconform/cogconform/internal/jsontest"
)

// The map-based readings ErrorCode and errorMessage replaced: the definition the
// faster scan must agree with on every body.
func errorCodeByMap(body []byte) string {
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return ""
	}
	for _, k := range []string{"__type", "code", "Code"} {
		var s string
		if raw, ok := doc[k]; ok && json.Unmarshal(raw, &s) == nil && s != "" {
			return sanitizeCode(s)
		}
	}
	return ""
}

func errorMessageByMap(body []byte) string {
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return ""
	}
	for _, k := range []string{"message", "Message", "errorMessage"} {
		var s string
		if raw, ok := doc[k]; ok && json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	return ""
}

// stringMemberByMap is the map reading of ObjectMembers and StringValue together:
// whether body is a JSON object, and the first of keys whose value is a string.
func stringMemberByMap(body []byte, keys ...string) (object bool, s string, found bool) {
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil || doc == nil {
		return false, "", false
	}
	for _, k := range keys {
		if v, ok := doc[k].(string); ok {
			return true, v, true
		}
	}
	return true, "", false
}

func stringMember(body []byte, keys ...string) (object bool, s string, found bool) {
	vals, ok := ObjectMembers(body, keys...)
	if !ok {
		return false, "", false
	}
	for _, raw := range vals {
		if raw != nil {
			if v, ok := StringValue(raw); ok {
				return true, v, true
			}
		}
	}
	return true, "", false
}

func TestErrorFieldsReadAsAMapWould(t *testing.T) {
	bodies := []string{
		``, `null`, `[]`, `"x"`, `42`, `true`, `{`, `{"message":}`, `{} {}`, `{}`, ` { } `,
		`{"__type":"A","message":"m"}`,
		`{"__type":"aws#NotAuthorizedException:http://x","message":"no"}`,
		`{"message":null,"Message":"second"}`,
		`{"message":1,"Message":"second"}`,
		`{"message":"first","message":"last"}`,
		`{"mess\u0061ge":"escaped key"}`,
		`{"message":"quote \" brace } bracket ] backslash \\","__type":"T"}`,
		`{"message":"ends with backslash \\\\"}`,
		`{"nested":{"message":"not top level"},"code":"C"}`,
		`{"list":["message",{"message":"x"}],"Code":"D","errorMessage":"e"}`,
		`{"__type":"","code":"","Code":"E"}`,
		`{"__type":7,"code":"F"}`,
		`{"message":"\u00e9\ud83d\ude00 unicode"}`,
		"{\"message\":\"invalid \xff utf-8\"}",
		`{"message" : "spaced" , "__type" : "G" }`,
		"{\n\t\"message\":\t\"tabs\"\r\n}",
		`{"a":-1.5e3,"b":true,"c":null,"message":"after scalars"}`,
		`{"message":"` + strings.Repeat("x", 300000) + `"}`,
		// encoding/json's nesting limit is 10000 open objects and arrays.
		`{"message":"deep","x":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`,
		`{"message":"too deep","x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`,
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		body := errorDocs.Object(rng)
		if rng.IntN(4) == 0 {
			body = jsontest.Break(rng, body) // a syntax error somewhere, or none
		}
		bodies = append(bodies, body)
	}
	for _, b := range bodies {
		body := []byte(b)
		if got, want := errorMessage(body), errorMessageByMap(body); got != want {
			t.Errorf("errorMessage(%.80q) = %.80q, the map reading gives %.80q", b, got, want)
		}
		if got, want := ErrorCode(http.Header{}, body), errorCodeByMap(body); got != want {
			t.Errorf("ErrorCode(%.80q) = %.80q, the map reading gives %.80q", b, got, want)
		}
		gotObj, got, gotFound := stringMember(body, "message", "Message")
		wantObj, want, wantFound := stringMemberByMap(body, "message", "Message")
		if gotObj != wantObj || got != want || gotFound != wantFound {
			t.Errorf("ObjectMembers+StringValue(%.80q) = %v %.80q %v, the map reading gives %v %.80q %v", b, gotObj, got, gotFound, wantObj, want, wantFound)
		}
	}
}

// errorDocs are objects (mostly) with the members the error readers look for, and
// strings with the escapes and characters that could end a naive scan early.
var errorDocs = jsontest.Doc{
	Keys:     []string{"message", "Message", "errorMessage", "__type", "code", "Code", "other", `mess\u0061ge`, `Co\u0064e`},
	Pieces:   []string{"a", `\"`, `\\`, "}", "]", ",", ":", " ", `\n`, `\u00e9`, "é", "#", "aws#X:y"},
	MaxDepth: 3,
}

func FuzzErrorFields(f *testing.F) {
	for _, b := range []string{`{"__type":"A","message":"m"}`, `{"message":"\ud83d\ude00","Code":"x"}`, `[{"a":1}]`, `{"a":[1,{"b":"}"}]}`} {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if got, want := errorMessage(body), errorMessageByMap(body); got != want {
			t.Errorf("errorMessage(%q) = %q, the map reading gives %q", body, got, want)
		}
		if got, want := ErrorCode(http.Header{}, body), errorCodeByMap(body); got != want {
			t.Errorf("ErrorCode(%q) = %q, the map reading gives %q", body, got, want)
		}
	})
}
