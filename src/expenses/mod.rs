//! The expense tracker: categories, expenses, budgets with rollover, monthly and
//! yearly reports with SVG charts, CSV export and import, and recurring expenses.
//! Every logged-in user has a private tracker; every query carries their id.
//! A user's tracker (with a small editable set of default categories) is created
//! lazily on their first visit to any tracker page.

pub mod budgets;
pub mod category_routes;
pub mod charts;
pub mod csv_io;
pub mod import_routes;
pub mod models;
pub mod money;
pub mod plan_routes;
pub mod queries;
pub mod recurring;
pub mod report_routes;
pub mod reports;
pub mod routes;

use actix_web::web;

pub use recurring::run_due;

pub fn configure(cfg: &mut web::ServiceConfig) {
    // Fixed paths (/expenses/new, /expenses/categories, …) before /expenses/{id}/….
    category_routes::configure(cfg);
    plan_routes::configure(cfg);
    import_routes::configure(cfg);
    report_routes::configure(cfg);
    routes::configure(cfg);
}
