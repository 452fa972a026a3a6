-- Expense tracker: per-user categories, expenses, per-month budget overrides,
-- recurring rules with one row per created occurrence, and stored CSV uploads
-- waiting for their column mapping. Money is BIGINT minor units (cents).
-- `spent_month` / `month` are year * 100 + month (202611), so reports can
-- GROUP BY month with the same SQL on both backends.

-- One row per user whose tracker was set up (default categories created once).
CREATE TABLE expense_trackers (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE expense_categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    color TEXT NOT NULL,
    monthly_budget_cents BIGINT,
    -- First month (yyyymm) whose leftover carries into the next; NULL = no rollover.
    rollover_since INTEGER,
    archived BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, name)
);

CREATE TABLE expenses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES expense_categories (id),
    spent_on DATE NOT NULL,
    spent_month INTEGER NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    description TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- The list (month filter, newest first) and the daily chart.
CREATE INDEX expenses_user_date ON expenses (user_id, spent_on, id);
-- Monthly and yearly totals: covering, so reports read the index only.
CREATE INDEX expenses_user_month ON expenses (user_id, spent_month, category_id, amount_cents);
-- The category filter and "is this category used?".
CREATE INDEX expenses_category ON expenses (category_id, spent_on);

CREATE TABLE expense_budgets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES expense_categories (id) ON DELETE CASCADE,
    month INTEGER NOT NULL,
    -- NULL: no budget in this month although the category has one.
    budget_cents BIGINT,
    UNIQUE (category_id, month)
);
CREATE INDEX expense_budgets_user ON expense_budgets (user_id, month);

CREATE TABLE recurring_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES expense_categories (id),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    description TEXT NOT NULL,
    every INTEGER NOT NULL CHECK (every > 0),
    unit TEXT NOT NULL CHECK (unit IN ('weeks', 'months')),
    day INTEGER NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE,
    -- The next date to create; NULL once the rule has ended.
    next_on DATE,
    paused BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX recurring_rules_user ON recurring_rules (user_id);
CREATE INDEX recurring_rules_due ON recurring_rules (paused, next_on);

-- One row per created occurrence: the unique key makes the task idempotent across
-- restarts and instances, and a deleted expense is not created again.
CREATE TABLE recurring_occurrences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id INTEGER NOT NULL REFERENCES recurring_rules (id) ON DELETE CASCADE,
    occurs_on DATE NOT NULL,
    expense_id INTEGER REFERENCES expenses (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (rule_id, occurs_on)
);
CREATE INDEX recurring_occurrences_expense ON recurring_occurrences (expense_id);

-- A CSV file kept between the upload and the confirmed mapping (in the database,
-- so any instance can finish the import). Old ones are purged.
CREATE TABLE expense_uploads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token TEXT NOT NULL UNIQUE,
    filename TEXT NOT NULL,
    content BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX expense_uploads_created ON expense_uploads (created_at);
