//! Cross-cutting HTTP: errors as pages, the page context and role guards, CSRF,
//! flash messages, security headers and embedded assets.

pub mod assets;
pub mod context;
pub mod csrf;
pub mod error;
pub mod flash;
pub mod forms;
pub mod guards;
pub mod page_cache;
pub mod pagination;
pub mod render;

pub use context::Ctx;
pub use error::AppError;
pub use forms::FieldErrors;
pub use render::{render, render_invalid, see_other};

/// The client address used for throttling: the socket peer. A proxy's
/// X-Forwarded-For is not trusted, since any client could forge it.
pub fn client_ip(req: &actix_web::HttpRequest) -> String {
    req.peer_addr()
        .map(|addr| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}
