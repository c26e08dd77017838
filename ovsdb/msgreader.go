package ovsdb

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// msgReader reads JSON-RPC messages from a connection member by member,
// so that a reply need not be held whole: the result of a monitor
// request (a whole database, hundreds of megabytes at Southbound scale)
// goes to its caller's stream function as it arrives, row by row, while
// every value that is held (an id, an error, a notification's params,
// another reply's result, one streamed row) is bounded by max.
type msgReader struct {
	br  *bufio.Reader
	max int
}

// maxKey bounds an object's key: in OVSDB's messages, a member's name, a
// table's, a column's or a row's UUID.
const maxKey = 1 << 10

// errNoValue: a member or an element has no value.
var errNoValue = errors.New("a value is missing")

// errNotObject: a message is not a JSON object.
var errNotObject = errors.New("a JSON-RPC message must be a JSON object")

// isSpace says whether b is JSON white space.
func isSpace(b byte) bool { return b == ' ' || b == '\n' || b == '\r' || b == '\t' }

// peek returns the next byte that is not white space, without reading it.
func (r *msgReader) peek() (byte, error) {
	for {
		buf, err := r.br.Peek(1)
		if err != nil {
			return 0, err
		}
		if !isSpace(buf[0]) {
			return buf[0], nil
		}
		_, _ = r.br.Discard(1)
	}
}

// expect reads the next byte that is not white space, which must be c.
func (r *msgReader) expect(c byte) error {
	b, err := r.peek()
	if err != nil {
		return unexpectedEOF(err)
	}
	if b != c {
		return fmt.Errorf("want %q, found %q", c, b)
	}
	_, _ = r.br.Discard(1)
	return nil
}

func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// value reads the next JSON value and appends its bytes to buf; a value
// of more than max bytes is ErrMessageTooLarge (nothing beyond max is
// held). With keep false the value is read past and not kept (max does
// not apply).
func (r *msgReader) value(buf []byte, max int, keep bool) ([]byte, error) {
	first, err := r.peek()
	if err != nil {
		return buf, unexpectedEOF(err)
	}
	start := len(buf)
	depth := 0
	inString, escaped := false, false
	scalar := first != '{' && first != '[' && first != '"'
	if scalar && (first == '}' || first == ']' || first == ',' || first == ':') {
		return buf, fmt.Errorf("%w before %q", errNoValue, first)
	}
	for {
		chunk, err := r.br.Peek(max1(r.br.Buffered()))
		if len(chunk) == 0 {
			if scalar && errors.Is(err, io.EOF) && len(buf) > start {
				return buf, nil // a number at the very end
			}
			return buf, unexpectedEOF(err)
		}
		end := -1
	scan:
		for i, b := range chunk {
			switch {
			case scalar:
				if b == ',' || b == '}' || b == ']' || isSpace(b) {
					end = i
					break scan
				}
			case inString:
				switch {
				case escaped:
					escaped = false
				case b == '\\':
					escaped = true
				case b == '"':
					inString = false
					if depth == 0 {
						end = i + 1
						break scan
					}
				}
			case b == '"':
				inString = true
			case b == '{' || b == '[':
				depth++
			case b == '}' || b == ']':
				depth--
				if depth == 0 {
					end = i + 1
					break scan
				}
			}
		}
		n := len(chunk)
		if end >= 0 {
			n = end
		}
		if keep {
			if len(buf)-start+n > max {
				return buf, fmt.Errorf("a value exceeds %d bytes: %w", max, ErrMessageTooLarge)
			}
			buf = append(buf, chunk[:n]...)
		}
		_, _ = r.br.Discard(n)
		if end >= 0 {
			return buf, nil
		}
	}
}

// max1 is n, at least 1 (to make Peek read more when nothing is buffered).
func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// object reads a JSON object, calling each with every member's key; each
// must read the member's value.
func (r *msgReader) object(each func(key string) error) error {
	if err := r.expect('{'); err != nil {
		return err
	}
	if b, err := r.peek(); err != nil {
		return unexpectedEOF(err)
	} else if b == '}' {
		_, _ = r.br.Discard(1)
		return nil
	}
	var kb []byte
	for {
		var err error
		if kb, err = r.value(kb[:0], maxKey, true); err != nil {
			return err
		}
		if len(kb) == 0 || kb[0] != '"' {
			return fmt.Errorf("an object's key is not a string: %.20q", kb)
		}
		key, err := unquote(kb)
		if err != nil {
			return err
		}
		if err := r.expect(':'); err != nil {
			return err
		}
		if err := each(key); err != nil {
			return err
		}
		if done, err := r.next('}'); done || err != nil {
			return err
		}
	}
}

// array reads a JSON array, calling each with every element's index;
// each must read the element.
func (r *msgReader) array(each func(i int) error) error {
	if err := r.expect('['); err != nil {
		return err
	}
	if b, err := r.peek(); err != nil {
		return unexpectedEOF(err)
	} else if b == ']' {
		_, _ = r.br.Discard(1)
		return nil
	}
	for i := 0; ; i++ {
		if err := each(i); err != nil {
			return err
		}
		if done, err := r.next(']'); done || err != nil {
			return err
		}
	}
}

// next reads what follows a member or an element: a comma (done false)
// or the closing byte (done true).
func (r *msgReader) next(closing byte) (done bool, err error) {
	b, err := r.peek()
	if err != nil {
		return false, unexpectedEOF(err)
	}
	_, _ = r.br.Discard(1)
	switch b {
	case ',':
		return false, nil
	case closing:
		return true, nil
	}
	return false, fmt.Errorf("want ',' or %q, found %q", closing, b)
}

// message reads one JSON-RPC message. When its result is reached after
// its id and stream (may be nil) returns a function for that id, the
// result is not held: that function reads it (m.streamed, its error in
// m.streamErr). Every other member is held, up to max bytes each.
func (r *msgReader) message(stream func(id []byte) func(*msgReader) error) (m rpcMessage, err error) {
	b, err := r.peek()
	if err != nil {
		return m, err // io.EOF between messages: the connection closed
	}
	if b != '{' {
		return m, fmt.Errorf("%w: it starts with %q", errNotObject, b)
	}
	err = r.object(func(key string) error {
		var err error
		switch key {
		case "id":
			m.ID, err = r.value(nil, r.max, true)
		case "method":
			var raw []byte
			if raw, err = r.value(nil, r.max, true); err == nil && string(raw) != "null" {
				m.Method, err = unquote(raw)
			}
		case "params":
			m.Params, err = r.value(nil, r.max, true)
		case "error":
			m.Error, err = r.value(nil, r.max, true)
		case "result":
			var fn func(*msgReader) error
			if b, perr := r.peek(); perr == nil && b != 'n' && m.ID != nil && stream != nil {
				fn = stream(m.ID)
			}
			if fn == nil {
				m.Result, err = r.value(nil, r.max, true)
				return err
			}
			m.streamed = true
			if m.streamErr = fn(r); m.streamErr != nil {
				// The reader is somewhere in the result: the connection
				// cannot go on.
				return m.streamErr
			}
		default:
			_, err = r.value(nil, 0, false)
		}
		return err
	})
	return m, err
}
