package smartro

// Table is one table of the store, as the POS defines it.
type Table struct {
	FloorCode string
	FloorName string
	TableCode string
	TableName string
}

// Ref returns the codes that identify the table in orders and lookups.
func (t Table) Ref() TableRef { return TableRef{FloorCode: t.FloorCode, TableCode: t.TableCode} }

// TableRef identifies a table by floor and table code.
type TableRef struct {
	FloorCode string
	TableCode string
}

// String returns "floor/table".
func (t TableRef) String() string { return t.FloorCode + "/" + t.TableCode }

func (t TableRef) valid() bool { return t.FloorCode != "" && t.TableCode != "" }
