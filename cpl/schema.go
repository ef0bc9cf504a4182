package cpl

import (
	"embed"
	"io/fs"
)

//go:embed schema/cpl.xsd schema/cpl-extensions.xsd
var schemaFS embed.FS

// Schema file names served by Schema (CPL-47).
const (
	SchemaCPL        = "cpl.xsd"
	SchemaExtensions = "cpl-extensions.xsd"
)

// Schema returns one of the XML Schemas the engine enforces, for offline
// validation of scripts before upload (CPL-47, BX-3): SchemaCPL for RFC
// 3880 and SchemaExtensions for the taa: extensions. The structural
// validator in Compile is the authority; the schemas describe the same
// language for external tools.
func Schema(name string) ([]byte, error) {
	switch name {
	case SchemaCPL, SchemaExtensions:
		return schemaFS.ReadFile("schema/" + name)
	}
	return nil, fs.ErrNotExist
}
