package whatsapp

import (
	"errors"
	"io"
	"testing"
)

func TestMemoryFileBehavesLikeFile(t *testing.T) {
	f := newMemoryFile(64)

	if _, err := f.Write([]byte("hello world")); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if _, err := f.WriteAt([]byte("W"), 6); err != nil {
		t.Fatalf("WriteAt: %v", err)
	}
	if err := f.Truncate(9); err != nil {
		t.Fatalf("Truncate: %v", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatalf("Seek: %v", err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	if string(data) != "hello Wor" {
		t.Errorf("contents = %q, want %q", data, "hello Wor")
	}
	info, _ := f.Stat()
	if info.Size() != 9 {
		t.Errorf("Stat().Size() = %d, want 9", info.Size())
	}
}

func TestMemoryFileLimit(t *testing.T) {
	f := newMemoryFile(8)
	if _, err := f.Write([]byte("12345678")); err != nil {
		t.Fatalf("Write up to the limit: %v", err)
	}
	if _, err := f.Write([]byte("9")); !errors.Is(err, errFileTooLarge) {
		t.Errorf("Write past the limit = %v, want errFileTooLarge", err)
	}
	if err := f.Truncate(9); !errors.Is(err, errFileTooLarge) {
		t.Errorf("Truncate past the limit = %v, want errFileTooLarge", err)
	}
	if len(f.Bytes()) != 8 {
		t.Errorf("file grew to %d bytes past its limit", len(f.Bytes()))
	}
}
