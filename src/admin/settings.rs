//! Site settings: one row, read on every request (it is tiny and indexed by key).

use diesel::prelude::*;

use crate::db::schema::site_settings;
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = site_settings)]
pub struct SiteSettings {
    pub site_title: String,
    pub site_description: String,
    pub registration_open: bool,
    pub moderation: String,
    pub articles_per_page: i32,
    pub currency: String,
    pub session_idle_days: i32,
    pub session_max_days: i32,
}

pub fn load(conn: &mut DbConn) -> QueryResult<SiteSettings> {
    site_settings::table
        .find(1_i64)
        .select(SiteSettings::as_select())
        .first(conn)
}

pub fn set_registration_open(conn: &mut DbConn, open: bool) -> QueryResult<usize> {
    diesel::update(site_settings::table.find(1_i64))
        .set(site_settings::registration_open.eq(open))
        .execute(conn)
}
