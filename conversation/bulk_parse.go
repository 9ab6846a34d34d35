package conversation

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rechargebot/rechargebot/models"
)

// Errors of the bulk input parser; each maps to a message telling the agent what to send.
var (
	errBulkEmpty    = errors.New("bulk input has no lines")
	errBulkTooLarge = errors.New("bulk input has too many lines")
	errBulkNotText  = errors.New("bulk file is not UTF-8 text")
	errBulkCSV      = errors.New("bulk file is not valid CSV")
)

// maxBulkLineBytes bounds one input line; longer lines are rejected as invalid, not read.
const maxBulkLineBytes = 200

// bulkRow is one non-blank input line: its 1-based line number in the paste or file, the text
// as written (cut to maxBulkLineBytes) and its fields, trimmed, without trailing empty ones.
// A line longer than maxBulkLineBytes has no fields and TooLong set.
type bulkRow struct {
	Line    int
	Input   string
	Fields  []string
	TooLong bool
}

// newBulkRow returns the row of one input line of the given length.
func newBulkRow(line int, input string, length int, fields func() []string) bulkRow {
	if length > maxBulkLineBytes {
		return bulkRow{Line: line, Input: clipBytes(input, maxBulkLineBytes), TooLong: true}
	}
	return bulkRow{Line: line, Input: input, Fields: fields()}
}

// bulkCSVError reports the line where a CSV file stopped being readable.
type bulkCSVError struct {
	Line int
	Err  error
}

func (e *bulkCSVError) Error() string { return fmt.Sprintf("read CSV line %d: %v", e.Line, e.Err) }
func (e *bulkCSVError) Unwrap() error { return errBulkCSV }

// parseBulkText splits pasted lines into rows. A line with tabs or semicolons is split at
// them, and a line whose first word has a comma inside ("9876543210,199,Vodafone (Vi)") at
// its commas. Any other line is split at spaces, dropping a comma at the end of a field, so
// "9876543210, 199" is two fields while "1,999" stays one. Blank lines are skipped but still counted in line numbers. A first row
// without any digit is a header and skipped. More than maxLines rows returns errBulkTooLarge.
func parseBulkText(text string, maxLines int) ([]bulkRow, error) {
	text = strings.TrimPrefix(text, "\uFEFF")
	var rows []bulkRow
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if len(rows) == maxLines {
			return nil, errBulkTooLarge
		}
		rows = append(rows, newBulkRow(i+1, line, len(line), func() []string { return splitBulkLine(line) }))
	}
	return finishRows(rows)
}

// splitBulkLine splits one pasted line into fields as parseBulkText describes.
func splitBulkLine(line string) []string {
	if strings.ContainsAny(line, "\t;") {
		return trimFields(strings.FieldsFunc(line, func(r rune) bool { return r == '\t' || r == ';' }))
	}
	fields := strings.Fields(line)
	if strings.Contains(strings.TrimRight(fields[0], ","), ",") {
		return trimFields(strings.Split(line, ","))
	}
	for i, f := range fields {
		fields[i] = strings.TrimRight(f, ",")
	}
	return trimFields(fields)
}

// parseBulkCSV reads a CSV file of rows: UTF-8 with or without a byte order mark, CRLF, LF or
// CR line ends, fields separated by commas, or by semicolons or tabs when the first line has
// more of those than commas. Line numbers are the file's. It returns errBulkNotText for a
// file that is not UTF-8, *bulkCSVError with the line of the first row whose quotes are broken
// (so that no lines vanish into an unterminated quote), errBulkTooLarge past maxLines rows and
// errBulkEmpty for a file without rows.
func parseBulkCSV(data []byte, maxLines int) ([]bulkRow, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return nil, errBulkNotText
	}
	// encoding/csv ends records at LF only and keeps a lone CR inside the field, so a file
	// with classic Mac OS line ends (CR alone) would read as one row.
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	data = bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))

	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = csvSeparator(data)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true

	var rows []bulkRow
	for {
		record, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var parseErr *csv.ParseError
		if errors.As(err, &parseErr) {
			return nil, &bulkCSVError{Line: parseErr.StartLine, Err: parseErr.Err}
		}
		if err != nil {
			return nil, err
		}
		fields := trimFields(record)
		if len(fields) == 0 {
			continue
		}
		if len(rows) == maxLines {
			return nil, errBulkTooLarge
		}
		line, _ := r.FieldPos(0)
		input := strings.Join(fields, string(r.Comma))
		rows = append(rows, newBulkRow(line, input, len(input), func() []string { return fields }))
	}
	return finishRows(rows)
}

// csvSeparator picks the field separator from the first line of data.
func csvSeparator(data []byte) rune {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	commas := bytes.Count(first, []byte(","))
	switch {
	case bytes.Count(first, []byte(";")) > commas:
		return ';'
	case bytes.Count(first, []byte("\t")) > commas:
		return '\t'
	}
	return ','
}

// finishRows drops a header row and reports an input without rows.
func finishRows(rows []bulkRow) ([]bulkRow, error) {
	if len(rows) > 0 && !strings.ContainsFunc(rows[0].Input, unicode.IsDigit) {
		rows = rows[1:]
	}
	if len(rows) == 0 {
		return nil, errBulkEmpty
	}
	return rows, nil
}

// trimFields trims every field and drops the empty ones at the end of the row.
func trimFields(fields []string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = strings.TrimSpace(f)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// bulkRequest is the recharge one valid row requests, before the operator is checked against
// the catalog. Operator is as written (a name or an id) and empty when it is to be detected.
type bulkRequest struct {
	Kind        string
	Number      string
	Operator    string
	AmountPaise int64
}

// bulkProblem is the reason a row is invalid: a catalogue key and its values.
type bulkProblem struct {
	key  msgKey
	vars vars
}

// maxNumberFields is how many space-separated fields a mobile number may span in a bulk row,
// as in "+91 98765 43210".
const maxNumberFields = 3

// parseBulkRow reads one row as "NUMBER AMOUNT", "NUMBER AMOUNT OPERATOR" or
// "dth OPERATOR SUBSCRIBER_ID AMOUNT". A mobile number may span up to maxNumberFields fields
// and an operator name several. A DTH subscriber ID is returned as written, because its format
// depends on the operator.
func parseBulkRow(fields []string) (bulkRequest, *bulkProblem) {
	if len(fields) > 0 && strings.EqualFold(fields[0], "dth") {
		return parseDTHRow(fields)
	}
	if len(fields) < 2 {
		return bulkRequest{}, &bulkProblem{key: msgBulkBadShape}
	}
	number, rest, ok := splitBulkNumber(fields)
	if !ok {
		return bulkRequest{}, &bulkProblem{key: msgBulkBadNumber, vars: vars{"Value": clip(fields[0], 24)}}
	}
	amount, problem := parseBulkAmount(rest[0])
	if problem != nil {
		return bulkRequest{}, problem
	}
	return bulkRequest{
		Kind: models.KindMobile, Number: number, AmountPaise: amount, Operator: strings.Join(rest[1:], " "),
	}, nil
}

// splitBulkNumber reads the mobile number at the start of fields, from the fewest fields that
// make one, and returns the fields after it, of which there is at least one.
func splitBulkNumber(fields []string) (number string, rest []string, ok bool) {
	for n := 1; n <= maxNumberFields && n < len(fields); n++ {
		if number, ok := parseMobile(strings.Join(fields[:n], " ")); ok {
			return number, fields[n:], true
		}
	}
	return "", nil, false
}

func parseDTHRow(fields []string) (bulkRequest, *bulkProblem) {
	last := len(fields) - 1
	if len(fields) < 4 || fields[last-1] == "" || strings.Join(fields[1:last-1], "") == "" {
		return bulkRequest{}, &bulkProblem{key: msgBulkBadShape}
	}
	amount, problem := parseBulkAmount(fields[last])
	if problem != nil {
		return bulkRequest{}, problem
	}
	return bulkRequest{
		Kind: models.KindDTH, Number: fields[last-1], AmountPaise: amount,
		Operator: strings.Join(fields[1:last-1], " "),
	}, nil
}

// clipBytes cuts s to at most n bytes without splitting a UTF-8 character.
func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// parseBulkAmount reads a line's amount, telling a number too large for any recharge apart from
// text that is no amount at all.
func parseBulkAmount(field string) (int64, *bulkProblem) {
	amount, err := parseAmount(field)
	switch {
	case errors.Is(err, errAmountTooLarge):
		return 0, &bulkProblem{key: msgBulkAmountTooLarge, vars: vars{"Value": clip(field, 24)}}
	case err != nil:
		return 0, &bulkProblem{key: msgBulkBadAmount, vars: vars{"Value": clip(field, 24)}}
	}
	return amount, nil
}
