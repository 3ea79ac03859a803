-- sessions.db schema of dflab before versioning (commit 0c1221b, runner/session/store.py)
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, scenario_id TEXT NOT NULL, scenario_path TEXT NOT NULL,
    scenario_sha256 TEXT NOT NULL, title TEXT NOT NULL, lang TEXT NOT NULL,
    trainee TEXT NOT NULL, seat TEXT NOT NULL DEFAULT '', backend TEXT NOT NULL,
    lab_ref TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, created_at REAL NOT NULL,
    updated_at REAL NOT NULL, meta TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS keys (
    session_id TEXT NOT NULL REFERENCES sessions(id), task_id TEXT NOT NULL,
    key_json TEXT NOT NULL, provenance TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (session_id, task_id)
);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL REFERENCES sessions(id),
    task_id TEXT NOT NULL, at REAL NOT NULL, kind TEXT NOT NULL, raw TEXT NOT NULL,
    normalized TEXT, status TEXT NOT NULL, score REAL NOT NULL, feedback TEXT NOT NULL,
    counted INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_by_task ON attempts (session_id, task_id);
CREATE TABLE IF NOT EXISTS hints (
    session_id TEXT NOT NULL REFERENCES sessions(id), task_id TEXT NOT NULL,
    idx INTEGER NOT NULL, at REAL NOT NULL, cost REAL NOT NULL,
    PRIMARY KEY (session_id, task_id, idx)
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, at REAL NOT NULL,
    kind TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS evidence (
    session_id TEXT NOT NULL REFERENCES sessions(id), name TEXT NOT NULL,
    path TEXT NOT NULL, sha256 TEXT NOT NULL, at_start TEXT, at_stop TEXT,
    PRIMARY KEY (session_id, name)
);
-- class tables of the same file (runner/classroom/store.py)
CREATE TABLE IF NOT EXISTS classes (
    name TEXT PRIMARY KEY, scenarios TEXT NOT NULL, minutes INTEGER, lang TEXT NOT NULL,
    created_at REAL NOT NULL, frozen INTEGER NOT NULL DEFAULT 0, collected_at REAL
);
CREATE TABLE IF NOT EXISTS class_seats (
    class TEXT NOT NULL REFERENCES classes(name), seat TEXT NOT NULL,
    trainee_id TEXT NOT NULL, name TEXT NOT NULL, email TEXT NOT NULL, lang TEXT NOT NULL,
    pw_hash TEXT NOT NULL, pubkeys TEXT NOT NULL DEFAULT '', seed INTEGER NOT NULL,
    status TEXT NOT NULL, started_at REAL, extra_seconds REAL NOT NULL DEFAULT 0,
    paused_at REAL, PRIMARY KEY (class, seat)
);
CREATE TABLE IF NOT EXISTS class_labs (
    class TEXT NOT NULL, seat TEXT NOT NULL, scenario_id TEXT NOT NULL,
    session_id TEXT NOT NULL DEFAULT '', error TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (class, seat, scenario_id)
);
CREATE TABLE IF NOT EXISTS class_grades (
    class TEXT NOT NULL, seat TEXT NOT NULL, scenario_id TEXT NOT NULL, task_id TEXT NOT NULL,
    status TEXT NOT NULL, earned REAL NOT NULL, points REAL NOT NULL, source TEXT NOT NULL,
    graded_at REAL NOT NULL, PRIMARY KEY (class, seat, scenario_id, task_id)
);
