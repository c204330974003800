package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/edmtop/edmtop/internal/logfile"
)

// maxReport bounds a report read back: one run's facts, not a database.
const maxReport = 32 << 20

// CheckReportPath refuses, before a run, a path WriteReport would refuse:
// a symbolic link, something other than a regular file, another user's
// file or one with other hard links, a directory that does not exist.
func CheckReportPath(path string) error {
	if err := logfile.Check(path, "report"); err != nil {
		return err
	}
	if _, err := os.Lstat(path); err == nil {
		return nil
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s: no such directory to write the report in", dir)
	}
	return nil
}

// WriteReport writes rep to path as indented JSON, private to the user:
// created with mode 0600 (an existing file of the user's is made 0600 and
// replaced), never through a symbolic link, never into a file another user
// owns or one with other hard links (internal/logfile, as --log-file).
func WriteReport(path string, rep *Report) error {
	body, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	f, err := logfile.Create(path, "report")
	if err != nil {
		return err
	}
	_, err = f.Write(append(body, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// ReadReport reads a report WriteReport wrote.
func ReadReport(r io.Reader) (*Report, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxReport+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxReport {
		return nil, fmt.Errorf("larger than %d bytes: not a doctor report", maxReport)
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("not a doctor report (%v)", err)
	}
	if rep.Schema != ReportSchema {
		return nil, fmt.Errorf("a report of schema %d: this edmtop reads schema %d (write it again with this edmtop's doctor)", rep.Schema, ReportSchema)
	}
	return &rep, nil
}
