package pii

import "testing"

func benchKind(b *testing.B, f func(c *corpus)) {
	c := newCorpus(7)
	c.noLabels = true
	for len(c.buf) < 16<<20 {
		f(c)
	}
	b.SetBytes(int64(len(c.buf)))
	for b.Loop() {
		Detect(c.buf)
	}
}

func BenchmarkKindNoise(b *testing.B)   { benchKind(b, (*corpus).noise) }
func BenchmarkKindNginx(b *testing.B)   { benchKind(b, (*corpus).nginx) }
func BenchmarkKindJava(b *testing.B)    { benchKind(b, (*corpus).javaTrace) }
func BenchmarkKindJSON(b *testing.B)    { benchKind(b, (*corpus).jsonLog) }
func BenchmarkKindSyslog(b *testing.B)  { benchKind(b, (*corpus).syslog) }
func BenchmarkKindApp(b *testing.B)     { benchKind(b, (*corpus).appLog) }
func BenchmarkKindExtra(b *testing.B)   { benchKind(b, (*corpus).extraSecrets) }
func BenchmarkKindK8s(b *testing.B)     { benchKind(b, (*corpus).k8sEvent) }
func BenchmarkKindPython(b *testing.B)  { benchKind(b, (*corpus).pythonTrace) }
func BenchmarkKindWindows(b *testing.B) { benchKind(b, (*corpus).windowsEvent) }
func BenchmarkKindDB(b *testing.B)      { benchKind(b, (*corpus).dbError) }
