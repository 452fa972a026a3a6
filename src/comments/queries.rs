//! Comment rows.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::models::{
    initial_status, CommentStatus, Moderation, Posted, PublicComment, RATE_LIMIT_PER_MINUTE,
};
use crate::accounts::models::Role;
use crate::db::schema::{articles, comments, users};
use crate::db::{now, DbConn};

pub fn insert(
    conn: &mut DbConn,
    article_id: i64,
    author_id: i64,
    body_source: &str,
    body_html: &str,
    status: CommentStatus,
) -> QueryResult<usize> {
    let at = now();
    diesel::insert_into(comments::table)
        .values((
            comments::article_id.eq(article_id),
            comments::author_id.eq(author_id),
            comments::body_source.eq(body_source),
            comments::body_html.eq(body_html),
            comments::status.eq(status.as_str()),
            comments::created_at.eq(at),
            comments::updated_at.eq(at),
        ))
        .execute(conn)
}

/// Posts a comment under the rate limit and the moderation rule, in one transaction
/// so two quick posts cannot both slip under the limit's count.
pub fn post(
    conn: &mut DbConn,
    article_id: i64,
    user_id: i64,
    role: Role,
    moderation: Moderation,
    body_source: &str,
    body_html: &str,
) -> QueryResult<Posted> {
    conn.transaction(|conn| {
        if !role.includes(Role::Author)
            && posted_last_minute(conn, user_id)? >= RATE_LIMIT_PER_MINUTE
        {
            return Ok(Posted::RateLimited);
        }
        let status = initial_status(role, moderation, has_approved(conn, user_id)?);
        insert(conn, article_id, user_id, body_source, body_html, status)?;
        Ok(if status == CommentStatus::Approved {
            Posted::Published
        } else {
            Posted::AwaitsModeration
        })
    })
}

/// Approved comments of an article, oldest first.
pub fn approved_for_article(conn: &mut DbConn, article_id: i64) -> QueryResult<Vec<PublicComment>> {
    comments::table
        .inner_join(users::table)
        .filter(comments::article_id.eq(article_id))
        .filter(comments::status.eq(CommentStatus::Approved.as_str()))
        .order_by((comments::created_at.asc(), comments::id.asc()))
        .select((
            comments::id,
            users::username,
            comments::body_html,
            comments::created_at,
        ))
        .load(conn)
}

pub fn has_approved(conn: &mut DbConn, author_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        comments::table
            .filter(comments::author_id.eq(author_id))
            .filter(comments::status.eq(CommentStatus::Approved.as_str())),
    ))
    .get_result(conn)
}

/// Comments the user posted in the last minute (any state): the rate limit's count,
/// kept in the database so it holds across instances.
pub fn posted_last_minute(conn: &mut DbConn, author_id: i64) -> QueryResult<i64> {
    comments::table
        .filter(comments::author_id.eq(author_id))
        .filter(comments::created_at.gt(now() - TimeDelta::minutes(1)))
        .count()
        .get_result(conn)
}

/// A comment in the moderation queue.
#[derive(Debug, Clone, Queryable)]
pub struct QueueRow {
    pub id: i64,
    pub author: String,
    pub article_slug: String,
    pub article_title: String,
    pub body_html: String,
    pub created_at: NaiveDateTime,
}

impl QueueRow {
    pub fn date(&self) -> String {
        self.created_at.format("%-d %b %Y, %H:%M").to_string()
    }
}

pub fn count_by_status(conn: &mut DbConn, status: CommentStatus) -> QueryResult<i64> {
    comments::table
        .filter(comments::status.eq(status.as_str()))
        .select(count_star())
        .get_result(conn)
}

pub fn queue(
    conn: &mut DbConn,
    status: CommentStatus,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<QueueRow>> {
    comments::table
        .inner_join(users::table)
        .inner_join(articles::table)
        .filter(comments::status.eq(status.as_str()))
        .order_by((comments::created_at.desc(), comments::id.desc()))
        .select((
            comments::id,
            users::username,
            articles::slug,
            articles::title,
            comments::body_html,
            comments::created_at,
        ))
        .limit(limit)
        .offset(offset)
        .load(conn)
}

/// Sets the state of the given comments; returns the ids that existed.
pub fn set_status(conn: &mut DbConn, ids: &[i64], status: CommentStatus) -> QueryResult<Vec<i64>> {
    let existing: Vec<i64> = comments::table
        .filter(comments::id.eq_any(ids))
        .select(comments::id)
        .order_by(comments::id)
        .load(conn)?;
    diesel::update(comments::table.filter(comments::id.eq_any(&existing)))
        .set((
            comments::status.eq(status.as_str()),
            comments::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(existing)
}
