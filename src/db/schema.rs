// One schema for both backends: only types the MultiConnection supports
// (BigInt, Integer, Text, Bool, Timestamp, Date).

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        email -> Text,
        password_hash -> Text,
        role -> Text,
        disabled -> Bool,
        currency -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        user_agent -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (id) {
        id -> BigInt,
        username -> Text,
        ip -> Text,
        failed_at -> Timestamp,
    }
}

diesel::table! {
    site_settings (id) {
        id -> BigInt,
        site_title -> Text,
        site_description -> Text,
        registration_open -> Bool,
        moderation -> Text,
        articles_per_page -> Integer,
        currency -> Text,
        session_idle_days -> Integer,
        session_max_days -> Integer,
    }
}

diesel::table! {
    articles (id) {
        id -> BigInt,
        author_id -> BigInt,
        title -> Text,
        slug -> Text,
        body_source -> Text,
        body_html -> Text,
        excerpt -> Text,
        search_text -> Text,
        reading_minutes -> Integer,
        status -> Text,
        publish_at -> Nullable<Timestamp>,
        published_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    tags (id) {
        id -> BigInt,
        name -> Text,
        slug -> Text,
    }
}

diesel::table! {
    article_tags (article_id, tag_id) {
        article_id -> BigInt,
        tag_id -> BigInt,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        article_id -> BigInt,
        author_id -> BigInt,
        body_source -> Text,
        body_html -> Text,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        actor_id -> Nullable<BigInt>,
        actor_name -> Text,
        action -> Text,
        target -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(articles -> users (author_id));
diesel::joinable!(article_tags -> articles (article_id));
diesel::joinable!(article_tags -> tags (tag_id));
diesel::joinable!(comments -> articles (article_id));
diesel::joinable!(comments -> users (author_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    sessions,
    login_failures,
    site_settings,
    articles,
    tags,
    article_tags,
    comments,
    audit_log,
);

// ---------------------------------------------------------------------------
// Expense tracker (src/expenses). Money is BigInt cents; `spent_month` and
// `month` are year * 100 + month.
// ---------------------------------------------------------------------------

diesel::table! {
    expense_trackers (user_id) {
        user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    expense_categories (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        color -> Text,
        monthly_budget_cents -> Nullable<BigInt>,
        rollover_since -> Nullable<Integer>,
        archived -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    expenses (id) {
        id -> BigInt,
        user_id -> BigInt,
        category_id -> BigInt,
        spent_on -> Date,
        spent_month -> Integer,
        amount_cents -> BigInt,
        description -> Text,
        notes -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    expense_budgets (id) {
        id -> BigInt,
        user_id -> BigInt,
        category_id -> BigInt,
        month -> Integer,
        budget_cents -> Nullable<BigInt>,
    }
}

diesel::table! {
    recurring_rules (id) {
        id -> BigInt,
        user_id -> BigInt,
        category_id -> BigInt,
        amount_cents -> BigInt,
        description -> Text,
        every -> Integer,
        unit -> Text,
        day -> Integer,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        next_on -> Nullable<Date>,
        paused -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    recurring_occurrences (id) {
        id -> BigInt,
        rule_id -> BigInt,
        occurs_on -> Date,
        expense_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    expense_uploads (id) {
        id -> BigInt,
        user_id -> BigInt,
        token -> Text,
        filename -> Text,
        content -> Binary,
        created_at -> Timestamp,
    }
}

diesel::joinable!(expense_trackers -> users (user_id));
diesel::joinable!(expense_categories -> users (user_id));
diesel::joinable!(expenses -> users (user_id));
diesel::joinable!(expenses -> expense_categories (category_id));
diesel::joinable!(expense_budgets -> expense_categories (category_id));
diesel::joinable!(recurring_rules -> expense_categories (category_id));
diesel::joinable!(recurring_occurrences -> recurring_rules (rule_id));
diesel::joinable!(recurring_occurrences -> expenses (expense_id));
diesel::joinable!(expense_uploads -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    expense_trackers,
    expense_categories,
    expenses,
    expense_budgets,
    recurring_rules,
    recurring_occurrences,
    expense_uploads,
);
