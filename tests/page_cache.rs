//! The public-page cache: shared only between anonymous readers, cleared by any
//! write, never holding a signed-in page, a draft or a session cookie.

mod common;

use std::time::Duration;

use actix_web::http::StatusCode;
use common::spawn_app_with_page_cache;

#[actix_web::test]
async fn anonymous_pages_are_shared_and_writes_clear_them() {
    let app = spawn_app_with_page_cache(Duration::from_secs(60)).await;
    let _admin = app.admin().await;
    let author = app.author("ann").await;
    author
        .write_article("First post", "Hello", "news", "published")
        .await;
    let reader = app.client();
    let other = app.client();

    let first = reader.get("/").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.header("x-page-cache"), Some("miss"));
    assert!(
        first.header("set-cookie").is_none(),
        "a reader gets no cookie"
    );
    assert!(
        !first.body.contains("csrf"),
        "no per-session token on a public page"
    );
    let second = other.get("/").await;
    assert_eq!(second.header("x-page-cache"), Some("hit"));
    assert_eq!(second.body, first.body);
    assert!(
        second.header("content-security-policy").is_some(),
        "headers still apply"
    );

    // A write through the app clears it at once.
    author
        .write_article("Second post", "World", "news", "published")
        .await;
    let after = reader.get("/").await;
    assert_eq!(after.header("x-page-cache"), Some("miss"));
    assert!(after.body.contains("Second post"));

    // Signed-in people always get their own page.
    let page = author.get("/").await;
    assert!(page.header("x-page-cache").is_none());
    assert!(page.body.contains("Log out"));
    assert!(
        !reader.get("/").await.body.contains("Log out"),
        "no signed-in page leaks to readers"
    );

    // A draft is a 404 for readers and is not kept.
    author.write_article("Secret", "Draft", "", "draft").await;
    assert_eq!(
        reader.get("/articles/secret").await.status,
        StatusCode::NOT_FOUND
    );
    let own = author.get("/articles/secret").await;
    assert_eq!(
        own.status,
        StatusCode::OK,
        "the author still sees the draft"
    );
    assert_eq!(
        reader.get("/articles/secret").await.status,
        StatusCode::NOT_FOUND
    );

    // A refused write (no token) clears nothing and changes nothing.
    other.get("/").await; // the draft's save cleared the cache: fill it again
    let before = other.get("/").await;
    assert_eq!(before.header("x-page-cache"), Some("hit"));
    let refused = other.post_raw("/articles", &[("title", "x")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(other.get("/").await.header("x-page-cache"), Some("hit"));
}

#[actix_web::test]
async fn entries_expire() {
    let app = spawn_app_with_page_cache(Duration::from_millis(200)).await;
    let _admin = app.admin().await;
    let reader = app.client();
    reader.get("/tags").await;
    assert_eq!(
        reader.get("/tags").await.header("x-page-cache"),
        Some("hit")
    );
    std::thread::sleep(Duration::from_millis(250));
    assert_eq!(
        reader.get("/tags").await.header("x-page-cache"),
        Some("miss")
    );
}
