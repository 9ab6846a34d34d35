package whatsapp

import (
	"go.mau.fi/whatsmeow/types/events"
)

// HandleEvent receives every whatsmeow event; New registers it with whatsmeow. It runs on
// whatsmeow's goroutines, so it sorts events and queues work without calling the handler,
// which runs on the chat queues. Events of other types are ignored.
func (a *Adapter) HandleEvent(evt any) {
	switch e := evt.(type) {
	case *events.Message:
		a.handleMessage(e)
	case *events.UndecryptableMessage:
		a.handleUndecryptable(e)
	case *events.HistorySync:
		// Chats from before the link are backlog; whatsmeow has already stored the LID
		// mappings they carry.
		a.log.Debug("WhatsApp history sync ignored", "conversations", len(e.Data.GetConversations()))
	case *events.Connected:
		a.handleConnected()
	case *events.Disconnected:
		a.signal(signalDisconnected)
	case *events.ConnectFailure:
		a.handleConnectFailure(e)
	case *events.LoggedOut:
		a.handleLoggedOut(e)
	case *events.StreamReplaced:
		a.handleStreamReplaced()
	case *events.ClientOutdated:
		a.handleClientOutdated()
	case *events.TemporaryBan:
		a.handleTemporaryBan(e)
	}
}
