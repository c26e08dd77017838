package vswitchdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ovskit/ovskit/ovsdb"
)

// policy is Open vSwitch's: every transaction that writes increments
// Open_vSwitch.next_cfg (so that ovs-vswitchd reconfigures; it ignores
// some columns otherwise) and reads back the value, then waits until
// ovs-vswitchd has applied it (cur_cfg) and reports the interfaces it
// created. NoWait, like ovs-vsctl --no-wait, leaves next_cfg alone.
func policy() ovsdb.Policy {
	return ovsdb.Policy{
		KeyIndexes: []ovsdb.KeyIndex{
			{Table: TableInterface, Column: ColumnInterfaceExternalIDs, Key: "iface-id"},
			{Table: TableInterface, Column: ColumnInterfaceExternalIDs, Key: "attached-mac"},
			{Table: TableInterface, Column: ColumnInterfaceExternalIDs, Key: "vm-uuid"},
		},
		Monitor: []string{TableOpenVSwitch},
		OnWrite: []ovsdb.Operation{ // the increment, then selectNextCfg
			{Op: "mutate", Table: TableOpenVSwitch, Mutations: []ovsdb.Mutation{{Column: ColumnOpenVSwitchNextCfg, Mutator: ovsdb.MutateAdd, Value: 1}}},
			{Op: "select", Table: TableOpenVSwitch, Columns: []string{ColumnOpenVSwitchNextCfg}},
		},
		Committed: committed,
	}
}

// selectNextCfg is the index of the policy's select of next_cfg in OnWrite.
const selectNextCfg = 1

// Report is what Open vSwitch's policy reports of a committed transaction
// (ReportOf).
type Report struct {
	// NextCfg is the Open_vSwitch.next_cfg value the transaction set (0 if
	// it had NoWait or there is no Open_vSwitch row yet).
	NextCfg int
	// Interfaces reports the interfaces the transaction created, as
	// ovs-vswitchd set them up (empty with NoWait).
	Interfaces []InterfaceStatus
}

// ReportOf returns the report of a transaction of a client of this
// database (the zero Report for a dry run, or with NoWait).
func ReportOf(res *ovsdb.Result) Report {
	if res == nil {
		return Report{}
	}
	if r, ok := res.Report.(*Report); ok && r != nil {
		return *r
	}
	return Report{}
}

// String summarises the report: each interface's ofport and error.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "next_cfg %d", r.NextCfg)
	for _, i := range r.Interfaces {
		fmt.Fprintf(&b, "; %s ofport %d", i.Name, i.Ofport)
		if i.Error != "" {
			fmt.Fprintf(&b, " error %q", i.Error)
		}
	}
	return b.String()
}

// InterfaceStatus is an interface created by a transaction, once
// ovs-vswitchd has applied it.
type InterfaceStatus struct {
	Name   string
	UUID   string
	Ofport int    // -1 or 0 when it failed
	Error  string // the interface's error column
}

// InterfaceError says that a transaction committed, but ovs-vswitchd could
// not set up an interface it created. The rows stay in the database; it
// matches ovsdb.ErrCommitted. ovs-vsctl reports the same as a warning on
// stderr ("Error detected while setting up ...") and exits 0.
type InterfaceError struct {
	Name  string // interface name
	UUID  string // interface row
	Cause string // the interface's "error" column, possibly empty
}

// Is reports whether target is ovsdb.ErrCommitted.
func (e *InterfaceError) Is(target error) bool { return target == ovsdb.ErrCommitted }

func (e *InterfaceError) Error() string {
	if e.Cause == "" {
		return fmt.Sprintf("committed, but interface %q failed (no ofport; see ovs-vswitchd's log)", e.Name)
	}
	return fmt.Sprintf("committed, but interface %q failed: %s", e.Name, e.Cause)
}

func committed(ctx context.Context, cm *ovsdb.Commit) error {
	rep := &Report{}
	cm.Result.Report = rep
	n, err := decodeNextCfg(cm.Rows(selectNextCfg))
	if err != nil {
		return fmt.Errorf("%w, but its next_cfg is unreadable: %w", ovsdb.ErrCommitted, err)
	}
	if n == 0 {
		return nil // no Open_vSwitch row yet: nothing to wait for
	}
	rep.NextCfg = n
	root := func(view *ovsdb.Tx) *OpenVSwitch {
		rows, err := ovsdb.List[OpenVSwitch](view)
		if err != nil || len(rows) == 0 {
			return nil
		}
		return rows[0]
	}
	// cur_cfg reaches n only after next_cfg did, in the same row: once the
	// cache shows it, the cache shows the commit too (read-your-writes).
	if err := cm.Wait(ctx, fmt.Sprintf("ovs-vswitchd to apply next_cfg %d (is ovs-vswitchd running? use NoWait otherwise)", n), func(view *ovsdb.Tx) bool {
		r := root(view)
		return r != nil && r.CurCfg >= n
	}); err != nil {
		return err
	}
	view, err := cm.View(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, u := range cm.Inserted(TableInterface) {
		r, err := ovsdb.Get[Interface](view, u)
		if err != nil {
			continue // deleted since
		}
		st := InterfaceStatus{Name: r.Name, UUID: u, Ofport: -1}
		if r.Ofport != nil {
			st.Ofport = *r.Ofport
		}
		if r.Error != nil {
			st.Error = *r.Error
		}
		rep.Interfaces = append(rep.Interfaces, st)
		if r.Ofport == nil || *r.Ofport == -1 {
			errs = append(errs, &InterfaceError{Name: r.Name, UUID: u, Cause: st.Error})
		}
	}
	return errors.Join(errs...)
}

// decodeNextCfg reads next_cfg from a select result row.
func decodeNextCfg(rows []json.RawMessage) (int, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	var row struct {
		NextCfg int `json:"next_cfg"`
	}
	if err := json.Unmarshal(rows[0], &row); err != nil {
		return 0, err
	}
	return row.NextCfg, nil
}

// Init creates the Open_vSwitch root row if the database has none, as a
// fresh database needs before ovs-vswitchd can use it.
// Equivalent to: ovs-vsctl init
func Init() ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		rows, err := ovsdb.List[OpenVSwitch](tx)
		if err != nil {
			return err
		}
		if len(rows) > 0 {
			return nil
		}
		if err := tx.VerifyEmpty(TableOpenVSwitch); err != nil {
			return err
		}
		_, err = tx.Insert(&OpenVSwitch{})
		return err
	})
}
