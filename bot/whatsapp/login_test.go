package whatsapp

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func TestLoginRefusesExistingDevice(t *testing.T) {
	ws := newSQLiteStore(t)
	putLinkedDevice(t, ws, customerPhone)
	var out bytes.Buffer

	err := Login(context.Background(), ws, LoginOptions{Out: &out})

	if !errors.Is(err, ErrAlreadyLinked) {
		t.Fatalf("Login = %v, want ErrAlreadyLinked", err)
	}
	if !strings.Contains(err.Error(), "--force") || !strings.Contains(err.Error(), "********3210") {
		t.Errorf("error %q should name the masked number and --force", err)
	}
	if strings.Contains(err.Error(), customerPhone) {
		t.Errorf("error %q shows the full number", err)
	}
	if out.Len() != 0 {
		t.Errorf("Login printed %q before refusing", out.String())
	}
}

func TestUnlinkDeletesDeviceWhenLogoutFails(t *testing.T) {
	ctx := context.Background()
	ws := newSQLiteStore(t)
	putLinkedDevice(t, ws, customerPhone)
	device, err := ws.Container.GetFirstDevice(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer

	err = unlinkDevice(ctx, device, func(context.Context) error { return errBoom }, &out)

	if err != nil {
		t.Fatalf("unlinkDevice: %v", err)
	}
	after, err := ws.Container.GetFirstDevice(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.ID != nil {
		t.Error("the old device is still stored")
	}
	if !strings.Contains(out.String(), "Linked devices") {
		t.Errorf("output %q should tell the operator to remove the device on the phone", out.String())
	}
}

func TestUnlinkThroughWhatsApp(t *testing.T) {
	ctx := context.Background()
	ws := newSQLiteStore(t)
	putLinkedDevice(t, ws, customerPhone)
	device, _ := ws.Container.GetFirstDevice(ctx)
	var out bytes.Buffer

	// whatsmeow's Logout deletes the device from the store itself.
	err := unlinkDevice(ctx, device, func(ctx context.Context) error { return device.Delete(ctx) }, &out)

	if err != nil {
		t.Fatalf("unlinkDevice: %v", err)
	}
	if !strings.Contains(out.String(), "Unlinked the old device of ********3210") {
		t.Errorf("output = %q", out.String())
	}
}

func TestNewRequiresLinkedDevice(t *testing.T) {
	ws := newSQLiteStore(t)
	_, err := New(context.Background(), ws, Config{Handler: &recordingHandler{}})
	if !errors.Is(err, ErrNotLinked) {
		t.Errorf("New without a device = %v, want ErrNotLinked", err)
	}
}

func TestNewBuildsOnLinkedDevice(t *testing.T) {
	ws := newSQLiteStore(t)
	putLinkedDevice(t, ws, customerPhone)
	a, err := New(context.Background(), ws, Config{Handler: &recordingHandler{}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	a.cancel()
}
