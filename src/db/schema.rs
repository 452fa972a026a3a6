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

diesel::joinable!(sessions -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(users, sessions, login_failures, site_settings);
