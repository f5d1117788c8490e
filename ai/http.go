package ai

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
)

// maxErrorBody caps how much of an error response is read.
const maxErrorBody = 64 << 10

// post sends body as JSON to url with the given headers and returns the response when its status
// is 2xx. Any other status is a *statusError carrying the start of the body; the response is
// then already closed.
func (s *settings) post(ctx context.Context, url string, headers map[string]string, body any) (*http.Response, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return nil, &statusError{status: resp.StatusCode, body: b}
	}
	return resp, nil
}
