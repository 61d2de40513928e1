package batch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"

	"reach/engine"
)

// checkpointMagic starts the first line of a checkpoint file, followed by the
// fingerprint of the run's inputs. Every further line is one finished
// origin's record in JSON.
const checkpointMagic = "reach batch checkpoint v1 "

// CheckpointPath returns the checkpoint file kept beside an output file.
func CheckpointPath(out string) string { return out + ".checkpoint" }

// checkpoint appends finished origins to the checkpoint file, one line each,
// with one write per record so that a killed run loses at most the record
// being written (a torn last line is dropped when the file is read back).
type checkpoint struct {
	path string
	f    *os.File
	buf  []byte
}

// fingerprint identifies a run's inputs: a checkpoint is only resumed by the
// run that wrote it.
func fingerprint(buildID string, p engine.Params, cutoffs []int, matrix bool, levels []string, origins []Origin) string {
	h := sha256.New()
	p.Lat, p.Lon = 0, 0
	fmt.Fprintf(h, "graph %s\nparams %+v\ncutoffs %v\nmatrix %v\nlevels %q\n", buildID, p, cutoffs, matrix, levels)
	for _, o := range origins {
		fmt.Fprintf(h, "%q %s %s %d\n", o.ID, strconv.FormatFloat(o.Lat, 'g', -1, 64), strconv.FormatFloat(o.Lon, 'g', -1, 64), o.Cell)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// openCheckpoint opens or creates the checkpoint at path and returns the
// records it holds. An existing file must carry the same fingerprint; a torn
// last line (from a killed run) is cut off.
func openCheckpoint(path, fp string, origins, bands, levels int) (*checkpoint, []record, error) {
	header := checkpointMagic + fp + "\n"
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("checkpoint: %w", err)
		}
		if _, err := io.WriteString(f, header); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("checkpoint %s: %w", path, err)
		}
		return &checkpoint{path: path, f: f}, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %w", err)
	}
	if !bytes.HasPrefix(data, []byte(checkpointMagic)) {
		return nil, nil, fmt.Errorf("checkpoint %s:1: not a batch checkpoint file", path)
	}
	if !bytes.HasPrefix(data, []byte(header)) {
		return nil, nil, fmt.Errorf("checkpoint %s was written for other inputs (graph, parameters or origins differ): delete it to start over", path)
	}
	var recs []record
	seen := make([]bool, origins)
	good := len(header) // end of the last complete record
	line := 1
	for rest := data[good:]; len(rest) > 0; {
		line++
		nl := bytes.IndexByte(rest, '\n')
		if nl < 0 {
			break // torn last line
		}
		var rec record
		if err := json.Unmarshal(rest[:nl], &rec); err != nil {
			if len(rest) == nl+1 {
				break // last line written partly before a crash
			}
			return nil, nil, fmt.Errorf("checkpoint %s:%d: %v", path, line, err)
		}
		if rec.I < 0 || rec.I >= origins || seen[rec.I] || len(rec.Schools) != bands || len(rec.Offers) != bands || len(rec.Nearest) != levels {
			return nil, nil, fmt.Errorf("checkpoint %s:%d: record does not fit the run (origin %d): delete the file to start over", path, line, rec.I)
		}
		seen[rec.I] = true
		recs = append(recs, rec)
		good += nl + 1
		rest = rest[nl+1:]
	}
	if good < len(data) {
		if err := os.Truncate(path, int64(good)); err != nil {
			return nil, nil, fmt.Errorf("checkpoint %s: cutting a torn last line: %w", path, err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %w", err)
	}
	return &checkpoint{path: path, f: f}, recs, nil
}

// append writes one record.
func (c *checkpoint) append(rec record) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", c.path, err)
	}
	c.buf = append(append(c.buf[:0], b...), '\n')
	if _, err := c.f.Write(c.buf); err != nil {
		return fmt.Errorf("checkpoint %s: %w", c.path, err)
	}
	return nil
}

// flush makes the records durable.
func (c *checkpoint) flush() error {
	if err := c.f.Sync(); err != nil {
		return fmt.Errorf("checkpoint %s: %w", c.path, err)
	}
	return nil
}

func (c *checkpoint) close() { c.f.Close() }
