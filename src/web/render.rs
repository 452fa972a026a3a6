//! Turning templates into responses, and post/redirect/get.

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use askama::Template;

use super::error::AppError;

/// Renders a page with the given status. Pages carry per-user content (the header,
/// CSRF tokens), so shared caches must not keep them.
pub fn render_status<T: Template>(status: StatusCode, page: &T) -> Result<HttpResponse, AppError> {
    let body = page.render()?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .body(body))
}

/// An HTML page already rendered (e.g. kept by the page cache).
pub fn html(body: impl Into<actix_web::web::Bytes>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .body(body.into())
}

pub fn render<T: Template>(page: &T) -> Result<HttpResponse, AppError> {
    render_status(StatusCode::OK, page)
}

/// A form that failed validation: shown again with status 422.
pub fn render_invalid<T: Template>(page: &T) -> Result<HttpResponse, AppError> {
    render_status(StatusCode::UNPROCESSABLE_ENTITY, page)
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}
