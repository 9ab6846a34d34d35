package conversation

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/rechargebot/rechargebot/models"
)

func TestParseBulkText(t *testing.T) {
	cases := map[string]struct {
		text string
		want []bulkRow
	}{
		"spaces": {"9876543210 199\n9876543211 49 Airtel", []bulkRow{
			{Line: 1, Input: "9876543210 199", Fields: []string{"9876543210", "199"}},
			{Line: 2, Input: "9876543211 49 Airtel", Fields: []string{"9876543211", "49", "Airtel"}},
		}},
		"blank lines keep numbering": {"\n9876543210 199\r\n\r\n  9876543211 49  \n", []bulkRow{
			{Line: 2, Input: "9876543210 199", Fields: []string{"9876543210", "199"}},
			{Line: 4, Input: "9876543211 49", Fields: []string{"9876543211", "49"}},
		}},
		"header skipped": {"number amount operator\n9876543210 199", []bulkRow{
			{Line: 2, Input: "9876543210 199", Fields: []string{"9876543210", "199"}},
		}},
		"commas": {"9876543210,199,Vodafone (Vi)", []bulkRow{
			{Line: 1, Input: "9876543210,199,Vodafone (Vi)", Fields: []string{"9876543210", "199", "Vodafone (Vi)"}},
		}},
		"commas after words": {"dth, Tata Play, 1234567890, 300", []bulkRow{
			{Line: 1, Input: "dth, Tata Play, 1234567890, 300", Fields: []string{"dth", "Tata", "Play", "1234567890", "300"}},
		}},
		"comma after a field": {"9876543210, 1,999", []bulkRow{
			{Line: 1, Input: "9876543210, 1,999", Fields: []string{"9876543210", "1,999"}},
		}},
		"semicolons and tabs": {"dth;Tata Play;1234567890;300\n9876543210\t199\t", []bulkRow{
			{Line: 1, Input: "dth;Tata Play;1234567890;300", Fields: []string{"dth", "Tata Play", "1234567890", "300"}},
			{Line: 2, Input: "9876543210\t199", Fields: []string{"9876543210", "199"}},
		}},
		"byte order mark": {"\uFEFF9876543210 199", []bulkRow{
			{Line: 1, Input: "9876543210 199", Fields: []string{"9876543210", "199"}},
		}},
		"too long": {"9876543210 " + strings.Repeat("9", 300), []bulkRow{
			{Line: 1, Input: ("9876543210 " + strings.Repeat("9", 300))[:maxBulkLineBytes], TooLong: true},
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rows, err := parseBulkText(tc.text, 10)
			if err != nil {
				t.Fatalf("parseBulkText: %v", err)
			}
			if !slices.EqualFunc(rows, tc.want, equalRows) {
				t.Errorf("rows = %+v, want %+v", rows, tc.want)
			}
		})
	}
}

func equalRows(a, b bulkRow) bool {
	return a.Line == b.Line && a.Input == b.Input && a.TooLong == b.TooLong && slices.Equal(a.Fields, b.Fields)
}

func TestParseBulkTextErrors(t *testing.T) {
	cases := map[string]struct {
		text string
		want error
	}{
		"empty":       {"", errBulkEmpty},
		"only blanks": {"\n \r\n\t\n", errBulkEmpty},
		"only header": {"number,amount", errBulkEmpty},
		"too many":    {strings.Repeat("9876543210 199\n", 4), errBulkTooLarge},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := parseBulkText(tc.text, 3); !errors.Is(err, tc.want) {
				t.Errorf("parseBulkText error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseBulkCSV(t *testing.T) {
	cases := map[string]struct {
		data string
		want []bulkRow
	}{
		"bom, CRLF, semicolons, header": {"\uFEFFnumber;amount\r\n9876543210;199\r\n\r\n\"9876543211\";\"49\";Airtel\r\n", []bulkRow{
			{Line: 2, Input: "9876543210;199", Fields: []string{"9876543210", "199"}},
			{Line: 4, Input: "9876543211;49;Airtel", Fields: []string{"9876543211", "49", "Airtel"}},
		}},
		"commas with quoted comma": {"9876543210,\"1,999\"\ndth,Tata Play,1234567890,300,,\n", []bulkRow{
			{Line: 1, Input: "9876543210,1,999", Fields: []string{"9876543210", "1,999"}},
			{Line: 2, Input: "dth,Tata Play,1234567890,300", Fields: []string{"dth", "Tata Play", "1234567890", "300"}},
		}},
		"tabs": {"9876543210\t199\n", []bulkRow{
			{Line: 1, Input: "9876543210\t199", Fields: []string{"9876543210", "199"}},
		}},
		"classic Mac line ends": {"number,amount\r9876543210,199\r9876543211,49\r", []bulkRow{
			{Line: 2, Input: "9876543210,199", Fields: []string{"9876543210", "199"}},
			{Line: 3, Input: "9876543211,49", Fields: []string{"9876543211", "49"}},
		}},
		"empty cells of a row": {"9876543210,199\n,,\n", []bulkRow{
			{Line: 1, Input: "9876543210,199", Fields: []string{"9876543210", "199"}},
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rows, err := parseBulkCSV([]byte(tc.data), 10)
			if err != nil {
				t.Fatalf("parseBulkCSV: %v", err)
			}
			if !slices.EqualFunc(rows, tc.want, equalRows) {
				t.Errorf("rows = %+v, want %+v", rows, tc.want)
			}
		})
	}
}

func TestParseBulkCSVErrors(t *testing.T) {
	var csvErr *bulkCSVError
	if _, err := parseBulkCSV([]byte("9876543210,199\n\"9876543211,49\n"), 10); !errors.As(err, &csvErr) || csvErr.Line != 2 {
		t.Errorf("unterminated quote: error = %v, want a CSV error at line 2", err)
	}
	if _, err := parseBulkCSV([]byte{0xff, 0xfe, '9', 0}, 10); !errors.Is(err, errBulkNotText) {
		t.Errorf("binary file: error = %v, want errBulkNotText", err)
	}
	if _, err := parseBulkCSV([]byte(strings.Repeat("9876543210,199\r\n", 11)), 10); !errors.Is(err, errBulkTooLarge) {
		t.Errorf("11 rows: error = %v, want errBulkTooLarge", err)
	}
	if _, err := parseBulkCSV([]byte("\uFEFF\r\n"), 10); !errors.Is(err, errBulkEmpty) {
		t.Errorf("empty file: error = %v, want errBulkEmpty", err)
	}
}

func TestParseBulkRow(t *testing.T) {
	cases := map[string]struct {
		fields  []string
		want    bulkRequest
		problem msgKey
	}{
		"number amount":          {[]string{"9876543210", "199"}, bulkRequest{Kind: models.KindMobile, Number: "9876543210", AmountPaise: 19900}, ""},
		"with +91 and operator":  {[]string{"+919876543210", "₹49.50", "Vodafone", "(Vi)"}, bulkRequest{Kind: models.KindMobile, Number: "9876543210", AmountPaise: 4950, Operator: "Vodafone (Vi)"}, ""},
		"dth":                    {[]string{"DTH", "Tata", "Play", "1234567890", "300"}, bulkRequest{Kind: models.KindDTH, Number: "1234567890", AmountPaise: 30000, Operator: "Tata Play"}, ""},
		"spaced number":          {[]string{"+91", "98765", "43220", "199"}, bulkRequest{Kind: models.KindMobile, Number: "9876543220", AmountPaise: 19900}, ""},
		"split number, operator": {[]string{"98765", "43220", "199", "Airtel"}, bulkRequest{Kind: models.KindMobile, Number: "9876543220", AmountPaise: 19900, Operator: "Airtel"}, ""},
		"number without amount":  {[]string{"98765", "43220"}, bulkRequest{}, msgBulkBadNumber},
		"one field":              {[]string{"9876543210"}, bulkRequest{}, msgBulkBadShape},
		"no fields":              {nil, bulkRequest{}, msgBulkBadShape},
		"short dth":              {[]string{"dth", "1234567890", "300"}, bulkRequest{}, msgBulkBadShape},
		"dth without id":         {[]string{"dth", "Tata Play", "", "300"}, bulkRequest{}, msgBulkBadShape},
		"dth without operator":   {[]string{"dth", "", "1234567890", "300"}, bulkRequest{}, msgBulkBadShape},
		"bad number":             {[]string{"5876543210", "199"}, bulkRequest{}, msgBulkBadNumber},
		"bad amount":             {[]string{"9876543210", "0"}, bulkRequest{}, msgBulkBadAmount},
		"three decimals":         {[]string{"9876543210", "1.999"}, bulkRequest{}, msgBulkBadAmount},
		"dth bad amount":         {[]string{"dth", "Tata Play", "1234567890", "-5"}, bulkRequest{}, msgBulkBadAmount},
		"huge amount":            {[]string{"9876543214", "99999999"}, bulkRequest{}, msgBulkAmountTooLarge},
		"dth huge amount":        {[]string{"dth", "Tata Play", "1234567890", "123456789"}, bulkRequest{}, msgBulkAmountTooLarge},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, problem := parseBulkRow(tc.fields)
			switch {
			case tc.problem != "" && (problem == nil || problem.key != tc.problem):
				t.Errorf("problem = %+v, want %s", problem, tc.problem)
			case tc.problem == "" && problem != nil:
				t.Errorf("problem = %+v, want none", problem)
			case got != tc.want:
				t.Errorf("request = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestBulkCatalogMatch(t *testing.T) {
	ops := []models.Operator{
		{ID: "1", Name: "Airtel", Active: true}, {ID: "8", Name: "Reliance Jio", Active: true},
		{ID: "21", Name: "Vodafone (Vi)", Active: true}, {ID: "4", Name: "BSNL TopUp", Active: true},
		{ID: "5", Name: "MTNL Delhi"}, {ID: "6", Name: "MTNL Mumbai"},
	}
	catalog := bulkCatalog{services: map[string][]models.Operator{models.ServicePrepaid: ops}}
	cases := map[string]struct {
		text    string
		want    string
		problem msgKey
	}{
		"id":            {"21", "21", ""},
		"whole name":    {"airtel", "1", ""},
		"last word":     {"Jio", "8", ""},
		"bracket word":  {"vi", "21", ""},
		"name start":    {"Voda", "21", ""},
		"punctuation":   {"Vodafone Vi!", "21", ""},
		"several match": {"MTNL", "", msgBulkAmbiguousOperator},
		"none":          {"Foonet", "", msgBulkUnknownOperator},
		"short start":   {"Ai", "", msgBulkUnknownOperator},
		"only symbols":  {"--", "", msgBulkUnknownOperator},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			op, problem := catalog.match(models.ServicePrepaid, tc.text)
			switch {
			case tc.problem != "" && (problem == nil || problem.key != tc.problem):
				t.Errorf("problem = %+v, want %s", problem, tc.problem)
			case tc.problem == "" && (problem != nil || op.ID != tc.want):
				t.Errorf("match = %q, %+v; want operator %s", op.ID, problem, tc.want)
			}
		})
	}
}

// FuzzBulkInput feeds arbitrary bytes to the paste and CSV parsers and the row reader. They
// must not panic, must keep within the line limit and number lines upwards. Every request
// they return has a mobile number or subscriber ID and a positive, bounded amount.
func FuzzBulkInput(f *testing.F) {
	f.Add([]byte("9876543210 199\n9876543211 49 Airtel\ndth Tata Play 1234567890 300"))
	f.Add([]byte("\uFEFFnumber;amount;operator\r\n9876543210;199;Airtel\r\n\"98765\"\"43210\";1,999\r\n"))
	f.Add([]byte("dth,,,\n,,\n\"unterminated\n9876543210\t₹199.50\t\tVodafone (Vi)"))
	f.Add([]byte{0xef, 0xbb, 0xbf, '9', ',', 0xff, '\r', '\n'})
	f.Fuzz(func(t *testing.T, data []byte) {
		const maxLines = 50
		text, _ := parseBulkText(string(data), maxLines)
		file, _ := parseBulkCSV(data, maxLines)
		for _, rows := range [][]bulkRow{text, file} {
			checkFuzzedRows(t, rows, maxLines)
		}
	})
}

func checkFuzzedRows(t *testing.T, rows []bulkRow, maxLines int) {
	if len(rows) > maxLines {
		t.Fatalf("%d rows, over the limit of %d", len(rows), maxLines)
	}
	last := 0
	for _, row := range rows {
		if row.Line <= last {
			t.Fatalf("line %d after line %d", row.Line, last)
		}
		last = row.Line
		if len(row.Input) > maxBulkLineBytes || (row.TooLong && row.Fields != nil) {
			t.Fatalf("row %d: input of %d bytes, too long %v with fields %q", row.Line, len(row.Input), row.TooLong, row.Fields)
		}
		req, problem := parseBulkRow(row.Fields)
		if problem != nil {
			continue
		}
		if req.AmountPaise <= 0 || req.AmountPaise > maxAmountPaise {
			t.Fatalf("row %d: amount %d paise out of bounds", row.Line, req.AmountPaise)
		}
		if req.Kind == models.KindMobile {
			if _, ok := parseMobile(req.Number); !ok || len(req.Number) != 10 {
				t.Fatalf("row %d: mobile number %q is not 10 digits", row.Line, req.Number)
			}
		}
		if req.Kind == models.KindDTH && req.Number == "" {
			t.Fatalf("row %d: DTH request without subscriber ID", row.Line)
		}
	}
}
