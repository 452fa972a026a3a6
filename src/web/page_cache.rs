//! A short-lived cache of the public pages anonymous readers see (home, articles,
//! tags, authors, search, feeds, sitemap). Those pages are the same for every
//! anonymous reader (no session, no CSRF token on them), so one rendering can
//! serve many. Cheap to invalidate: any successful write through this instance
//! clears it at once, and every entry expires after a few seconds, which bounds
//! what another instance or a scheduled article's publication time can leave stale.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use actix_session::{SessionExt, SessionStatus};
use actix_web::body::{to_bytes, BoxBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{web, Error, HttpResponse};

use crate::accounts::sessions::SESSION_KEY;
use crate::app::AppState;

/// Pages larger than this are not kept.
const MAX_PAGE_BYTES: usize = 256 * 1024;
/// The whole cache stays under this, so it cannot push the process past its memory budget.
const MAX_TOTAL_BYTES: usize = 16 * 1024 * 1024;

struct Entry {
    generation: u64,
    stored: Instant,
    content_type: HeaderValue,
    cache_control: Option<HeaderValue>,
    body: Bytes,
}

pub struct PageCache {
    ttl: Duration,
    generation: AtomicU64,
    entries: RwLock<(HashMap<String, Entry>, usize)>,
}

impl PageCache {
    /// `ttl` zero turns the cache off.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            generation: AtomicU64::new(0),
            entries: RwLock::new((HashMap::new(), 0)),
        }
    }

    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    /// Everything cached so far is out of date.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// A page kept for one session (`key` names it): the session itself is checked
    /// against the database before this is asked, so a revoked session never sees it.
    pub fn get_private(&self, key: &str) -> Option<Bytes> {
        if !self.enabled() {
            return None;
        }
        self.get(key).map(|(_, _, body)| body)
    }

    /// Keeps a private page rendered under `generation` (taken before it was computed,
    /// so a write meanwhile makes it stale at once).
    pub fn put_private(&self, key: String, generation: u64, body: Bytes) {
        if self.enabled() {
            self.put(
                key,
                generation,
                HeaderValue::from_static("text/html; charset=utf-8"),
                None,
                body,
            );
        }
    }

    fn get(&self, key: &str) -> Option<(HeaderValue, Option<HeaderValue>, Bytes)> {
        let generation = self.generation.load(Ordering::SeqCst);
        let guard = self.entries.read().ok()?;
        let entry = guard.0.get(key)?;
        (entry.generation == generation && entry.stored.elapsed() < self.ttl).then(|| {
            (
                entry.content_type.clone(),
                entry.cache_control.clone(),
                entry.body.clone(),
            )
        })
    }

    fn put(
        &self,
        key: String,
        generation: u64,
        content_type: HeaderValue,
        cache_control: Option<HeaderValue>,
        body: Bytes,
    ) {
        if body.len() > MAX_PAGE_BYTES {
            return;
        }
        let Ok(mut guard) = self.entries.write() else {
            return;
        };
        let (map, total) = &mut *guard;
        if *total + body.len() > MAX_TOTAL_BYTES {
            // Drop what is stale first; if that is not enough, start again.
            let current = self.generation.load(Ordering::SeqCst);
            map.retain(|_, e| e.generation == current && e.stored.elapsed() < self.ttl);
            *total = map.values().map(|e| e.body.len()).sum();
            if *total + body.len() > MAX_TOTAL_BYTES {
                map.clear();
                *total = 0;
            }
        }
        *total += body.len();
        if let Some(old) = map.insert(
            key,
            Entry {
                generation,
                stored: Instant::now(),
                content_type,
                cache_control,
                body,
            },
        ) {
            *total -= old.body.len();
        }
    }
}

/// The public pages whose anonymous rendering is shared.
fn cacheable_path(path: &str) -> bool {
    if matches!(
        path,
        "/" | "/tags" | "/search" | "/feed.xml" | "/sitemap.xml" | "/robots.txt"
    ) {
        return true;
    }
    if let Some(rest) = path.strip_prefix("/articles/") {
        return !rest.is_empty() && !rest.contains('/') && rest != "new";
    }
    path.starts_with("/tags/") || path.starts_with("/authors/")
}

fn is_anonymous(req: &ServiceRequest) -> bool {
    let session = req.get_session();
    matches!(session.get::<String>(SESSION_KEY), Ok(None))
        && matches!(session.get::<serde_json::Value>("flash"), Ok(None))
}

pub async fn serve(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await;
    };
    let cache = &state.page_cache;
    if !cache.enabled() {
        return next.call(req).await;
    }
    if req.method() != Method::GET {
        let resp = next.call(req).await?;
        // A write that went through may change any public page.
        if resp.status().as_u16() < 400 {
            cache.invalidate();
        }
        return Ok(resp);
    }
    if !cacheable_path(req.path()) || !is_anonymous(&req) {
        return next.call(req).await;
    }
    let key = req.uri().to_string();
    if let Some((content_type, cache_control, body)) = cache.get(&key) {
        let mut resp = HttpResponse::Ok();
        resp.insert_header((header::CONTENT_TYPE, content_type))
            .insert_header(("x-page-cache", "hit"));
        if let Some(value) = cache_control {
            resp.insert_header((header::CACHE_CONTROL, value));
        }
        return Ok(req.into_response(resp.body(body)));
    }
    let generation = cache.generation.load(Ordering::SeqCst);
    let session = req.get_session();
    let resp = next.call(req).await?;
    // Only a plain 200 that left the session alone (no cookie to set) is shared.
    if resp.status() != StatusCode::OK || session.status() != SessionStatus::Unchanged {
        return Ok(resp);
    }
    let (req, res) = resp.into_parts();
    let (mut res, body) = res.into_parts();
    let bytes = match to_bytes(body).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return Ok(ServiceResponse::new(
                req,
                res.set_body(BoxBody::new(Bytes::new())),
            ))
        }
    };
    if let Some(content_type) = res.headers().get(header::CONTENT_TYPE).cloned() {
        let cache_control = res.headers().get(header::CACHE_CONTROL).cloned();
        cache.put(key, generation, content_type, cache_control, bytes.clone());
    }
    res.headers_mut().insert(
        header::HeaderName::from_static("x-page-cache"),
        HeaderValue::from_static("miss"),
    );
    Ok(ServiceResponse::new(req, res.set_body(BoxBody::new(bytes))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_pages_are_cacheable() {
        for path in [
            "/",
            "/tags",
            "/tags/rust",
            "/tags/rust/feed.xml",
            "/articles/hello",
            "/authors/ann",
            "/search",
            "/feed.xml",
        ] {
            assert!(cacheable_path(path), "{path}");
        }
        for path in [
            "/articles/new",
            "/articles/hello/edit",
            "/account",
            "/admin",
            "/expenses",
            "/reports/monthly",
            "/login",
            "/dashboard",
        ] {
            assert!(!cacheable_path(path), "{path}");
        }
    }

    #[test]
    fn entries_expire_and_are_invalidated() {
        let cache = PageCache::new(Duration::from_secs(60));
        let ct = HeaderValue::from_static("text/html");
        cache.put("/".into(), 0, ct.clone(), None, Bytes::from_static(b"page"));
        assert_eq!(
            cache.get("/").map(|e| e.2),
            Some(Bytes::from_static(b"page"))
        );
        cache.invalidate();
        assert!(cache.get("/").is_none(), "a write invalidates");
        let short = PageCache::new(Duration::from_millis(1));
        short.put("/".into(), 0, ct, None, Bytes::from_static(b"page"));
        std::thread::sleep(Duration::from_millis(5));
        assert!(short.get("/").is_none(), "entries expire");
    }
}
