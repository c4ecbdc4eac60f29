"""Plug-in points the domain apps fill from their AppConfig.ready(): navigation, API routes, reference
data, synthetic data, the records that follow a child when two children are merged, the home page's panels.

The core never imports a domain app; each app calls these registration functions.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from kinga.core.access import Actor
from kinga.core.actors import system_actor

if TYPE_CHECKING:
    from kinga.core.synth import SynthContext


@dataclass(frozen=True)
class NavItem:
    label: Any  # a lazy translation
    url_name: str
    permission: str
    order: int = 100


_NAV: list[NavItem] = []


def register_nav(label, url_name: str, *, permission: str, order: int = 100) -> None:
    if not any(item.url_name == url_name for item in _NAV):
        _NAV.append(NavItem(label=label, url_name=url_name, permission=permission, order=order))


def nav_items() -> list[NavItem]:
    return sorted(_NAV, key=lambda item: item.order)


@dataclass(frozen=True)
class Loader:
    name: str
    run: Callable[..., Any]
    order: int


_REFERENCE_LOADERS: list[Loader] = []
_SYNTH_GENERATORS: list[Loader] = []


def register_reference_loader(name: str, fn: Callable[..., Any], *, order: int = 100) -> None:
    """fn(*, actor, stdout) loads reference data idempotently (never overwriting what users changed): every
    loader takes exactly these two keywords (the acting user, where to say what it did: None for silence)."""
    if not any(loader.name == name for loader in _REFERENCE_LOADERS):
        _REFERENCE_LOADERS.append(Loader(name=name, run=fn, order=order))


def reference_loaders() -> list[Loader]:
    return sorted(_REFERENCE_LOADERS, key=lambda loader: loader.order)


def run_reference_loaders(*, actor: Actor | None = None, stdout=None) -> None:
    """Run every reference loader in order, as `actor` (default: the system actor)."""
    actor = actor if actor is not None else system_actor()
    for loader in reference_loaders():
        loader.run(actor=actor, stdout=stdout)


def register_synth_generator(name: str, fn: Callable[[SynthContext], Any], *, order: int = 100) -> None:
    """fn(ctx) bulk-inserts this app's synthetic records for ctx.scale; it writes no audit rows."""
    if not any(loader.name == name for loader in _SYNTH_GENERATORS):
        _SYNTH_GENERATORS.append(Loader(name=name, run=fn, order=order))


def synth_generators() -> list[Loader]:
    return sorted(_SYNTH_GENERATORS, key=lambda loader: loader.order)


_DEMO_HANDOVERS: list[Loader] = []


def register_demo_handover(name: str, fn: Callable[..., Any], *, order: int = 100) -> None:
    """fn(*, accounts, stdout) gives the demo accounts (`kinga demo-accounts`; accounts: {"travailleur":
    Membership, ...}) some of the synthetic work of this app, so that each demo home page has something to
    show. Idempotent: it does nothing once the demo account has work."""
    if not any(loader.name == name for loader in _DEMO_HANDOVERS):
        _DEMO_HANDOVERS.append(Loader(name=name, run=fn, order=order))


def demo_handovers() -> list[Loader]:
    return sorted(_DEMO_HANDOVERS, key=lambda loader: loader.order)


_API_ROUTES: list[tuple[str, Any, str]] = []


def register_api(prefix: str, viewset: Any, *, basename: str) -> None:
    """An app's API viewset, served under /api/v1/<prefix>/."""
    if not any(route[0] == prefix for route in _API_ROUTES):
        _API_ROUTES.append((prefix, viewset, basename))


def api_routes() -> list[tuple[str, Any, str]]:
    return list(_API_ROUTES)


@dataclass(frozen=True)
class ChildLink:
    model: str  # "app_label.ModelName"
    field: str  # the foreign key to the child (cases.Child)


_CHILD_LINKS: list[ChildLink] = []


def register_child_link(model: str, field: str) -> None:
    """Rows of `model` whose `field` points at a child follow that child when the registry merges two
    children into one, and go back when the merge is undone. Records that describe the child record itself
    (its name index, its matching profile) are not links: they stay with the record they were made from."""
    link = ChildLink(model=model, field=field)
    if link not in _CHILD_LINKS:
        _CHILD_LINKS.append(link)


def child_links() -> list[ChildLink]:
    return list(_CHILD_LINKS)


# --- Home page panels -------------------------------------------------------------------------------------------
# Each app that owns some work registers a panel for the roles that do it; the home page shows the actor's
# role's panels in order. A panel's build(actor) reads through the app's selectors (scoped, counts in the
# database, lists of ~10 rows) and returns None when it has nothing to say to this actor.


@dataclass(frozen=True)
class HomeLink:
    label: Any  # a translated text
    url: str


@dataclass(frozen=True)
class HomeCount:
    label: Any
    value: int
    url: str = ""
    overdue: bool = False  # shown as work late


@dataclass(frozen=True)
class HomeRow:
    # what the row is about (a case number, a site, a lot): never a child's name for aggregate roles
    label: Any
    url: str = ""  # the work itself
    detail: Any = ""  # a second line: what to do, a proposed reason and note
    date: datetime.date | None = None  # when it is due (or happened)
    overdue: bool = False  # marked late ("en retard")
    flag: Any = ""  # or marked with this warning instead (a site's red status, refused lots)


@dataclass(frozen=True)
class HomePanel:
    title: Any
    rows: Sequence[HomeRow] = ()
    counts: Sequence[HomeCount] = ()
    empty_text: Any = ""  # says what would fill the list when it is empty
    action: HomeLink | None = None  # the main action, shown first
    more: HomeLink | None = None  # "voir tout": the full list page
    template: str = ""  # a template rendered instead of the default one (gets `panel` and `actor`)
    context: dict = field(default_factory=dict)  # extra context for that template
    key: str = ""  # its id on the page (home_panels() gives the registered key when empty)


@dataclass(frozen=True)
class PanelRegistration:
    key: str
    roles: frozenset[str]
    order: int
    build: Callable[[Actor], HomePanel | Sequence[HomePanel] | None]


_HOME_PANELS: list[PanelRegistration] = []


def register_home_panel(
    key: str,
    *,
    roles: Iterable[str],
    order: int,
    build: Callable[[Actor], HomePanel | Sequence[HomePanel] | None],
) -> None:
    """A panel of the home page for the members of `roles`; `build(actor)` returns it (or None: nothing to show),
    or several panels read together (each its own `key`, else `key-1`, `key-2`...)."""
    if not any(reg.key == key for reg in _HOME_PANELS):
        _HOME_PANELS.append(PanelRegistration(key=key, roles=frozenset(roles), order=order, build=build))


def home_panel_registrations() -> list[PanelRegistration]:
    return sorted(_HOME_PANELS, key=lambda reg: (reg.order, reg.key))


def home_panels(actor: Actor) -> list[HomePanel]:
    """The panels of the actor's role, in order (those whose build returned None left out)."""
    panels = []
    for reg in home_panel_registrations():
        if actor.role in reg.roles:
            built = reg.build(actor)
            if built is None:
                continue
            many = [built] if isinstance(built, HomePanel) else list(built)
            for i, panel in enumerate(many):
                panels.append(replace(panel, key=panel.key or (reg.key if i == 0 else f"{reg.key}-{i}")))
    return panels
