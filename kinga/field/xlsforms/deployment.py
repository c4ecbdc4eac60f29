"""What is sent to a field server for one form (Bundle) and what the server made of it (Published), shared by
kobo.py, central.py and publish.py, which builds the bundles."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import entities
from .reference import Table


@dataclass
class Bundle:
    """What is deployed for one form: the workbook and the CSV lists it reads."""

    form_id: str
    title: str
    version: str
    xlsx: bytes
    tables: dict[str, Table] = field(default_factory=dict)

    @property
    def attachments(self) -> dict[str, bytes]:
        """The lists as the CSV files attached to the form."""
        return {name: table.csv() for name, table in self.tables.items()}

    @property
    def kobo_name(self) -> str:
        # The form id in the project's name: how a later publication finds the project to replace.
        return f"{self.title} [{self.form_id}]"


@dataclass
class Published:
    form_id: str
    version: str
    remote_id: str
    # ODK Central's entity lists: what each run wrote to them (the same ListSync for every form reading a list).
    entity_lists: bool = False
    lists: list[entities.ListSync] = field(default_factory=list)
    new_version: bool = True
    attached_csvs: bool = False  # a Central without entity lists got the lists as attached CSVs
