package pii

import "testing"

// BenchmarkDetectFormat measures each log format of the corpus on its own,
// 8 MiB apiece.
func BenchmarkDetectFormat(b *testing.B) {
	formats := []struct {
		name string
		line func(c *corpus)
	}{
		{"boring", (*corpus).boring},
		{"syslog", (*corpus).syslog},
		{"nginx", (*corpus).nginx},
		{"java", (*corpus).javaTrace},
		{"python", (*corpus).pythonTrace},
		{"k8s", (*corpus).k8sEvent},
		{"json", (*corpus).jsonLog},
		{"windows", (*corpus).windowsEvent},
		{"db", (*corpus).dbError},
		{"app", (*corpus).appLog},
		{"noise", (*corpus).noise},
		{"secrets", (*corpus).extraSecrets},
	}
	for _, f := range formats {
		b.Run(f.name, func(b *testing.B) {
			c := newCorpus(7)
			c.noLabels = true
			for len(c.buf) < 8<<20 {
				f.line(c)
			}
			b.SetBytes(int64(len(c.buf)))
			b.ResetTimer()
			for b.Loop() {
				Detect(c.buf)
			}
		})
	}
}
