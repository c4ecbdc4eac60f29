"""Foundation: login page and home page server time (median and p95 over 200 requests)."""

from django.test import Client


def run(ctx) -> None:
    ctx.time_requests("login page", Client(), "/accounts/login/", n=200)
    ctx.time_requests("home page (caseworker)", ctx.client_for_role("caseworker"), "/", n=200)
