"""Household production and nutrition (plan, axis 1, actions 3.2 and 3.3).

Community micro-finance groups and their revolving funds (members, loans, repayments), what the supported
households harvest and raise, and the nutrition measurements field teams take (children's MUAC, the household's
food-consumption score). Every record points at the household: no name is copied here.
"""

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kinga.core.models import Organisation, Place
from kinga.households.models.households import Household, HouseholdMember
from kinga.households.models.programmes import Enrolment

MONEY = {"max_digits": 12, "decimal_places": 2}

# --- community micro-finance ----------------------------------------------------------------------


class GroupKind(models.TextChoices):
    SAVINGS = "savings", _("Village savings and loan association (AVEC)")
    REVOLVING = "revolving", _("Revolving fund for farm inputs")
    SOLIDARITY = "solidarity", _("Solidarity mutual")


class FinanceGroup(models.Model):
    """A community micro-finance group of one place, run with the support of one organisation. Its fund revolves:
    the capital put in and the repayments are lent again."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=GroupKind.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("supporting organisation"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    place_path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    territory = models.ForeignKey(
        Place, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    formed_on = models.DateField(_("formed on"))
    capital_usd = models.DecimalField(
        _("capital put in (USD)"),
        default=0,
        help_text=_("Members' savings and the grant that seeded the fund."),
        **MONEY,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("micro-finance group")
        verbose_name_plural = _("micro-finance groups")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="finance_group_unique_name"),
            models.CheckConstraint(
                condition=Q(capital_usd__gte=0), name="finance_group_capital_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(FinanceGroup, on_delete=models.CASCADE, related_name="members")
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="finance_groups"
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        ordering = ["joined_on"]
        constraints = [
            models.UniqueConstraint(fields=["group", "household"], name="group_member_once"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")), name="group_member_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group_id}/{self.household_id}"


class LoanPurpose(models.TextChoices):
    INPUTS = "inputs", _("Seeds and fertiliser")
    TOOLS = "tools", _("Farm tools")
    LIVESTOCK = "livestock", _("Livestock")
    TRADE = "trade", _("Small trade")
    SCHOOL = "school", _("School fees")
    OTHER = "other", _("Other")


class Loan(models.Model):
    """A loan of the group's fund to a member household: repaid with its flat interest by the due date."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(FinanceGroup, on_delete=models.PROTECT, related_name="loans")
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="loans"
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=LoanPurpose.choices)
    amount_usd = models.DecimalField(_("amount lent (USD)"), **MONEY)
    interest_percent = models.DecimalField(_("interest (%)"), max_digits=5, decimal_places=2, default=0)
    issued_on = models.DateField(_("lent on"), db_index=True)
    due_on = models.DateField(_("due on"), db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["-issued_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_usd__gt=0), name="loan_amount_positive"),
            models.CheckConstraint(
                condition=Q(interest_percent__gte=0) & Q(interest_percent__lte=100),
                name="loan_interest_range",
            ),
            models.CheckConstraint(condition=Q(due_on__gte=F("issued_on")), name="loan_due_after_issue"),
        ]

    def __str__(self) -> str:
        return f"{self.amount_usd} ({self.issued_on})"

    @property
    def amount_due(self):
        """What the household owes in all: the amount and its flat interest."""
        return (self.amount_usd * (100 + self.interest_percent) / 100).quantize(self.amount_usd)


class LoanRepayment(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="repayments")
    paid_on = models.DateField(_("paid on"))
    amount_usd = models.DecimalField(_("amount paid (USD)"), **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")
        ordering = ["paid_on"]
        constraints = [models.CheckConstraint(condition=Q(amount_usd__gt=0), name="loan_repayment_positive")]

    def __str__(self) -> str:
        return f"{self.amount_usd} ({self.paid_on})"


# --- harvests and livestock -----------------------------------------------------------------------


class ProductionKind(models.TextChoices):
    CROP = "crop", _("Crop")
    LIVESTOCK = "livestock", _("Livestock")


class Product(models.TextChoices):
    MAIZE = "maize", _("Maize")
    CASSAVA = "cassava", _("Cassava")
    BEANS = "beans", _("Beans")
    GROUNDNUTS = "groundnuts", _("Groundnuts")
    SOYBEANS = "soybeans", _("Soybeans")
    SWEET_POTATOES = "sweet_potatoes", _("Sweet potatoes")
    RICE = "rice", _("Rice")
    VEGETABLES = "vegetables", _("Market-garden vegetables")
    GOATS = "goats", _("Goats")
    PIGS = "pigs", _("Pigs")
    POULTRY = "poultry", _("Poultry")
    SHEEP = "sheep", _("Sheep")
    CATTLE = "cattle", _("Cattle")
    FISH = "fish", _("Fish (fish farming)")
    EGGS = "eggs", _("Eggs")
    MILK = "milk", _("Milk")


LIVESTOCK_PRODUCTS = frozenset({"goats", "pigs", "poultry", "sheep", "cattle", "fish", "eggs", "milk"})


class Unit(models.TextChoices):
    KG = "kg", _("kilograms")
    BAG = "bag", _("bags of 50 kg")
    TONNE = "t", _("tonnes")
    HEAD = "head", _("head")
    LITRE = "l", _("litres")
    DOZEN = "dozen", _("dozens")


class Season(models.TextChoices):
    # Lualaba's farming calendar: the main rains (A), the short season after them (B), the dry season (C,
    # market gardens in the valleys).
    A = "A", _("Season A (September–January)")
    B = "B", _("Season B (February–May)")
    C = "C", _("Dry season (June–August)")


class Harvest(models.Model):
    """What a household harvested or raised in a season: a crop (with the area farmed) or livestock."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="harvests"
    )
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("under the programme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="harvests",
    )
    kind = models.CharField(_("crop or livestock"), max_length=12, choices=ProductionKind.choices)
    product = models.CharField(_("product"), max_length=16, choices=Product.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    area_ha = models.DecimalField(
        _("area farmed (ha)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    season = models.CharField(_("season"), max_length=1, choices=Season.choices)
    season_year = models.PositiveSmallIntegerField(_("year of the season"))
    recorded_on = models.DateField(_("recorded on"), db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("harvest")
        verbose_name_plural = _("harvests")
        ordering = ["-recorded_on"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="harvest_quantity_positive"),
            models.CheckConstraint(
                condition=Q(area_ha__isnull=True) | (Q(area_ha__gt=0) & Q(area_ha__lte=100)),
                name="harvest_area_range",
            ),
            models.CheckConstraint(
                condition=Q(kind="crop") | Q(area_ha__isnull=True), name="harvest_area_only_for_crops"
            ),
            models.CheckConstraint(
                condition=Q(season_year__gte=2000) & Q(season_year__lte=2100),
                name="harvest_season_year_range",
            ),
            models.UniqueConstraint(
                fields=["household", "product", "season", "season_year"], name="harvest_once_per_season"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.quantity} {self.unit}"


# --- nutrition ------------------------------------------------------------------------------------

# WFP food consumption score: days (0–7) each food group was eaten in the household over the last 7 days, times
# the group's weight. Field name -> weight.
FOOD_GROUPS = {
    "days_staples": 2,
    "days_pulses": 3,
    "days_vegetables": 1,
    "days_fruit": 1,
    "days_meat_fish": 4,
    "days_milk": 4,
    "days_sugar": 0.5,
    "days_oil": 0.5,
}
FCS_POOR_MAX = 21  # WFP's standard thresholds: ≤ 21 poor, ≤ 35 borderline, above acceptable
FCS_BORDERLINE_MAX = 35


class FoodConsumption(models.TextChoices):
    POOR = "poor", _("Poor")
    BORDERLINE = "borderline", _("Borderline")
    ACCEPTABLE = "acceptable", _("Acceptable")


def _days(label):
    return models.PositiveSmallIntegerField(label, default=0)


class NutritionVisit(models.Model):
    """A field team's nutrition visit to a household: the food eaten over the last 7 days (the score is computed
    from the answers), and the MUAC of the children aged 6 to 59 months."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="nutrition_visits"
    )
    visited_on = models.DateField(_("visited on"), db_index=True)
    days_staples = _days(_("cereals, roots and tubers (days)"))
    days_pulses = _days(_("beans, peas, groundnuts (days)"))
    days_vegetables = _days(_("vegetables and leaves (days)"))
    days_fruit = _days(_("fruit (days)"))
    days_meat_fish = _days(_("meat, fish, eggs, caterpillars (days)"))
    days_milk = _days(_("milk and dairy (days)"))
    days_sugar = _days(_("sugar and honey (days)"))
    days_oil = _days(_("oil and fat (days)"))
    food_score = models.DecimalField(
        _("food consumption score"), max_digits=4, decimal_places=1, editable=False
    )
    food_consumption = models.CharField(
        _("food consumption"), max_length=12, choices=FoodConsumption.choices, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("nutrition visit")
        verbose_name_plural = _("nutrition visits")
        ordering = ["-visited_on"]
        constraints = [
            *(
                models.CheckConstraint(condition=Q(**{f"{f}__lte": 7}), name=f"nutrition_visit_{f}_week")
                for f in FOOD_GROUPS
            ),
            models.CheckConstraint(
                condition=Q(food_score__gte=0) & Q(food_score__lte=112), name="nutrition_visit_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.visited_on}"


class MuacStatus(models.TextChoices):
    SEVERE = "severe", _("Severe acute malnutrition")
    MODERATE = "moderate", _("Moderate acute malnutrition")
    NORMAL = "normal", _("No acute malnutrition")


MUAC_SEVERE_BELOW = 115  # mm, WHO for children of 6 to 59 months
MUAC_MODERATE_BELOW = 125
MUAC_AGE_MONTHS = (6, 59)


class MuacMeasurement(models.Model):
    """A child's mid-upper arm circumference at a visit; the status is computed from it (and from oedema)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    visit = models.ForeignKey(NutritionVisit, on_delete=models.CASCADE, related_name="measurements")
    member = models.ForeignKey(
        HouseholdMember, verbose_name=_("child"), on_delete=models.CASCADE, related_name="muac_measurements"
    )
    age_months = models.PositiveSmallIntegerField(_("age (months)"), editable=False)
    muac_mm = models.PositiveSmallIntegerField(_("MUAC (mm)"))
    oedema = models.BooleanField(_("oedema of both feet"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=MuacStatus.choices, editable=False)

    class Meta:
        verbose_name = _("MUAC measurement")
        verbose_name_plural = _("MUAC measurements")
        constraints = [
            models.UniqueConstraint(fields=["visit", "member"], name="muac_once_per_visit"),
            models.CheckConstraint(
                condition=Q(muac_mm__gte=60) & Q(muac_mm__lte=250), name="muac_plausible_range"
            ),
            models.CheckConstraint(
                condition=Q(age_months__gte=MUAC_AGE_MONTHS[0]) & Q(age_months__lte=MUAC_AGE_MONTHS[1]),
                name="muac_age_band",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.muac_mm} mm"
