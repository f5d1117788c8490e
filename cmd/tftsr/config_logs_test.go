package main

import (
	"strings"
	"testing"
)

func TestLoadConfigLogLimits(t *testing.T) {
	env := map[string]string{"TFTSR_LOG_MAX_MB": "5", "TFTSR_LOG_MAX_UPLOAD_MB": "20", "TFTSR_LOG_MAX_ARCHIVE_FILES": "7"}
	c, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if l := c.LogLimits; l.MaxBytes != 5<<20 || l.MaxUploadBytes != 20<<20 || l.MaxMembers != 7 {
		t.Errorf("limits %+v", l)
	}
	if c, _ := loadConfig(func(string) string { return "" }); c.LogLimits.WithDefaults().MaxBytes != 100<<20 {
		t.Errorf("default limits %+v", c.LogLimits.WithDefaults())
	}
	for _, bad := range []string{"0", "-3", "ten", "1.5"} {
		_, err := loadConfig(func(k string) string {
			if k == "TFTSR_LOG_MAX_MB" {
				return bad
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), "TFTSR_LOG_MAX_MB") {
			t.Errorf("TFTSR_LOG_MAX_MB=%s: %v", bad, err)
		}
	}
}

func TestLoadConfigTrustedProxies(t *testing.T) {
	c, err := loadConfig(func(k string) string {
		if k == "TFTSR_TRUSTED_PROXIES" {
			return " 10.0.0.0/8, fd00::/8 ,"
		}
		return ""
	})
	if err != nil || len(c.TrustedProxies) != 2 || c.TrustedProxies[0].String() != "10.0.0.0/8" || c.TrustedProxies[1].String() != "fd00::/8" {
		t.Fatalf("proxies %v (%v)", c.TrustedProxies, err)
	}
	if c, _ := loadConfig(func(string) string { return "" }); len(c.TrustedProxies) != 0 {
		t.Errorf("default proxies %v, want none", c.TrustedProxies)
	}
	_, err = loadConfig(func(k string) string {
		if k == "TFTSR_TRUSTED_PROXIES" {
			return "10.0.0.1"
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), "TFTSR_TRUSTED_PROXIES") {
		t.Errorf("a bare address: %v", err)
	}
}
