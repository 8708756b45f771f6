"""schemathesis extensions for perchd's API, loaded by tools/api/schemathesis.sh
(SCHEMATHESIS_HOOKS): what schemathesis cannot know from the document alone.

- Uploads (image/bmp, image/x-portable-pixmap, audio/wav) are files: their bytes are sent
  as they are, as schemathesis does for application/octet-stream.
- GET /v1/events answers NDJSON, which schemathesis does not read: every line of the
  stream (ended by tools/api/bridge.py after a second) is checked here against the line
  schema of docs/openapi.yaml (Event, Gap or Reset); a line that is not JSON or does not
  match is a failure. The first line is then handed to schemathesis, which checks it again
  with its own validator.
"""
import json
import pathlib

import schemathesis
import yaml
from openapi_schema_validator import OAS30Validator

for media_type in ("image/bmp", "image/x-portable-pixmap", "audio/wav"):
    schemathesis.serializer.alias(media_type, "application/octet-stream")

_document = yaml.safe_load((pathlib.Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml").read_text())


def _inline(node):
    """The schema with every local $ref replaced by what it names (the document has no cycles)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = _document
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return _inline(target)
        return {key: _inline(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(value) for value in node]
    return node


_line_schema = _inline(
    _document["paths"]["/v1/events"]["get"]["responses"]["200"]["content"]["application/x-ndjson"]["schema"])
_line_validator = OAS30Validator(_line_schema)


@schemathesis.deserializer("application/x-ndjson")
def ndjson(ctx, response):
    lines = [line for line in response.content.split(b"\n") if line]
    values = []
    for number, line in enumerate(lines, 1):
        try:
            value = json.loads(line)
        except ValueError as error:
            raise ValueError(f"line {number} of the stream is not JSON ({error}): {line[:200]!r}")
        errors = sorted(_line_validator.iter_errors(value), key=str)
        if errors:
            raise ValueError(f"line {number} of the stream matches no line schema: {errors[0].message}: {line[:200]!r}")
        values.append(value)
    if not values:
        raise NotImplementedError("an event stream with no line yet: nothing to validate")
    return values[0]
