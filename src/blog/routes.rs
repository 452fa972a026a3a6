//! Public pages of the blog.

use actix_web::{web, HttpResponse};
use askama::Template;

use crate::web::{render, AppError, Ctx};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/").route(web::get().to(home)));
}

#[derive(Template)]
#[template(path = "blog/home.html")]
struct HomePage<'a> {
    ctx: &'a Ctx,
}

async fn home(ctx: Ctx) -> Result<HttpResponse, AppError> {
    render(&HomePage { ctx: &ctx })
}
