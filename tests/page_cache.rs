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

#[actix_web::test]
async fn reports_are_kept_per_session_and_a_write_refreshes_them() {
    let app = spawn_app_with_page_cache(Duration::from_secs(60)).await;
    let _admin = app.admin().await;
    let member = app.member("max").await;
    assert_eq!(member.get("/expenses").await.status, StatusCode::OK);
    let category: i64 = {
        use diesel::prelude::*;
        use quillbook::db::schema::expense_categories;
        expense_categories::table
            .select(expense_categories::id)
            .first(&mut *app.conn())
            .unwrap()
    };
    let category = category.to_string();
    let add = |amount: &'static str| {
        let category = category.clone();
        let member = &member;
        async move {
            let resp = member
                .post(
                    "/expenses",
                    &[
                        ("spent_on", "2026-10-05"),
                        ("amount", amount),
                        ("category_id", &category),
                        ("description", "Bread"),
                        ("notes", ""),
                    ],
                )
                .await;
            assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
        }
    };
    add("2.50").await;
    let report = "/reports/monthly?month=2026-10";
    // The first view after the write shows its flash message and is not kept.
    let first = member.get(report).await;
    assert!(first.body.contains("€2.50"));
    let again = member.get(report).await;
    assert!(again.body.contains("€2.50"));
    add("1.25").await;
    member.get(report).await; // the flash of the second write
    let after = member.get(report).await;
    assert!(
        after.body.contains("€3.75"),
        "a write refreshes the kept report"
    );

    // Another member never sees it, and a signed-out session gets the login page.
    let eve = app.member("eve").await;
    let theirs = eve.get(report).await;
    assert!(!theirs.body.contains("€3.75"));
    member.logout().await;
    assert_eq!(member.get(report).await.status, StatusCode::SEE_OTHER);
}
