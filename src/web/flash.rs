//! One-shot messages carried in the session across a post/redirect/get.

use actix_session::Session;
use serde::{Deserialize, Serialize};

const KEY: &str = "flash";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    /// `success` or `error`: also the CSS class.
    pub kind: String,
    pub message: String,
}

pub fn push(session: &Session, kind: &str, message: impl Into<String>) {
    let mut list: Vec<Flash> = session.get(KEY).ok().flatten().unwrap_or_default();
    list.push(Flash {
        kind: kind.to_owned(),
        message: message.into(),
    });
    // A full cookie is the only failure: then the message is lost, not the request.
    if let Err(e) = session.insert(KEY, list) {
        tracing::warn!("flash message dropped: {e}");
    }
}

pub fn success(session: &Session, message: impl Into<String>) {
    push(session, "success", message);
}

pub fn take(session: &Session) -> Vec<Flash> {
    session
        .remove_as::<Vec<Flash>>(KEY)
        .and_then(Result::ok)
        .unwrap_or_default()
}
