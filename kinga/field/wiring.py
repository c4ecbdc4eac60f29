"""The field app's registrations at start-up: wire() is called once by its AppConfig.ready().

The app sits at the top of the layers (pyproject.toml, import-linter) beside monitoring and messaging: it turns
what phones captured offline (KoboToolbox, ODK Collect) into records through the other apps' services, and builds
the XLSForms those phones fill in."""


def wire() -> None:
    pass
