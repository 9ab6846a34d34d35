package kwik_test

import (
	"encoding/json"
	"testing"

	"github.com/rechargebot/rechargebot/kwik"
)

func TestParsePaise(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"10", 1000},
		{"253.18", 25318},
		{"9.6", 960},
		{"9.62", 962},
		{"0", 0},
		{"0.5", 50},
		{".5", 50},
		{"10.", 1000},
		{" 499 ", 49900},
		{"1,000.50", 100050},
		{"₹ 199", 19900},
		{"Rs. 22", 2200},
		{"INR 10000.50", 1000050},
		{"212.7400", 21274},
		{"9.615", 962},
		{"9.614", 961},
		{"-5.25", -525},
		{"+7", 700},
		{"007.05", 705},
	}
	for _, tt := range tests {
		got, err := kwik.ParsePaise(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParsePaise(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParsePaiseRejectsMalformed(t *testing.T) {
	for _, in := range []string{"", " ", "abc", "1e3", "10.5.5", "1 0", "-", ".", "12a", "9999999999999999", "0x10", "NaN"} {
		if got, err := kwik.ParsePaise(in); err == nil {
			t.Errorf("ParsePaise(%q) = %d, nil; want an error", in, got)
		}
	}
}

func TestFormatAmount(t *testing.T) {
	tests := []struct {
		paise int64
		want  string
	}{
		{1000, "10"}, {962, "9.62"}, {960, "9.60"}, {5, "0.05"}, {0, "0"}, {-525, "-5.25"}, {100000000, "1000000"},
	}
	for _, tt := range tests {
		if got := kwik.FormatAmount(tt.paise); got != tt.want {
			t.Errorf("FormatAmount(%d) = %q, want %q", tt.paise, got, tt.want)
		}
		if back, err := kwik.ParsePaise(tt.want); err != nil || back != tt.paise {
			t.Errorf("ParsePaise(FormatAmount(%d)) = %d, %v", tt.paise, back, err)
		}
	}
}

func TestPaiseDecodesStringOrNumber(t *testing.T) {
	var got struct {
		A, B, C, D, E, F kwik.Paise
	}
	body := `{"A": "253.18", "B": 22, "C": 9.6, "D": null, "E": "", "F": "1,499"}`
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	want := []kwik.Paise{25318, 2200, 960, 0, 0, 149900}
	for i, v := range []kwik.Paise{got.A, got.B, got.C, got.D, got.E, got.F} {
		if v != want[i] {
			t.Errorf("field %d = %d, want %d", i, v, want[i])
		}
	}
}

func TestPaiseRejectsObjectsAndBooleans(t *testing.T) {
	for _, body := range []string{`{"A": true}`, `{"A": {}}`, `{"A": "ten"}`, `{"A": 1e2}`} {
		var got struct{ A kwik.Paise }
		if err := json.Unmarshal([]byte(body), &got); err == nil {
			t.Errorf("Unmarshal(%s) succeeded with %d; want an error", body, got.A)
		}
	}
}

func TestPaiseEncodesRupeeString(t *testing.T) {
	out, err := json.Marshal(struct{ A kwik.Paise }{962})
	if err != nil || string(out) != `{"A":"9.62"}` {
		t.Errorf("Marshal = %s, %v; want {\"A\":\"9.62\"}", out, err)
	}
}
