//! The admin area's routes, overview, settings and audit log. Every handler starts
//! with the admin role check.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::prelude::*;

use super::audit::{self, AuditRow};
use super::settings::{self, SettingsForm};
use super::{moderation, tags, users};
use crate::accounts::models::Role;
use crate::app::AppState;
use crate::comments::models::CommentStatus;
use crate::db::schema::articles;
use crate::web::pagination::{page_number, PageQuery, Pagination};
use crate::web::{flash, render, render_invalid, see_other, AppError, Ctx, FieldErrors};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/admin").route(web::get().to(overview)))
        .service(web::resource("/admin/comments").route(web::get().to(moderation::queue)))
        .service(web::resource("/admin/comments/bulk").route(web::post().to(moderation::bulk)))
        .service(
            web::resource("/admin/comments/{id}/{action}")
                .route(web::post().to(moderation::act_on_one)),
        )
        .service(web::resource("/admin/users").route(web::get().to(users::index)))
        .service(web::resource("/admin/users/{id}/role").route(web::post().to(users::set_role)))
        .service(web::resource("/admin/users/{id}/delete").route(web::post().to(users::delete)))
        .service(
            web::resource("/admin/users/{id}/{action}").route(web::post().to(users::set_disabled)),
        )
        .service(web::resource("/admin/tags").route(web::get().to(tags::index)))
        .service(web::resource("/admin/tags/{id}/rename").route(web::post().to(tags::rename)))
        .service(web::resource("/admin/tags/{id}/merge").route(web::post().to(tags::merge)))
        .service(web::resource("/admin/tags/{id}/delete").route(web::post().to(tags::delete)))
        .service(
            web::resource("/admin/settings")
                .route(web::get().to(settings_form))
                .route(web::post().to(settings_submit)),
        )
        .service(web::resource("/admin/audit").route(web::get().to(audit_log)));
}

#[derive(Template)]
#[template(path = "admin/overview.html")]
struct OverviewPage<'a> {
    ctx: &'a Ctx,
    pending: i64,
    users: i64,
    articles: i64,
    published: i64,
}

async fn overview(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    ctx.require_role(Role::Admin)?;
    let (pending, users, articles, published) = state
        .db
        .run(|conn| {
            let pending = crate::comments::queries::count_by_status(conn, CommentStatus::Pending)?;
            let users = users::count_users(conn)?;
            let total: i64 = articles::table.count().get_result(conn)?;
            let published: i64 = articles::table
                .filter(articles::status.ne("draft"))
                .filter(articles::published_at.le(crate::db::now()))
                .count()
                .get_result(conn)?;
            Ok::<_, AppError>((pending, users, total, published))
        })
        .await?;
    render(&OverviewPage {
        ctx: &ctx,
        pending,
        users,
        articles,
        published,
    })
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage<'a> {
    ctx: &'a Ctx,
    form: &'a SettingsForm,
    errors: &'a FieldErrors,
}

async fn settings_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.require_role(Role::Admin)?;
    let form = SettingsForm::from_settings(&ctx.site);
    render(&SettingsPage {
        ctx: &ctx,
        form: &form,
        errors: &FieldErrors::new(),
    })
}

async fn settings_submit(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let admin = ctx.require_role(Role::Admin)?.clone();
    let form = form.into_inner();
    let new = match form.validate() {
        Ok(new) => new,
        Err(errors) => {
            return render_invalid(&SettingsPage {
                ctx: &ctx,
                form: &form,
                errors: &errors,
            })
        }
    };
    state
        .db
        .run(move |conn| {
            conn.transaction(|conn| {
                settings::save(conn, &new)?;
                audit::record(conn, &admin, "settings.update", "site settings")
            })
            .map_err(|e: diesel::result::Error| AppError::from(e))
        })
        .await?;
    flash::success(&session, "The settings are saved.");
    Ok(see_other("/admin/settings"))
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage<'a> {
    ctx: &'a Ctx,
    rows: &'a [AuditRow],
    pagination: &'a Pagination,
}

async fn audit_log(
    ctx: Ctx,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require_role(Role::Admin)?;
    let page = page_number(query.page.as_deref());
    let (rows, pagination) = state
        .db
        .run(move |conn| {
            let total = audit::count(conn)?;
            let pagination = Pagination::new(page, 50, total, "/admin/audit").check()?;
            let rows = audit::page(conn, 50, pagination.offset())?;
            Ok::<_, AppError>((rows, pagination))
        })
        .await?;
    render(&AuditPage {
        ctx: &ctx,
        rows: &rows,
        pagination: &pagination,
    })
}
