"""The condition language: what facilitators can write, and what they are told when it is wrong."""

from __future__ import annotations

import pytest

from drill.engine import expressions as ex

TYPES: dict[str, ex.Type] = {"errors": "number", "rolled_back": "bool", "status": "str"}


def evaluate(text: str, **env):
    node = ex.parse(text)
    ex.infer_type(node, TYPES)
    return ex.compile_node(node)({"errors": 0, "rolled_back": False, "status": "up", "time": 0, **env})


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("errors > 5", {"errors": 6}, True),
        ("errors > 5 and not rolled_back", {"errors": 6, "rolled_back": True}, False),
        ("errors >= 5 or rolled_back", {"errors": 1, "rolled_back": True}, True),
        ("(errors + 4) * 2 == 10", {"errors": 1}, True),
        ("errors / 0 == 0", {"errors": 3}, True),
        ("status == 'down'", {"status": "down"}, True),
        ("done.rollback", {"done.rollback": True}, True),
        ("done.rollback", {}, False),
        ("count.fix_machine >= 36", {"count.fix_machine": 36}, True),
        ("max(errors, 10) - min(2, 3)", {"errors": 1}, 8),
        ("-errors + time", {"errors": 2, "time": 5}, 3),
    ],
)
def test_expressions_evaluate_as_written(text, env, expected):
    assert evaluate(text, **env) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("errors >", "ends too early"),
        ("errors > 5 5", "after a complete expression"),
        ("__import__('os')", "unexpected"),
        ("errors ; 1", "unexpected character ';'"),
        ("oops.rollback", "unknown namespace 'oops'"),
        ("1 < errors < 5", "cannot be chained"),
        ("(" * 60 + "1" + ")" * 60, "nested deeper"),
        ("x" * 2000, "longer than"),
        ("", "empty expression"),
    ],
)
def test_syntax_errors_say_what_is_wrong(text, message):
    with pytest.raises(ex.ExpressionError, match=message):
        ex.parse(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nope > 1", "unknown state variable 'nope'"),
        ("errors and rolled_back", "joins true/false"),
        ("status > 1", "needs two numbers or two strings"),
        ("rolled_back + 1", "needs numbers"),
        ("not errors", "'not' needs a bool"),
    ],
)
def test_type_errors_are_found_before_a_run(text, message):
    with pytest.raises(ex.ExpressionError, match=message):
        ex.infer_type(ex.parse(text), TYPES)


def test_references_lists_what_an_expression_reads():
    names, facts = ex.references(ex.parse("errors > 1 and done.rollback or arrived.sre"))
    assert names == {"errors"}
    assert facts == {("done", "rollback"), ("arrived", "sre")}
