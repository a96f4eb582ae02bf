package jsonenc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// agreeMarshal checks Marshal and Append against encoding/json.Marshal: the same
// bytes, or an error wrapping one of the same type and message.
func agreeMarshal(t *testing.T, v any) {
	t.Helper()
	want, wantErr := json.Marshal(v)
	got, gotErr := Marshal(v)
	prefix := []byte(`{"x":`)
	appended, appendErr := Append(prefix[:len(prefix):len(prefix)], v)
	if wantErr != nil {
		for _, err := range []error{gotErr, appendErr} {
			inner := errors.Unwrap(err)
			if inner == nil || reflect.TypeOf(inner) != reflect.TypeOf(wantErr) || inner.Error() != wantErr.Error() {
				t.Errorf("Marshal(%.200v): error %v; encoding/json's is %T %v", v, err, wantErr, wantErr)
				return
			}
		}
		if got != nil || !bytes.Equal(appended, prefix) {
			t.Errorf("Marshal(%.200v) failed but returned %.80q, Append %.80q", v, got, appended)
		}
		return
	}
	if gotErr != nil || appendErr != nil {
		t.Errorf("Marshal(%.200v): %v, %v; encoding/json writes %.200s", v, gotErr, appendErr, want)
		return
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Marshal(%.200v) = %.200s; encoding/json writes %.200s", v, got, want)
	}
	if !bytes.Equal(appended, append(prefix, want...)) {
		t.Errorf("Append(%q, %.200v) = %.200s", prefix, v, appended)
	}
}

var stringPieces = []string{"a", "plain ascii text ", `"`, `\`, "<", ">", "&", "\x00", "\x1f", "\b", "\f", "\n", "\r",
	"\t", "\x7f", "é", "中", "😀", "\u2028", "\u2029", "\xff", "\xe4\xb8", "\xed\xa0\x80", "'", "/", "\u00a0",
	strings.Repeat("y", 8), strings.Repeat("y", 17), "abcdefg<", "1 validation error detected: Value 'a&b' at 'deviceKey'"}

func randomString(rng *rand.Rand) string {
	var b strings.Builder
	for range rng.IntN(12) {
		switch rng.IntN(8) {
		case 0: // a long run of plain ASCII, the eight-byte path
			for range 8 + rng.IntN(300) {
				b.WriteByte(byte(' ' + rng.IntN(95)))
			}
		case 1: // any byte at all
			b.WriteByte(byte(rng.IntN(256)))
		default:
			b.WriteString(stringPieces[rng.IntN(len(stringPieces))])
		}
	}
	return b.String()
}

var specialFloats = []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1.5, 100, 1e20, 1e21, 999999999999999999999, 1e21 - 65536,
	-1e21, 1e300, math.MaxFloat64, -math.MaxFloat64, 1e-6, 1e-7, 9.99999e-7, 0.000001, 0.0000011, -1e-6, 1e-300,
	math.SmallestNonzeroFloat64, 123456789, 1 << 53, 1<<53 + 1, 1e-100, 1.2345e-7, 5e-10, 1e-10}

func randomFloat(rng *rand.Rand) float64 {
	switch rng.IntN(7) {
	case 0:
		return specialFloats[rng.IntN(len(specialFloats))]
	case 1:
		return float64(rng.Int64N(1<<60) - 1<<59) // an integer
	case 2:
		return math.Float64frombits(rng.Uint64()) // anything, NaN and infinities among them
	case 3:
		return rng.NormFloat64() * math.Pow(10, float64(rng.IntN(60)-30)) // around the 'e' switch
	case 4:
		return math.Ldexp(rng.Float64(), rng.IntN(2100)-1075) // huge and tiny
	case 5:
		return float64(rng.IntN(1000)) / 8
	}
	return rng.Float64()
}

func randomFloat32(rng *rand.Rand) float32 {
	switch rng.IntN(4) {
	case 0:
		return float32(specialFloats[rng.IntN(len(specialFloats))])
	case 1:
		return math.Float32frombits(rng.Uint32())
	case 2:
		return float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(50)-25)))
	}
	return math.Nextafter32(float32(1e21), float32(rng.IntN(3)-1)*1e30)
}

// shouty is a type encoding/json has to ask: its output is compacted and
// HTML-escaped there, which the fallback must keep.
type shouty string

func (s shouty) MarshalJSON() ([]byte, error) {
	if s == "fail" {
		return nil, errors.New("refused")
	}
	return []byte(`{ "v" : "<` + strings.ToUpper(string(s)) + `>" }`), nil
}

type named string

func randomLeaf(rng *rand.Rand) any {
	switch rng.IntN(26) {
	case 0:
		return nil
	case 1:
		return rng.IntN(2) == 0
	case 2, 3, 4:
		return randomString(rng)
	case 5, 6:
		return randomFloat(rng)
	case 7:
		return randomFloat32(rng)
	case 8:
		return int(rng.Int64())
	case 9:
		return int8(rng.Uint32())
	case 10:
		return int16(rng.Uint32())
	case 11:
		return int32(rng.Uint32())
	case 12:
		return []int64{math.MinInt64, math.MaxInt64, 0, -1, rng.Int64()}[rng.IntN(5)]
	case 13:
		return uint(rng.Uint64())
	case 14:
		return uint8(rng.Uint32())
	case 15:
		return uint16(rng.Uint32())
	case 16:
		return uint32(rng.Uint32())
	case 17:
		return []uint64{math.MaxUint64, 0, rng.Uint64()}[rng.IntN(3)]
	case 18:
		return json.Number([]string{"", "0", "-0", "12", "1.5e-7", "1E+21", "-0.25", "01", "1.", "1e", "1e+", ".5", "+1",
			"0x10", "NaN", "--1", "12345678901234567890123456789"}[rng.IntN(17)])
	case 19:
		return json.RawMessage([]string{`{"a": [1, 2 ] }`, ` "<&>" `, `"\u2028"`, `null`, `{"a":`, ``, `nul`, "\"\xff\"",
			`[1,2]x`}[rng.IntN(9)])
	case 20:
		return json.RawMessage(nil)
	case 21:
		return []byte(randomString(rng))
	case 22:
		return shouty([]string{"a&b", "x", "fail"}[rng.IntN(3)])
	case 23:
		return named(randomString(rng))
	case 24:
		return struct {
			A string
			B float64 `json:"b,omitempty"`
		}{randomString(rng), randomFloat(rng)}
	}
	return &[]int{1}[0]
}

// randomValue builds what request bodies and answers are made of, with now and then
// something only encoding/json knows, or cannot encode, somewhere inside.
func randomValue(rng *rand.Rand, depth int) any {
	n := rng.IntN(12)
	if n < 5 || depth > 4 {
		return randomLeaf(rng)
	}
	size := rng.IntN(6)
	switch n {
	case 5, 6:
		if rng.IntN(15) == 0 {
			return map[string]any(nil)
		}
		m := make(map[string]any, size)
		for range size {
			m[randomString(rng)] = randomValue(rng, depth+1)
		}
		return m
	case 7, 8:
		if rng.IntN(15) == 0 {
			return []any(nil)
		}
		list := make([]any, size)
		for i := range list {
			list[i] = randomValue(rng, depth+1)
		}
		return list
	case 9:
		if rng.IntN(8) == 0 {
			return []string(nil)
		}
		list := make([]string, size)
		for i := range list {
			list[i] = randomString(rng)
		}
		return list
	case 10:
		if rng.IntN(8) == 0 {
			return map[string]string(nil)
		}
		m := make(map[string]string, size)
		for range size {
			m[randomString(rng)] = randomString(rng)
		}
		return m
	}
	if rng.IntN(8) == 0 {
		return []map[string]any(nil)
	}
	list := make([]map[string]any, size)
	for i := range list {
		if m, ok := randomValue(rng, depth+1).(map[string]any); ok {
			list[i] = m
		} else {
			list[i] = map[string]any{"k": randomLeaf(rng)}
		}
	}
	return list
}

func TestMarshalAgreesWithEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for range 30000 {
		agreeMarshal(t, randomValue(rng, 0))
	}
	for range 3000 {
		agreeMarshal(t, randomLeaf(rng))
		agreeMarshal(t, map[string]any{"Value": randomFloat(rng), "Key": randomString(rng)})
	}
}

func TestMarshalEdges(t *testing.T) {
	long := strings.Repeat("x", 262144)
	cyclicMap := map[string]any{"b": 1}
	cyclicMap["a"] = cyclicMap
	cyclicList := []any{1, nil}
	cyclicList[1] = cyclicList
	deep := any("bottom")
	for i := range 1500 {
		if i%2 == 0 {
			deep = map[string]any{"d": deep}
		} else {
			deep = []any{deep}
		}
	}
	values := []any{
		nil, true, false, "", long, long + "<", "\u2028\u2029", map[string]any{}, []any{}, []string{}, map[string]string{},
		[]map[string]any{}, []map[string]any{nil, {}}, map[string]any{"": nil}, map[string]any{"b": 1, "a": 2, "B": 3, "é": 4, "<": 5},
		map[string]any{"AccessToken": "t", "DeviceKey": "us-east-1_" + long, "Limit": 60, "PaginationToken": nil},
		math.NaN(), math.Inf(1), float32(math.Inf(-1)), map[string]any{"a": []any{1, math.NaN()}},
		[]map[string]any{{"x": map[string]any{"y": math.Inf(-1)}}}, map[string]any{"n": json.Number("1e")},
		map[string]any{"r": json.RawMessage(`{"a":`)}, map[string]any{"s": shouty("fail")}, map[string]any{"c": make(chan int)},
		cyclicMap, cyclicList, deep, math.Copysign(0, -1), float32(math.Copysign(0, -1)), float32(1e21), float32(1e-6),
		float32(9.999999e-7), 1e21, 1e-6, 1e-7, 1e-300,
	}
	for _, v := range values {
		agreeMarshal(t, v)
	}
}

func TestErrorsSayWhere(t *testing.T) {
	_, err := Marshal(map[string]any{"a": []any{1, math.NaN()}})
	var unsupported *json.UnsupportedValueError
	if !errors.As(err, &unsupported) {
		t.Fatalf("the error %v does not wrap a *json.UnsupportedValueError", err)
	}
	if want := `jsonenc: encoding the float64 at ["a"][1]: json: unsupported value: NaN`; err.Error() != want {
		t.Errorf("the error says %q, want %q", err, want)
	}
	_, err = Marshal(math.Inf(1))
	if want := `jsonenc: encoding a float64: json: unsupported value: +Inf`; err == nil || err.Error() != want {
		t.Errorf("the error says %v, want %q", err, want)
	}
}

func TestAppendStringAgreesWithEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	inputs := []string{"", strings.Repeat("x", 100000), strings.Repeat("x", 99999) + "<", "1 validation error detected: Value 'a&b' at 'deviceKey'"}
	for range 20000 {
		inputs = append(inputs, randomString(rng))
	}
	for _, s := range inputs {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendString(nil, s); string(got) != string(want) {
			t.Errorf("AppendString(%.80q) = %.80s, encoding/json writes %.80s", s, got, want)
		}
		// The reference server writes its error bodies this way, by hand.
		doc, _ := json.Marshal(map[string]string{"__type": "InvalidParameterException", "message": s})
		var body []byte
		body = AppendString(append(body, `{"__type":`...), "InvalidParameterException")
		body = append(AppendString(append(body, `,"message":`...), s), '}')
		if string(body) != string(doc) {
			t.Errorf("error body for %.80q = %.80s, encoding/json writes %.80s", s, body, doc)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range stringPieces {
		f.Add(s)
	}
	f.Add(strings.Repeat("z", 40) + "\u2029" + strings.Repeat("z", 7) + "\xc3")
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendString([]byte("prefix"), s); string(got) != "prefix"+string(want) {
			t.Errorf("AppendString(%q) = %s, encoding/json writes %s", s, got[len("prefix"):], want)
		}
	})
}

// FuzzMarshal reads the input as a JSON document, both ways encoding/json reads
// one, and as a string, and writes what it read.
func FuzzMarshal(f *testing.F) {
	for _, doc := range []string{`{"a":[1,2.5,-0,1e21,1e-7,"<\u2028>"],"b":{"c":null,"d":true}}`, `"x"`, `[]`, `{"é":"\ud83d"}`,
		`123456789012345678901234567890`, "\xff"} {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		agreeMarshal(t, string(doc))
		var v any
		if json.Unmarshal(doc, &v) == nil {
			agreeMarshal(t, v)
		}
		dec := json.NewDecoder(bytes.NewReader(doc))
		dec.UseNumber()
		var n any
		if dec.Decode(&n) == nil {
			agreeMarshal(t, n)
		}
	})
}

// requestBody is what a property sends: a few small members and one value of half
// the 256 Ki-character maximum.
func requestBody() map[string]any {
	return map[string]any{
		"AccessToken":            "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJ1c2VyLTEifQ.c2ln",
		"DeviceKey":              "us-east-1_" + strings.Repeat("a", 131072),
		"DeviceRememberedStatus": "remembered",
	}
}

func BenchmarkMarshal(b *testing.B) {
	bodies := []struct {
		name string
		v    any
	}{
		{"request-128Ki", requestBody()},
		{"small", map[string]any{"UserPoolId": "us-east-1_abc", "Username": "user-1", "DeviceKey": "us-east-1_0a1b"}},
	}
	encoders := []struct {
		name    string
		marshal func(any) ([]byte, error)
	}{{"jsonenc", Marshal}, {"encoding-json", json.Marshal}}
	for _, body := range bodies {
		for _, enc := range encoders {
			b.Run(fmt.Sprintf("%s/%s", body.name, enc.name), func(b *testing.B) {
				out, err := enc.marshal(body.v)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(out)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := enc.marshal(body.v); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
