import csv
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from kinga.core.models import AuditEvent, Place
from kinga.core.roles import Role
from kinga.core.testing import actor_of, make_member, make_organisation, shared_path
from kinga.sites import services
from kinga.sites.models import Inspection, Site, StatusChange
from kinga.sites.services.ipis import import_ipis

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "ipis_sample.csv"
REAL_PARTS = ("data", "ipis", "cod_mines_curated_all_opendata_p_ipis.csv")


@pytest.fixture
def admin(reference_places):
    return actor_of(make_member(make_organisation(), Role.ADMIN))


def test_sample_import_keeps_what_ipis_says_and_rejects_with_reasons(admin, tmp_path):
    rejects = tmp_path / "rejets.csv"
    result = import_ipis(SAMPLE, actor=admin, rejects_path=rejects, accept_rejections=True)
    reasons = {r["vid"]: r["reason"] for r in csv.DictReader(rejects.open(encoding="utf-8"))}
    assert set(reasons) == {"999991", "999992", "999993", result.rejected[3]["vid"]}
    assert "pcode" in reasons["999991"] and "date" in reasons["999992"] and "Atlantide" in reasons["999993"]
    assert "double" in result.rejected[3]["reason"]
    # Lualaba sites stay under Mutshatsha or Lubudi as IPIS files them
    lualaba = Site.objects.filter(territory__pcode__startswith="CD72")
    assert lualaba.exists() and set(lualaba.values_list("territory__name", flat=True)) <= {
        "Mutshatsha",
        "Lubudi",
    }
    # an unmatched territory places the site at province level, with a warning, not a rejection
    wlikale = (
        Site.objects.filter(place_warning__icontains="Wlikale").first()
        or Site.objects.filter(place_warning__icontains="Walungu").first()
    )
    assert wlikale is not None and wlikale.place.level == 1 and wlikale.territory is None
    # invalid coordinates: the visit is kept, the coordinates dropped, a warning given
    assert Site.objects.get(code="codmine99995").latitude is None
    assert any("codmine99995" in w for w in result.warnings)
    # two visits of one site on one date are two visits
    assert Inspection.objects.filter(site__code="codmine00312", source="ipis").count() == 2
    # official qualification kept apart from Kinga's status
    red = Site.objects.exclude(qualification="").first()
    assert red is not None and red.qualification_date and red.qualification_source.startswith("IPIS")
    # child presence is a flag; counts by sex stay unknown
    child_visit = Inspection.objects.filter(children_seen=True).first()
    assert child_visit.boys_under_15 is None and child_visit.girls_15_17 is None
    offsite = Inspection.objects.filter(onsite=False).first()
    assert offsite is not None
    assert AuditEvent.objects.filter(target_type="sites.ipis_import").exists()


def test_a_second_run_changes_nothing(admin):
    import_ipis(SAMPLE, actor=admin, accept_rejections=True)
    counts = (Site.objects.count(), Inspection.objects.count(), StatusChange.objects.count())
    result = import_ipis(SAMPLE, actor=admin, accept_rejections=True)
    assert not result.changed and result.unchanged == Inspection.objects.count()
    assert counts == (Site.objects.count(), Inspection.objects.count(), StatusChange.objects.count())


def test_a_place_corrected_by_a_user_survives_a_new_import(admin):
    import_ipis(SAMPLE, actor=admin, accept_rejections=True)
    site = Site.objects.filter(territory__pcode__startswith="CD72").first()
    kolwezi = Place.objects.get(pcode="CD7201")
    services.update_site(actor=admin, site=site, place=kolwezi)
    import_ipis(SAMPLE, actor=admin, accept_rejections=True)
    site.refresh_from_db()
    assert site.place == kolwezi and site.territory == kolwezi


def test_the_command_and_its_permission(admin, tmp_path, capsys):
    rejects = tmp_path / "r.csv"
    call_command("sites", "import-ipis", str(SAMPLE), "--rejects", str(rejects), "--accept-rejections")
    out = capsys.readouterr()
    assert "rejetées" in out.out and "ipisresearch.be" in out.out and "rejet ligne" in out.err
    assert rejects.exists()
    viewer = make_member(make_organisation(), Role.VIEWER)

    with pytest.raises(PermissionDenied):
        call_command("sites", "import-ipis", str(SAMPLE), "--actor", viewer.user.email)
    with pytest.raises(CommandError):
        call_command("sites", "import-ipis", str(tmp_path / "absent.csv"))


def test_the_real_file_loads_3409_sites_and_a_second_run_changes_nothing(admin, tmp_path):
    real = shared_path(*REAL_PARTS)
    result = import_ipis(real, actor=admin, rejects_path=tmp_path / "rejects.csv")
    assert Site.objects.filter(source="ipis").count() == 3409
    assert Inspection.objects.filter(source="ipis").count() + len(result.rejected) == 6955
    assert Inspection.objects.filter(source="ipis", onsite=False).count() == 1083
    assert Site.objects.exclude(place_warning="").count() >= 5
    again = import_ipis(real, actor=admin)
    assert not again.changed and again.statuses_changed == 0
