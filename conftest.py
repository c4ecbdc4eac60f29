import pytest

from kinga.core.models import Place


@pytest.fixture
def reference_places(db):
    from kinga.core.reference import load_places

    load_places()
    return Place.objects


@pytest.fixture
def lualaba(reference_places):
    return Place.objects.get(pcode="CD72")


@pytest.fixture
def kolwezi(reference_places):
    return Place.objects.get(pcode="CD7201")


CHROMIUM = "/usr/bin/chromium"


def pytest_addoption(parser):
    parser.addoption(
        "--run-browser",
        action="store_true",
        help="Browser tests must run (fail instead of skipping without chromium).",
    )


def pytest_collection_modifyitems(config, items):
    import os

    if os.path.exists(CHROMIUM) or config.getoption("--run-browser"):
        return
    skip = pytest.mark.skip(
        reason=f"browser test skipped: {CHROMIUM} is not installed (apt-get install chromium)"
    )
    skipped = 0
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
            skipped += 1
    if skipped:
        config.issue_config_time_warning(
            pytest.PytestWarning(f"{skipped} browser test(s) skipped: {CHROMIUM} is not installed"),
            stacklevel=2,
        )
