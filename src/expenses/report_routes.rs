//! `/reports/monthly?month=YYYY-MM` and `/reports/yearly?year=YYYY`.

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Datelike;
use serde::Deserialize;

use super::charts;
use super::models::{today, Month};
use super::plan_routes::MonthQuery;
use super::reports::{self, MonthlyReport, YearlyReport};
use super::routes::{open, percent, signed_percent, who, Tracker, Val};
use crate::app::AppState;
use crate::web::render::html;
use crate::web::{AppError, Ctx};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/reports").route(web::get().to(index)))
        .service(web::resource("/reports/monthly").route(web::get().to(monthly)))
        .service(web::resource("/reports/yearly").route(web::get().to(yearly)));
}

async fn index(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.require_user()?;
    Ok(crate::web::see_other("/reports/monthly"))
}

#[derive(Template)]
#[template(path = "expenses/monthly.html")]
struct MonthlyPage<'a> {
    ctx: &'a Ctx,
    t: &'a Tracker,
    r: &'a MonthlyReport,
    chart: String,
}

impl MonthlyPage<'_> {
    fn pct(&self, v: impl Val<f64>) -> String {
        percent(v)
    }

    fn change(&self, v: impl Val<Option<f64>>) -> String {
        signed_percent(v)
    }
}

/// Reports are the app's heaviest pages and change only when their owner writes:
/// one rendering is kept per session and address until the next write through this
/// instance (or a few seconds). The session is checked before, as on every request.
fn cache_key(ctx: &Ctx) -> Option<String> {
    let user = ctx.user.as_ref()?;
    ctx.flashes
        .is_empty()
        .then(|| format!("session:{}:{}", user.session_id, ctx.path))
}

async fn monthly(
    ctx: Ctx,
    state: web::Data<AppState>,
    query: web::Query<MonthQuery>,
) -> Result<HttpResponse, AppError> {
    let (user_id, site_currency) = who(&ctx)?;
    let key = cache_key(&ctx);
    if let Some(body) = key.as_deref().and_then(|k| state.page_cache.get_private(k)) {
        return Ok(html(body));
    }
    let generation = state.page_cache.generation();
    let month = query.month();
    let (t, report) = state
        .db
        .run(move |conn| {
            let t = open(conn, user_id, &site_currency)?;
            let report = reports::monthly(conn, user_id, month)?;
            Ok::<_, AppError>((t, report))
        })
        .await?;
    let chart = charts::daily(
        &report.days,
        &t.currency,
        &format!("Spending per day, {}", month.label()),
    );
    let body = MonthlyPage {
        ctx: &ctx,
        t: &t,
        r: &report,
        chart,
    }
    .render()?;
    Ok(keep(&state, key, generation, body))
}

fn keep(state: &AppState, key: Option<String>, generation: u64, body: String) -> HttpResponse {
    let body = actix_web::web::Bytes::from(body);
    if let Some(key) = key {
        state.page_cache.put_private(key, generation, body.clone());
    }
    html(body)
}

#[derive(Debug, Default, Deserialize)]
pub struct YearQuery {
    #[serde(default)]
    pub year: Option<String>,
}

#[derive(Template)]
#[template(path = "expenses/yearly.html")]
struct YearlyPage<'a> {
    ctx: &'a Ctx,
    t: &'a Tracker,
    r: &'a YearlyReport,
    months: Vec<Month>,
    chart: String,
}

impl YearlyPage<'_> {
    fn change(&self, v: impl Val<Option<f64>>) -> String {
        signed_percent(v)
    }
}

async fn yearly(
    ctx: Ctx,
    state: web::Data<AppState>,
    query: web::Query<YearQuery>,
) -> Result<HttpResponse, AppError> {
    let (user_id, site_currency) = who(&ctx)?;
    let key = cache_key(&ctx);
    if let Some(body) = key.as_deref().and_then(|k| state.page_cache.get_private(k)) {
        return Ok(html(body));
    }
    let generation = state.page_cache.generation();
    let year = query
        .year
        .as_deref()
        .and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| (1901..=9998).contains(y))
        .unwrap_or_else(|| today().year());
    let (t, report) = state
        .db
        .run(move |conn| {
            let t = open(conn, user_id, &site_currency)?;
            let report = reports::yearly(conn, user_id, year, today())?;
            Ok::<_, AppError>((t, report))
        })
        .await?;
    let months = report.months();
    let labels: Vec<String> = months.iter().map(|m| m.short()).collect();
    let series: Vec<(String, String, Vec<i64>)> = report
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                c.name.clone(),
                c.color.clone(),
                report.cells.iter().map(|row| row[i]).collect(),
            )
        })
        .collect();
    let chart = charts::stacked_months(
        &labels,
        &series,
        &t.currency,
        &format!("Spending per month in {year}, by category"),
    );
    let body = YearlyPage {
        ctx: &ctx,
        t: &t,
        r: &report,
        months,
        chart,
    }
    .render()?;
    Ok(keep(&state, key, generation, body))
}
