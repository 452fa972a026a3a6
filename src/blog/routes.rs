//! Public pages of the blog: home, article, tags, authors, search.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::models::{human_date, Article, ArticleSummary, TagRef};
use super::queries::{self, ArticleLink, ListFilter, TagCount};
use crate::app::AppState;
use crate::comments::models::PublicComment;
use crate::db::now;
use crate::web::pagination::{page_number, PageQuery, Pagination};
use crate::web::{render, AppError, Ctx};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/").route(web::get().to(home)))
        .service(web::resource("/tags").route(web::get().to(tag_index)))
        .service(web::resource("/tags/{slug}").route(web::get().to(tag_page)))
        .service(web::resource("/authors/{username}").route(web::get().to(author_page)))
        .service(web::resource("/search").route(web::get().to(search)));
    super::writing::configure(cfg);
    // After /articles/new, so "new" is never taken for a slug.
    cfg.service(web::resource("/articles/{slug}").route(web::get().to(article_page)));
    super::feeds::configure(cfg);
}

#[derive(Template)]
#[template(path = "blog/list.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    heading: String,
    intro: String,
    articles: &'a [ArticleSummary],
    pagination: &'a Pagination,
    feed_url: Option<String>,
    search_query: Option<&'a str>,
    empty_message: &'a str,
}

/// Loads one page of a public list: count, page, tags and comment counts.
async fn load_list(
    state: &AppState,
    filter: ListFilter,
    page: i64,
    per_page: i64,
    base: String,
) -> Result<(Vec<ArticleSummary>, Pagination), AppError> {
    state
        .db
        .run(move |conn| {
            let total = queries::count_public(conn, &filter)?;
            let pagination = Pagination::new(page, per_page, total, base).check()?;
            let list = queries::list_public(conn, &filter, per_page, pagination.offset())?;
            Ok::<_, AppError>((list, pagination))
        })
        .await
}

fn per_page(ctx: &Ctx) -> i64 {
    i64::from(ctx.site.articles_per_page.clamp(1, 100))
}

async fn home(
    ctx: Ctx,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = page_number(query.page.as_deref());
    let (articles, pagination) =
        load_list(&state, ListFilter::All, page, per_page(&ctx), "/".into()).await?;
    render(&ListPage {
        heading: ctx.site.site_title.clone(),
        intro: ctx.site.site_description.clone(),
        ctx: &ctx,
        articles: &articles,
        pagination: &pagination,
        feed_url: Some("/feed.xml".into()),
        search_query: None,
        empty_message: "No articles have been published yet.",
    })
}

async fn tag_page(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let slug = path.into_inner();
    let lookup = slug.clone();
    let (tag_id, name) = state
        .db
        .run(move |conn| queries::find_tag(conn, &lookup).map_err(AppError::from))
        .await?
        .ok_or(AppError::NotFound)?;
    let list = FilteredList {
        filter: ListFilter::Tag(tag_id),
        base: format!("/tags/{slug}"),
        heading: format!("Tagged “{name}”"),
        feed_url: Some(format!("/tags/{slug}/feed.xml")),
        empty_message: "No published articles carry this tag.",
    };
    list.render(&ctx, &state, page_number(query.page.as_deref()))
        .await
}

/// A page of the public articles one tag or author has.
struct FilteredList {
    filter: ListFilter,
    base: String,
    heading: String,
    feed_url: Option<String>,
    empty_message: &'static str,
}

impl FilteredList {
    async fn render(
        self,
        ctx: &Ctx,
        state: &AppState,
        page: i64,
    ) -> Result<HttpResponse, AppError> {
        let (articles, pagination) =
            load_list(state, self.filter, page, per_page(ctx), self.base).await?;
        render(&ListPage {
            ctx,
            heading: self.heading,
            intro: format!(
                "{} published {}.",
                pagination.total,
                plural(pagination.total, "article", "articles")
            ),
            articles: &articles,
            pagination: &pagination,
            feed_url: self.feed_url,
            search_query: None,
            empty_message: self.empty_message,
        })
    }
}

async fn author_page(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let username = path.into_inner();
    let lookup = username.clone();
    let author_id = state
        .db
        .run(move |conn| queries::author_id(conn, &lookup).map_err(AppError::from))
        .await?
        .ok_or(AppError::NotFound)?;
    let list = FilteredList {
        filter: ListFilter::Author(author_id),
        base: format!("/authors/{username}"),
        heading: format!("Articles by {username}"),
        feed_url: None,
        empty_message: "This author has not published anything yet.",
    };
    list.render(&ctx, &state, page_number(query.page.as_deref()))
        .await
}

#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub page: Option<String>,
}

async fn search(
    ctx: Ctx,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.q.trim().to_owned();
    let words = queries::search_terms(&q);
    let page = page_number(query.page.as_deref());
    let base = format!(
        "/search?{}",
        serde_urlencoded::to_string([("q", q.as_str())]).unwrap_or_default()
    );
    let (articles, pagination) = if words.is_empty() {
        (Vec::new(), Pagination::new(1, per_page(&ctx), 0, base))
    } else {
        load_list(
            &state,
            ListFilter::Search(words),
            page,
            per_page(&ctx),
            base,
        )
        .await?
    };
    let intro = if q.is_empty() {
        "Type a word or two to search titles and articles.".to_owned()
    } else {
        format!(
            "{} {} for “{q}”.",
            pagination.total,
            plural(pagination.total, "result", "results")
        )
    };
    render(&ListPage {
        ctx: &ctx,
        heading: "Search".into(),
        intro,
        articles: &articles,
        pagination: &pagination,
        feed_url: None,
        search_query: Some(&q),
        empty_message: if q.is_empty() {
            ""
        } else {
            "Nothing matches. Try other words."
        },
    })
}

fn plural(n: i64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

#[derive(Template)]
#[template(path = "blog/tags.html")]
struct TagIndexPage<'a> {
    ctx: &'a Ctx,
    tags: &'a [TagCount],
}

async fn tag_index(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let tags = state
        .db
        .run(|conn| queries::tags_with_counts(conn).map_err(AppError::from))
        .await?;
    render(&TagIndexPage {
        ctx: &ctx,
        tags: &tags,
    })
}

/// The comment form as the reader left it (kept when it comes back with an error).
pub struct CommentDraft {
    pub body: String,
    pub error: Option<String>,
    pub status: actix_web::http::StatusCode,
}

impl Default for CommentDraft {
    fn default() -> Self {
        Self {
            body: String::new(),
            error: None,
            status: actix_web::http::StatusCode::OK,
        }
    }
}

#[derive(Template)]
#[template(path = "blog/article.html")]
struct ArticlePage<'a> {
    ctx: &'a Ctx,
    article: &'a Article,
    author: &'a str,
    tags: &'a [TagRef],
    is_public: bool,
    can_edit: bool,
    older: Option<ArticleLink>,
    newer: Option<ArticleLink>,
    canonical: String,
    date: String,
    comments: &'a [PublicComment],
    draft: &'a CommentDraft,
}

async fn article_page(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    show_article(&ctx, &state, path.into_inner(), CommentDraft::default()).await
}

/// The article page, also shown again by the comment form when it has an error.
pub async fn show_article(
    ctx: &Ctx,
    state: &AppState,
    slug: String,
    draft: CommentDraft,
) -> Result<HttpResponse, AppError> {
    let (article, author, tags, older, newer, comments) = state
        .db
        .run(move |conn| {
            let (article, author) =
                queries::find_by_slug(conn, &slug)?.ok_or(AppError::NotFound)?;
            let tags = queries::tags_for(conn, &[article.id])?
                .remove(&article.id)
                .unwrap_or_default();
            let (older, newer) = queries::neighbours(conn, &article)?;
            let comments = crate::comments::queries::approved_for_article(conn, article.id)?;
            Ok::<_, AppError>((article, author, tags, older, newer, comments))
        })
        .await?;
    let is_public = article.is_public(now());
    let can_edit = ctx
        .user
        .as_ref()
        .is_some_and(|u| super::models::can_edit(u, article.author_id));
    // Drafts and future articles exist only for their author and admins.
    if !is_public && !can_edit {
        return Err(AppError::NotFound);
    }
    let date = article
        .published_at
        .map(|at| human_date(&at))
        .unwrap_or_else(|| "not published".into());
    crate::web::render::render_status(
        draft.status,
        &ArticlePage {
            canonical: format!("{}/articles/{}", state.config.base_url, article.slug),
            ctx,
            article: &article,
            author: &author,
            tags: &tags,
            is_public,
            can_edit,
            older: if is_public { older } else { None },
            newer: if is_public { newer } else { None },
            date,
            comments: &comments,
            draft: &draft,
        },
    )
}
