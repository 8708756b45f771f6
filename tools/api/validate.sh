#!/usr/bin/env bash
# docs/openapi.yaml checked by a standard OpenAPI validator (openapi-spec-validator).
# Last line: "openapi: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
python=$(tools/venv.sh openapi-spec-validator==0.9.0) || { echo "FAIL: cannot install openapi-spec-validator"; echo "openapi: 0 passed, 1 failed"; exit 1; }
if "$python" -m openapi_spec_validator docs/openapi.yaml; then
  echo "ok: docs/openapi.yaml is valid OpenAPI ($("$python" -m pip show openapi-spec-validator | sed -n 's/^Version: /openapi-spec-validator /p'))"
  echo "openapi: 1 passed, 0 failed"
else
  echo "FAIL: docs/openapi.yaml is not valid OpenAPI (above)"
  echo "openapi: 0 passed, 1 failed"
  exit 1
fi
