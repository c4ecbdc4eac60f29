"""The one error of publishing to a field server, shared by publish.py and entities.py (which publish.py uses)."""

from __future__ import annotations


class PublishError(Exception):
    """A field server refused, or cannot be reached: the message says in French which server refused what."""
