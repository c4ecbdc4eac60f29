"""The one error of publishing to a field server, shared by publish.py and the modules it uses (http.py, kobo.py,
central.py, entities.py)."""

from __future__ import annotations


class PublishError(Exception):
    """A field server refused, or cannot be reached: the message (translated: French by default) says which
    server refused what."""
