//! The admin area: overview, moderation queue, users, tags, site settings and the
//! audit log of every admin action.

pub mod audit;
pub mod moderation;
pub mod routes;
pub mod rules;
pub mod settings;
pub mod tags;
pub mod users;
