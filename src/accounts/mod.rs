//! Users, roles, first-run setup, registration, login, sessions and throttling.

pub mod flows;
pub mod models;
pub mod password;
pub mod queries;
pub mod routes;
pub mod sessions;
pub mod throttle;
