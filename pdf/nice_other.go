//go:build !linux

package pdf

import "github.com/chromedp/chromedp"

// niceOptions leave the browser at the portal's priority where nice(1) is not used.
func niceOptions(int) []chromedp.ExecAllocatorOption { return nil }

// lowerGroup does nothing where autogroups are not used.
func lowerGroup(int, int) {}
