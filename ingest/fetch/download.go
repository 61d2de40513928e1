package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// userAgent identifies the downloader to the servers.
const userAgent = "reach-fetch/1"

// downloader holds what the download workers share.
type downloader struct {
	opt  Options
	dir  string
	man  *manifestStore
	prog *progress
}

func (d *downloader) path(file string) string { return filepath.Join(d.dir, file) }

// validators are the cache validators of a version of a resource.
type validators struct {
	etag, lastModified string
}

// attemptError is the error of one failed request.
type attemptError struct {
	err   error
	retry bool          // worth retrying
	after time.Duration // the server's Retry-After, if any
}

func (e *attemptError) Error() string { return e.err.Error() }
func (e *attemptError) Unwrap() error { return e.err }

func retryable(err error) error { return &attemptError{err: err, retry: true} }

// outcome is the result of a successful attempt.
type outcome struct {
	unchanged bool // 304: the file on disk is current
	resumed   bool // the server answered 206 to a Range request
	val       validators
}

// download brings the file of res.Source up to date in the directory and
// fills res with its description.
func (d *downloader) download(ctx context.Context, i int, res *SourceResult) error {
	src := res.Source
	u, err := url.Parse(src.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("invalid URL %q (want an http or https URL)", src.URL)
	}
	final := d.path(src.File)
	part := final + ".part"
	entry := d.man.get(src.File)

	// Revalidate the file on disk only if it is intact.
	var cond *validators
	if entry.URL == src.URL && entry.SHA256 != "" && (entry.ETag != "" || entry.LastModified != "") {
		ok, err := sameFile(final, entry.Size, entry.SHA256)
		if err != nil {
			return err
		}
		if ok {
			cond = &validators{entry.ETag, entry.LastModified}
		} else if _, err := os.Stat(final); err == nil {
			d.opt.Logf("%s: differs from the manifest; downloading it again", src.File)
		}
	}
	// Keep a partial file only if the manifest says where it comes from.
	partVal := validators{entry.PartETag, entry.PartLastModified}
	if size := fileSize(part); size > 0 && entry.PartURL != src.URL {
		d.opt.Logf("%s: discarding a partial download of unknown origin", src.File)
		if err := os.Remove(part); err != nil {
			return fmt.Errorf("removing %s: %w", part, err)
		}
	}

	var (
		out      outcome
		failures int
		maxPart  = fileSize(part)
	)
	for {
		res.Attempts++
		out, err = d.attempt(ctx, i, res, part, cond, partVal)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted (partial file kept): %w", ctx.Err())
		}
		var ae *attemptError
		if !errors.As(err, &ae) || !ae.retry {
			return fmt.Errorf("%w (attempt %d)", err, res.Attempts)
		}
		progressed := false
		if size := fileSize(part); size > maxPart {
			maxPart, progressed = size, true
		} else {
			failures++
		}
		if failures > d.opt.Retries {
			return fmt.Errorf("%w (gave up after %d attempts)", err, res.Attempts)
		}
		wait := d.opt.Backoff
		if !progressed {
			wait <<= min(failures-1, 20)
		}
		why := "backoff"
		if ae.after > 0 {
			wait, why = ae.after, "Retry-After"
		}
		wait = min(wait, d.opt.MaxDelay)
		d.opt.Logf("%s: %v; retrying in %v (%s)", src.File, err, wait, why)
		if err := sleep(ctx, wait); err != nil {
			return fmt.Errorf("interrupted (partial file kept): %w", err)
		}
		e := d.man.get(src.File)
		partVal = validators{e.PartETag, e.PartLastModified}
	}

	now := time.Now().UTC()
	if out.unchanged {
		err := d.man.update(src.File, func(e *ManifestEntry) {
			e.CheckedAt = now
			if out.val.etag != "" {
				e.ETag = out.val.etag
			}
			if out.val.lastModified != "" {
				e.LastModified = out.val.lastModified
			}
		})
		if err != nil {
			return err
		}
		e := d.man.get(src.File)
		res.Status = StatusUnchanged
		res.SHA256, res.Size, res.ETag, res.LastModified = e.SHA256, e.Size, e.ETag, e.LastModified
		res.FetchedAt, res.Repaired = e.FetchedAt, e.Repaired
		d.opt.Logf("%s: unchanged", src.File)
		return nil
	}

	if err := d.install(res, part, final); err != nil {
		return err
	}
	sum, size, err := hashFile(final)
	if err != nil {
		return err
	}
	res.Status = StatusDownloaded
	if out.resumed {
		res.Status = StatusResumed
	}
	res.SHA256, res.Size, res.FetchedAt = sum, size, now
	res.ETag, res.LastModified = out.val.etag, out.val.lastModified
	d.opt.Logf("%s: %s, %d bytes, sha256 %s", src.File, res.Status, size, sum)
	return d.man.update(src.File, func(e *ManifestEntry) {
		*e = ManifestEntry{
			File: src.File, Name: src.Name, Kind: src.Kind, URL: src.URL,
			SHA256: sum, Size: size, ETag: out.val.etag, LastModified: out.val.lastModified,
			FetchedAt: now, CheckedAt: now, Repaired: res.Repaired,
		}
	})
}

// install moves the complete partial file to its final name, repairing the
// layout of GTFS zips on the way. A zip that is not a GTFS feed is kept as
// FILE.rejected for inspection and the file on disk, if any, is left alone.
func (d *downloader) install(res *SourceResult, part, final string) error {
	if res.Kind == KindGTFS {
		repaired, note, err := repairGTFS(part, "downloaded file", final)
		if errors.Is(err, ErrNotGTFS) {
			rejected := final + ".rejected"
			if rerr := os.Rename(part, rejected); rerr != nil {
				return fmt.Errorf("%w; keeping it: %v", err, rerr)
			}
			if uerr := d.man.update(res.File, clearPart); uerr != nil {
				return uerr
			}
			return fmt.Errorf("%w (kept as %s)", err, filepath.Base(rejected))
		}
		if err != nil {
			return err
		}
		if repaired {
			res.Repaired, res.RepairNote = true, note
			d.opt.Logf("%s: repaired: %s", res.File, note)
			if err := os.Remove(part); err != nil {
				return fmt.Errorf("removing %s: %w", part, err)
			}
			return nil
		}
	}
	if err := os.Rename(part, final); err != nil {
		return fmt.Errorf("installing %s: %w", final, err)
	}
	return nil
}

func clearPart(e *ManifestEntry) { e.PartURL, e.PartETag, e.PartLastModified = "", "", "" }

// attempt sends one request and, for a 200 or 206 answer, appends the body
// to the partial file.
func (d *downloader) attempt(ctx context.Context, i int, res *SourceResult, part string, cond *validators, partVal validators) (outcome, error) {
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	idle := time.AfterFunc(d.opt.IdleTimeout, func() { cancel(errIdle) })
	defer idle.Stop()
	failed := func(err error) error {
		if errors.Is(context.Cause(actx), errIdle) && ctx.Err() == nil {
			return retryable(fmt.Errorf("%w for %v", errIdle, d.opt.IdleTimeout))
		}
		return retryable(err)
	}

	req, err := http.NewRequestWithContext(actx, http.MethodGet, res.URL, nil)
	if err != nil {
		return outcome{}, fmt.Errorf("request for %s: %w", res.URL, err)
	}
	req.Header.Set("User-Agent", userAgent)
	// Identity encoding keeps byte offsets (Range) and ETags stable.
	req.Header.Set("Accept-Encoding", "identity")
	offset := fileSize(part)
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
		if ifRange := ifRangeValue(partVal); ifRange != "" {
			req.Header.Set("If-Range", ifRange)
		}
	} else if cond != nil {
		if cond.etag != "" {
			req.Header.Set("If-None-Match", cond.etag)
		}
		if cond.lastModified != "" {
			req.Header.Set("If-Modified-Since", cond.lastModified)
		}
	}

	resp, err := d.opt.HTTPClient.Do(req)
	if err != nil {
		return outcome{}, failed(err)
	}
	defer resp.Body.Close()
	val := validators{resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")}

	var out outcome
	switch code := resp.StatusCode; {
	case code == http.StatusNotModified && cond != nil && offset == 0:
		return outcome{unchanged: true, val: val}, nil
	case code == http.StatusOK:
		offset = 0
	case code == http.StatusPartialContent && offset > 0:
		start, err := contentRangeStart(resp.Header.Get("Content-Range"))
		if err != nil || start != offset {
			os.Remove(part)
			return outcome{}, retryable(fmt.Errorf("206 answer for bytes %d- has Content-Range %q; restarting",
				offset, resp.Header.Get("Content-Range")))
		}
		out.resumed = true
	case code == http.StatusRequestedRangeNotSatisfiable && offset > 0:
		if resp.Header.Get("Content-Range") == "bytes */"+strconv.FormatInt(offset, 10) && sameVersion(val, partVal) {
			// The partial file is already complete (the last run stopped
			// before installing it).
			return outcome{resumed: true, val: partVal}, nil
		}
		os.Remove(part)
		return outcome{}, retryable(fmt.Errorf("server refused to resume at byte %d (HTTP 416); restarting", offset))
	case code == http.StatusTooManyRequests || code >= 500:
		return outcome{}, &attemptError{
			err:   fmt.Errorf("HTTP %s", resp.Status),
			retry: true,
			after: retryAfter(resp.Header.Get("Retry-After"), time.Now()),
		}
	default:
		return outcome{}, fmt.Errorf("HTTP %s", resp.Status)
	}
	if !out.resumed {
		d.opt.Logf("%s: downloading from %s", res.File, res.URL)
	} else {
		d.opt.Logf("%s: resuming at byte %d", res.File, offset)
	}
	out.val = val

	// Remember where the partial file comes from, so that a later run
	// can resume it safely.
	if !out.resumed || partVal != val {
		err := d.man.update(res.File, func(e *ManifestEntry) {
			e.Name, e.Kind = res.Name, res.Kind
			e.PartURL, e.PartETag, e.PartLastModified = res.URL, val.etag, val.lastModified
		})
		if err != nil {
			return outcome{}, err
		}
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if out.resumed {
		flags = os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return outcome{}, fmt.Errorf("writing %s: %w", part, err)
	}
	total := int64(-1)
	if resp.ContentLength >= 0 {
		total = offset + resp.ContentLength
	}
	d.prog.set(i, offset, total)

	buf := make([]byte, 64<<10)
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			idle.Reset(d.opt.IdleTimeout)
			if _, werr := f.Write(buf[:n]); werr != nil {
				f.Close()
				return outcome{}, fmt.Errorf("writing %s: %w", part, werr)
			}
			offset += int64(n)
			res.Received += int64(n)
			d.prog.set(i, offset, total)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			f.Close()
			return outcome{}, failed(fmt.Errorf("reading body at byte %d: %w", offset, rerr))
		}
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return outcome{}, fmt.Errorf("writing %s: %w", part, err)
	}
	if total >= 0 && offset != total {
		return outcome{}, retryable(fmt.Errorf("body ended at byte %d of %d", offset, total))
	}
	return out, nil
}

// ifRangeValue returns the If-Range value for resuming a partial file: its
// strong ETag, else its Last-Modified date, else "" (resume unconditionally).
func ifRangeValue(v validators) string {
	if v.etag != "" && !strings.HasPrefix(v.etag, "W/") {
		return v.etag
	}
	return v.lastModified
}

// sameVersion reports whether two sets of validators name the same version
// for sure: equal strong ETags, or, without ETags, equal Last-Modified dates.
func sameVersion(a, b validators) bool {
	if a.etag != "" || b.etag != "" {
		return a.etag == b.etag && !strings.HasPrefix(a.etag, "W/")
	}
	return a.lastModified != "" && a.lastModified == b.lastModified
}

// contentRangeStart returns the first byte of a "bytes first-last/size"
// Content-Range value.
func contentRangeStart(v string) (int64, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !ok {
		return 0, fmt.Errorf("bad Content-Range %q", v)
	}
	first, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, fmt.Errorf("bad Content-Range %q", v)
	}
	return strconv.ParseInt(strings.TrimSpace(first), 10, 64)
}

// retryAfter parses a Retry-After value, seconds or an HTTP date, into a
// wait from now; 0 when absent, invalid or past.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(min(s, 1<<31)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// fileSize returns the size of the file at p, 0 if it does not exist.
func fileSize(p string) int64 {
	st, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return st.Size()
}

// sameFile reports whether the file at p has the given size and SHA-256.
// A missing file is simply not the same.
func sameFile(p string, size int64, sum string) (bool, error) {
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("checking %s: %w", p, err)
	}
	if st.Size() != size {
		return false, nil
	}
	got, _, err := hashFile(p)
	return got == sum, err
}

// hashFile returns the hex SHA-256 and the size of the file at p.
func hashFile(p string) (string, int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", 0, fmt.Errorf("hashing: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("hashing %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
