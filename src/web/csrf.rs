//! CSRF protection for every state-changing request: a synchronizer token kept in
//! the session (compared in constant time) plus an Origin / Sec-Fetch-Site check.
//! It runs as middleware so no handler can forget it.

use actix_session::{Session, SessionExt};
use actix_web::body::BoxBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{Error, HttpMessage};
use futures_util::StreamExt;
use subtle::ConstantTimeEq;

use super::error::AppError;

pub const FIELD: &str = "csrf_token";
const SESSION_KEY: &str = "csrf";
const HEADER: &str = "x-csrf-token";
/// Bodies of urlencoded forms are read here to find the token; larger ones are refused.
pub const FORM_LIMIT: usize = 1024 * 1024;
/// Multipart uploads (CSV import) may be larger.
pub const UPLOAD_LIMIT: usize = 10 * 1024 * 1024;

/// The session's token, created on first use.
pub fn token(session: &Session) -> Result<String, AppError> {
    if let Some(token) = session.get::<String>(SESSION_KEY)? {
        return Ok(token);
    }
    let token = new_token();
    session.insert(SESSION_KEY, &token)?;
    Ok(token)
}

/// A fresh token, e.g. at login, so a token seen before login is worthless after it.
pub fn rotate(session: &Session) -> Result<String, AppError> {
    let token = new_token();
    session.insert(SESSION_KEY, &token)?;
    Ok(token)
}

fn new_token() -> String {
    crate::accounts::sessions::random_token()
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn rejected(req: ServiceRequest, why: &str) -> ServiceResponse<BoxBody> {
    tracing::warn!(path = req.path(), "CSRF check failed: {why}");
    req.error_response(AppError::Forbidden(
        "This form has expired or did not come from this site. Go back, reload the page and try again."
            .into(),
    ))
}

/// A request from another site is refused whatever token it carries.
fn cross_site(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site")
    {
        return true;
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => false,
        Some(origin) => {
            let host = req.connection_info().host().to_owned();
            let authority = origin
                .split_once("://")
                .map(|(_, rest)| rest)
                .unwrap_or(origin);
            authority != host
        }
    }
}

fn token_matches(expected: &str, given: &str) -> bool {
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

pub async fn guard(
    mut req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if !is_state_changing(req.method()) {
        return next.call(req).await;
    }
    if cross_site(&req) {
        return Ok(rejected(req, "cross-site origin"));
    }
    let expected = req
        .get_session()
        .get::<String>(SESSION_KEY)
        .ok()
        .flatten()
        .unwrap_or_default();

    let header_token = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(given) = header_token {
        return if token_matches(&expected, &given) {
            next.call(req).await
        } else {
            Ok(rejected(req, "bad header token"))
        };
    }

    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let limit = if content_type.starts_with("application/x-www-form-urlencoded") {
        FORM_LIMIT
    } else if content_type.starts_with("multipart/form-data") {
        UPLOAD_LIMIT
    } else {
        return Ok(rejected(req, "no token"));
    };

    // Read the body, look for the token, then hand the same bytes on.
    let mut body = BytesMut::new();
    let mut payload = req.take_payload();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > limit {
            return Ok(req.error_response(AppError::PayloadTooLarge));
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let given = if limit == FORM_LIMIT {
        form_urlencoded::parse(&body)
            .find(|(key, _)| key == FIELD)
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default()
    } else {
        multipart_token(req.headers(), body.clone()).await
    };
    if !token_matches(&expected, &given) {
        return Ok(rejected(req, "bad form token"));
    }
    if contains_nul(&body, limit == FORM_LIMIT) {
        return Ok(req.error_response(AppError::BadRequest(
            "The form contains a NUL character, which no text field accepts.".into(),
        )));
    }
    req.set_payload(Payload::from(body));
    next.call(req).await
}

/// NUL is never valid text here, and Postgres refuses it in a string: stop it at
/// the door rather than fail deep inside a query.
fn contains_nul(body: &[u8], urlencoded: bool) -> bool {
    if urlencoded {
        form_urlencoded::parse(body).any(|(k, v)| k.contains('\0') || v.contains('\0'))
    } else {
        body.contains(&0)
    }
}

/// The `csrf_token` part of a multipart body. Forms put it first, so this stops
/// long before the file; a malformed body yields no token (and a 403).
async fn multipart_token(headers: &header::HeaderMap, body: Bytes) -> String {
    let stream = futures_util::stream::once(async move { Ok::<_, PayloadError>(body) });
    let mut multipart = actix_multipart::Multipart::new(headers, stream);
    while let Some(Ok(mut field)) = multipart.next().await {
        if field.name() != Some(FIELD) {
            continue;
        }
        let mut value = Vec::new();
        while let Some(Ok(chunk)) = field.next().await {
            value.extend_from_slice(&chunk);
            if value.len() > 256 {
                return String::new();
            }
        }
        return String::from_utf8(value).unwrap_or_default();
    }
    String::new()
}
