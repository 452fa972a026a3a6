//! The actix application: shared state, middleware and routes. `build` is used by
//! the server and by the integration tests alike.

use std::sync::atomic::AtomicBool;

use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_session::storage::CookieSessionStore;
use actix_session::SessionMiddleware;
use actix_web::body::MessageBody;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Logger, NormalizePath, TrailingSlash};
use actix_web::{web, App, HttpRequest, HttpResponse};
use serde_json::json;

use crate::config::Config;
use crate::db::Db;
use crate::web::page_cache::{self, PageCache};
use crate::web::{assets, csrf, guards, AppError};

pub const SESSION_COOKIE: &str = "quillbook_session";

pub struct AppState {
    pub db: Db,
    pub config: Config,
    /// Set once the first user exists; until then every page leads to /setup.
    pub has_users: AtomicBool,
    pub page_cache: PageCache,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> web::Data<Self> {
        let page_cache = PageCache::new(config.page_cache_ttl);
        web::Data::new(Self {
            db,
            config,
            has_users: AtomicBool::new(false),
            page_cache,
        })
    }
}

fn session_middleware(config: &Config) -> SessionMiddleware<CookieSessionStore> {
    // The cookie key is derived from the configured secret (64+ bytes).
    let key = Key::derive_from(&config.secret_key);
    SessionMiddleware::builder(CookieSessionStore::default(), key)
        .cookie_name(SESSION_COOKIE.into())
        .cookie_content_security(CookieContentSecurity::Private)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_secure(config.secure_cookies)
        .session_lifecycle(
            // The database row decides when a session really ends; the cookie just
            // has to outlive it.
            PersistentSession::default().session_ttl(actix_web::cookie::time::Duration::days(400)),
        )
        .build()
}

fn form_error(err: actix_web::error::UrlencodedError, _: &HttpRequest) -> actix_web::Error {
    use actix_web::error::UrlencodedError;
    match err {
        UrlencodedError::Overflow { .. } => AppError::PayloadTooLarge.into(),
        other => AppError::BadRequest(format!("The form could not be read: {other}")).into(),
    }
}

fn query_error(err: actix_web::error::QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    AppError::BadRequest(format!("The address has a bad parameter: {err}")).into()
}

fn path_error(_: actix_web::error::PathError, _: &HttpRequest) -> actix_web::Error {
    AppError::NotFound.into()
}

pub fn build(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let sessions = session_middleware(&state.config);
    App::new()
        .app_data(state)
        .app_data(
            web::FormConfig::default()
                .limit(csrf::FORM_LIMIT)
                .error_handler(form_error),
        )
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PathConfig::default().error_handler(path_error))
        // Middleware runs bottom-up: logging and headers outermost, then the
        // session, then the setup redirect and CSRF, which need the session.
        .wrap(from_fn(csrf::guard))
        .wrap(from_fn(page_cache::serve))
        .wrap(from_fn(guards::setup_first))
        .wrap(from_fn(guards::reject_nul))
        .wrap(sessions)
        .wrap(NormalizePath::new(TrailingSlash::Trim))
        .wrap(guards::security_headers())
        .wrap(Logger::new(r#"%a "%r" %s %b %Dms"#).exclude("/healthz"))
        .route("/healthz", web::get().to(healthz))
        .route("/static/{path:.*}", web::get().to(assets::serve))
        .configure(crate::accounts::routes::configure)
        .configure(crate::admin::routes::configure)
        .configure(crate::comments::routes::configure)
        .configure(crate::blog::routes::configure)
        .configure(crate::expenses::configure)
        .default_service(web::to(not_found))
}

async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    match state.db.ping().await {
        Ok(()) => HttpResponse::Ok().json(json!({"status": "ok", "database": "ok"})),
        Err(e) => {
            tracing::error!("health check failed: {e}");
            HttpResponse::ServiceUnavailable()
                .json(json!({"status": "error", "database": "unreachable"}))
        }
    }
}

async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
