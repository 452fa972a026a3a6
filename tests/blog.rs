//! Blog: writing with roles, slugs, sanitising, visibility of drafts and scheduled
//! articles everywhere, tags, feeds, sitemap, search and pagination.

mod common;

use std::str::FromStr;

use actix_web::http::StatusCode;
use common::{spawn_app, TestClient};
use diesel::prelude::*;
use quillbook::db::schema::{article_tags, articles, tags};

const BODY: &str = "Intro with **bold** text.\n\n| Fruit | Price |\n|-------|------:|\n| Apple | 1.20 |\n\n```rust\nfn main() { println!(\"hi\"); }\n```\n\nA footnote[^n].\n\n[^n]: The note.\n";

fn article_form<'a>(
    title: &'a str,
    slug: &'a str,
    body: &'a str,
    tags: &'a str,
    status: &'a str,
    publish_at: &'a str,
    action: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("slug", slug),
        ("body", body),
        ("tags", tags),
        ("status", status),
        ("publish_at", publish_at),
        ("action", action),
    ]
}

async fn visible_everywhere(
    reader: &TestClient,
    slug: &str,
    title: &str,
    tag: &str,
    word: &str,
) -> [bool; 6] {
    let home = reader.get("/").await.body.contains(title);
    let tag_page = reader
        .get(&format!("/tags/{tag}"))
        .await
        .body
        .contains(title);
    let feed = reader.get("/feed.xml").await.body.contains(title);
    let tag_feed = reader
        .get(&format!("/tags/{tag}/feed.xml"))
        .await
        .body
        .contains(title);
    let search = reader
        .get(&format!("/search?q={word}"))
        .await
        .body
        .contains(title);
    let sitemap = reader
        .get("/sitemap.xml")
        .await
        .body
        .contains(&format!("/articles/{slug}"));
    [home, tag_page, feed, tag_feed, search, sitemap]
}

#[actix_web::test]
async fn an_author_previews_saves_a_draft_and_publishes() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let author = app.author("ann").await;
    let reader = app.client();

    let form = author.get("/articles/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(r#"name="body""#));

    let preview = author
        .post(
            "/articles",
            &article_form(
                "Fruit prices",
                "",
                BODY,
                "Food, Markets, prices",
                "draft",
                "",
                "preview",
            ),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(
        preview.body.contains("<td>Apple</td>"),
        "preview renders the table"
    );
    assert!(
        preview.body.contains(r#"value="Fruit prices""#),
        "form kept"
    );
    let stored: i64 = articles::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(stored, 0, "a preview saves nothing");

    let location = author
        .write_article("Fruit prices", BODY, "Food, Markets, prices", "draft")
        .await;
    assert_eq!(location, "/articles/fruit-prices");
    let draft = author.get(&location).await;
    assert_eq!(draft.status, StatusCode::OK);
    assert!(draft.body.contains("This is a draft"));
    assert!(draft.body.contains(r#"<code class="language-rust">"#));
    assert_eq!(reader.get(&location).await.status, StatusCode::NOT_FOUND);
    let member = app.member("max").await;
    assert_eq!(member.get(&location).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        visible_everywhere(&reader, "fruit-prices", "Fruit prices", "food", "apple").await,
        [false; 6],
        "a draft appears nowhere"
    );
    assert!(author.get("/dashboard").await.body.contains("Fruit prices"));

    let edit = author.get("/articles/fruit-prices/edit").await;
    assert!(edit.body.contains("Food, Markets, prices"));
    let resp = author
        .post(
            "/articles/fruit-prices/edit",
            &article_form(
                "Fruit prices",
                "fruit-prices",
                BODY,
                "Food, Markets, prices",
                "published",
                "",
                "save",
            ),
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);

    let page = reader.get("/articles/fruit-prices").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<table>") && page.body.contains("<td>Apple</td>"));
    assert!(page
        .body
        .contains(r#"<link rel="canonical" href="http://localhost/articles/fruit-prices">"#));
    assert!(page
        .body
        .contains(r#"<meta property="og:title" content="Fruit prices">"#));
    assert!(
        page.body.contains("Intro with bold text."),
        "excerpt as description"
    );
    assert_eq!(
        visible_everywhere(&reader, "fruit-prices", "Fruit prices", "food", "apple").await,
        [true; 6],
        "published: on /, tag page, feeds, search and sitemap"
    );

    let home = reader.get("/").await;
    assert!(home.body.contains("by <a href=\"/authors/ann\">ann</a>"));
    assert!(home.body.contains("1 min read"));
    assert!(home.body.contains("0 comments"));
    assert!(home.body.contains(r#"href="/tags/markets""#));

    // The feed is valid Atom with the right entry.
    let feed =
        atom_syndication::Feed::from_str(&reader.get("/feed.xml").await.body).expect("valid Atom");
    assert_eq!(feed.entries().len(), 1);
    let entry = &feed.entries()[0];
    assert_eq!(entry.title().as_str(), "Fruit prices");
    assert_eq!(
        entry.links()[0].href(),
        "http://localhost/articles/fruit-prices"
    );
    assert!(entry
        .content()
        .unwrap()
        .value()
        .unwrap()
        .contains("<td>Apple</td>"));
    assert!(entry.published().is_some());
}

#[actix_web::test]
async fn scheduled_articles_appear_by_themselves() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let author = app.author("ann").await;
    let reader = app.client();
    let resp = author
        .post(
            "/articles",
            &article_form(
                "Future news",
                "",
                "Not yet.",
                "later",
                "scheduled",
                "2099-01-01T09:00",
                "save",
            ),
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert_eq!(
        reader.get("/articles/future-news").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(author
        .get("/articles/future-news")
        .await
        .body
        .contains("Scheduled for 1 January 2099"));
    assert_eq!(
        visible_everywhere(&reader, "future-news", "Future news", "later", "yet").await,
        [false; 6]
    );

    // Time passes (moved back in the database): no job is needed.
    let past = chrono::NaiveDate::from_ymd_opt(2020, 5, 1)
        .unwrap()
        .and_hms_opt(8, 0, 0)
        .unwrap();
    diesel::update(articles::table)
        .set((
            articles::publish_at.eq(past),
            articles::published_at.eq(past),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    assert_eq!(
        reader.get("/articles/future-news").await.status,
        StatusCode::OK
    );
    assert_eq!(
        visible_everywhere(&reader, "future-news", "Future news", "later", "yet").await,
        [true; 6]
    );

    let missing_time = author
        .post(
            "/articles",
            &article_form("Later", "", "Body", "", "scheduled", "", "save"),
        )
        .await;
    assert_eq!(missing_time.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing_time
        .body
        .contains("needs a publication date and time"));
    let bad_time = author
        .post(
            "/articles",
            &article_form("Later", "", "Body", "", "scheduled", "tomorrow", "save"),
        )
        .await;
    assert_eq!(bad_time.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_time.body.contains(r#"value="tomorrow""#));
}

#[actix_web::test]
async fn slugs_are_unique_stable_and_checked() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let author = app.author("ann").await;
    assert_eq!(
        author
            .write_article("Crème Brûlée!", "x", "", "published")
            .await,
        "/articles/creme-brulee"
    );
    assert_eq!(
        author
            .write_article("Crème Brûlée", "x", "", "published")
            .await,
        "/articles/creme-brulee-2"
    );
    assert_eq!(
        author.write_article("New", "x", "", "published").await,
        "/articles/new-article"
    );

    let reserved = author
        .post(
            "/articles",
            &article_form("T", "new", "x", "", "draft", "", "save"),
        )
        .await;
    assert_eq!(reserved.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reserved.body.contains("is reserved"));
    let malformed = author
        .post(
            "/articles",
            &article_form("T", "Not A Slug", "x", "", "draft", "", "save"),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    let taken = author
        .post(
            "/articles",
            &article_form("T", "creme-brulee", "x", "", "draft", "", "save"),
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.body.contains("Another article uses this slug"));
    let empty = author
        .post(
            "/articles",
            &article_form("", "", "  ", "", "draft", "", "save"),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Enter a title.") && empty.body.contains("the body is empty"));
    let count: i64 = articles::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(count, 3, "no refused form stored anything");

    // A new title keeps the slug; a typed slug changes it.
    let resp = author
        .post(
            "/articles/creme-brulee/edit",
            &article_form(
                "Burnt cream",
                "creme-brulee",
                "x",
                "",
                "published",
                "",
                "save",
            ),
        )
        .await;
    assert_eq!(resp.location(), Some("/articles/creme-brulee"));
    let resp = author
        .post(
            "/articles/creme-brulee/edit",
            &article_form(
                "Burnt cream",
                "burnt-cream",
                "x",
                "",
                "published",
                "",
                "save",
            ),
        )
        .await;
    assert_eq!(resp.location(), Some("/articles/burnt-cream"));
    assert_eq!(
        author.get("/articles/creme-brulee").await.status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn markdown_is_sanitised_and_the_source_kept_as_typed() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let author = app.author("ann").await;
    let body = "  Indented start\n\n<script>alert('x')</script>\n\n<img src=\"x\" onerror=\"alert(1)\">\n\n[click](javascript:alert(1))\n\n<a href=\"https://example.com\" onclick=\"steal()\">ok</a> <em>kept</em>\n\n<iframe src=\"https://evil.example\"></iframe>\n";
    let location = author.write_article("Unsafe", body, "", "published").await;
    let page = app.client().get(&location).await;
    assert!(!page.body.contains("<script>alert"), "script removed");
    assert!(!page.body.contains("onerror"), "event handler removed");
    assert!(!page.body.contains("onclick"));
    assert!(
        !page.body.contains("javascript:"),
        "javascript: URL removed"
    );
    assert!(!page.body.contains("<iframe"));
    assert!(page.body.contains("<em>kept</em>"));
    assert!(
        page.body.contains(r#"href="https://example.com""#)
            && page.body.contains("nofollow noopener")
    );
    let source: String = articles::table
        .select(articles::body_source)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(source, body, "the source is stored exactly as typed");
    let edit = author.get(&format!("{location}/edit")).await;
    assert!(
        !edit.body.contains("<script>alert"),
        "the editor escapes the source too"
    );
}

#[actix_web::test]
async fn writing_routes_refuse_anonymous_members_and_other_authors() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ann = app.author("ann").await;
    let bob = app.author("bob").await;
    let member = app.member("max").await;
    let anonymous = app.client();
    let location = ann
        .write_article("Ann's post", "Text", "", "published")
        .await;
    let edit = format!("{location}/edit");
    let delete = format!("{location}/delete");
    let fields = article_form("Hacked", "", "Hacked", "", "published", "", "save");

    for client in [&anonymous, &member] {
        let anon = std::ptr::eq(client, &anonymous);
        for path in ["/articles/new", "/dashboard", edit.as_str()] {
            let resp = client.get(path).await;
            if anon {
                assert_eq!(resp.status, StatusCode::SEE_OTHER, "anonymous GET {path}");
                assert!(resp.location().unwrap().starts_with("/login?next="));
            } else {
                assert_eq!(resp.status, StatusCode::FORBIDDEN, "member GET {path}");
            }
        }
        for path in ["/articles", edit.as_str(), delete.as_str()] {
            let resp = client.post(path, &fields).await;
            let expected = if anon {
                StatusCode::SEE_OTHER
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(resp.status, expected, "POST {path}");
        }
    }
    assert_eq!(
        bob.get(&edit).await.status,
        StatusCode::FORBIDDEN,
        "another author"
    );
    assert_eq!(bob.post(&edit, &fields).await.status, StatusCode::FORBIDDEN);
    assert_eq!(bob.post(&delete, &[]).await.status, StatusCode::FORBIDDEN);
    let titles: Vec<String> = articles::table
        .select(articles::title)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(
        titles,
        vec!["Ann's post"],
        "nothing written by refused requests"
    );
    assert!(!bob.get("/dashboard").await.body.contains("Ann&#39;s post"));

    // The admin may edit anyone's article and sees all on the dashboard.
    assert!(admin.get("/dashboard").await.body.contains("Ann"));
    assert_eq!(admin.get(&edit).await.status, StatusCode::OK);
    assert_eq!(admin.post(&delete, &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.get(&location).await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn tags_are_matched_case_insensitively_and_counted() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let author = app.author("ann").await;
    author
        .write_article("One", "x", "Rust, Web", "published")
        .await;
    author.write_article("Two", "x", "rust", "published").await;
    author.write_article("Three", "x", "rust", "draft").await;
    let names: Vec<String> = tags::table
        .order_by(tags::slug)
        .select(tags::name)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(
        names,
        vec!["Rust", "Web"],
        "one tag per slug, first spelling kept"
    );
    let index = app.client().get("/tags").await;
    assert!(
        index
            .body
            .contains(r#"<a href="/tags/rust">Rust</a> <span class="count">(2 articles)</span>"#),
        "{}",
        index.body
    );
    assert!(index.body.contains("(1 article)"));
    let page = app.client().get("/tags/rust").await;
    assert!(page.body.contains("One") && page.body.contains("Two") && !page.body.contains("Three"));
    assert_eq!(
        app.client().get("/tags/nope").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.client().get("/tags/nope/feed.xml").await.status,
        StatusCode::NOT_FOUND
    );

    // Deleting an article removes its tag links.
    author.post("/articles/one/delete", &[]).await;
    let links: i64 = article_tags::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(links, 2);
}

#[actix_web::test]
async fn lists_paginate_and_bad_pages_never_fail() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let author = app.author("ann").await;
    for i in 1..=12 {
        author
            .write_article(&format!("Post number {i:02}"), "Words", "all", "published")
            .await;
    }
    let reader = app.client();
    let first = reader.get("/").await;
    assert_eq!(first.body.matches("class=\"article-card\"").count(), 10);
    assert!(first.body.contains("Post number 12") && !first.body.contains("Post number 02"));
    assert!(first.body.contains("Page 1 of 2"));
    let second = reader.get("/?page=2").await;
    assert_eq!(second.body.matches("class=\"article-card\"").count(), 2);
    assert!(second.body.contains("Post number 01"));
    assert_eq!(reader.get("/?page=3").await.status, StatusCode::NOT_FOUND);
    for bad in ["abc", "0", "-1", "99999999999999999999999", "1.5"] {
        let resp = reader.get(&format!("/?page={bad}")).await;
        assert_eq!(resp.status, StatusCode::OK, "page={bad}");
        assert!(
            resp.body.contains("Post number 12"),
            "page={bad} is the first page"
        );
    }
    assert_eq!(
        reader
            .get("/tags/all?page=2")
            .await
            .body
            .matches("class=\"article-card\"")
            .count(),
        2
    );
    assert_eq!(
        reader.get("/authors/ann?page=5").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        reader.get("/authors/nobody").await.status,
        StatusCode::NOT_FOUND
    );

    let search = reader.get("/search?q=number&page=2").await;
    assert!(search.body.contains("12 results"));
    assert!(
        search.body.contains(r#"href="/search?q=number""#),
        "the link back keeps the query"
    );
}

#[actix_web::test]
async fn search_matches_title_and_body_words_literally() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let author = app.author("ann").await;
    author
        .write_article(
            "Sourdough basics",
            "Flour, water and **salt**.",
            "",
            "published",
        )
        .await;
    author
        .write_article("Pasta", "Semolina and water; 100% durum.", "", "published")
        .await;
    let reader = app.client();
    let both = reader.get("/search?q=WATER").await;
    assert!(both.body.contains("Sourdough basics") && both.body.contains("Pasta"));
    let one = reader.get("/search?q=water+salt").await;
    assert!(one.body.contains("Sourdough basics") && !one.body.contains(">Pasta<"));
    let title = reader.get("/search?q=sourdough").await;
    assert!(title.body.contains("1 result "));
    let percent = reader.get("/search?q=100%25").await;
    assert!(
        percent.body.contains("Pasta") && !percent.body.contains("Sourdough basics"),
        "punctuation is not a word: 100% finds 100"
    );
    let symbols = reader.get("/search?q=%25+_").await;
    assert!(
        symbols.body.contains("0 results"),
        "no words, no results (not everything)"
    );
    let prefix = reader.get("/search?q=sour").await;
    assert!(
        prefix.body.contains("Sourdough basics"),
        "a word's start finds it"
    );
    let accents = reader.get("/search?q=S%C3%A9molina").await;
    assert!(accents.body.contains("Pasta"), "accents do not matter");
    let injection = reader
        .get("/search?q=%22water%22+OR+%2A+%3A%2A+%26+%7C")
        .await;
    assert_eq!(
        injection.status,
        StatusCode::OK,
        "query syntax is not interpreted"
    );
    let empty = reader.get("/search").await;
    assert_eq!(empty.status, StatusCode::OK);
    let html = reader.get("/search?q=%3Cscript%3E").await;
    assert!(!html.body.contains("<script>"), "the query is escaped");
}

#[actix_web::test]
async fn sitemap_robots_and_article_navigation() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let author = app.author("ann").await;
    author.write_article("First", "a", "", "published").await;
    author.write_article("Second", "b", "", "published").await;
    author.write_article("Hidden", "c", "", "draft").await;
    let reader = app.client();
    let sitemap = reader.get("/sitemap.xml").await;
    assert!(sitemap
        .header("content-type")
        .unwrap()
        .starts_with("application/xml"));
    assert!(sitemap
        .body
        .contains("<loc>http://localhost/articles/first</loc>"));
    assert!(!sitemap.body.contains("hidden"));
    let robots = reader.get("/robots.txt").await;
    assert!(robots
        .body
        .contains("Sitemap: http://localhost/sitemap.xml"));
    assert!(robots.body.contains("Disallow: /admin"));
    let first = reader.get("/articles/first").await;
    assert!(first.body.contains(r#"href="/articles/second" rel="next""#));
    let second = reader.get("/articles/second").await;
    assert!(second.body.contains(r#"href="/articles/first" rel="prev""#));
    assert!(
        !second.body.contains("/articles/hidden"),
        "drafts are never neighbours"
    );
}
