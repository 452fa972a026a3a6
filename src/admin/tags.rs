//! Tags in the admin area: rename, merge into another, delete.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::dsl::count;
use diesel::prelude::*;
use serde::Deserialize;

use super::audit;
use crate::accounts::models::{CurrentUser, Role};
use crate::app::AppState;
use crate::blog::slug::slugify;
use crate::db::schema::{article_tags, tags};
use crate::db::DbConn;
use crate::web::{flash, render, render_invalid, see_other, AppError, Ctx};

#[derive(Debug, Clone, Queryable)]
pub struct TagRow {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub articles: i64,
}

/// Every tag with the number of articles (any state) carrying it.
fn all_tags(conn: &mut DbConn) -> QueryResult<Vec<TagRow>> {
    tags::table
        .left_join(article_tags::table)
        .group_by((tags::id, tags::name, tags::slug))
        .select((
            tags::id,
            tags::name,
            tags::slug,
            count(article_tags::article_id.nullable()),
        ))
        .order_by(tags::name)
        .load(conn)
}

#[derive(Template)]
#[template(path = "admin/tags.html")]
struct TagsPage<'a> {
    ctx: &'a Ctx,
    tags: &'a [TagRow],
    error: Option<&'a str>,
}

async fn show(ctx: &Ctx, state: &AppState, error: Option<&str>) -> Result<HttpResponse, AppError> {
    let rows = state
        .db
        .run(|conn| all_tags(conn).map_err(AppError::from))
        .await?;
    let page = TagsPage {
        ctx,
        tags: &rows,
        error,
    };
    if error.is_some() {
        render_invalid(&page)
    } else {
        render(&page)
    }
}

pub async fn index(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    ctx.require_role(Role::Admin)?;
    show(&ctx, &state, None).await
}

enum Outcome {
    Done(String),
    Refused(String),
}

async fn run<F>(
    ctx: &Ctx,
    session: &Session,
    state: &AppState,
    f: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut DbConn, &CurrentUser) -> QueryResult<Option<Outcome>> + Send + 'static,
{
    let admin = ctx.require_role(Role::Admin)?.clone();
    let outcome = state
        .db
        .run(move |conn| {
            conn.transaction(|conn| f(conn, &admin))
                .map_err(AppError::from)
        })
        .await?
        .ok_or(AppError::NotFound)?;
    match outcome {
        Outcome::Done(message) => {
            flash::success(session, message);
            Ok(see_other("/admin/tags"))
        }
        Outcome::Refused(message) => show(ctx, state, Some(&message)).await,
    }
}

fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<(i64, String)>> {
    tags::table
        .find(id)
        .select((tags::id, tags::name))
        .first(conn)
        .optional()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RenameForm {
    pub name: String,
}

pub async fn rename(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<RenameForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let name = form.name.split_whitespace().collect::<Vec<_>>().join(" ");
    let slug = slugify(&name);
    run(&ctx, &session, &state, move |conn, admin| {
        let Some((_, old)) = find(conn, id)? else {
            return Ok(None);
        };
        if name.is_empty()
            || slug.is_empty()
            || name.chars().count() > crate::blog::models::MAX_TAG_LEN
        {
            return Ok(Some(Outcome::Refused(format!(
                "A tag name has 1 to {} characters, with at least one letter or digit.",
                crate::blog::models::MAX_TAG_LEN
            ))));
        }
        let clash: Option<String> = tags::table
            .filter(tags::slug.eq(&slug))
            .filter(tags::id.ne(id))
            .select(tags::name)
            .first(conn)
            .optional()?;
        if let Some(other) = clash {
            return Ok(Some(Outcome::Refused(format!(
                "The tag “{other}” already has that name: merge “{old}” into it instead."
            ))));
        }
        diesel::update(tags::table.find(id))
            .set((tags::name.eq(&name), tags::slug.eq(&slug)))
            .execute(conn)?;
        audit::record(
            conn,
            admin,
            "tag.rename",
            &format!("tag “{old}” → “{name}” (#{id})"),
        )?;
        Ok(Some(Outcome::Done(format!("“{old}” is now “{name}”."))))
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MergeForm {
    /// The other tag's id, as text so a bad value is a message, not a 400.
    pub into: String,
}

pub async fn merge(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<MergeForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let into = form.into.trim().parse::<i64>().ok();
    run(&ctx, &session, &state, move |conn, admin| {
        let Some((_, name)) = find(conn, id)? else {
            return Ok(None);
        };
        let target = match into {
            Some(into) if into != id => find(conn, into)?,
            _ => None,
        };
        let Some((into, into_name)) = target else {
            return Ok(Some(Outcome::Refused(
                "Choose another existing tag to merge into.".into(),
            )));
        };
        // Move the links the target does not have yet, then drop the tag.
        let already: Vec<i64> = article_tags::table
            .filter(article_tags::tag_id.eq(into))
            .select(article_tags::article_id)
            .load(conn)?;
        let moving: Vec<i64> = article_tags::table
            .filter(article_tags::tag_id.eq(id))
            .filter(article_tags::article_id.ne_all(&already))
            .select(article_tags::article_id)
            .load(conn)?;
        for article_id in &moving {
            diesel::insert_into(article_tags::table)
                .values((
                    article_tags::article_id.eq(article_id),
                    article_tags::tag_id.eq(into),
                ))
                .execute(conn)?;
        }
        diesel::delete(article_tags::table.filter(article_tags::tag_id.eq(id))).execute(conn)?;
        diesel::delete(tags::table.find(id)).execute(conn)?;
        audit::record(
            conn,
            admin,
            "tag.merge",
            &format!("tag “{name}” (#{id}) into “{into_name}” (#{into})"),
        )?;
        Ok(Some(Outcome::Done(format!(
            "“{name}” is merged into “{into_name}”."
        ))))
    })
    .await
}

pub async fn delete(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    run(&ctx, &session, &state, move |conn, admin| {
        let Some((_, name)) = find(conn, id)? else {
            return Ok(None);
        };
        diesel::delete(article_tags::table.filter(article_tags::tag_id.eq(id))).execute(conn)?;
        diesel::delete(tags::table.find(id)).execute(conn)?;
        audit::record(conn, admin, "tag.delete", &format!("tag “{name}” (#{id})"))?;
        Ok(Some(Outcome::Done(format!(
            "“{name}” is deleted; its articles remain."
        ))))
    })
    .await
}
