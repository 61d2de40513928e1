package server

import (
	"bytes"
	"fmt"
	"html/template"
)

// renderIndex renders the web page with its settings.
func renderIndex(tileURL string) ([]byte, error) {
	t, err := template.ParseFS(webFS, "web/index.html")
	if err != nil {
		return nil, fmt.Errorf("web page template: %w", err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, struct{ TileURL string }{tileURL}); err != nil {
		return nil, fmt.Errorf("web page template: %w", err)
	}
	return b.Bytes(), nil
}
