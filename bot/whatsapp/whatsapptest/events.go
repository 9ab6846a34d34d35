package whatsapptest

import (
	"fmt"
	"sync"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// PushName is the WhatsApp profile name of every sender built by FromPerson.
const PushName = "Asha"

var messageCounter struct {
	sync.Mutex
	n int
}

// nextMessageID returns a message id unique within the test binary, shaped like the ids
// WhatsApp Web gives its messages.
func nextMessageID() types.MessageID {
	messageCounter.Lock()
	defer messageCounter.Unlock()
	messageCounter.n++
	return types.MessageID(fmt.Sprintf("3EB0%06d", messageCounter.n))
}

// PhoneJID returns the JID WhatsApp gives the person with phone, digits with the country code.
func PhoneJID(phone string) types.JID {
	return types.NewJID(phone, types.DefaultUserServer)
}

// FromPerson builds the info of a one-to-one message that from sent at at, with a fresh
// message id. WhatsApp timestamps have whole seconds, so at is truncated to the second.
func FromPerson(from types.JID, at time.Time) types.MessageInfo {
	return types.MessageInfo{
		MessageSource: types.MessageSource{Chat: from.ToNonAD(), Sender: from},
		ID:            nextMessageID(),
		PushName:      PushName,
		Timestamp:     at.Truncate(time.Second),
	}
}

// TextMessage builds the event of a plain text message with info.
func TextMessage(info types.MessageInfo, text string) *events.Message {
	return &events.Message{Info: info, Message: &waE2E.Message{Conversation: &text}}
}
