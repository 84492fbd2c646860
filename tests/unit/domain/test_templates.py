"""SES email templates: Handlebars rendering as SES does it, validation, and template data.

Expected outputs of the rendering tables were checked against Handlebars.js 4.7 (``noEscape``),
except where the module docstring records a deliberate difference (strict null, numbers).
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openses.domain.templates import (
    TEMPLATE_DATA_MAX_LENGTH,
    TEMPLATE_MAX_BYTES,
    UNSUPPORTED_OPERATIONS_MESSAGE,
    CompiledTemplate,
    EmailTemplate,
    MissingVariable,
    RenderedTemplate,
    RenderError,
    TemplateDataError,
    TemplateError,
    TemplateSyntaxError,
    UnsupportedOperation,
    compile_part,
    compile_template,
    merge_template_data,
    parse_template_data,
    render_template,
    template_name_problem,
    template_problems,
    template_size,
)
from openses.domain.templates.values import js_number

Data = dict[str, object]


def render(source: str, data: Data, *, strict: bool = False) -> str:
    return compile_part(source).render(data, strict=strict)


def missing(source: str, data: Data, *, strict: bool = True) -> str:
    with pytest.raises(MissingVariable) as raised:
        render(source, data, strict=strict)
    assert (
        str(raised.value)
        == f"Attribute '{raised.value.name}' is not present in the rendering data."
    )
    return raised.value.name


def syntax_error(source: str) -> TemplateSyntaxError:
    with pytest.raises(TemplateSyntaxError) as raised:
        compile_part(source)
    return raised.value


# ---------------------------------------------------------------- substitution and paths

SUBSTITUTION = [
    pytest.param("Hello {{name}}!", {"name": "Ann"}, "Hello Ann!", id="variable"),
    pytest.param("{{ name }}", {"name": "Ann"}, "Ann", id="spaces-inside-tag"),
    pytest.param("{{a}}{{b}}", {"a": "x", "b": "y"}, "xy", id="adjacent-tags"),
    pytest.param("{{a.b.c}}", {"a": {"b": {"c": "deep"}}}, "deep", id="nested-path"),
    pytest.param("{{a/b}}", {"a": {"b": "AB"}}, "AB", id="slash-separator"),
    pytest.param("{{this.a}} {{./a}} {{this/a}}", {"a": "A"}, "A A A", id="this-forms"),
    pytest.param("{{[first name]}}", {"first name": "F"}, "F", id="bracket-segment"),
    pytest.param("{{a.[b c].d}}", {"a": {"b c": {"d": "D"}}}, "D", id="bracket-mid-path"),
    pytest.param("{{first-name}}", {"first-name": "F"}, "F", id="hyphen-in-name"),
    pytest.param("{{$x}}{{_y}}{{é}}", {"$x": "a", "_y": "b", "é": "c"}, "abc", id="unusual-names"),
    pytest.param('{{"a b"}}', {"a b": "AB"}, "AB", id="string-literal-head-is-key"),
    pytest.param("{{true}}-{{1}}", {"true": "T", "1": "one"}, "T-one", id="literal-heads-are-keys"),
    pytest.param("{{items.[1]}}", {"items": ["a", "b"]}, "b", id="array-index-bracket"),
    pytest.param("{{items.1.n}}", {"items": ["a", {"n": "N"}]}, "N", id="array-index-path"),
    pytest.param("{{items.length}}", {"items": ["a", "b", "c"]}, "3", id="array-length"),
    pytest.param("{{s.length}}", {"s": "héllo😀"}, "7", id="string-length-utf16"),
    pytest.param("{{Name}}|{{name}}", {"Name": "U", "name": "l"}, "U|l", id="case-sensitive"),
    pytest.param("{{@root.x}}", {"x": "R"}, "R", id="at-root"),
    pytest.param("{{lookup items 1}}", {"items": ["a", "b"]}, "b", id="lookup-index"),
    pytest.param("{{lookup o k}}", {"o": {"p": "v"}, "k": "p"}, "v", id="lookup-dynamic-key"),
    pytest.param('{{lookup o "p"}}', {"o": {"p": "v"}}, "v", id="lookup-literal-key"),
    pytest.param('{{lookup z "p"}}', {"z": 0}, "0", id="lookup-on-falsy-returns-it"),
    pytest.param("{{log x}}ok", {"x": 1}, "ok", id="log-renders-nothing"),
    pytest.param("no tags at all", {}, "no tags at all", id="plain-text"),
    pytest.param("", {}, "", id="empty-template"),
    pytest.param("{ {x} } {x}", {"x": 1}, "{ {x} } {x}", id="single-braces-are-text"),
]


@pytest.mark.parametrize(("source", "data", "expected"), SUBSTITUTION)
def test_substitution(source: str, data: Data, expected: str) -> None:
    assert render(source, data) == expected
    assert render(source, data, strict=True) == expected


# ---------------------------------------------------------------- how values print

VALUES = [
    pytest.param("s", "s", id="string"),
    pytest.param("<b>&amp;\"'", "<b>&amp;\"'", id="html-never-escaped"),
    pytest.param(1, "1", id="int"),
    pytest.param(-42, "-42", id="negative-int"),
    pytest.param(1.0, "1", id="float-whole"),
    pytest.param(1.5, "1.5", id="float"),
    pytest.param(-0.0, "0", id="negative-zero"),
    pytest.param(0.1, "0.1", id="shortest-repr"),
    pytest.param(123.456, "123.456", id="decimal"),
    pytest.param(12345678.9, "12345678.9", id="large-decimal"),
    pytest.param(1e20, "100000000000000000000", id="1e20-digits"),
    pytest.param(1e21, "1e+21", id="1e21-exponent"),
    pytest.param(0.000001, "0.000001", id="1e-6-digits"),
    pytest.param(1.5e-7, "1.5e-7", id="1.5e-7-exponent"),
    pytest.param(1.7976931348623157e308, "1.7976931348623157e+308", id="max-double"),
    pytest.param(5e-324, "5e-324", id="min-subnormal"),
    pytest.param(2**64 + 1, "18446744073709551617", id="big-int-exact"),
    pytest.param(True, "true", id="true"),
    pytest.param(False, "false", id="false"),
    pytest.param("", "", id="empty-string"),
    pytest.param([1, "a", True], "1,a,true", id="array-joined"),
    pytest.param([1, [2, [3]], [], None], "1,2,3,,", id="nested-array-flattened"),
    pytest.param([{"a": 1}], "[object Object]", id="array-of-object"),
    pytest.param({"a": 1}, "[object Object]", id="object"),
    pytest.param({}, "[object Object]", id="empty-object"),
]


@pytest.mark.parametrize(("value", "expected"), VALUES)
def test_values_print_as_handlebars_js_does(value: object, expected: str) -> None:
    assert render("{{v}}", {"v": value}) == expected
    assert render("{{{v}}}", {"v": value}) == expected
    assert render("{{&v}}", {"v": value}) == expected


@pytest.mark.parametrize("value", [None, "absent"], ids=["null", "absent"])
def test_null_and_absent_print_as_nothing_when_lenient(value: object) -> None:
    data: Data = {} if value == "absent" else {"v": value}
    assert render("[{{v}}]", data) == "[]"


def test_adjacent_numbers_concatenate() -> None:
    # Handlebars.js without escaping adds them ("2"); the module docstring calls that a bug.
    assert render("{{a}}{{b}}", {"a": 1, "b": 1}) == "11"


def test_deeply_nested_arrays_print_without_recursion() -> None:
    value: object = "x"
    for _ in range(5000):
        value = [value]
    assert render("{{v}}", {"v": value}) == "x"


def test_a_cyclic_array_prints_its_cycle_as_empty() -> None:
    cyclic: list[object] = [1]
    cyclic.append(cyclic)
    assert render("{{v}}", {"v": cyclic}) == "1,"


JS_NUMBERS = [
    (1.0, "1"),
    (1e-7, "1e-7"),
    (123e-20, "1.23e-18"),
    (-1e21, "-1e+21"),
    (1e300, "1e+300"),
]
JS_NUMBERS += [
    (math.nan, "NaN"),
    (math.inf, "Infinity"),
    (-math.inf, "-Infinity"),
    (2.5e-6, "0.0000025"),
]


@pytest.mark.parametrize(("value", "expected"), JS_NUMBERS, ids=[t for _, t in JS_NUMBERS])
def test_js_number(value: float, expected: str) -> None:
    assert js_number(value) == expected


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_js_number_round_trips(value: float) -> None:
    assert float(js_number(value)) == value


# ---------------------------------------------------------------- conditionals

IF_SUBJECTS = [
    pytest.param(True, True, id="true"),
    pytest.param(False, False, id="false"),
    pytest.param(None, False, id="null"),
    pytest.param(0, False, id="zero"),
    pytest.param(0.0, False, id="zero-float"),
    pytest.param(-1, True, id="negative"),
    pytest.param("", False, id="empty-string"),
    pytest.param("0", True, id="string-zero"),
    pytest.param("false", True, id="string-false"),
    pytest.param([], False, id="empty-array"),
    pytest.param([0], True, id="array-of-zero"),
    pytest.param({}, True, id="empty-object"),
]


@pytest.mark.parametrize(("subject", "passes"), IF_SUBJECTS)
def test_if_and_unless_truthiness(subject: object, passes: bool) -> None:
    data: Data = {"x": subject}
    assert render("{{#if x}}Y{{else}}N{{/if}}", data) == ("Y" if passes else "N")
    assert render("{{#unless x}}Y{{else}}N{{/unless}}", data) == ("N" if passes else "Y")
    assert render("{{#if x}}Y{{^}}N{{/if}}", data) == ("Y" if passes else "N")


CONDITIONALS = [
    pytest.param("{{#if x}}Y{{else}}N{{/if}}", {}, "N", id="absent-is-falsy"),
    pytest.param("{{#if x.y.z}}Y{{else}}N{{/if}}", {}, "N", id="absent-path-is-falsy"),
    pytest.param("{{#if x includeZero=true}}Y{{else}}N{{/if}}", {"x": 0}, "Y", id="include-zero"),
    pytest.param(
        "{{#if x includeZero=z}}Y{{else}}N{{/if}}", {"x": 0, "z": True}, "Y", id="include-zero-path"
    ),
    pytest.param(
        "{{#unless x includeZero=true}}Y{{else}}N{{/unless}}",
        {"x": 0},
        "N",
        id="unless-include-zero",
    ),
    pytest.param("{{#if x}}Y{{/if}}", {"x": False}, "", id="no-else"),
    pytest.param(
        "{{#if a}}A{{else if b}}B{{else if c}}C{{else}}D{{/if}}", {"c": 1}, "C", id="else-if-chain"
    ),
    pytest.param(
        "{{#if a}}A{{else if b}}B{{else if c}}C{{else}}D{{/if}}", {}, "D", id="else-if-fallthrough"
    ),
    pytest.param("{{#if a}}A{{else unless b}}B{{/if}}", {}, "B", id="else-unless"),
    pytest.param("{{#if a}}A{{else each b}}{{this}}{{/if}}", {"b": [1, 2]}, "12", id="else-each"),
    pytest.param("{{#if a}}{{#if b}}AB{{else}}A{{/if}}{{/if}}", {"a": 1}, "A", id="nested-if"),
    pytest.param("{{#if (lookup a 'b')}}Y{{/if}}", {"a": {"b": 1}}, "Y", id="subexpression-lookup"),
    pytest.param("{{#if 0}}Y{{else}}N{{/if}}{{#if 1}}Y{{/if}}", {}, "NY", id="literal-arguments"),
    pytest.param("{{#if @first}}F{{/if}}", {}, "", id="data-outside-each"),
    pytest.param(
        "{{#if null}}Y{{else}}N{{/if}}{{#if undefined}}Y{{else}}N{{/if}}[{{lookup undefined 'x'}}]",
        {},
        "NN[]",
        id="null-and-undefined-literals",
    ),
]


@pytest.mark.parametrize(("source", "data", "expected"), CONDITIONALS)
def test_conditionals(source: str, data: Data, expected: str) -> None:
    assert render(source, data) == expected
    assert render(source, data, strict=True) == expected


# ---------------------------------------------------------------- iteration and context

ITERATION = [
    pytest.param("{{#each xs}}[{{this}}]{{/each}}", {"xs": ["a", "b"]}, "[a][b]", id="this"),
    pytest.param("{{#each xs}}[{{.}}]{{/each}}", {"xs": ["a"]}, "[a]", id="dot"),
    pytest.param(
        "{{#each xs}}{{this.n}}-{{n}};{{/each}}",
        {"xs": [{"n": 1}, {"n": 2}]},
        "1-1;2-2;",
        id="fields",
    ),
    pytest.param(
        "{{#each xs}}{{@index}}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}} {{/each}}",
        {"xs": ["a", "b", "c"]},
        "0F 1 2L ",
        id="index-first-last",
    ),
    pytest.param(
        "{{#each xs}}{{@key}};{{/each}}", {"xs": ["a", "b"]}, "0;1;", id="array-key-is-index"
    ),
    pytest.param(
        "{{#each o}}{{@key}}={{this}}:{{@index}}:{{@first}}:{{@last}};{{/each}}",
        {"o": {"b": 1, "a": 2}},
        "b=1:0:true:false;a=2:1:false:true;",
        id="object-in-json-order",
    ),
    pytest.param("{{#each xs}}x{{else}}none{{/each}}", {"xs": []}, "none", id="else-empty-array"),
    pytest.param("{{#each xs}}x{{else}}none{{/each}}", {"xs": {}}, "none", id="else-empty-object"),
    pytest.param(
        "{{#each xs}}x{{else}}none{{/each}}", {"xs": "abc"}, "none", id="string-not-iterated"
    ),
    pytest.param("{{#each xs}}x{{else}}none{{/each}}", {"xs": 5}, "none", id="number-not-iterated"),
    pytest.param("{{#each xs}}x{{else}}none{{/each}}", {}, "none", id="absent-not-iterated"),
    pytest.param(
        "{{#each xs}}[{{this}}]{{/each}}",
        {"xs": [None, 0, True, [1, 2]]},
        "[][0][true][1,2]",
        id="mixed",
    ),
    pytest.param(
        "{{#each xs as |item i|}}{{i}}={{item}} {{/each}}",
        {"xs": ["a", "b"]},
        "0=a 1=b ",
        id="params",
    ),
    pytest.param(
        "{{#each o as |v k|}}{{k}}={{v}} {{/each}}", {"o": {"p": 1}}, "p=1 ", id="params-object"
    ),
    pytest.param(
        "{{#each xs as |x|}}{{#each x as |y|}}{{x.length}}-{{y}};{{/each}}{{/each}}",
        {"xs": [[1, 2], [3]]},
        "2-1;2-2;1-3;",
        id="nested-params",
    ),
    pytest.param(
        "{{#each a}}{{#each b}}{{@../index}}.{{@index}} {{/each}}{{/each}}",
        {"a": [{"b": [1, 2]}, {"b": [3]}]},
        "0.0 0.1 1.0 ",
        id="parent-index",
    ),
    pytest.param(
        "{{#each a}}{{@root.x}}{{/each}}", {"x": "R", "a": [1, 2]}, "RR", id="root-inside-each"
    ),
    pytest.param(
        "{{#each a}}{{../x}}{{/each}}", {"x": "X", "a": [1, 2]}, "XX", id="parent-context"
    ),
    pytest.param(
        "{{#each a}}{{#each b}}{{../../n}}{{../m}}{{this}};{{/each}}{{/each}}",
        {"n": "N", "a": [{"m": "M", "b": [1, 2]}]},
        "NM1;NM2;",
        id="grandparent-context",
    ),
    pytest.param(
        "{{#each a}}{{#if x}}{{../name}}{{/if}}{{/each}}",
        {"a": [{"x": 1}], "name": "root"},
        "root",
        id="if-adds-no-depth",
    ),
    pytest.param(
        "{{#each a}}{{#with this}}{{@key}}{{/with}}{{/each}}",
        {"a": {"k": {"v": 1}}},
        "k",
        id="with-keeps-data",
    ),
    pytest.param(
        "{{#each people}}{{lookup ../cities @index}} {{/each}}",
        {"people": ["a", "b"], "cities": ["X", "Y"]},
        "X Y ",
        id="lookup-parallel-arrays",
    ),
    pytest.param(
        "{{#each (lookup a 'b')}}{{this}}{{/each}}",
        {"a": {"b": [1, 2]}},
        "12",
        id="each-subexpression",
    ),
    pytest.param(
        "{{#with p}}{{name}} {{../top}}{{/with}}",
        {"p": {"name": "N"}, "top": "T"},
        "N T",
        id="with",
    ),
    pytest.param("{{#with p as |q|}}{{q.n}}{{/with}}", {"p": {"n": "N"}}, "N", id="with-params"),
    pytest.param(
        "{{#with p}}[{{this}}]{{else}}out{{/with}}", {"p": 0}, "[0]", id="with-zero-enters"
    ),
    pytest.param("{{#with p}}in{{else}}out{{/with}}", {"p": ""}, "out", id="with-empty-string"),
    pytest.param("{{#with p}}in{{else}}out{{/with}}", {"p": []}, "out", id="with-empty-array"),
    pytest.param("{{#with p}}in{{else}}out{{/with}}", {"p": {}}, "in", id="with-empty-object"),
    pytest.param("{{#with p}}in{{else}}out{{/with}}", {}, "out", id="with-absent"),
    pytest.param(
        "{{#with a}}{{#with b}}{{../../x}}-{{../y}}{{/with}}{{/with}}",
        {"x": "X", "a": {"y": "Y", "b": {}}},
        "X-Y",
        id="with-depths",
    ),
    pytest.param(
        "{{#each xs}}{{#with this}}{{../y}}{{/with}}{{/each}}",
        {"xs": ["a"], "y": "Y"},
        "Y",
        id="same-context-adds-no-depth",
    ),
]


@pytest.mark.parametrize(("source", "data", "expected"), ITERATION)
def test_iteration_and_context(source: str, data: Data, expected: str) -> None:
    assert render(source, data) == expected


SECTIONS = [
    pytest.param("{{#x}}[{{this}}]{{/x}}", {"x": [1, 2]}, "[1][2]", id="list-iterates"),
    pytest.param("{{#x}}[{{@index}}]{{/x}}", {"x": ["a", "b"]}, "[0][1]", id="list-has-index"),
    pytest.param("{{#x}}yes{{/x}}", {"x": True}, "yes", id="true-renders-once"),
    pytest.param("{{#x}}[{{this}}]{{/x}}", {"x": 0}, "[0]", id="zero-becomes-context"),
    pytest.param("{{#x}}[{{this}}]{{/x}}", {"x": ""}, "[]", id="empty-string-becomes-context"),
    pytest.param(
        "{{#x}}[{{name}}]{{/x}}", {"x": {"name": "N"}}, "[N]", id="object-becomes-context"
    ),
    pytest.param("{{#x}}y{{else}}n{{/x}}", {"x": None}, "n", id="null-inverse"),
    pytest.param("{{#x}}y{{else}}n{{/x}}", {"x": []}, "n", id="empty-list-inverse"),
    pytest.param("{{^x}}none{{/x}}", {"x": []}, "none", id="inverted-empty"),
    pytest.param("{{^x}}none{{/x}}", {"x": False}, "none", id="inverted-false"),
    pytest.param("{{^x}}none{{/x}}", {"x": 0}, "", id="inverted-zero-is-present"),
    pytest.param("{{^x}}none{{else}}some{{/x}}", {"x": [1]}, "some", id="inverted-else"),
]


@pytest.mark.parametrize(("source", "data", "expected"), SECTIONS)
def test_mustache_style_sections(source: str, data: Data, expected: str) -> None:
    assert render(source, data) == expected
    assert render(source, data, strict=True) == expected


# ---------------------------------------------------------------- comments, escapes, whitespace

TEXT_CONTROL = [
    pytest.param("a{{! note }}b", {}, "ab", id="comment"),
    pytest.param("a{{!-- has }} inside --}}b", {}, "ab", id="long-comment"),
    pytest.param("a {{~! c ~}} b", {}, "ab", id="comment-tilde"),
    pytest.param("\\{{x}} {{x}}", {"x": "X"}, "{{x}} X", id="escaped-tag"),
    pytest.param("\\{{x}}\\{{y}}!", {}, "{{x}}{{y}}!", id="two-escapes"),
    pytest.param("a\\{{#if x}}\\{{/if}}", {}, "a{{#if x}}{{/if}}", id="escaped-block-is-text"),
    pytest.param("\\\\{{x}}", {"x": "X"}, "\\X", id="escaped-backslash"),
    pytest.param("a {{~x~}} b", {"x": "X"}, "aXb", id="tilde-both"),
    pytest.param("a \n {{~x}} b", {"x": "X"}, "aX b", id="tilde-left-eats-newlines"),
    pytest.param("a {{~{x}~}} b", {"x": "X"}, "aXb", id="tilde-triple"),
    pytest.param("a{{~#if x~}} b {{~else~}} c {{~/if~}}d", {"x": 1}, "abd", id="tilde-block-true"),
    pytest.param("a{{~#if x~}} b {{~else~}} c {{~/if~}}d", {}, "acd", id="tilde-block-false"),
    pytest.param("a {{#if x~}} b {{~/if}} d", {"x": 1}, "a b d", id="tilde-inside-block"),
    pytest.param("{{#if a}}A{{~^~}} B{{/if}}", {}, "B", id="tilde-caret-else"),
    pytest.param(
        "<ul>\n  {{#each xs}}\n  <li>{{this}}</li>\n  {{/each}}\n</ul>",
        {"xs": ["a", "b"]},
        "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>",
        id="standalone-each",
    ),
    pytest.param(
        "<ul>\n  {{#each xs}}\n  <li>{{this}}</li>\n"
        "  {{else}}\n  <li>none</li>\n  {{/each}}\n</ul>",
        {"xs": []},
        "<ul>\n  <li>none</li>\n</ul>",
        id="standalone-else",
    ),
    pytest.param(
        "{{#if a}}\nA\n{{else if b}}\nB\n{{else}}\nC\n{{/if}}\n",
        {"b": 1},
        "B\n",
        id="standalone-chain",
    ),
    pytest.param(
        "  {{#if a}}\r\n  A\r\n  {{/if}}\r\nend", {"a": 1}, "  A\r\nend", id="standalone-crlf"
    ),
    pytest.param("x {{#if a}}\n  A\n{{/if}} y", {"a": 1}, "x \n  A\n y", id="not-standalone"),
    pytest.param("a\n  {{! comment }}\nb\n", {}, "a\nb\n", id="standalone-comment"),
    pytest.param(
        "{{#if a}}\n  {{#if b}}\n    AB\n  {{/if}}\n{{/if}}\n",
        {"a": 1, "b": 1},
        "    AB\n",
        id="standalone-nested",
    ),
    pytest.param("{{#if a}}A {{else}} B{{/if}}", {}, " B", id="inline-else-keeps-spaces"),
    pytest.param("a\n{{x}}\nb", {"x": "X"}, "a\nX\nb", id="variables-are-never-standalone"),
]


@pytest.mark.parametrize(("source", "data", "expected"), TEXT_CONTROL)
def test_comments_escapes_and_whitespace(source: str, data: Data, expected: str) -> None:
    assert render(source, data) == expected


# ---------------------------------------------------------------- inline partials

PARTIALS = [
    pytest.param(
        '{{#*inline "p"}}[{{n}}]{{/inline}}{{> p}}', {"n": 1}, "[1]", id="define-then-use"
    ),
    pytest.param(
        '{{> p}}{{#*inline "p"}}[{{n}}]{{/inline}}', {"n": 1}, "[1]", id="use-before-definition"
    ),
    pytest.param(
        '{{#* inline "p"}}P{{/inline}}{{> "p"}}', {}, "P", id="spaced-star-and-quoted-name"
    ),
    pytest.param(
        '{{#*inline "p"}}[{{name}}]{{/inline}}{{#each people}}{{> p}}{{/each}}',
        {"people": [{"name": "A"}, {"name": "B"}]},
        "[A][B]",
        id="partial-in-each",
    ),
    pytest.param(
        '{{> p person}}{{#*inline "p"}}[{{name}}]{{/inline}}',
        {"person": {"name": "N"}},
        "[N]",
        id="context",
    ),
    pytest.param(
        '{{> p name="X"}}{{#*inline "p"}}[{{name}}|{{other}}]{{/inline}}',
        {"name": "N", "other": "O"},
        "[X|O]",
        id="hash-extends-context",
    ),
    pytest.param(
        '{{#each people}}{{> p}}{{/each}}{{#*inline "p"}}[{{name}}|{{../top}}]{{/inline}}',
        {"people": [{"name": "N"}], "top": "T"},
        "[N|]",
        id="no-parent-inside-partial",
    ),
    pytest.param(
        '{{#each xs}}{{> p}}{{/each}}{{#*inline "p"}}{{@index}}{{@root.t}};{{/inline}}',
        {"xs": [1, 2], "t": "T"},
        "0T;1T;",
        id="data-reaches-partial",
    ),
    pytest.param(
        '{{#*inline "t"}}{{name}}({{#each children}}{{> t}}{{/each}}){{/inline}}{{> t}}',
        {
            "name": "r",
            "children": [{"name": "a", "children": []}, {"name": "b", "children": [{"name": "c"}]}],
        },
        "r(a()b(c()))",
        id="recursive-tree",
    ),
    pytest.param(
        '{{#if a}}{{#*inline "p"}}in{{/inline}}{{> p}}{{/if}}',
        {"a": 1},
        "in",
        id="defined-in-block",
    ),
    pytest.param(
        '{{#*inline "p"}}outer{{/inline}}'
        '{{#if a}}{{#*inline "p"}}inner{{/inline}}{{> p}}{{/if}}{{> p}}',
        {"a": 1},
        "innerouter",
        id="nearest-definition-wins",
    ),
    pytest.param(
        '{{#*inline "p"}}\nline1\nline2\n{{/inline}}\n  {{> p}}\nend',
        {},
        "  line1\n  line2\nend",
        id="indented",
    ),
    pytest.param(
        '{{#*inline "a"}}A{{> b}}{{/inline}}{{#*inline "b"}}B{{/inline}}{{> a}}',
        {},
        "AB",
        id="partial-calls-partial",
    ),
]


@pytest.mark.parametrize(("source", "data", "expected"), PARTIALS)
def test_inline_partials(source: str, data: Data, expected: str) -> None:
    assert render(source, data) == expected


def test_rendering_too_deep_for_the_stack_is_a_render_error() -> None:
    body = "{{#if x}}" * 99 + "{{> p}}" + "{{/if}}" * 99  # 100 deep with the inline block
    part = compile_part('{{#*inline "p"}}' + body + "{{/inline}}{{> p}}", part="text")
    with pytest.raises(RenderError, match="nested too deeply to render") as raised:
        part.render({"x": True}, strict=True)
    assert raised.value.part == "text"


def test_endless_partial_recursion_is_a_render_error() -> None:
    part = compile_part('{{#*inline "p"}}x{{> p}}{{/inline}}{{> p}}', part="html")
    with pytest.raises(RenderError, match="nested more than 64 deep") as raised:
        part.render({}, strict=False)
    assert raised.value.part == "html"
    assert not isinstance(raised.value, MissingVariable)


# ---------------------------------------------------------------- strict mode: missing attributes

STRICT_MISSING = [
    pytest.param("{{favoriteanimal}}", {"name": "x"}, "favoriteanimal", id="absent"),
    pytest.param("{{Name}}", {"name": "x"}, "Name", id="case-sensitive"),
    pytest.param("{{website}}", {"website": None}, "website", id="null-counts-as-missing"),
    pytest.param("{{contact.firstName}}", {"contact": {}}, "contact.firstName", id="nested-leaf"),
    pytest.param("{{contact.firstName}}", {}, "contact.firstName", id="nested-parent"),
    pytest.param("{{a.b}}", {"a": "text"}, "a.b", id="through-a-string"),
    pytest.param("{{n.x}}", {"n": 5}, "n.x", id="through-a-number"),
    pytest.param("{{xs.[5]}}", {"xs": [1]}, "xs.5", id="index-out-of-range"),
    pytest.param(
        "{{#each xs}}{{name}}{{/each}}", {"xs": [{"name": "A"}, {}]}, "name", id="inside-each"
    ),
    pytest.param("{{#with p}}{{../missing}}{{/with}}", {"p": {}}, "../missing", id="parent-path"),
    pytest.param("{{@index}}", {}, "@index", id="data-outside-each"),
    pytest.param("{{#section}}x{{/section}}", {}, "section", id="section-head"),
    pytest.param("{{^section}}x{{/section}}", {}, "section", id="inverted-section-head"),
    pytest.param("ok {{#if a}}{{b}}{{/if}}", {"a": True}, "b", id="inside-taken-branch"),
    pytest.param('{{#*inline "p"}}{{q}}{{/inline}}{{> p}}', {}, "q", id="inside-partial"),
]


@pytest.mark.parametrize(("source", "data", "name"), STRICT_MISSING)
def test_strict_mode_reports_the_missing_attribute(source: str, data: Data, name: str) -> None:
    assert missing(source, data) == name
    render(source, data, strict=False)  # lenient mode renders it


STRICT_TOLERATED = [
    pytest.param("{{#if maybe}}Y{{else}}N{{/if}}", {}, "N", id="if-argument"),
    pytest.param("{{#unless maybe}}Y{{/unless}}", {}, "Y", id="unless-argument"),
    pytest.param("{{#each maybe}}x{{else}}none{{/each}}", {}, "none", id="each-argument"),
    pytest.param("{{#with maybe}}x{{else}}none{{/with}}", {}, "none", id="with-argument"),
    pytest.param("[{{lookup o 'k'}}]", {"o": {}}, "[]", id="lookup-result"),
    pytest.param("{{#if a}}{{b}}{{/if}}", {}, "", id="untaken-branch"),
    pytest.param("[{{this}}]", {}, "[[object Object]]", id="this"),
    pytest.param("{{#each xs}}[{{this}}]{{/each}}", {"xs": [None]}, "[]", id="this-null"),
    pytest.param("{{#section}}x{{else}}y{{/section}}", {"section": None}, "y", id="null-section"),
    pytest.param("{{x}}", {"x": ""}, "", id="empty-string-is-present"),
    pytest.param("{{x}}", {"x": 0}, "0", id="zero-is-present"),
    pytest.param("{{x}}", {"x": False}, "false", id="false-is-present"),
    pytest.param("{{log missing}}", {}, "", id="log-argument"),
]


@pytest.mark.parametrize(("source", "data", "expected"), STRICT_TOLERATED)
def test_strict_mode_tolerates_optional_data(source: str, data: Data, expected: str) -> None:
    assert render(source, data, strict=True) == expected


UNKNOWN_HELPERS = [
    pytest.param("{{#IF firstName}}Hi{{/IF}}", "IF", id="uppercase-if"),
    pytest.param("{{eq a b}}", "eq", id="mustache-helper"),
    pytest.param("{{#if (eq a b)}}x{{/if}}", "eq", id="subexpression-helper"),
    pytest.param("{{formatDate d format='short'}}", "formatDate", id="hash-only"),
    pytest.param("{{a.b c}}", "a.b", id="path-called-as-helper"),
]


@pytest.mark.parametrize(("source", "name"), UNKNOWN_HELPERS)
@pytest.mark.parametrize("strict", [True, False], ids=["strict", "lenient"])
def test_unknown_helpers_fail_at_render_time(source: str, name: str, strict: bool) -> None:
    data: Data = {"firstName": "A", "a": {"b": 1}, "b": 1, "c": 1, "d": 1, "IF": 1, "eq": 1}
    compile_part(source)  # stored without complaint
    assert missing(source, data, strict=strict) == name


def test_unsubscribe_placeholder_is_kept_for_list_management() -> None:
    source = '<a href="{{amazonSESUnsubscribeUrl}}">unsubscribe</a> {{name}}'
    expected = '<a href="{{amazonSESUnsubscribeUrl}}">unsubscribe</a> A'
    assert render(source, {"name": "A"}, strict=True) == expected
    assert render(source, {"name": "A"}, strict=False) == expected
    assert render("{{amazonSESUnsubscribeUrl}}", {"amazonSESUnsubscribeUrl": "u"}) == "u"


# ---------------------------------------------------------------- syntax errors

SYNTAX_ERRORS = [
    pytest.param("{{x", "never closed", 1, 1, id="unclosed-tag"),
    pytest.param("{{x}", "unexpected '}'", 1, 4, id="one-brace"),
    pytest.param("{{{x}}", "must close with '}}}'", 1, 5, id="triple-closed-by-two"),
    pytest.param("{{x}}}", "one '}' too many", 1, 4, id="double-closed-by-three"),
    pytest.param("{{}}", "expected a name", 1, 1, id="empty-tag"),
    pytest.param("a\n  {{#if x}}", "{{#if}} is never closed", 2, 3, id="unclosed-block"),
    pytest.param("{{#each xs}}{{#if x}}", "{{#if}} is never closed", 1, 13, id="inner-unclosed"),
    pytest.param(
        "{{#each xs}}{{#if x}}{{/each}}", "does not close {{#if}}", 1, 22, id="inner-mismatch"
    ),
    pytest.param("{{/if}}", "closes no open block", 1, 1, id="close-without-open"),
    pytest.param(
        "{{#if x}}\n{{/each}}",
        "does not close {{#if}} (opened at line 1, column 1)",
        2,
        1,
        id="mismatch",
    ),
    pytest.param("{{else}}", "outside any block", 1, 1, id="else-outside"),
    pytest.param(
        "{{#if x}}{{else}}{{else}}{{/if}}", "already has an {{else}}", 1, 18, id="two-elses"
    ),
    pytest.param("{{^x}}a{{else if y}}b{{/x}}", "cannot have {{else", 1, 8, id="inverted-chain"),
    pytest.param("{{#if}}{{/if}}", "{{#if}} needs exactly one argument", 1, 1, id="if-no-argument"),
    pytest.param(
        "{{#unless a b}}{{/unless}}",
        "{{#unless}} needs exactly one argument",
        1,
        1,
        id="unless-two",
    ),
    pytest.param(
        "{{#each}}{{/each}}", "{{#each}} needs exactly one argument", 1, 1, id="each-no-argument"
    ),
    pytest.param(
        "{{#with}}{{/with}}", "{{#with}} needs exactly one argument", 1, 1, id="with-no-argument"
    ),
    pytest.param("{{if x}}", "'if' is a block helper", 1, 1, id="if-as-mustache"),
    pytest.param("{{each xs}}", "'each' is a block helper", 1, 1, id="each-as-mustache"),
    pytest.param(
        "{{x (with y)}}", "cannot be used in a subexpression", 1, 1, id="block-helper-subexpression"
    ),
    pytest.param("{{lookup x}}", "'lookup' needs exactly two arguments", 1, 1, id="lookup-arity"),
    pytest.param(
        "{{#lookup a b}}{{/lookup}}", "cannot be used as a block", 1, 1, id="lookup-block"
    ),
    pytest.param("{{> nope}}", "the partial 'nope' is not defined", 1, 1, id="undefined-partial"),
    pytest.param(
        '{{#if x}}{{#*inline "p"}}P{{/inline}}{{/if}}{{> p}}',
        "'p' is not defined",
        1,
        45,
        id="partial-out-of-scope",
    ),
    pytest.param(
        '{{#*inline "p"}}{{else}}{{/inline}}', "cannot have an {{else}}", 1, 17, id="inline-else"
    ),
    pytest.param("{{#*inline p}}{{/inline}}", "partial name in quotes", 1, 1, id="inline-unquoted"),
    pytest.param(
        "{{#*decorate}}{{/decorate}}", "decorators other than", 1, 1, id="other-decorator-block"
    ),
    pytest.param("{{*decorate}}", "decorators other than", 1, 1, id="decorator"),
    pytest.param("{{#> p}}x{{/p}}", "partial blocks", 1, 1, id="partial-block"),
    pytest.param("{{{{raw}}}}x{{{{/raw}}}}", "raw blocks", 1, 1, id="raw-block"),
    pytest.param("{{> (lookup . 'x')}}", "dynamic partials", 1, 5, id="dynamic-partial"),
    pytest.param(
        '{{> p a b}}{{#*inline "p"}}{{/inline}}',
        "at most one context argument",
        1,
        1,
        id="partial-args",
    ),
    pytest.param("{{foo.this}}", "invalid path 'foo.this'", 1, 1, id="this-mid-path"),
    pytest.param("{{foo/../bar}}", "invalid path 'foo/..'", 1, 1, id="dotdot-mid-path"),
    pytest.param("{{x y=}}", "expected an argument", 1, 1, id="hash-without-value"),
    pytest.param("{{x y=1 z}}", "unexpected name 'z'", 1, 9, id="param-after-hash"),
    pytest.param("{{x as |y|}}", "only go on block tags", 1, 5, id="block-params-on-mustache"),
    pytest.param(
        "{{#each xs as ||}}{{/each}}", "block params must be names", 1, 16, id="empty-block-params"
    ),
    pytest.param("{{!-- never", "never closed", 1, 1, id="unclosed-long-comment"),
    pytest.param("{{! never", "never closed", 1, 1, id="unclosed-comment"),
    pytest.param('{{"never}}', "string is never closed", 1, 3, id="unclosed-string"),
    pytest.param("{{[never}}", "'[' segment is never closed", 1, 3, id="unclosed-segment"),
    pytest.param("{{x (y}}", "expected ')'", 1, 1, id="unclosed-subexpression"),
    pytest.param("{{x)}}", "unexpected ')'", 1, 4, id="stray-paren"),
    pytest.param("{{x=1}}", "unexpected '='", 1, 4, id="stray-equals"),
    pytest.param("{{@}}", "expected a name after '@'", 1, 1, id="bare-at"),
    pytest.param("{{@1}}", "expected a name, found number", 1, 4, id="at-number"),
    pytest.param("{{@this}}", "invalid data reference '@this'", 1, 3, id="at-this"),
    pytest.param("{{(lookup a b)}}", "expected a name, found '('", 1, 3, id="subexpression-head"),
    pytest.param("{{a.(b)}}", "expected a name after '.'", 1, 5, id="separator-then-paren"),
    pytest.param("{{x (y a=1 b)}}", "expected ')', found name", 1, 12, id="junk-in-subexpression"),
    pytest.param("{{x ! }}", "unexpected '!'", 1, 5, id="bad-character"),
    pytest.param(
        "é\n\n  {{#if x}}{{/if}}{{/x}}", "closes no open block", 3, 19, id="position-after-unicode"
    ),
]


@pytest.mark.parametrize(("source", "reason", "line", "column"), SYNTAX_ERRORS)
def test_syntax_errors_say_what_and_where(source: str, reason: str, line: int, column: int) -> None:
    error = syntax_error(source)
    assert reason in error.reason
    assert (error.line, error.column) == (line, column)
    assert str(error) == f"{error.reason} (line {line}, column {column})"
    assert error.part is None


def test_blocks_nested_too_deeply_are_refused() -> None:
    assert "nested more than 100 deep" in syntax_error("{{#if x}}" * 101).reason
    nested = "{{#if x}}" * 100 + "ok" + "{{/if}}" * 100
    assert render(nested, {"x": 1}) == "ok"


def test_subexpressions_nested_too_deeply_are_refused() -> None:
    source = "{{x " + "(lookup " * 21 + "a b" + ")" * 21 + "}}"
    assert "subexpressions nested too deeply" in syntax_error(source).reason


# ---------------------------------------------------------------- whole templates

MY_TEMPLATE = EmailTemplate(
    name="MyTemplate",
    subject="Greetings, {{name}}!",
    text="Dear {{name}},\r\nYour favorite animal is {{favoriteanimal}}.",
    html="<h1>Hello {{name}},</h1><p>Your favorite animal is {{favoriteanimal}}.</p>",
)


def test_guide_example_renders_every_part() -> None:
    rendered = render_template(
        MY_TEMPLATE, {"name": "Alejandro", "favoriteanimal": "alligator"}, strict=True
    )
    assert rendered == RenderedTemplate(
        subject="Greetings, Alejandro!",
        text="Dear Alejandro,\r\nYour favorite animal is alligator.",
        html="<h1>Hello Alejandro,</h1><p>Your favorite animal is alligator.</p>",
    )


def test_guide_example_with_a_missing_attribute_names_it_and_the_part() -> None:
    with pytest.raises(MissingVariable) as raised:
        render_template(MY_TEMPLATE, {"name": "Jane", "favoritenumber": "10"}, strict=True)
    assert raised.value.name == "favoriteanimal"
    assert raised.value.part == "text"  # subject rendered first, then text
    assert str(raised.value) == "Attribute 'favoriteanimal' is not present in the rendering data."
    lenient = render_template(MY_TEMPLATE, {"name": "Jane"}, strict=False)
    assert lenient.html == "<h1>Hello Jane,</h1><p>Your favorite animal is .</p>"


def test_absent_parts_stay_absent() -> None:
    rendered = render_template(EmailTemplate("T", html="<p>{{x}}</p>"), {"x": 1}, strict=True)
    assert rendered == RenderedTemplate(subject=None, text=None, html="<p>1</p>")


def test_syntax_errors_name_the_part() -> None:
    with pytest.raises(TemplateSyntaxError) as raised:
        compile_template(EmailTemplate("T", subject="ok", html="<p>\n{{#if x}}</p>"))
    assert raised.value.part == "html"
    assert str(raised.value) == "{{#if}} is never closed (html part, line 2, column 1)"


def test_compiled_template_is_reusable_across_destinations() -> None:
    compiled = compile_template(MY_TEMPLATE)
    assert isinstance(compiled, CompiledTemplate)
    animals = {"Anaya": "angelfish", "Liu": "lion", "Shirley": "shark"}
    subjects = [
        compiled.render({"name": n, "favoriteanimal": a}, strict=True).subject
        for n, a in animals.items()
    ]
    assert subjects == ["Greetings, Anaya!", "Greetings, Liu!", "Greetings, Shirley!"]


def test_rendering_does_not_modify_the_data() -> None:
    data: Data = {"p": {"name": "N"}, "xs": [1, 2]}
    before = json.dumps(data)
    render(
        '{{> q p x=1}}{{#each xs}}{{this}}{{/each}}{{#*inline "q"}}{{name}}{{x}}{{/inline}}', data
    )
    assert json.dumps(data) == before


PREFERENCES_HTML = (
    "<h1>Your Preferences</h1>\n"
    "<p>Dear {{contact.firstName}},</p>\n"
    "{{#if subscription}}\n"
    "<ul>\n"
    "  {{#each subscription}}\n"
    "  <li>{{interest}}</li>\n"
    "  {{/each}}\n"
    "</ul>\n"
    "{{else}}\n"
    "<p>Please update your preferences.</p>\n"
    "{{/if}}\n"
    '<a href="https://www.example.com/preferences?id={{meta.userId}}">Preference Center</a>'
)
PREFERENCES_DEFAULTS: Data = {
    "meta": {"userId": ""},
    "contact": {"firstName": "Friend", "lastName": ""},
}
PREFERENCES_DEFAULTS["subscription"] = []


def test_guide_preferences_example_lists_interests() -> None:
    data = merge_template_data(
        PREFERENCES_DEFAULTS,
        {
            "meta": {"userId": "51806220607"},
            "contact": {"firstName": "Anaya", "lastName": "Iyengar"},
            "subscription": [{"interest": "Sports"}, {"interest": "Cooking"}],
        },
    )
    assert render(PREFERENCES_HTML, data, strict=True) == (
        "<h1>Your Preferences</h1>\n<p>Dear Anaya,</p>\n"
        "<ul>\n  <li>Sports</li>\n  <li>Cooking</li>\n</ul>\n"
        '<a href="https://www.example.com/preferences?id=51806220607">Preference Center</a>'
    )


def test_guide_preferences_example_falls_back_without_interests() -> None:
    data = merge_template_data(
        PREFERENCES_DEFAULTS,
        {"meta": {"userId": "1981624758263"}, "contact": {"firstName": "Shirley"}},
    )
    assert render(PREFERENCES_HTML, data, strict=True) == (
        "<h1>Your Preferences</h1>\n<p>Dear Shirley,</p>\n<p>Please update your preferences.</p>\n"
        '<a href="https://www.example.com/preferences?id=1981624758263">Preference Center</a>'
    )


def test_guide_inline_partial_example() -> None:
    html = (
        '{{#* inline "fullName"}}{{firstName}}{{#if lastName}} {{lastName}}{{/if}}{{/inline~}}\n'
        "<h1>Hello {{> fullName}}!</h1><ul>{{#each friends}}<li>{{> fullName}}</li>{{/each}}</ul>"
    )
    data: Data = {
        "firstName": "Ana",
        "friends": [{"firstName": "Bo", "lastName": "Li"}, {"firstName": "Cy"}],
    }
    assert (
        render(html, data, strict=True) == "<h1>Hello Ana!</h1><ul><li>Bo Li</li><li>Cy</li></ul>"
    )


def test_inline_partials_do_not_cross_parts() -> None:
    template = EmailTemplate("T", text='{{#*inline "p"}}x{{/inline}}{{> p}}', html="{{> p}}")
    with pytest.raises(TemplateSyntaxError) as raised:
        compile_template(template)
    assert raised.value.part == "html"


# ---------------------------------------------------------------- inline (SESv2 TemplateContent)

INLINE_ALLOWED = [
    "Hi {{name}}",
    "{{a.b}} {{{c}}} {{&d}}",
    "{{! note }}{{x}}",
    "\\{{literal}}",
    "{{ this }}",
    "plain",
]


@pytest.mark.parametrize("source", INLINE_ALLOWED)
def test_inline_templates_allow_simple_substitution(source: str) -> None:
    compiled = compile_template(EmailTemplate("", subject=source, text=source), inline=True)
    assert compiled.text is not None


INLINE_REFUSED = [
    pytest.param("{{#if x}}y{{/if}}", "{{#if}}", id="if"),
    pytest.param("{{#each xs}}y{{/each}}", "{{#each}}", id="each"),
    pytest.param('{{#*inline "p"}}y{{/inline}}', "{{#inline}}", id="inline-partial"),
    pytest.param("{{lookup a b}}", "{{lookup ...}}", id="lookup"),
    pytest.param("{{@root.x}}", "{{@root.x}}", id="data"),
    pytest.param("{{../x}}", "{{../x}}", id="parent"),
]


@pytest.mark.parametrize(("source", "construct"), INLINE_REFUSED)
def test_inline_templates_refuse_anything_more(source: str, construct: str) -> None:
    with pytest.raises(UnsupportedOperation) as raised:
        compile_template(EmailTemplate("", subject="s", html=source), inline=True)
    assert (
        str(raised.value)
        == UNSUPPORTED_OPERATIONS_MESSAGE
        == "Template contains unsupported operations."
    )
    assert raised.value.construct == construct
    assert raised.value.part == "html"
    compile_template(EmailTemplate("T", subject="s", html=source))  # fine as a stored template


# ---------------------------------------------------------------- validation

NAME_PROBLEMS = [
    pytest.param("MyTemplate", False, id="letters"),
    pytest.param("my_template-2", False, id="underscore-hyphen-digit"),
    pytest.param("a" * 64, False, id="64-chars"),
    pytest.param("a" * 65, True, id="65-chars"),
    pytest.param("", True, id="empty"),
    pytest.param("my template", True, id="space"),
    pytest.param("my.template", True, id="dot"),
    pytest.param("modèle", True, id="non-ascii"),
    pytest.param("tmpl\n", True, id="trailing-newline"),
]


@pytest.mark.parametrize(("name", "refused"), NAME_PROBLEMS)
def test_template_name_rules(name: str, refused: bool) -> None:
    problem = template_name_problem(name)
    assert (problem is not None) == refused
    if refused and name:
        assert problem == (
            f"Template name '{name}' is not valid: it must be 1 to 64 letters, digits, "
            "underscores (_) or hyphens (-)."
        )


TEMPLATE_PROBLEMS = [
    pytest.param(EmailTemplate("T", subject="s", text="t"), False, [], id="text-only"),
    pytest.param(EmailTemplate("T", html="h"), False, [], id="html-only-no-subject"),
    pytest.param(
        EmailTemplate("T", subject="s"), False, ["must have a text part"], id="subject-only"
    ),
    pytest.param(
        EmailTemplate("T", subject="s", text="", html=""),
        False,
        ["must have a text part"],
        id="empty-parts",
    ),
    pytest.param(EmailTemplate("bad name", text="t"), False, ["is not valid"], id="bad-name"),
    pytest.param(EmailTemplate("", text="t"), True, [], id="inline-needs-no-name"),
    pytest.param(
        EmailTemplate("", subject="s"), True, ["must have a text part"], id="inline-needs-a-body"
    ),
    pytest.param(EmailTemplate("T", html="x" * TEMPLATE_MAX_BYTES), False, [], id="exactly-500-KB"),
    pytest.param(
        EmailTemplate("T", subject="s", html="x" * TEMPLATE_MAX_BYTES),
        False,
        ["512000"],
        id="over-500-KB",
    ),
    pytest.param(
        EmailTemplate("T", text="é" * 256_001), False, ["512002 bytes"], id="utf8-bytes-count"
    ),
    pytest.param(
        EmailTemplate("", html="x" * (TEMPLATE_MAX_BYTES + 1)), True, [], id="inline-allows-1-MB"
    ),
    pytest.param(
        EmailTemplate("", html="x" * (1024 * 1024 + 1)), True, ["1048576"], id="inline-over-1-MB"
    ),
]


@pytest.mark.parametrize(("template", "inline", "expected"), TEMPLATE_PROBLEMS)
def test_template_problems(template: EmailTemplate, inline: bool, expected: list[str]) -> None:
    problems = template_problems(template, inline=inline)
    assert len(problems) == len(expected)
    for problem, fragment in zip(problems, expected, strict=True):
        assert fragment in problem


def test_template_size_counts_utf8_bytes_of_every_part() -> None:
    assert template_size(EmailTemplate("T", subject="é", text="ab", html="€")) == 2 + 2 + 3


def test_empty_template_name_has_its_own_message() -> None:
    assert template_name_problem("") == "Template name must not be empty."


ERROR_KINDS = [
    pytest.param(TemplateSyntaxError, TemplateError, id="syntax"),
    pytest.param(UnsupportedOperation, TemplateError, id="unsupported"),
    pytest.param(RenderError, TemplateError, id="render"),
    pytest.param(MissingVariable, RenderError, id="missing-is-a-render-error"),
    pytest.param(TemplateDataError, TemplateError, id="data"),
]


@pytest.mark.parametrize(("kind", "base"), ERROR_KINDS)
def test_error_hierarchy(kind: type[Exception], base: type[Exception]) -> None:
    assert issubclass(kind, base)


def test_compiled_part_keeps_its_source() -> None:
    part = compile_part("Hi {{name}}", part="subject")
    assert (part.source, part.part) == ("Hi {{name}}", "subject")
    assert repr(part) == "CompiledPart('Hi {{name}}', part='subject')"


# ---------------------------------------------------------------- template data

DATA_OK = [
    pytest.param('{"name": "Ann"}', {"name": "Ann"}, id="object"),
    pytest.param("{}", {}, id="empty-object"),
    pytest.param(
        ' \n{"a": [1, 2.5, null, true]}\t', {"a": [1, 2.5, None, True]}, id="whitespace-and-types"
    ),
    pytest.param('{"a": 1, "a": 2}', {"a": 2}, id="duplicate-key-last-wins"),
    pytest.param(
        '{"id": 123456789012345678901234567890}',
        {"id": 123456789012345678901234567890},
        id="big-int",
    ),
]


@pytest.mark.parametrize(("text", "expected"), DATA_OK)
def test_parse_template_data(text: str, expected: Data) -> None:
    assert parse_template_data(text) == expected


DATA_REFUSED = [
    pytest.param("", "not valid JSON: Expecting value (line 1, column 1)", id="empty"),
    pytest.param('{"name": "Ann"', "not valid JSON", id="truncated"),
    pytest.param("{'name': 'Ann'}", "not valid JSON", id="single-quotes"),
    pytest.param('{"a": 1,}', "not valid JSON", id="trailing-comma"),
    pytest.param('{"a": NaN}', "NaN is not valid JSON", id="nan"),
    pytest.param('{"a": -Infinity}', "-Infinity is not valid JSON", id="infinity"),
    pytest.param("[1, 2]", "must be a JSON object, not an array", id="array"),
    pytest.param('"text"', "must be a JSON object, not a string", id="string"),
    pytest.param("42", "must be a JSON object, not a number", id="number"),
    pytest.param("true", "must be a JSON object, not a boolean", id="boolean"),
    pytest.param("null", "must be a JSON object, not null", id="null"),
    pytest.param('{"a":' * 100_000 + "1" + "}" * 100_000, "characters long", id="too-long"),
    pytest.param("[" * 50_000 + "]" * 50_000, "nested too deeply", id="too-deep"),
]


@pytest.mark.parametrize(("text", "reason"), DATA_REFUSED)
def test_parse_template_data_refuses(text: str, reason: str) -> None:
    with pytest.raises(TemplateDataError) as raised:
        parse_template_data(text)
    assert reason in str(raised.value)
    assert isinstance(raised.value, TemplateError)


def test_template_data_length_limit_is_inclusive() -> None:
    filler = "x" * (TEMPLATE_DATA_MAX_LENGTH - len('{"a": ""}'))
    text = '{"a": "' + filler + '"}'
    assert len(text) == TEMPLATE_DATA_MAX_LENGTH
    assert parse_template_data(text) == {"a": filler}
    with pytest.raises(TemplateDataError, match="262145 characters long; the limit is 262144"):
        parse_template_data(text + " ")


MERGES = [
    pytest.param({"a": 1}, {}, {"a": 1}, id="empty-replacement-keeps-defaults"),
    pytest.param({"a": 1, "b": 2}, {"b": 3}, {"a": 1, "b": 3}, id="per-key"),
    pytest.param({"a": 1}, {"c": 3}, {"a": 1, "c": 3}, id="adds-keys"),
    pytest.param(
        {"o": {"x": "dx", "y": "dy"}},
        {"o": {"x": "rx"}},
        {"o": {"x": "rx", "y": "dy"}},
        id="recursive",
    ),
    pytest.param({"l": [1, 2, 3]}, {"l": [9]}, {"l": [9]}, id="arrays-replace"),
    pytest.param({"o": {"x": 1}}, {"o": "flat"}, {"o": "flat"}, id="scalar-replaces-object"),
    pytest.param({"o": "flat"}, {"o": {"x": 1}}, {"o": {"x": 1}}, id="object-replaces-scalar"),
    pytest.param({"a": "x"}, {"a": None}, {"a": None}, id="null-replaces"),
    pytest.param(
        {"a": {"b": {"c": 1, "d": 2}}},
        {"a": {"b": {"d": 3}}},
        {"a": {"b": {"c": 1, "d": 3}}},
        id="deep",
    ),
]


@pytest.mark.parametrize(("defaults", "replacement", "expected"), MERGES)
def test_merge_template_data(defaults: Data, replacement: Data, expected: Data) -> None:
    before = (json.dumps(defaults), json.dumps(replacement))
    assert merge_template_data(defaults, replacement) == expected
    assert (json.dumps(defaults), json.dumps(replacement)) == before  # neither is modified


def test_merge_handles_deep_objects_without_recursion() -> None:
    deep_default: Data = {"v": "d", "w": "d"}
    deep_replacement: Data = {"v": "r"}
    for _ in range(3000):
        deep_default, deep_replacement = {"n": deep_default}, {"n": deep_replacement}
    merged: object = merge_template_data(deep_default, deep_replacement)
    for _ in range(3000):
        assert isinstance(merged, dict)
        merged = merged["n"]
    assert merged == {"v": "r", "w": "d"}


# ---------------------------------------------------------------- properties

TEXT_WITHOUT_TAGS = st.text().filter(lambda s: "{{" not in s)


@given(TEXT_WITHOUT_TAGS)
def test_text_without_tags_renders_unchanged(text: str) -> None:
    assert render(text, {}, strict=True) == text


@given(st.text(max_size=50))
def test_any_string_value_is_substituted_verbatim(value: str) -> None:
    assert render("<{{v}}|{{{v}}}>", {"v": value}) == f"<{value}|{value}>"
