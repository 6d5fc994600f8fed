"""Command line: ``python -m geo SUBCOMMAND``; ``python -m geo SUBCOMMAND --help`` for each.

Everything printed is in the command's ``--lang`` (Vietnamese by default):
labels, codes in words, figures as 9.178 and 46,5%. Bad input, and any
failure, ends with one ``lỗi:`` line on stderr and exit status 2; ``--debug``
(or ``GEO_DEBUG=1``) shows the traceback instead.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Sequence
from functools import partial
from itertools import pairwise
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.dataexport import FORMATS as DATA_FORMATS
from geo.hazards import HAZARD_TYPES, parse_levels
from geo.i18n import (
    LANGS,
    UNIT_DIGITS,
    Refusal,
    fmt_count,
    fmt_number,
    fmt_percent,
    header,
    message,
    t,
    unit_text,
)
from geo.indicators import BASELINE_YEAR, TARGET_YEAR
from geo.mapexport import FORMATS, PAPERS
from geo.resettlement import STATUSES as RESETTLEMENT_STATUSES
from geo.tables import in_words, number_formats, readable

__all__ = ["main"]

#: argparse's own messages and the i18n key of each (its named groups are the fields).
_ARGPARSE_TEXT = {
    re.compile(r"argument (?P<name>[^:]+): (?P<message>.*)"): "cli_arg",
    re.compile(r"invalid choice: (?P<value>.*) \(choose from (?P<choices>.*)\)"): "cli_arg_choice",
    re.compile(r"the following arguments are required: (?P<names>.*)"): "cli_arg_required",
    re.compile(r"unrecognized arguments: (?P<names>.*)"): "cli_arg_unknown",
    re.compile(r"expected one argument"): "cli_arg_one",
    re.compile(r"invalid \S+ value: (?P<value>.*)"): "cli_arg_invalid",
}
#: Errors of the system about a file, and the i18n key that words each (with the file's name).
_FILE_ERRORS = {FileNotFoundError: "cli_err_not_found", NotADirectoryError: "cli_err_not_found",
                FileExistsError: "cli_err_exists", PermissionError: "cli_err_permission",
                IsADirectoryError: "cli_err_directory"}
#: Errors that come from what the user gave (shown as they are); anything else is unexpected.
_USER_ERRORS = (ValueError, KeyError, OSError)


def _argparse_text(text: str, lang: str) -> str:
    """An argparse error message in ``lang`` (as it is when not known).

    >>> _argparse_text("argument --units: invalid choice: '2030' (choose from '2020', '2025')", "vi")
    "tham số --units: '2030' không phải lựa chọn hợp lệ (chọn một trong '2020', '2025')"
    """
    for pattern, key in _ARGPARSE_TEXT.items():
        match = pattern.fullmatch(text)
        if match:
            fields = match.groupdict()
            if "message" in fields:
                fields["message"] = _argparse_text(fields["message"], lang)
            return t(key, lang, **fields)
    return text


def _language(argv: Sequence[str]) -> str:
    """The ``--lang`` of a command line, read before it is parsed ("vi" when none is given).

    >>> _language(["status", "--lang", "en"]), _language(["demo", "--lang=en"]), _language(["--lang", "fr"])
    ('en', 'en', 'vi')
    """
    given = [v for o, v in pairwise(argv) if o == "--lang"] + [a[7:] for a in argv if a.startswith("--lang=")]
    return given[-1] if given and given[-1] in LANGS else "vi"


def _explained(error: Exception, lang: str) -> str:
    """The one-line message of an error: the user's input in words, anything else as unexpected.

    >>> _explained(FileNotFoundError(2, "No such file", "a.csv"), "vi")
    'a.csv: không tìm thấy tệp hoặc thư mục'
    >>> _explained(TypeError("bad"), "en")
    'unexpected failure (TypeError: bad); run again with --debug to see the details'
    """
    key = _FILE_ERRORS.get(type(error))
    if key is not None and getattr(error, "filename", None):
        return t(key, lang, value=error.filename)
    if isinstance(error, _USER_ERRORS):
        return message(error, lang)
    return t("cli_unexpected", lang, kind=type(error).__name__, text=message(error, lang))


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line in its language (and exit status 2)."""

    def __init__(self, *args, lang: str = "vi", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lang = lang

    def error(self, message: str) -> None:  # type: ignore[override]
        text = t("cli_usage", self.lang, prog=self.prog, message=_argparse_text(message, self.lang))
        self.exit(2, t("cli_error", self.lang, message=text) + "\n")


def _level(text: str, lang: str = "vi") -> int:
    try:
        return int(parse_levels(pd.Series([text])).iloc[0])
    except ValueError:
        names = ", ".join(t(f"level_{k}", lang).lower() for k in range(1, 6))
        raise argparse.ArgumentTypeError(t("cli_arg_level", lang, value=repr(text), names=names)) from None


def _year(text: str, lang: str = "vi") -> int:
    if not text.isdigit() or not BASELINE_YEAR <= int(text) <= TARGET_YEAR:
        raise argparse.ArgumentTypeError(t("cli_arg_year", lang, value=repr(text), first=BASELINE_YEAR,
                                           last=TARGET_YEAR))
    return int(text)


def _metres(text: str, lang: str = "vi") -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0:
        raise argparse.ArgumentTypeError(t("cli_arg_metres", lang, value=repr(text)))
    return value


def _bbox(text: str, lang: str = "vi") -> tuple[float, float, float, float]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4 or not (values[0] < values[2] and values[1] < values[3]):
        raise argparse.ArgumentTypeError(t("cli_arg_bbox", lang, value=repr(text)))
    return values


def _location(text: str):
    """A workspace or dataset: a GeoPackage path or a ``postgresql://`` URL."""
    from geo.workspace import target

    return target(text)


def _parser(lang: str = "vi") -> argparse.ArgumentParser:
    """The parser of every subcommand, its errors worded in ``lang``."""
    level, year, metres, bbox = (partial(f, lang=lang) for f in (_level, _year, _metres, _bbox))
    parser = _Parser(
        prog="python -m geo", lang=lang,
        description="Cao Bằng 2021-2025 ethnic-minority programme: indicators, hazard flagging, resettlement.",
    )
    parser.add_argument("--debug", action="store_true", help="show the traceback of a failure (also GEO_DEBUG=1)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=partial(_Parser, lang=lang))
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=LANGS, default="vi",
                        help="language of everything printed, vi or en (default vi)")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the traceback of a failure (also GEO_DEBUG=1)")
    dataset = argparse.ArgumentParser(add_help=False, parents=[common])
    dataset.add_argument("--dataset", "--workspace", dest="dataset", type=_location, default=None,
                         help="workspace or dataset GeoPackage, or postgresql:// URL, to read (default: the demo "
                              "province in data/demo/)")
    dataset.add_argument("--user", help="your account, when the workspace has accounts (password: GEO_PASSWORD "
                                        "or asked for)")

    p = sub.add_parser("indicators", parents=[dataset], help="the catalogue with the province's status for each target")
    p.add_argument("--year", type=year, default=2025, help="year to evaluate, 2020-2025 (default 2025)")
    p.add_argument("--out", type=Path, help="also write the table to this .csv")

    p = sub.add_parser("docs", parents=[common], help="write docs/indicators.md from the indicator catalogue")
    p.add_argument("--out", type=Path, default=Path("docs/indicators.md"),
                   help="the Markdown file to write (default docs/indicators.md)")

    p = sub.add_parser("status", parents=[dataset], help="per-commune status of one indicator")
    p.add_argument("--indicator", required=True, help="indicator id, e.g. 2, 3a, 14b (see `indicators`)")
    p.add_argument("--year", type=year, default=2025, help="year, 2020-2025 (default 2025)")
    p.add_argument("--units", choices=("2020", "2025"), default="2020",
                   help="2020: the 161 communes of 2020-2025; 2025: the 56 units from 1 July 2025")
    p.add_argument("--since", type=year, help="compare with this earlier year: how each commune's status moved")
    p.add_argument("--out", type=Path, help="write the table to this .csv (default: print it)")

    p = sub.add_parser("flag", parents=[dataset], help="flag households in hazard zones")
    p.add_argument("--households", type=Path, help="point layer, or .csv/.xlsx with lon/lat (default: demo)")
    p.add_argument("--hazards", type=Path, help="polygon layer with hazard_type and level (default: demo)")
    p.add_argument("--communes", type=Path, help="commune polygons with ma_xa (default: the dataset's 2020 communes)")
    p.add_argument("--min-level", type=level, default=1, help="lowest hazard level to count, 1-5 or a name (default 1)")
    p.add_argument("--buffer-m", type=metres, default=0.0, help="also count zones within this many metres (default 0)")
    p.add_argument("--in-zones-only", action="store_true", help="write only the households in a zone (default: all)")
    p.add_argument("--out", type=Path, help="output .csv, .gpkg or .geojson")

    # The risk page's filters, shared by export-map --map risk, atlas --map risk and export-data.
    risk = argparse.ArgumentParser(add_help=False)
    risk.add_argument("--types", default=",".join(HAZARD_TYPES),
                      help="comma-separated hazard types (default: all three)")
    risk.add_argument("--min-level", type=level, default=4, help="lowest hazard level shown (default 4, high)")
    risk.add_argument("--buffer-m", type=metres, default=0.0, help="buffer around zones in metres (default 0)")
    risk.add_argument("--ethnicity", action="append", help="keep this ethnic group (repeatable)")
    risk.add_argument("--status", action="append", choices=RESETTLEMENT_STATUSES,
                      help="keep this resettlement status (repeatable)")
    risk.add_argument("--at-risk-only", action="store_true", help="only scattered ethnic-minority households")
    p = sub.add_parser("resettlement", parents=[dataset, risk], help="progress towards resettling 60%% of at-risk households")
    p.add_argument("--year", type=year, default=2025, help="progress at the end of this year (default 2025)")
    p.add_argument("--units", choices=("2020", "2025"), default="2020", help="communes of 2020-2025 or 2025 units")
    p.add_argument("--commune", action="append", help="commune code (repeatable); default: the province")
    p.add_argument("--out", type=Path, help="write the per-commune table to this .csv")

    p = sub.add_parser("impact", parents=[dataset, risk],
                       help="households and people by hazard type, level and commune (or village), affected or not")
    p.add_argument("--commune", action="append", help="commune code (repeatable); one commune: by village")
    p.add_argument("--out", type=Path, help="also write the table (.csv, .xlsx)")

    p = sub.add_parser("plan", parents=[dataset, risk],
                       help="propose who moves first and to which safe site (a proposal: nothing is written)")
    p.add_argument("--year", type=year, default=2025, help="households done by the end of this year count (default 2025)")
    p.add_argument("--units", choices=("2020", "2025"), default="2020", help="communes of 2020-2025 or 2025 units")
    p.add_argument("--commune", action="append", help="commune code (repeatable); default: the province")
    p.add_argument("--max-km", type=metres, default=10.0,
                   help="farthest site, in km in a straight line (EPSG:9210; no road distance offline; default 10)")
    p.add_argument("--priority", default="level,poor,size",
                   help="priority keys in order, from level (highest first), poor (poor first), size (larger first); "
                        "default level,poor,size")
    p.add_argument("--unsafe-level", type=level,
                   help="a site in a zone at or above this level is unsafe (default: --min-level)")
    p.add_argument("--out", type=Path, help="write the plan, one row per household (.xlsx, .csv, .geojson, .gpkg, .kml)")
    p.add_argument("--communes-out", type=Path, help="write the per-commune table (.xlsx or .csv)")
    p.add_argument("--pdf", type=Path, help="write a PDF with one page per site that has proposed households")

    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--commune", action="append", help="commune code (repeatable); default: the province")
    where.add_argument("--indicator", default="12", help="indicator id for the indicator map (default 12)")
    where.add_argument("--year", type=year, default=TARGET_YEAR, help="year (default 2025)")
    where.add_argument("--units", choices=("2020", "2025"), default="2020", help="2020-2025 communes or 2025 units")

    p = sub.add_parser("export-map", parents=[dataset, risk, where], help="a print-quality map (PNG, PDF, SVG)")
    p.add_argument("--map", choices=("indicator", "risk"), required=True)
    p.add_argument("--format", choices=FORMATS, help="default: from the file's extension")
    p.add_argument("--paper", choices=tuple(PAPERS), default="a4")
    turn = p.add_mutually_exclusive_group()
    turn.add_argument("--landscape", action="store_true", default=None,
                      help="landscape page (default: the orientation that prints the map larger)")
    turn.add_argument("--portrait", dest="landscape", action="store_false", help="portrait page")
    p.add_argument("--dpi", type=int, default=150, help="PNG resolution (150 or 300 for print; default 150)")
    p.add_argument("--labels", action="store_true", help="write commune names on the map")
    p.add_argument("--bbox", type=bbox, help="extent as min_lon,min_lat,max_lon,max_lat (WGS 84)")
    p.add_argument("--out", type=Path, required=True)

    p = sub.add_parser("atlas", parents=[dataset, risk, where], help="a multi-page PDF, one page per commune")
    p.add_argument("--map", choices=("indicator", "risk"), required=True)
    p.add_argument("--all-communes", action="store_true",
                   help="risk atlas: also the communes without households under the filters (default: left out)")
    p.add_argument("--personal", action="store_true",
                   help="risk atlas: household heads' names in the household lists (officers and administrators)")
    p.add_argument("--out", type=Path, required=True)

    p = sub.add_parser("export-data", parents=[dataset, risk, where], help="tables as CSV, XLSX, GeoJSON, GPKG, KML")
    p.add_argument("--table", choices=("households", "indicators"), required=True,
                   help="households: flagged households under the risk filters; indicators: per-commune status")
    p.add_argument("--personal", action="store_true",
                   help="include personal fields (household head's name, identity number); the export says so")
    p.add_argument("--out", type=Path, required=True, help=".csv, .xlsx, .geojson, .gpkg or .kml")

    p = sub.add_parser("import", parents=[common], help="import the province's own file into a workspace (validated first)")
    p.add_argument("file", type=Path, help="zipped Shapefile, GeoPackage, GeoJSON, KML/KMZ, FlatGeobuf, "
                                           "GeoParquet, MapInfo TAB/MIF (zipped), CSV or XLSX")
    p.add_argument("--kind", required=True, choices=("communes", "hazards", "households", "sites", "indicators"))
    p.add_argument("--layer", help="layer of a GeoPackage with several")
    p.add_argument("--crs", help="EPSG code when the file has none, e.g. EPSG:9210 (default: read or guessed)")
    p.add_argument("--encoding", choices=("auto", "utf-8", "tcvn3", "vni"), default="auto",
                   help="text encoding (default auto: detected per column)")
    p.add_argument("--column", action="append", default=[], metavar="NAME=CANONICAL",
                   help="map a column the tool does not recognise, e.g. --column 'Ma_HGD=household_id'")
    p.add_argument("--value", action="append", default=[], metavar="WORD=MEANING",
                   help="what a word the report lists as not understood means, e.g. --value 'Trượt lở đất đá=landslide' "
                        "(remembered by the workspace)")
    p.add_argument("--hazard-type", choices=HAZARD_TYPES,
                   help="the hazard of a single-hazard map that has no type column (e.g. a landslide zoning map)")
    p.add_argument("--workspace", type=_location, default=None,
                   help="workspace GeoPackage or postgresql:// URL (created if missing; default data/workspace.gpkg)")
    p.add_argument("--dry-run", action="store_true", help="print the validation report and write nothing")
    p.add_argument("--rejects", type=Path, help="write every rejected row with its reason to this .csv")
    p.add_argument("--by", default=os.environ.get("USER", ""), help="who imports (recorded in the history)")
    p.add_argument("--user", help="your admin account, when the workspace has accounts (password: GEO_PASSWORD)")

    p = sub.add_parser("hazard-changes", parents=[common], help="households whose hazard levels changed between two zone versions")
    p.add_argument("--workspace", type=_location, required=True)
    p.add_argument("--from", dest="old", type=int, help="older version of the hazard zones (default: the one before)")
    p.add_argument("--to", dest="new", type=int, help="newer version (default: the current one)")
    p.add_argument("--buffer-m", type=metres, default=0.0, help="also count zones within this many metres (default 0)")
    p.add_argument("--out", type=Path, help="write the households to this file (.csv, .xlsx, .geojson, .gpkg, .kml)")
    p.add_argument("--user", help="your account, when the workspace has accounts (password: GEO_PASSWORD)")

    p = sub.add_parser("copy-workspace", parents=[common], help="copy a workspace (or the demo) into a new GeoPackage or PostGIS workspace")
    p.add_argument("source", type=_location, help="GeoPackage or postgresql:// URL to copy ('demo': the demo dataset)")
    p.add_argument("destination", type=_location, help="new GeoPackage, or postgresql:// URL of a database without "
                                                       "a workspace yet")
    p.add_argument("--user", help="an administrator of the source, when it has accounts (it copies them)")

    p = sub.add_parser("check-workspace", parents=[common], help="check a workspace's integrity (file, versions, "
                                                                  "orphans, accounts): one line per problem")
    p.add_argument("workspace", type=_location, help="GeoPackage or postgresql:// URL")

    p = sub.add_parser("demo", parents=[common], help="regenerate the demo dataset (byte for byte reproducible)")
    p.add_argument("--out", type=Path, default=None, help="GeoPackage to write (default data/demo/caobang_demo.gpkg)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the shipped demo's)")
    p.add_argument("--force", action="store_true", help="replace an existing file (never a workspace with accounts)")
    return parser


def _signed_user(path: Path | None, username: str | None, lang: str = "vi"):
    """(user, accounts) for a workspace that has accounts; None for the demo or a workspace without any."""
    from geo.access import Accounts
    from geo.workspace import Workspace, exists

    if path is None or not exists(path):
        return None
    workspace = Workspace.open(path)
    if workspace.read_only:
        return None
    accounts = Accounts(workspace)
    if not accounts.has_users():
        return None
    if not username:
        raise Refusal("cli_err_user", path=path)
    password = os.environ.get("GEO_PASSWORD")
    if password is None:
        import getpass

        password = getpass.getpass(t("cli_password", lang, user=username))
    return accounts.user(accounts.login(username, password)), accounts


def _require(args: argparse.Namespace, action: str) -> None:
    """Refuse (and log the refusal) when the signed-in user may not do ``action``."""
    from geo.access import require

    signed = getattr(args, "signed", None)
    if signed is not None:
        try:
            require(signed[0], action)
        except PermissionError:
            signed[1].record(signed[0], "refused", action)
            raise


def _scoped(args: argparse.Namespace, frame):
    """Household rows the signed-in user may see (all of them without accounts)."""
    from geo.access import scope_households

    signed = getattr(args, "signed", None)
    if signed is None:
        return frame
    _require(args, "see_households")
    return scope_households(signed[0], frame)


def _dataset(args: argparse.Namespace):
    from geo.dataset import load

    args.signed = _signed_user(args.dataset, getattr(args, "user", None), args.lang)
    ds = load(args.dataset)
    if ds.is_demo:
        print(f"# {ds.label}: {t('demo_note', args.lang)}", file=sys.stderr)
    return ds


def _aligned(rows: list[tuple[str, ...]], right: frozenset[int] = frozenset()) -> str:
    """Rows of text as columns, padded to the widest cell (the columns in ``right`` right-aligned).

    >>> print(_aligned([("id", "value"), ("2", "20,9")], right=frozenset({1})))
    id value
    2   20,9
    """
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(" ".join(cell.rjust(w) if i in right else cell.ljust(w)
                              for i, (cell, w) in enumerate(zip(row, widths))).rstrip() for row in rows)


def _indicators(args: argparse.Namespace) -> None:
    from geo.status import province_summary

    lang = args.lang
    ds = _dataset(args)
    table = province_summary(ds, args.year, lang)
    rows = [(t("cli_id", lang), t("indicator", lang), t("value", lang), t("target", lang), header("unit", lang),
             t("status", lang), t("cli_communes_by_status", lang), header("coverage", lang))]
    for row in table.itertuples(index=False):
        digits = UNIT_DIGITS.get(row.unit, 1)
        counts = "–" if pd.isna(row.communes_behind) else "/".join(
            fmt_count(n, lang) for n in (row.communes_behind, row.communes_on_track, row.communes_achieved))
        if pd.notna(row.communes_left):  # 3a, 3b: communes left / still listed / entered, never "behind"
            counts = "/".join(t(s, lang) + " " + fmt_count(getattr(row, f"communes_{s}"), lang)
                              for s in ("left", "still_listed", "entered"))
        rows.append((row.indicator_id, row.name[:52], fmt_number(row.value, digits, lang),
                     fmt_number(row.target_value, digits, lang), unit_text(row.unit, lang), t(row.status, lang), counts,
                     row.coverage))
    print(_aligned(rows, right=frozenset({2, 3})))
    for row in table.loc[table["notes"] != ""].itertuples(index=False):  # changes of standard (poverty 2022)
        print(f"{row.indicator_id}. {t('standard_note', lang)}: {row.notes}", file=sys.stderr)
    if args.out:
        from geo.io import write_table

        write_table(_labelled(table, ds), args.out)


#: Columns of ``status`` printed on screen (the --out file holds them all); ``listing`` for 3a, 3b.
_STATUS_COLUMNS = ("ma_xa", "name_vi", "district_vi", "value", "expected", "target_value", "status", "listing", "gap",
                   "years_needed")


def _docs(args: argparse.Namespace) -> None:
    from geo.catalogue import markdown

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown() + "\n", encoding="utf-8")
    print(args.out)


def _status(args: argparse.Namespace) -> None:
    from geo.status import commune_status

    lang = args.lang
    ds = _dataset(args)
    if args.since is not None:
        _status_change(args, ds)
        return
    table = commune_status(ds, args.indicator, args.year, args.units)
    if table["listing"].notna().any():
        table["listing"] = table["listing"].map(lambda s: t(s, lang) if isinstance(s, str) else s)
    else:
        table = table.drop(columns="listing")
    unbounded = table.loc[~table["boundary"], "ma_xa"].tolist()
    if len(ds.communes(int(args.units))) == 0:
        print(t("cli_status_no_boundaries", lang, n=fmt_count(len(unbounded), lang)), file=sys.stderr)
    elif unbounded:
        print(t("cli_status_unbounded", lang, n=fmt_count(len(unbounded), lang), codes=", ".join(unbounded)),
              file=sys.stderr)
    if args.out:
        from geo.io import write_table

        table["status_text"] = table["status"].map(lambda s: t(s, lang))
        write_table(_labelled(table, ds), args.out)
        counts = ", ".join(f"{t(s, lang)} {fmt_count(n, lang)}" for s, n in table["status"].value_counts().items())
        print(t("cli_status_written", lang, n=fmt_count(len(table), lang), path=args.out, counts=counts))
    else:
        shown = readable(table[[c for c in _STATUS_COLUMNS if c in table]], lang, keep={"name_vi": t("commune", lang)})
        print(shown.to_string(index=False, max_rows=400, na_rep="–", formatters=number_formats(shown, lang)))


def _status_change(args: argparse.Namespace, ds) -> None:
    """``status --since``: each commune's status in both years and how it moved, the page's comparison."""
    from geo.status import CHANGES, status_change

    lang = args.lang
    if args.since >= args.year:
        raise Refusal("compare_earlier", year=args.year)
    table = status_change(ds, args.indicator, args.since, args.year, args.units)
    counts = table["change"].value_counts()
    print("; ".join(f"{t(c, lang)}: {fmt_count(int(counts.get(c, 0)), lang)}" for c in CHANGES))
    if args.out:
        from geo.io import write_table

        write_table(_labelled(table, ds), args.out)
        print(t("cli_written", lang, path=args.out))
    else:
        shown = readable(table, lang, keep={"name_vi": t("commune", lang)})
        print(shown.to_string(index=False, max_rows=400, na_rep="–", formatters=number_formats(shown, lang)))


def _read_user_file(path: Path, kind: str, lang: str, boundaries=None):
    """The good rows of a user's file, read and checked as ``geo import --dry-run`` would; a summary on stderr."""
    from geo.importer import prepare

    report = prepare(path, kind, boundaries=boundaries, lang=lang)
    print(report.summary().split("\n")[0], file=sys.stderr)
    if report.good.empty:
        raise Refusal("imp_err_no_rows", value=Path(path).name)
    return report.good


def _flag(args: argparse.Namespace) -> None:
    from geo.hazards import flag_register
    from geo.io import write_table

    lang = args.lang
    if (args.households is None) != (args.hazards is None) and args.dataset is None:
        raise Refusal("cli_err_mix")
    ds = _dataset(args) if args.households is None or args.hazards is None or args.dataset else None
    # The user's own files are read exactly as an import reads them (formats, columns, words, CRS), not written.
    communes = _read_user_file(args.communes, "communes", lang) if args.communes else \
        ds.communes(2020) if ds is not None and len(ds.communes(2020)) else None
    if communes is None:
        print(t("cli_no_communes", lang), file=sys.stderr)
    households = _read_user_file(args.households, "households", lang, communes) if args.households \
        else ds.households
    zones = _read_user_file(args.hazards, "hazards", lang) if args.hazards else ds.hazard_zones
    if len(zones) == 0:  # "0 in a zone" would read as "nobody at risk"
        raise Refusal("cli_err_no_zones", path=args.hazards or args.dataset or "demo")
    start = time.perf_counter()
    flagged = flag_register(households, zones, communes, buffer_m=args.buffer_m, min_level=args.min_level)
    if ds is not None and args.households is None:
        flagged = _scoped(args, flagged)
    seconds = time.perf_counter() - start
    inside = flagged["in_hazard"]
    n = partial(fmt_count, lang=lang)
    print(t("cli_flagged", lang, households=n(len(flagged)), zones=n(len(zones)), inside=n(inside.sum()),
            level=args.min_level, level_name=t(f"level_{args.min_level}", lang).lower(),
            buffer=fmt_number(args.buffer_m, 0 if args.buffer_m.is_integer() else 1, lang),
            seconds=fmt_number(seconds, 2, lang)))
    for level, count in flagged.loc[inside, "max_level"].value_counts().sort_index().items():
        print(t("cli_flag_level", lang, level=level, name=t(f"level_{level}", lang), n=n(count)))
    if "assignment" in flagged:
        counts = flagged["assignment"].value_counts()
        counts = ", ".join(f"{w} {n(v)}" for w, v in zip(in_words("assignment", counts.index.to_series(), lang), counts))
        mismatch = t("cli_flag_mismatch", lang, n=n(flagged["mismatch"].sum())) if "mismatch" in flagged else ""
        print(t("cli_flag_communes", lang, counts=counts) + mismatch)
    if args.out:
        rows = flagged.loc[inside] if args.in_zones_only else flagged
        write_table(_labelled(rows, ds), args.out)
        _log_export(args, f"flag {Path(args.out).name}, {len(rows)} rows")
        print(t("cli_written_households", lang, path=args.out, n=n(len(rows))))


def _labelled(frame: pd.DataFrame, ds) -> pd.DataFrame:
    """Demo results carry the demo label on every row, so that no file passes for official data."""
    if ds is None or not ds.is_demo:
        return frame
    return frame.assign(data_label=ds.label)


def _resettlement(args: argparse.Namespace) -> None:
    lang = args.lang
    ds = _dataset(args)
    _require(args, "see_household_counts")
    view = _view(ds, args)
    table, total = view.progress, view.totals
    communes = table.drop(index="province")
    n = partial(fmt_count, lang=lang)
    share = partial(fmt_percent, lang=lang)
    print(t("cli_rs_title", lang, level=args.min_level, level_name=t(f"level_{args.min_level}", lang).lower(),
            year=args.year))
    print("  " + "; ".join(f"{label}: {words}" for label, words in view.filter.describe(lang)))
    if not total.at_risk:
        print("  " + t("nothing_at_risk", lang))
    else:
        print(t("cli_rs_total", lang, at_risk=n(total.at_risk), done=n(total.done), share=share(total.share, 1),
                expected=share(total.expected_share, 0), year=args.year, line=n(total.target_households),
                needed=n(total.needed)))
        print(t("cli_rs_forms", lang, concentrated=n(total.form_concentrated),
                interspersed=n(total.form_interspersed), in_place=n(total.form_in_place),
                in_progress=n(total.in_progress)))
        print(t("cli_rs_sum", lang, n=n(len(communes)), at_risk=n(communes.at_risk.sum()),
                done=n(communes.done.sum())))
        years = ", ".join(t("cli_rs_year", lang, year=y, share=share(r.share, 0), expected=share(r.expected_share, 0))
                          for y, r in view.path.iterrows())
        print(t("cli_rs_path", lang, years=years))
    for site in view.unsafe_sites.itertuples(index=False):
        print(t("cli_rs_site", lang, site=site.site_id, name=site.name_vi, hazard=t(site.hazard_type, lang).lower(),
                level=site.level, level_name=t(f"level_{site.level}", lang).lower()), file=sys.stderr)
    if args.out:
        from geo.io import write_table

        write_table(_labelled(table.reset_index(names="unit"), ds), args.out)
        print(t("cli_written", lang, path=args.out))


def _impact(args: argparse.Namespace) -> None:
    """The risk page's impact summary: the same view, rows by commune (by village for one commune)."""
    from geo.access import can
    from geo.dataexport import export_table
    from geo.risk import COMMUNE

    lang = args.lang
    ds = _dataset(args)
    view = _view(ds, args)
    signed = getattr(args, "signed", None)
    counts = signed is None or can(signed[0], "see_household_counts")  # viewers: the province rows only
    by = None if not counts else "village_id" if args.commune and len(args.commune) == 1 else COMMUNE
    table = view.impact(by)
    print("  " + "; ".join(f"{label}: {words}" for label, words in view.filter.describe(lang)))
    shown = readable(table.assign(area=table["area"].replace("province", t("impact_total", lang))), lang)
    print(shown.to_string(index=False, max_rows=2000, na_rep="–", formatters=number_formats(shown, lang)))
    if args.out:
        export_table(table, args.out, t("impact", lang), view.filter.filters(), ds.label, lang=lang)
        _log_export(args, f"impact {Path(args.out).name}, {len(table)} rows")
        print(t("cli_written", lang, path=args.out))


def _plan(args: argparse.Namespace) -> None:
    """A resettlement plan proposal (:func:`geo.placement.propose`) on the risk view of the command's filters."""
    from geo.dataexport import export_table
    from geo.placement import REASONS, PlacementRule, propose

    lang = args.lang
    ds = _dataset(args)
    _require(args, "see_households")
    rule = PlacementRule(args.priority, args.max_km * 1000, args.unsafe_level)
    start = time.perf_counter()
    view = _view(ds, args)
    middle = time.perf_counter()
    plan = propose(view, ds.sites, ds.hazard_zones, ds.households, rule)
    end = time.perf_counter()
    n = partial(fmt_count, lang=lang)
    total = plan.totals
    print(t("cli_plan_title", lang, level=args.min_level, level_name=t(f"level_{args.min_level}", lang).lower(),
            year=args.year))
    print("  " + "; ".join(f"{label}: {words}" for label, words in view.filter.describe(lang)))
    print("  " + rule.describe(lang))
    print("  " + t("plan_totals", lang, candidates=n(total.candidates), proposed=n(total.proposed),
                   within=n(total.towards_target), unplaced=n(len(plan.unplaced)), short=n(total.short),
                   under_way=n(total.under_way)))
    print(t("cli_plan_reasons", lang, reasons="; ".join(f"{t('reason_' + r, lang).lower()} {n(total['unplaced_' + r])}"
                                                        for r in REASONS)))
    sites = plan.sites
    print(t("cli_plan_sites", lang, n=n(len(sites)), unsafe=n((~sites["safe"]).sum()),
            room=n((sites["remaining"] + sites["proposed"]).loc[sites["safe"]].sum())))
    print(t("cli_plan_seconds", lang, seconds=fmt_number(end - start, 2, lang), plan=fmt_number(end - middle, 2, lang)))
    names = ds.communes(int(args.units)).set_index("ma_xa")["name_vi"] if len(ds.communes(int(args.units))) else {}
    communes = plan.communes.reset_index()
    communes.insert(1, "name_vi", communes["ma_xa"].map(lambda c: names.get(c, "–")))
    shown = communes.loc[(communes["candidates"] > 0) | (communes["short"] > 0)].sort_values(
        ["short", "needed"], ascending=False).drop(columns=["target_households"])
    if len(shown):
        words = readable(shown, lang, keep={"name_vi": t("commune", lang)})
        print(words.to_string(index=False, max_rows=400, formatters=number_formats(words, lang)))
    recorded = plan.filters(view.filter.filters(), lang)
    who = args.signed[0].username if args.signed else os.environ.get("USER") or None
    if args.pdf:  # first: a plan without pages is refused before any file is written
        from geo.placementprint import site_pages

        pages = site_pages(ds, plan, args.pdf, lang)
        _log_export(args, f"plan pages {Path(args.pdf).name}")
        print(t("cli_written_pages", lang, path=args.pdf, n=n(pages)))
    if args.out:
        table = plan.table()
        export_table(table, args.out, t("plan", lang), recorded, ds.label, exported_by=who, lang=lang)
        _log_export(args, f"plan {Path(args.out).name}, {len(table)} rows")
        print(t("cli_written_households", lang, path=args.out, n=n(len(table))))
    if args.communes_out:
        export_table(communes, args.communes_out, t("plan_by_commune", lang), recorded, ds.label, exported_by=who,
                     lang=lang)
        _log_export(args, f"plan communes {Path(args.communes_out).name}")
        print(t("cli_written", lang, path=args.communes_out))


def _demo(args: argparse.Namespace) -> None:
    from geo import demo

    seed = demo.SEED if args.seed is None else args.seed
    path = demo.write(demo.generate(seed=seed), args.out or demo.DEMO_PATH)
    print(t("cli_demo_written", args.lang, path=path, size=fmt_number(path.stat().st_size / 1e6, 1, args.lang),
            seed=seed))


def _may_see_households(args: argparse.Namespace) -> bool:
    """Whether the signed-in user may see household points (everyone on a dataset without accounts)."""
    from geo.access import can

    signed = getattr(args, "signed", None)
    return signed is None or can(signed[0], "see_households")


def _log_export(args: argparse.Namespace, what: str) -> None:
    """Record a file taken out of a workspace with accounts in its access log (user names only)."""
    signed = getattr(args, "signed", None)
    if signed is not None:
        signed[1].record(signed[0], "export", what)


def _view(ds, args: argparse.Namespace):
    """The officers' view (:func:`geo.risk.risk_view`) of the command's filters, within the user's communes."""
    from geo.risk import RiskFilter, risk_view

    signed = getattr(args, "signed", None)
    communes = getattr(args, "commune", None)
    if signed is not None and signed[0].communes is not None and communes:
        outside = sorted(set(communes) - signed[0].communes)
        if outside:  # a request for another commune's data: refused and logged
            signed[1].refuse(signed[0], f"communes {', '.join(outside)}", communes=outside)
    types = [v.strip() for v in args.types.split(",") if v.strip()]
    if not types:
        raise Refusal("cli_err_types", value="''", choices=", ".join(HAZARD_TYPES))
    flt = RiskFilter(types, args.min_level, args.buffer_m, communes, args.ethnicity, args.status,
                     args.at_risk_only, getattr(args, "year", TARGET_YEAR), getattr(args, "units", "2020"))
    return risk_view(ds, flt, signed[0] if signed is not None else None)


def _export_map(args: argparse.Namespace) -> None:
    from geo.mapexport import indicator_figure, risk_figure, save_figure

    ds = _dataset(args)
    common = {"communes": args.commune, "bbox": args.bbox, "paper": args.paper, "landscape": args.landscape,
              "lang": args.lang, "labels": args.labels}
    if args.map == "indicator":
        figure = indicator_figure(ds, args.indicator, args.year, args.units, **common)
    else:
        common.pop("communes")
        figure = risk_figure(ds, _view(ds, args), show_households=_may_see_households(args), **common)
    path = save_figure(figure, args.out, dpi=args.dpi, fmt=args.format)
    _log_export(args, f"{args.map} map {path.name}")
    print(t("cli_written_size", args.lang, path=path, size=fmt_number(path.stat().st_size / 1024, 0, args.lang)))


def _atlas(args: argparse.Namespace) -> None:
    from geo.mapexport import atlas

    ds = _dataset(args)
    if args.out.suffix.lower() != ".pdf":
        raise Refusal("cli_err_atlas", path=args.out)
    view = _view(ds, args) if args.map == "risk" else None
    if args.personal:
        _require(args, "export_personal")
    path = atlas(ds, args.out, args.map, args.year, args.commune, view, args.lang,
                 show_households=_may_see_households(args),
                 progress=lambda done, total: _pages(done, total, args.lang),
                 all_communes=args.all_communes, personal=args.personal)
    _log_export(args, f"{args.map} atlas {path.name}")
    from pypdf import PdfReader

    print(t("cli_written_pages", args.lang, path=path, n=fmt_count(len(PdfReader(path).pages), args.lang)))


def _pages(done: int, total: int, lang: str) -> None:
    """The atlas's progress, one line on stderr rewritten after each page ("trang 12/161")."""
    text = t("atlas_progress", lang, done=fmt_count(done, lang), total=fmt_count(total, lang))
    print(f"\r{text}", end="\n" if done == total else "", file=sys.stderr, flush=True)


def _export_data(args: argparse.Namespace) -> None:
    from geo.dataexport import export_table, with_personal_fields

    ds = _dataset(args)
    if args.table == "households":  # rows, counts per commune or totals: what the user's role may take away
        view = _view(ds, args)
        table = view.table_for(args.signed[0] if args.signed else None)
        if args.personal:
            _require(args, "export_personal")
            table = with_personal_fields(table, ds.people())
        recorded = view.filter.filters()
        title = "Flagged households / Hộ trong vùng nguy cơ"
    else:
        from geo.status import commune_status

        status = commune_status(ds, args.indicator, args.year, args.units)
        shapes = ds.communes(int(args.units))[["ma_xa", "geometry"]]
        # every commune of the status table, with its boundary when the dataset has one
        table = gpd.GeoDataFrame(status.merge(shapes, on="ma_xa", how="left"), geometry="geometry", crs=shapes.crs)
        if args.commune:
            table = table.loc[table["ma_xa"].isin(args.commune)]
        recorded = {"indicator": args.indicator, "year": args.year, "units": args.units, "communes": args.commune}
        title = f"Indicator {args.indicator}, {args.year} / Chỉ tiêu {args.indicator}, năm {args.year}"
    who = args.signed[0].username if args.signed else os.environ.get("USER") or None
    path = export_table(table, args.out, title, recorded, ds.label, personal=args.personal, exported_by=who,
                        lang=args.lang)
    if args.signed:
        args.signed[1].record(args.signed[0], "export", f"{args.table}, {len(table)} rows, personal={args.personal}")
    personal = t("cli_personal" if args.personal else "cli_no_personal", args.lang)
    print(t("cli_written_rows", args.lang, path=path, n=fmt_count(len(table), args.lang), personal=personal))


def _import(args: argparse.Namespace) -> None:
    from geo.importer import commit, known_to, parse_value_mappings, prepare
    from geo.io import write_table
    from geo.workspace import DEFAULT_WORKSPACE

    columns = {}
    for item in args.column:
        original, _, canonical = item.partition("=")
        if not original or not canonical:
            raise Refusal("cli_err_column", value=repr(item))
        columns[original] = canonical
    path = args.workspace or DEFAULT_WORKSPACE
    args.signed = _signed_user(path, args.user, args.lang)
    _require(args, "import")
    known = known_to(path)
    values = {**known["values"], **parse_value_mappings(args.value, args.lang)}
    report = prepare(args.file, args.kind, args.layer, args.crs, args.encoding, columns or None, values,
                     args.hazard_type, known["boundaries"], args.lang)
    print(report.summary())
    if args.rejects:
        write_table(report.rejected.drop(columns=["what"]), args.rejects)
        print(f"{t('rows_rejected', args.lang)}: {args.rejects}")
    if args.dry_run:
        print(t("dry_run_done", args.lang))
        return
    version = commit(report, path, args.signed[0].username if args.signed else args.by)
    print(t("imported_into", args.lang, path=path, layer=report.layer, version=version))


def _hazard_changes(args: argparse.Namespace) -> None:
    from geo.dataexport import export_table
    from geo.dataset import load
    from geo.zoneversions import hazard_changes

    lang = args.lang
    args.signed = _signed_user(args.workspace, args.user, lang)
    ds = load(args.workspace)
    changes = hazard_changes(ds, args.old, args.new, args.buffer_m)
    changed = _scoped(args, changes.households)
    print(t("cli_hazard_changes", lang, old=changes.old, new=changes.new, changed=fmt_count(len(changed), lang),
            total=fmt_count(len(_scoped(args, changes.compared)), lang)))
    if args.out:
        who = args.signed[0].username if args.signed else os.environ.get("USER") or None
        recorded = {"buffer_m": args.buffer_m, t("zone_version_old", lang): changes.old,
                    t("zone_version_new", lang): changes.new}
        export_table(changed, args.out, t("zone_changes", lang), recorded, ds.label, exported_by=who, lang=lang)
        _log_export(args, f"hazard-changes {Path(args.out).name}, {len(changed)} rows")
        print(t("cli_written", lang, path=args.out))


def _copy_workspace(args: argparse.Namespace) -> None:
    from geo.workspace import copy_workspace

    source = None if str(args.source) == "demo" else args.source
    # The copy carries accounts, personal fields and the access log: an administrator of the source only.
    args.signed = _signed_user(source, args.user, args.lang)
    _require(args, "manage_users")
    names = copy_workspace(source, args.destination)
    _log_export(args, f"copy-workspace to {args.destination}")
    print(t("cli_copied", args.lang, n=fmt_count(len(names), args.lang), path=args.destination, names=", ".join(names)))


def _is_workspace_file(path: Path) -> bool:
    """Whether ``path`` is an existing GeoPackage holding a dataset or workspace (a ``metadata`` table)."""
    import warnings

    import pyogrio

    try:
        with warnings.catch_warnings():  # GDAL's own warning about a foreign file: the refusal says it in one line
            warnings.simplefilter("ignore", RuntimeWarning)
            return path.is_file() and "metadata" in set(pyogrio.list_layers(path)[:, 0])
    except Exception:  # not a GeoPackage at all
        return False


#: The formats each command writes, by output argument (checked before any work).
_OUTPUT_FORMATS: dict[str, dict[str, tuple[str, ...]]] = {
    "export-data": {"out": DATA_FORMATS},
    "hazard-changes": {"out": DATA_FORMATS},
    "impact": {"out": ("csv", "xlsx")},
    "plan": {"out": DATA_FORMATS, "communes_out": ("csv", "xlsx"), "pdf": ("pdf",)},
}


def _check_outputs(args: argparse.Namespace) -> None:
    """Before any work: every output goes to an existing folder, never onto or into a workspace.

    ``demo --out`` over an existing file needs ``--force``, and never replaces a
    workspace that has accounts (or any workspace other than a demo dataset).
    """
    outputs = [p for p in (getattr(args, name, None) for name in ("out", "rejects", "communes_out", "pdf"))
               if p is not None]
    sources = [getattr(args, name, None) for name in ("dataset", "workspace", "source", "destination")]
    workspaces = [Path(s).resolve() for s in sources if isinstance(s, Path)]
    for name in ("dataset", "workspace", "source"):  # an existing path given as a workspace must be one
        given = getattr(args, name, None)
        if isinstance(given, Path) and given.exists() and not _is_workspace_file(given) and \
                args.command != "check-workspace":  # which says itself what is wrong with the file
            raise Refusal("cli_err_not_workspace", path=given)
        creates = (name == "workspace" and args.command == "import") or (name == "source" and str(given) == "demo")
        if isinstance(given, Path) and not given.exists() and not creates:
            raise Refusal("cli_err_not_found", value=given)
    if args.command == "demo":
        out = Path(args.out) if args.out else None
        if out is not None and out.exists():
            if _is_workspace_file(out) and (not _demo_file(out) or _has_accounts(out)):
                raise Refusal("cli_err_onto_workspace", path=out)
            if not args.force:
                raise Refusal("cli_err_exists_force", path=out)
    for name, formats in _OUTPUT_FORMATS.get(args.command, {}).items():
        path = getattr(args, name, None)
        if path is not None and Path(path).suffix.lower().lstrip(".") not in formats:
            raise Refusal("cli_err_format", path=path, formats=", ".join("." + f for f in formats))
    for path in outputs:
        path = Path(path)
        resolved = path.resolve()
        if any(resolved == w or w in resolved.parents for w in workspaces) or \
                (args.command != "demo" and _is_workspace_file(path)):
            raise Refusal("cli_err_onto_workspace", path=path)
        if not resolved.parent.is_dir():
            raise Refusal("cli_err_no_folder", path=path.parent)


def _has_accounts(path: Path) -> bool:
    """Whether a workspace holds accounts (then it is the province's, whatever data it shows)."""
    from geo.access import Accounts
    from geo.workspace import Workspace

    return Accounts(Workspace.open(path)).has_users()


def _demo_file(path: Path) -> bool:
    """Whether a GeoPackage is a demo dataset (``demo`` true in its metadata), which ``demo`` may regenerate."""
    from geo.dataset import load

    try:
        return load(path).is_demo
    except (ValueError, OSError):
        return False


def _check_workspace(args: argparse.Namespace) -> None:
    from geo.workspace import check_workspace

    problems = check_workspace(args.workspace, args.lang)
    for line in problems:
        print(line)
    if problems:
        raise SystemExit(1)
    print(t("cli_workspace_sound", args.lang, path=args.workspace))


_COMMANDS = {"check-workspace": _check_workspace, "indicators": _indicators, "status": _status, "flag": _flag,
             "docs": _docs,
             "resettlement": _resettlement,
             "impact": _impact,
             "plan": _plan,
             "export-map": _export_map, "atlas": _atlas, "export-data": _export_data, "import": _import,
             "hazard-changes": _hazard_changes, "copy-workspace": _copy_workspace, "demo": _demo}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 after any error, shown as one line)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    lang = _language(argv)
    try:
        args = _parser(lang).parse_args(argv)
        _check_outputs(args)
        _COMMANDS[args.command](args)
    except SystemExit as exc:  # --help, or a usage error already printed in one line
        return int(exc.code or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if "--debug" in argv or os.environ.get("GEO_DEBUG"):
            raise
        print(t("cli_error", lang, message=_explained(exc, lang)), file=sys.stderr)
        return 2
    return 0


def main_exit() -> None:
    """Entry point of the ``caobang-geo`` command (same as ``python -m geo``)."""
    sys.exit(main())
