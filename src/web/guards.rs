//! Cross-cutting middleware: the first-run redirect to /setup and security headers.

use std::sync::atomic::Ordering;

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::{web, Error};

use super::render::see_other;
use crate::app::AppState;

/// Until the first admin exists, every page leads to /setup.
pub async fn setup_first(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let path = req.path();
    let exempt = path == "/setup" || path == "/healthz" || path.starts_with("/static/");
    if exempt {
        return next.call(req).await;
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await;
    };
    // Once there are users there always are (the last admin cannot be deleted),
    // so the flag only ever goes from false to true.
    if !state.has_users.load(Ordering::Relaxed) {
        let has_users = state
            .db
            .run(|conn| {
                crate::accounts::queries::any_users(conn).map_err(crate::web::AppError::from)
            })
            .await?;
        if !has_users {
            return Ok(req.into_response(see_other("/setup")));
        }
        state.has_users.store(true, Ordering::Relaxed);
    }
    next.call(req).await
}

/// A NUL in the address (`%00`) names nothing here, and Postgres refuses it in a
/// query parameter: answer 404 before any handler sees it.
pub async fn reject_nul(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let uri = req.uri().to_string().to_ascii_lowercase();
    if uri.contains("%00") || uri.contains('\0') {
        return Ok(req.error_response(crate::web::AppError::NotFound));
    }
    next.call(req).await
}

/// Headers every response carries. The CSP allows no inline script or style.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; \
             object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        ))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
}
