//! Server-side sessions. The encrypted cookie carries only a random token; its
//! SHA-256 names a row in `sessions`, so a session can be revoked (logout, password
//! change, disabling) and a stolen database does not yield live cookies.

use base64::Engine;
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::models::{CurrentUser, Role};
use crate::admin::settings::SiteSettings;
use crate::db::schema::{sessions, users};
use crate::db::{now, DbConn};

/// The session-cookie key holding the token.
pub const SESSION_KEY: &str = "sid";

/// `last_seen_at` is refreshed at most this often, to spare a write per request.
const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(5);

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Debug, Clone, Queryable)]
pub struct SessionRow {
    pub id: i64,
    pub user_agent: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
}

/// Creates a session for the user and returns the token for the cookie.
pub fn create(conn: &mut DbConn, user_id: i64, user_agent: &str) -> QueryResult<String> {
    let token = random_token();
    let at = now();
    let agent: String = user_agent.chars().take(200).collect();
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(token_hash(&token)),
            sessions::user_id.eq(user_id),
            sessions::user_agent.eq(agent),
            sessions::created_at.eq(at),
            sessions::last_seen_at.eq(at),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The user behind a session token, loaded with the session in one query. `None` when
/// the token is unknown, idle or too old, or the user is disabled.
pub fn authenticate(
    conn: &mut DbConn,
    token: &str,
    site: &SiteSettings,
) -> QueryResult<Option<CurrentUser>> {
    let found = sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash(token)))
        .select((
            sessions::id,
            sessions::created_at,
            sessions::last_seen_at,
            users::id,
            users::username,
            users::email,
            users::role,
            users::disabled,
        ))
        .first::<(
            i64,
            NaiveDateTime,
            NaiveDateTime,
            i64,
            String,
            String,
            String,
            bool,
        )>(conn)
        .optional()?;
    let Some((session_id, created_at, last_seen_at, user_id, username, email, role, disabled)) =
        found
    else {
        return Ok(None);
    };
    let at = now();
    let idle_limit = TimeDelta::days(i64::from(site.session_idle_days.max(1)));
    let age_limit = TimeDelta::days(i64::from(site.session_max_days.max(1)));
    let role = Role::parse(&role).ok();
    if disabled || at - last_seen_at > idle_limit || at - created_at > age_limit || role.is_none() {
        diesel::delete(sessions::table.find(session_id)).execute(conn)?;
        return Ok(None);
    }
    if at - last_seen_at > TOUCH_EVERY {
        diesel::update(sessions::table.find(session_id))
            .set(sessions::last_seen_at.eq(at))
            .execute(conn)?;
    }
    Ok(role.map(|role| CurrentUser {
        id: user_id,
        username,
        email,
        role,
        session_id,
    }))
}

pub fn delete_by_token(conn: &mut DbConn, token: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(token_hash(token)))).execute(conn)
}

/// Signs out one of the user's own sessions (never someone else's).
pub fn delete_own(conn: &mut DbConn, user_id: i64, session_id: i64) -> QueryResult<usize> {
    diesel::delete(
        sessions::table
            .filter(sessions::id.eq(session_id))
            .filter(sessions::user_id.eq(user_id)),
    )
    .execute(conn)
}

pub fn delete_all_for_user(conn: &mut DbConn, user_id: i64) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)
}

pub fn delete_others(conn: &mut DbConn, user_id: i64, keep_session_id: i64) -> QueryResult<usize> {
    diesel::delete(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::id.ne(keep_session_id)),
    )
    .execute(conn)
}

pub fn list_for_user(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<SessionRow>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .order_by(sessions::last_seen_at.desc())
        .select((
            sessions::id,
            sessions::user_agent,
            sessions::created_at,
            sessions::last_seen_at,
        ))
        .limit(100)
        .load(conn)
}
