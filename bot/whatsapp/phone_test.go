package whatsapp

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	cases := map[string]struct {
		in      string
		want    string
		wantErr string
	}{
		"digits":                {in: "919876543210", want: "919876543210"},
		"plus and spaces":       {in: "+91 98765-43210", want: "919876543210"},
		"brackets":              {in: "+1 (415) 555-0100", want: "14155550100"},
		"ten digits no country": {in: "9876543210", wantErr: "country code 91"},
		"leading zero":          {in: "09876543210", wantErr: "not 0"},
		"too short":             {in: "12345", wantErr: "8 to 15 digits"},
		"too long":              {in: "1234567890123456", wantErr: "8 to 15 digits"},
		"letters":               {in: "91987654321O", wantErr: "digits"},
		"empty":                 {in: "", wantErr: "8 to 15 digits"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := NormalizePhone(tc.in)
			if tc.wantErr == "" {
				if err != nil || got != tc.want {
					t.Fatalf("NormalizePhone(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
				}
				return
			}
			if !errors.Is(err, ErrInvalidPhone) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("NormalizePhone(%q) error = %v, want ErrInvalidPhone saying %q", tc.in, err, tc.wantErr)
			}
		})
	}
}

func FuzzNormalizePhone(f *testing.F) {
	for _, seed := range []string{"919876543210", "+91 98765-43210", "9876543210", "0", "++--", "٩١٩٨٧٦٥٤٣٢١٠"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		phone, err := NormalizePhone(in)
		if err != nil {
			if !errors.Is(err, ErrInvalidPhone) {
				t.Errorf("error %v does not wrap ErrInvalidPhone", err)
			}
			digits := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, in)
			// The example number in the message may share digits with the input.
			message := strings.ReplaceAll(err.Error(), "919876543210", "")
			if len(digits) > 4 && strings.Contains(message, digits) {
				t.Errorf("error %q repeats the number", err)
			}
			return
		}
		if err := checkPhone(phone); err != nil {
			t.Errorf("NormalizePhone(%q) = %q, which checkPhone rejects: %v", in, phone, err)
		}
	})
}
