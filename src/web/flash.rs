//! One-shot messages carried in the session across a post/redirect/get.

use actix_session::Session;
use serde::{Deserialize, Serialize};

const KEY: &str = "flash";
const MAX_PENDING: usize = 3;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    /// `success` or `error`: also the CSS class.
    pub kind: String,
    pub message: String,
}

pub fn push(session: &Session, kind: &str, message: impl Into<String>) {
    let mut list: Vec<Flash> = session.get(KEY).ok().flatten().unwrap_or_default();
    // A script that posts again and again without following the redirects would
    // otherwise grow the cookie past the browser's 4 KiB limit (then every request
    // fails): keep only the latest few.
    if list.len() >= MAX_PENDING {
        list.drain(..=list.len() - MAX_PENDING);
    }
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

/// The pending messages, removed from the session. Without any, the session is left
/// untouched (a removal alone would rewrite the cookie on every page).
pub fn take(session: &Session) -> Vec<Flash> {
    match session.get::<Vec<Flash>>(KEY) {
        Ok(Some(list)) => {
            session.remove(KEY);
            list
        }
        Ok(None) => Vec::new(),
        Err(_) => {
            session.remove(KEY);
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_session::SessionExt;
    use actix_web::test::TestRequest;

    #[actix_web::test]
    async fn only_the_latest_messages_are_kept() {
        let req = TestRequest::default().to_http_request();
        let session = req.get_session();
        for i in 0..50 {
            super::success(&session, format!("message {i}"));
        }
        let kept: Vec<String> = super::take(&session)
            .into_iter()
            .map(|f| f.message)
            .collect();
        assert_eq!(kept, vec!["message 47", "message 48", "message 49"]);
        assert!(super::take(&session).is_empty(), "taken once");
    }
}
