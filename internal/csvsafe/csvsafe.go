// Package csvsafe writes CSV files that are safe to open in a spreadsheet. A cell that starts with = + - @, a tab
// or a carriage return is run as a formula by Excel, LibreOffice and Google Sheets (formula injection: a seller SKU
// such as =HYPERLINK(...) would become a live link, or worse), so every cell written goes out behind an apostrophe,
// which spreadsheets show as text and never run, and Unguard takes it off again when such a file is read back.
//
// A cell that is only a decimal number ("-12.30") is left as it is: a spreadsheet reads it as a number and nothing
// else, and a negative amount behind an apostrophe would be text that no sum adds.
//
// It must never drop or change a cell in any other way: Unguard(Guard(s)) == s for every s.
package csvsafe

import (
	"encoding/csv"
	"io"
	"strings"
)

// formulaStarts are the first characters that make a spreadsheet run a cell.
const formulaStarts = "=+-@\t\r"

// needsGuard reports whether a cell would run as a formula, or would lose a leading apostrophe of its own when
// read back (so "'=x" is guarded as well, and comes back whole).
func needsGuard(s string) bool {
	for s != "" && s[0] == '\'' {
		s = s[1:]
	}
	return s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0
}

// isNumber reports whether s is a plain decimal number, "-12", "0.50", "-1234.5": what a spreadsheet reads as a
// number and cannot run.
func isNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasDot := strings.Cut(s, ".")
	return digits(intPart) && (!hasDot || digits(frac))
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Guard neutralises one cell for spreadsheets: an apostrophe goes in front of a cell that would run as a formula.
func Guard(s string) string {
	if needsGuard(s) && !isNumber(s) {
		return "'" + s
	}
	return s
}

// Unguard takes off the apostrophe Guard put in front of a cell, and leaves every other cell as it is.
func Unguard(s string) string {
	if strings.HasPrefix(s, "'") && needsGuard(s[1:]) {
		return s[1:]
	}
	return s
}

// Writer is an encoding/csv Writer that guards every cell it writes.
type Writer struct {
	w   *csv.Writer
	rec []string // reused between records
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one record, each cell through Guard. Like encoding/csv, it buffers: call Flush to send what was
// written.
func (w *Writer) Write(record []string) error {
	w.rec = w.rec[:0]
	for _, cell := range record {
		w.rec = append(w.rec, Guard(cell))
	}
	return w.w.Write(w.rec)
}

// Flush writes any buffered records to the underlying io.Writer.
func (w *Writer) Flush() { w.w.Flush() }

// Error reports any error of a previous Write or Flush.
func (w *Writer) Error() error { return w.w.Error() }
