//! Atom feeds (built with atom_syndication), the sitemap and robots.txt. Absolute
//! links use the configured base URL.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use std::collections::HashMap;

use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use chrono::{NaiveDateTime, TimeZone, Utc};
use quick_xml::escape::escape;

use super::queries::{self, FeedRow, ListFilter};
use crate::app::AppState;
use crate::web::AppError;

const FEED_ENTRIES: i64 = 20;
const SITEMAP_LIMIT: i64 = 45_000;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/feed.xml").route(web::get().to(site_feed)))
        .service(web::resource("/tags/{slug}/feed.xml").route(web::get().to(tag_feed)))
        .service(web::resource("/sitemap.xml").route(web::get().to(sitemap)))
        .service(web::resource("/robots.txt").route(web::get().to(robots)));
}

fn utc(at: NaiveDateTime) -> FixedDateTime {
    Utc.from_utc_datetime(&at).fixed_offset()
}

fn link(href: String, rel: &str, mime: Option<&str>) -> Link {
    let mut link = Link::default();
    link.set_href(href);
    link.set_rel(rel.to_owned());
    link.set_mime_type(mime.map(str::to_owned));
    link
}

/// An Atom feed of the given entries. `self_path` is the feed's own path.
fn build_feed(
    base: &str,
    title: String,
    self_path: &str,
    page_path: &str,
    (rows, authors): (Vec<FeedRow>, HashMap<i64, String>),
) -> Feed {
    let mut feed = Feed::default();
    feed.set_title(Text::plain(title));
    feed.set_id(format!("{base}{self_path}"));
    feed.set_links(vec![
        link(
            format!("{base}{self_path}"),
            "self",
            Some("application/atom+xml"),
        ),
        link(format!("{base}{page_path}"), "alternate", Some("text/html")),
    ]);
    // An empty feed's "updated" is a fixed instant, so it does not change per request.
    let updated = rows
        .iter()
        .map(|r| r.updated_at)
        .max()
        .map(utc)
        .unwrap_or_else(|| utc(NaiveDateTime::default()));
    feed.set_updated(updated);
    feed.set_generator(Some(atom_syndication::Generator {
        value: "Quillbook".into(),
        uri: None,
        version: None,
    }));
    let entries = rows
        .into_iter()
        .map(|row| {
            let url = format!("{base}/articles/{}", row.slug);
            let mut entry = Entry::default();
            entry.set_title(Text::plain(row.title));
            entry.set_id(url.clone());
            entry.set_links(vec![link(url, "alternate", Some("text/html"))]);
            entry.set_updated(utc(row.updated_at));
            entry.set_published(row.published_at.map(utc));
            let mut author = Person::default();
            let name = authors.get(&row.author_id).cloned().unwrap_or_default();
            author.set_uri(Some(format!("{base}/authors/{name}")));
            author.set_name(name);
            entry.set_authors(vec![author]);
            entry.set_summary(Some(Text::plain(row.excerpt)));
            let mut content = Content::default();
            content.set_content_type(Some("html".to_owned()));
            content.set_value(Some(row.body_html));
            entry.set_content(Some(content));
            entry
        })
        .collect::<Vec<_>>();
    feed.set_entries(entries);
    feed
}

fn xml(body: String, content_type: &str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(body)
}

async fn site_feed(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let (rows, site) = state
        .db
        .run(|conn| {
            let rows = queries::feed_entries(conn, &ListFilter::All, FEED_ENTRIES)?;
            let site = crate::admin::settings::load(conn)?;
            Ok::<_, AppError>((rows, site))
        })
        .await?;
    let feed = build_feed(
        &state.config.base_url,
        site.site_title,
        "/feed.xml",
        "/",
        rows,
    );
    Ok(xml(feed.to_string(), "application/atom+xml; charset=utf-8"))
}

async fn tag_feed(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = path.into_inner();
    let lookup = slug.clone();
    let (rows, site, name) = state
        .db
        .run(move |conn| {
            let (tag_id, name) = queries::find_tag(conn, &lookup)?.ok_or(AppError::NotFound)?;
            let rows = queries::feed_entries(conn, &ListFilter::Tag(tag_id), FEED_ENTRIES)?;
            let site = crate::admin::settings::load(conn)?;
            Ok::<_, AppError>((rows, site, name))
        })
        .await?;
    let feed = build_feed(
        &state.config.base_url,
        format!("{}: {name}", site.site_title),
        &format!("/tags/{slug}/feed.xml"),
        &format!("/tags/{slug}"),
        rows,
    );
    Ok(xml(feed.to_string(), "application/atom+xml; charset=utf-8"))
}

async fn sitemap(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let (articles, tags) = state
        .db
        .run(|conn| {
            let articles = queries::sitemap_entries(conn, SITEMAP_LIMIT)?;
            let tags = queries::tags_with_counts(conn)?;
            Ok::<_, AppError>((articles, tags))
        })
        .await?;
    let base = &state.config.base_url;
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    out.push_str(&format!(
        "<url><loc>{}</loc></url>\n",
        escape(format!("{base}/"))
    ));
    for (slug, updated) in articles {
        out.push_str(&format!(
            "<url><loc>{}</loc><lastmod>{}</lastmod></url>\n",
            escape(format!("{base}/articles/{slug}")),
            updated.format("%Y-%m-%d")
        ));
    }
    for tag in tags {
        out.push_str(&format!(
            "<url><loc>{}</loc></url>\n",
            escape(format!("{base}/tags/{}", tag.slug))
        ));
    }
    out.push_str("</urlset>\n");
    Ok(xml(out, "application/xml; charset=utf-8"))
}

async fn robots(state: web::Data<AppState>) -> HttpResponse {
    let body = format!(
        "User-agent: *\nDisallow: /admin\nDisallow: /account\nDisallow: /dashboard\nDisallow: /expenses\nDisallow: /reports\nDisallow: /login\nDisallow: /register\nDisallow: /setup\n\nSitemap: {}/sitemap.xml\n",
        state.config.base_url
    );
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
        .body(body)
}
