"""API fuzzing (schemathesis): whatever a client sends to any route of the OpenAPI document, the server never
answers 5xx. Generated strings include NUL bytes and integers of any size; format suffixes, NUL and huge
values are also crawled deterministically over every route in test_bad_input.py.

Marked `fuzz`: .ci/run runs it in the PostgreSQL pass only (it takes a while)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from kinga.core.roles import Role
from kinga.core.services import create_api_token
from kinga.core.testing import actor_of, enrol_totp, make_member, make_organisation
from kinga.wsgi import application

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]
CORE_PATHS = r"^/api/v1/(places|organisations|members|tokens|audit|me)/"
EXAMPLES = 10


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django's handler closes the connection after each request; the test client disconnects that, and so
    must we (the requests run inside the test's transaction)."""

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(reference_places):
    admin = make_member(make_organisation(), Role.ADMIN)
    enrol_totp(admin.user)  # administrators must have a second factor, for the API too
    make_member(admin.organisation, Role.SUPERVISOR)
    _token, key = create_api_token(actor=actor_of(admin), name="fuzz")
    return key


def _schema():
    """The OpenAPI document /api/schema/ serves, generated in-process (no request needed)."""
    with GENERATOR_STATS.silence():  # other apps' schema warnings are reported by `kinga check --deploy`
        document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = application  # calls go through Django's WSGI handler, in the test's transaction
    return loaded


schema = _schema()


@schema.include(path_regex=CORE_PATHS).parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_core_api_never_answers_a_server_error(case, admin_token):
    case.call_and_validate(headers={"Authorization": f"Token {admin_token}"}, checks=[not_a_server_error])


@schema.exclude(path_regex=CORE_PATHS).parametrize()
@settings(
    max_examples=EXAMPLES // 2,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_every_app_api_never_answers_a_server_error(case, admin_token):
    case.call_and_validate(headers={"Authorization": f"Token {admin_token}"}, checks=[not_a_server_error])
