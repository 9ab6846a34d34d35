package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/mdp/qrterminal/v3"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/rechargebot/rechargebot/bot"
)

// LoginOptions configure Login.
type LoginOptions struct {
	// Phone links by pairing code to this number (digits with the country code, see
	// NormalizePhone); empty links by QR code.
	Phone string
	// Force unlinks and deletes an existing device first; without it Login returns
	// ErrAlreadyLinked.
	Force bool
	// Out receives the QR codes, the pairing code and the progress messages for the operator.
	Out    io.Writer
	Logger *slog.Logger
}

// pairingDisplayName is the bot's name in the phone's list of linked devices. whatsmeow's
// PairPhone documents that WhatsApp accepts only "Browser (OS)" names of common browsers.
const pairingDisplayName = "Chrome (Linux)"

// sessionReadyTimeout is how long Login waits after pairing for the first full login, which
// completes the link on the phone's side.
const sessionReadyTimeout = 60 * time.Second

// Login links the bot's WhatsApp number as a new device in s. It draws QR codes on
// opts.Out, or prints a pairing code when opts.Phone is set, and returns once the phone has
// confirmed the link and the first session has logged in. With a device already linked it
// returns an error wrapping ErrAlreadyLinked unless opts.Force is set.
func Login(ctx context.Context, s *Store, opts LoginOptions) error {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	device, err := s.Container.GetFirstDevice(ctx)
	if err != nil {
		return fmt.Errorf("load whatsapp device: %w", err)
	}

	if device.ID != nil {
		if !opts.Force {
			return fmt.Errorf("%w (number %s): run with --force to unlink it and link again", ErrAlreadyLinked, bot.Mask(device.ID.User))
		}
		old := whatsmeow.NewClient(device, newWALogger(opts.Logger, "logout"))
		logout := func(ctx context.Context) error {
			defer old.Disconnect()
			if err := old.ConnectContext(ctx); err != nil {
				return err
			}
			return old.Logout(ctx)
		}
		if err := unlinkDevice(ctx, device, logout, opts.Out); err != nil {
			return err
		}
		device = s.Container.NewDevice()
	}

	return link(ctx, device, opts)
}

// unlinkDevice logs device out through WhatsApp, which also deletes it from the store. When
// that fails it deletes the device locally and prints on out that the operator must remove it
// on the phone too.
func unlinkDevice(ctx context.Context, device *store.Device, logout func(context.Context) error, out io.Writer) error {
	number := bot.Mask(device.ID.User)
	err := logout(ctx)
	if err == nil {
		fmt.Fprintf(out, "Unlinked the old device of %s.\n", number)
		return nil
	}

	fmt.Fprintf(out, "Could not unlink the old device through WhatsApp (%v).\n"+
		"Deleting it here; remove it on the phone too: WhatsApp > Settings > Linked devices.\n", scrubError(err))
	if err := device.Delete(ctx); err != nil {
		return fmt.Errorf("delete old whatsapp device: %w", err)
	}
	return nil
}

// link pairs device with a phone and waits until its first session logs in.
func link(ctx context.Context, device *store.Device, opts LoginOptions) error {
	cli := whatsmeow.NewClient(device, newWALogger(opts.Logger, "login"))
	ready := make(chan struct{}, 1)
	cli.AddEventHandler(func(evt any) {
		if _, ok := evt.(*events.Connected); ok {
			select {
			case ready <- struct{}{}:
			default:
			}
		}
	})

	qr, err := cli.GetQRChannel(ctx)
	if err != nil {
		return fmt.Errorf("link whatsapp device: %w", err)
	}
	if err := cli.ConnectContext(ctx); err != nil {
		return fmt.Errorf("link whatsapp device: connect: %w", scrubError(err))
	}
	defer cli.Disconnect()

	if err := awaitPairing(ctx, cli, qr, opts); err != nil {
		return err
	}
	fmt.Fprintf(opts.Out, "Linked WhatsApp number %s. Waiting for the first login...\n", bot.Mask(cli.Store.ID.User))

	select {
	case <-ready:
		fmt.Fprintln(opts.Out, "Logged in. Start rechargebot with WHATSAPP_ENABLED=true to serve this number.")
	case <-time.After(sessionReadyTimeout):
		fmt.Fprintln(opts.Out, "The link is saved, but the first login did not finish yet; start rechargebot "+
			"with WHATSAPP_ENABLED=true and it will complete.")
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// awaitPairing shows QR codes, or requests and shows a pairing code, until the phone confirms
// the link or the codes run out.
func awaitPairing(ctx context.Context, cli *whatsmeow.Client, qr <-chan whatsmeow.QRChannelItem, opts LoginOptions) error {
	codeShown := false
	for item := range qr {
		switch {
		case item.Event == whatsmeow.QRChannelEventCode && opts.Phone == "":
			fmt.Fprintf(opts.Out, "\nScan this QR code within %s: on the phone open WhatsApp > Settings > "+
				"Linked devices > Link a device.\n", item.Timeout)
			qrterminal.GenerateHalfBlock(item.Code, qrterminal.L, opts.Out)
		case item.Event == whatsmeow.QRChannelEventCode && !codeShown:
			code, err := cli.PairPhone(ctx, opts.Phone, true, whatsmeow.PairClientChrome, pairingDisplayName)
			if err != nil {
				return fmt.Errorf("request pairing code: %w", scrubError(err))
			}
			codeShown = true
			fmt.Fprintf(opts.Out, "Pairing code: %s\nOn the phone of %s open WhatsApp > Settings > Linked devices > "+
				"Link a device > Link with phone number instead, and type the code.\n", code, bot.Mask(opts.Phone))
		case item.Event == whatsmeow.QRChannelEventCode:
			// Fresh QR codes keep coming while the pairing code is valid; they are not needed.
		case item == whatsmeow.QRChannelSuccess:
			return nil
		case item == whatsmeow.QRChannelTimeout:
			return errors.New("link whatsapp device: timed out before the phone confirmed the link; run the command again")
		case item.Event == whatsmeow.QRChannelEventError:
			return fmt.Errorf("link whatsapp device: %w", scrubError(item.Error))
		default:
			return fmt.Errorf("link whatsapp device: WhatsApp ended the pairing (%s)", item.Event)
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return errors.New("link whatsapp device: pairing ended without a result; run the command again")
}
