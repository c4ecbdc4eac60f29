"""The messaging app's registrations at start-up: wire() is called once by its AppConfig.ready().

The app sits at the top of the layers (pyproject.toml, import-linter) beside monitoring and field: it subscribes to
the other apps' events to notify people (SMS, e-mail) and receives coded SMS/USSD alerts through the community
app's services."""


def wire() -> None:
    pass
