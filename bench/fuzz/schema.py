"""The OpenAPI document the server publishes, plus each path again with a `.json` format suffix (the router
serves none: those must be clean 404s, never a 500). Usage: python bench/fuzz/schema.py OUT.json"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import django

django.setup()

from drf_spectacular.drainage import GENERATOR_STATS  # noqa: E402
from drf_spectacular.generators import SchemaGenerator  # noqa: E402


def main(out: Path) -> None:
    with GENERATOR_STATS.silence():
        document = SchemaGenerator().get_schema(request=None, public=True)
    suffixed = {}
    for path, item in document["paths"].items():
        twin = copy.deepcopy(item)
        for operation in twin.values():
            if isinstance(operation, dict) and "operationId" in operation:
                operation["operationId"] += "_json_suffix"
        suffixed[path.rstrip("/") + ".json"] = twin
    document["paths"].update(suffixed)
    out.write_text(json.dumps(document))
    print(f"{len(document['paths'])} chemins écrits dans {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
