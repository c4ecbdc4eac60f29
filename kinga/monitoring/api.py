"""The dashboard's figures as JSON: GET /api/v1/monitoring/dashboard/?period=2026Q3&territory=CD7201.

The same selector as the page, so the API and the page never disagree; counts only. A bad period or territory
answers 400 with a French message on the field."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kinga.core import access, api_periods, periods
from kinga.core.api_base import HasPermission, ScopedViewSetMixin, create_through_service
from kinga.monitoring import selectors, services
from kinga.monitoring.models import Report, ReportFormat, ReportLanguage, ReportStatus


class DashboardFigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True, coerce_to_string=False)


class DashboardMoneySerializer(serializers.Serializer):
    planned = serializers.DecimalField(max_digits=20, decimal_places=2, coerce_to_string=False)
    committed = serializers.DecimalField(max_digits=20, decimal_places=2, coerce_to_string=False)
    disbursed = serializers.DecimalField(max_digits=20, decimal_places=2, coerce_to_string=False)
    spent = serializers.DecimalField(max_digits=20, decimal_places=2, coerce_to_string=False)


class DashboardAxisBudgetSerializer(DashboardMoneySerializer):
    axis = serializers.IntegerField()
    title = serializers.CharField()


class DashboardSitesQuarterSerializer(serializers.Serializer):
    quarter = serializers.CharField()
    by_status = serializers.DictField(child=serializers.IntegerField())


class DashboardIndicatorSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    code = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    in_period = serializers.DecimalField(
        max_digits=20, decimal_places=4, allow_null=True, coerce_to_string=False
    )
    to_date = serializers.DecimalField(
        max_digits=20, decimal_places=4, allow_null=True, coerce_to_string=False
    )
    expected = serializers.DecimalField(
        max_digits=20, decimal_places=4, allow_null=True, coerce_to_string=False
    )
    target = serializers.DecimalField(
        max_digits=20, decimal_places=4, allow_null=True, coerce_to_string=False
    )
    target_date = serializers.DateField(allow_null=True)
    percent_of_expected = serializers.IntegerField(allow_null=True)
    light = serializers.ChoiceField(choices=list(selectors.LIGHT_LABELS))


class DashboardSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="2026Q3, 2026, 202609 or plan")
    period_label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    territory = serializers.CharField(allow_null=True, help_text="ADM2 p-code; null: the whole province")
    organisation_only = serializers.BooleanField(help_text="figures count the caller's organisation only")
    children = DashboardFigureSerializer(many=True)
    alerts = DashboardFigureSerializer(many=True)
    alerts_in_time_percent = serializers.IntegerField(allow_null=True)
    sites_by_status = serializers.DictField(child=serializers.IntegerField())
    sites_by_quarter = DashboardSitesQuarterSerializer(many=True)
    households = DashboardFigureSerializer(many=True)
    budget_by_axis = DashboardAxisBudgetSerializer(many=True)
    budget_total = DashboardMoneySerializer()
    indicators = DashboardIndicatorSerializer(many=True)


def _money(money) -> dict:
    return {k: getattr(money, k) for k in ("planned", "committed", "disbursed", "spent")}


def _figures(figures) -> list[dict]:
    return [{"key": f.key, "label": f.label, "value": f.value} for f in figures]


def as_json(board: selectors.Dashboard) -> dict:
    return {
        "period": board.period.iso,
        "period_label": board.period.label,
        "start": board.period.start,
        "end": board.period.end,
        "territory": board.territory.pcode if board.territory is not None else None,
        "organisation_only": board.organisation_scoped,
        "children": _figures(board.children),
        "alerts": _figures(board.alerts),
        "alerts_in_time_percent": board.alerts_in_time_percent,
        "sites_by_status": board.sites_now,
        "sites_by_quarter": [{"quarter": label, "by_status": c} for label, c in board.sites_history],
        "households": _figures(board.households),
        "budget_by_axis": [
            {"axis": row["axis"].number, "title": row["axis"].title, **_money(row["money"])}
            for row in board.budget
        ],
        "budget_total": _money(board.budget_total),
        "indicators": [
            {
                "uuid": row.indicator.uuid,
                "code": row.indicator.code,
                "label": row.indicator.label_fr,
                "unit": row.indicator.unit,
                "in_period": row.in_period,
                "to_date": row.to_date,
                "expected": row.expected,
                "target": row.next_target,
                "target_date": row.next_target_date,
                "percent_of_expected": row.percent,
                "light": row.light,
            }
            for row in board.indicators
        ],
    }


# Query parameters of every monitoring figure: ?period= and ?territory= (kinga.core.api_periods).
PERIOD_AND_TERRITORY = [api_periods.period_parameter(), api_periods.TERRITORY_PARAMETER]


def period_and_territory(request, actor, *, default: str = periods.QUARTER):
    """The period and territory asked for; both refused at once with field-level errors (400)."""
    return api_periods.period_and_territory(
        request, default=default, territory=lambda pcode: selectors.territory_by_pcode(actor, pcode)
    )


class DashboardViewSet(viewsets.ViewSet):
    """The province dashboard's figures for a period and a territory (counts only)."""

    permission_classes = [HasPermission]

    def permission_for(self, action):
        return selectors.PERMISSION

    @extend_schema(
        parameters=PERIOD_AND_TERRITORY,
        responses=DashboardSerializer,
    )
    def list(self, request):
        actor = access.actor_from_request(request)
        period, territory = period_and_territory(request, actor)
        board = selectors.dashboard(actor, period=period, territory=territory)
        return Response(DashboardSerializer(as_json(board)).data)


# --- the plan's reports: GET/POST /api/v1/monitoring/reports/, GET .../{uuid}/download/ ---------------------


class ReportSerializer(serializers.ModelSerializer):
    format = serializers.CharField(read_only=True, help_text="pdf or xlsx")
    territory = serializers.SlugRelatedField(
        slug_field="pcode",
        read_only=True,
        help_text="ADM2 p-code of the report's territory; null: the province",
    )
    download = serializers.SerializerMethodField(help_text="URL of the file once status is done; else null")

    class Meta:
        model = Report
        fields = [
            "uuid",
            "kind",
            "period",
            "territory",
            "language",
            "format",
            "status",
            "progress",
            "step",
            "size",
            "error",
            "created_at",
            "finished_at",
            "download",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download(self, report) -> str | None:
        if report.status != ReportStatus.DONE:
            return None
        request = self.context.get("request")
        url = reverse("monitoring-report-download", kwargs={"uuid": report.uuid})
        return request.build_absolute_uri(url) if request else url


class ReportRequestSerializer(serializers.Serializer):
    period = serializers.CharField(max_length=8, help_text="a quarter (2026Q3) or a year (2026)")
    format = serializers.ChoiceField(choices=ReportFormat.choices)
    language = serializers.ChoiceField(choices=ReportLanguage.choices, default=ReportLanguage.FR)
    territory = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="ADM2 p-code; empty: the province",
    )


class ReportViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The plan's quarterly and annual reports: request one (built in the background), follow its status and
    progress, download its file once done (each download is an export in the audit log). Counts only."""

    model = Report
    serializer_class = ReportSerializer
    permissions_by_action = {"*": selectors.REPORTS_PERMISSION}

    def scoped_queryset(self):
        return selectors.reports(self.actor)

    @extend_schema(request=ReportRequestSerializer, responses={201: ReportSerializer})
    def create(self, request, *args, **kwargs):
        actor = self.actor

        def save(data):
            report = services.request_report(
                actor=actor,
                period=data["period"],
                fmt=data["format"],
                language=data["language"],
                territory=data["territory"],
            )
            report.refresh_from_db(fields=["status", "progress", "step", "size", "error", "finished_at"])
            return report

        return create_through_service(
            ReportRequestSerializer,
            request.data,
            save,
            answer=lambda report: ReportSerializer(report, context={"request": request}),
        )

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        description="The report's file (PDF or XLSX); 404 while it is not ready or when it failed.",
    )
    @action(detail=True, methods=["get"])
    def download(self, request, uuid=None):
        actor = self.actor
        report = selectors.downloadable(actor, uuid)
        services.record_download(actor=actor, report=report)
        content_type = (
            "application/pdf"
            if report.format == "pdf"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response = HttpResponse(bytes(report.content), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
        return response
