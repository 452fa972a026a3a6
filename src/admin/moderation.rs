//! The moderation queue: comments by state, one at a time or in bulk.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::audit;
use crate::accounts::models::{CurrentUser, Role};
use crate::app::AppState;
use crate::comments::models::CommentStatus;
use crate::comments::queries::{self, QueueRow};
use crate::db::DbConn;
use crate::web::pagination::{page_number, Pagination};
use crate::web::{flash, render, see_other, AppError, Ctx};

const PER_PAGE: i64 = 50;
const LISTED: [CommentStatus; 3] = [
    CommentStatus::Pending,
    CommentStatus::Approved,
    CommentStatus::Spam,
];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    pub status: Option<String>,
    pub page: Option<String>,
}

/// The listed state named in a query, pending when absent.
fn listed_status(raw: Option<&str>) -> Result<CommentStatus, AppError> {
    match raw {
        None | Some("") => Ok(CommentStatus::Pending),
        Some(s) => CommentStatus::parse(s)
            .filter(|s| LISTED.contains(s))
            .ok_or_else(|| AppError::BadRequest("Choose pending, approved or spam.".into())),
    }
}

#[derive(Template)]
#[template(path = "admin/comments.html")]
struct QueuePage<'a> {
    ctx: &'a Ctx,
    status: &'a str,
    rows: &'a [QueueRow],
    pagination: &'a Pagination,
    counts: &'a [(&'static str, i64)],
}

pub async fn queue(
    ctx: Ctx,
    state: web::Data<AppState>,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require_role(Role::Admin)?;
    let status = listed_status(query.status.as_deref())?;
    let page = page_number(query.page.as_deref());
    let (rows, pagination, counts) = state
        .db
        .run(move |conn| {
            let mut counts = Vec::new();
            for s in LISTED {
                counts.push((s.as_str(), queries::count_by_status(conn, s)?));
            }
            let total = counts
                .iter()
                .find(|(name, _)| *name == status.as_str())
                .map_or(0, |c| c.1);
            let pagination = Pagination::new(
                page,
                PER_PAGE,
                total,
                format!("/admin/comments?status={}", status.as_str()),
            )
            .check()?;
            let rows = queries::queue(conn, status, PER_PAGE, pagination.offset())?;
            Ok::<_, AppError>((rows, pagination, counts))
        })
        .await?;
    render(&QueuePage {
        ctx: &ctx,
        status: status.as_str(),
        rows: &rows,
        pagination: &pagination,
        counts: &counts,
    })
}

fn action_status(action: &str) -> Option<CommentStatus> {
    match action {
        "approve" => Some(CommentStatus::Approved),
        "spam" => Some(CommentStatus::Spam),
        "delete" => Some(CommentStatus::Deleted),
        _ => None,
    }
}

/// Applies a moderation action to the comments and records each in the audit log.
fn moderate(
    conn: &mut DbConn,
    admin: &CurrentUser,
    ids: &[i64],
    action: &str,
    status: CommentStatus,
) -> diesel::QueryResult<usize> {
    use diesel::Connection;
    conn.transaction(|conn| {
        let changed = queries::set_status(conn, ids, status)?;
        for id in &changed {
            audit::record(
                conn,
                admin,
                &format!("comment.{action}"),
                &format!("comment #{id}"),
            )?;
        }
        Ok(changed.len())
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReturnQuery {
    /// The queue to go back to.
    pub from: Option<String>,
}

fn back_to(from: Option<&str>) -> String {
    let status = listed_status(from).unwrap_or(CommentStatus::Pending);
    format!("/admin/comments?status={}", status.as_str())
}

fn done_message(action: &str, n: usize) -> String {
    let noun = if n == 1 { "comment" } else { "comments" };
    let verb = match action {
        "approve" => "approved",
        "spam" => "marked as spam",
        _ => "deleted",
    };
    format!("{n} {noun} {verb}.")
}

pub async fn act_on_one(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
    query: web::Query<ReturnQuery>,
) -> Result<HttpResponse, AppError> {
    let admin = ctx.require_role(Role::Admin)?.clone();
    let (id, action) = path.into_inner();
    let status = action_status(&action).ok_or(AppError::NotFound)?;
    let verb = action.clone();
    let changed = state
        .db
        .run(move |conn| moderate(conn, &admin, &[id], &verb, status).map_err(AppError::from))
        .await?;
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    flash::success(&session, done_message(&action, changed));
    Ok(see_other(&back_to(query.from.as_deref())))
}

/// `POST /admin/comments/bulk`: `action` and one `ids` field per selected comment.
/// Read by hand because the ids field repeats.
pub async fn bulk(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    query: web::Query<ReturnQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let admin = ctx.require_role(Role::Admin)?.clone();
    let mut action = String::new();
    let mut ids = Vec::new();
    for (key, value) in form_urlencoded::parse(&body) {
        match key.as_ref() {
            "action" => action = value.into_owned(),
            "ids" => ids.push(value.parse::<i64>().map_err(|_| {
                AppError::BadRequest("The selection is not a list of comments.".into())
            })?),
            _ => {}
        }
    }
    let back = back_to(query.from.as_deref());
    let Some(status) = action_status(&action) else {
        return Err(AppError::BadRequest(
            "Choose approve, spam or delete for the selected comments.".into(),
        ));
    };
    if ids.is_empty() {
        flash::push(&session, "error", "Select at least one comment first.");
        return Ok(see_other(&back));
    }
    ids.truncate(500);
    let verb = action.clone();
    let changed = state
        .db
        .run(move |conn| moderate(conn, &admin, &ids, &verb, status).map_err(AppError::from))
        .await?;
    flash::success(&session, done_message(&action, changed));
    Ok(see_other(&back))
}
