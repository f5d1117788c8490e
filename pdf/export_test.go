package pdf

import "os"

// BrowserProcess returns the process of r's running browser, or nil when none runs.
func BrowserProcess(r *Renderer) *os.Process {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.b == nil {
		return nil
	}
	return chromedpProcess(r.b)
}
