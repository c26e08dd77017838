package ovsdb

import (
	"errors"
	"strings"
	"testing"
)

const (
	brUUID   = "11111111-1111-1111-1111-111111111111"
	portUUID = "22222222-2222-2222-2222-222222222222"
)

// newTestTx returns a transaction over a cache holding bridge br0 with port
// "a", without a server.
func newTestTx(t *testing.T) *Tx {
	t.Helper()
	schema, err := testSchema()
	if err != nil {
		t.Fatal(err)
	}
	ch := newCache(schema, defaultKeyIndexes)
	if _, err := ch.apply([]byte(`{
		"Bridge": {"` + brUUID + `": {"initial": {"name": "br0", "ports": ["uuid", "` + portUUID + `"]}}},
		"Port": {"` + portUUID + `": {"initial": {"name": "a"}}}}`)); err != nil {
		t.Fatal(err)
	}
	return newTx(schema, ch.snapshot())
}

func waitsText(tx *Tx) string {
	var b strings.Builder
	for _, w := range tx.waits {
		b.WriteString(w.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func TestTxOverlay(t *testing.T) {
	tests := []struct {
		name  string
		run   func(t *testing.T, tx *Tx) error
		check func(t *testing.T, tx *Tx)
	}{
		{
			name: "a committed row changed by the transaction is found with the change",
			run: func(t *testing.T, tx *Tx) error {
				br, err := Lookup[Bridge](tx, "name", "br0")
				if err != nil {
					return err
				}
				if err := tx.Mutate(br, Insert("ports", []string{"row9"})); err != nil {
					return err
				}
				br, err = Lookup[Bridge](tx, "name", "br0")
				if err != nil {
					return err
				}
				if len(br.Ports) != 2 {
					t.Errorf("ports = %v, want the committed one and row9", br.Ports)
				}
				return nil
			},
		},
		{
			name: "a row inserted earlier is found by name",
			run: func(t *testing.T, tx *Tx) error {
				if _, err := tx.Insert(&Port{Name: "p1"}); err != nil {
					return err
				}
				p, err := Lookup[Port](tx, "name", "p1")
				if err != nil {
					return err
				}
				if p.UUID != "row1" {
					t.Errorf("uuid = %q, want row1", p.UUID)
				}
				return nil
			},
		},
		{
			// Names are immutable once committed: only a row of this
			// transaction can be renamed.
			name: "a rename is seen under the new name only",
			run: func(t *testing.T, tx *Tx) error {
				p := &Port{Name: "x"}
				if _, err := tx.Insert(p); err != nil {
					return err
				}
				p.Name = "y"
				if err := tx.Update(p, "name"); err != nil {
					return err
				}
				if _, err := Lookup[Port](tx, "name", "x"); !errors.Is(err, ErrNotFound) {
					t.Errorf("lookup of the old name: %v, want ErrNotFound", err)
				}
				if got, err := Lookup[Port](tx, "name", "y"); err != nil || got.UUID != p.UUID {
					t.Errorf("lookup of the new name: %v, %v", got, err)
				}
				return nil
			},
		},
		{
			name: "row names are one namespace across tables",
			run: func(t *testing.T, tx *Tx) error {
				if _, err := tx.Insert(&Interface{UUID: "row1", Name: "i"}); err != nil {
					return err
				}
				u, err := tx.Insert(&Port{Name: "p"})
				if err != nil {
					return err
				}
				if u == "row1" {
					t.Error("a generated name reused a name of another table's row")
				}
				if _, err := tx.Insert(&Bridge{UUID: "row1", Name: "x"}); !errors.Is(err, ErrInvalid) {
					t.Errorf("explicit duplicate name: %v, want ErrInvalid", err)
				}
				return nil
			},
		},
		{
			name: "an absent name the transaction inserts is left to the server's index",
			run: func(t *testing.T, tx *Tx) error {
				if _, err := Lookup[Port](tx, "name", "new"); !errors.Is(err, ErrNotFound) {
					return err
				}
				if _, err := Lookup[Port](tx, "name", "checked-only"); !errors.Is(err, ErrNotFound) {
					return err
				}
				_, err := tx.Insert(&Port{Name: "new"})
				return err
			},
			check: func(t *testing.T, tx *Tx) {
				if err := tx.finishAbsences(); err != nil {
					t.Fatal(err)
				}
				w := waitsText(tx)
				if strings.Contains(w, `"new"`) {
					t.Errorf("a wait guards the inserted name:\n%s", w)
				}
				if !strings.Contains(w, `"checked-only"`) {
					t.Errorf("no wait guards the name only checked:\n%s", w)
				}
			},
		},
		{
			name: "a found unique name is verified by UUID, not by a scan",
			run: func(t *testing.T, tx *Tx) error {
				_, err := Lookup[Bridge](tx, "name", "br0")
				return err
			},
			check: func(t *testing.T, tx *Tx) {
				want := `{"op":"wait","table":"Bridge","where":[["_uuid","==",["uuid","` + brUUID + `"]]],"columns":["name"],"until":"==","rows":[{"name":"br0"}],"timeout":0}`
				if got := strings.TrimSpace(waitsText(tx)); got != want {
					t.Errorf("waits:\n%s\nwant\n%s", got, want)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx := newTestTx(t)
			if err := tt.run(t, tx); err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, tx)
			}
		})
	}
}

func TestTxUsedAfterEnd(t *testing.T) {
	tx := newTestTx(t)
	tx.closed = true
	if _, err := tx.Insert(&Bridge{Name: "late"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Insert after the end: %v, want ErrInvalid", err)
	}
	if _, err := Lookup[Bridge](tx, "name", "br0"); !errors.Is(err, ErrInvalid) {
		t.Errorf("Lookup after the end: %v, want ErrInvalid", err)
	}
}

// TestTxImmutableColumns: a committed row's immutable column (a port's
// name) cannot be written, and a column the table does not have is
// refused by name, before anything is sent; a row of this transaction
// may still be named.
func TestTxImmutableColumns(t *testing.T) {
	tx := newTestTx(t)
	p, err := Lookup[Port](tx, "name", "a")
	if err != nil {
		t.Fatal(err)
	}
	p.Name = "b"
	if err := tx.Update(p, "name"); !errors.Is(err, ErrInvalid) {
		t.Errorf("renaming a committed port: %v, want ErrInvalid", err)
	}
	if err := tx.Update(p, "no_such_column"); !errors.Is(err, ErrUnknownColumn) {
		t.Errorf("an unknown column: %v, want ErrUnknownColumn", err)
	}
	q := &Port{Name: "c"}
	if _, err := tx.Insert(q); err != nil {
		t.Fatal(err)
	}
	q.Name = "d"
	if err := tx.Update(q, "name"); err != nil {
		t.Errorf("renaming a port of this transaction: %v", err)
	}
}
