"""Kinga's choice lists as ODK Central entity lists (datasets), so that a new site, a renamed place or a site
removed reaches the phones without a new form version: ODK Collect downloads the linked list again whenever its
entities change, while an attached CSV can only change with a new draft published under a new version.

One entity list per reference list, named after its file (`sites.csv` → `sites`): each form's attachment of that
name is linked to it, so the same XLSForm reads an attached CSV on KoboToolbox and the entity list on Central.
Each row becomes an entity; the `name` column is not a property (Central reserves it for the entity's UUID) but
its value is also in `code`, the column the forms submit, by which each run finds the entity of each row. The
UUID derives from the list and the row's key (uuid5: the same in every run and on every server); Central never
reuses the UUID of a deleted entity, so a row that comes back after being removed (an organisation deactivated,
then active again) gets the next one derived from its key.

Kinga is the source: `synchronise` creates what is missing, updates what differs (with the version it read:
`baseVersion`) and deletes what left Kinga (entities without a Kinga key, or a second one with the same key,
too); a run with nothing changed writes nothing. An entity edited in Central
in the meantime (409) is read again and written once more over its new version — Kinga's reference data wins —
and a second refusal stops with an error rather than looping. Needs ODK Central 2024.1 or later (entity lists and
their properties created through the API); an older Central answers 404 and EntityListsUnsupported says so.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

import httpx
from django.utils.translation import gettext as _

from .errors import PublishError
from .reference import Table
from .spec import VALUE_COLUMN

# Fixed forever: the entities' UUIDs derive from it, and a new namespace would duplicate every entity in Central.
NAMESPACE = uuid.UUID("2f4f7a1e-8c3b-5d6a-9e0f-4b1c2d3e4f5a")
RESERVED = ("name", "label")  # columns Central fills itself (the UUID, the label): never properties
CREATE_BATCH = 1000  # entities per bulk creation: a province's places in a few requests of reasonable size


class EntityListsUnsupported(PublishError):
    """This Central has no entity lists API (older than 2024.1)."""


class CentralApi(Protocol):
    """What the sync needs of central.Central: authenticated requests that raise PublishError on a refusal."""

    def request(
        self, what: str, method: str, url: str, *, allow: tuple[int, ...] = (), **kwargs
    ) -> httpx.Response: ...

    def project_url(self, suffix: str) -> str: ...


@dataclass(frozen=True)
class Entry:
    key: str  # the row's `name`, also its `code` property
    label: str
    data: dict[str, str]


@dataclass(frozen=True)
class Remote:
    uuid: str
    label: str
    data: dict[str, str]
    version: int


@dataclass
class ListSync:
    """What one run wrote to one entity list."""

    dataset: str
    entities: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def writes(self) -> int:
        return self.created + self.updated + self.deleted


def dataset_name(file_name: str) -> str:
    """Central links a form's attachment `sites.csv` to the entity list `sites`."""
    return file_name.removesuffix(".csv")


def entity_uuid(dataset: str, key: str, generation: int = 1) -> str:
    """The UUID of the row `key` (generation 2, 3… once the previous ones were deleted in Central)."""
    return str(uuid.uuid5(NAMESPACE, f"{dataset}/{key}" + (f"#{generation}" if generation > 1 else "")))


def properties(table: Table) -> list[str]:
    return [column for column in table.header if column not in RESERVED]


def entries(table: Table) -> dict[str, Entry]:
    """The entities a list should hold, by key."""
    columns = properties(table)
    result = {}
    for row in table.rows:
        values = dict(zip(table.header, row, strict=True))
        key = values["name"]
        # Central refuses an entity without a label: its key rather than nothing.
        result[key] = Entry(key=key, label=values["label"] or key, data={c: values[c] for c in columns})
    return result


def synchronise(api: CentralApi, *, file_name: str, table: Table) -> ListSync:
    """Makes the entity list of `file_name` hold `table`'s rows, writing only what differs."""
    dataset = dataset_name(file_name)
    ensure_dataset(api, dataset=dataset, columns=properties(table))
    wanted = entries(table)
    current, strays = read_entities(api, dataset=dataset)
    result = ListSync(dataset=dataset, entities=len(wanted))
    missing = [entry for key, entry in wanted.items() if key not in current]
    if missing:
        taken = deleted_uuids(api, dataset=dataset) | {r.uuid for r in current.values()} | set(strays)
        batch = [(fresh_uuid(dataset, entry.key, taken), entry) for entry in missing]
        for start in range(0, len(batch), CREATE_BATCH):
            create(api, dataset=dataset, batch=batch[start : start + CREATE_BATCH], source=file_name)
    result.created = len(missing)
    for key, entry in wanted.items():
        remote = current.get(key)
        if remote and differs(entry, remote) and update(api, dataset=dataset, entry=entry, remote=remote):
            result.updated += 1
    for gone in [r.uuid for k, r in current.items() if k not in wanted] + strays:
        api.request(
            _("the removal of an entity from the list %(dataset)s") % {"dataset": dataset},
            "DELETE",
            entity_url(api, dataset, gone),
        )
        result.deleted += 1
    return result


def fresh_uuid(dataset: str, key: str, taken: set[str]) -> str:
    generation = 1
    while entity_uuid(dataset, key, generation) in taken:
        generation += 1
    return entity_uuid(dataset, key, generation)


def deleted_uuids(api: CentralApi, *, dataset: str) -> set[str]:
    """The UUIDs of the list's deleted entities, which Central refuses to give again."""
    listing = api.request(
        _("the reading of the entities of the list %(dataset)s") % {"dataset": dataset},
        "GET",
        entity_url(api, dataset),
        params={"deleted": "true"},
    ).json()
    return {str(item["uuid"]).removeprefix("uuid:") for item in listing if item.get("deletedAt")}


def differs(entry: Entry, remote: Remote) -> bool:
    return entry.label != remote.label or any(remote.data.get(k, "") != v for k, v in entry.data.items())


def entity_url(api: CentralApi, dataset: str, entity: str = "") -> str:
    return api.project_url(f"/datasets/{dataset}/entities" + (f"/{entity}" if entity else ""))


def ensure_dataset(api: CentralApi, *, dataset: str, columns: list[str]) -> None:
    """The entity list and each of its properties, created when missing."""
    what = _("the entity lists of the project")
    found = api.request(what, "GET", api.project_url("/datasets"), allow=(404,))
    if found.status_code == 404:
        raise EntityListsUnsupported(unsupported_message())
    if dataset not in {item.get("name") for item in found.json()}:
        created = api.request(
            _("the creation of the entity list %(dataset)s") % {"dataset": dataset},
            "POST",
            api.project_url("/datasets"),
            json={"name": dataset},
            allow=(404, 405, 409),  # 409: created meanwhile by another run, which is what was wanted
        )
        if created.status_code in (404, 405):
            raise EntityListsUnsupported(unsupported_message())
    detail = api.request(
        _("the reading of the entity list %(dataset)s") % {"dataset": dataset},
        "GET",
        api.project_url(f"/datasets/{dataset}"),
    ).json()
    known = {item.get("name") for item in detail.get("properties") or []}
    for column in columns:
        if column in known:
            continue
        added = api.request(
            _("the property %(property)s of the entity list %(dataset)s")
            % {"property": column, "dataset": dataset},
            "POST",
            api.project_url(f"/datasets/{dataset}/properties"),
            json={"name": column},
            allow=(404, 405, 409),
        )
        if added.status_code in (404, 405):
            raise EntityListsUnsupported(unsupported_message())


def unsupported_message() -> str:
    return _(
        "ODK Central has no entity lists API (a version older than 2024.1): update Central to change the "
        "choice lists without a new form version."
    )


def read_entities(api: CentralApi, *, dataset: str) -> tuple[dict[str, Remote], list[str]]:
    """The list's entities with their data and version, by key, from the OData feed (the REST listing has no
    data; deleted entities are left out), and the UUIDs of those that are no row of Kinga's (no key, or a second
    entity with the same key)."""
    what = _("the reading of the entities of the list %(dataset)s") % {"dataset": dataset}
    url: str | None = api.project_url(f"/datasets/{dataset}.svc/Entities")
    found: dict[str, Remote] = {}
    strays = []
    while url:
        page = api.request(what, "GET", url).json()
        for item in page.get("value", []):
            data = {
                k: "" if v is None else str(v)
                for k, v in item.items()
                if not k.startswith(("__", "@")) and k != "label"
            }
            key = data.get(VALUE_COLUMN, "")
            if not key or key in found:
                strays.append(item["__id"])
                continue
            found[key] = Remote(item["__id"], item.get("label") or "", data, int(item["__system"]["version"]))
        url = page.get("@odata.nextLink")
    return found, strays


def create(api: CentralApi, *, dataset: str, batch: list[tuple[str, Entry]], source: str) -> None:
    api.request(
        _("the creation of %(count)d entities in the list %(dataset)s")
        % {"count": len(batch), "dataset": dataset},
        "POST",
        entity_url(api, dataset),
        json={
            "entities": [{"uuid": key, "label": e.label, "data": e.data} for key, e in batch],
            "source": {"name": f"Kinga {source}", "size": len(batch)},
        },
    )


def update(api: CentralApi, *, dataset: str, entry: Entry, remote: Remote) -> bool:
    """Writes the entry over the version read; on a conflict (409: changed in Central since), reads it again and
    writes once more over the new version. False when it already says what Kinga says."""
    what = _("the update of an entity of the list %(dataset)s") % {"dataset": dataset}
    url = entity_url(api, dataset, remote.uuid)
    body = {"label": entry.label, "data": entry.data}
    written = api.request(what, "PATCH", url, params={"baseVersion": remote.version}, json=body, allow=(409,))
    if written.status_code != 409:
        return True
    version = api.request(what, "GET", url).json()["currentVersion"]
    now = Remote(remote.uuid, version.get("label") or "", version.get("data") or {}, version["version"])
    if not differs(entry, now):
        return False
    again = api.request(
        what, "PATCH", url, params={"baseVersion": version["version"]}, json=body, allow=(409,)
    )
    if again.status_code == 409:
        raise PublishError(
            _(
                "ODK Central: the entity “%(label)s” of the list %(dataset)s keeps being changed in Central while "
                "Kinga updates it (version conflict twice). Nothing was overwritten: run the command again."
            )
            % {"label": entry.label, "dataset": dataset}
        )
    return True
