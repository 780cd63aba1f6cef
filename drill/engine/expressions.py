"""A small, safe expression language for scenario conditions and effects.

Scenario files are untrusted, so conditions such as ``errors > 5 and not done.rollback`` are
parsed by this module's own recursive-descent parser and compiled to Python closures.  Nothing is
ever handed to ``eval``.  The language has:

* literals: integers, decimals, ``true``/``false`` and single- or double-quoted strings;
* names: a state variable (``error_rate``), ``time`` (scenario time now), or a namespaced fact
  ``ns.id`` where ``ns`` is one of :data:`NAMESPACES` (``done.rollback``, ``arrived.sre``...);
* operators, loosest first: ``or``, ``and``, ``not``, comparisons (``== != < <= > >=``),
  ``+ -``, ``* / %``, unary ``-``, and parentheses;
* the functions ``min(a, b, ...)`` and ``max(a, b, ...)``, ``if(condition, then, else)`` (the
  two branches of one type) and ``num(condition)`` (1 when true, 0 when false).

Types are checked before a run starts (:func:`infer_type`), so evaluation cannot fail on a type:
division by zero yields 0.  Values are bounded (:mod:`drill.engine.limits`): a number literal
beyond :data:`~drill.engine.limits.MAX_NUMBER` is refused when parsed; evaluation raises
:class:`~drill.engine.limits.OutOfBounds` rather than make a text longer than
:data:`~drill.engine.limits.MAX_TEXT`, a product or quotient beyond
:data:`~drill.engine.limits.MAX_NUMBER`, or an expression whose number is beyond it.  Sums
inside one expression are left unchecked: from bounded values, 500 of them (the most 1,000
characters hold) stay below 10^18, exact and harmless, and whatever they give is checked as the
expression's value.  So no run can grow a value without end, and a value is never clamped: one
silently cut would make the run play differently from what its file says, so the run stops and
says why.
"""

from __future__ import annotations

import operator
import re
from functools import lru_cache
from dataclasses import dataclass
from typing import Callable, Literal, Mapping, NamedTuple, Union

from .limits import MAX_NUMBER, MAX_TEXT, NUMBER_TOO_BIG, TEXT_TOO_LONG, OutOfBounds

Value = Union[bool, int, float, str]
Type = Literal["bool", "number", "str"]

MAX_LENGTH = 1000
"""Longest expression accepted, in characters."""
MAX_DEPTH = 40
"""Deepest nesting accepted; keeps the parser far from Python's recursion limit."""

NAMESPACES: dict[str, tuple[str, Type]] = {
    "done": ("action", "bool"),
    "started": ("action", "bool"),
    "running": ("action", "bool"),
    "count": ("action", "number"),
    "fired": ("event", "bool"),
    "paged": ("person", "bool"),
    "arrived": ("person", "bool"),
    "reached": ("milestone", "bool"),
    "updates": ("audience", "number"),
    "told": ("audience", "str"),
    "undelivered": ("audience", "number"),
    "declared": ("declaration", "bool"),
    "team": ("team", "number"),
}
"""Namespaced facts: ``ns -> (kind of id it takes, type of the value)``.

``done.X`` an action finished at least once; ``started.X`` it was started; ``running.X`` it is in
progress; ``count.X`` how many times it finished (or, for per-target work, targets finished);
``fired.E`` an event happened; ``paged.P`` / ``arrived.P`` a person was paged / has arrived;
``reached.M`` a milestone was reached; ``updates.A`` how many updates went to audience ``A``;
``told.A`` the status the last update to ``A`` announced (``""`` before any); ``undelivered.A``
how many updates to ``A`` did not go out because its channel was down; ``declared.resolved``
the incident was declared resolved (whether or not it was); ``team.arrived`` / ``team.paged`` how
many people have arrived / were paged.
"""

KEYWORDS = {"and", "or", "not", "true", "false"}
FUNCTIONS = ("min", "max", "if", "num")
"""The functions of the language (a state variable cannot take one of these names)."""


class ExpressionError(ValueError):
    """An expression that cannot be parsed or does not type-check."""


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<number>\d+(?:\.\d+)?)
  | (?P<string>"[^"\\\n]*"|'[^'\\\n]*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)?)
  | (?P<op><=|>=|==|!=|[-+*/%<>(),])
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Node:
    """One node of a parsed expression.

    ``kind`` is ``lit``, ``name``, ``fact``, ``unary``, ``binary``, ``call``; ``value`` holds the
    literal, the name, the ``(namespace, id)`` pair or the operator; ``args`` the operands.
    """

    kind: str
    value: object
    args: tuple["Node", ...] = ()


class Token(NamedTuple):
    """One token of an expression and where it sits in the text (``text[start:end]``)."""

    kind: str
    """``number``, ``string``, ``name`` (a name, a word or a fact such as ``done.x``) or ``op``."""
    text: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """The tokens of an expression with their places, for tools that edit an expression's text
    (``drill upgrade``) without reformatting it; raise :class:`ExpressionError` on a character
    the language does not have."""
    found: list[Token] = []
    pos = 0
    stripped = text.rstrip()
    while pos < len(stripped):
        match = _TOKEN.match(stripped, pos)
        if not match or match.end() == pos:
            bad = stripped[pos:].lstrip()[:1]
            column = len(stripped) - len(stripped[pos:].lstrip()) + 1
            raise ExpressionError(f"unexpected character {bad!r} at column {column}")
        kind = match.lastgroup or "op"
        found.append(Token(kind, match.group(kind), match.start(kind), match.end(kind)))
        pos = match.end()
    return found


def _tokenize(text: str) -> list[tuple[str, str]]:
    return [(token.kind, token.text) for token in tokens(text)]


class _Parser:
    def __init__(self, text: str) -> None:
        if len(text) > MAX_LENGTH:
            raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
        self.tokens = _tokenize(text)
        self.pos = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ExpressionError("expression ends too early")
        self.pos += 1
        return token

    def accept(self, *words: str) -> str | None:
        token = self.peek()
        if token and token[1] in words and (token[0] == "op" or token[1] in KEYWORDS):
            self.pos += 1
            return token[1]
        return None

    def parse(self) -> Node:
        if not self.tokens:
            raise ExpressionError("empty expression")
        node = self.or_()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected {self.peek()[1]!r} after a complete expression")  # type: ignore[index]
        return node

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"expression nested deeper than {MAX_DEPTH} levels")

    def or_(self) -> Node:
        node = self.and_()
        while self.accept("or"):
            node = Node("binary", "or", (node, self.and_()))
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.accept("and"):
            node = Node("binary", "and", (node, self.not_()))
        return node

    def not_(self) -> Node:
        if self.accept("not"):
            self.nested()
            node = Node("unary", "not", (self.not_(),))
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        node = self.sum_()
        op = self.accept("==", "!=", "<", "<=", ">", ">=")
        if op:
            node = Node("binary", op, (node, self.sum_()))
            if self.accept("==", "!=", "<", "<=", ">", ">="):
                raise ExpressionError("comparisons cannot be chained; use 'and'")
        return node

    def sum_(self) -> Node:
        node = self.term()
        while op := self.accept("+", "-"):
            node = Node("binary", op, (node, self.term()))
        return node

    def term(self) -> Node:
        node = self.unary()
        while op := self.accept("*", "/", "%"):
            node = Node("binary", op, (node, self.unary()))
        return node

    def unary(self) -> Node:
        if self.accept("-"):
            self.nested()
            node = Node("unary", "-", (self.unary(),))
            self.depth -= 1
            return node
        return self.atom()

    def atom(self) -> Node:
        kind, text = self.take()
        if kind == "number":
            if len(text.split(".")[0].lstrip("0")) > 16 or float(text) > MAX_NUMBER:
                # Checked before int(): a literal of 1,000 digits is a slow number to make.
                raise ExpressionError(f"the number {text[:20]}{'…' if len(text) > 20 else ''} "
                                      "is beyond 10^15, the largest drill computes with")
            return Node("lit", float(text) if "." in text else int(text))
        if kind == "string":
            return Node("lit", text[1:-1])
        if kind == "op" and text == "(":
            self.nested()
            node = self.or_()
            self.depth -= 1
            if not self.accept(")"):
                raise ExpressionError("missing ')'")
            return node
        if kind == "name":
            if text in ("true", "false"):
                return Node("lit", text == "true")
            if text in KEYWORDS:
                raise ExpressionError(f"unexpected {text!r}")
            if text in FUNCTIONS and self.accept("("):
                self.nested()
                args = [self.or_()]
                while self.accept(","):
                    args.append(self.or_())
                self.depth -= 1
                if not self.accept(")"):
                    raise ExpressionError(f"missing ')' after the arguments of {text}()")
                return Node("call", text, tuple(args))
            if "." in text:
                namespace, ident = text.split(".", 1)
                if namespace not in NAMESPACES:
                    raise ExpressionError(
                        f"unknown namespace {namespace!r} in {text!r}; "
                        f"known: {', '.join(sorted(NAMESPACES))}"
                    )
                return Node("fact", (namespace, ident))
            return Node("name", text)
        raise ExpressionError(f"unexpected {text!r}")


def parse(text: str) -> Node:
    """Parse an expression into a tree, or raise :class:`ExpressionError` saying why not."""
    if not isinstance(text, str):
        raise ExpressionError("an expression must be a string")
    return _parsed(text)


@lru_cache(maxsize=4096)
def _parsed(text: str) -> Node:
    # Trees are immutable, and loading a scenario parses each expression several times (the
    # model's validator, the checks, the compiler, the analysis): once is enough.
    return _Parser(text).parse()


def walk(node: Node):
    """Yield every node of a tree, the root first, then each operand's nodes in order.

    Iterative: a chain of 500 additions is a tree 500 deep, and nested generators would pass
    each node up through every level."""
    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(reversed(item.args))


def references(node: Node) -> tuple[set[str], set[tuple[str, str]]]:
    """The state names and the ``(namespace, id)`` facts an expression reads."""
    names: set[str] = set()
    facts: set[tuple[str, str]] = set()
    for item in walk(node):
        if item.kind == "name":
            names.add(str(item.value))
        elif item.kind == "fact":
            facts.add(item.value)  # type: ignore[arg-type]
    return names, facts


@lru_cache(maxsize=4096)
def reads_in(text: str) -> frozenset[str]:
    """The state names and facts (as ``"ns.id"``) an expression reads, ``time`` included.

    Remembered, as the checks, the compiler and the analysis ask it of each expression again
    and again.  Raises :class:`ExpressionError` for an expression that does not parse."""
    names, facts = references(parse(text))
    return frozenset(names | {f"{ns}.{ident}" for ns, ident in facts})


def type_of_value(value: object) -> Type:
    """The expression type of a state variable's value."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "str"
    return "number"


def infer_type(node: Node, variables: Mapping[str, Type]) -> Type:
    """Type-check a tree against the state variables' types and return its type.

    ``time`` is a number.  Raises :class:`ExpressionError` on an unknown name or a type clash.
    """
    kind = node.kind
    if kind == "lit":
        value = node.value
        return "bool" if isinstance(value, bool) else "str" if isinstance(value, str) else "number"
    if kind == "name":
        if node.value == "time":
            return "number"
        if node.value not in variables:
            raise ExpressionError(f"unknown state variable {node.value!r}")
        return variables[str(node.value)]
    if kind == "fact":
        namespace, _ = node.value  # type: ignore[misc]
        return NAMESPACES[namespace][1]
    arg_types = [infer_type(arg, variables) for arg in node.args]
    op = node.value
    if kind == "unary":
        want: Type = "bool" if op == "not" else "number"
        if arg_types[0] != want:
            raise ExpressionError(f"'{op}' needs a {want}, got a {arg_types[0]}")
        return want
    if kind == "call":
        if op == "if":
            if len(arg_types) != 3:
                raise ExpressionError("if() takes a condition, a value and another value")
            if arg_types[0] != "bool":
                raise ExpressionError(f"if() needs a true/false condition first, got a "
                                      f"{arg_types[0]}")
            if arg_types[1] != arg_types[2]:
                raise ExpressionError(f"if() needs both values of one type, got "
                                      f"{arg_types[1]} and {arg_types[2]}")
            return arg_types[1]
        if op == "num":
            if arg_types != ["bool"]:
                raise ExpressionError("num() turns one true/false value into 1 or 0")
            return "number"
        if any(t != "number" for t in arg_types):
            raise ExpressionError(f"{op}() takes numbers only")
        return "number"
    left, right = arg_types
    if op in ("and", "or"):
        if left != "bool" or right != "bool":
            raise ExpressionError(f"'{op}' joins true/false values, got {left} and {right}")
        return "bool"
    if op in ("==", "!="):
        if left != right:
            raise ExpressionError(f"cannot compare a {left} with a {right}")
        return "bool"
    if op in ("<", "<=", ">", ">="):
        if left != right or left == "bool":
            raise ExpressionError(f"'{op}' needs two numbers or two strings, got {left} and {right}")
        return "bool"
    if op == "+" and left == right == "str":
        return "str"
    if left != "number" or right != "number":
        raise ExpressionError(f"'{op}' needs numbers, got {left} and {right}")
    return "number"


Env = Callable[[str], Value]
"""Looks a state name up; facts are passed as ``"ns.id"``."""
Compiled = Callable[[Mapping[str, Value]], Value]


# Products and quotients are checked as they are made (a chain of them is how a value explodes:
# x * x * x... or x / 0.000001), texts as they are joined, and every number an expression gives
# (see compile_node), so that nothing over a whole run can build a huge integer, an infinity or
# a NaN.  `%`, unary `-`, min() and max() cannot leave the bounds of their operands.


def _mul(a: float, b: float) -> float:
    result = a * b
    if -MAX_NUMBER <= result <= MAX_NUMBER:
        return result
    raise OutOfBounds(NUMBER_TOO_BIG)


def _div(a: float, b: float) -> float:
    if not b:
        return 0
    result = a / b
    if -MAX_NUMBER <= result <= MAX_NUMBER:
        return result
    raise OutOfBounds(NUMBER_TOO_BIG)


def _mod(a: float, b: float) -> float:
    return a % b if b else 0


def _concat(a: str, b: str) -> str:
    if len(a) + len(b) > MAX_TEXT:
        raise OutOfBounds(TEXT_TOO_LONG)
    return a + b


def _plus(a: Value, b: Value) -> Value:
    """``+`` where the compiler could not tell numbers from texts (no variable types given)."""
    if isinstance(a, str):
        return _concat(a, b)  # type: ignore[arg-type]
    return a + b  # type: ignore[operator]


def _bounded(closure: Compiled) -> Compiled:
    """The closure of an expression whose value may be a number, checked against the bound."""

    def bounded(env: Mapping[str, Value]) -> Value:
        value = closure(env)
        if value.__class__ is str or -MAX_NUMBER <= value <= MAX_NUMBER:  # type: ignore[operator]
            return value
        raise OutOfBounds(NUMBER_TOO_BIG)

    return bounded


# The operator module's functions are C: a condition checked thousands of times per run pays
# one Python call less per operator than with lambdas.
_BINARY: dict[str, Callable[[Value, Value], Value]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "+": _plus,
    "-": operator.sub,
    "*": _mul,  # type: ignore[dict-item]
    "/": _div,  # type: ignore[dict-item]
    "%": _mod,  # type: ignore[dict-item]
}
"""What each binary operator computes, bounds checked (a ``+`` of two numbers or two texts is
compiled to the one it is)."""


def compile_node(node: Node, variables: Mapping[str, Type] | None = None) -> Compiled:
    """Turn a type-checked tree into a closure over a mapping of names to values.

    The mapping holds state variables by name, ``time``, and facts as ``"ns.id"`` keys; a fact
    missing from it reads as false or 0.  With the state variables' types, each ``+`` is
    compiled as the addition or the joining of texts it is (a little faster than deciding at
    every evaluation).  The closure raises :class:`~drill.engine.limits.OutOfBounds` when it
    would make a value beyond the bounds (see the module's docstring).
    """
    sums = any(item.kind == "binary" and item.value in ("+", "-") for item in walk(node))
    closure, kind = _compile(node, variables, checked=sums)
    checked_at_root = kind == "number" and node.kind == "binary" and node.value in ("+", "-")
    if sums and kind not in ("bool", "str") and not checked_at_root:
        return _bounded(closure)  # a number made with sums, which are not checked as made
    return closure


def size(node: Node) -> int:
    """How many nodes a tree has: what one evaluation of it costs in the run's budget."""
    count, stack = 0, [node]
    while stack:
        item = stack.pop()
        count += 1
        stack.extend(item.args)
    return count


def _too_big() -> Value:
    raise OutOfBounds(NUMBER_TOO_BIG)


def _compile(node: Node, variables: Mapping[str, Type] | None,
             checked: bool = False) -> tuple[Compiled, Type | None]:
    """The closure of a tree and its type (None when the variables' types are not known).

    With ``checked``, a numeric ``+`` or ``-`` at the root checks its result against the bound
    as it makes it (the same as wrapping it in :func:`_bounded`, without the extra call).
    """
    kind = node.kind
    if kind == "lit":
        value = node.value
        return (lambda env: value), type_of_value(value)  # type: ignore[return-value]
    if kind == "name":
        name = str(node.value)
        known: Type | None = "number" if name == "time" else (
            variables.get(name) if variables is not None else None)
        return (lambda env: env[name]), known
    if kind == "fact":
        key = "{}.{}".format(*node.value)  # type: ignore[str-format]
        fact_type = NAMESPACES[node.value[0]][1]  # type: ignore[index]
        default: Value = 0 if fact_type == "number" else "" if fact_type == "str" else False
        return (lambda env: env.get(key, default)), fact_type
    compiled = [_compile(arg, variables) for arg in node.args]
    args = [closure for closure, _ in compiled]
    op = node.value
    if kind == "unary":
        (inner,) = args
        if op == "not":
            return (lambda env: not inner(env)), "bool"
        return (lambda env: -inner(env)), "number"  # type: ignore[operator]
    if kind == "call" and op == "if":
        condition, then, otherwise = args
        return (lambda env: then(env) if condition(env) else otherwise(env)), compiled[1][1]
    if kind == "call" and op == "num":
        (inner,) = args
        return (lambda env: 1 if inner(env) else 0), "number"
    if kind == "call":
        pick = min if op == "min" else max
        if len(args) == 2:
            first, second = args
            return (lambda env: pick(first(env), second(env))), "number"  # type: ignore[type-var]
        return (lambda env: pick([arg(env) for arg in args])), "number"  # type: ignore[type-var]
    left, right = args
    if op == "and":
        return (lambda env: bool(left(env)) and bool(right(env))), "bool"
    if op == "or":
        return (lambda env: bool(left(env)) or bool(right(env))), "bool"
    fn = _BINARY[str(op)]
    result: Type | None = "bool" if op in ("==", "!=", "<", "<=", ">", ">=") else "number"
    if op == "+":
        types = {compiled[0][1], compiled[1][1]}
        if types == {"number"}:
            fn = operator.add
        elif types == {"str"}:
            fn, result = _concat, "str"  # type: ignore[assignment]
        else:
            result = None
    left_node, right_node = node.args
    if checked and op in ("+", "-") and result == "number":
        low, high = -MAX_NUMBER, MAX_NUMBER
        if right_node.kind == "lit":  # `errors + 5`
            value = right_node.value
            return (lambda env: made if low <= (made := fn(left(env), value)) <= high
                    else _too_big()), result
        return (lambda env: made if low <= (made := fn(left(env), right(env))) <= high
                else _too_big()), result
    if right_node.kind == "lit":
        # `machines_fixed >= 36`: the commonest shape, read straight from the state.
        value = right_node.value
        if left_node.kind == "name":
            name = str(left_node.value)
            return (lambda env: fn(env[name], value)), result
        return (lambda env: fn(left(env), value)), result
    return (lambda env: fn(left(env), right(env))), result


def check_syntax(text: str) -> str:
    """Pydantic validator helper: parse ``text`` and return it unchanged, or raise ValueError."""
    parse(text)
    return text
