package ovsdb

import (
	"testing"
	"time"
)

// TestDefaultOptions: a client's defaults, as documented.
func TestDefaultOptions(t *testing.T) {
	o := defaultOptions()
	if o.minBackoff != 50*time.Millisecond || o.maxBackoff != 5*time.Second || o.maxRetries != -1 || o.maxMessage != DefaultMaxMessageSize {
		t.Errorf("defaults %+v", o)
	}
}
