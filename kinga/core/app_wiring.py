"""The one way a Kinga app is wired (every apps.py: `class XConfig(app_wiring.KingaAppConfig)`)."""

from importlib import import_module

from django.apps import AppConfig


class KingaAppConfig(AppConfig):
    """Once the models are loaded, ready() calls `<app>.wiring.wire()`, which registers what the app plugs into
    the core: access rules, event subscriptions, navigation, API routes, indicator sources, reference loaders,
    synthetic data. docs/architecture.md tables them per app.

    Imported as a module attribute (`from kinga.core import app_wiring`), never by name: Django picks an app's
    configuration among the AppConfig classes named in its apps.py, and there must be only the app's own."""

    def ready(self) -> None:
        # By name: wiring imports the app's models, which the app registry loads only after apps.py.
        import_module(f"{self.name}.wiring").wire()
