-- 001: the workspace's tables, and EPSG:9210 for PostGIS.
-- Applied by geo.pgstore inside one transaction, with search_path set to the workspace's schema, public.

-- In public, never in the workspace's schema (dropping a workspace must not drop PostGIS).
CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public;

-- PostGIS 3.3 ships no row for EPSG:9210 (VN-2000 / TM-3 105-45, the project's metric CRS).
-- srtext is pyproj's WKT1_GDAL and proj4text its PROJ string for EPSG:9210; PostGIS asks PROJ
-- for EPSG:9210 first, so ST_Transform keeps the VN-2000 datum shift.
INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text)
VALUES (9210, 'EPSG', 9210,
        'PROJCS["VN-2000 / TM-3 105-45",GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6756"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",105.75],PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","9210"]]',
        '+proj=tmerc +lat_0=0 +lon_0=105.75 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +units=m +no_defs')
ON CONFLICT (srid) DO NOTHING;

-- One row: a counter bumped by every write transaction that changes data (cache validation).
CREATE TABLE workspace_state (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    changes bigint NOT NULL DEFAULT 0,
    changed_at timestamp NOT NULL DEFAULT localtimestamp(0)
);
INSERT INTO workspace_state DEFAULT VALUES;

CREATE TABLE metadata (
    fid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key text,
    value text
);
INSERT INTO metadata (key, value)
VALUES ('demo', 'false'), ('label', ''), ('created', to_char(localtimestamp, 'YYYY-MM-DD"T"HH24:MI:SS'));

CREATE TABLE import_history (
    fid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    imported_at text,
    file_name text,
    sha256 text,
    kind text,
    layer text,
    version text,
    rows_in text,
    rows_rejected text,
    imported_by text
);

CREATE TABLE resettlement_audit (
    fid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    household_id text,
    old_status text,
    new_status text,
    changed_at text,
    changed_by text
);
