package openflow

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrRefused: the switch refused a request; the *OFError says why.
var ErrRefused = errors.New("openflow: the switch refused the request")

// OFError is an OpenFlow error message from the switch: its type, code
// and name (OFPBAC_BAD_OUT_PORT, ...). It matches ErrRefused.
type OFError struct {
	Type, Code uint16
	// Name is OpenFlow's name of the error ("OFPET13_..." when unknown
	// here).
	Name string
}

func (e *OFError) Error() string { return "openflow: " + e.Name }

// Is makes an OFError match ErrRefused.
func (e *OFError) Is(target error) bool { return target == ErrRefused }

// errorNames are OpenFlow's error types (prefix) and codes, of 1.3 and
// of 1.4 (1.5 has the same).
var errorNames = map[uint16]struct {
	prefix string
	codes  []string
}{
	0:  {"OFPHFC_", []string{"INCOMPATIBLE", "EPERM"}},
	1:  {"OFPBRC_", []string{"BAD_VERSION", "BAD_TYPE", "BAD_MULTIPART", "BAD_EXPERIMENTER", "BAD_EXP_TYPE", "EPERM", "BAD_LEN", "BUFFER_EMPTY", "BUFFER_UNKNOWN", "BAD_TABLE_ID", "IS_SLAVE", "BAD_PORT", "BAD_PACKET", "MULTIPART_BUFFER_OVERFLOW"}},
	2:  {"OFPBAC_", []string{"BAD_TYPE", "BAD_LEN", "BAD_EXPERIMENTER", "BAD_EXP_TYPE", "BAD_OUT_PORT", "BAD_ARGUMENT", "EPERM", "TOO_MANY", "BAD_QUEUE", "BAD_OUT_GROUP", "MATCH_INCONSISTENT", "UNSUPPORTED_ORDER", "BAD_TAG", "BAD_SET_TYPE", "BAD_SET_LEN", "BAD_SET_ARGUMENT"}},
	3:  {"OFPBIC_", []string{"UNKNOWN_INST", "UNSUP_INST", "BAD_TABLE_ID", "UNSUP_METADATA", "UNSUP_METADATA_MASK", "BAD_EXPERIMENTER", "BAD_EXP_TYPE", "BAD_LEN", "EPERM"}},
	4:  {"OFPBMC_", []string{"BAD_TYPE", "BAD_LEN", "BAD_TAG", "BAD_DL_ADDR_MASK", "BAD_NW_ADDR_MASK", "BAD_WILDCARDS", "BAD_FIELD", "BAD_VALUE", "BAD_MASK", "BAD_PREREQ", "DUP_FIELD", "EPERM"}},
	5:  {"OFPFMFC_", []string{"UNKNOWN", "TABLE_FULL", "BAD_TABLE_ID", "OVERLAP", "EPERM", "BAD_TIMEOUT", "BAD_COMMAND", "BAD_FLAGS"}},
	6:  {"OFPGMFC_", []string{"GROUP_EXISTS", "INVALID_GROUP", "WEIGHT_UNSUPPORTED", "OUT_OF_GROUPS", "OUT_OF_BUCKETS", "CHAINING_UNSUPPORTED", "WATCH_UNSUPPORTED", "LOOP", "UNKNOWN_GROUP", "CHAINED_GROUP", "BAD_TYPE", "BAD_COMMAND", "BAD_BUCKET", "BAD_WATCH", "EPERM"}},
	7:  {"OFPPMFC_", []string{"BAD_PORT", "BAD_HW_ADDR", "BAD_CONFIG", "BAD_ADVERTISE", "EPERM"}},
	8:  {"OFPTMFC_", []string{"BAD_TABLE", "BAD_CONFIG", "EPERM"}},
	12: {"OFPMMFC_", []string{"UNKNOWN", "METER_EXISTS", "INVALID_METER", "UNKNOWN_METER", "BAD_COMMAND", "BAD_FLAGS", "BAD_RATE", "BAD_BURST", "BAD_BAND", "BAD_BAND_VALUE", "OUT_OF_METERS", "OUT_OF_BANDS"}},
	// OpenFlow 1.4's bad property (14) and bundle failure (17) types.
	14: {"OFPBPC_", []string{"BAD_TYPE", "BAD_LEN", "BAD_VALUE", "TOO_MANY", "DUP_TYPE", "BAD_EXPERIMENTER", "BAD_EXP_TYPE", "BAD_EXP_VALUE", "EPERM"}},
	17: {"OFPBFC_", bundleFailures},
}

// bundleFailures are OpenFlow 1.4's bundle failure codes.
var bundleFailures = []string{"UNKNOWN", "EPERM", "BAD_ID", "BUNDLE_EXIST", "BUNDLE_CLOSED", "OUT_OF_BUNDLES", "BAD_TYPE",
	"BAD_FLAGS", "MSG_BAD_LEN", "MSG_BAD_XID", "MSG_UNSUP", "MSG_CONFLICT", "MSG_TOO_MANY", "MSG_FAILED", "TIMEOUT",
	"BUNDLE_IN_PROGRESS"}

// decodeError reads an error message's body.
func decodeError(b []byte) error {
	if len(b) < 4 {
		return fmt.Errorf("openflow: truncated error: %w", ErrBadMessage)
	}
	t, code := binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:])
	e := &OFError{Type: t, Code: code, Name: fmt.Sprintf("OFPET13_TYPE_%d_CODE_%d", t, code)}
	if t == 0xffff && len(b) >= 8 {
		exp := binary.BigEndian.Uint32(b[4:])
		e.Name = fmt.Sprintf("experimenter error %#x type %d", exp, code)
		// The ONF's bundle extension reports OpenFlow 1.4's bundle
		// failures as types 2300 and up.
		if i := int(code) - 2300; exp == onfExperimenter && i >= 0 && i < len(bundleFailures) {
			e.Name = "OFPBFC_" + bundleFailures[i]
		}
	}
	if n, ok := errorNames[t]; ok && int(code) < len(n.codes) {
		e.Name = n.prefix + n.codes[code]
	}
	return e
}
