//! Static files embedded in the binary, served with an ETag and, for URLs that
//! carry the content hash, a year-long immutable cache.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::error::AppError;

#[derive(rust_embed::Embed)]
#[folder = "static/"]
struct Static;

/// The stylesheet's URL with a content hash, so a new release is fetched at once
/// while an unchanged file stays cached.
pub static STYLESHEET_URL: LazyLock<String> = LazyLock::new(|| versioned_url("css/app.css"));

fn hash_of(path: &str) -> Option<String> {
    Static::get(path).map(|file| hex::encode(&file.metadata.sha256_hash()[..8]))
}

pub fn versioned_url(path: &str) -> String {
    match hash_of(path) {
        Some(hash) => format!("/static/{path}?v={hash}"),
        None => format!("/static/{path}"),
    }
}

pub async fn serve(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let path = path.into_inner();
    let file = Static::get(&path).ok_or(AppError::NotFound)?;
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    let cache = if req.query_string().starts_with("v=") {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    let not_modified = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut resp = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    resp.insert_header((header::ETAG, etag.clone()))
        .insert_header((header::CACHE_CONTROL, cache));
    if not_modified {
        return Ok(resp.finish());
    }
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    Ok(resp
        .insert_header((header::CONTENT_TYPE, mime.essence_str().to_owned()))
        .body(file.data.into_owned()))
}
