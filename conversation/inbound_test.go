package conversation

import (
	"strings"
	"testing"
)

func TestCleanText(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"plain":        {"9876543210 199", "9876543210 199"},
		"nul":          {"Asha\x00K", "AshaK"},
		"invalid utf8": {"caf\xe9", "caf\uFFFD"},
		"both":         {"\x00\xff\x00", "\uFFFD"},
		"emoji":        {"रिचार्ज 🙂", "रिचार्ज 🙂"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := cleanText(tc.in); got != tc.want {
				t.Errorf("cleanText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestNULInInputIsStored sends what PostgreSQL text columns reject: each message must get its
// usual reply, not the internal error.
func TestNULInInputIsStored(t *testing.T) {
	eachBulkEngine(t, nil, func(t *testing.T, h *harness, _ *recordingSender) {
		in := inbound(customerID, "/start")
		in.DisplayName = "Asha\x00K\xff"
		if out := h.handle(in); strings.Contains(text(out), "went wrong") {
			t.Errorf("display name with a NUL: %s", text(out))
		}

		h.user(agentID)
		out := h.send(agentID, "/bulk\n9876541111 10\n98765\x002222 10")
		wantText(t, out, "Bulk run")

		out = h.send(adminID, "/credit "+customerID+" 5 cash\x00received")
		if strings.Contains(text(out), "went wrong") {
			t.Errorf("credit note with a NUL: %s", text(out))
		}
		if balance := h.balance(customerID); balance != 500 {
			t.Errorf("balance = %d paise after the credit, want 500", balance)
		}
	})
}
