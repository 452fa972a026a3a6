//! The blog: articles in Markdown, tags, drafts and scheduling, feeds, sitemap, search.

pub mod feeds;
pub mod markdown;
pub mod models;
pub mod queries;
pub mod routes;
pub mod slug;
pub mod writing;
