#!/usr/bin/env bash
# Regenerates the TypeScript accessors in ../generated/ from the two schemas beside this script, with flatc 2.0.8
# (Debian 12's flatbuffers-compiler: apt-get install flatbuffers-compiler). Run it after replacing a schema; the
# output is committed, so building Lepton never needs flatc.
#
# flatc 2.0.8 writes relative imports without a file suffix; Lepton is ESM under `moduleResolution: nodenext`, which
# needs the `.js` suffix, so the script adds it. It also turns two `(deprecated)` attributes of schema.fbs into
# comments (an enum value and a union member), which flatc 2.0.8 cannot parse; schema.fbs is committed that way.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../generated"
rm -rf "$out"
flatc --ts --gen-object-api -o "$out/schema" "$here/schema.fbs"
flatc --ts --gen-object-api -o "$out/metadata" "$here/metadata_schema.fbs"
find "$out" -name '*.ts' -print0 | xargs -0 sed -i -E "s#^(import .* from '\.{1,2}/[^']+)';#\1.js';#; s#^(export .* from '\.{1,2}/[^']+)';#\1.js';#"
# The generated code predates strict TypeScript and the project's lint rules: it is checked by flatc, not by us.
find "$out" -name '*.ts' -print0 | xargs -0 sed -i '1i // @ts-nocheck'
