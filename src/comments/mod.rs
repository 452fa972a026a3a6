//! Comments on articles: posting (with a honeypot and a rate limit), the
//! moderation rule, and the queries the admin queue uses.

pub mod models;
pub mod queries;
pub mod routes;
