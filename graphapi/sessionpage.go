package graphapi

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"unsafe"

	"github.com/go-json-experiment/json/jsontext"
)

// A page of sessions is read with a token scanner (jsontext, the tokenizer
// of encoding/json/v2, which Go 1.26 ships only behind GOEXPERIMENT): each
// property's value is validated and captured where it lies in the page,
// with no reflection and no second pass. encoding/json validated the whole
// page before decoding it, then rescanned every value it skipped: 80 % of
// a re-listing's time, when keep finds most sessions unchanged and nothing
// else of them is converted.

// decodeSessionPage decodes a page of sessions in a single scan. Elements
// that are not objects, or objects with no property edmtop reads, are
// dropped and counted (Skipped). keep, when not nil, may name a held copy
// to list instead of a decoded session, or Omitted (see
// ListSessionsKeeping): only sessions it does not keep are converted and
// allocated.
func decodeSessionPage(data []byte, keep func(*Session) *Session) (page[*Session], error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return page[*Session]{}, errors.New("response body is empty")
	}
	sc := pageScanner{data: data, dec: jsontext.NewDecoder(bytes.NewBuffer(data),
		// As encoding/json: the last of a repeated name wins, and text
		// that is not UTF-8 is the sanitizer's business, not a failure.
		jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))}
	p, found, err := sc.page(keep)
	switch {
	case err != nil:
		return page[*Session]{}, err
	case !found:
		return page[*Session]{}, errors.New(`response is not a collection (no "value" array)`)
	}
	return p, nil
}

// pageScanner reads one page. Raw values are cut from data by the
// decoder's offsets, so they alias the page as rawValue documents.
type pageScanner struct {
	data []byte
	dec  *jsontext.Decoder
}

// page reads the top-level object: its "value" array and next link.
func (sc *pageScanner) page(keep func(*Session) *Session) (p page[*Session], found bool, err error) {
	if err := sc.open('{'); err != nil {
		return p, false, err
	}
	for sc.dec.PeekKind() != '}' {
		name, err := sc.name()
		if err != nil {
			return p, false, err
		}
		switch {
		case strings.EqualFold(name, "value"):
			found, err = sc.values(&p, keep)
		case strings.EqualFold(name, "@odata.nextLink"):
			var link rawValue
			link, err = sc.value()
			p.NextLink = looseString(link)
		default:
			err = sc.skip()
		}
		if err != nil {
			return p, false, err
		}
	}
	if err := sc.close(); err != nil {
		return p, false, err
	}
	if _, err := sc.dec.ReadToken(); err != io.EOF {
		return p, false, errors.New("response is not valid JSON (more after the collection)")
	}
	return p, found, nil
}

// values reads the "value" array (a repeated one replaces the first, as
// encoding/json does; null is no array).
func (sc *pageScanner) values(p *page[*Session], keep func(*Session) *Session) (found bool, err error) {
	switch sc.dec.PeekKind() {
	case 'n':
		return false, sc.skip()
	case '[':
	default:
		if err := sc.skip(); err != nil {
			return false, err
		}
		return false, errors.New(`response is not a collection ("value" is not an array)`)
	}
	if err := sc.open('['); err != nil {
		return false, err
	}
	p.Value, p.Skipped = p.Value[:0], 0
	var r rawSession
	var probe *Session // what keep looks at: one per page, not per session
	for sc.dec.PeekKind() != ']' {
		if sc.dec.PeekKind() != '{' {
			if err := sc.skip(); err != nil {
				return false, err
			}
			p.Skipped++
			continue
		}
		r = rawSession{}
		if err := sc.session(&r); err != nil {
			return false, err
		}
		if r.empty() {
			p.Skipped++
			continue
		}
		if keep != nil {
			if probe == nil {
				probe = new(Session)
			}
			r.probe(probe)
			held := keep(probe)
			if held == Omitted {
				p.Omitted++ // nothing of it is converted or listed
				continue
			}
			if held != nil && held != probe {
				p.Value = append(p.Value, held) // nothing else of it is converted
				continue
			}
		}
		s := r.session()
		p.Value = append(p.Value, &s)
	}
	return true, sc.close()
}

// session captures one object's properties; those edmtop does not read
// are only validated.
func (sc *pageScanner) session(r *rawSession) error {
	if err := sc.open('{'); err != nil {
		return err
	}
	for sc.dec.PeekKind() != '}' {
		name, err := sc.name()
		if err != nil {
			return err
		}
		field := r.field(name)
		if field == nil {
			err = sc.skip()
		} else {
			*field, err = sc.value()
		}
		if err != nil {
			return err
		}
	}
	return sc.close()
}

// open reads the start of an object or array.
func (sc *pageScanner) open(kind jsontext.Kind) error {
	tok, err := sc.dec.ReadToken()
	if err != nil {
		return jsonError(err)
	}
	if tok.Kind() != kind {
		return errors.New("response is not a collection (not a JSON object with a \"value\" array)")
	}
	return nil
}

// close reads the end of the object or array open.
func (sc *pageScanner) close() error {
	_, err := sc.dec.ReadToken()
	return jsonError(err)
}

// name reads an object's next property name. It aliases the page unless
// it has escapes; it is only compared, never kept.
func (sc *pageScanner) name() (string, error) {
	raw, err := sc.value()
	if err != nil {
		return "", err
	}
	text, _ := looseText(raw)
	return unsafeString(text), nil
}

// value reads the next value whole, as the page's own bytes.
func (sc *pageScanner) value() (rawValue, error) {
	v, err := sc.dec.ReadValue()
	if err != nil {
		return nil, jsonError(err)
	}
	end := int(sc.dec.InputOffset())
	return rawValue(sc.data[end-len(v) : end]), nil
}

func (sc *pageScanner) skip() error {
	return jsonError(sc.dec.SkipValue())
}

// jsonError says what is wrong with a page the scanner could not read,
// as describeJSONError does for encoding/json's errors.
func jsonError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("response JSON is truncated")
	}
	return errors.New("response is not valid JSON (" + strings.TrimPrefix(err.Error(), "jsontext: ") + ")")
}

// field is where the session property name goes; nil for one edmtop does
// not read. Names match as encoding/json matches them: exactly, else in
// another case.
func (r *rawSession) field(name string) *rawValue {
	if f := r.exactField(name); f != nil || strings.HasPrefix(name, "@") {
		return f // "@odata.type" and other annotations: no field of ours
	}
	for _, known := range sessionFieldNames {
		if strings.EqualFold(name, known) {
			return r.exactField(known)
		}
	}
	return nil
}

var sessionFieldNames = [...]string{"id", "dataStoreId", "datastoreId", "state", "fileName", "creationDateTime",
	"startDateTime", "lastUpdatedDateTime", "completionDateTime", "uploadCompletionDateTime",
	"processingCompletionDateTime", "totalBlockCount", "remainingBlockCount", "totalJobCount",
	"remainingJobCount", "rowsPerBlock", "checksum", "dataUploadURI", "fields", "salt", "uploadAgentId", "error"}

func (r *rawSession) exactField(name string) *rawValue {
	switch name {
	case "id":
		return &r.ID
	case "dataStoreId":
		return &r.DataStoreID
	case "datastoreId":
		return &r.DatastoreIDLegacy
	case "state":
		return &r.State
	case "fileName":
		return &r.FileName
	case "creationDateTime":
		return &r.CreationDateTime
	case "startDateTime":
		return &r.StartDateTime
	case "lastUpdatedDateTime":
		return &r.LastUpdatedDateTime
	case "completionDateTime":
		return &r.CompletionDateTime
	case "uploadCompletionDateTime":
		return &r.UploadCompletionDateTime
	case "processingCompletionDateTime":
		return &r.ProcessingCompletionDateTime
	case "totalBlockCount":
		return &r.TotalBlockCount
	case "remainingBlockCount":
		return &r.RemainingBlockCount
	case "totalJobCount":
		return &r.TotalJobCount
	case "remainingJobCount":
		return &r.RemainingJobCount
	case "rowsPerBlock":
		return &r.RowsPerBlock
	case "checksum":
		return &r.Checksum
	case "dataUploadURI":
		return &r.DataUploadURI
	case "fields":
		return &r.Fields
	case "salt":
		return &r.Salt
	case "uploadAgentId":
		return &r.UploadAgentID
	case "error":
		return &r.Error
	}
	return nil
}

// unsafeString is b as a string without a copy, for a comparison or a
// lookup that keeps nothing.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
