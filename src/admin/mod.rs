//! Admin pages and the site settings they manage.

pub mod routes;
pub mod settings;
