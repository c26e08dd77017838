package nb

import "testing"

func TestParseLBAddress(t *testing.T) {
	for _, tt := range []struct {
		in         string
		addr, port string
		ipv6, ok   bool
	}{
		{"10.0.0.1", "10.0.0.1", "", false, true},
		{"10.0.0.1:80", "10.0.0.1", "80", false, true},
		{"10.0.0.1:", "10.0.0.1", "", false, true},
		{"10.0.0.1:0", "10.0.0.1", "", false, true},
		{"10.0.0.1:+080", "10.0.0.1", "80", false, true},
		{"10.0.0.1: 80", "10.0.0.1", "80", false, true},
		{"10.0.0.1:65535", "10.0.0.1", "65535", false, true},
		{"10.0.0.1:65536", "", "", false, false},
		{"10.0.0.1:-1", "", "", false, false},
		{"10.0.0.1:80a", "", "", false, false},
		{"10.0.0.01", "", "", false, false},
		{"10.0.0", "", "", false, false},
		{":80", "", "", false, false},
		{"", "", "", false, false},
		{"fd00::1", "fd00::1", "", true, true},
		{"[fd00::1]", "fd00::1", "", true, true},
		{"[fd00::1]:80", "fd00::1", "80", true, true},
		{"[FD00:0::01]:80", "fd00::1", "80", true, true},
		{"fd00::1:80", "fd00::1:80", "", true, true},
		{"::1.2.3.4", "::1.2.3.4", "", true, true},
		{"::0102:0304", "::1.2.3.4", "", true, true},
		{"::1", "::1", "", true, true},
		{"::", "::", "", true, true},
		{"::ffff:0102:0304", "::ffff:1.2.3.4", "", true, true},
		{"fe80::1%1", "", "", false, false},
		{"[fe80::1%eth0]:80", "", "", false, false},
		{"[10.0.0.1]:80", "10.0.0.1", "80", false, true},
		{"[fd00::1", "fd00::1", "", true, true},
	} {
		addr, port, ipv6, ok := parseLBAddress(tt.in)
		if addr != tt.addr || port != tt.port || ipv6 != tt.ipv6 || ok != tt.ok {
			t.Errorf("parseLBAddress(%q) = %q, %q, %v, %v; want %q, %q, %v, %v", tt.in, addr, port, ipv6, ok, tt.addr, tt.port, tt.ipv6, tt.ok)
		}
	}
}

func TestParseVIP(t *testing.T) {
	for _, tt := range []struct {
		vip, backends   string
		template, ipv6  bool
		key, value, err string
	}{
		{"10.0.0.10:80", "10.0.0.11:8080,,10.0.0.12:8080", false, false, "10.0.0.10:80", "10.0.0.11:8080,10.0.0.12:8080", ""},
		{"[fd00::10]:80", "[fd00::11]:80", false, false, "[fd00::10]:80", "[fd00::11]:80", ""},
		{"fd00::10", "fd00::11,fd00::12", false, false, "fd00::10", "fd00::11,fd00::12", ""},
		{"10.0.0.10", "", false, false, "10.0.0.10", "", ""},
		{"10.0.0.10:80", "10.0.0.11,x", false, false, "", "", "10.0.0.11: should be an IP address and a port number with : as a separator, x: should be an IP address and a port number with : as a separator."},
		{"10.0.0.10", "fd00::1", false, false, "", "", "fd00::1: IP address family is different from VIP 10.0.0.10."},
		{"^vip:^port", "^b1:^p,^b2:80", true, true, "^vip:^port", "^b1:^p,^b2:80", ""},
		{"^vip:^port", "[fd00::1]:80", true, true, "^vip:^port", "[fd00::1]:80", ""},
		{"^vip:^port:x", "^b", true, false, "", "", "^vip:^port:x: should be a template of the form: '^vip_variable[:^port_variable|:port]'."},
		{"^vip:80", "^b:^p:x", true, false, "", "", "invalid backend: template (^b: should be a template of the form: '^backendip_variable1[:^port_variable1|:port]'.) OR explicit (^b:^p:x: should be an IP address and a port number with : as a separator.)"},
	} {
		v, err := parseVIP(tt.vip, []string{tt.backends}, tt.template, tt.ipv6)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("parseVIP(%q, %q) error %v, want %q", tt.vip, tt.backends, err, tt.err)
			}
			continue
		}
		if err != nil || v.key(tt.template) != tt.key || v.value() != tt.value {
			t.Errorf("parseVIP(%q, %q) = %v; want %q -> %q", tt.vip, tt.backends, err, tt.key, tt.value)
			if v != nil {
				t.Logf("got %q -> %q", v.key(tt.template), v.value())
			}
		}
	}
}
