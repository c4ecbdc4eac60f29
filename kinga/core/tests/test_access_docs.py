"""docs/access.md stays in step with kinga/core/roles.py: every permission has its row."""

from pathlib import Path

from kinga.core.roles import MFA_REQUIRED_ROLES, PERMISSIONS, Role

DOC = Path(__file__).resolve().parents[3] / "docs" / "access.md"


def test_every_permission_is_documented():
    text = DOC.read_text()
    missing = sorted(perm for perm in PERMISSIONS if f"`{perm}`" not in text)
    assert not missing, f"Add a row for {missing} to your app's section of docs/access.md"


def test_every_role_is_documented():
    text = DOC.read_text()
    assert all(f"(`{role}`)" in text for role in Role.values)


def test_second_factor_column_matches_the_code():
    rows = [line for line in DOC.read_text().splitlines() if line.startswith("| ") and "(`" in line]
    for role in Role.values:
        row = next(line for line in rows if f"(`{role}`)" in line)
        assert row.rstrip(" |").endswith("required") == (role in MFA_REQUIRED_ROLES), role
