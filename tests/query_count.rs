//! List pages issue a fixed number of queries, however many articles, tags and
//! comments a page shows (no N+1). Its own test binary: the query counter is
//! process-wide.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::http::StatusCode;
use diesel::connection::{Instrumentation, InstrumentationEvent};

static QUERIES: AtomicUsize = AtomicUsize::new(0);

struct CountQueries;

impl Instrumentation for CountQueries {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            QUERIES.fetch_add(1, Ordering::SeqCst);
        }
    }
}

async fn queries_for(client: &common::TestClient, path: &str) -> usize {
    let before = QUERIES.load(Ordering::SeqCst);
    let resp = client.get(path).await;
    assert_eq!(resp.status, StatusCode::OK, "{path}");
    QUERIES.load(Ordering::SeqCst) - before
}

#[actix_web::test]
async fn list_pages_issue_a_fixed_number_of_queries() {
    diesel::connection::set_default_instrumentation(|| Some(Box::new(CountQueries)))
        .expect("install the query counter");
    let app = common::spawn_app().await;
    let _admin = app.admin().await;
    let author = app.author("ann").await;
    let reader = app.client();
    reader.get("/").await; // the session and CSRF cookie exist from here on

    author
        .write_article("Only one", "x", "a", "published")
        .await;
    let home_one = queries_for(&reader, "/").await;
    let tag_one = queries_for(&reader, "/tags/a").await;
    let search_one = queries_for(&reader, "/search?q=x").await;

    for i in 0..9 {
        author
            .write_article(
                &format!("More {i}"),
                "x",
                &format!("a, b{i}, c{i}"),
                "published",
            )
            .await;
    }
    let home_ten = queries_for(&reader, "/").await;
    let tag_ten = queries_for(&reader, "/tags/a").await;
    let search_ten = queries_for(&reader, "/search?q=x").await;
    eprintln!("queries per page: home {home_ten}, tag page {tag_ten}, search {search_ten}");
    assert_eq!(
        home_one, home_ten,
        "home page queries grow with its articles"
    );
    assert_eq!(tag_one, tag_ten, "tag page queries grow with its articles");
    assert_eq!(
        search_one, search_ten,
        "search queries grow with its results"
    );
    // settings; count, page, tags, authors, comment counts (anonymous: no session
    // lookup); on Postgres also a liveness check for each of the two connection checkouts.
    let expected = if app.is_postgres() { 8 } else { 6 };
    assert_eq!(home_ten, expected, "home page query count");
}
