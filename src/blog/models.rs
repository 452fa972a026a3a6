//! Articles and tags: rows, the views list pages need, and the editor's input.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::slug::{slugify, Slug};
use crate::accounts::models::{CurrentUser, Role};
use crate::db::schema::articles;
use crate::web::FieldErrors;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    Published,
    Scheduled,
}

impl Status {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "draft" => Ok(Status::Draft),
            "published" => Ok(Status::Published),
            "scheduled" => Ok(Status::Scheduled),
            _ => Err("Choose draft, published or scheduled.".into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Published => "published",
            Status::Scheduled => "scheduled",
        }
    }
}

/// An article row as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct Article {
    pub id: i64,
    pub author_id: i64,
    pub title: String,
    pub slug: String,
    pub body_source: String,
    pub body_html: String,
    pub excerpt: String,
    pub search_text: String,
    pub reading_minutes: i32,
    pub status: String,
    pub publish_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Article {
    /// Public: published, or scheduled with its time come.
    pub fn is_public(&self, now: NaiveDateTime) -> bool {
        self.status != "draft" && self.published_at.is_some_and(|at| at <= now)
    }
}

/// Who may change an article: its author (while still an author) and admins.
pub fn can_edit(user: &CurrentUser, author_id: i64) -> bool {
    user.role == Role::Admin || (user.role == Role::Author && user.id == author_id)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRef {
    pub name: String,
    pub slug: String,
}

/// One entry of a public list: everything shown, loaded for a whole page in a
/// fixed number of queries.
#[derive(Debug, Clone)]
pub struct ArticleSummary {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub reading_minutes: i32,
    pub published_at: NaiveDateTime,
    pub author: String,
    pub author_id: i64,
    pub tags: Vec<TagRef>,
    pub comment_count: i64,
}

/// A date the way people read it: "26 November 2026".
pub fn human_date(at: &NaiveDateTime) -> String {
    at.format("%-d %B %Y").to_string()
}

impl ArticleSummary {
    pub fn date(&self) -> String {
        human_date(&self.published_at)
    }

    pub fn iso_date(&self) -> String {
        self.published_at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

/// The editor's fields as typed (kept for showing the form again).
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct ArticleForm {
    pub title: String,
    pub slug: String,
    pub body: String,
    pub tags: String,
    pub status: String,
    pub publish_at: String,
    /// `preview` or `save` (the button pressed).
    pub action: String,
}

/// A validated article.
#[derive(Debug, Clone)]
pub struct ArticleInput {
    pub title: String,
    /// `None`: make one from the title (new article) or keep the current one (edit).
    pub slug: Option<Slug>,
    pub body: String,
    pub tags: Vec<String>,
    pub status: Status,
    pub publish_at: Option<NaiveDateTime>,
}

pub const MAX_TITLE: usize = 200;
pub const MAX_BODY: usize = 500_000;
pub const MAX_TAGS: usize = 10;
pub const MAX_TAG_LEN: usize = 40;

/// Tags from comma-separated text: trimmed, empty ones dropped, duplicates
/// (compared by slug, so case-insensitively) removed, first spelling kept.
pub fn parse_tags(input: &str) -> Result<Vec<String>, String> {
    let mut seen = std::collections::HashSet::new();
    let mut tags = Vec::new();
    for raw in input.split(',') {
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            continue;
        }
        if name.chars().count() > MAX_TAG_LEN {
            return Err(format!("A tag has at most {MAX_TAG_LEN} characters."));
        }
        let slug = slugify(&name);
        if slug.is_empty() {
            return Err(format!("“{name}” needs at least one letter or digit."));
        }
        if seen.insert(slug) {
            tags.push(name);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("Use at most {MAX_TAGS} tags."));
    }
    Ok(tags)
}

/// `YYYY-MM-DDTHH:MM` (what datetime-local sends), in UTC.
pub fn parse_publish_at(input: &str) -> Result<Option<NaiveDateTime>, String> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .map(Some)
        .map_err(|_| "Enter a date and time like 2026-12-24T18:00.".to_owned())
}

impl ArticleForm {
    pub fn validate(&self) -> Result<ArticleInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = self.title.trim().to_owned();
        if title.is_empty() {
            errors.add("title", "Enter a title.");
        } else if title.chars().count() > MAX_TITLE {
            errors.add(
                "title",
                format!("A title has at most {MAX_TITLE} characters."),
            );
        }
        let slug = if self.slug.trim().is_empty() {
            None
        } else {
            errors.check("slug", Slug::parse(&self.slug))
        };
        if self.body.trim().is_empty() {
            errors.add("body", "Write the article: the body is empty.");
        } else if self.body.chars().count() > MAX_BODY {
            errors.add(
                "body",
                format!("The body has at most {MAX_BODY} characters."),
            );
        }
        let tags = errors
            .check("tags", parse_tags(&self.tags))
            .unwrap_or_default();
        let status = errors.check("status", Status::parse(&self.status));
        let publish_at = errors
            .check("publish_at", parse_publish_at(&self.publish_at))
            .flatten();
        if status == Some(Status::Scheduled)
            && publish_at.is_none()
            && errors.get("publish_at").is_none()
        {
            errors.add(
                "publish_at",
                "A scheduled article needs a publication date and time.",
            );
        }
        match status {
            Some(status) if errors.is_empty() => Ok(ArticleInput {
                title,
                slug,
                // The source is kept exactly as typed.
                body: self.body.clone(),
                tags,
                status,
                publish_at,
            }),
            _ => Err(errors),
        }
    }

    pub fn from_article(article: &Article, tags: &[TagRef]) -> Self {
        Self {
            title: article.title.clone(),
            slug: article.slug.clone(),
            body: article.body_source.clone(),
            tags: tags
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            status: article.status.clone(),
            publish_at: article
                .publish_at
                .map(|at| at.format("%Y-%m-%dT%H:%M").to_string())
                .unwrap_or_default(),
            action: String::new(),
        }
    }
}

/// When an article with this input is public: now for a first publication, the
/// old date when it was already published, `publish_at` when scheduled.
pub fn published_at_for(input: &ArticleInput, previous: Option<&Article>) -> Option<NaiveDateTime> {
    match input.status {
        Status::Draft => None,
        Status::Scheduled => input.publish_at,
        Status::Published => match previous {
            Some(old) if old.status == "published" => old.published_at,
            _ => Some(crate::db::now()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, role: Role) -> CurrentUser {
        CurrentUser {
            id,
            username: "u".into(),
            email: "u@example.com".into(),
            role,
            session_id: 0,
        }
    }

    #[test]
    fn who_may_edit() {
        assert!(can_edit(&user(1, Role::Author), 1));
        assert!(!can_edit(&user(2, Role::Author), 1));
        assert!(can_edit(&user(2, Role::Admin), 1));
        assert!(
            !can_edit(&user(1, Role::Member), 1),
            "a demoted author no longer edits"
        );
    }

    #[test]
    fn tags_are_split_trimmed_and_deduplicated() {
        assert_eq!(
            parse_tags(" Rust, web ,rust,, Web  Dev ").unwrap(),
            vec!["Rust", "web", "Web Dev"]
        );
        assert!(parse_tags("!!!").is_err());
        assert!(parse_tags(&"a,".repeat(3)).is_ok());
        assert!(parse_tags(
            &(0..11)
                .map(|i| format!("t{i}"))
                .collect::<Vec<_>>()
                .join(",")
        )
        .is_err());
    }

    #[test]
    fn scheduled_needs_a_time() {
        let form = ArticleForm {
            title: "T".into(),
            body: "b".into(),
            status: "scheduled".into(),
            ..Default::default()
        };
        let errors = form.validate().unwrap_err();
        assert!(errors.get("publish_at").is_some());
        let ok = ArticleForm {
            publish_at: "2030-01-02T03:04".into(),
            ..form
        };
        assert_eq!(
            ok.validate().unwrap().publish_at.unwrap().to_string(),
            "2030-01-02 03:04:00"
        );
    }
}
