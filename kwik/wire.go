package kwik

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// object is one decoded JSON object with its keys as sent. KwikAPI mixes key casings such as
// "STATUS" and "status" in one object with different meanings, so fields are looked up by
// exact key first and case-insensitively only as a fallback.
type object map[string]json.RawMessage

var errNotObject = errors.New("not a JSON object")

func decodeObject(data []byte) (object, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, errNotObject
	}
	var o object
	if err := json.Unmarshal(data, &o); err != nil {
		return nil, err
	}
	return o, nil
}

// value returns the first non-null value among keys, exact matches before case-insensitive ones.
func (o object) value(keys ...string) (json.RawMessage, bool) {
	for _, key := range keys {
		if v, ok := o[key]; ok && !isNull(v) {
			return v, true
		}
	}

	names := make([]string, 0, len(o))
	for name := range o {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, key := range keys {
		for _, name := range names {
			if strings.EqualFold(name, key) && !isNull(o[name]) {
				return o[name], true
			}
		}
	}
	return nil, false
}

func isNull(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) == 0 || bytes.Equal(v, []byte("null"))
}

// text returns a string, number or boolean value as trimmed text, and "" for anything else.
func (o object) text(keys ...string) string {
	v, ok := o.value(keys...)
	if !ok {
		return ""
	}
	return rawText(v)
}

func rawText(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return ""
	}
	switch v[0] {
	case '"':
		var s string
		if json.Unmarshal(v, &s) != nil {
			return ""
		}
		return strings.TrimSpace(s)
	case '{', '[', 'n':
		return ""
	default:
		return string(v)
	}
}

// paise returns a money value; a missing field is zero.
func (o object) paise(keys ...string) (int64, error) {
	v, ok := o.value(keys...)
	if !ok {
		return 0, nil
	}
	var p Paise
	if err := p.UnmarshalJSON(v); err != nil {
		return 0, fmt.Errorf("field %s: %w", keys[0], err)
	}
	return int64(p), nil
}

// integer returns a whole number sent as a number or a string; a missing or malformed value is 0.
func (o object) integer(keys ...string) int {
	n := 0
	for _, c := range o.text(keys...) {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
		if n > 1<<30 {
			return 0
		}
	}
	return n
}

// flag reads a yes/no value: true, "true", "YES", "Y", "1" and "on" are true; missing is false.
func (o object) flag(keys ...string) bool {
	return truthy(o.text(keys...))
}

func truthy(s string) bool {
	switch strings.ToLower(s) {
	case "true", "yes", "y", "1", "on", "enabled", "active":
		return true
	}
	return false
}

// child returns a nested object.
func (o object) child(keys ...string) (object, bool) {
	v, ok := o.value(keys...)
	if !ok {
		return nil, false
	}
	c, err := decodeObject(v)
	return c, err == nil
}

// list returns the elements of a nested array.
func (o object) list(keys ...string) ([]json.RawMessage, bool) {
	v, ok := o.value(keys...)
	if !ok {
		return nil, false
	}
	items, err := decodeList(v)
	return items, err == nil
}

func decodeList(data []byte) ([]json.RawMessage, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '[' {
		return nil, errors.New("not a JSON array")
	}
	var items []json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil {
		return nil, err
	}
	return items, nil
}

// orderedMember is one key and value of a JSON object, in the order the server sent them.
type orderedMember struct {
	Key   string
	Value json.RawMessage
}

// decodeOrdered decodes a JSON object keeping its member order, which a Go map loses. Plan
// groups are shown to customers in the order KwikAPI lists them.
func decodeOrdered(data []byte) ([]orderedMember, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return nil, errNotObject
	}

	var members []orderedMember
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, err
		}
		members = append(members, orderedMember{Key: key, Value: value})
	}
	return members, nil
}

// india is Indian Standard Time, UTC+05:30 with no daylight saving. A fixed zone needs no
// time zone database on the host.
var india = time.FixedZone("IST", 5*60*60+30*60)

// India returns the fixed UTC+05:30 zone KwikAPI writes its dates in.
func India() *time.Location { return india }

var dateLayouts = []string{
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04",
	"02-01-2006 15:04:05",
	"02/01/2006 15:04:05",
	"2006-01-02",
}

// parseIndiaTime reads a KwikAPI date, written in India time, and returns it in UTC. Dates with
// an explicit offset keep it. An empty or unknown layout gives the zero time.
func parseIndiaTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC()
	}
	for _, layout := range dateLayouts {
		if t, err := time.ParseInLocation(layout, s, india); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
