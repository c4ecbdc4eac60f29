"""An evaluator of the XPath the form definitions generate (comparisons, arithmetic, `and`/`or`, `today()`,
`coalesce`, `string-length`, `regex`, `selected`, `decimal-date-time`): what a phone checks, checked in Python.

The tests feed the same values to a service and to the form's rule through this (form and service must refuse
the same inputs); the intake may use it to explain, field by field, why a submission breaks a form's rule.
"""

from __future__ import annotations

import datetime
import math
import re
from typing import Any

from kinga.core import clock

from .spec import Field

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<string>'[^']*')|(?P<ref>\$\{[a-z0-9_]+\})"
    r"|(?P<op><=|>=|!=|=|<|>|\+|-|\(|\)|,)|(?P<word>and|or|div)\b|(?P<name>[a-z][a-z0-9-]*(?=\s*\())|(?P<dot>\.))"
)


class XPathError(ValueError):
    pass


def _tokens(expression: str) -> list[tuple[str, str]]:
    position, tokens = 0, []
    expression = expression.strip()
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        if match is None or match.end() == position:
            raise XPathError(f"Cannot read {expression[position:]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _number(value: Any) -> float:
    if _is_empty(value):
        return math.nan
    if isinstance(value, datetime.date):
        return _days(value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _days(value: datetime.date) -> float:
    return float((value - datetime.date(1970, 1, 1)).days)


def _string(value: Any) -> str:
    if _is_empty(value):
        return ""
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _compare(op: str, left: Any, right: Any) -> bool:
    if op in ("=", "!="):
        typed = isinstance(left, int | float | datetime.date) or isinstance(
            right, int | float | datetime.date
        )
        if typed and not (_is_empty(left) or _is_empty(right)):
            equal = _number(left) == _number(right)
            return equal if op == "=" else not equal
        equal = _string(left) == _string(right)
        return equal if op == "=" else not equal
    a, b = _number(left), _number(right)
    if math.isnan(a) or math.isnan(b):
        return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


class _Parser:
    def __init__(self, expression: str, value: Any, answers: dict[str, Any], today: datetime.date):
        self.tokens = _tokens(expression)
        self.position = 0
        self.value, self.answers, self.today = value, answers, today

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, text: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (text is not None and token[1] != text):
            raise XPathError(f"Expected {text!r}, found {token!r}")
        self.position += 1
        return token

    def parse(self) -> Any:
        result = self.or_expression()
        if self.peek() is not None:
            raise XPathError(f"Unexpected {self.peek()!r}")
        return result

    def or_expression(self) -> Any:
        result = self.and_expression()
        while self.peek() == ("word", "or"):
            self.take()
            right = self.and_expression()
            result = bool(result) or bool(right)
        return result

    def and_expression(self) -> Any:
        result = self.comparison()
        while self.peek() == ("word", "and"):
            self.take()
            right = self.comparison()
            result = bool(result) and bool(right)
        return result

    def comparison(self) -> Any:
        left = self.additive()
        token = self.peek()
        if token and token[0] == "op" and token[1] in ("<", "<=", ">", ">=", "=", "!="):
            self.take()
            return _compare(token[1], left, self.additive())
        return left

    def additive(self) -> Any:
        result = self.primary()
        while self.peek() in (("op", "+"), ("op", "-"), ("word", "div")):
            op = self.take()[1]
            right = self.primary()
            a, b = _number(result), _number(right)
            result = a + b if op == "+" else a - b if op == "-" else (a / b if b else math.nan)
        return result

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "number":
            return float(text)
        if kind == "string":
            return text[1:-1]
        if kind == "dot":
            return self.value
        if kind == "ref":
            return self.answers.get(text[2:-1])
        if kind == "op" and text == "(":
            result = self.or_expression()
            self.take(")")
            return result
        if kind == "name":
            return self.call(text)
        raise XPathError(f"Unexpected {text!r}")

    def call(self, name: str) -> Any:
        self.take("(")
        args = []
        if self.peek() != ("op", ")"):
            args.append(self.or_expression())
            while self.peek() == ("op", ","):
                self.take()
                args.append(self.or_expression())
        self.take(")")
        if name == "today":
            return self.today
        if name == "coalesce":
            return args[0] if not _is_empty(args[0]) else args[1]
        if name == "string-length":
            return float(len(_string(args[0])))
        if name == "regex":
            return re.search(_string(args[1]), _string(args[0])) is not None
        if name == "selected":
            return _string(args[1]) in _string(args[0]).split()
        if name == "decimal-date-time":
            return _days(args[0]) if isinstance(args[0], datetime.date) else math.nan
        raise XPathError(f"Unknown function {name}()")


def evaluate(expression: str, *, value: Any = None, answers: dict[str, Any] | None = None, today=None) -> Any:
    return _Parser(expression, value, answers or {}, today or clock.today()).parse()


def refuses(
    field: Field, value: Any, *, answers: dict[str, Any] | None = None, today: datetime.date | None = None
) -> bool:
    """Whether a phone would refuse this answer: required and missing, or against the field's rule (a phone
    checks a rule only on an answer, never on an empty one)."""
    answers = {**(answers or {}), field.name: value}
    if _is_empty(value):
        if field.required is True:
            return True
        if isinstance(field.required, str):
            return bool(evaluate(field.required, value=value, answers=answers, today=today))
        return False
    if field.rule is None:
        return False
    return not evaluate(field.rule.xpath, value=value, answers=answers, today=today)
