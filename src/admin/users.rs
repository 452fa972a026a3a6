//! Users in the admin area: list, role change, disable / enable, delete.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use super::audit;
use super::rules::{self, AccountChange};
use crate::accounts::models::{CurrentUser, Role};
use crate::accounts::queries as users_q;
use crate::app::AppState;
use crate::db::schema::{article_tags, articles, comments, users};
use crate::db::DbConn;
use crate::web::pagination::{page_number, PageQuery, Pagination};
use crate::web::{flash, render, render_invalid, see_other, AppError, Ctx};

/// Articles kept when their author is deleted are attributed to this account.
pub const PLACEHOLDER_USERNAME: &str = "deleted-user";
const PER_PAGE: i64 = 50;

#[derive(Debug, Clone, Queryable)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub role: String,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
}

impl UserRow {
    pub fn joined(&self) -> String {
        self.created_at.format("%-d %b %Y").to_string()
    }
}

pub fn count_users(conn: &mut DbConn) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

fn list(conn: &mut DbConn, limit: i64, offset: i64) -> QueryResult<Vec<UserRow>> {
    users::table
        .order_by(users::username)
        .select((
            users::id,
            users::username,
            users::email,
            users::role,
            users::disabled,
            users::created_at,
        ))
        .limit(limit)
        .offset(offset)
        .load(conn)
}

fn active_admins(conn: &mut DbConn) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::disabled.eq(false))
        .count()
        .get_result(conn)
}

/// The placeholder author: disabled, with a password hash nothing verifies against.
fn placeholder(conn: &mut DbConn) -> QueryResult<i64> {
    if let Some(user) = users_q::find_by_username(conn, PLACEHOLDER_USERNAME)? {
        return Ok(user.id);
    }
    let user = users_q::insert(
        conn,
        PLACEHOLDER_USERNAME,
        "deleted@invalid",
        "!",
        Role::Member,
    )?;
    diesel::update(users::table.find(user.id))
        .set(users::disabled.eq(true))
        .execute(conn)?;
    Ok(user.id)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentChoice {
    /// Delete the user's articles (with their comments) and comments.
    Delete,
    /// Keep articles and comments under the placeholder author.
    Keep,
}

/// Deletes a user and, as chosen, their content; their sessions and private data
/// (expenses) always go with them. One transaction: nothing half-deleted.
pub fn delete_user(conn: &mut DbConn, user_id: i64, content: ContentChoice) -> QueryResult<()> {
    conn.transaction(|conn| {
        match content {
            ContentChoice::Keep => {
                let keeper = placeholder(conn)?;
                diesel::update(articles::table.filter(articles::author_id.eq(user_id)))
                    .set(articles::author_id.eq(keeper))
                    .execute(conn)?;
                diesel::update(comments::table.filter(comments::author_id.eq(user_id)))
                    .set(comments::author_id.eq(keeper))
                    .execute(conn)?;
            }
            ContentChoice::Delete => {
                let own = articles::table
                    .filter(articles::author_id.eq(user_id))
                    .select(articles::id);
                diesel::delete(comments::table.filter(comments::article_id.eq_any(own)))
                    .execute(conn)?;
                diesel::delete(article_tags::table.filter(article_tags::article_id.eq_any(own)))
                    .execute(conn)?;
                diesel::delete(articles::table.filter(articles::author_id.eq(user_id)))
                    .execute(conn)?;
                diesel::delete(comments::table.filter(comments::author_id.eq(user_id)))
                    .execute(conn)?;
            }
        }
        crate::accounts::sessions::delete_all_for_user(conn, user_id)?;
        delete_private_data(conn, user_id)?;
        diesel::delete(users::table.find(user_id)).execute(conn)?;
        Ok(())
    })
}

/// Private data that belongs to the user alone: their expense tracker.
fn delete_private_data(conn: &mut DbConn, user_id: i64) -> QueryResult<()> {
    crate::expenses::queries::delete_all_for_user(conn, user_id)
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage<'a> {
    ctx: &'a Ctx,
    users: &'a [UserRow],
    pagination: &'a Pagination,
    error: Option<&'a str>,
}

async fn show(
    ctx: &Ctx,
    state: &AppState,
    page: i64,
    error: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let (rows, pagination) = state
        .db
        .run(move |conn| {
            let total = count_users(conn)?;
            let pagination = Pagination::new(page, PER_PAGE, total, "/admin/users").check()?;
            let rows = list(conn, PER_PAGE, pagination.offset())?;
            Ok::<_, AppError>((rows, pagination))
        })
        .await?;
    let page = UsersPage {
        ctx,
        users: &rows,
        pagination: &pagination,
        error,
    };
    if error.is_some() {
        render_invalid(&page)
    } else {
        render(&page)
    }
}

pub async fn index(
    ctx: Ctx,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require_role(Role::Admin)?;
    show(&ctx, &state, page_number(query.page.as_deref()), None).await
}

/// What happened to a requested change.
enum Outcome {
    Done(String),
    Refused(String),
}

/// Loads the target, applies the last-admin rules, runs `apply` and records it,
/// all in one transaction.
async fn change_user<F>(
    ctx: &Ctx,
    state: &AppState,
    target_id: i64,
    change: Option<AccountChange>,
    action: &'static str,
    apply: F,
) -> Result<Outcome, AppError>
where
    F: FnOnce(&mut DbConn, &crate::accounts::models::User) -> QueryResult<Outcome> + Send + 'static,
{
    let admin: CurrentUser = ctx.require_role(Role::Admin)?.clone();
    state
        .db
        .run(move |conn| {
            conn.transaction(|conn| {
                let Some(target) = users_q::find(conn, target_id)? else {
                    return Ok(Err(AppError::NotFound));
                };
                if let Some(change) = change {
                    let role = Role::parse(&target.role).unwrap_or(Role::Member);
                    if let Err(message) =
                        rules::check(admin.id, target.id, role, change, active_admins(conn)?)
                    {
                        return Ok(Ok(Outcome::Refused(message)));
                    }
                }
                let outcome = apply(conn, &target)?;
                if matches!(outcome, Outcome::Done(_)) {
                    let target = format!("user {} (#{})", target.username, target.id);
                    audit::record(conn, &admin, action, &target)?;
                }
                Ok(Ok(outcome))
            })
            .map_err(|e: diesel::result::Error| AppError::from(e))?
        })
        .await
}

async fn respond(
    ctx: &Ctx,
    session: &Session,
    state: &AppState,
    outcome: Outcome,
) -> Result<HttpResponse, AppError> {
    match outcome {
        Outcome::Done(message) => {
            flash::success(session, message);
            Ok(see_other("/admin/users"))
        }
        Outcome::Refused(message) => show(ctx, state, 1, Some(&message)).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoleForm {
    pub role: String,
}

pub async fn set_role(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require_role(Role::Admin)?;
    let role = match Role::parse(&form.role) {
        Ok(role) => role,
        Err(message) => return show(&ctx, &state, 1, Some(&message)).await,
    };
    // Any role below admin is a demotion when the target is an admin; the rules
    // only refuse it for oneself or the last admin.
    let change = (role != Role::Admin).then_some(AccountChange::Demote);
    let outcome = change_user(
        &ctx,
        &state,
        path.into_inner(),
        change,
        "user.role",
        move |conn, target| {
            users_q::set_role(conn, target.id, role)?;
            Ok(Outcome::Done(format!("{} is now {role}.", target.username)))
        },
    )
    .await?;
    respond(&ctx, &session, &state, outcome).await
}

pub async fn set_disabled(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    ctx.require_role(Role::Admin)?;
    let (id, action) = path.into_inner();
    let (disable, change, audit_action) = match action.as_str() {
        "disable" => (true, Some(AccountChange::Disable), "user.disable"),
        "enable" => (false, None, "user.enable"),
        _ => return Err(AppError::NotFound),
    };
    let outcome = change_user(
        &ctx,
        &state,
        id,
        change,
        audit_action,
        move |conn, target| {
            users_q::set_disabled(conn, target.id, disable)?;
            Ok(Outcome::Done(if disable {
                format!("{} is disabled and signed out everywhere.", target.username)
            } else {
                format!("{} can log in again.", target.username)
            }))
        },
    )
    .await?;
    respond(&ctx, &session, &state, outcome).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    pub content: String,
}

pub async fn delete(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require_role(Role::Admin)?;
    let content = match form.content.as_str() {
        "delete" => ContentChoice::Delete,
        "keep" => ContentChoice::Keep,
        _ => {
            return show(
                &ctx,
                &state,
                1,
                Some("Choose whether to delete the user's articles and comments or keep them under a placeholder author."),
            )
            .await
        }
    };
    let action = match content {
        ContentChoice::Delete => "user.delete (content deleted)",
        ContentChoice::Keep => "user.delete (content kept)",
    };
    let outcome = change_user(
        &ctx,
        &state,
        path.into_inner(),
        Some(AccountChange::Delete),
        action,
        move |conn, target| {
            if target.username == PLACEHOLDER_USERNAME && content == ContentChoice::Keep {
                return Ok(Outcome::Refused(
                    "The placeholder author can only be deleted together with its content.".into(),
                ));
            }
            delete_user(conn, target.id, content)?;
            Ok(Outcome::Done(format!("{} is deleted.", target.username)))
        },
    )
    .await?;
    respond(&ctx, &session, &state, outcome).await
}
