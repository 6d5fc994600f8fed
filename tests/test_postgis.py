"""PostGIS workspaces against a real PostgreSQL + PostGIS server (see the ``postgres_url`` fixture).

Each test has a schema of its own (``pg_url``); the GeoPackage workspace is the
reference wherever both should behave the same.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import pyproj
import pytest
from concurrently import at_once
import shapely

from geo.access import AccessError, Accounts
from geo.cli import main
from geo.dataset import LAYERS, load
from geo.hazards import LEVEL_COLUMNS, flag_households
from geo.importer import commit, prepare
from geo.pgstore import PgLocation, PgStore, flag_in_database
from geo.workspace import ConflictError, Workspace, copy_workspace


@pytest.fixture(scope="module")
def demo():
    return load()


@pytest.fixture(scope="module")
def demo_url(postgres_url, demo):
    """The demo dataset copied once into a schema of its own, through the CLI (read-only tests use it)."""
    schema = f"test_demo_{uuid.uuid4().hex[:8]}"
    url = f"{postgres_url}{'&' if '?' in postgres_url else '?'}options=-csearch_path%3D{schema}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    assert main(["copy-workspace", "demo", url]) == 0
    yield url
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _query(url: str, query: str, params=()) -> list[tuple]:
    with PgStore(PgLocation(url)).connect() as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def _small_households(demo, n: int = 40) -> gpd.GeoDataFrame:
    return demo.households.iloc[:n].reset_index(drop=True)


def _assert_same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Equal frames; a column without any value may be object on one side (as a GeoPackage reads it)."""
    empty = [c for c in expected if expected[c].isna().all() and c != "geometry"]
    got, expected = got.copy(), expected.copy()
    for frame in (got, expected):
        frame[empty] = frame[empty].astype(object).where(frame[empty].notna(), None)
    pd.testing.assert_frame_equal(got, expected)


def _write(workspace: Workspace, layer: str, frame: pd.DataFrame) -> int:
    return workspace.write_layer(layer, frame, "households", Path(f"{layer}.gpkg"), "0" * 64, len(frame), 0, "test")


# ---------------------------------------------------------------------- schema and CRS
def test_schema_created_migrations_recorded_and_reopen_idempotent(pg_url):
    location = PgLocation(pg_url)
    workspace = Workspace.open(pg_url)
    applied = [v for (v,) in _query(pg_url, "SELECT version FROM schema_migrations ORDER BY version")]
    files = sorted(p.stem for p in (Path(__file__).parents[1] / "geo" / "sql").glob("*.sql"))
    assert applied == files and applied[0] == "001_init"
    # The workspace's tables are in its schema, not in public.
    schema = _query(pg_url, "SELECT current_schema()")[0][0]
    assert schema == location.schema and schema.startswith("test_")
    tables = {t for (t,) in _query(pg_url, "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,))}
    assert {"schema_migrations", "metadata", "import_history", "resettlement_audit", "users", "access_log"} <= tables
    assert not _query(pg_url, "SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'metadata'")
    # Opening again applies nothing and changes nothing.
    before = _query(pg_url, "SELECT version, applied_at FROM schema_migrations ORDER BY version")
    assert PgStore(location).migrate() == []
    Workspace.open(pg_url)
    assert _query(pg_url, "SELECT version, applied_at FROM schema_migrations ORDER BY version") == before
    assert workspace.history().empty and workspace.audit().empty
    with pytest.raises(FileExistsError):
        Workspace.create(pg_url)
    assert load(pg_url).meta["demo"] == "false"


def test_epsg_9210_is_known_and_transforms_like_pyproj(pg_url):
    Workspace.open(pg_url)
    rows = _query(pg_url, "SELECT auth_name, auth_srid, srtext FROM spatial_ref_sys WHERE srid = 9210")
    assert rows and rows[0][:2] == ("EPSG", 9210) and "VN-2000" in rows[0][2]
    x, y = 549134.7, 2505639.6  # a household of the demo, in Cao Bằng city
    lon, lat = _query(pg_url, "SELECT ST_X(p), ST_Y(p) FROM ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), 9210), "
                              "4326) AS p", (x, y))[0]
    expected = pyproj.Transformer.from_crs(9210, 4326, always_xy=True).transform(x, y)
    assert lon == pytest.approx(expected[0], abs=1e-7) and lat == pytest.approx(expected[1], abs=1e-7)
    back = _query(pg_url, "SELECT ST_X(p), ST_Y(p) FROM ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), 4326), "
                          "9210) AS p", expected)[0]
    assert back == pytest.approx((x, y), abs=0.01)


def test_every_geometry_column_is_typed_9210_with_a_gist_index(demo_url):
    schema = PgLocation(demo_url).schema
    columns = _query(demo_url, "SELECT f_table_name, f_geometry_column, srid, type FROM geometry_columns "
                               "WHERE f_table_schema = %s", (schema,))
    assert {t for t, *_ in columns} == {"communes_2020", "communes_2025", "villages", "households", "hazard_zones",
                                        "sites"}
    assert {(t, kind) for t, _, _, kind in columns} >= {("households", "POINT"), ("hazard_zones", "MULTIPOLYGON")}
    indexes = _query(demo_url, "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = %s", (schema,))
    for table, column, srid, _ in columns:
        assert srid == 9210
        assert any(t == table and "USING gist" in d and f"({column})" in d for t, d in indexes), (table, column)


# ---------------------------------------------------------------------- layers
def test_import_reads_back_identical_and_as_in_a_geopackage(pg_url, tmp_path, demo):
    source = tmp_path / "ho_dan.gpkg"
    homes = _small_households(demo, 200).drop(columns=["resettlement_date"])
    homes.to_file(source, layer="households")
    report = prepare(source, "households")
    assert len(report.good) == 200
    postgis, geopackage = Workspace.open(pg_url), Workspace.create(tmp_path / "ws.gpkg")
    assert commit(report, postgis, "tester") == commit(report, geopackage, "tester") == 1
    from_pg, from_gpkg = postgis.read_layer("households"), geopackage.read_layer("households")
    assert isinstance(from_pg, gpd.GeoDataFrame) and from_pg.crs.to_epsg() == 9210
    _assert_same(from_pg, from_gpkg)
    good = report.good.reset_index(drop=True)
    assert shapely.equals_exact(from_pg.geometry.values, good.geometry.values, tolerance=0).all()
    assert from_pg["household_id"].tolist() == good["household_id"].tolist()


def test_layer_dtypes_round_trip(pg_url):
    frame = gpd.GeoDataFrame({
        "text": ["a", None, "Đồng Văn"], "flag": [True, False, True], "small": np.array([1, 2, 3], "int16"),
        "big": np.array([1, 2, 2**40], "int64"), "real": [0.5, np.nan, 2.25],
        "when": pd.to_datetime(["2024-01-02 00:00", None, "2025-12-31 08:30"]).astype("datetime64[ms]"),
    }, geometry=[shapely.Point(1, 2), None, shapely.Point(3, 4)], crs="EPSG:9210")
    workspace = Workspace.open(pg_url)
    _write(workspace, "probe", frame)
    back = workspace.read_layer("probe")
    assert list(back.columns) == list(frame.columns)
    assert back.dtypes.astype(str).tolist() == ["str", "bool", "int16", "int64", "float64", "datetime64[ms]",
                                                "geometry"]
    pd.testing.assert_frame_equal(pd.DataFrame(back.drop(columns="geometry")),
                                  pd.DataFrame(frame.drop(columns="geometry")).astype({"text": "str"}))
    assert back.geometry.isna().tolist() == [False, True, False]
    # A frame in another CRS is stored in EPSG:9210.
    _write(workspace, "probe_wgs84", frame.iloc[[0]].to_crs(4326))
    assert workspace.read_layer("probe_wgs84").geometry.iloc[0].distance(shapely.Point(1, 2)) < 1e-3


def test_versions_and_history(pg_url, demo):
    workspace = Workspace.open(pg_url)
    first, second = _small_households(demo, 30), _small_households(demo, 50)
    assert _write(workspace, "households", first) == 1
    assert _write(workspace, "households", second) == 2
    assert workspace.versions("households") == [1, 2]
    history = workspace.history()
    assert history[["layer", "version", "rows_in", "imported_by"]].values.tolist() == [
        ["households", "1", "30", "test"], ["households", "2", "50", "test"]]
    _assert_same(workspace.read_layer("households", 1), first)
    _assert_same(workspace.read_layer("households"), second)
    assert {"households", "households__v1"} <= workspace.layers()
    with pytest.raises(KeyError):
        workspace.read_layer("households", 7)


# ---------------------------------------------------------------------- datasets
def test_load_from_postgis_equals_the_geopackage(demo_url, demo):
    ds = load(demo_url)
    assert ds.is_demo and ds.label == demo.label
    assert isinstance(ds.path, PgLocation)
    for name in LAYERS:
        pd.testing.assert_frame_equal(ds.layers[name], demo.layers[name], obj=name)
    pd.testing.assert_frame_equal(ds.people(), demo.people())
    assert load(demo_url) is ds  # cached while nothing changes


def test_cache_follows_changes_made_elsewhere(pg_url, demo):
    workspace = Workspace.open(pg_url)
    _write(workspace, "households", _small_households(demo))
    _write(workspace, "metadata", pd.DataFrame({"key": ["demo"], "value": ["false"]}))
    before = load(pg_url)
    household = before.households["household_id"].iloc[0]
    # Another app process (a real one) changes a status; this process's cache sees it at its next read.
    code = ("import sys; from geo.workspace import Workspace; "
            "Workspace.open(sys.argv[1]).set_resettlement_status(sys.argv[2], 'moving', 'officer in process 2')")
    subprocess.run([sys.executable, "-c", code, pg_url, household], check=True, timeout=120)
    after = load(pg_url)
    assert after.revision != before.revision
    assert after.households.set_index("household_id").loc[household, "resettlement_status"] == "moving"
    Workspace.open(pg_url).append_rows("access_log", pd.DataFrame([{"at": "x", "username": "u", "event": "login",
                                                                     "detail": ""}]))
    assert load(pg_url) is after  # logs do not invalidate the data


def test_cli_reads_a_postgis_workspace(demo_url, tmp_path, capsys):
    out = tmp_path / "status.csv"
    assert main(["status", "--workspace", demo_url, "--indicator", "1", "--year", "2023", "--out", str(out)]) == 0
    assert len(pd.read_csv(out)) == 161


# ---------------------------------------------------------------------- accounts
def test_accounts_on_a_postgis_workspace(pg_url):
    accounts = Accounts(Workspace.open(pg_url))
    assert not accounts.has_users()
    admin = accounts.create_first_admin("admin", "a long passphrase")
    officer = accounts.add_user(admin, "officer", "another passphrase", "officer", ["01267", "01270"])
    assert officer.communes == frozenset({"01267", "01270"})
    # Another process sees the same accounts.
    again = Accounts(Workspace.open(pg_url))
    now = dt.datetime.now()
    assert again.user(again.login("officer", "another passphrase", now=now), now=now).role == "officer"
    for i in range(5):
        with pytest.raises(AccessError):
            again.login("officer", "wrong password", now=now + dt.timedelta(seconds=1 + i))
    with pytest.raises(AccessError) as locked:
        accounts.login("officer", "another passphrase", now=now + dt.timedelta(seconds=10))
    assert locked.value.key == "err_locked"
    accounts.remove_user(admin, "officer")
    assert accounts.get("officer") is None
    events = accounts.log()["event"].tolist()
    assert events[:3] == ["first_admin", "add_user", "login"] and events.count("login_failed") == 5
    assert "password_hash" in Workspace.open(pg_url).read_table("users")


# ---------------------------------------------------------------------- concurrent edits
@pytest.mark.parametrize("backend", ["geopackage", "postgis"])
def test_concurrent_status_edits_one_applies_one_conflicts(backend, request, tmp_path, demo):
    location = request.getfixturevalue("pg_url") if backend == "postgis" else tmp_path / "ws.gpkg"
    workspace = Workspace.open(location) if backend == "postgis" else Workspace.create(location)
    _write(workspace, "households", _small_households(demo))
    household = "01267-00001"
    seen = Workspace.open(location).read_layer("households").set_index("household_id").loc[
        household, "resettlement_status"]
    assert seen == "not_planned"
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def edit(officer: str, status: str) -> None:
        start.wait()  # both saw "not_planned"; both save at once
        try:
            Workspace.open(location).set_resettlement_status(household, status, officer, expected_status=seen)
            outcomes[officer] = "applied"
        except ConflictError as exc:
            outcomes[officer] = exc

    threads = [threading.Thread(target=edit, args=a) for a in [("officer A", "planned"), ("officer B", "moving")]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winner = next(o for o, r in outcomes.items() if r == "applied")
    loser = next(o for o, r in outcomes.items() if isinstance(r, ConflictError))
    wanted = {"officer A": "planned", "officer B": "moving"}
    assert outcomes[loser].current == wanted[winner] and outcomes[loser].expected == "not_planned"
    final = Workspace.open(location).read_layer("households").set_index("household_id")
    assert final.loc[household, "resettlement_status"] == wanted[winner]
    audit = Workspace.open(location).audit()
    assert audit[["changed_by", "old_status", "new_status", "expected_status", "outcome"]].values.tolist() == [
        [winner, "not_planned", wanted[winner], "not_planned", "applied"],
        [loser, wanted[winner], wanted[loser], "not_planned", "conflict"]]
    # Without an expected status the change applies whatever the status (as before).
    assert Workspace.open(location).set_resettlement_status(household, "resettled", "admin") == wanted[winner]
    with pytest.raises(KeyError):
        Workspace.open(location).set_resettlement_status("no such", "planned", "admin", expected_status="planned")


def test_old_geopackage_audit_rows_stay_readable(tmp_path, demo):
    import pyogrio

    workspace = Workspace.create(tmp_path / "ws.gpkg")
    _write(workspace, "households", _small_households(demo))
    old = pd.DataFrame([{"household_id": "01267-00001", "old_status": "not_planned", "new_status": "planned",
                         "changed_at": "2025-01-01T00:00:00", "changed_by": "before"}])
    pyogrio.write_dataframe(old, workspace.path, layer="resettlement_audit", driver="GPKG",
                            layer_options={"OVERWRITE": "YES"})
    with pytest.raises(ConflictError):
        workspace.set_resettlement_status("01267-00001", "moving", "now", expected_status="planned")
    audit = workspace.audit()
    assert audit[["changed_by", "outcome"]].values.tolist() == [["before", "applied"], ["now", "conflict"]]


# ---------------------------------------------------------------------- flagging in the database
def test_flagging_in_the_database_equals_in_process(demo_url, demo):
    expected = flag_households(demo.households, demo.zones)[LEVEL_COLUMNS + ["max_level"]].reset_index(drop=True)
    got = flag_in_database(PgLocation(demo_url))
    pd.testing.assert_frame_equal(got, expected)
    assert (got["max_level"] > 0).sum() > 1000  # the demo has households in zones
    high = flag_households(demo.households, demo.zones, min_level=4)[LEVEL_COLUMNS + ["max_level"]]
    pd.testing.assert_frame_equal(flag_in_database(PgLocation(demo_url), min_level=4), high.reset_index(drop=True))


# ---------------------------------------------------------------------- passwords
def test_passwords_are_never_shown():
    url = "postgresql://officer:s3cret-pw@127.0.0.1:1/caobang"
    workspace = Workspace(PgLocation(url))
    assert "s3cret" not in repr(workspace) and "s3cret" not in str(workspace.path)
    assert "***" in repr(workspace)
    with pytest.raises(ConnectionError) as failure:
        workspace.layers()
    assert "s3cret" not in str(failure.value) and "127.0.0.1" in str(failure.value)
    assert "s3cret" not in str(PgLocation("postgresql://127.0.0.1/db?password=s3cret-pw"))


def test_copy_workspace_back_to_a_geopackage(pg_url, tmp_path, demo):
    workspace = Workspace.open(pg_url)
    _write(workspace, "households", _small_households(demo))
    workspace.set_resettlement_status("01267-00001", "planned", "officer", expected_status="not_planned")
    copied = copy_workspace(pg_url, tmp_path / "back.gpkg")
    assert "households" in copied
    back = Workspace.open(tmp_path / "back.gpkg")
    _assert_same(back.read_layer("households"), workspace.read_layer("households"))
    assert back.audit()["outcome"].tolist() == ["applied"]


def test_app_on_postgis_refuses_a_stale_status_edit(pg_url, monkeypatch):
    """The app's status editor sends the status it showed; a change made meanwhile elsewhere wins."""
    from streamlit.testing.v1 import AppTest

    copy_workspace(None, pg_url)
    workspace = Workspace.open(pg_url)
    workspace.replace_table("metadata", pd.DataFrame({"key": ["demo"], "value": ["false"]}))
    Accounts(workspace).create_first_admin("admin", "a long passphrase")
    monkeypatch.setenv("GEO_WORKSPACE", pg_url)
    at = AppTest.from_file(str(Path(__file__).parents[1] / "app.py"), default_timeout=300).run()
    at.sidebar.text_input(key="login-user").input("admin")
    at.sidebar.text_input(key="login-password").input("a long passphrase")
    at.sidebar.button[0].click().run()
    at.sidebar.radio(key="view").set_value("risk").run()
    assert not at.exception
    form = next(s for s in at.selectbox if s.label == "Thông tin hộ")
    household = form.value
    shown = load(pg_url).households.set_index("household_id").loc[household, "resettlement_status"]
    other = next(s for s in ("planned", "moving") if s != shown)
    workspace.set_resettlement_status(household, other, "another officer", expected_status=shown)  # meanwhile
    next(b for b in at.button if b.key.startswith("FormSubmitter:edit-status")).click().run()
    assert any("Chưa lưu" in e.value for e in at.error), [e.value for e in at.error]
    audit = workspace.audit()
    assert audit["outcome"].tolist() == ["applied", "conflict"] and audit["changed_by"].tolist()[-1] == "admin"
    assert load(pg_url).households.set_index("household_id").loc[household, "resettlement_status"] == other
    # The page now shows the other officer's status: two edits in a row by this officer both apply
    # (the second one is made against the status the first one saved).
    for status in ("resettled", "stabilised"):
        next(s for s in at.selectbox if s.label == "Tình trạng di dời").set_value(status)
        next(b for b in at.button if b.key.startswith("FormSubmitter:edit-status")).click().run()
        assert not any("Chưa lưu" in e.value for e in at.error), [e.value for e in at.error]
    assert workspace.audit()["outcome"].tolist() == ["applied", "conflict", "applied", "applied"]
    assert load(pg_url).households.set_index("household_id").loc[household, "resettlement_status"] == "stabilised"


# ---------------------------------------------------------------------- concurrency and schema edge cases
def test_two_imports_at_once_keep_every_version(pg_url, demo):
    workspace = Workspace.open(pg_url)
    first = _small_households(demo, 10)
    _write(workspace, "households", first)
    frames = {20: _small_households(demo, 20), 30: _small_households(demo, 30)}
    start = threading.Barrier(2)
    versions: dict[int, int] = {}

    def reimport(n: int) -> None:
        start.wait()
        versions[n] = _write(Workspace.open(pg_url), "households", frames[n])

    threads = [threading.Thread(target=reimport, args=(n,)) for n in frames]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(versions.values()) == [2, 3]
    history = workspace.history()
    assert history["version"].astype(int).tolist() == [1, 2, 3]
    assert len(workspace.read_layer("households", 1)) == 10  # the first import survives as v1
    second = next(n for n, v in versions.items() if v == 2)
    assert len(workspace.read_layer("households", 2)) == second
    assert len(workspace.read_layer("households")) == next(n for n, v in versions.items() if v == 3)


def test_a_read_that_meets_a_reimport_sees_a_whole_version(pg_url, demo, monkeypatch):
    """A re-import drops and renames tables, which a snapshot does not isolate: a read that has begun
    when the re-import commits must still return a whole version (not an empty table)."""
    import geo.pgstore as pgstore

    workspace = Workspace.open(pg_url)
    _write(workspace, "households", _small_households(demo, 15))
    writer = threading.Thread(target=lambda: _write(Workspace.open(pg_url), "households",
                                                    _small_households(demo, 25)))
    tables = pgstore._tables
    paused = []

    def pause_once(cur):  # the read has its snapshot: let a re-import run now
        if not paused:
            paused.append(True)
            writer.start()
            writer.join(timeout=3)  # finishes only if nothing holds it back
        return tables(cur)

    monkeypatch.setattr(pgstore, "_tables", pause_once)
    frame = PgStore(PgLocation(pg_url)).snapshot(["households"])[2]["households"]  # as load() reads
    monkeypatch.setattr(pgstore, "_tables", tables)
    writer.join()
    assert paused and "household_id" in frame and len(frame) in (15, 25), frame.shape
    assert len(workspace.read_layer("households")) == 25


def test_postgis_goes_to_public_in_a_database_without_it(postgres_url):
    """The first migration creates PostGIS in public: dropping one workspace leaves it for the others."""
    database = f"geo_fresh_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {database}")
    base = psycopg.conninfo.make_conninfo(postgres_url, dbname=database)
    url = f"postgresql://{psycopg.conninfo.conninfo_to_dict(base)['user']}@" \
          f"{psycopg.conninfo.conninfo_to_dict(base)['host']}:{psycopg.conninfo.conninfo_to_dict(base)['port']}/{database}"
    try:
        one, two = (f"{url}?options=-csearch_path%3D{name}" for name in ("ws_one", "ws_two"))
        Workspace.open(one).layers()
        assert _query(one, "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'postgis'") \
            == [("public",)]
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA ws_one CASCADE")
        assert "metadata" in Workspace.open(two).layers()
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {database} WITH (FORCE)")


def test_rewriting_a_table_with_other_types_or_3d(pg_url):
    workspace = Workspace.open(pg_url)
    workspace.replace_table("probe", pd.DataFrame({"n": np.array([1, 2], "int32")}))
    workspace.replace_table("probe", pd.DataFrame({"n": [0.5, 1.5]}))
    assert workspace.read_table("probe")["n"].tolist() == [0.5, 1.5]
    workspace.replace_table("probe", pd.DataFrame({"n": ["a", "b"]}))
    assert workspace.read_table("probe")["n"].tolist() == ["a", "b"]
    points = gpd.GeoDataFrame({"id": [1, 2]}, geometry=[shapely.Point(1, 2, 30), shapely.Point(3, 4)],
                              crs="EPSG:9210")
    _write(workspace, "probe_3d", points)
    back = workspace.read_layer("probe_3d")
    assert shapely.get_coordinates(back.geometry.values, include_z=True).tolist() == [[1, 2, 30], [3, 4, 0]]
    _write(workspace, "probe_3d", points.set_geometry([shapely.box(0, 0, 1, 1), shapely.box(1, 1, 2, 2)]))
    assert back.geometry.geom_type.iloc[0] == "Point"
    assert workspace.read_layer("probe_3d").geometry.geom_type.tolist() == ["Polygon", "Polygon"]


def test_column_names_postgresql_cannot_hold_are_refused(pg_url):
    workspace = Workspace.open(pg_url)
    with pytest.raises(ValueError, match="'fid'"):
        workspace.replace_table("probe", pd.DataFrame({"fid": [1]}))
    long_name = "tỷ lệ hộ nghèo theo chuẩn nghèo đa chiều giai đoạn 2021-2025"
    with pytest.raises(ValueError, match="63 bytes"):
        workspace.replace_table("probe", pd.DataFrame({long_name: [1]}))


def test_a_role_without_create_rights_reads_and_edits(pg_url, demo):
    """Opening a migrated workspace runs no migration: a role that may only read and write can use it."""
    workspace = Workspace.open(pg_url)
    _write(workspace, "households", _small_households(demo))
    schema = PgLocation(pg_url).schema
    role = f"officer_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_url.split("?")[0], autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN")
        conn.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
        conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}")
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    try:
        parts = psycopg.conninfo.conninfo_to_dict(pg_url.split("?")[0])
        url = f"postgresql://{role}@{parts['host']}:{parts['port']}/{parts['dbname']}?options=-csearch_path%3D{schema}"
        PgStore._migrated.discard(url)
        assert len(load(url).households) == 40
        Workspace.open(url).set_resettlement_status("01267-00001", "planned", role, expected_status="not_planned")
        assert workspace.audit()["changed_by"].tolist() == [role]
    finally:
        with psycopg.connect(pg_url.split("?")[0], autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")


# ---------------------------------------------------------------------- many hands, kept versions, the check
def test_concurrent_account_changes_and_parallel_logins_on_postgis(pg_url):
    from geo.access import MAX_FAILURES

    accounts = Accounts(Workspace.open(pg_url))
    admin = accounts.create_first_admin("admin", "a long passphrase")
    accounts.add_user(admin, "viewer", "a long passphrase", "viewer")
    results = at_once([lambda i=i: Accounts(Workspace.open(pg_url)).add_user(admin, f"new_{i}", "a long passphrase",
                                                                               "viewer") for i in range(3)]
                       + [lambda: Accounts(Workspace.open(pg_url)).remove_user(admin, "viewer")])
    assert not [r for r in results if isinstance(r, Exception)]
    names = set(accounts.users_table()["username"])
    assert {"new_0", "new_1", "new_2"} <= names and "viewer" not in names
    results = at_once([lambda: Accounts(Workspace.open(pg_url)).login("new_0", "a wrong passphrase")
                        for _ in range(12)])
    assert all(isinstance(r, AccessError) for r in results)
    with pytest.raises(AccessError) as locked:
        accounts.login("new_0", "a long passphrase")
    assert locked.value.key == "err_locked"
    log = accounts.log()
    events = log.loc[log["username"] == "new_0", "event"]
    assert (events == "login_failed").sum() == MAX_FAILURES and (events == "locked").sum() == 12 - MAX_FAILURES + 1


def test_first_import_over_copied_data_keeps_it_on_postgis(pg_url, tmp_path, demo):
    from geo.workspace import check_workspace

    # A workspace holding households never imported (as a copy of the demo), copied into PostGIS.
    source = tmp_path / "copied.gpkg"
    homes = _small_households(demo, 60)
    Workspace.create(source).replace_table("households", homes)
    Workspace.open(source).replace_table("household_people", demo.people().iloc[:60].reset_index(drop=True))
    copy_workspace(source, pg_url)
    frame = gpd.GeoDataFrame({"household_id": homes["household_id"].iloc[:20], "head_name": "Nông Văn A",
                              "id_number": "004100000001"}, geometry=homes.geometry.iloc[:20].to_numpy(),
                             crs=homes.crs)
    path = tmp_path / "ho_dan.gpkg"
    frame.to_file(path)
    version = commit(prepare(path, "households"), pg_url, "tester")
    workspace = Workspace.open(pg_url)
    assert version == 1 and workspace.versions("households") == [0, 1]
    assert len(workspace.read_layer("households", 0)) == 60 and len(workspace.read_layer("household_people", 0)) == 60
    assert not {"head_name", "id_number"} & set(workspace.read_layer("households").columns)
    people = load(pg_url).people()
    assert len(people) == 20 and set(people["id_number"]) == {"004100000001"}
    assert check_workspace(pg_url, "en") == []


def test_check_workspace_on_postgis(pg_url, postgres_url):
    from geo.workspace import check_workspace

    missing = f"{postgres_url}{'&' if '?' in postgres_url else '?'}options=-csearch_path%3Dno_such_{uuid.uuid4().hex[:8]}"
    [line] = check_workspace(missing, "en")
    assert "no workspace in this database" in line
    workspace = Workspace.open(pg_url)
    Accounts(workspace).create_first_admin("admin", "a long passphrase")
    assert check_workspace(pg_url, "en") == []
    with workspace.transaction() as tx:
        tx.write("household_people", pd.DataFrame({"household_id": ["nobody"], "head_name": ["A"],
                                                   "id_number": ["1"]}))
        tx.write("sites__v3", pd.DataFrame({"site_id": ["S"]}))
    with PgStore(PgLocation(pg_url)).connect() as conn, conn.transaction():
        conn.execute("DROP TABLE access_log")
    assert check_workspace(pg_url, "en") == [
        "table access_log is missing",
        "table sites__v3 is not in the import history (sites version 3)",
        "1 rows of household_people belong to no household (e.g. nobody)",
    ]
