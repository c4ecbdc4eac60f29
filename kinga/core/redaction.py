"""Logs and error reports never print a protected value."""

import logging

from django.views.debug import SafeExceptionReporterFilter

from kinga.core.crypto import ProtectedValue

MASK = "[protégé]"


def _mask(value):
    if isinstance(value, ProtectedValue):
        return MASK
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_mask(v) for v in value)
    return value


class RedactProtectedFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, ProtectedValue):
            record.msg = MASK
        if record.args:
            record.args = _mask(record.args)
        return True


class ProtectedExceptionReporterFilter(SafeExceptionReporterFilter):
    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, _mask(value)) for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]
