//! The admin area. Every handler starts with the admin role check.

use actix_web::{web, HttpResponse};
use askama::Template;

use crate::accounts::models::Role;
use crate::accounts::queries;
use crate::app::AppState;
use crate::web::{render, AppError, Ctx};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/admin").route(web::get().to(overview)));
}

#[derive(Template)]
#[template(path = "admin/overview.html")]
struct OverviewPage<'a> {
    ctx: &'a Ctx,
    users_by_role: &'a [(String, i64)],
    total_users: i64,
}

async fn overview(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    ctx.require_role(Role::Admin)?;
    let users_by_role = state
        .db
        .run(|conn| queries::count_by_role(conn).map_err(AppError::from))
        .await?;
    let total_users = users_by_role.iter().map(|(_, n)| n).sum();
    render(&OverviewPage {
        ctx: &ctx,
        users_by_role: &users_by_role,
        total_users,
    })
}
