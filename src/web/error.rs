//! The web layer's one error type, and how each kind becomes a page.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("Page not found")]
    NotFound,
    #[error("{0}")]
    Forbidden(String),
    /// An anonymous user asked for a page that needs an account.
    #[error("Please log in")]
    LoginRequired { next: String },
    #[error("{0}")]
    TooManyRequests(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("The upload is too large")]
    PayloadTooLarge,
    #[error("The database is unavailable")]
    Unavailable(String),
    /// Anything unexpected: logged in full, shown to the user as a bare 500.
    #[error("Internal error")]
    Internal(String),
}

impl AppError {
    pub fn forbidden() -> Self {
        AppError::Forbidden("You are not allowed to do that.".into())
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Unavailable(msg) | DbError::Connect(msg) => AppError::Unavailable(msg),
            DbError::Query(diesel::result::Error::NotFound) => AppError::NotFound,
            DbError::Query(diesel::result::Error::DatabaseError(kind, info))
                if connection_lost(&kind, info.message()) =>
            {
                AppError::Unavailable(info.message().to_owned())
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// Whether a database error means the connection itself is gone (server restart,
/// `pg_terminate_backend`, network): a 503 and a retry, not a 500. Diesel does not
/// expose the SQLSTATE, so libpq's messages are matched too.
fn connection_lost(kind: &diesel::result::DatabaseErrorKind, message: &str) -> bool {
    use diesel::result::DatabaseErrorKind as Kind;
    if matches!(kind, Kind::ClosedConnection | Kind::UnableToSendCommand) {
        return true;
    }
    const LOST: [&str; 6] = [
        "terminating connection",
        "server closed the connection",
        "could not receive data from server",
        "no connection to the server",
        "connection to server",
        "the database system is shutting down",
    ];
    LOST.iter().any(|m| message.contains(m))
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        AppError::from(DbError::from(e))
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl From<actix_session::SessionInsertError> for AppError {
    fn from(e: actix_session::SessionInsertError) -> Self {
        AppError::Internal(format!("session: {e}"))
    }
}

impl From<actix_session::SessionGetError> for AppError {
    fn from(e: actix_session::SessionGetError) -> Self {
        AppError::Internal(format!("session: {e}"))
    }
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
    stylesheet: &'a str,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::LoginRequired { .. } => StatusCode::SEE_OTHER,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let (title, message): (&str, String) = match self {
            AppError::LoginRequired { next } => {
                let location = format!(
                    "/login?{}",
                    serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default()
                );
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, location))
                    .finish();
            }
            AppError::NotFound => (
                "Page not found",
                "There is nothing at this address. It may have been moved or deleted.".into(),
            ),
            AppError::Forbidden(msg) => ("Not allowed", msg.clone()),
            AppError::TooManyRequests(msg) => ("Too many attempts", msg.clone()),
            AppError::BadRequest(msg) => ("Bad request", msg.clone()),
            AppError::PayloadTooLarge => (
                "Too large",
                "What you sent is larger than this site accepts.".into(),
            ),
            AppError::Unavailable(detail) => {
                tracing::error!("database unavailable: {detail}");
                (
                    "Temporarily unavailable",
                    "The site cannot reach its database right now. Please try again in a moment."
                        .into(),
                )
            }
            AppError::Internal(detail) => {
                tracing::error!("internal error: {detail}");
                (
                    "Something went wrong",
                    "The error has been logged. Please try again.".into(),
                )
            }
        };
        let page = ErrorPage {
            status: status.as_u16(),
            title,
            message: &message,
            stylesheet: super::assets::STYLESHEET_URL.as_str(),
        };
        let mut resp = HttpResponse::build(status);
        resp.content_type("text/html; charset=utf-8");
        if matches!(self, AppError::TooManyRequests(_)) {
            resp.insert_header((header::RETRY_AFTER, "900"));
        }
        match page.render() {
            Ok(body) => resp.body(body),
            Err(_) => resp.body(format!("{status}")),
        }
    }
}
