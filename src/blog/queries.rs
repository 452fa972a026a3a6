//! Blog queries. List pages load a page of articles, then the tags and comment
//! counts of that page in one query each: a fixed number of queries per page.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::models::{published_at_for, Article, ArticleInput, ArticleSummary, TagRef};
use super::slug::{slugify, Slug};
use crate::db::schema::{article_tags, articles, comments, tags, users};
use crate::db::{now, DbConn, MultiBackend};

/// Which public articles a list shows.
#[derive(Debug, Clone)]
pub enum ListFilter {
    All,
    Tag(i64),
    Author(i64),
    /// Every word must occur in the title or body.
    Search(Vec<String>),
}

type PublicQuery<'a> = diesel::dsl::IntoBoxed<'a, articles::table, MultiBackend>;

/// The words of a search: letters and digits only, lowercased and without accents,
/// as the stored search text is (see [`search_text`]). At most 8, of 50 characters.
pub fn search_terms(q: &str) -> Vec<String> {
    deunicode::deunicode(q)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| w.chars().take(50).collect())
        .collect()
}

/// What the search index holds for an article: title and plain text, lowercased
/// and transliterated, so "creme" finds "Crème" on both backends.
pub fn search_text(title: &str, plain_text: &str) -> String {
    deunicode::deunicode(&format!("{title} {plain_text}")).to_lowercase()
}

/// The full-text expression for the backend: every word must occur, as a word or
/// the start of one (SQLite FTS5; Postgres GIN over a tsvector). Terms are letters and
/// digits only, so they cannot change the query syntax; they are bound, never spliced.
fn search_expression(words: &[String], sqlite: bool) -> (&'static str, String) {
    if sqlite {
        (
            "articles.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ",
            words
                .iter()
                .map(|w| format!("\"{w}\"*"))
                .collect::<Vec<_>>()
                .join(" "),
        )
    } else {
        (
            "to_tsvector('simple', articles.search_text) @@ to_tsquery('simple', ",
            words
                .iter()
                .map(|w| format!("{w}:*"))
                .collect::<Vec<_>>()
                .join(" & "),
        )
    }
}

/// Narrows a boxed query over `articles` (joined or not) to the public articles the
/// filter names. Public means `published_at <= now`: drafts have none, scheduled
/// articles a future one, so one range over the timeline index decides it (no
/// condition on `status`, which no index could serve). A macro, because the joined
/// and the plain query are different types.
macro_rules! only_public {
    ($query:expr, $filter:expr, $at:expr, $sqlite:expr) => {{
        let mut query = $query.filter(articles::published_at.le($at));
        match $filter {
            ListFilter::All => {}
            ListFilter::Tag(tag_id) => {
                // Correlated, so the planner walks the timeline and probes the links.
                query = query.filter(diesel::dsl::exists(
                    article_tags::table
                        .filter(article_tags::article_id.eq(articles::id))
                        .filter(article_tags::tag_id.eq(*tag_id)),
                ));
            }
            ListFilter::Author(author_id) => {
                query = query.filter(articles::author_id.eq(*author_id));
            }
            ListFilter::Search(words) => {
                let (sql, terms) = search_expression(words, $sqlite);
                query = query.filter(
                    diesel::dsl::sql::<diesel::sql_types::Bool>(sql)
                        .bind::<diesel::sql_types::Text, _>(terms)
                        .sql(")"),
                );
            }
        }
        query
    }};
}

/// Public articles matching the filter. No join: with one, SQLite's planner started
/// from the authors and sorted every article of theirs; authors are looked up per
/// page instead (see [`usernames`]).
fn public_articles(filter: &ListFilter, at: NaiveDateTime, sqlite: bool) -> PublicQuery<'static> {
    only_public!(articles::table.into_boxed(), filter, at, sqlite)
}

/// The usernames of the given authors, in one query.
fn usernames(conn: &mut DbConn, ids: &[i64]) -> QueryResult<HashMap<i64, String>> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::username))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

fn is_sqlite(conn: &DbConn) -> bool {
    matches!(conn, DbConn::Sqlite(_))
}

pub fn count_public(conn: &mut DbConn, filter: &ListFilter) -> QueryResult<i64> {
    let sqlite = is_sqlite(conn);
    public_articles(filter, now(), sqlite)
        .count()
        .get_result(conn)
}

pub fn list_public(
    conn: &mut DbConn,
    filter: &ListFilter,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<ArticleSummary>> {
    let sqlite = is_sqlite(conn);
    let mut list: Vec<ArticleSummary> = public_articles(filter, now(), sqlite)
        .order_by((articles::published_at.desc(), articles::id.desc()))
        .select(SummaryRow::as_select())
        .limit(limit)
        .offset(offset)
        .load::<SummaryRow>(conn)?
        .into_iter()
        .map(SummaryRow::into_summary)
        .collect();
    attach_tags_and_counts(conn, &mut list)?;
    Ok(list)
}

/// The columns of a list entry; tags and comment counts are added per page.
#[derive(Queryable, Selectable)]
#[diesel(table_name = articles)]
struct SummaryRow {
    id: i64,
    slug: String,
    title: String,
    excerpt: String,
    reading_minutes: i32,
    published_at: Option<NaiveDateTime>,
    author_id: i64,
}

impl SummaryRow {
    fn into_summary(self) -> ArticleSummary {
        ArticleSummary {
            id: self.id,
            slug: self.slug,
            title: self.title,
            excerpt: self.excerpt,
            reading_minutes: self.reading_minutes,
            // Public articles always have a publication time.
            published_at: self.published_at.unwrap_or_default(),
            author: String::new(),
            author_id: self.author_id,
            tags: Vec::new(),
            comment_count: 0,
        }
    }
}

/// Two queries for the whole page: its tags, and its approved-comment counts.
fn attach_tags_and_counts(conn: &mut DbConn, list: &mut [ArticleSummary]) -> QueryResult<()> {
    if list.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = list.iter().map(|a| a.id).collect();
    let mut tags_by_article = tags_for(conn, &ids)?;
    let author_ids: Vec<i64> = list.iter().map(|a| a.author_id).collect();
    let authors = usernames(conn, &author_ids)?;
    let counts: HashMap<i64, i64> = comments::table
        .filter(comments::article_id.eq_any(&ids))
        .filter(comments::status.eq("approved"))
        .group_by(comments::article_id)
        .select((comments::article_id, count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    for article in list {
        article.tags = tags_by_article.remove(&article.id).unwrap_or_default();
        article.comment_count = counts.get(&article.id).copied().unwrap_or(0);
        article.author = authors.get(&article.author_id).cloned().unwrap_or_default();
    }
    Ok(())
}

pub fn tags_for(conn: &mut DbConn, article_ids: &[i64]) -> QueryResult<HashMap<i64, Vec<TagRef>>> {
    let rows: Vec<(i64, String, String)> = article_tags::table
        .inner_join(tags::table)
        .filter(article_tags::article_id.eq_any(article_ids))
        .order_by(tags::name)
        .select((article_tags::article_id, tags::name, tags::slug))
        .load(conn)?;
    let mut map: HashMap<i64, Vec<TagRef>> = HashMap::new();
    for (article_id, name, slug) in rows {
        map.entry(article_id)
            .or_default()
            .push(TagRef { name, slug });
    }
    Ok(map)
}

/// An article with its author's username, whatever its status.
pub fn find_by_slug(conn: &mut DbConn, slug: &str) -> QueryResult<Option<(Article, String)>> {
    articles::table
        .inner_join(users::table)
        .filter(articles::slug.eq(slug))
        .select((Article::as_select(), users::username))
        .first(conn)
        .optional()
}

/// A link to another article.
#[derive(Debug, Clone, Queryable)]
pub struct ArticleLink {
    pub slug: String,
    pub title: String,
}

/// The public neighbours of a public article: (older, newer).
pub fn neighbours(
    conn: &mut DbConn,
    article: &Article,
) -> QueryResult<(Option<ArticleLink>, Option<ArticleLink>)> {
    let Some(at) = article.published_at else {
        return Ok((None, None));
    };
    let current = now();
    let link = (articles::slug, articles::title);
    // Each neighbour is two index seeks on (published_at, id): an article with the same
    // time and a lower (higher) id first, else the nearest earlier (later) time. One
    // `OR` of both conditions would make the planners scan the table.
    let same_time_older = articles::table
        .filter(articles::published_at.eq(at))
        .filter(articles::id.lt(article.id))
        .order_by(articles::id.desc())
        .select(link)
        .first(conn)
        .optional()?;
    let older = match same_time_older {
        Some(found) => Some(found),
        None => articles::table
            .filter(articles::published_at.lt(at))
            .order_by((articles::published_at.desc(), articles::id.desc()))
            .select(link)
            .first(conn)
            .optional()?,
    };
    let same_time_newer = articles::table
        .filter(articles::published_at.eq(at))
        .filter(articles::id.gt(article.id))
        .filter(articles::published_at.le(current))
        .order_by(articles::id.asc())
        .select(link)
        .first(conn)
        .optional()?;
    let newer = match same_time_newer {
        Some(found) => Some(found),
        None => articles::table
            .filter(articles::published_at.gt(at))
            .filter(articles::published_at.le(current))
            .order_by((articles::published_at.asc(), articles::id.asc()))
            .select(link)
            .first(conn)
            .optional()?,
    };
    Ok((older, newer))
}

fn slug_taken(conn: &mut DbConn, slug: &str, except: Option<i64>) -> QueryResult<bool> {
    // Ids start at 1, so 0 excludes nothing.
    let except = except.unwrap_or(0);
    diesel::select(diesel::dsl::exists(
        articles::table
            .filter(articles::slug.eq(slug))
            .filter(articles::id.ne(except)),
    ))
    .get_result(conn)
}

/// The first free slug among `base`, `base-2`, `base-3`, …
fn free_slug(conn: &mut DbConn, base: &Slug) -> QueryResult<Slug> {
    if !slug_taken(conn, base.as_str(), None)? {
        return Ok(base.clone());
    }
    for n in 2.. {
        let candidate = base.with_suffix(n);
        if !slug_taken(conn, candidate.as_str(), None)? {
            return Ok(candidate);
        }
    }
    unreachable!("the loop above returns for some n")
}

/// Finds or creates the tags (matched by slug, so case-insensitively) and links them.
fn set_tags(conn: &mut DbConn, article_id: i64, names: &[String]) -> QueryResult<()> {
    diesel::delete(article_tags::table.filter(article_tags::article_id.eq(article_id)))
        .execute(conn)?;
    for name in names {
        let slug = slugify(name);
        let existing: Option<i64> = tags::table
            .filter(tags::slug.eq(&slug))
            .select(tags::id)
            .first(conn)
            .optional()?;
        let tag_id = match existing {
            Some(id) => id,
            None => diesel::insert_into(tags::table)
                .values((tags::name.eq(name), tags::slug.eq(&slug)))
                .returning(tags::id)
                .get_result(conn)?,
        };
        diesel::insert_into(article_tags::table)
            .values((
                article_tags::article_id.eq(article_id),
                article_tags::tag_id.eq(tag_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub enum SaveOutcome {
    Saved { slug: String },
    SlugTaken,
}

/// Creates an article with its tags in one transaction; Markdown is rendered here,
/// once, and never on view.
pub fn create(conn: &mut DbConn, author_id: i64, input: &ArticleInput) -> QueryResult<SaveOutcome> {
    let rendered = super::markdown::render_article(&input.body);
    conn.transaction(|conn| {
        let slug = match &input.slug {
            Some(slug) if slug_taken(conn, slug.as_str(), None)? => {
                return Ok(SaveOutcome::SlugTaken)
            }
            Some(slug) => slug.clone(),
            None => free_slug(conn, &Slug::from_title(&input.title))?,
        };
        let at = now();
        let id: i64 = diesel::insert_into(articles::table)
            .values((
                articles::author_id.eq(author_id),
                articles::title.eq(&input.title),
                articles::slug.eq(slug.as_str()),
                articles::body_source.eq(&input.body),
                articles::body_html.eq(&rendered.html),
                articles::excerpt.eq(&rendered.excerpt),
                articles::search_text.eq(search_text(&input.title, &rendered.plain_text)),
                articles::reading_minutes.eq(rendered.reading_minutes),
                articles::status.eq(input.status.as_str()),
                articles::publish_at.eq(input.publish_at),
                articles::published_at.eq(published_at_for(input, None)),
                articles::created_at.eq(at),
                articles::updated_at.eq(at),
            ))
            .returning(articles::id)
            .get_result(conn)?;
        set_tags(conn, id, &input.tags)?;
        Ok(SaveOutcome::Saved {
            slug: slug.as_str().to_owned(),
        })
    })
}

/// Saves an edit. The slug stays as it was unless the author typed a new one.
pub fn update(conn: &mut DbConn, old: &Article, input: &ArticleInput) -> QueryResult<SaveOutcome> {
    let rendered = super::markdown::render_article(&input.body);
    conn.transaction(|conn| {
        let slug = match &input.slug {
            Some(slug) if slug.as_str() != old.slug => {
                if slug_taken(conn, slug.as_str(), Some(old.id))? {
                    return Ok(SaveOutcome::SlugTaken);
                }
                slug.as_str().to_owned()
            }
            _ => old.slug.clone(),
        };
        diesel::update(articles::table.find(old.id))
            .set((
                articles::title.eq(&input.title),
                articles::slug.eq(&slug),
                articles::body_source.eq(&input.body),
                articles::body_html.eq(&rendered.html),
                articles::excerpt.eq(&rendered.excerpt),
                articles::search_text.eq(search_text(&input.title, &rendered.plain_text)),
                articles::reading_minutes.eq(rendered.reading_minutes),
                articles::status.eq(input.status.as_str()),
                articles::publish_at.eq(input.publish_at),
                articles::published_at.eq(published_at_for(input, Some(old))),
                articles::updated_at.eq(now()),
            ))
            .execute(conn)?;
        set_tags(conn, old.id, &input.tags)?;
        Ok(SaveOutcome::Saved { slug })
    })
}

/// Deletes an article; its tag links and comments go with it (ON DELETE CASCADE).
pub fn delete(conn: &mut DbConn, article_id: i64) -> QueryResult<usize> {
    conn.transaction(|conn| {
        diesel::delete(comments::table.filter(comments::article_id.eq(article_id)))
            .execute(conn)?;
        diesel::delete(article_tags::table.filter(article_tags::article_id.eq(article_id)))
            .execute(conn)?;
        diesel::delete(articles::table.find(article_id)).execute(conn)
    })
}

/// A row of the dashboard: any status.
#[derive(Debug, Clone, Queryable)]
pub struct DashboardRow {
    pub slug: String,
    pub title: String,
    pub status: String,
    pub published_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    pub author: String,
}

/// The user's own articles, drafts included; an admin sees everyone's.
pub fn dashboard(
    conn: &mut DbConn,
    author: Option<i64>,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<DashboardRow>, i64)> {
    let base = || {
        let mut q = articles::table
            .inner_join(users::table)
            .into_boxed::<MultiBackend>();
        if let Some(id) = author {
            q = q.filter(articles::author_id.eq(id));
        }
        q
    };
    let total = base().count().get_result(conn)?;
    let rows = base()
        .order_by((articles::updated_at.desc(), articles::id.desc()))
        .select((
            articles::slug,
            articles::title,
            articles::status,
            articles::published_at,
            articles::updated_at,
            users::username,
        ))
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    Ok((rows, total))
}

#[derive(Debug, Clone)]
pub struct TagCount {
    pub name: String,
    pub slug: String,
    pub count: i64,
}

/// Tags with the number of public articles each, most used first.
pub fn tags_with_counts(conn: &mut DbConn) -> QueryResult<Vec<TagCount>> {
    let at = now();
    let rows: Vec<(i64, String, String, i64)> = tags::table
        .inner_join(article_tags::table.inner_join(articles::table))
        .filter(articles::published_at.le(at))
        .group_by((tags::id, tags::name, tags::slug))
        .select((tags::id, tags::name, tags::slug, count_star()))
        .order_by((count_star().desc(), tags::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(_, name, slug, count)| TagCount { name, slug, count })
        .collect())
}

pub fn find_tag(conn: &mut DbConn, slug: &str) -> QueryResult<Option<(i64, String)>> {
    tags::table
        .filter(tags::slug.eq(slug))
        .select((tags::id, tags::name))
        .first(conn)
        .optional()
}

/// What a feed entry needs.
#[derive(Debug, Clone, Queryable)]
pub struct FeedRow {
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub body_html: String,
    pub published_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    pub author_id: i64,
}

pub fn feed_entries(
    conn: &mut DbConn,
    filter: &ListFilter,
    limit: i64,
) -> QueryResult<(Vec<FeedRow>, HashMap<i64, String>)> {
    let sqlite = is_sqlite(conn);
    let rows: Vec<FeedRow> = public_articles(filter, now(), sqlite)
        .order_by((articles::published_at.desc(), articles::id.desc()))
        .select((
            articles::slug,
            articles::title,
            articles::excerpt,
            articles::body_html,
            articles::published_at,
            articles::updated_at,
            articles::author_id,
        ))
        .limit(limit)
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.author_id).collect();
    let authors = usernames(conn, &ids)?;
    Ok((rows, authors))
}

/// Every public article's slug and last change, newest first (for the sitemap).
pub fn sitemap_entries(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<(String, NaiveDateTime)>> {
    let sqlite = is_sqlite(conn);
    public_articles(&ListFilter::All, now(), sqlite)
        .order_by((articles::published_at.desc(), articles::id.desc()))
        .select((articles::slug, articles::updated_at))
        .limit(limit)
        .load(conn)
}

pub fn author_id(conn: &mut DbConn, username: &str) -> QueryResult<Option<i64>> {
    users::table
        .filter(users::username.eq(username))
        .select(users::id)
        .first(conn)
        .optional()
}
