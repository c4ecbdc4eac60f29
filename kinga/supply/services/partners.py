"""Writes of the agreements between buyers and their suppliers and of the companies' commitments: atomic, audited,
keyword-only; refusals are ValidationError({field: [message]}), a missing permission PermissionDenied. A company's
officer records only their own company's; the coordination and the site inspectors any company's."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock, uploads
from kinga.core.access import Actor
from kinga.core.models import Organisation, OrganisationType, Place
from kinga.sites.models import Site
from kinga.supply.models import (
    AgreementStatus,
    Breach,
    BreachResponse,
    Clause,
    CommitmentStatus,
    CommitmentTheme,
    Finding,
    SocialCommitment,
    SourcingAgreement,
    VerificationVisit,
)
from kinga.supply.scopes import province_wide

RECORD = "supply.record_agreements"


def _for_company(actor: Actor, company: Organisation, field: str) -> None:
    access.require(actor, RECORD)
    if company.type != OrganisationType.COMPANY:
        raise ValidationError({field: [_("Choose a company.")]})
    if not province_wide(actor) and company.pk != actor.organisation_id:
        raise PermissionDenied(_("You record only your own company's agreements and commitments."))


def _not_future(day: datetime.date | None, field: str) -> None:
    if day is not None and day > clock.today():
        raise ValidationError({field: [_("The date cannot be in the future.")]})


def _save_new(actor: Actor, obj, **extra) -> None:
    obj.full_clean()
    obj.save()
    audit.record_create(actor=actor, obj=obj, **extra)


@transaction.atomic
def record_agreement(
    *,
    actor: Actor,
    buyer: Organisation,
    reference: str,
    signed_on: datetime.date,
    starts_on: datetime.date,
    clauses: Sequence[str],
    ends_on: datetime.date | None = None,
    other_clauses: str = "",
    cooperative: Organisation | None = None,
    sites: Sequence[Site] = (),
) -> SourcingAgreement:
    """An agreement between a buyer and a cooperative or the sites it buys from, with its child-labour clauses."""
    _for_company(actor, buyer, "buyer")
    _not_future(signed_on, "signed_on")
    errors: dict[str, list[str]] = {}
    if cooperative is not None and cooperative.type != OrganisationType.COOPERATIVE:
        errors["cooperative"] = [_("Choose a cooperative.")]
    sites = list(sites)
    if cooperative is None and not sites:
        errors["cooperative"] = [_("Name the cooperative or at least one site.")]
    unknown = [c for c in clauses if c not in Clause.values]
    if unknown:
        errors["clauses"] = [_("Unknown clause.")]
    if not clauses and not other_clauses.strip():
        errors["clauses"] = [_("An agreement here carries at least one child-labour clause.")]
    if starts_on < signed_on:
        errors["starts_on"] = [_("It cannot come into force before it was signed.")]
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = [_("It cannot end before it comes into force.")]
    if not reference.strip():
        errors["reference"] = [_("This field is required.")]
    elif SourcingAgreement.objects.filter(buyer=buyer, reference=reference.strip()).exists():
        errors["reference"] = [_("This company already has an agreement with this reference.")]
    if errors:
        raise ValidationError(errors)
    agreement = SourcingAgreement(
        reference=reference.strip(),
        buyer=buyer,
        cooperative=cooperative,
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
        clauses=[c for c in Clause.values if c in set(clauses)],
        other_clauses=other_clauses.strip(),
        recorded_by=actor.user,
    )
    _save_new(actor, agreement, extra_changes={"sites": sorted(str(s.uuid) for s in sites)})
    agreement.sites.set(sites)
    return agreement


@transaction.atomic
def record_visit(
    *,
    actor: Actor,
    agreement: SourcingAgreement,
    date: datetime.date,
    finding: str,
    children_found: int = 0,
    notes: str = "",
    site: Site | None = None,
) -> VerificationVisit:
    """A verification visit on the ground, by the actor's organisation: what it found, children as a count."""
    _for_company(actor, agreement.buyer, "agreement")
    _not_future(date, "date")
    if actor.organisation_id is None:
        raise PermissionDenied(_("Only a member of an organisation records a visit."))
    if finding not in Finding.values:
        raise ValidationError({"finding": [_("Unknown finding.")]})
    if children_found < 0:
        raise ValidationError({"children_found": [_("A count cannot be negative.")]})
    if children_found and finding == Finding.COMPLIANT:
        raise ValidationError({"finding": [_("Children found at work: the clauses were not respected.")]})
    if date < agreement.signed_on:
        raise ValidationError({"date": [_("The visit cannot come before the agreement was signed.")]})
    if site is not None and not agreement.sites.filter(pk=site.pk).exists():
        raise ValidationError({"site": [_("This site is not covered by the agreement.")]})
    visit = VerificationVisit(
        agreement=agreement,
        site=site,
        date=date,
        visited_by=actor.organisation,
        finding=finding,
        children_found=children_found,
        notes=notes.strip(),
        recorded_by=actor.user,
    )
    _save_new(actor, visit)
    return visit


# What a response does to the agreement itself.
_AGREEMENT_AFTER = {
    BreachResponse.PURCHASES_SUSPENDED: AgreementStatus.SUSPENDED,
    BreachResponse.TERMINATED: AgreementStatus.ENDED,
}


@transaction.atomic
def record_breach(
    *,
    actor: Actor,
    agreement: SourcingAgreement,
    noticed_on: datetime.date,
    description: str,
    response: str,
    response_on: datetime.date | None = None,
    clause: str = "",
    children_involved: int = 0,
    visit: VerificationVisit | None = None,
) -> Breach:
    """A breach of the agreement and what followed; suspending purchases suspends the agreement, terminating it
    ends it."""
    _for_company(actor, agreement.buyer, "agreement")
    _not_future(noticed_on, "noticed_on")
    _not_future(response_on, "response_on")
    errors: dict[str, list[str]] = {}
    if clause and clause not in agreement.clauses:
        errors["clause"] = [_("This clause is not in the agreement.")]
    if response not in BreachResponse.values:
        errors["response"] = [_("Unknown response.")]
    elif response != BreachResponse.NONE_YET and response_on is None:
        errors["response_on"] = [_("Give the date of what followed.")]
    if response_on is not None and response_on < noticed_on:
        errors["response_on"] = [_("What followed cannot come before the breach was noticed.")]
    if not description.strip():
        errors["description"] = [_("This field is required.")]
    if children_involved < 0:
        errors["children_involved"] = [_("A count cannot be negative.")]
    if visit is not None and visit.agreement_id != agreement.pk:
        errors["visit"] = [_("This visit is another agreement's.")]
    if errors:
        raise ValidationError(errors)
    breach = Breach(
        agreement=agreement,
        visit=visit,
        noticed_on=noticed_on,
        clause=clause,
        description=description.strip(),
        children_involved=children_involved,
        response=response,
        response_on=response_on if response != BreachResponse.NONE_YET else None,
        recorded_by=actor.user,
    )
    _save_new(actor, breach)
    status = _AGREEMENT_AFTER.get(response)
    if status and agreement.status != status:
        before = audit.snapshot(agreement, ["status"])
        agreement.status = status
        agreement.save(update_fields=["status"])
        audit.record_update(actor=actor, obj=agreement, before=before)
    return breach


@transaction.atomic
def resolve_breach(*, actor: Actor, breach: Breach, resolved_on: datetime.date) -> Breach:
    _for_company(actor, breach.agreement.buyer, "agreement")
    _not_future(resolved_on, "resolved_on")
    if breach.resolved_on is not None:
        raise ValidationError({"resolved_on": [_("This breach is already resolved.")]})
    if resolved_on < breach.noticed_on:
        raise ValidationError({"resolved_on": [_("It cannot be resolved before it was noticed.")]})
    before = audit.snapshot(breach, ["resolved_on"])
    breach.resolved_on = resolved_on
    breach.save(update_fields=["resolved_on"])
    audit.record_update(actor=actor, obj=breach, before=before)
    return breach


@transaction.atomic
def record_commitment(
    *,
    actor: Actor,
    company: Organisation,
    commitment: str,
    theme: str,
    child_protection: str,
    deadline: datetime.date,
    amount_usd: Decimal | None = None,
    place: Place | None = None,
) -> SocialCommitment:
    """A line of the company's cahier des charges, with what it changes for the children."""
    _for_company(actor, company, "company")
    errors: dict[str, list[str]] = {}
    if theme not in CommitmentTheme.values:
        errors["theme"] = [_("Unknown theme.")]
    if not commitment.strip():
        errors["commitment"] = [_("This field is required.")]
    if not child_protection.strip():
        errors["child_protection"] = [_("Say how it bears on child protection.")]
    if amount_usd is not None and amount_usd < 0:
        errors["amount_usd"] = [_("An amount cannot be negative.")]
    if errors:
        raise ValidationError(errors)
    line = SocialCommitment(
        company=company,
        commitment=commitment.strip(),
        theme=theme,
        child_protection=child_protection.strip(),
        deadline=deadline,
        amount_usd=amount_usd,
        place=place,
        recorded_by=actor.user,
    )
    _save_new(actor, line)
    return line


@transaction.atomic
def update_commitment(
    *,
    actor: Actor,
    commitment: SocialCommitment,
    status: str,
    done_on: datetime.date | None = None,
    evidence: UploadedFile | None = None,
    evidence_note: str = "",
) -> SocialCommitment:
    """Where a commitment stands; "done" needs its date and its evidence (a file or a description)."""
    _for_company(actor, commitment.company, "company")
    if status not in CommitmentStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    _not_future(done_on, "done_on")
    if evidence:
        try:
            uploads.validate_document(evidence)
        except ValidationError as exc:
            raise ValidationError({"evidence": exc.messages}) from None
    before = audit.snapshot(commitment, ["status", "done_on", "evidence", "evidence_note"])
    commitment.status = status
    commitment.done_on = done_on if status == CommitmentStatus.DONE else None
    if evidence:
        commitment.evidence = evidence
    if evidence_note.strip():
        commitment.evidence_note = evidence_note.strip()
    if status == CommitmentStatus.DONE:
        if commitment.done_on is None:
            raise ValidationError({"done_on": [_("Give the date it was done.")]})
        if not commitment.evidence and not commitment.evidence_note:
            raise ValidationError(
                {"evidence": [_("A commitment done shows its evidence: a file or a description.")]}
            )
    commitment.full_clean()
    commitment.save(update_fields=["status", "done_on", "evidence", "evidence_note"])
    audit.record_update(actor=actor, obj=commitment, before=before)
    return commitment
