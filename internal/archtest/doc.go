// Package archtest holds the test that keeps docs/architecture.md's map
// of imports true: it reads the map's table and fails on an arrow the
// code has and the map does not (a new import), on one the map claims
// and the code lacks, and on a package the map does not list.
package archtest
