-- Foundation: users, server-side sessions, login throttling, site settings.
-- Timestamps are UTC; SQLite stores them as ISO text, which sorts correctly.
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'author', 'member')),
    disabled BOOLEAN NOT NULL DEFAULT 0,
    currency TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX users_role ON users (role);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_agent TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    ip TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, failed_at);
CREATE INDEX login_failures_ip ON login_failures (ip, failed_at);

CREATE TABLE site_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    site_title TEXT NOT NULL,
    site_description TEXT NOT NULL,
    registration_open BOOLEAN NOT NULL,
    moderation TEXT NOT NULL CHECK (moderation IN ('all', 'first-time', 'none')),
    articles_per_page INTEGER NOT NULL,
    currency TEXT NOT NULL,
    session_idle_days INTEGER NOT NULL,
    session_max_days INTEGER NOT NULL
);
INSERT INTO site_settings VALUES (1, 'Quillbook', 'A blog and an expense tracker', 1, 'first-time', 10, 'EUR', 14, 90);
