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

/// The settings form as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub site_title: String,
    pub site_description: String,
    /// A checkbox: present ("on") when ticked.
    pub registration_open: Option<String>,
    pub moderation: String,
    pub articles_per_page: String,
    pub currency: String,
    pub session_idle_days: String,
    pub session_max_days: String,
}

impl SettingsForm {
    pub fn from_settings(s: &SiteSettings) -> Self {
        Self {
            site_title: s.site_title.clone(),
            site_description: s.site_description.clone(),
            registration_open: s.registration_open.then(|| "on".to_owned()),
            moderation: s.moderation.clone(),
            articles_per_page: s.articles_per_page.to_string(),
            currency: s.currency.clone(),
            session_idle_days: s.session_idle_days.to_string(),
            session_max_days: s.session_max_days.to_string(),
        }
    }

    pub fn validate(&self) -> Result<SiteSettings, crate::web::FieldErrors> {
        let mut errors = crate::web::FieldErrors::new();
        let title = self.site_title.trim();
        if title.is_empty() || title.chars().count() > 100 {
            errors.add("site_title", "The title has 1 to 100 characters.");
        }
        let description = self.site_description.trim();
        if description.chars().count() > 300 {
            errors.add(
                "site_description",
                "The description has at most 300 characters.",
            );
        }
        let moderation = errors.check(
            "moderation",
            crate::comments::models::Moderation::parse(&self.moderation),
        );
        let number = |raw: &str, min: i32, max: i32, what: &str| -> Result<i32, String> {
            raw.trim()
                .parse::<i32>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| format!("{what} is a whole number from {min} to {max}."))
        };
        let per_page = errors.check(
            "articles_per_page",
            number(&self.articles_per_page, 1, 100, "Articles per page"),
        );
        let currency = self.currency.trim().to_uppercase();
        if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
            errors.add(
                "currency",
                "Use a three-letter currency code such as EUR, USD or CHF.",
            );
        }
        let idle = errors.check(
            "session_idle_days",
            number(&self.session_idle_days, 1, 365, "The idle time"),
        );
        let max = errors.check(
            "session_max_days",
            number(&self.session_max_days, 1, 3650, "The lifetime"),
        );
        if let (Some(idle), Some(max)) = (idle, max) {
            if max < idle {
                errors.add(
                    "session_max_days",
                    "The lifetime cannot be shorter than the idle time.",
                );
            }
        }
        match (moderation, per_page, idle, max) {
            (Some(moderation), Some(per_page), Some(idle), Some(max)) if errors.is_empty() => {
                Ok(SiteSettings {
                    site_title: title.to_owned(),
                    site_description: description.to_owned(),
                    registration_open: self.registration_open.is_some(),
                    moderation: moderation.as_str().to_owned(),
                    articles_per_page: per_page,
                    currency,
                    session_idle_days: idle,
                    session_max_days: max,
                })
            }
            _ => Err(errors),
        }
    }
}

pub fn save(conn: &mut DbConn, s: &SiteSettings) -> QueryResult<usize> {
    diesel::update(site_settings::table.find(1_i64))
        .set((
            site_settings::site_title.eq(&s.site_title),
            site_settings::site_description.eq(&s.site_description),
            site_settings::registration_open.eq(s.registration_open),
            site_settings::moderation.eq(&s.moderation),
            site_settings::articles_per_page.eq(s.articles_per_page),
            site_settings::currency.eq(&s.currency),
            site_settings::session_idle_days.eq(s.session_idle_days),
            site_settings::session_max_days.eq(s.session_max_days),
        ))
        .execute(conn)
}
