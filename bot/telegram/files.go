package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/rechargebot/rechargebot/bot"
)

var errFileTooLarge = errors.New("file too large")

// download fetches a document the user sent, up to MaxFileBytes. On failure it returns the
// message to send the user instead.
func (a *Adapter) download(ctx context.Context, doc *models.Document) (*bot.File, string) {
	limit := a.cfg.MaxFileBytes
	if doc.FileSize > limit {
		return nil, fmt.Sprintf(fileTooLargeText, formatBytes(doc.FileSize), formatBytes(limit))
	}

	data, err := a.fetchFile(ctx, doc.FileID, limit)
	switch {
	case errors.Is(err, errFileTooLarge):
		return nil, fmt.Sprintf(fileTooLargeText, "over "+formatBytes(limit), formatBytes(limit))
	case err != nil:
		a.log.Warn("Download Telegram document failed", "error", err)
		return nil, downloadFailedText
	}
	return &bot.File{Name: doc.FileName, MIME: doc.MimeType, Data: data}, ""
}

// fetchFile resolves fileID with getFile and downloads the file, failing with errFileTooLarge
// past limit bytes.
func (a *Adapter) fetchFile(ctx context.Context, fileID string, limit int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.RequestTimeout)
	defer cancel()

	f, err := a.api.GetFile(ctx, &tgbot.GetFileParams{FileID: fileID})
	if err != nil {
		return nil, fmt.Errorf("get file: %w", a.scrubber.err(err))
	}
	if f.FileSize > limit {
		return nil, errFileTooLarge
	}
	if f.FilePath == "" {
		return nil, errors.New("get file: the response has no file_path")
	}

	// The download link contains the token; a.http scrubs it from transport errors.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.api.FileDownloadLink(f), nil)
	if err != nil {
		return nil, fmt.Errorf("download file: %w", a.scrubber.err(err))
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download file: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download file: HTTP status %d", resp.StatusCode)
	}

	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("download file: %w", a.scrubber.err(err))
	}
	if int64(len(data)) > limit {
		return nil, errFileTooLarge
	}
	return data, nil
}

// formatBytes writes a size for people: "900 bytes", "12 KB", "2.5 MB".
func formatBytes(n int64) string {
	const kb, mb = 1 << 10, 1 << 20
	switch {
	case n < kb:
		return fmt.Sprintf("%d bytes", n)
	case n < mb:
		return fmt.Sprintf("%d KB", (n+kb-1)/kb)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/mb)
	}
}
