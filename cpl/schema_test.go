package cpl

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// CPL-47, BX-3: the two schemas are served and well formed.
func TestSchemas(t *testing.T) {
	for _, name := range []string{SchemaCPL, SchemaExtensions} {
		b, err := Schema(name)
		if err != nil || len(b) == 0 {
			t.Fatalf("%s: %v", name, err)
		}
		dec := xml.NewDecoder(bytes.NewReader(b))
		for {
			_, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s is not well formed: %v", name, err)
			}
		}
	}
	if _, err := Schema("other.xsd"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("unknown schema: %v", err)
	}
}

// BX-3: where xmllint is installed, it agrees with Compile on the seed
// fixtures (the unindented form: a strict XML parser refuses text before
// the declaration) and on structural faults both must catch.
func TestSchemasAgreeWithXmllint(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not installed (Debian package libxml2-utils)")
	}
	dir := t.TempDir()
	for _, name := range []string{SchemaCPL, SchemaExtensions} {
		b, _ := Schema(name)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	all := `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:causeway:all">
  <xs:import namespace="urn:ietf:params:xml:ns:cpl" schemaLocation="cpl.xsd"/>
  <xs:import namespace="http://www.tandberg.net/cpl-extensions" schemaLocation="cpl-extensions.xsd"/>
</xs:schema>`
	if err := os.WriteFile(filepath.Join(dir, "all.xsd"), []byte(all), 0o600); err != nil {
		t.Fatal(err)
	}
	validate := func(src []byte) (bool, string) {
		f := filepath.Join(dir, "script.xml")
		if err := os.WriteFile(f, src, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join(dir, "all.xsd"), f).CombinedOutput()
		return err == nil, string(out)
	}
	for _, e := range []string{"E1", "E3", "E4", "E5", "E6", "E7", "E8", "E9"} {
		src := seedVariants(t, e)["unindented"]
		if ok, out := validate(src); !ok {
			t.Errorf("%s: xmllint refuses: %s", e, out)
		}
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "rfc3880", "*.xml"))
	for _, f := range files {
		src, _ := os.ReadFile(f)
		if ok, out := validate(src); !ok {
			t.Errorf("%s: xmllint refuses: %s", f, out)
		}
	}
	bad := []string{
		`<proxy/><reject/>`,
		`<proxy colour="red"/>`,
		`<proxy timeout="0"/>`,
		`<location url="a" priority="1.5"/>`,
		`<location url="a" clear="Yes"/>`,
		`<reject status="200"/>`,
		`<address-switch field="nowhere"/>`,
		`<address-switch field="origin"><otherwise/><address is="a"/></address-switch>`,
		`<busy/>`,
		`<taa:teleport/>`,
		`<taa:location priority="often"/>`,
	}
	for _, body := range bad {
		src := strings.Replace(doc(body), "<cpl ", `<?xml version="1.0"?><cpl `, 1)
		_, cerr := Compile([]byte(src))
		ok, _ := validate([]byte(src))
		if ok || cerr == nil {
			t.Errorf("%s: xmllint valid=%v, Compile err=%v; both must refuse", body, ok, cerr)
		}
	}
}
