package whatsapp

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

// errFileTooLarge reports a download that passed its size limit.
var errFileTooLarge = errors.New("file too large")

// memoryFile is an in-memory file for whatsmeow's DownloadToFile that fails any write past
// limit bytes, so a document that lies about its size cannot fill memory.
type memoryFile struct {
	data  []byte
	pos   int64
	limit int64
}

func newMemoryFile(limit int64) *memoryFile { return &memoryFile{limit: limit} }

// Bytes returns the file's contents.
func (f *memoryFile) Bytes() []byte { return f.data }

func (f *memoryFile) Read(p []byte) (int, error) {
	n, err := f.ReadAt(p, f.pos)
	f.pos += int64(n)
	return n, err
}

func (f *memoryFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("read at %d: negative offset", off)
	}
	if off >= int64(len(f.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *memoryFile) Write(p []byte) (int, error) {
	n, err := f.WriteAt(p, f.pos)
	f.pos += int64(n)
	return n, err
}

func (f *memoryFile) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("write at %d: negative offset", off)
	}
	end := off + int64(len(p))
	if end > f.limit {
		return 0, errFileTooLarge
	}
	if end > int64(len(f.data)) {
		f.data = append(f.data, make([]byte, end-int64(len(f.data)))...)
	}
	return copy(f.data[off:], p), nil
}

func (f *memoryFile) Seek(offset int64, whence int) (int64, error) {
	var next int64
	switch whence {
	case io.SeekStart:
		next = offset
	case io.SeekCurrent:
		next = f.pos + offset
	case io.SeekEnd:
		next = int64(len(f.data)) + offset
	default:
		return 0, fmt.Errorf("seek: whence %d is invalid", whence)
	}
	if next < 0 {
		return 0, fmt.Errorf("seek to %d: negative position", next)
	}
	f.pos = next
	return next, nil
}

func (f *memoryFile) Truncate(size int64) error {
	switch {
	case size < 0:
		return fmt.Errorf("truncate to %d: negative size", size)
	case size > f.limit:
		return errFileTooLarge
	case size <= int64(len(f.data)):
		f.data = f.data[:size]
	default:
		f.data = append(f.data, make([]byte, size-int64(len(f.data)))...)
	}
	return nil
}

func (f *memoryFile) Stat() (os.FileInfo, error) {
	return memoryFileInfo{size: int64(len(f.data))}, nil
}

// memoryFileInfo is the os.FileInfo of a memoryFile; only Size carries information.
type memoryFileInfo struct{ size int64 }

func (i memoryFileInfo) Name() string       { return "download" }
func (i memoryFileInfo) Size() int64        { return i.size }
func (i memoryFileInfo) Mode() fs.FileMode  { return 0o600 }
func (i memoryFileInfo) ModTime() time.Time { return time.Time{} }
func (i memoryFileInfo) IsDir() bool        { return false }
func (i memoryFileInfo) Sys() any           { return nil }
