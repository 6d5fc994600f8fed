"""The PostgreSQL + PostGIS store of a workspace: one database shared by a department.

A workspace URL is a libpq URL, ``postgresql://user:password@host:port/db``.
Its tables live in the schema ``geo``, or in the schema named by the URL's
``options=-csearch_path=NAME`` (so one database can hold several workspaces,
the tests use one schema each). The schema is created and migrated by the SQL
files in ``geo/sql`` (``001_init.sql``, ``002_...``), applied in order in one
transaction and recorded in ``schema_migrations``; opening a migrated
workspace again changes nothing.

Every layer is a table: one column per frame column (text, boolean, smallint,
integer, bigint, real, double precision, timestamp), a hidden ``fid`` that
keeps the rows' order, and geometries as ``geometry(<Type>, 9210)`` with a
GiST index. Frames are bulk-loaded with ``COPY`` and read back with the
dtypes they were written with, geometries in EPSG:9210. Every write
transaction that changes data bumps the counter in ``workspace_state``, which
readers use to validate their caches (:meth:`PgStore.revision`).

Examples
--------
>>> PgLocation("postgresql://planner:s3cret@db.local/caobang")
PgLocation('postgresql://planner:***@db.local/caobang')
>>> PgLocation("postgresql://db.local/caobang?options=-csearch_path%3Dtest_1").schema
'test_1'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import sql

from geo.crs import METRIC_CRS

__all__ = ["PgLocation", "PgStore", "is_url", "flag_in_database", "SRID", "MIGRATIONS"]

SRID = 9210
MIGRATIONS = Path(__file__).resolve().parent / "sql"
DEFAULT_SCHEMA = "geo"
#: Tables of the store itself, never layers.
_INTERNAL = {"schema_migrations", "workspace_state"}
#: Append-only logs (logins, imports, status edits): appending to them changes no data a dataset is read from.
LOG_TABLES = frozenset({"access_log", "import_history", "resettlement_audit"})
_GEOMETRY = "geom"  # the active geometry column's name in the database ("geometry" in frames)
_MIGRATION_LOCK = "geo-schema-migrations"


def is_url(target: object) -> bool:
    """Whether ``target`` names a PostgreSQL database rather than a file."""
    return isinstance(target, PgLocation) or (
        isinstance(target, str) and target.startswith(("postgresql://", "postgres://")))


def _mask(url: str) -> str:
    url = re.sub(r"(://[^:/@?]*:)[^@/?]*@", r"\1***@", url)
    return re.sub(r"(password=)[^&\s]*", r"\1***", url)


@dataclass(frozen=True)
class PgLocation:
    """A PostGIS workspace's URL; printed with its password masked.

    Parameters
    ----------
    url : str
        A libpq URL. The workspace's schema comes from
        ``options=-csearch_path=NAME`` when given, else ``geo``.
    """

    url: str = field(repr=False)

    def __post_init__(self) -> None:
        if not is_url(self.url):
            raise ValueError(f"{_mask(self.url)}: not a postgresql:// URL")

    @property
    def masked(self) -> str:
        return _mask(self.url)

    @property
    def schema(self) -> str:
        found = re.search(r"search_path\s*=\s*([A-Za-z_][A-Za-z0-9_]*)", unquote(self.url))
        return found.group(1) if found else DEFAULT_SCHEMA

    @property
    def name(self) -> str:
        """``database/schema``, for labels ("data source: ...")."""
        database = psycopg.conninfo.conninfo_to_dict(self.url).get("dbname") or "postgres"
        return f"{database}/{self.schema}"

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"PgLocation({self.masked!r})"


# ---------------------------------------------------------------------- types
def _sql_type(series: pd.Series) -> str:
    """The column type a frame column is stored as."""
    if isinstance(series.dtype, gpd.array.GeometryDtype):
        return _geometry_type(series)
    kind = series.dtype
    if pd.api.types.is_bool_dtype(kind):
        return "boolean"
    if pd.api.types.is_integer_dtype(kind):
        size = np.dtype(kind.numpy_dtype if hasattr(kind, "numpy_dtype") else kind).itemsize
        unsigned = pd.api.types.is_unsigned_integer_dtype(kind)
        return "smallint" if size + unsigned <= 2 else "integer" if size + unsigned <= 4 else "bigint"
    if pd.api.types.is_float_dtype(kind):
        return "real" if kind == np.float32 else "double precision"
    if pd.api.types.is_datetime64_any_dtype(kind):
        return "timestamptz" if getattr(kind, "tz", None) is not None else "timestamp"
    return "text"


def _geometry_type(series: pd.Series) -> str:
    present = series.values[~series.isna().to_numpy()]
    types = set(shapely.get_type_id(present).tolist()) - {-1}
    z = "Z" if shapely.has_z(present).any() else ""  # then every geometry is written with z (0 if none)
    names = {0: "Point", 1: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon"}
    families = {frozenset({0, 4}): "MultiPoint", frozenset({1, 5}): "MultiLineString",
                frozenset({3, 6}): "MultiPolygon"}
    if len(types) == 1 and types <= names.keys():
        name = names[types.pop()]
    else:
        name = families.get(frozenset(types), "Geometry")
    return f"geometry({name}{z}, {SRID})"


def _python_values(series: pd.Series, sql_type: str) -> list:
    """A column as Python values for COPY (None for missing)."""
    if sql_type.startswith("geometry"):
        geoms = series.values
        missing = shapely.is_missing(geoms)
        if sql_type.startswith(("geometry(Multi",)):
            geoms = _to_multi(geoms, sql_type)
        if "Z," in sql_type:
            geoms = shapely.force_3d(geoms)
        hexes = shapely.to_wkb(shapely.set_srid(geoms, SRID), hex=True, include_srid=True)
        return [None if m else h for h, m in zip(hexes.tolist(), missing.tolist())]
    missing = series.isna().to_numpy()
    if sql_type.startswith("timestamp"):
        values = list(series.dt.to_pydatetime()) if len(series) else []
    elif sql_type == "text":
        values = [v if isinstance(v, str) else str(v) for v in series.astype(object).tolist()]
    else:
        values = series.astype(object).tolist()
    return [None if m else v for v, m in zip(values, missing.tolist())]


def _to_multi(geoms: np.ndarray, sql_type: str) -> np.ndarray:
    single = {"geometry(MultiPoint": 0, "geometry(MultiLineString": 1, "geometry(MultiPolygon": 3}
    wanted = single[sql_type.split(",")[0].removesuffix("Z")]
    geoms = geoms.copy()
    lone = shapely.get_type_id(geoms) == wanted
    if lone.any():
        make = {0: shapely.multipoints, 1: shapely.multilinestrings, 3: shapely.multipolygons}[wanted]
        geoms[lone] = [make([g]) for g in geoms[lone]]
    return geoms


def _column(values: list, sql_type: str) -> pd.Series | gpd.GeoSeries:
    """A column read back with the dtype it was written with."""
    missing = [v is None for v in values]
    if sql_type.startswith("geometry"):
        return gpd.GeoSeries(shapely.from_wkb(values), crs=METRIC_CRS)
    if sql_type == "boolean":
        return pd.Series(values, dtype=object if any(missing) else bool)
    if sql_type in ("smallint", "integer", "bigint"):
        if any(missing):
            return pd.Series([np.nan if v is None else v for v in values], dtype="float64")
        return pd.Series(values, dtype={"smallint": "int16", "integer": "int32", "bigint": "int64"}[sql_type])
    if sql_type in ("real", "double precision"):
        return pd.Series([np.nan if v is None else v for v in values],
                         dtype="float32" if sql_type == "real" else "float64")
    if sql_type.startswith("timestamp"):
        return pd.Series(values, dtype="datetime64[ms, UTC]" if "with time zone" in sql_type else "datetime64[ms]")
    if all(missing):  # no value at all: object, as a GeoPackage reads it
        return pd.Series(values, dtype=object)
    return pd.Series(values, dtype="str")


# ---------------------------------------------------------------------- store
class PgStore:
    """The tables of one PostGIS workspace (a schema of one database).

    Each method opens its own connection and transaction: several threads and
    processes may use the same workspace at once.
    """

    _migrated: set[str] = set()  # per process: URLs already migrated (a re-check is harmless)

    def __init__(self, location: PgLocation) -> None:
        self.location = location

    def __repr__(self) -> str:
        return f"PgStore({self.location.masked!r})"

    # ------------------------------------------------------------ connections
    @contextmanager
    def connect(self, migrate: bool = True) -> Iterator[psycopg.Connection]:
        """A connection with ``search_path`` set to the workspace's schema (then public)."""
        if migrate and self.location.url not in self._migrated:
            self.migrate()
        try:
            conn = psycopg.connect(self.location.url, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise ConnectionError(f"{self.location.masked}: cannot connect ({_mask(str(exc)).strip()})") from None
        try:
            with conn.cursor() as cur:
                cur.execute(sql.SQL("SET search_path TO {}, public").format(sql.Identifier(self.location.schema)))
            conn.commit()
            yield conn
        finally:
            conn.close()

    def migrate(self) -> list[str]:
        """Create the schema and apply the SQL migrations not yet applied; returns those applied.

        One transaction, serialised between processes by an advisory lock.
        """
        schema = sql.Identifier(self.location.schema)
        files = sorted(MIGRATIONS.glob("[0-9][0-9][0-9]_*.sql"))
        if self.exists() and not self._pending(files):
            # Nothing to do: no lock, no CREATE right needed (a role that may only read and write).
            self._migrated.add(self.location.url)
            return []
        with self.connect(migrate=False) as conn, conn.transaction(), conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (_MIGRATION_LOCK,))
            cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
            cur.execute(sql.SQL("SET search_path TO {}, public").format(schema))
            cur.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {}.schema_migrations ("
                                "version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())").format(schema))
            cur.execute("SELECT version FROM schema_migrations")
            done = {row[0] for row in cur.fetchall()}
            applied = []
            for file in files:
                if file.stem in done:
                    continue
                cur.execute(file.read_text(encoding="utf-8"))
                cur.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (file.stem,))
                applied.append(file.stem)
        self._migrated.add(self.location.url)
        return applied

    def _pending(self, files: list[Path]) -> bool:
        with self.connect(migrate=False) as conn, conn.cursor() as cur:
            cur.execute("SELECT version FROM schema_migrations")
            return bool({f.stem for f in files} - {row[0] for row in cur.fetchall()})

    # ------------------------------------------------------------ reading
    def exists(self) -> bool:
        """Whether the workspace's schema has been created (without creating it)."""
        with self.connect(migrate=False) as conn, conn.cursor() as cur:
            cur.execute("SELECT to_regclass(%s) IS NOT NULL",
                        (f"{sql.Identifier(self.location.schema).as_string(conn)}.schema_migrations",))
            return bool(cur.fetchone()[0])

    def layers(self) -> set[str]:
        with self.connect() as conn, conn.cursor() as cur:
            return _tables(cur)

    def revision(self) -> str:
        """A token that changes whenever a write changes data (one cheap query)."""
        with self.connect() as conn, conn.cursor() as cur:
            return _revision(cur)

    def read(self, name: str) -> pd.DataFrame:
        """A table as a (Geo)DataFrame; ``KeyError`` if missing."""
        frames = self.snapshot([name])[2]
        if name not in frames:
            raise KeyError(name)
        return frames[name]

    def snapshot(self, names: Iterable[str]) -> tuple[str, str, dict[str, pd.DataFrame]]:
        """(revision, last change date, tables) read in one consistent snapshot; absent tables are left out.

        A write replaces tables (DROP, CREATE, RENAME), which a plain snapshot
        does not isolate: the read first takes a share lock on the
        ``workspace_state`` row, which every writer holds for update. A read
        therefore waits for a write in progress, and one that started before
        the write committed is retried on a fresh snapshot.
        """
        names = list(names)
        for attempt in range(20):
            with self.connect() as conn:
                conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                try:
                    with conn.transaction(), conn.cursor() as cur:
                        cur.execute("SELECT changes, changed_at FROM workspace_state FOR SHARE")
                        changes, changed_at = cur.fetchone()
                        present = _tables(cur)
                        frames = {name: _read(cur, name) for name in names if name in present}
                    return str(changes), changed_at.date().isoformat(), frames
                except psycopg.errors.SerializationFailure:
                    continue  # a write committed after this snapshot began: read again
        raise RuntimeError(f"{self.location.masked}: could not read a consistent snapshot (writes keep coming)")

    # ------------------------------------------------------------ writing
    @contextmanager
    def transaction(self) -> Iterator[PgTransaction]:
        """One write transaction; writers of this workspace queue on the ``workspace_state`` row.

        The row is locked by the transaction's first statement, so a writer
        reads (history, versions, statuses) only what the previous one committed.
        """
        with self.connect() as conn, conn.transaction(), conn.cursor() as cur:
            cur.execute("SELECT changes FROM workspace_state FOR UPDATE")
            tx = PgTransaction(cur)
            yield tx
            if tx.changed:
                cur.execute("UPDATE workspace_state SET changes = changes + 1, changed_at = localtimestamp(0)")


class PgTransaction:
    """The write operations of a workspace store, inside one database transaction."""

    def __init__(self, cur: psycopg.Cursor) -> None:
        self.cur = cur
        self.changed = False

    def layers(self) -> set[str]:
        return _tables(self.cur)

    def read(self, name: str) -> pd.DataFrame:
        return _read(self.cur, name)

    def write(self, name: str, frame: pd.DataFrame) -> None:
        """Replace (or create) a table with ``frame``.

        A table created by a migration keeps its column types when the frame
        has the same columns; otherwise it is dropped and made anew.
        """
        self.changed = True
        table = sql.Identifier(name)
        columns = _frame_columns(frame)
        existing = [(c, _same_type(k)) for c, k in _table_columns(self.cur, name).items()]
        if name in _tables(self.cur) and existing == [(c, _same_type(k)) for c, k in columns]:
            self.cur.execute(sql.SQL("DELETE FROM {}").format(table))
        else:
            self.cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
            _create(self.cur, name, columns)
        _copy(self.cur, name, frame, columns)

    def append(self, name: str, rows: pd.DataFrame) -> None:
        """Append rows to a table (created if missing; missing columns are added)."""
        if name not in LOG_TABLES:
                self.changed = True
        if name not in _tables(self.cur):
            self.write(name, rows)
            return
        existing = _table_columns(self.cur, name)
        columns = _frame_columns(rows)
        for column, sql_type in columns:
            if column not in existing:
                self.cur.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} " + sql_type).format(
                    sql.Identifier(name), sql.Identifier(column)))
        _copy(self.cur, name, rows, columns)

    def keep_as(self, name: str, kept: str) -> None:
        """Keep the current content of table ``name`` as table ``kept`` (``name`` is rewritten next)."""
        self.changed = True
        self.cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(kept)))
        self.cur.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(sql.Identifier(name), sql.Identifier(kept)))

    def lock_value(self, table: str, key_column: str, key: str, column: str) -> object:
        """The value of ``column`` in the row whose ``key_column`` is ``key``, locked until commit.

        Raises ``KeyError`` when there is no such row. A concurrent writer of the
        same row waits here, then sees the committed value.
        """
        if table not in _tables(self.cur):
            raise KeyError(f"no {table} in this workspace")
        self.cur.execute(sql.SQL("SELECT {} FROM {} WHERE {} = %s ORDER BY fid FOR UPDATE").format(
            sql.Identifier(column), sql.Identifier(table), sql.Identifier(key_column)), (key,))
        rows = self.cur.fetchall()
        if not rows:
            raise KeyError(key)
        return rows[0][0]

    def set_value(self, table: str, key_column: str, key: str, column: str, value: object,
                  expected: object) -> bool:
        """Set ``column`` where ``key_column = key`` and ``column`` still holds ``expected``; whether it did."""
        self.cur.execute(sql.SQL("UPDATE {} SET {} = %s WHERE {} = %s AND {} IS NOT DISTINCT FROM %s").format(
            sql.Identifier(table), sql.Identifier(column), sql.Identifier(key_column), sql.Identifier(column)),
            (value, key, expected))
        if self.cur.rowcount:
            self.changed = True
        return self.cur.rowcount > 0


# ---------------------------------------------------------------------- helpers
def _tables(cur: psycopg.Cursor) -> set[str]:
    cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return {row[0] for row in cur.fetchall()} - _INTERNAL


def _revision(cur: psycopg.Cursor) -> str:
    cur.execute("SELECT changes FROM workspace_state")
    return str(cur.fetchone()[0])


def _same_type(sql_type: str) -> str:
    """A column type as written by us and as ``format_type`` prints it, alike."""
    return sql_type.replace(" ", "").lower()


def _table_columns(cur: psycopg.Cursor, name: str) -> dict[str, str]:
    """Column name -> SQL type, in table order, without ``fid``."""
    cur.execute("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = to_regclass(quote_ident(current_schema()) || '.' || quote_ident(%s)) "
                "AND attnum > 0 AND NOT attisdropped ORDER BY attnum", (name,))
    return {column: kind for column, kind in cur.fetchall() if column != "fid"}


def _frame_columns(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(database column, SQL type) of each frame column; the active geometry is ``geom``."""
    active = frame._geometry_column_name if isinstance(frame, gpd.GeoDataFrame) else None
    columns = []
    for column in frame.columns:
        name = _GEOMETRY if column == active else str(column)
        if name == "fid" or len(name.encode("utf-8")) > 63:
            raise ValueError(f"column {name!r}: PostgreSQL keeps 'fid' for itself and names of at most 63 bytes; "
                             f"rename it (--column OLD=NEW on import)")
        columns.append((name, _sql_type(_metric(frame[column]))))
    return columns


def _metric(series: pd.Series) -> pd.Series:
    if isinstance(series, gpd.GeoSeries) and series.crs is not None and series.crs.to_epsg() != SRID:
        return series.to_crs(METRIC_CRS)
    return series


def _create(cur: psycopg.Cursor, name: str, columns: list[tuple[str, str]]) -> None:
    parts = [sql.SQL("fid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY")]
    parts += [sql.SQL("{} " + kind).format(sql.Identifier(column)) for column, kind in columns]
    cur.execute(sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(name), sql.SQL(", ").join(parts)))
    for column, kind in columns:
        if kind.startswith("geometry"):
            cur.execute(sql.SQL("CREATE INDEX ON {} USING gist ({})").format(
                sql.Identifier(name), sql.Identifier(column)))


def _copy(cur: psycopg.Cursor, name: str, frame: pd.DataFrame, columns: list[tuple[str, str]]) -> None:
    if frame.empty:
        return
    values = [_python_values(_metric(frame[original]), kind) for original, (_, kind) in zip(frame.columns, columns)]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(name), sql.SQL(", ").join(sql.Identifier(column) for column, _ in columns))
    with cur.copy(statement) as copy:
        for row in zip(*values):
            copy.write_row(row)


def _read(cur: psycopg.Cursor, name: str) -> pd.DataFrame:
    columns = _table_columns(cur, name)
    if not columns and name not in _tables(cur):
        raise KeyError(name)
    selected = [sql.SQL("ST_AsBinary({})").format(sql.Identifier(c)) if kind.startswith("geometry")
                else sql.Identifier(c) for c, kind in columns.items()]
    cur.execute(sql.SQL("SELECT {} FROM {} ORDER BY fid").format(
        sql.SQL(", ").join(selected) if selected else sql.SQL("1"), sql.Identifier(name)))
    rows = cur.fetchall()
    data = list(zip(*rows)) if rows else [[] for _ in columns]
    out = {("geometry" if c == _GEOMETRY else c): _column(list(v), kind)
           for (c, kind), v in zip(columns.items(), data)}
    if not any(kind.startswith("geometry") for kind in columns.values()):
        return pd.DataFrame(out, index=pd.RangeIndex(len(rows)))
    # The active geometry comes last, as a GeoPackage gives it.
    geometry = "geometry" if "geometry" in out else next(c for c, k in columns.items() if k.startswith("geometry"))
    out[geometry] = out.pop(geometry)
    return gpd.GeoDataFrame(out, index=pd.RangeIndex(len(rows)), geometry=geometry, crs=METRIC_CRS)


# ---------------------------------------------------------------------- flagging in the database
def flag_in_database(location: PgLocation, households: str = "households", zones: str = "hazard_zones",
                     min_level: int = 1) -> pd.DataFrame:
    """Highest hazard level of each type for every household, computed by PostGIS.

    One grouped query: each zone is joined to the households it intersects
    (``ST_Intersects``, answered by the GiST index on the households' points),
    the levels are grouped per household and every household is kept. Zones must hold
    coded ``hazard_type`` and integer ``level`` columns, as imports and the
    demo write them.

    Parameters
    ----------
    location : PgLocation
        The workspace.
    households, zones : str
        Table names.
    min_level : int, default 1
        Zones below this level are ignored.

    Returns
    -------
    DataFrame
        One row per household in table order (``RangeIndex``): one
        ``level_<type>`` column per type of ``data/hazards.yaml``
        (:data:`geo.hazards.LEVEL_COLUMNS`; int8, 0 = in no zone of that
        type) and ``max_level``, as
        ``geo.hazards.flag_households(...)[LEVEL_COLUMNS + ["max_level"]]``.
    """
    from geo.hazards import HAZARD_TYPES, LEVEL_COLUMNS

    levels = sql.SQL(", ").join(
        sql.SQL("max(z.level) FILTER (WHERE z.hazard_type = {}) AS {}").format(sql.Literal(t), sql.Identifier(c))
        for t, c in zip(HAZARD_TYPES, LEVEL_COLUMNS))
    # Zones drive the join: each zone probes the households' GiST index, so PostGIS prepares each
    # polygon once for all the points it is tested against.
    query = sql.SQL(
        "WITH hits AS (SELECT h.fid, {levels} FROM {zones} AS z JOIN {homes} AS h ON ST_Intersects(z.geom, h.geom) "
        "WHERE z.level >= %s GROUP BY h.fid) "
        "SELECT {found} FROM {homes} AS h LEFT JOIN hits USING (fid) ORDER BY h.fid").format(
        levels=levels, homes=sql.Identifier(households), zones=sql.Identifier(zones),
        found=sql.SQL(", ").join(sql.SQL("coalesce(hits.{}, 0)").format(sql.Identifier(c)) for c in LEVEL_COLUMNS))
    with PgStore(location).connect() as conn, conn.cursor() as cur:
        cur.execute(query, (min_level,))
        rows = cur.fetchall()
    result = pd.DataFrame(np.array(rows, dtype="int8").reshape(len(rows), len(HAZARD_TYPES)), columns=LEVEL_COLUMNS)
    result["max_level"] = result[LEVEL_COLUMNS].max(axis=1).astype("int8") if len(result) else np.zeros(0, "int8")
    return result

