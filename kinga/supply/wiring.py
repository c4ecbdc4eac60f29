"""The supply app's registrations at start-up: wire() is called once by its AppConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from kinga.core import access, memo, plugins
from kinga.supply import (  # noqa: F401  (indicators registers its sources when imported)
    api,
    api_partners,
    home,
    indicators,
    report,
    scopes,
    selectors,
    services,
    synth,
    synth_partners,
)
from kinga.supply.models import (
    Breach,
    CooperativeDocument,
    DocumentType,
    EvacuationAuthorisation,
    Lot,
    Miner,
    Production,
    SocialCommitment,
    SourcingAgreement,
    VerificationVisit,
)


def wire() -> None:
    memo.register_figure(selectors.LOTS_BY_STATUS, apps=("supply.Lot",))
    memo.register_figure(selectors.PRODUCTION_FIGURES, apps=("supply.Production", "sites.Site"))
    memo.register_figure(report.DUE_DILIGENCE_FIGURES, apps=report.DUE_DILIGENCE_SOURCES)
    access.register(DocumentType, scope=access.unscoped, view_permission="supply.view")
    access.register(CooperativeDocument, scope=scopes.cooperative_records(), view_permission="supply.view")
    access.register(Miner, scope=scopes.cooperative_records(), view_permission="supply.view")
    access.register(Production, scope=scopes.cooperative_records(), view_permission="supply.view")
    access.register(Lot, scope=scopes.lots(), view_permission="supply.view")
    access.register(EvacuationAuthorisation, scope=scopes.lots("lot__"), view_permission="supply.view")
    access.register(SourcingAgreement, scope=scopes.agreement_records(), view_permission="supply.view")
    for model in (VerificationVisit, Breach):
        access.register(model, scope=scopes.agreement_records("agreement__"), view_permission="supply.view")
    access.register(SocialCommitment, scope=scopes.commitment_records, view_permission="supply.view")
    api.register()
    api_partners.register()
    plugins.register_synth_generator("supply", synth.generate, order=90)
    plugins.register_synth_generator("supply-partners", synth_partners.generate, order=92)
    plugins.register_demo_handover("supply", synth.demo_handover, order=90)
    home.register_panels()
    plugins.register_nav(_("Supply chain"), "supply:home", permission="supply.view", order=70)
    plugins.register_reference_loader("supply.document_types", services.load_default_document_types, order=80)
