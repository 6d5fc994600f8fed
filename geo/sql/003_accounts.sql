-- 003: accounts and the access log (geo.access), shared by every app process.
CREATE TABLE users (
    fid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username text,
    password_hash text,
    role text,
    communes text,
    created_at text
);

CREATE TABLE access_log (
    fid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at text,
    username text,
    event text,
    detail text
);
CREATE INDEX ON access_log (username);
