"""The pure-Python side of the claims layer (template specs, panel column -> datasets) must
agree with what it mirrors: the template implementations and the size definitions."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest

from smallcap_bt import columns
from smallcap_bt.claims.templates import base
from smallcap_bt.claims.templates.specs import SPECS, get_spec
from smallcap_bt.exceptions import ClaimDefinitionError, UnknownDatasetError
from smallcap_bt.panel.definitions import definition, size_definitions


def _expected_datasets(column: str) -> tuple[str, ...]:
    """What a size column reads, from the size definitions themselves."""
    kind, _, def_id = column.partition(".")
    d = definition(def_id)
    if d.small is None and kind != "sml":
        return (f"ff.portfolios_2x3.monthly.{d.weighting}",)
    return (d.dataset,)


def test_size_definition_mirror_matches_the_definitions():
    assert columns.SIZE_DEFINITION_IDS == tuple(d.id for d in size_definitions())
    for d in size_definitions():
        for kind in ("sml", "small", "large"):
            col = f"{kind}.{d.id}"
            assert columns.column_datasets(col) == _expected_datasets(col), col


def test_build_reexports_the_pure_mapping():
    from smallcap_bt.panel import build

    assert build.column_datasets is columns.column_datasets
    assert build.COLUMN_DATASETS is columns.COLUMN_DATASETS
    # every macro / factor column of the panel is mapped (and nothing else)
    named = {c for c in build.PANEL_COLUMNS if "<id>" not in c}
    assert named == set(columns.COLUMN_DATASETS)


@pytest.mark.parametrize("bad", ["quintile", "tercile.xx", "nonsense"])
def test_unknown_definition_error_is_word_for_word(bad):
    with pytest.raises(UnknownDatasetError) as want:
        definition(bad)
    with pytest.raises(UnknownDatasetError) as got:
        columns.column_datasets(f"small.{bad}")
    assert str(got.value) == str(want.value)


def test_unknown_panel_column():
    with pytest.raises(KeyError, match="unknown panel column 'gdp'"):
        columns.column_datasets("gdp")


def _first_paragraph(fn: object) -> str:
    return " ".join((inspect.getdoc(fn) or "").split("\n\n")[0].split())


@pytest.mark.parametrize("name", list(SPECS))
def test_spec_matches_its_implementation(name):
    spec = SPECS[name]
    tpl = base.get_template(name)
    assert tpl.run.__module__ == spec.module
    assert getattr(importlib.import_module(spec.module), tpl.run.__name__) is tpl.run
    # `claims templates` prints the spec; the function's docstring must say the same
    assert spec.description == _first_paragraph(tpl.run)
    assert (tpl.name, tpl.params, tpl.description, tpl.resamplable) == (
        spec.name,
        spec.params,
        spec.description,
        spec.resamplable,
    )


def test_every_implementation_has_a_spec_and_the_package_lists_them_all():
    from smallcap_bt.claims import templates

    assert set(templates.TEMPLATES) == set(SPECS)  # imports every implementation module
    for mod in {s.module for s in SPECS.values()}:
        registered = {n for n, t in base.TEMPLATES.items() if t.run.__module__ == mod}
        assert registered == {n for n, s in SPECS.items() if s.module == mod}, mod


def test_template_decorator_rejects_a_name_without_spec():
    with pytest.raises(ClaimDefinitionError, match="unknown test template 'no_such'"):
        base.template("no_such")


def test_unknown_template_message_is_unchanged():
    with pytest.raises(ClaimDefinitionError) as exc:
        get_spec("event_studdy")
    assert str(exc.value).startswith("unknown test template 'event_studdy'; known: ")
    assert str(exc.value).endswith(", ".join(sorted(SPECS)))
    with pytest.raises(ClaimDefinitionError) as exc2:
        base.get_template("event_studdy")
    assert str(exc2.value) == str(exc.value)


def test_reexported_names_stay_importable():
    from smallcap_bt.claims.templates import (
        checks,
        events,
        periods,
        regimes,
        size,
        streaks,
        windows,
    )
    from smallcap_bt.claims.templates import params as P

    assert base.Params is P.Params and base.ALL_DEFS == P.ALL_DEFS
    assert base.LEG_DEFS == P.LEG_DEFS and base.size_datasets is P.size_datasets
    assert checks.Ratio is P.Ratio and checks.ValuationParams is P.ValuationParams
    assert windows.Window is P.Window and windows.WindowParams is P.WindowParams
    assert events.EventParams is P.EventParams and events.EventSource is P.EventSource
    assert regimes.Regime is P.Regime and regimes.Rule is P.Rule
    assert size.FigureParams is P.FigureParams and periods.DecadeParams is P.DecadeParams
    assert streaks.StagedParams is P.StagedParams


def test_window_bounds_still_use_months():
    from smallcap_bt.claims.templates.params import Window

    assert tuple(map(str, Window(years=2).bounds("2026-02-15"))) == ("2024-02", "2026-01")
    assert tuple(map(str, Window(start="2020-03", months=3).bounds("x"))) == (
        "2020-03",
        "2020-05",
    )


def test_get_template_imports_only_its_module():
    code = (
        "import sys\n"
        "from smallcap_bt.claims.templates.specs import get_spec\n"
        "get_spec('event_study').params.model_validate({'events': 'fed_cuts'})\n"
        "print('pandas' in sys.modules)\n"
        "from smallcap_bt.claims.templates.base import get_template\n"
        "get_template('arithmetic_check')\n"
        "mods = ['checks', 'events', 'periods', 'regimes', 'size', 'streaks', 'windows']\n"
        "print(sorted(m for m in mods if 'smallcap_bt.claims.templates.' + m in sys.modules))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.split("\n")[:2] == ["False", "['checks']"]
