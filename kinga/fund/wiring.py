"""The fund app's registrations at start-up: wire() is called once by its AppConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from kinga.core import access, plugins
from kinga.fund import api, indicators, scopes, synth  # noqa: F401  (indicators registers its sources when imported)
from kinga.fund.models import (
    Account,
    Commission,
    CommissionMember,
    Decision,
    Disbursement,
    DisbursementDocument,
    Fund,
    Receipt,
    Repayment,
    RetrocessionRate,
    Session,
)


def wire() -> None:
    access.register(RetrocessionRate, scope=access.unscoped, view_permission="fund.view")
    access.register(Fund, scope=scopes.fund_records(), view_permission="fund.view")
    for model in (Account, Receipt, Commission):
        access.register(model, scope=scopes.fund_records("fund__"), view_permission="fund.view")
    access.register(
        CommissionMember, scope=scopes.fund_records("commission__fund__"), view_permission="fund.view"
    )
    access.register(Session, scope=scopes.fund_records("commission__fund__"), view_permission="fund.view")
    access.register(
        Decision, scope=scopes.fund_records("session__commission__fund__"), view_permission="fund.view"
    )
    access.register(Disbursement, scope=scopes.disbursement_records(), view_permission="fund.view")
    for model in (DisbursementDocument, Repayment):
        access.register(
            model, scope=scopes.disbursement_records("disbursement__"), view_permission="fund.view"
        )
    api.register()
    plugins.register_synth_generator("fund", synth.generate, order=95)
    plugins.register_nav(_("Support fund"), "fund:home", permission="fund.view", order=75)
