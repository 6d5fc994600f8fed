"""Command line: ``python -m geo SUBCOMMAND``; ``python -m geo SUBCOMMAND --help`` for each.

Bad input ends with a one-line ``error:`` message that names the file, row or
column and what to do, and exit status 2; an unexpected failure too (with
``GEO_DEBUG=1`` it shows its traceback instead).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from geo.hazards import HAZARD_TYPES, LEVELS, parse_levels
from geo.i18n import fmt_number, t
from geo.indicators import BASELINE_YEAR, STATUSES, TARGET_YEAR
from geo.mapexport import FORMATS, PAPERS
from geo.resettlement import STATUSES as RESETTLEMENT_STATUSES

__all__ = ["main"]

def _level(text: str) -> int:
    try:
        return int(parse_levels(pd.Series([text])).iloc[0])
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a level: use 1-5 or {', '.join(LEVELS.values())}") from None


def _year(text: str) -> int:
    if not text.isdigit() or not BASELINE_YEAR <= int(text) <= TARGET_YEAR:
        raise argparse.ArgumentTypeError(f"{text!r}: the programme's years are {BASELINE_YEAR} to {TARGET_YEAR}")
    return int(text)


def _metres(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a distance in metres, 0 or more")
    return value


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (and exit status 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4 or not (values[0] < values[2] and values[1] < values[3]):
        raise argparse.ArgumentTypeError(f"{text!r}: give min_lon,min_lat,max_lon,max_lat")
    return values


def _location(text: str):
    """A workspace or dataset: a GeoPackage path or a ``postgresql://`` URL."""
    from geo.workspace import target

    return target(text)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m geo",
        description="Cao Bằng 2021-2025 ethnic-minority programme: indicators, hazard flagging, resettlement.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    dataset = argparse.ArgumentParser(add_help=False)
    dataset.add_argument("--dataset", "--workspace", dest="dataset", type=_location, default=None,
                         help="workspace or dataset GeoPackage, or postgresql:// URL, to read (default: the demo "
                              "province in data/demo/)")
    dataset.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of names and statuses (default vi)")
    dataset.add_argument("--user", help="your account, when the workspace has accounts (password: GEO_PASSWORD "
                                        "or asked for)")

    p = sub.add_parser("indicators", parents=[dataset], help="the catalogue with the province's status for each target")
    p.add_argument("--year", type=_year, default=2025, help="year to evaluate, 2020-2025 (default 2025)")
    p.add_argument("--out", type=Path, help="also write the table to this .csv")

    p = sub.add_parser("status", parents=[dataset], help="per-commune status of one indicator")
    p.add_argument("--indicator", required=True, help="indicator id, e.g. 2, 3a, 14b (see `indicators`)")
    p.add_argument("--year", type=_year, default=2025, help="year, 2020-2025 (default 2025)")
    p.add_argument("--units", choices=("2020", "2025"), default="2020",
                   help="2020: the 161 communes of 2020-2025; 2025: the 56 units from 1 July 2025")
    p.add_argument("--out", type=Path, help="write the table to this .csv (default: print it)")

    p = sub.add_parser("flag", parents=[dataset], help="flag households in hazard zones")
    p.add_argument("--households", type=Path, help="point layer, or .csv/.xlsx with lon/lat (default: demo)")
    p.add_argument("--hazards", type=Path, help="polygon layer with hazard_type and level (default: demo)")
    p.add_argument("--communes", type=Path, help="commune polygons with ma_xa (default: the dataset's 2020 communes)")
    p.add_argument("--min-level", type=_level, default=1, help="lowest hazard level to count, 1-5 or a name (default 1)")
    p.add_argument("--buffer-m", type=_metres, default=0.0, help="also count zones within this many metres (default 0)")
    p.add_argument("--in-zones-only", action="store_true", help="write only the households in a zone (default: all)")
    p.add_argument("--out", type=Path, help="output .csv, .gpkg or .geojson")

    p = sub.add_parser("resettlement", parents=[dataset], help="progress towards resettling 60%% of at-risk households")
    p.add_argument("--year", type=_year, default=2025, help="progress at the end of this year (default 2025)")
    p.add_argument("--units", choices=("2020", "2025"), default="2020", help="communes of 2020-2025 or 2025 units")
    p.add_argument("--min-level", type=_level, default=4, help="hazard level that makes a household at risk (default 4, high)")
    p.add_argument("--buffer-m", type=_metres, default=0.0, help="buffer around zones in metres (default 0)")
    p.add_argument("--out", type=Path, help="write the per-commune table to this .csv")

    # The risk page's filters, shared by export-map --map risk, atlas --map risk and export-data.
    risk = argparse.ArgumentParser(add_help=False)
    risk.add_argument("--types", default=",".join(HAZARD_TYPES),
                      help="comma-separated hazard types (default: all three)")
    risk.add_argument("--min-level", type=_level, default=4, help="lowest hazard level shown (default 4, high)")
    risk.add_argument("--buffer-m", type=_metres, default=0.0, help="buffer around zones in metres (default 0)")
    risk.add_argument("--ethnicity", action="append", help="keep this ethnic group (repeatable)")
    risk.add_argument("--status", action="append", choices=RESETTLEMENT_STATUSES,
                      help="keep this resettlement status (repeatable)")
    risk.add_argument("--at-risk-only", action="store_true", help="only scattered ethnic-minority households")
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--commune", action="append", help="commune code (repeatable); default: the province")
    where.add_argument("--indicator", default="12", help="indicator id for the indicator map (default 12)")
    where.add_argument("--year", type=_year, default=TARGET_YEAR, help="year (default 2025)")
    where.add_argument("--units", choices=("2020", "2025"), default="2020", help="2020-2025 communes or 2025 units")

    p = sub.add_parser("export-map", parents=[dataset, risk, where], help="a print-quality map (PNG, PDF, SVG)")
    p.add_argument("--map", choices=("indicator", "risk"), required=True)
    p.add_argument("--format", choices=FORMATS, help="default: from the file's extension")
    p.add_argument("--paper", choices=tuple(PAPERS), default="a4")
    p.add_argument("--landscape", action="store_true")
    p.add_argument("--dpi", type=int, default=150, help="PNG resolution (150 or 300 for print; default 150)")
    p.add_argument("--labels", action="store_true", help="write commune names on the map")
    p.add_argument("--bbox", type=_bbox, help="extent as min_lon,min_lat,max_lon,max_lat (WGS 84)")
    p.add_argument("--out", type=Path, required=True)

    p = sub.add_parser("atlas", parents=[dataset, risk, where], help="a multi-page PDF, one page per commune")
    p.add_argument("--map", choices=("indicator", "risk"), required=True)
    p.add_argument("--out", type=Path, required=True)

    p = sub.add_parser("export-data", parents=[dataset, risk, where], help="tables as CSV, XLSX, GeoJSON, GPKG, KML")
    p.add_argument("--table", choices=("households", "indicators"), required=True,
                   help="households: flagged households under the risk filters; indicators: per-commune status")
    p.add_argument("--personal", action="store_true",
                   help="include personal fields (household head's name, identity number); the export says so")
    p.add_argument("--out", type=Path, required=True, help=".csv, .xlsx, .geojson, .gpkg or .kml")

    p = sub.add_parser("import", help="import the province's own file into a workspace (validated first)")
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
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of the report (default vi)")
    p.add_argument("--workspace", type=_location, default=None,
                   help="workspace GeoPackage or postgresql:// URL (created if missing; default data/workspace.gpkg)")
    p.add_argument("--dry-run", action="store_true", help="print the validation report and write nothing")
    p.add_argument("--rejects", type=Path, help="write every rejected row with its reason to this .csv")
    p.add_argument("--by", default=os.environ.get("USER", ""), help="who imports (recorded in the history)")
    p.add_argument("--user", help="your admin account, when the workspace has accounts (password: GEO_PASSWORD)")

    p = sub.add_parser("hazard-changes", help="households whose hazard levels changed between two zone versions")
    p.add_argument("--workspace", type=_location, required=True)
    p.add_argument("--from", dest="old", type=int, help="older version of the hazard zones (default: the one before)")
    p.add_argument("--to", dest="new", type=int, help="newer version (default: the current one)")
    p.add_argument("--out", type=Path, help="write the households to this .csv")
    p.add_argument("--user", help="your account, when the workspace has accounts (password: GEO_PASSWORD)")

    p = sub.add_parser("copy-workspace", help="copy a workspace (or the demo) into a new GeoPackage or PostGIS workspace")
    p.add_argument("source", type=_location, help="GeoPackage or postgresql:// URL to copy ('demo': the demo dataset)")
    p.add_argument("destination", type=_location, help="new GeoPackage, or postgresql:// URL of a database without "
                                                       "a workspace yet")

    p = sub.add_parser("demo", help="regenerate the demo dataset (byte for byte reproducible)")
    p.add_argument("--out", type=Path, default=None, help="GeoPackage to write (default data/demo/caobang_demo.gpkg)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the shipped demo's)")
    return parser


def _signed_user(path: Path | None, username: str | None):
    """(user, accounts) for a workspace that has accounts; None for the demo or a workspace without any."""
    from geo.access import AccessError, Accounts
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
        raise ValueError(f"{path}: this workspace has accounts: give --user NAME (password in GEO_PASSWORD)")
    password = os.environ.get("GEO_PASSWORD")
    if password is None:
        import getpass

        password = getpass.getpass(f"password for {username}: ")
    try:
        session = accounts.login(username, password)
    except AccessError as exc:
        raise ValueError(str(exc)) from None
    return accounts.user(session), accounts


def _require(args: argparse.Namespace, action: str) -> None:
    from geo.access import require

    signed = getattr(args, "signed", None)
    if signed is not None:
        try:
            require(signed[0], action)
        except PermissionError as exc:
            signed[1].record(signed[0], "refused", action)
            raise ValueError(str(exc)) from None


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

    args.signed = _signed_user(args.dataset, getattr(args, "user", None))
    ds = load(args.dataset)
    if ds.is_demo:
        print(f"# {ds.label}: số liệu tổng hợp, không phải số liệu chính thức / synthetic, not official figures",
              file=sys.stderr)
    return ds


def _indicators(args: argparse.Namespace) -> None:
    from geo.status import province_summary

    ds = _dataset(args)
    table = province_summary(ds, args.year, args.lang)
    words = {s: t(s, args.lang) for s in STATUSES}
    vi = args.lang == "vi"
    head = ("id", "chỉ tiêu" if vi else "indicator", "giá trị" if vi else "value", "mục tiêu" if vi else "target",
            "đơn vị" if vi else "unit", "tình trạng" if vi else "status", "xã chậm/đúng/đạt" if vi else "communes behind/on/done")
    print(f"{head[0]:<4} {head[1]:<52} {head[2]:>8} {head[3]:>8} {head[4]:<10} {head[5]:<16} {head[6]}")
    for row in table.itertuples(index=False):
        counts = "-" if pd.isna(row.communes_behind) else \
            f"{int(row.communes_behind)}/{int(row.communes_on_track)}/{int(row.communes_achieved)}"
        unit = "tr.đ" if row.unit.startswith("triệu") else row.unit
        print(f"{row.indicator_id:<4} {row.name[:52]:<52} {fmt_number(row.value, 2):>8} "
              f"{fmt_number(row.target_value, 2):>8} {unit:<10} {words[row.status]:<16} {counts}")
    if args.out:
        from geo.io import write_table

        write_table(_labelled(table, ds), args.out)


def _status(args: argparse.Namespace) -> None:
    from geo.status import commune_status

    ds = _dataset(args)
    table = commune_status(ds, args.indicator, args.year, args.units)
    table["status_text"] = table["status"].map({s: t(s, args.lang) for s in STATUSES})
    if args.out:
        from geo.io import write_table

        write_table(_labelled(table, ds), args.out)
        counts = table["status"].value_counts()
        print(f"{len(table)} communes written to {args.out}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    else:
        print(table.to_string(index=False, max_rows=400))


def _flag(args: argparse.Namespace) -> None:
    from geo.hazards import flag_register
    from geo.io import read_layer, read_points, read_zones, write_table

    if (args.households is None) != (args.hazards is None) and args.dataset is None:
        raise ValueError("give both --households and --hazards (or neither, for the demo data): "
                         "mixing your files with the demo data would give meaningless flags")
    ds = _dataset(args) if args.households is None or args.hazards is None or args.dataset else None
    households = read_points(args.households) if args.households else ds.households
    zones = read_zones(args.hazards) if args.hazards else ds.zones
    if args.communes:
        communes = read_layer(args.communes)
        if "ma_xa" not in communes:
            raise ValueError(f"{args.communes}: no 'ma_xa' column (the 5-digit GSO commune code)")
    elif ds is not None and len(ds.communes(2020)):
        communes = ds.communes(2020)
    else:
        communes = None
        print("note: no --communes given: households are not placed in communes", file=sys.stderr)
    start = time.perf_counter()
    flagged = flag_register(households, zones, communes, buffer_m=args.buffer_m, min_level=args.min_level)
    if ds is not None and args.households is None:
        flagged = _scoped(args, flagged)
    seconds = time.perf_counter() - start
    inside = flagged["in_hazard"]
    print(f"{len(flagged):,} households, {len(zones):,} zones: {int(inside.sum()):,} in a zone of level "
          f">= {args.min_level} (buffer {args.buffer_m:g} m), flagged in {seconds:.2f} s")
    for level, count in flagged.loc[inside, "max_level"].value_counts().sort_index().items():
        print(f"  level {level} ({LEVELS[level]}): {count:,}")
    if "assignment" in flagged:
        assignment = flagged["assignment"].value_counts()
        print("  communes: " + ", ".join(f"{k} {v:,}" for k, v in assignment.items())
              + (f"; record names another commune: {int(flagged['mismatch'].sum()):,}" if "mismatch" in flagged else ""))
    if args.out:
        rows = flagged.loc[inside] if args.in_zones_only else flagged
        write_table(_labelled(rows, ds), args.out)
        print(f"written: {args.out} ({len(rows):,} households)")


def _labelled(frame: pd.DataFrame, ds) -> pd.DataFrame:
    """Demo results carry the demo label on every row, so that no file passes for official data."""
    if ds is None or not ds.is_demo:
        return frame
    return frame.assign(data_label=ds.label)


def _resettlement(args: argparse.Namespace) -> None:
    from geo.hazards import flag_households
    from geo.resettlement import check_sites, path_by_year, progress
    from geo.units import to_2025

    ds = _dataset(args)
    _require(args, "see_household_counts")
    homes = ds.households
    if args.signed is not None and args.signed[0].communes is not None:
        homes = homes.loc[homes["ma_xa"].isin(args.signed[0].communes)]
    flags = flag_households(homes, ds.zones, buffer_m=args.buffer_m)
    by = homes["ma_xa"] if args.units == "2020" else to_2025(homes["ma_xa"]).set_axis(homes.index)
    table = progress(homes, flags, args.year, args.min_level, by=by.rename("ma_xa"))
    communes = table.drop(index="province")
    total = table.loc["province"]
    print(f"Resettlement of at-risk households (DTTS, scattered, level >= {args.min_level}) by end of {args.year}:")
    print(f"  at risk {int(total.at_risk):,}; resettled or stabilised {int(total.done):,} "
          f"({total.share:.1%}); path to 60% expects {total.expected_share:.0%} by {args.year}; "
          f"60% line {int(total.target_households):,}; still needed {int(total.needed):,}")
    print(f"  by form: concentrated {int(total.form_concentrated):,}, interspersed {int(total.form_interspersed):,}, "
          f"in place {int(total.form_in_place):,}; planned or moving {int(total.in_progress):,}")
    print(f"  sum over {len(communes)} units: at risk {int(communes.at_risk.sum()):,}, done {int(communes.done.sum()):,}")
    print("  path: " + ", ".join(f"{y} {r.share:.0%} (line {r.expected_share:.0%})" for y, r in path_by_year(homes, flags, args.min_level).iterrows()))
    for site in check_sites(ds.sites, ds.zones, min_level=args.min_level).itertuples(index=False):
        print(f"site error: resettlement site {site.site_id} ({site.name_vi}) lies in a {site.hazard_type} zone of "
              f"level {site.level} ({LEVELS[site.level]}): move it or reassess the zone", file=sys.stderr)
    if args.out:
        from geo.io import write_table

        write_table(_labelled(table.reset_index(names="unit"), ds), args.out)
        print(f"written: {args.out}")


def _demo(args: argparse.Namespace) -> None:
    from geo import demo

    seed = demo.SEED if args.seed is None else args.seed
    path = demo.write(demo.generate(seed=seed), args.out or demo.DEMO_PATH)
    print(f"demo dataset written: {path} ({path.stat().st_size / 1e6:.1f} MB, seed {seed})")


def _risk_filters(args: argparse.Namespace) -> dict:
    signed = getattr(args, "signed", None)
    if signed is not None and signed[0].communes is not None and args.commune:
        outside = sorted(set(args.commune) - signed[0].communes)
        if outside:  # a request for another commune's data: refused and logged
            try:
                signed[1].refuse(signed[0], f"communes {', '.join(outside)}")
            except PermissionError as exc:
                raise ValueError(str(exc)) from None
    types = [v.strip() for v in args.types.split(",") if v.strip()]
    unknown = set(types) - set(HAZARD_TYPES)
    if unknown or not types:
        raise ValueError(f"--types: {', '.join(sorted(unknown)) or 'none given'}; use {', '.join(HAZARD_TYPES)}")
    return {"types": types, "min_level": args.min_level, "communes": args.commune,
            "ethnicities": args.ethnicity, "statuses": args.status, "at_risk_only": args.at_risk_only}


def _flagged(ds, args: argparse.Namespace):
    from geo.hazards import flag_register

    return _scoped(args, flag_register(ds.households, ds.zones, ds.communes(2020), buffer_m=args.buffer_m))


def _export_map(args: argparse.Namespace) -> None:
    from geo.mapexport import indicator_figure, risk_figure, save_figure

    ds = _dataset(args)
    common = {"communes": args.commune, "bbox": args.bbox, "paper": args.paper, "landscape": args.landscape,
              "lang": args.lang, "labels": args.labels}
    if args.map == "indicator":
        figure = indicator_figure(ds, args.indicator, args.year, args.units, **common)
    else:
        filters = _risk_filters(args)
        filters.pop("communes")
        figure = risk_figure(ds, _flagged(ds, args), buffer_m=args.buffer_m, **filters, **common)
    path = save_figure(figure, args.out, dpi=args.dpi, fmt=args.format)
    print(f"written: {path} ({path.stat().st_size / 1024:.0f} kB)")


def _atlas(args: argparse.Namespace) -> None:
    from geo.mapexport import atlas

    ds = _dataset(args)
    if args.out.suffix.lower() != ".pdf":
        raise ValueError(f"{args.out}: an atlas is a .pdf")
    flagged = _flagged(ds, args) if args.map == "risk" else None
    path = atlas(ds, args.out, args.map, args.year, args.commune, flagged, args.min_level, args.lang)
    print(f"written: {path} ({len(args.commune or ds.communes(2020))} pages)")


def _export_data(args: argparse.Namespace) -> None:
    from geo.dataexport import export_table, with_personal_fields

    ds = _dataset(args)
    if args.table == "households":
        from geo.risk import filter_register

        filters = _risk_filters(args)
        table = filter_register(_flagged(ds, args), **filters)
        if args.personal:
            _require(args, "export_personal")
            table = with_personal_fields(table, ds.people())
        recorded = {**filters, "buffer_m": args.buffer_m}
        title = "Flagged households / Hộ trong vùng nguy cơ"
    else:
        from geo.status import commune_status

        status = commune_status(ds, args.indicator, args.year, args.units)
        shapes = ds.communes(int(args.units))[["ma_xa", "geometry"]]
        table = shapes.merge(status, on="ma_xa")
        if args.commune:
            table = table.loc[table["ma_xa"].isin(args.commune)]
        recorded = {"indicator": args.indicator, "year": args.year, "units": args.units, "communes": args.commune}
        title = f"Indicator {args.indicator}, {args.year} / Chỉ tiêu {args.indicator}, năm {args.year}"
    who = args.signed[0].username if args.signed else os.environ.get("USER") or None
    path = export_table(table, args.out, title, recorded, ds.label, personal=args.personal, exported_by=who)
    if args.signed:
        args.signed[1].record(args.signed[0], "export", f"{args.table}, {len(table)} rows, personal={args.personal}")
    personal = "with personal fields" if args.personal else "personal fields excluded"
    print(f"written: {path} ({len(table):,} rows, {personal})")


def _import(args: argparse.Namespace) -> None:
    from geo.importer import commit, known_to, parse_value_mappings, prepare
    from geo.io import write_table
    from geo.workspace import DEFAULT_WORKSPACE

    columns = {}
    for item in args.column:
        original, _, canonical = item.partition("=")
        if not original or not canonical:
            raise ValueError(f"--column {item!r}: write it as NAME=CANONICAL")
        columns[original] = canonical
    path = args.workspace or DEFAULT_WORKSPACE
    args.signed = _signed_user(path, args.user)
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
    from geo.dataset import load
    from geo.hazards import changed_between
    from geo.io import write_table
    from geo.workspace import Workspace

    args.signed = _signed_user(args.workspace, args.user)
    workspace = Workspace.open(args.workspace)
    versions = workspace.versions("hazard_zones")
    new = args.new or (versions[-1] if versions else None)
    older = [v for v in versions if new is not None and v < new]
    old = args.old or (older[-1] if older else None)
    if old is None or new is None or old not in versions or new not in versions or old >= new:
        raise ValueError(f"{args.workspace}: hazard zones have versions {versions or 'none'}; "
                         "give --from OLD --to NEW with OLD < NEW (import a newer version first)")
    households = _scoped(args, load(args.workspace).households)
    changed = changed_between(households, workspace.read_layer("hazard_zones", old),
                              workspace.read_layer("hazard_zones", new))
    print(f"hazard zones v{old} -> v{new}: {len(changed):,} of {len(households):,} households changed level")
    if args.out:
        write_table(changed, args.out)
        print(f"written: {args.out}")


def _copy_workspace(args: argparse.Namespace) -> None:
    from geo.workspace import copy_workspace

    source = None if str(args.source) == "demo" else args.source
    names = copy_workspace(source, args.destination)
    print(f"copied {len(names)} tables into {args.destination}: {', '.join(names)}")


_COMMANDS = {"import": _import, "copy-workspace": _copy_workspace, "hazard-changes": _hazard_changes, "indicators": _indicators, "status": _status, "flag": _flag, "resettlement": _resettlement,
             "export-map": _export_map, "atlas": _atlas, "export-data": _export_data, "demo": _demo}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed in one line
        return int(exc.code or 0)
    try:
        _COMMANDS[args.command](args)
    except (ValueError, FileNotFoundError, KeyError, OSError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"error: {message}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug, or a file no check foresaw: still one line, no traceback
        if os.environ.get("GEO_DEBUG"):
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc} (set GEO_DEBUG=1 to see the traceback)",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


def main_exit() -> None:
    """Entry point of the ``caobang-geo`` command (same as ``python -m geo``)."""
    sys.exit(main())
